import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { grants, reviewItems } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { testCatalog, USERS } from '../helpers/catalog.js';
import { OffsetClock } from '../helpers/warehouse.js';

/**
 * Who reviews what: nobody reviews their own grant (an owner's goes to another owner, or to the
 * admins), admins see and answer every open item, and the summary tells partial answers apart.
 *
 * crm-contacts is owned by owner1 and owner2, campaign-metrics by owner1 alone. Grants:
 * owner1 on both datasets, marketer on crm-contacts, marketer2 on campaign-metrics. Each test
 * has its own bot, clock, grants and review, and makes the decisions it builds on itself.
 */
const DAY = 24 * 3600_000;
let clock: OffsetClock;
let t: TestBot;

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function grantAccess(userId: string, datasetId: string, approverId: string) {
  await t.command(userId, `request ${datasetId} 14d quarterly planning numbers`);
  const [r] = await t.database.db.query.accessRequests.findMany({ where: (a, { and: both, eq: e }) => both(e(a.requesterId, userId), e(a.datasetId, datasetId)) });
  await t.click(approverId, ACTION_IDS.approve, r!.id);
  await until(async () => (await t.database.db.select().from(grants).where(and(eq(grants.requestId, r!.id), eq(grants.status, 'active'))))[0], `grant ${userId} ${datasetId}`);
}

const itemOf = async (userId: string, datasetId: string) =>
  (await t.database.db.select().from(reviewItems).where(and(eq(reviewItems.userId, userId), eq(reviewItems.datasetId, datasetId))))[0]!;
const digestTo = (userId: string) => t.slack.dmsTo(userId).find((c) => c.args.text === 'Weekly access review');
const buttonValues = (blocks: any[], actionId: string): string[] =>
  blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements.filter((e: any) => e.action_id === actionId).map((e: any) => e.value));
const ephemeralTo = (userId: string, text: string) => t.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === userId && String(c.args.text).includes(text));

/** `reviewerId` keeps the review item on `userId`'s grant with a single Keep. */
async function keepItem(reviewerId: string, userId: string, datasetId: string) {
  await t.click(reviewerId, ACTION_IDS.reviewKeep, (await itemOf(userId, datasetId)).id);
  await until(async () => (await itemOf(userId, datasetId)).decision === 'keep', `keep ${userId} ${datasetId}`);
}

beforeEach(async () => {
  clock = new OffsetClock();
  const catalog = testCatalog();
  catalog.review = { enabled: true, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 5, reminderHoursBefore: 24, channel: 'C0SECURITY' };
  t = await startTestBot({ catalog, clock });
  await grantAccess(USERS.owner1, 'campaign-metrics', USERS.admin); // owner1 is its only owner: the admins approve
  await grantAccess(USERS.owner1, 'crm-contacts', USERS.owner2);
  await grantAccess(USERS.marketer, 'crm-contacts', USERS.owner1);
  await grantAccess(USERS.marketer2, 'campaign-metrics', USERS.owner1);
  await t.command(USERS.admin, 'review start');
  await t.slack.waitFor(() => digestTo(USERS.owner1) && digestTo(USERS.owner2), 'the owners\' digests');
});
afterEach(async () => {
  await t?.stop();
});

