import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { accessRequests, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { makeDataset, testCatalog, USERS } from '../helpers/catalog.js';
import { OffsetClock } from '../helpers/warehouse.js';
import { outboxDrained } from '../helpers/signals.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let clock = new OffsetClock();
let t: TestBot;

// each test has its own bot (or use cases), database, queues and clock
beforeEach(async () => {
  clock = new OffsetClock();
  const catalog = testCatalog();
  catalog.datasets.push(
    makeDataset({ id: 'two-key', name: 'Two key', sensitivity: 'restricted', owners: [USERS.owner1, USERS.owner2], policy: { approvalsRequired: 2 } }),
    makeDataset({ id: 'open-data', name: 'Open data', sensitivity: 'public', owners: [USERS.owner1], policy: { autoApprove: true } }),
    // a guest listed as an owner must still not be able to approve
    makeDataset({ id: 'guest-run', name: 'Guest run', owners: ['U0GUESTOWNER'] }),
  );
  t = await startTestBot({ catalog, clock });
  t.slack.users.set('U0GUEST', { tz: 'UTC', guest: true });
  t.slack.users.set('U0GUESTOWNER', { tz: 'UTC', guest: true });
});
afterEach(async () => {
  await t?.stop();
});

async function pendingRequest(userId: string, datasetId: string) {
  const [r] = await t.database.db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, userId), eq(accessRequests.datasetId, datasetId), eq(accessRequests.status, 'pending')));
  return r!;
}

async function activeGrant(userId: string, datasetId: string, duration = '2d') {
  await t.command(userId, `request ${datasetId} ${duration} lifecycle testing`);
  const r = await pendingRequest(userId, datasetId);
  await t.click(USERS.owner1, ACTION_IDS.approve, r.id);
  await t.slack.waitFor(() => t.slack.dmsTo(userId).find((c) => c.args.text.includes('is ready')), 'ready DM');
  const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
  return g!;
}

const lastPublish = (userId: string) => t.slack.callsTo('views.publish').filter((c) => c.args.user_id === userId).at(-1);

describe('commands', () => {
  it('release ends one’s own access; releasing what is not held is refused', async () => {
    const g = await activeGrant(USERS.marketer, 'campaign-metrics');
    const refused = await t.command(USERS.marketer, 'release crm-contacts');
    expect(refused.body.text).toContain('no active access to `crm-contacts`');
    const ok = await t.command(USERS.marketer, 'release campaign-metrics');
    expect(ok.body.text).toContain('Releasing your access');
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => JSON.stringify(c.args.blocks ?? '').includes('You released')), 'release DM');
    const [after] = await t.database.db.select().from(grants).where(eq(grants.id, g.id));
    expect(after!.status).toBe('revoked');
  });

  it('revoke: refused for a non-owner; an owner revokes and the holder is told why', async () => {
    const g = await activeGrant(USERS.marketer2, 'campaign-metrics');
    const refused = await t.command(USERS.owner2, `revoke <@${USERS.marketer2}|mia> campaign-metrics`);
    expect(refused.body.text).toContain('Only the owners of `campaign-metrics`');
    const ok = await t.command(USERS.owner1, `revoke <@${USERS.marketer2}|mia> campaign-metrics Campaign finished, thanks`);
    expect(ok.body.text).toContain('Revoking');
    const dm = await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer2).find((c) => JSON.stringify(c.args.blocks ?? '').includes('was revoked')), 'revoke DM');
    expect(JSON.stringify(dm.args.blocks)).toContain('Campaign finished, thanks');
    expect(JSON.stringify(dm.args.blocks)).toContain(`by <@${USERS.owner1}>`);
    const [after] = await t.database.db.select().from(grants).where(eq(grants.id, g.id));
    expect(after).toMatchObject({ status: 'revoked', endedBy: USERS.owner1 });
  });

  it('extend: beyond the maximum is refused; otherwise it is approved like a request and moves the end', async () => {
    const g = await activeGrant(USERS.stranger, 'campaign-metrics', '7d');
    const tooLong = await t.command(USERS.stranger, 'extend campaign-metrics 90d');
    expect(tooLong.body.text).toContain('at most');
    const asked = await t.command(USERS.stranger, 'extend campaign-metrics 2d more analysis');
    expect(asked.body.text).toContain('extension request was sent');
    const r = await pendingRequest(USERS.stranger, 'campaign-metrics');
    expect(r.kind).toBe('extension');
    const ownerDm = await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes(r.id)), 'extension DM');
    expect(JSON.stringify(ownerDm.args.blocks)).toContain('asks to *extend*');
    await t.click(USERS.owner1, ACTION_IDS.approve, r.id);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.stranger).find((c) => c.args.text.includes('extension') && c.args.text.includes('approved')), 'extension approved DM');
    const [after] = await t.database.db.select().from(grants).where(eq(grants.id, g.id));
    expect(after!.endsAt.getTime()).toBe(g.endsAt.getTime() + 2 * DAY);
  });
});

