import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { listAuditFor } from '../../src/modules/audit/audit.repository.js';
import { findGrant, type Grant } from '../../src/modules/grants/grants.repository.js';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { requestExtension } from '../../src/modules/requests/extensions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { grants } from '../../src/shared/db/schema.js';
import { EXPIRY_SHARDS, expiryShard, jobIds } from '../../src/worker/queues.js';
import { startWorkers, type Workers } from '../../src/worker/workers.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { waitUntil } from '../helpers/signals.js';

/**
 * The expiry worker's wake-ups, run by the real BullMQ workers against real Redis and the
 * database, with the test's hand-moved clock deciding what is due.
 */
let t: TestDeps;
let workers: Workers | undefined;
beforeEach(async () => {
  t = await createTestDeps();
});
afterEach(async () => {
  await workers?.close();
  workers = undefined;
  await t?.close();
});

const HOUR = 3600_000;

async function activeGrant(userId: string, duration = '1h') {
  const request = await createRequest(t.deps, { requesterId: userId, datasetId: 'campaign-metrics', duration, reason: 'wake-ups', via: 'command' });
  await decideRequest(t.deps, request.id, USERS.owner1, { kind: 'approve' });
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, request.id));
  expect(await provisionGrant(t.deps, grant!.id, { finalAttempt: false })).toBe('done');
  return (await findGrant(t.deps.db, grant!.id))!;
}

const start = async () => {
  workers = await startWorkers(t.deps, t.queues, { redisUrl: inject('redisUrl'), prefix: t.queues.expiry.opts.prefix!, reconcileIntervalSeconds: 3600, messagesPerSecond: 200 });
};
const status = async (id: string) => (await findGrant(t.deps.db, id))!.status;
const actions = async (id: string) => (await listAuditFor(t.deps.db, 'grant', id)).map((e) => e.action);
/**
 * Runs now what waits in the expiry queue: BullMQ's delays are real time, the test's clock is not
 * (a wake-up put back to sleep until a test-clock instant, long past in real time, runs again at once).
 */
const promoteAll = async () => {
  for (const job of await t.queues.expiry.getDelayed()) await job.promote().catch(() => undefined);
};

describe('expiry wake-ups', () => {
  it('grants due at one instant share at most a few wake-ups, and those end every one of them exactly once', async () => {
    // approved and activated at the same instant of the test clock: all end at the same instant
    const due: Grant[] = [];
    for (let i = 0; i < 12; i++) due.push(await activeGrant(`U0WAKE${i}`));
    const at = due[0]!.endsAt.getTime();
    expect(due.every((g) => g.endsAt.getTime() === at)).toBe(true);
    const ids = new Set(due.map((g) => jobIds.expireAt(at, expiryShard(g.id))));
    expect(ids.size).toBeLessThanOrEqual(EXPIRY_SHARDS);
    expect((await t.queues.expiry.getDelayed()).map((j) => j.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await t.queues.expiry.getJob(id))!.data).toEqual({ dueAt: at });

    await start();
    t.clock.advance(HOUR);
    await promoteAll();
    await waitUntil(async () => (await Promise.all(due.map((g) => status(g.id)))).every((s) => s === 'expired'), 'every grant ended');
    for (const g of due) expect(await actions(g.id)).toEqual(['grant.created', 'grant.activated', 'grant.revoke_started', 'grant.expired']);
  });

  it('a wake-up that runs before its instant goes back to sleep until then, and ends nothing early', async () => {
    const grant = await activeGrant(USERS.marketer, '3h');
    await start();
    t.clock.advance(HOUR);
    await promoteAll();
    const id = jobIds.expireAt(grant.endsAt.getTime(), expiryShard(grant.id));
    await waitUntil(async () => (await t.queues.expiry.getJobState(id)) === 'delayed' && (await t.queues.expiry.getJob(id))!.attemptsStarted > 0, 'the wake-up asleep again');
    expect(await status(grant.id)).toBe('active');

    t.clock.advance(2 * HOUR);
    await promoteAll();
    await waitUntil(async () => (await status(grant.id)) === 'expired', 'the grant ended at its instant');
  });

  it('an approved extension wakes at its new end: the old end\'s wake-up ends nothing', async () => {
    const grant = await activeGrant(USERS.marketer, '1h');
    const ext = await requestExtension(t.deps, { userId: USERS.marketer, datasetId: 'campaign-metrics', duration: '3h', reason: 'the campaign runs longer' });
    if (ext.kind !== 'requested') throw new Error(`expected an extension request, got ${ext.kind}`);
    await decideRequest(t.deps, ext.request.id, USERS.owner1, { kind: 'approve' });
    const extended = (await findGrant(t.deps.db, grant.id))!;
    expect(extended.endsAt.getTime()).toBeGreaterThan(grant.endsAt.getTime());
    expect(await t.queues.expiry.getJob(jobIds.expireAt(extended.endsAt.getTime(), expiryShard(grant.id)))).toBeTruthy();

    await start();
    t.clock.advance(HOUR);
    await promoteAll();
    await waitUntil(async () => (await t.queues.expiry.getJob(jobIds.expireAt(grant.endsAt.getTime(), expiryShard(grant.id)))) === undefined, 'the old end\'s wake-up done');
    expect(await status(grant.id)).toBe('active');

    t.clock.advance(extended.endsAt.getTime() - t.clock.now().getTime());
    await promoteAll();
    await waitUntil(async () => (await status(grant.id)) === 'expired', 'the grant ended at its new end');
  });

  it('a grant another transaction holds when its instant comes is ended once that transaction is done', async () => {
    const grant = await activeGrant(USERS.marketer, '1h');
    const other = postgres(t.database.url!, { max: 1, onnotice: () => {} });
    try {
      // e.g. an extension of it being decided, or a review being started over it
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let holds = false;
      const holding = other.begin(async (sql) => {
        await sql`select id from grants where id = ${grant.id} for update`;
        holds = true;
        await released;
      });
      await waitUntil(async () => holds, 'the row held');
      await start();
      t.clock.advance(HOUR);
      await promoteAll();
      const id = jobIds.expireAt(grant.endsAt.getTime(), expiryShard(grant.id));
      // the pass skipped the held row; the wake-up waits to look again
      await waitUntil(async () => ((await t.queues.expiry.getJob(id))?.data as { rechecks?: number } | undefined)?.rechecks, 'a recheck');
      expect(await status(grant.id)).toBe('active');
      release();
      await holding;
      await waitUntil(async () => (await status(grant.id)) === 'expired', 'the grant ended after the hold', 10_000);
      expect(await actions(grant.id)).toEqual(['grant.created', 'grant.activated', 'grant.revoke_started', 'grant.expired']);
    } finally {
      await other.end();
    }
  });

  it("an earlier release's job for one grant still ends it", async () => {
    const grant = await activeGrant(USERS.marketer2);
    await t.queues.expiry.obliterate({ force: true });
    await start();
    t.clock.advance(HOUR);
    await t.queues.expiry.add('expire', { grantId: grant.id }, { jobId: jobIds.expireGrant(grant.id) });
    await waitUntil(async () => (await status(grant.id)) === 'expired', 'the grant ended');
    expect(await actions(grant.id)).toEqual(['grant.created', 'grant.activated', 'grant.revoke_started', 'grant.expired']);
  });
});
