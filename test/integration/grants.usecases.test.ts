import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { listAuditFor } from '../../src/modules/audit/audit.repository.js';
import { findGrant } from '../../src/modules/grants/grants.repository.js';
import { expireGrant, reconcile } from '../../src/modules/grants/grants.usecases.js';
import { provisionGrant, revokeGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { deliverMessage } from '../../src/modules/notifications/notifications.usecases.js';
import { addToOutbox } from '../../src/modules/notifications/notifications.repository.js';
import { outboxMessage } from '../../src/modules/notifications/messages/messages.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { grants, outbox } from '../../src/shared/db/schema.js';
import { EXPIRY_SHARDS, expiryShard, jobIds } from '../../src/worker/queues.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { scaleCatalog, seedActiveGrants } from '../helpers/seed-grants.js';
import { singleConnector } from '../../src/provisioners/registry.js';

let t: TestDeps;
// each test has its own use cases, database, queues and clock
beforeEach(async () => {
  t = await createTestDeps();
});
afterEach(async () => {
  await t?.close();
});

const HOUR = 3600_000;
const final = { finalAttempt: true };
const notFinal = { finalAttempt: false };

async function approvedGrant(userId: string, duration: string) {
  const request = await createRequest(t.deps, { requesterId: userId, datasetId: 'campaign-metrics', duration, reason: 'x', via: 'command' });
  await decideRequest(t.deps, request.id, USERS.owner1, { kind: 'approve' });
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, request.id));
  return grant!;
}

async function activeGrant(userId: string, duration: string) {
  const grant = await approvedGrant(userId, duration);
  expect(await provisionGrant(t.deps, grant.id, notFinal)).toBe('done');
  return (await findGrant(t.deps.db, grant.id))!;
}

const actions = async (grantId: string) => (await listAuditFor(t.deps.db, 'grant', grantId)).map((e) => e.action);

describe('provisioning', () => {
  it('approval leaves the grant provisioning and enqueues the connector job', async () => {
    const grant = await approvedGrant(USERS.marketer, '2h');
    expect(grant.status).toBe('provisioning');
    expect(await t.queues.provisioning.getJob(`provision-grant-${grant.id}`)).toBeTruthy();
    expect(t.provisioner.calls.filter((c) => c.target.grantId === grant.id)).toHaveLength(0);
  });

  it('becomes active only when the target system has it, and its clock starts then', async () => {
    const grant = await approvedGrant(USERS.marketer, '2h');
    t.clock.advance(10 * 60_000); // provisioning took ten minutes
    expect(await provisionGrant(t.deps, grant!.id, notFinal)).toBe('done');
    const active = (await findGrant(t.deps.db, grant!.id))!;
    expect(active.status).toBe('active');
    expect(active.startsAt).toEqual(t.clock.now());
    expect(active.endsAt.getTime() - active.startsAt.getTime()).toBe(2 * HOUR);
    const call = t.provisioner.calls.find((c) => c.target.grantId === grant!.id)!;
    expect(call.target).toMatchObject({ userId: USERS.marketer, identity: { email: 'u0mkt1@acme.test' }, datasetId: 'campaign-metrics' });
    expect((await t.queues.expiry.getJob(jobIds.expireAt(active.endsAt.getTime(), expiryShard(grant!.id))))?.opts.delay).toBe(2 * HOUR);
    expect(await provisionGrant(t.deps, grant!.id, notFinal)).toBe('skipped'); // a second run does nothing
    expect(await actions(grant!.id)).toEqual(['grant.created', 'grant.activated']);
  });

  it('retries, then gives up: the requester and owners are told and anything half-made is undone', async () => {
    const grant = await approvedGrant(USERS.marketer2, '1h');
    t.provisioner.failures = 2;
    expect(await provisionGrant(t.deps, grant.id, notFinal)).toBe('retry');
    expect((await findGrant(t.deps.db, grant.id))!).toMatchObject({ status: 'provisioning', attempts: 1, lastError: 'target system unavailable' });
    expect(await provisionGrant(t.deps, grant.id, final)).toBe('gave_up');
    expect((await findGrant(t.deps.db, grant.id))!).toMatchObject({ status: 'revoking', endReason: 'provision_failed' });
    expect(await t.queues.provisioning.getJob(`revoke-grant-${grant.id}`)).toBeTruthy();

    const failedNotices = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'provision_failed'));
    expect(failedNotices.map((r) => r.payload.to).sort()).toEqual([USERS.marketer2, USERS.owner1].sort());

    expect(await revokeGrant(t.deps, grant.id, notFinal)).toBe('done');
    expect((await findGrant(t.deps.db, grant.id))!.status).toBe('failed');
    expect(await actions(grant.id)).toEqual([
      'grant.created',
      'grant.provision_attempt_failed',
      'grant.provision_attempt_failed',
      'grant.provision_failed',
      'grant.cleaned_up',
    ]);
  });
});

