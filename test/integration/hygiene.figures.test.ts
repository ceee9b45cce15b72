import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { releaseGrant, revokeGrantOf } from '../../src/modules/grants/endings.usecases.js';
import { expireGrant } from '../../src/modules/grants/grants.usecases.js';
import { provisionGrant, revokeGrant } from '../../src/modules/grants/provisioning.usecases.js';
import type { Figures, HygieneFigures } from '../../src/modules/hygiene/figures.rules.js';
import { hygieneComparison, hygieneFigures, hygieneReport, weeklyStandingByTier } from '../../src/modules/hygiene/figures.usecases.js';
import { handlePostedMessage, markNudgeFixed } from '../../src/modules/nudges/nudges.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { requestExtension } from '../../src/modules/requests/extensions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { followUpReviews } from '../../src/modules/reviews/followups.usecases.js';
import { decideReviewItem, startReview } from '../../src/modules/reviews/reviews.usecases.js';
import { grants, reviewItems } from '../../src/shared/db/schema.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let t: TestDeps;
let T0: Date;

/** Moves the test clock to T0 + `ms` (never backwards). */
function at(ms: number) {
  const target = T0.getTime() + ms;
  const now = t.clock.now().getTime();
  if (target < now) throw new Error('the history must be built in time order');
  t.clock.advance(target - now);
}

async function grantNow(requestId: string) {
  await decideRequest(t.deps, requestId, USERS.admin, { kind: 'approve' });
  const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, requestId));
  expect(await provisionGrant(t.deps, g!.id, { finalAttempt: false })).toBe('done');
  return g!.id;
}
const request = (user: string, dataset: string, duration: string) =>
  createRequest(t.deps, { requesterId: user, datasetId: dataset, duration, reason: 'quarterly campaign analysis', via: 'command' });
const finishRevoke = async (grantId: string) => expect(await revokeGrant(t.deps, grantId, { finalAttempt: false })).toBe('done');
const card = (user: string, ts: string) => handlePostedMessage(t.deps, { userId: user, channelId: 'C0MARKETING', ts, text: 'card 4111 1111 1111 1111', files: [] });

/*
 * A small history, built through the real use cases with the clock moved by hand. T0 is the test
 * clock's start (Monday 2026-03-02 09:00 UTC); the period under test is [T0+7d, T0+14d), read at T0+15d.
 * crm-contacts is restricted, campaign-metrics internal, web-analytics public.
 *
 *   E  stranger  web-analytics     active T0+1h      → expired T0+1d1h          (before the period: not counted)
 *   A  marketer  crm-contacts      active T0+5d2h    → released T0+9d           (spans the period's start)
 *   B  marketer2 crm-contacts      active T0+8d4h    → extended once (approved), expired T0+10d4h
 *   D  marketer2 campaign-metrics  active T0+9d3h    → revoked by its owner T0+13d
 *   C  marketer  campaign-metrics  active T0+12d1h   → still active (spans the period's end)
 *
 * Decisions by a person in the period: B 4h, B's extension 1h, D 3h, C 1h (A's was before it).
 * A review starts T0+9d4h with a 2-day deadline (T0+11d4h): D kept by its owner on time, B left to the deadline.
 * Coachings: T0+6d (before), T0+8d (sent), T0+8d10m (only recorded: 1 an hour), T0+12d (sent, fixed).
 */
