import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { expireGrant, reconcile } from '../../src/modules/grants/grants.usecases.js';
import { deliverMessage } from '../../src/modules/notifications/notifications.usecases.js';
import { createRequest, decideRequest } from '../../src/modules/requests/requests.usecases.js';
import { grants, outbox } from '../../src/shared/db/schema.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps();
});
afterAll(async () => {
  await t?.close();
});

const HOUR = 3600_000;

async function approved(userId: string, duration: string) {
  const request = await createRequest(t.deps, { requesterId: userId, datasetId: 'campaign-metrics', duration, reason: 'x', via: 'command' });
  const result = await decideRequest(t.deps, request.id, USERS.owner1, { kind: 'approve' });
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, result.request.id));
  return grant!;
}

describe('expiry and the reconciler (with a hand-moved clock)', () => {
  it('schedules a delayed expiry job with a deterministic id and the right delay', async () => {
    const grant = await approved(USERS.marketer, '2h');
    const job = await t.queues.expiry.getJob(`expire-grant-${grant.id}`);
    expect(job?.opts.delay).toBe(2 * HOUR);
    expect(t.provisioner.calls.filter((c) => c.op === 'grant' && c.target.grantId === grant.id)).toHaveLength(1);
  });

  it('does not expire a grant before its end, and expires it exactly once after', async () => {
    const grant = await approved(USERS.marketer2, '1h');
    expect(await expireGrant(t.deps, grant.id)).toEqual({ kind: 'not_due', endsAt: grant.endsAt });
    t.clock.advance(HOUR);
    const outcomes = await Promise.all([expireGrant(t.deps, grant.id), expireGrant(t.deps, grant.id), expireGrant(t.deps, grant.id)]);
    expect(outcomes.filter((o) => o.kind === 'expired')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'not_active')).toHaveLength(2);
    expect(t.provisioner.calls.filter((c) => c.op === 'revoke' && c.target.grantId === grant.id)).toHaveLength(1);
  });

  it('the reconciler ends overdue grants and re-creates lost expiry jobs', async () => {
    const longGrant = await approved(USERS.owner2, '3d');
    await t.queues.expiry.obliterate({ force: true });
    expect(await t.queues.expiry.getJob(`expire-grant-${longGrant.id}`)).toBeUndefined();

    t.clock.advance(2 * HOUR); // the 2h grant from the first test is now overdue
    const report = await reconcile(t.deps);
    expect(report.expired).toBe(1);
    const job = await t.queues.expiry.getJob(`expire-grant-${longGrant.id}`);
    expect(job).toBeTruthy();
    expect(job!.opts.delay).toBe(longGrant.endsAt.getTime() - t.clock.now().getTime());

    const active = await t.database.db.select().from(grants).where(eq(grants.status, 'active'));
    expect(active.map((g) => g.id)).toEqual([longGrant.id]);

    // running it again changes nothing
    expect((await reconcile(t.deps)).expired).toBe(0);
  });

  it('re-enqueues messages whose jobs were lost, and each is delivered once', async () => {
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
    expect(kinds.filter((k) => k === 'expired')).toHaveLength(2);
    expect((await t.database.db.select().from(outbox).where(eq(outbox.status, 'pending'))).length).toBe(0);
  });
});