describe('expiry and revocation', () => {
  it('a revoke attempt that fails after another attempt ended the grant records nothing and alerts nobody', async () => {
    const grant = await activeGrant(USERS.owner2, '1h');
    t.clock.advance(HOUR);
    await expireGrant(t.deps, grant.id);
    // the first attempt hangs in the target system and then fails; meanwhile a second one succeeds
    let failSlowly!: () => void;
    const slowRevoke = t.provisioner.revoke.bind(t.provisioner);
    t.provisioner.revoke = (target) =>
      new Promise<void>((_, reject) => {
        failSlowly = () => reject(new Error('target system unavailable'));
      }).finally(() => {
        t.provisioner.revoke = slowRevoke;
      });
    const late = revokeGrant(t.deps, grant.id, final);
    await vi.waitFor(() => expect(failSlowly).toBeDefined());
    t.provisioner.revoke = slowRevoke;
    expect(await revokeGrant(t.deps, grant.id, notFinal)).toBe('done');
    failSlowly();
    expect(await late).toBe('skipped');
    expect((await findGrant(t.deps.db, grant.id))!.status).toBe('expired');
    const after = await actions(grant.id);
    expect(after.at(-1)).toBe('grant.expired');
    expect(after).not.toContain('grant.revoke_stuck');
    expect(await t.database.db.select().from(outbox).where(eq(outbox.kind, 'revoke_stuck'))).toHaveLength(0);
  });

  it('is not due before its end; after it, exactly one caller starts the revoke', async () => {
    const grant = await activeGrant(USERS.owner2, '1h');
    expect(await expireGrant(t.deps, grant.id)).toEqual({ kind: 'not_due', endsAt: grant.endsAt });
    t.clock.advance(HOUR);
    const outcomes = await Promise.all([expireGrant(t.deps, grant.id), expireGrant(t.deps, grant.id), expireGrant(t.deps, grant.id)]);
    expect(outcomes.filter((o) => o.kind === 'expired')).toHaveLength(1);
    expect((await findGrant(t.deps.db, grant.id))!.status).toBe('revoking'); // not expired until the target says so
    expect(await revokeGrant(t.deps, grant.id, notFinal)).toBe('done');
    expect((await findGrant(t.deps.db, grant.id))!.status).toBe('expired');
    expect(t.provisioner.calls.filter((c) => c.op === 'revoke' && c.target.grantId === grant.id)).toHaveLength(1);
  });

  it('a revoke that keeps failing alerts owners and admins, waits, and is resumed by the reconciler', async () => {
    const grant = await activeGrant(USERS.stranger, '1h');
    t.clock.advance(HOUR);
    await expireGrant(t.deps, grant.id);
    t.provisioner.failures = 3;
    expect(await revokeGrant(t.deps, grant.id, notFinal)).toBe('retry');
    expect(await revokeGrant(t.deps, grant.id, final)).toBe('gave_up');
    const stuck = (await findGrant(t.deps.db, grant.id))!;
    expect(stuck).toMatchObject({ status: 'revoking', attempts: 2 });
    expect(stuck.nextAttemptAt!.getTime() - t.clock.now().getTime()).toBe(3600 * 1000);
    const alerts = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'revoke_stuck'));
    expect(alerts.map((r) => r.payload.to).sort()).toEqual([USERS.admin, USERS.owner1].sort());

    await t.queues.provisioning.obliterate({ force: true });
    await reconcile(t.deps);
    expect(await t.queues.provisioning.getJob(`revoke-grant-${grant.id}`)).toBeUndefined(); // not before the next attempt is due
    t.clock.advance(HOUR);
    await reconcile(t.deps);
    expect(await t.queues.provisioning.getJob(`revoke-grant-${grant.id}`)).toBeTruthy();
    expect(await revokeGrant(t.deps, grant.id, notFinal)).toBe('retry'); // third failure
    expect(await revokeGrant(t.deps, grant.id, notFinal)).toBe('done');
    expect((await findGrant(t.deps.db, grant.id))!.status).toBe('expired');
  });

  it('the reconciler starts overdue revokes, re-creates lost expiry jobs, and resumes provisioning', async () => {
    const longGrant = await activeGrant(USERS.admin, '3d');
    const shortGrant = await activeGrant(USERS.marketer2, '1h');
    const waiting = await approvedGrant('U0NEWBIE', '1h');
    await t.queues.expiry.obliterate({ force: true });
    await t.queues.provisioning.obliterate({ force: true });

    t.clock.advance(2 * HOUR);
    const report = await reconcile(t.deps);
    expect(report.expired).toBe(1);
    expect((await findGrant(t.deps.db, shortGrant.id))!.status).toBe('revoking');
    expect(await t.queues.provisioning.getJob(`revoke-grant-${shortGrant.id}`)).toBeTruthy();
    const job = await t.queues.expiry.getJob(jobIds.expireAt(longGrant.endsAt.getTime(), expiryShard(longGrant.id)));
    expect(job!.opts.delay).toBe(longGrant.endsAt.getTime() - t.clock.now().getTime());
    expect(await t.queues.provisioning.getJob(`provision-grant-${waiting.id}`)).toBeTruthy();
    expect((await reconcile(t.deps)).expired).toBe(0);
  });

  it('the reconciler re-creates the expiry job of every active grant, past one page of them', async () => {
    // 4,500 active grants: more than two of the reconciler's pages (2,000 grants each)
    const shape = { datasets: 45, perDataset: 100 };
    t.deps.catalog = scaleCatalog(shape);
    await seedActiveGrants(t.database.db, shape, t.clock.now());
    await t.queues.expiry.obliterate({ force: true });

    const report = await reconcile(t.deps);
    expect(report.expiryJobsEnsured).toBe(4_500);
    // all 4,500 end at the same instant: they share that instant's wake-ups, one per share
    const active = await t.database.db.select({ id: grants.id, endsAt: grants.endsAt }).from(grants).where(eq(grants.status, 'active'));
    const wakeUps = new Set(active.map((g) => jobIds.expireAt(g.endsAt.getTime(), expiryShard(g.id))));
    expect(wakeUps.size).toBe(EXPIRY_SHARDS);
    expect(await t.queues.expiry.getDelayedCount()).toBe(EXPIRY_SHARDS);
    for (const id of wakeUps) expect((await t.queues.expiry.getJob(id))?.data).toEqual({ dueAt: active[0]!.endsAt.getTime() });
  });
});

