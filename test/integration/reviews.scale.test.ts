import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, count, countDistinct, eq, max, min } from 'drizzle-orm';
import { loadDigest, startReview } from '../../src/modules/reviews/reviews.usecases.js';
import { outbox, reviewCampaigns, reviewItems } from '../../src/shared/db/schema.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { scaleCatalog, scaleOwnerId, seedActiveGrants } from '../helpers/seed-grants.js';

// 30,000 grants: well past the ~11,000 at which one INSERT of every item overflowed the stack
const SHAPE = { datasets: 300, perDataset: 100 };
let t: TestDeps;

beforeEach(async () => {
  t = await createTestDeps();
  t.deps.catalog = scaleCatalog(SHAPE);
  await seedActiveGrants(t.database.db, SHAPE, t.clock.now());
});
afterEach(async () => {
  await t?.close();
});

describe('an access review at company scale', () => {
  it('starts over 30,000 grants: every grant one item, in order, one digest queued per owner, once', async () => {
    // the weekly job and an admin's /access review start at the same moment: one review
    const [a, b] = await Promise.all([startReview(t.deps, 'system'), startReview(t.deps, 'U0ADMIN1')]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.campaign.id).toBe(b.campaign.id);
    expect(await t.database.db.select({ n: count() }).from(reviewCampaigns)).toEqual([{ n: 1 }]);

    const [stats] = await t.database.db
      .select({ n: count(), grants: countDistinct(reviewItems.grantId), first: min(reviewItems.position), last: max(reviewItems.position), positions: countDistinct(reviewItems.position) })
      .from(reviewItems)
      .where(eq(reviewItems.campaignId, a.campaign.id));
    expect(stats).toEqual({ n: 30_000, grants: 30_000, first: 0, last: 29_999, positions: 30_000 });

    const digests = await t.database.db.select().from(outbox).where(and(eq(outbox.kind, 'review_digest'), eq(outbox.status, 'pending')));
    expect(digests).toHaveLength(300);
    expect(new Set(digests.map((d) => (d.payload as { ownerId: string }).ownerId)).size).toBe(300);
    const jobs = await t.queues.messages.getJobCounts('waiting', 'delayed', 'active');
    expect((jobs.waiting ?? 0) + (jobs.delayed ?? 0) + (jobs.active ?? 0)).toBe(300);

    // one owner's digest: their 100 grants, nobody else's
    const digest = await loadDigest(t.deps, a.campaign.id, scaleOwnerId(7));
    expect(digest!.datasets.map((d) => [d.id, d.items.length])).toEqual([['ds-0007', 100]]);
  }, 60_000); // about 1.5 s on an idle 2-core machine (8 s before the items were written inside Postgres)
});