describe('nobody reviews their own grant', () => {
  it("an owner's own grant is in another owner's digest, or the admins' when nobody else owns the dataset", async () => {
    await t.slack.waitFor(() => digestTo(USERS.admin), 'the admins\' digest');
    const values = (userId: string) => buttonValues(digestTo(userId)!.args.blocks, ACTION_IDS.reviewKeep);
    expect(values(USERS.owner1).sort()).toEqual([(await itemOf(USERS.marketer, 'crm-contacts')).id, (await itemOf(USERS.marketer2, 'campaign-metrics')).id].sort());
    expect(values(USERS.owner2).sort()).toEqual([(await itemOf(USERS.owner1, 'crm-contacts')).id, (await itemOf(USERS.marketer, 'crm-contacts')).id].sort());
    expect(values(USERS.admin)).toEqual([(await itemOf(USERS.owner1, 'campaign-metrics')).id]);
  });

  it('a crafted Keep on one\'s own item is refused on the server and changes nothing', async () => {
    const own = await itemOf(USERS.owner1, 'crm-contacts');
    await t.click(USERS.owner1, ACTION_IDS.reviewKeep, own.id);
    await t.slack.waitFor(() => ephemeralTo(USERS.owner1, 'Nobody reviews their own access'), 'refusal');
    expect((await itemOf(USERS.owner1, 'crm-contacts')).decision).toBeNull();
  });

  it('Keep all on a dataset decides the others and leaves the own grant to another reviewer', async () => {
    const bulk = buttonValues(digestTo(USERS.owner1)!.args.blocks, ACTION_IDS.reviewKeepAll).find((v) => v.endsWith('|crm-contacts'))!;
    await t.click(USERS.owner1, ACTION_IDS.reviewKeepAll, bulk);
    const reply = await t.slack.waitFor(() => ephemeralTo(USERS.owner1, 'Kept 1 grant on'), 'bulk reply');
    expect(reply.args.text).toContain('Your own grant is left to another owner or an access admin');
    expect((await itemOf(USERS.marketer, 'crm-contacts')).decision).toBe('keep');
    expect((await itemOf(USERS.owner1, 'crm-contacts')).decision).toBeNull();
  });
});

describe('admins see and answer open review items', () => {
  it('/access review lists every open item an admin may decide, not only those assigned to admins', async () => {
    await keepItem(USERS.owner1, USERS.marketer, 'crm-contacts'); // decided, so no longer open
    const res = await t.command(USERS.admin, 'review');
    expect(res.body.text).not.toContain('Nothing to review');
    const keep = buttonValues(res.body.blocks, ACTION_IDS.reviewKeep);
    expect(keep.sort()).toEqual(
      [(await itemOf(USERS.owner1, 'campaign-metrics')).id, (await itemOf(USERS.owner1, 'crm-contacts')).id, (await itemOf(USERS.marketer2, 'campaign-metrics')).id].sort(),
    );
  });

  it('the Home tab shows them too, and an admin keeps one from there', async () => {
    const publishes = () => t.slack.callsTo('views.publish').filter((c) => c.args.user_id === USERS.admin);
    const before = publishes().length;
    await t.openHome(USERS.admin);
    const home = await t.slack.waitFor(() => publishes()[before], 'home');
    const view = typeof home.args.view === 'string' ? JSON.parse(home.args.view) : home.args.view;
    const ownerItem = await itemOf(USERS.owner1, 'campaign-metrics');
    expect(buttonValues(view.blocks, ACTION_IDS.reviewKeep)).toContain(ownerItem.id);
    await t.click(USERS.admin, ACTION_IDS.reviewKeep, ownerItem.id);
    await until(async () => (await itemOf(USERS.owner1, 'campaign-metrics')).decision === 'keep', 'admin keep');
  });
});

describe('reminder and summary', () => {
  it('the reminder agrees in number, and the summary tells partial answers from none', async () => {
    await keepItem(USERS.owner1, USERS.marketer, 'crm-contacts'); // owner1 answers one of their two
    await keepItem(USERS.admin, USERS.owner1, 'campaign-metrics'); // the admin answers their only one
    clock.advance(4 * DAY + 60_000);
    const reminder = await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner2).find((c) => String(c.args.text).startsWith('Reminder')), 'reminder');
    expect(JSON.stringify(reminder.args.blocks)).toContain('1 grant still waits for your review');

    clock.advance(DAY);
    const summary = await t.slack.waitFor(() => t.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0SECURITY'), 'summary', 15_000);
    const text = JSON.stringify(summary.args.blocks);
    // owner2 decided nothing; owner1 kept marketer's grant but left marketer2's; the admin answered all theirs
    expect(text).toContain(`*Reviewers who answered none of their grants:* <@${USERS.owner2}>`);
    expect(text).toContain(`*Reviewers who answered part of their grants:* <@${USERS.owner1}> (1 grant left to the deadline)`);
    expect(text).not.toContain(`<@${USERS.admin}>`);
  });
});