describe('expiry wake-ups within a horizon', () => {
  it('a later pass re-creates only the wake-ups of grants ending within its horizon, and a far one once its end comes within it', async () => {
    const soon = await activeGrant(USERS.marketer, '1h');
    const shape = { datasets: 45, perDataset: 100 };
    t.deps.catalog = scaleCatalog(shape);
    await seedActiveGrants(t.database.db, shape, t.clock.now()); // 4,500 ending in 30 days
    await t.queues.expiry.obliterate({ force: true });
    const hour = 3600_000;

    const near = await reconcile(t.deps, { wakeUpsWithinMs: 2 * hour });
    expect(near.expiryJobsEnsured).toBe(1);
    expect(await t.queues.expiry.getJob(jobIds.expireAt(soon.endsAt.getTime(), expiryShard(soon.id)))).toBeTruthy();
    expect(await t.queues.expiry.getDelayedCount()).toBe(1);

    // the far ones' end comes within the horizon: their wake-ups are made then, well before they are due
    t.clock.advance(30 * 24 * hour - 90 * 60_000);
    const later = await reconcile(t.deps, { wakeUpsWithinMs: 2 * hour });
    expect(later.expiryJobsEnsured).toBe(4_500);
    // theirs (one instant, its shares) and the first one's, still waiting on the real clock
    expect(await t.queues.expiry.getDelayedCount()).toBe(EXPIRY_SHARDS + 1);
  });
});

