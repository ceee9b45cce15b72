import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { grants, reviewCampaigns } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { testCatalog, USERS } from '../helpers/catalog.js';
import { OffsetClock } from '../helpers/warehouse.js';

const DAY = 24 * 3600_000;
const clock = new OffsetClock();
let t: TestBot;

beforeAll(async () => {
  const catalog = testCatalog();
  catalog.review = { enabled: true, schedule: '0 9 * * 1', timeZone: 'Europe/Berlin', deadlineDays: 5, reminderHoursBefore: 24, channel: 'C0SECURITY' };
  t = await startTestBot({ catalog, clock });
  for (const user of ['U0R1', 'U0R2', 'U0R3']) {
    await t.command(user, 'request campaign-metrics 14d weekly numbers');
  }
  for (const user of ['U0R1', 'U0R2', 'U0R3']) {
    const [r] = await t.database.db.query.accessRequests.findMany({ where: (a, { eq: e }) => e(a.requesterId, user) });
    await t.click(USERS.owner1, ACTION_IDS.approve, r!.id);
    await t.slack.waitFor(() => t.slack.dmsTo(user).find((c) => c.args.text.includes('is ready')), `ready ${user}`);
  }
});
afterAll(async () => {
  await t?.stop();
});

const digestsTo = (userId: string) => t.slack.dmsTo(userId).filter((c) => c.args.text === 'Weekly access review');

describe('weekly access review in Slack', () => {
  // One story, told in order: each step continues from the one before, so they run as one test.
  const steps: Array<[string, () => Promise<void>]> = [];
  const step = (what: string, fn: () => Promise<void>) => steps.push([what, fn]);

  it('the weekly schedule is registered as a BullMQ job scheduler in the configured time zone', async () => {
    const schedulers = await t.bot.queues.maintenance.getJobSchedulers();
    const review = schedulers.find((s) => s.key === 'access-review');
    expect(review).toMatchObject({ pattern: '0 9 * * 1', tz: 'Europe/Berlin' });
  });

  step('an admin starts a review; the owner gets a digest with Keep/Revoke per grant and bulk buttons', async () => {
    const refused = await t.command(USERS.owner1, 'review start');
    expect(refused.body.text).toContain('Only access admins');
    const res = await t.command(USERS.admin, 'review start');
    expect(res.body.text).toContain('Access review started');
    const digest = await t.slack.waitFor(() => digestsTo(USERS.owner1)[0], 'digest');
    const actions = digest.args.blocks.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements.map((e: any) => e.action_id));
    expect(actions.filter((a: string) => a === ACTION_IDS.reviewKeep)).toHaveLength(3);
    expect(actions).toContain(ACTION_IDS.reviewKeepAll);
    expect(actions).toContain(ACTION_IDS.reviewRevokeAll);
  });

  step('Keep updates the digest in place; /access review lists what is left', async () => {
    const digest = digestsTo(USERS.owner1)[0]!;
    const keep = digest.args.blocks.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements).find((e: any) => e.action_id === ACTION_IDS.reviewKeep);
    await t.click(USERS.owner1, ACTION_IDS.reviewKeep, keep.value);
    await t.slack.waitFor(
      () => t.slack.callsTo('chat.update').find((c) => c.args.channel === digest.args.channel && JSON.stringify(c.args.blocks).includes(`Kept by <@${USERS.owner1}>`)),
      'digest updated',
    );
    const list = await t.command(USERS.owner1, 'review');
    expect(JSON.stringify(list.body.blocks).match(new RegExp(ACTION_IDS.reviewKeep + '"', 'g'))).toHaveLength(2);
    const stranger = await t.command(USERS.stranger, 'review');
    expect(stranger.body.text).toContain('Nothing to review');
  });

  step('Revoke all takes the remaining access away and tells each person', async () => {
    const digest = digestsTo(USERS.owner1)[0]!;
    const bulk = digest.args.blocks.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements).find((e: any) => e.action_id === ACTION_IDS.reviewRevokeAll);
    await t.click(USERS.owner1, ACTION_IDS.reviewRevokeAll, bulk.value, { channelId: digest.args.channel, ts: '1.0' });
    for (const user of ['U0R2', 'U0R3']) {
      const dm = await t.slack.waitFor(() => t.slack.dmsTo(user).find((c) => JSON.stringify(c.args.blocks ?? '').includes('was revoked')), `revoked ${user}`);
      expect(JSON.stringify(dm.args.blocks)).toContain('weekly access review');
    }
    const active = await t.database.db.select().from(grants).where(eq(grants.status, 'active'));
    expect(active.map((g) => g.userId)).toEqual(['U0R1']);
  });

  step('at the deadline the review closes and its summary goes to the security channel', async () => {
    // the chart's first upload fails at its last step: retried alone, the summary is not repeated
    t.slack.failNext('files.completeUploadExternal', { status: 200, error: 'fatal_error' });
    clock.advance(5 * DAY + 60_000);
    const summary = await t.slack.waitFor(() => t.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0SECURITY'), 'summary', 15_000);
    const text = JSON.stringify(summary.args.blocks);
    expect(text).toContain('*Grants under review:* 3');
    expect(text).toContain('*Reviewed by owners:* 3 (kept 1, revoked 2)');
    // the hygiene figures of the week to the close, against the four weeks before
    expect(text).toContain('*Standing access:*');
    expect(text).toContain('grant-days a week');
    const [campaign] = await t.database.db.select().from(reviewCampaigns);
    expect(campaign!.status).toBe('closed');
  });

  step('the chart of standing grant-days per tier is uploaded to the security channel as a PNG', async () => {
    const done = await t.slack.waitFor(() => t.slack.callsTo('files.completeUploadExternal')[0], 'chart upload completed', 20_000);
    expect(t.slack.callsTo('files.completeUploadExternal#failed')).toHaveLength(1);
    expect(done.args.channel_id).toBe('C0SECURITY');
    expect(done.args.initial_comment).toContain('Standing grant-days per sensitivity tier');
    const [file] = typeof done.args.files === 'string' ? JSON.parse(done.args.files) : done.args.files;
    const upload = t.slack.uploads.get(file.id)!;
    expect(upload.filename).toMatch(/^standing-access-\d{4}-\d{2}-\d{2}\.png$/);
    expect(upload.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(upload.bytes.length).toBeGreaterThan(10_000);
    expect(upload.bytes.length).toBe(upload.length);
    // one summary, however many tries the chart took
    expect(t.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0SECURITY')).toHaveLength(1);
  });

  step('/access report: an admin sees the week against the four before; anyone else is refused', async () => {
    const refused = await t.command(USERS.owner1, 'report');
    expect(refused.body.text).toContain('Only access admins can read the hygiene report');
    expect(refused.body.blocks).toBeUndefined();
    const res = await t.command(USERS.admin, 'report');
    expect(res.body.response_type).toBe('ephemeral');
    const text = JSON.stringify(res.body.blocks);
    expect(text).toMatch(/\*Standing access:\* [\d.,]+ grant-days a week [↑↓→]/);
    expect(text).toContain('*Grants released early:*');
    expect(text).toContain('*Review answers on time:*');
    expect(text).toMatch(/Grant-days this week by tier: .*restricted [\d.]+/);
  });

  it('an admin starts a review, owners keep and revoke from their digests, and the deadline closes it with a summary', async () => {
    for (const [, run] of steps) await run();
  });
});