describe('policies in Slack', () => {
  it('2-of-2: the first approval shows “1 of 2 approvals” on every approver’s message; the second approves', async () => {
    await t.command(USERS.marketer, 'request two-key 1d quarterly churn model');
    const r = await pendingRequest(USERS.marketer, 'two-key');
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner2).find((c) => JSON.stringify(c.args.blocks).includes(r.id)), 'owner2 asked');
    await t.click(USERS.owner1, ACTION_IDS.approve, r.id);
    const updates = await t.slack.waitFor(() => {
      const u = t.slack.callsTo('chat.update').filter((c) => JSON.stringify(c.args.blocks).includes(`1 of 2 approvals: <@${USERS.owner1}>`));
      return u.length >= 2 ? u : undefined;
    }, 'progress on both messages');
    expect(updates.every((u) => u.args.blocks.some((b: any) => b.type === 'actions'))).toBe(true);
    expect((await pendingRequest(USERS.marketer, 'two-key')).status).toBe('pending');
    await t.click(USERS.owner2, ACTION_IDS.approve, r.id);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text === 'Your access to Two key is ready'), 'ready');
  });

  it('auto-approves public data when its policy says so', async () => {
    const res = await t.command('U0NEWCOMER', 'request open-data 1d');
    expect(res.status).toBe(200);
    await t.slack.waitFor(() => t.slack.dmsTo('U0NEWCOMER').find((c) => c.args.text === 'Your access to Open data is ready'), 'ready');
  });

  it('a guest cannot request sensitive data, nor approve anything', async () => {
    const res = await t.command('U0GUEST', 'request crm-contacts 1d a perfectly good reason');
    expect(res.body.text).toContain('Guest accounts cannot');
    await t.command(USERS.owner2, 'request guest-run 1d numbers please');
    const r = await pendingRequest(USERS.owner2, 'guest-run');
    await t.click('U0GUESTOWNER', ACTION_IDS.approve, r.id);
    await t.slack.waitFor(() => t.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === 'U0GUESTOWNER' && c.args.text.includes('Guest accounts')), 'refusal');
    expect((await pendingRequest(USERS.owner2, 'guest-run')).status).toBe('pending');
    await t.command(USERS.owner2, 'request campaign-metrics 1d numbers please');
  });
});

describe('the Home tab', () => {
  it('shows a requester their access (Extend, Release) and pending requests (Cancel), and Cancel works', async () => {
    await activeGrant(USERS.marketer, 'campaign-metrics');
    await t.command(USERS.admin, 'request crm-contacts 1d admin audit checks');
    await t.openHome(USERS.marketer);
    const home = await t.slack.waitFor(() => lastPublish(USERS.marketer), 'home published');
    const text = JSON.stringify(home.args.view.blocks);
    expect(text).toContain('Campaign metrics');
    expect(text).toContain(ACTION_IDS.extendGrant);
    expect(text).toContain(ACTION_IDS.releaseGrant);
    expect(text).toContain('Request access');

    await t.openHome(USERS.admin);
    const adminHome = await t.slack.waitFor(() => lastPublish(USERS.admin), 'admin home');
    expect(JSON.stringify(adminHome.args.view.blocks)).toContain(ACTION_IDS.cancelRequest);
    const r = await pendingRequest(USERS.admin, 'crm-contacts');
    await t.click(USERS.admin, ACTION_IDS.cancelRequest, r.id, { channelId: '', ts: '' });
    for (let i = 0; i < 100 && (await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, r.id)))[0]!.status !== 'cancelled'; i++) {
      await new Promise((res) => setTimeout(res, 30));
    }
    expect((await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, r.id)))[0]!.status).toBe('cancelled');
  });

  it('shows an owner the requests waiting for their decision', async () => {
    await t.command(USERS.owner2, 'request campaign-metrics 1d numbers please');
    await t.openHome(USERS.owner1);
    const home = await t.slack.waitFor(() => {
      const h = lastPublish(USERS.owner1);
      return h && JSON.stringify(h.args.view.blocks).includes('Waiting for your decision') ? h : undefined;
    }, 'owner home');
    const text = JSON.stringify(home.args.view.blocks);
    const r = await pendingRequest(USERS.owner2, 'campaign-metrics');
    expect(text).toContain(r.id);
    expect(text).toContain(ACTION_IDS.approve);
  });
});

describe('time passing (clock moved forward)', () => {
  it('reminds the holder before the end with Extend and Release, and Release from the reminder works', async () => {
    const g = await activeGrant('U0HOLDER', 'campaign-metrics', '2d');
    clock.advance(DAY + HOUR); // under 24 hours left
    const reminder = await t.slack.waitFor(() => t.slack.dmsTo('U0HOLDER').find((c) => c.args.text.includes('ends in about a day')), 'expiry reminder');
    const actions = reminder.args.blocks.find((b: any) => b.type === 'actions');
    expect(actions.elements.map((e: any) => e.action_id)).toEqual([ACTION_IDS.extendGrant, ACTION_IDS.releaseGrant]);
    await t.click('U0HOLDER', ACTION_IDS.releaseGrant, g.id, { channelId: reminder.args.channel, ts: '1.0' });
    await t.slack.waitFor(() => t.slack.dmsTo('U0HOLDER').find((c) => JSON.stringify(c.args.blocks ?? '').includes('You released')), 'released');
  });

  it('escalates an unanswered request to the admins, then expires it and tells the requester', async () => {
    await t.command(USERS.owner2, 'request campaign-metrics 1d numbers please');
    const r = await pendingRequest(USERS.owner2, 'campaign-metrics');
    await outboxDrained(t); // the approvers have been asked: waiting time counts from then
    clock.advance(3 * DAY);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => c.args.text.startsWith('Reminder:') && c.args.text.includes('Campaign metrics')), 'reminder to owner1');
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.admin).find((c) => JSON.stringify(c.args.blocks ?? '').includes(r.id)), 'escalated to admin');
    const list = await t.command(USERS.owner2, 'list');
    expect(JSON.stringify(list.body.blocks)).toContain(`<@${USERS.admin}>`);

    clock.advance(5 * DAY);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner2).find((c) => c.args.text.includes('expired')), 'expired DM');
    const expiredUpdate = await t.slack.waitFor(
      () => t.slack.callsTo('chat.update').find((c) => JSON.stringify(c.args.blocks).includes('*Expired*')),
      'approver message updated',
    );
    expect(expiredUpdate.args.blocks.some((b: any) => b.type === 'actions')).toBe(false);
  });
});