describe('revokes to resume', () => {
  it('the reconciler resumes every revoke whose job was lost, past one page of them, with one job each', async () => {
    // 4,500 grants left revoking (a mass expiry on a connector that revokes one by one), their jobs lost
    const shape = { datasets: 45, perDataset: 100 };
    t.deps.catalog = scaleCatalog(shape);
    t.deps.connectors = singleConnector(t.deps.catalog, t.provisioner);
    await seedActiveGrants(t.database.db, shape, t.clock.now());
    await t.database.db.update(grants).set({ status: 'revoking', endReason: 'expired' });
    await t.queues.provisioning.obliterate({ force: true });

    const report = await reconcile(t.deps);
    expect(report.revokesResumed).toBe(4_500);
    const jobs = await t.queues.provisioning.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(new Set(jobs.filter((j) => j.name === 'revoke').map((j) => (j.data as { grantId: string }).grantId)).size).toBe(4_500);
    // a second pass adds nothing: the jobs are there
    await reconcile(t.deps);
    expect(await t.queues.provisioning.getJobs(['waiting', 'delayed', 'prioritized'])).toHaveLength(jobs.length);
  });
});

describe('messages', () => {
  it('re-enqueues a lost message even behind a backlog of more than one page of older ones', async () => {
    const backlog = Array.from({ length: 1_200 }, (_, i) => outboxMessage('hygiene_tip', { userId: `U0BACK${i}`, tip: 0 }));
    const old = await addToOutbox(t.database.db, t.clock.now(), backlog);
    // the backlog's jobs are waiting (paced out); a newer message's job was lost
    await t.deps.jobs.enqueueDeliveries(old);
    t.clock.advance(60_000);
    const [lost] = await addToOutbox(t.database.db, t.clock.now(), [outboxMessage('hygiene_tip', { userId: 'U0LOST', tip: 0 })]);
    t.clock.advance(60_000);
    const report = await reconcile(t.deps);
    expect(report.messagesRequeued).toBe(old.length + 1);
    expect(await t.queues.messages.getJob(`deliver-${lost}`)).toBeTruthy();
    // the waiting ones keep their one job each
    expect(await t.queues.messages.getWaitingCount()).toBe(old.length + 1);
  });

  it('re-enqueues messages whose jobs were lost, and each is delivered once', async () => {
    // two grants that expire, one that is ready, one whose provisioning gives up
    const ending = [await activeGrant(USERS.owner2, '1h'), await activeGrant(USERS.stranger, '1h')];
    await activeGrant(USERS.admin, '3d');
    const failing = await approvedGrant(USERS.marketer2, '1h');
    t.provisioner.failures = 1;
    expect(await provisionGrant(t.deps, failing.id, final)).toBe('gave_up');
    t.clock.advance(HOUR);
    for (const grant of ending) {
      expect((await expireGrant(t.deps, grant.id)).kind).toBe('expired');
      expect(await revokeGrant(t.deps, grant.id, notFinal)).toBe('done');
    }

    await t.queues.messages.obliterate({ force: true });
    const pending = await t.database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(pending.length).toBeGreaterThan(0);
    t.clock.advance(60_000);
    const report = await reconcile(t.deps);
    expect(report.messagesRequeued).toBe(pending.length);
    for (const row of pending) expect(await t.queues.messages.getJob(`deliver-${row.id}`)).toBeTruthy();

    for (const row of pending) expect(await deliverMessage(t.deps, row.id)).toBe('sent');
    for (const row of pending) expect(await deliverMessage(t.deps, row.id)).toBe('already_done');
    const kinds = t.notifier.sent.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'expired').length).toBeGreaterThanOrEqual(2);
    expect(kinds).toContain('ready');
    expect(kinds).toContain('provision_failed');
    expect((await t.database.db.select().from(outbox).where(eq(outbox.status, 'pending'))).length).toBe(0);
  });
});