beforeAll(async () => {
  t = await createTestDeps();
  T0 = t.clock.now();
  t.deps.catalog.review = { enabled: true, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 2, reminderHoursBefore: 24, channel: 'C0SECURITY' };
  t.deps.catalog.sensitiveData = { enabled: true, excludeChannels: [], maxNudgesPerHour: 1 };

  const e = await request(USERS.stranger, 'web-analytics', '1d');
  at(HOUR);
  const E = await grantNow(e.id);
  at(DAY + HOUR);
  await expireGrant(t.deps, E);
  await finishRevoke(E);

  at(5 * DAY);
  const a = await request(USERS.marketer, 'crm-contacts', '14d');
  at(5 * DAY + 2 * HOUR);
  await grantNow(a.id);

  at(6 * DAY);
  await card(USERS.marketer2, '1.1');

  at(8 * DAY);
  const b = await request(USERS.marketer2, 'crm-contacts', '1d');
  await card(USERS.marketer, '2.1');
  at(8 * DAY + 10 * 60_000);
  expect((await card(USERS.marketer, '3.1')).kind).toBe('rate_limited');
  at(8 * DAY + 4 * HOUR);
  const B = await grantNow(b.id);
  at(8 * DAY + 6 * HOUR);
  const ext = await requestExtension(t.deps, { userId: USERS.marketer2, datasetId: 'crm-contacts', duration: '1d', reason: 'one more day for the report' });
  expect(ext.kind).toBe('requested');
  at(8 * DAY + 7 * HOUR);
  await decideRequest(t.deps, (ext as { request: { id: string } }).request.id, USERS.admin, { kind: 'approve' });

  at(9 * DAY);
  const Agrant = await releaseGrant(t.deps, USERS.marketer, 'crm-contacts');
  await finishRevoke(Agrant.id);
  const d = await request(USERS.marketer2, 'campaign-metrics', '7d');
  at(9 * DAY + 3 * HOUR);
  const D = await grantNow(d.id);

  at(9 * DAY + 4 * HOUR);
  const review = await startReview(t.deps, USERS.admin);
  expect(review.created).toBe(true);
  at(9 * DAY + 5 * HOUR);
  const [itemD] = await t.database.db.select().from(reviewItems).where(eq(reviewItems.grantId, D));
  expect((await decideReviewItem(t.deps, itemD!.id, USERS.owner1, 'keep')).changed).toBe(true);

  at(10 * DAY + 4 * HOUR);
  expect((await expireGrant(t.deps, B)).kind).not.toBe('not_due');
  await finishRevoke(B);
  at(11 * DAY + 4 * HOUR);
  expect((await followUpReviews(t.deps)).closed).toBe(true);

  at(12 * DAY);
  const c = await request(USERS.marketer, 'campaign-metrics', '14d');
  const fixMe = await card(USERS.marketer2, '4.1');
  at(12 * DAY + HOUR);
  await grantNow(c.id);
  expect(await markNudgeFixed(t.deps, (fixMe as { nudgeId: number }).nudgeId, USERS.marketer2)).toBe(true);

  at(13 * DAY);
  const Dgrant = await revokeGrantOf(t.deps, USERS.owner1, USERS.marketer2, 'campaign-metrics', 'no longer needed');
  await finishRevoke(Dgrant.id);
  at(15 * DAY);
});
afterAll(async () => {
  await t?.close();
});

const period = () => ({ since: new Date(T0.getTime() + 7 * DAY), until: new Date(T0.getTime() + 14 * DAY) });

/** Figures compared to 9 decimals (the hand computations below are exact fractions). */
function expectFigures(actual: Figures, expected: Figures) {
  const round = (f: Figures) => JSON.parse(JSON.stringify(f, (_k, v) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)));
  expect(round(actual)).toEqual(round(expected));
}

