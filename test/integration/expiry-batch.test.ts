import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { listAuditFor } from '../../src/modules/audit/audit.repository.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.usecases.js';
import { expireDueGrants } from '../../src/modules/grants/expiry.usecases.js';
import { findGrant } from '../../src/modules/grants/grants.repository.js';
import { expireGrant } from '../../src/modules/grants/grants.usecases.js';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import type { ProvisionTarget, RevokeResult } from '../../src/provisioners/provisioner.js';
import { singleConnector } from '../../src/provisioners/registry.js';
import { grants, outbox } from '../../src/shared/db/schema.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, RecordingProvisioner, type TestDeps } from '../helpers/deps.js';

/** A connector that revokes in batches (as the record and postgres connectors do); `holdOn` says which grants stay held. */
class BatchingProvisioner extends RecordingProvisioner {
  readonly batches: string[][] = [];
  holdOn = new Set<string>();
  async revokeMany(targets: ProvisionTarget[]): Promise<RevokeResult[]> {
    this.batches.push(targets.map((t) => t.grantId));
    return targets.map((t) => (this.holdOn.has(t.grantId) ? { grantId: t.grantId, error: 'still held' } : { grantId: t.grantId }));
  }
}

let t: TestDeps;
let connector: BatchingProvisioner;
beforeEach(async () => {
  t = await createTestDeps();
  connector = new BatchingProvisioner();
  t.deps.connectors = singleConnector(t.deps.catalog, connector);
});
afterEach(async () => {
  await t?.close();
});

const HOUR = 3600_000;

async function activeGrants(count: number, duration = '1h', users = 'U0BATCH') {
  const out = [];
  for (let i = 0; i < count; i++) {
    const request = await createRequest(t.deps, { requesterId: `${users}${i}`, datasetId: 'campaign-metrics', duration, reason: 'batch', via: 'command' });
    await decideRequest(t.deps, request.id, USERS.owner1, { kind: 'approve' });
    const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, request.id));
    expect(await provisionGrant(t.deps, grant!.id, { finalAttempt: false })).toBe('done');
    out.push((await findGrant(t.deps.db, grant!.id))!);
  }
  return out;
}

const actions = async (grantId: string) => (await listAuditFor(t.deps.db, 'grant', grantId)).map((e) => e.action);

