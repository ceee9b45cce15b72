import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { expireDueGrants } from '../../src/modules/grants/expiry.usecases.js';
import type { Dataset } from '../../src/catalog/catalog.js';
import { findGrant } from '../../src/modules/grants/grants.repository.js';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { requestExtension } from '../../src/modules/requests/extensions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { singleConnector } from '../../src/provisioners/registry.js';
import { AppError } from '../../src/shared/errors.js';
import { auditEvents, grants, outbox } from '../../src/shared/db/schema.js';
import { makeDataset, USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

// A request for more time on a grant is made by the same code as a request for new access: the
// same approvers, the same number of approvals, the same checks of the reason. These tests hold
// the two side by side, so the copies cannot drift apart again.

let t: TestDeps;
let seq = 0;

beforeAll(async () => {
  t = await createTestDeps();
});
afterAll(async () => {
  await t?.close();
});

/** A dataset of its own for each test: two owners, two approvals, a reason of at least 15 characters. */
function addDataset(overrides: Partial<Parameters<typeof makeDataset>[0]> = {}): Dataset {
  const dataset = makeDataset({
    id: `ext-${++seq}`,
    sensitivity: 'restricted',
    owners: [USERS.owner1, USERS.owner2],
    ...overrides,
    policy: { approvalsRequired: 2, reasonMinLength: 15, ...overrides.policy },
  });
  t.deps.catalog.datasets.push(dataset);
  t.deps.connectors = singleConnector(t.deps.catalog, t.provisioner);
  return dataset;
}

/** `userId` holds an active grant of the dataset, approved by both owners. */
async function holdGrant(userId: string, datasetId: string) {
  const r = await createRequest(t.deps, { requesterId: userId, datasetId, duration: '1d', reason: 'weekly campaign report', via: 'command' });
  await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' });
  await decideRequest(t.deps, r.id, USERS.owner2, { kind: 'approve' });
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
  expect(await provisionGrant(t.deps, grant!.id, { finalAttempt: false })).toBe('done');
  return (await findGrant(t.deps.db, grant!.id))!;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return (err as AppError).code;
}

describe('an extension request is made like a new request', () => {
  it('asks the same approvers for the same number of approvals, stores the reason the same way, and asks each approver once', async () => {
    const d = addDataset();
    const grant = await holdGrant(USERS.marketer, d.id);
    const fresh = await createRequest(t.deps, { requesterId: USERS.marketer2, datasetId: d.id, duration: '1d', reason: '  quarterly churn model  ', via: 'command' });
    const ext = await requestExtension(t.deps, { userId: USERS.marketer, datasetId: d.id, duration: '1d', reason: '  quarterly churn model  ' });
    expect(ext.kind).toBe('requested');
    if (ext.kind !== 'requested') return;
    expect(ext.request).toMatchObject({ kind: 'extension', status: 'pending', reason: 'quarterly churn model' });
    expect(fresh).toMatchObject({ kind: 'access', status: 'pending', reason: 'quarterly churn model' });
    expect(ext.request.approvalsRequired).toBe(fresh.approvalsRequired);
    expect([...ext.request.approverIds].sort()).toEqual([...fresh.approverIds].sort());

    for (const id of [fresh.id, ext.request.id]) {
      const asked = (await t.database.db.select().from(outbox).where(eq(outbox.kind, 'approval_request'))).filter((m) => m.payload.requestId === id);
      expect(asked.map((m) => m.payload.approverId).sort()).toEqual([...fresh.approverIds].sort());
      const [created] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, 'request.created')));
      expect(created?.details).toMatchObject({ datasetId: d.id, reason: 'quarterly churn model', approvalsRequired: 2 });
    }
    const [created] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, ext.request.id), eq(auditEvents.action, 'request.created')));
    expect(created?.details).toMatchObject({ kind: 'extension', grantId: grant.id });
  });

  it('refuses a reason that is too long with the same error as a new request', async () => {
    const d = addDataset();
    await holdGrant(USERS.marketer, d.id);
    const long = 'a'.repeat(1001);
    const fresh = await codeOf(createRequest(t.deps, { requesterId: USERS.marketer2, datasetId: d.id, duration: '1d', reason: long, via: 'command' }));
    const ext = await codeOf(requestExtension(t.deps, { userId: USERS.marketer, datasetId: d.id, duration: '1d', reason: long }));
    expect(fresh).toBe('requests.reason_too_long');
    expect(ext).toBe(fresh);
  });

  it('refuses a reason that is too short or missing with the same errors as a new request', async () => {
    const d = addDataset();
    await holdGrant(USERS.marketer, d.id);
    for (const reason of [undefined, 'because']) {
      const fresh = await codeOf(createRequest(t.deps, { requesterId: USERS.marketer2, datasetId: d.id, duration: '1d', reason, via: 'command' }));
      const ext = await codeOf(requestExtension(t.deps, { userId: USERS.marketer, datasetId: d.id, duration: '1d', reason }));
      expect(ext).toBe(fresh);
    }
  });

  it('never lowers the number of approvals: when too few people may approve, both are refused alike', async () => {
    const d = addDataset();
    await holdGrant(USERS.marketer, d.id);
    // the catalog now asks for more approvers than there are (two owners and one admin)
    const stricter = makeDataset({ ...d, policy: { ...d.policy, approvalsRequired: 4 } });
    t.deps.catalog.datasets[t.deps.catalog.datasets.indexOf(d)] = stricter;
    const reason = 'quarterly churn model';
    const fresh = await codeOf(createRequest(t.deps, { requesterId: USERS.marketer2, datasetId: d.id, duration: '1d', reason, via: 'command' }));
    const ext = await codeOf(requestExtension(t.deps, { userId: USERS.marketer, datasetId: d.id, duration: '1d', reason }));
    expect(fresh).toBe('requests.not_enough_approvers');
    expect(ext).toBe(fresh);
  });
});