describe('hygiene figures on a hand-built history', () => {
  let h: HygieneFigures;
  beforeAll(async () => {
    h = await hygieneFigures(t.deps, period());
  });

  it('in all: grant-days clip the grants spanning the period boundaries; outcomes are over the grants ended in it', () => {
    // grant-days in [7d, 14d): A 7d→9d = 2; B 8d4h→10d4h = 2; D 9d3h→13d = 3 + 21/24; C 12d1h→14d = 1 + 23/24
    const grantDays = 2 + 2 + (3 + 21 / 24) + (1 + 23 / 24);
    // people: marketer A [7d,9d) + C [12d1h,14d) = 2 + 23/24 ... (disjoint);
    //         marketer2 B [8d4h,10d4h) ∪ D [9d3h,13d) = [8d4h,13d) = 4 + 20/24 (the overlap counts once)
    const personDays = 2 + (1 + 23 / 24) + (4 + 20 / 24);
    // ended in the period: A released (9d − 5d2h = 3 + 22/24 days), B expired (2 days), D revoked (3 + 21/24)
    const lengths = [2, 3 + 21 / 24, 3 + 22 / 24]; // sorted
    expectFigures(h.total, {
      grantDays,
      peopleOnAverageDay: personDays / 7,
      grantsHeld: 4,
      grantsEnded: 3,
      grantLengthDays: { median: lengths[1]!, p90: lengths[1]! + 0.8 * (lengths[2]! - lengths[1]!) }, // rank (3−1)·0.9 = 1.8
      releasedEarly: 1 / 3,
      endedByExpiry: 1 / 3,
      endedByRevoke: 1 / 3,
      extensionsPerGrant: 1 / 3, // B's one extension
      decisions: 4,
      decisionHours: { median: 2, p90: 3 + 0.7 * (4 - 3) }, // [1, 1, 3, 4]: rank 1.5 → (1+3)/2; rank 2.7 → 3.7
      reviewItems: 2,
      reviewOnTime: 1 / 2, // D kept before the deadline; B left to it
    });
    expect(h.days).toBe(7);
    // restricted or confidential: A (marketer) 2 days, B (marketer2) 2 days
    expect(h.sensitivePeopleOnAverageDay).toBeCloseTo(4 / 7, 9);
    // the T0+6d coaching is before the period; the T0+8d10m finding was only recorded
    expect(h.coachings).toEqual({ sent: 2, fixed: 1 });
  });

  it('per tier and per dataset', () => {
    expectFigures(h.byTier.restricted, {
      grantDays: 4,
      peopleOnAverageDay: 4 / 7,
      grantsHeld: 2,
      grantsEnded: 2,
      grantLengthDays: { median: (2 + 3 + 22 / 24) / 2, p90: 2 + 0.9 * (1 + 22 / 24) },
      releasedEarly: 1 / 2,
      endedByExpiry: 1 / 2,
      endedByRevoke: 0,
      extensionsPerGrant: 1 / 2,
      decisions: 2,
      decisionHours: { median: 2.5, p90: 1 + 0.9 * 3 },
      reviewItems: 1,
      reviewOnTime: 0,
    });
    const internal = { grantDays: 3 + 21 / 24 + 1 + 23 / 24, decisions: 2, grantsEnded: 1, reviewOnTime: 1 };
    expect(h.byTier.internal).toMatchObject({ ...internal, endedByRevoke: 1, decisionHours: { median: 2, p90: 1 + 0.9 * 2 } });
    expect(h.byTier.internal.grantDays).toBeCloseTo(internal.grantDays, 9);
    expect(h.byTier.public).toMatchObject({ grantDays: 0, grantsHeld: 0, grantsEnded: 0, releasedEarly: null, decisionHours: { median: null, p90: null } });
    expect(h.byDataset.map((d) => [d.datasetId, d.tier])).toEqual([
      ['campaign-metrics', 'internal'],
      ['crm-contacts', 'restricted'],
      ['web-analytics', 'public'],
    ]);
    expect(h.byDataset[1]!.figures).toEqual(h.byTier.restricted);
  });

  it('standing grant-days per tier, week by week, for the chart', async () => {
    const weeks = await weeklyStandingByTier(t.deps, { weeks: 2, until: period().until });
    expect(weeks.map((w) => w.since.getTime() - T0.getTime())).toEqual([0, 7 * DAY]);
    // week 1: E 1h → 1d1h (public, 1 day); A 5d2h → 7d (restricted, 1 + 22/24)
    expect(weeks[0]!.byTier.public).toBeCloseTo(1, 9);
    expect(weeks[0]!.byTier.restricted).toBeCloseTo(1 + 22 / 24, 9);
    expect(weeks[0]!.byTier.internal).toBe(0);
    expect(weeks[1]!.byTier.restricted).toBeCloseTo(4, 9);
    expect(weeks[1]!.byTier.internal).toBeCloseTo(3 + 21 / 24 + 1 + 23 / 24, 9);
  });

  it('this week against the four before: grant-days per week, with the direction and whether it is good', async () => {
    const c = await hygieneComparison(t.deps, period().until);
    const standing = c.headlines.find((x) => x.key === 'standing_grant_days')!;
    // before: [T0−21d, T0+7d) holds E (1 day) and A's 1 + 22/24 → per week over 28 days
    expect(standing.previous).toBeCloseTo(((1 + 1 + 22 / 24) * 7) / 28, 9);
    expect(standing.current).toBeCloseTo(h.total.grantDays, 9);
    expect(standing).toMatchObject({ direction: 'up', better: 'lower', verdict: 'worse' });
    expect(c.headlines.find((x) => x.key === 'released_early')).toMatchObject({ current: 1 / 3, previous: 0, direction: 'up', verdict: 'better' });
  });

  it('/access report is for admins only', async () => {
    await expect(hygieneReport(t.deps, USERS.owner1)).rejects.toMatchObject({ code: 'hygiene.admins_only' });
    expect((await hygieneReport(t.deps, USERS.admin)).headlines).toHaveLength(7);
  });
});