describe('grants due together end in one pass', () => {
  it('claims them in batches, revokes each batch at once, audits and tells every holder once; the per-grant jobs then do nothing', async () => {
    const due = await activeGrants(12);
    const later = (await activeGrants(1, '3h', 'U0LATER'))[0]!;
    t.clock.advance(HOUR);

    const pass = await expireDueGrants(t.deps, { batchSize: 5 });
    expect(pass).toEqual({ started: 12, ended: 12, handedOff: 0 });
    // three claims of at most 5, each revoked in one call
    expect(connector.batches.map((b) => b.length)).toEqual([5, 5, 2]);
    expect(connector.batches.flat().sort()).toEqual(due.map((g) => g.id).sort());
    expect(connector.calls.filter((c) => c.op === 'revoke')).toHaveLength(0);

    for (const g of due) {
      expect((await findGrant(t.deps.db, g.id))!).toMatchObject({ status: 'expired', endReason: 'expired', endedAt: t.clock.now() });
      expect(await actions(g.id)).toEqual(['grant.created', 'grant.activated', 'grant.revoke_started', 'grant.expired']);
    }
    expect((await findGrant(t.deps.db, later.id))!.status).toBe('active');
    const told = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'grant_expired'));
    expect(told.map((r) => r.payload.grantId).sort()).toEqual(due.map((g) => g.id).sort());
    for (const r of told) expect(await t.queues.messages.getJob(`deliver-${r.id}`)).toBeTruthy();

    // each grant's own expiry job wakes after the pass: nothing more happens
    for (const g of due) expect(await expireGrant(t.deps, g.id)).toEqual({ kind: 'not_active' });
    expect(await expireDueGrants(t.deps)).toEqual({ started: 0, ended: 0, handedOff: 0 });
    for (const g of due) expect(await actions(g.id)).toHaveLength(4);
    expect(await t.database.db.select().from(outbox).where(eq(outbox.kind, 'grant_expired'))).toHaveLength(12);
    expect((await verifyAuditChain(t.deps.db)).ok).toBe(true);
  });

  it('passes running at once split the due grants: each ends exactly once', async () => {
    const due = await activeGrants(10);
    t.clock.advance(HOUR);
    const passes = await Promise.all([expireDueGrants(t.deps, { batchSize: 3 }), expireDueGrants(t.deps, { batchSize: 3 }), expireDueGrants(t.deps, { batchSize: 3 })]);
    expect(passes.reduce((n, p) => n + p.ended, 0)).toBe(10);
    expect(connector.batches.flat().sort()).toEqual(due.map((g) => g.id).sort());
    for (const g of due) expect(await actions(g.id)).toEqual(['grant.created', 'grant.activated', 'grant.revoke_started', 'grant.expired']);
    expect(await t.database.db.select().from(outbox).where(eq(outbox.kind, 'grant_expired'))).toHaveLength(10);
    expect((await verifyAuditChain(t.deps.db)).ok).toBe(true);
  });

  it('a grant the target still holds is not ended: it stays revoking with a revoke job of its own', async () => {
    const [held, gone] = await activeGrants(2);
    connector.holdOn.add(held!.id);
    t.clock.advance(HOUR);
    expect(await expireDueGrants(t.deps)).toEqual({ started: 2, ended: 1, handedOff: 1 });
    expect((await findGrant(t.deps.db, held!.id))!).toMatchObject({ status: 'revoking', endedAt: null });
    expect(await actions(held!.id)).toEqual(['grant.created', 'grant.activated', 'grant.revoke_started']);
    expect(await t.queues.provisioning.getJob(`revoke-grant-${held!.id}`)).toBeTruthy();
    expect((await findGrant(t.deps.db, gone!.id))!.status).toBe('expired');
    const told = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'grant_expired'));
    expect(told.map((r) => r.payload.grantId)).toEqual([gone!.id]);
  });

  it("tells the holders once access is removed: their messages are queued when the pass ends, also when it stops part-way", async () => {
    await activeGrants(8);
    t.clock.advance(HOUR);
    // "access ended" messages stored, and of those, how many have a delivery job
    const queued = async () => {
      const rows = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'grant_expired'));
      const jobs = await Promise.all(rows.map((r) => t.queues.messages.getJob(`deliver-${r.id}`)));
      return { stored: rows.length, queued: jobs.filter(Boolean).length };
    };
    // the first batch has ended when the connector is asked for the second: nothing queued yet
    let queuedMeanwhile = { stored: -1, queued: -1 };
    const revokeMany = connector.revokeMany.bind(connector);
    connector.revokeMany = async (targets) => {
      if (connector.batches.length === 1) queuedMeanwhile = await queued();
      return revokeMany(targets);
    };
    expect(await expireDueGrants(t.deps, { batchSize: 3 })).toEqual({ started: 8, ended: 8, handedOff: 0 });
    expect(queuedMeanwhile).toEqual({ stored: 3, queued: 0 });
    expect(await queued()).toEqual({ stored: 8, queued: 8 });

    // a pass that fails after a batch has ended still queues that batch's messages
    await activeGrants(5, '1h', 'U0STOP');
    t.clock.advance(HOUR);
    const clock = t.deps.clock;
    let calls = 0;
    // the pass stops before its second claim (now() is read at each claim and each batch's end)
    t.deps.clock = {
      now: () => {
        if (++calls === 3) throw new Error('stopped part-way');
        return clock.now();
      },
    };
    await expect(expireDueGrants(t.deps, { batchSize: 3 })).rejects.toThrow('stopped part-way');
    t.deps.clock = clock;
    expect(await t.database.db.select().from(grants).where(eq(grants.status, 'active'))).toHaveLength(2);
    const ended = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'grant_expired'));
    expect(ended).toHaveLength(11);
    for (const r of ended) expect(await t.queues.messages.getJob(`deliver-${r.id}`)).toBeTruthy();
  });

  it('a connector that revokes one at a time gets a revoke job per grant, as before', async () => {
    const plain = new RecordingProvisioner();
    t.deps.connectors = singleConnector(t.deps.catalog, plain);
    const due = await activeGrants(3);
    t.clock.advance(HOUR);
    expect(await expireDueGrants(t.deps)).toEqual({ started: 3, ended: 0, handedOff: 3 });
    for (const g of due) {
      expect((await findGrant(t.deps.db, g.id))!.status).toBe('revoking');
      expect(await t.queues.provisioning.getJob(`revoke-grant-${g.id}`)).toBeTruthy();
    }
  });
});