describe('an extension approved while its grant falls due', () => {
  // Another transaction holds the audit chain's head, so both sides queue on it with the rows they
  // took before it; released, each must be able to finish (taken in different orders, Postgres
  // finds a deadlock after a second and aborts one of them).
  for (const first of ['approval', 'expiry'] as const) {
    it(`neither deadlocks when the ${first} starts first: both take the grant, the request and the audit head in one order`, async () => {
      const d = addDataset();
      const grant = await holdGrant(USERS.marketer, d.id);
      const ext = await requestExtension(t.deps, { userId: USERS.marketer, datasetId: d.id, duration: '1d', reason: 'the campaign runs a day longer' });
      if (ext.kind !== 'requested') throw new Error(`expected an extension request, got ${ext.kind}`);
      await decideRequest(t.deps, ext.request.id, USERS.owner1, { kind: 'approve' });
      // the grant falls due now
      await t.database.db.update(grants).set({ endsAt: new Date(t.deps.clock.now().getTime() - 60_000) }).where(eq(grants.id, grant.id));

      const other = postgres(t.database.url!, { max: 2, onnotice: () => {} });
      const waiting = async () => (await other<Array<{ n: number }>>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)[0]!.n;
      const until = async (check: () => Promise<boolean>) => {
        for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
      };
      try {
        let release!: () => void;
        const released = new Promise<void>((r) => (release = r));
        let holds = false;
        const holding = other.begin(async (sql) => {
          await sql`select seq from audit_chain_head where id = 1 for update`;
          holds = true;
          await released;
        });
        await until(async () => holds);
        const done = { approval: false, expiry: false };
        const start = {
          approval: () => decideRequest(t.deps, ext.request.id, USERS.owner2, { kind: 'approve' }).finally(() => (done.approval = true)),
          expiry: () => expireDueGrants(t.deps).finally(() => (done.expiry = true)),
        };
        const second = first === 'approval' ? 'expiry' : 'approval';
        const one = start[first]();
        await until(async () => (await waiting()) >= 1);
        const two = start[second]();
        await until(async () => done[second] || (await waiting()) >= 2);
        release();
        await holding;
        const results = { [first]: await one, [second]: await two } as { approval: Awaited<ReturnType<typeof decideRequest>>; expiry: Awaited<ReturnType<typeof expireDueGrants>> };

        const after = (await findGrant(t.deps.db, grant.id))!;
        if (first === 'approval') {
          // the grant is extended; the expiry pass skipped it while it was being extended
          expect(results.approval.outcome).toBe('approved');
          expect(results.expiry.started).toBe(0);
          expect(after.status).toBe('active');
          expect(after.endsAt.getTime()).toBeGreaterThan(t.deps.clock.now().getTime());
        } else {
          // the grant ended and took its pending extension with it; the approval found it closed
          expect(results.expiry.started).toBe(1);
          expect(results.approval.outcome).toBe('already_decided');
          expect(after.status).not.toBe('active');
          expect(results.approval.request.status).toBe('cancelled');
          // the trail reads cause before effect: the grant's revoke started, then its extension closed
          const [started] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, grant.id), eq(auditEvents.action, 'grant.revoke_started')));
          const [closed] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, ext.request.id), eq(auditEvents.action, 'request.closed')));
          expect(Number(started!.seq)).toBeLessThan(Number(closed!.seq));
        }
      } finally {
        await other.end();
      }
    });
  }
});
