import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, count, countDistinct, eq, max, min } from 'drizzle-orm';
import { applyDeadlineDecisions, loadDigest, startReview } from '../../src/modules/reviews/reviews.usecases.js';
import { listItems } from '../../src/modules/reviews/reviews.repository.js';
import { auditEvents, grants, outbox, reviewCampaigns, reviewItems } from '../../src/shared/db/schema.js';
import { singleConnector } from '../../src/provisioners/registry.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { scaleCatalog, scaleOwnerId, seedActiveGrants } from '../helpers/seed-grants.js';

// 30,000 grants: well past the ~11,000 at which one INSERT of every item overflowed the stack
const SHAPE = { datasets: 300, perDataset: 100 };
let t: TestDeps;

beforeEach(async (ctx) => {
  t = await createTestDeps();
  const shape = ctx.task.name.includes('deadline') ? DEADLINE_SHAPE : SHAPE;
  t.deps.catalog = scaleCatalog(shape);
  await seedActiveGrants(t.database.db, shape, t.clock.now());
});
// more than two batches of revokes (500 each)
const DEADLINE_SHAPE = { datasets: 12, perDataset: 100 };
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

  it('at the deadline revokes 1,200 unreviewed grants in bounded batches: each grant revoking once, with its note, audit event and revoke job', async () => {
    for (const d of t.deps.catalog.datasets) d.policy = { ...d.policy, reviewDefault: 'revoke' };
    // every dataset behind the test's connector (none manual): one revoke job per grant
    t.deps.connectors = singleConnector(t.deps.catalog, t.provisioner);
    const { campaign } = await startReview(t.deps, 'system');
    await applyDeadlineDecisions(t.deps, await listItems(t.database.db, campaign.id));

    const { db } = t.database;
    const byStatus = await db.select({ status: grants.status, note: grants.endNote, by: grants.endedBy, n: count() }).from(grants).groupBy(grants.status, grants.endNote, grants.endedBy);
    expect(byStatus).toHaveLength(12); // one note per dataset
    expect(byStatus.every((r) => r.status === 'revoking' && r.by === 'system' && r.n === 100 && /deadline/.test(r.note ?? ''))).toBe(true);
    const events = await db.select({ action: auditEvents.action, n: countDistinct(auditEvents.subjectId) }).from(auditEvents).groupBy(auditEvents.action);
    expect(Object.fromEntries(events.map((e) => [e.action, e.n]))).toMatchObject({ 'review.revoked': 1_200, 'grant.revoke_started': 1_200 });
    const jobs = await t.queues.provisioning.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.filter((j) => j.name === 'revoke')).toHaveLength(1_200);
    expect(new Set(jobs.map((j) => (j.data as { grantId: string }).grantId)).size).toBe(1_200);

    // decided once: a second pass over the same items changes nothing
    await applyDeadlineDecisions(t.deps, await listItems(t.database.db, campaign.id));
    expect(await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, 'grant.revoke_started'))).toEqual([{ n: 1_200 }]);
  }, 60_000);
});
