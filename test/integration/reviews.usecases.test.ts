import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { acknowledgePolicy } from '../../src/modules/acknowledgements/acknowledgements.usecases.js';
import { findGrant } from '../../src/modules/grants/grants.repository.js';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { deliverMessage } from '../../src/modules/notifications/notifications.usecases.js';
import { sendHygieneTips } from '../../src/modules/nudges/tips.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { followUpReviews } from '../../src/modules/reviews/followups.usecases.js';
import { decideReviewDataset, decideReviewItem, myOpenReviewItems, startReview } from '../../src/modules/reviews/reviews.usecases.js';
import { grants, outbox, reviewCampaigns, reviewItems } from '../../src/shared/db/schema.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

const HOUR = 3600_000;
let t: TestDeps;

// each test has its own use cases, database, queues and clock
beforeEach(async () => {
  t = await createTestDeps();
  t.deps.catalog.review = { enabled: true, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 5, reminderHoursBefore: 24, channel: 'C0SECURITY' };
  t.deps.catalog.hygieneTips = { enabled: true, schedule: '0 10 1 * *', timeZone: 'UTC' };
});
afterEach(async () => {
  await t?.close();
});

/** Active 14-day grants for each [user, dataset], approved by an admin; then the handling policy is set. */
async function grantAll(pairs: ReadonlyArray<readonly [string, string]>) {
  for (const [user, dataset] of pairs) {
    const r = await createRequest(t.deps, { requesterId: user, datasetId: dataset, duration: '14d', reason: 'a reason long enough', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.admin, { kind: 'approve' });
    const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
    await provisionGrant(t.deps, g!.id, { finalAttempt: false });
  }
  t.deps.catalog.handlingPolicy = { version: 'v1', text: 'Be careful.', reacknowledgeAfterDays: 365, tips: ['Close exports when done.', 'Never paste customer rows into Slack.'] };
}

async function deliverAll() {
  for (const row of await t.database.db.select().from(outbox).where(eq(outbox.status, 'pending'))) await deliverMessage(t.deps, row.id);
}
const items = async () => t.database.db.select().from(reviewItems).orderBy(reviewItems.position);
const grantOf = async (userId: string) => (await t.database.db.select().from(grants).where(eq(grants.userId, userId)))[0]!;

describe('the access review', () => {
  // One story, told in order: each step continues from the one before, so they run as one test.
  const steps: Array<[string, () => Promise<void>]> = [];
  const step = (what: string, fn: () => Promise<void>) => steps.push([what, fn]);

  step('only admins (or the schedule) start one, and only one is open at a time', async () => {
    await expect(startReview(t.deps, USERS.owner1)).rejects.toThrow(/Only access admins/);
    const first = await startReview(t.deps, 'system');
    expect(first.created).toBe(true);
    expect(first.campaign.deadline.getTime() - first.campaign.startedAt.getTime()).toBe(5 * 24 * HOUR);
    const again = await startReview(t.deps, USERS.admin);
    expect(again).toMatchObject({ created: false, campaign: { id: first.campaign.id } });
    expect((await items()).map((i) => `${i.datasetId}:${i.userId}`)).toEqual([
      'campaign-metrics:U0D',
      'campaign-metrics:U0E',
      'crm-contacts:U0A',
      'crm-contacts:U0B',
      'crm-contacts:U0C',
    ]);
  });

  step('sends each owner one digest of the grants on their datasets', async () => {
    await deliverAll();
    const byOwner = Object.fromEntries(t.notifier.digests.map((d) => [d.ownerId, d.datasets.map((ds) => `${ds.id}:${ds.items.length}`)]));
    expect(byOwner).toEqual({ [USERS.owner1]: ['campaign-metrics:2', 'crm-contacts:3'], [USERS.owner2]: ['crm-contacts:3'] });
    expect(t.notifier.digests[0]!.datasets[0]!.items[0]!.reason).toBe('a reason long enough');
  });

  step('records Keep and Revoke once each, by owners only; Revoke takes the access away', async () => {
    const [d, e, a] = await items();
    await expect(decideReviewItem(t.deps, d!.id, USERS.owner2, 'keep')).rejects.toMatchObject({ code: 'reviews.not_owner', params: { datasetId: 'campaign-metrics' } });
    expect((await decideReviewItem(t.deps, d!.id, USERS.owner1, 'keep')).changed).toBe(true);
    expect((await decideReviewItem(t.deps, d!.id, USERS.owner1, 'revoke')).changed).toBe(false);
    expect((await decideReviewItem(t.deps, a!.id, USERS.owner2, 'revoke')).changed).toBe(true);
    expect(await findGrant(t.deps.db, a!.grantId)).toMatchObject({ status: 'revoking', endedBy: USERS.owner2, endNote: 'Not kept in the weekly access review.' });
    await deliverAll();
    expect(t.notifier.sent.filter((s) => s.kind === 'digest_update').map((s) => s.to).sort()).toEqual([USERS.owner1, USERS.owner1, USERS.owner2].sort());
    void e;
  });

  step('"Keep all" decides only what is still open on that dataset', async () => {
    const campaign = (await t.database.db.select().from(reviewCampaigns))[0]!;
    expect(await decideReviewDataset(t.deps, campaign.id, 'campaign-metrics', USERS.owner1, 'keep')).toEqual({ decided: 1, ownLeft: 0 });
    expect(await decideReviewDataset(t.deps, campaign.id, 'campaign-metrics', USERS.owner1, 'keep')).toEqual({ decided: 0, ownLeft: 0 });
    const open = await myOpenReviewItems(t.deps, USERS.owner2);
    expect(open!.datasets.map((d) => d.items.map((i) => i.userId))).toEqual([['U0B', 'U0C']]);
  });

  step('reminds owners with open items once, a day before the deadline', async () => {
    t.clock.advance(3 * 24 * HOUR);
    expect((await followUpReviews(t.deps)).reminded).toBe(0);
    t.clock.advance(24 * HOUR + 60_000);
    expect((await followUpReviews(t.deps)).reminded).toBe(2); // both own crm-contacts, which has open items
    expect((await followUpReviews(t.deps)).reminded).toBe(0);
  });

  step('at the deadline, unreviewed restricted grants are revoked by policy, and a summary goes to the security channel', async () => {
    const b = await grantOf('U0B');
    t.clock.advance(24 * HOUR);
    expect((await followUpReviews(t.deps)).closed).toBe(true);
    expect((await findGrant(t.deps.db, b.id))!).toMatchObject({ status: 'revoking', endReason: 'revoked', endedBy: 'system' });
    expect((await findGrant(t.deps.db, b.id))!.endNote).toContain('deadline');
    await deliverAll();
    const [summary] = t.notifier.summaries;
    expect(summary).toMatchObject({ total: 5, reviewed: 3, kept: 2, revoked: 1, autoRevoked: 2, autoKept: 0, previousTotal: null });
    // both decided some of their items and left U0B and U0C on crm-contacts to the deadline
    expect(summary!.silentOwners).toEqual([]);
    expect(summary!.partialOwners).toEqual([
      { userId: USERS.owner1, undecided: 2 },
      { userId: USERS.owner2, undecided: 2 },
    ]);
    expect(t.notifier.sent.find((s) => s.kind === 'review_summary')!.to).toBe('C0SECURITY');
    await expect(decideReviewItem(t.deps, (await items())[4]!.id, USERS.owner1, 'keep')).rejects.toThrow(/closed/);
  });

  step('compares the next review with the previous one', async () => {
    const next = await startReview(t.deps, 'system');
    expect(next.created).toBe(true);
    t.clock.advance(6 * 24 * HOUR);
    await followUpReviews(t.deps);
    await deliverAll();
    expect(t.notifier.summaries[1]).toMatchObject({ total: 2, previousTotal: 5 });
  });

  it('goes from start through decisions, reminder and deadline to the next review’s comparison', async () => {
    // grants: three on crm-contacts (restricted), two on campaign-metrics (internal)
    await grantAll([
      ['U0A', 'crm-contacts'],
      ['U0B', 'crm-contacts'],
      ['U0C', 'crm-contacts'],
      ['U0D', 'campaign-metrics'],
      ['U0E', 'campaign-metrics'],
    ]);
    for (const [, run] of steps) await run();
  });
});

describe('hygiene tips', () => {
  it('send one rotating tip to holders of sensitive grants only', async () => {
    await grantAll([
      ['U0D', 'campaign-metrics'],
      ['U0E', 'campaign-metrics'],
    ]);
    await acknowledgePolicy(t.deps, 'U0TIP', 'v1');
    const r = await createRequest(t.deps, { requesterId: 'U0TIP', datasetId: 'crm-contacts', duration: '14d', reason: 'a reason long enough', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.admin, { kind: 'approve' });
    await provisionGrant(t.deps, (await grantOf('U0TIP')).id, { finalAttempt: false });
    expect(await sendHygieneTips(t.deps)).toBe(1); // U0TIP; U0D and U0E hold internal data only
    await deliverAll();
    const tips = t.notifier.sent.filter((s) => s.kind.startsWith('tip:'));
    expect(tips).toHaveLength(1);
    expect(tips[0]!.to).toBe('U0TIP');
    t.deps.catalog.hygieneTips!.enabled = false;
    expect(await sendHygieneTips(t.deps)).toBe(0);
  });
});
