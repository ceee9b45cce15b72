import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { appendAudit } from '../../src/modules/audit/audit.repository.js';
import { auditHistory, verifyAuditChain } from '../../src/modules/audit/audit.usecases.js';
import type { Deps } from '../../src/modules/deps.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { openDatabase, type Database } from '../../src/shared/db/client.js';
import { auditEvents } from '../../src/shared/db/schema.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDatabase } from '../helpers/db.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
let replica: Database;

beforeAll(async () => {
  t = await createTestDeps();
  if (!t.database.url) throw new Error('these tests need a Postgres server (TEST_DATABASE_URL, or the one the test setup starts)');
  replica = await openDatabase({ url: t.database.url });
});
afterAll(async () => {
  await replica?.close();
  await t?.close();
});

const rows = async (db: Deps['db'], query: ReturnType<typeof sql>) => {
  const r: any = await db.execute(query);
  return (Array.isArray(r) ? r : r.rows) as Array<Record<string, any>>;
};

/** Some history of its own for a test: `n` requests, each with its audit event. */
async function someHistory(n: number, prefix: string) {
  for (let i = 0; i < n; i++) await createRequest(t.deps, { requesterId: `${prefix}${i}`, datasetId: 'campaign-metrics', duration: '1d', reason: 'history', via: 'command' });
}

describe('the audit chain', () => {
  it('stays one linear chain when two bot replicas change state in parallel', async () => {
    const second: Deps = { ...t.deps, db: replica.db };
    const requests = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        createRequest(i % 2 ? second : t.deps, { requesterId: `U0PAR${i}`, datasetId: 'campaign-metrics', duration: '1d', reason: 'parallel', via: 'command' }),
      ),
    );
    await Promise.all(requests.map((r, i) => decideRequest(i % 2 ? t.deps : second, r.id, USERS.owner1, { kind: 'approve' })));
    const result = await verifyAuditChain(t.deps.db, { batchSize: 7 });
    expect(result.problem).toBeUndefined();
    const [count] = await rows(t.deps.db, sql`select count(*)::int as n, max(seq)::int as max, count(distinct prev_hash)::int as links from audit_events`);
    expect(count).toEqual({ n: result.checked, max: result.checked, links: result.checked });
    expect(result.checked).toBeGreaterThanOrEqual(24 * 4);
  });

  it('verifies while the bot keeps appending: one snapshot, no false alarm', async () => {
    await someHistory(12, 'U0WALK'); // more than two batches of 5 to walk
    const second: Deps = { ...t.deps, db: replica.db };
    let appended = 0;
    const result = await verifyAuditChain(t.deps.db, {
      batchSize: 5,
      // another replica changes state in the middle of the walk
      onProgress: async () => {
        if (appended++ < 2) await createRequest(second, { requesterId: `U0LIVE${appended}`, datasetId: 'campaign-metrics', duration: '1d', reason: 'while verifying', via: 'command' });
      },
    });
    expect(appended).toBeGreaterThan(2);
    expect(result.problem).toBeUndefined();
    expect((await verifyAuditChain(t.deps.db)).checked).toBe(result.checked + 2);
  });

  it('cannot fork: a second event after the same one is refused by the database', async () => {
    await someHistory(2, 'U0FORK');
    const [last] = await rows(t.deps.db, sql`select seq::int, hash from audit_events order by seq desc limit 1`);
    const fork = (seq: number) =>
      t.deps.db.insert(auditEvents).values({ at: new Date(), actorId: 'U0X', action: 'x', subjectType: 'person', subjectId: 'U0X', details: {}, seq, prevHash: last!.hash, hash: 'f'.repeat(64) });
    await expect(fork(last!.seq)).rejects.toThrow(); // the same position
    const [prev] = await rows(t.deps.db, sql`select prev_hash from audit_events where seq = ${last!.seq}`);
    await expect(
      t.deps.db.insert(auditEvents).values({ at: new Date(), actorId: 'U0X', action: 'x', subjectType: 'person', subjectId: 'U0X', details: {}, seq: last!.seq + 100, prevHash: prev!.prev_hash, hash: 'e'.repeat(64) }),
    ).rejects.toThrow(); // a second successor of the same event
    expect((await verifyAuditChain(t.deps.db)).ok).toBe(true);
  });

  it('chains the events written before the chain existed, in id order, before the next one', async () => {
    const database = await createTestDatabase();
    try {
      const db = database.db;
      // as before the upgrade: events without chain columns, and a head that has not chained them
      await db.transaction(async (tx) => {
        await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
        await tx.execute(sql`update audit_chain_head set legacy_chained = false`);
        for (const action of ['request.created', 'request.approved', 'grant.created']) {
          await tx.execute(sql`insert into audit_events (at, actor_id, action, subject_type, subject_id, details) values (now(), 'U0OLD', ${action}, 'request', 'r0', '{"datasetId":"crm-contacts"}')`);
        }
        await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
      });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 0, unchainedLegacy: 3 });
      await appendAudit(db, { at: new Date('2026-03-02T09:00:00Z'), actorId: 'system', action: 'grant.activated', subjectType: 'grant', subjectId: 'g0' });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 4, unchainedLegacy: 0, head: { seq: 4 } });
      const chained = await rows(db, sql`select seq::int, action from audit_events order by id`);
      expect(chained).toEqual([
        { seq: 1, action: 'request.created' },
        { seq: 2, action: 'request.approved' },
        { seq: 3, action: 'grant.created' },
        { seq: 4, action: 'grant.activated' },
      ]);
      // once chained, even their chain columns are frozen
      const refused = await db.execute(sql`update audit_events set hash = null, seq = null, prev_hash = null where seq = 1`).catch((err: Error) => err);
      expect(String((refused as Error).cause ?? refused)).toMatch(/append-only: UPDATE refused/);
    } finally {
      await database.destroy();
    }
  });
});

describe('auditHistory (for /access audit)', () => {
  it('is for admins only', async () => {
    await expect(auditHistory(t.deps, { actorId: USERS.owner1, personId: USERS.marketer })).rejects.toMatchObject({ code: 'audit.admins_only' });
  });

  it("pages a person's and a dataset's history, newest first, and records each reading", async () => {
    const r = await createRequest(t.deps, { requesterId: 'U0HIST', datasetId: 'crm-contacts', duration: '1d', reason: 'history of a person', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'deny' });
    const first = await auditHistory(t.deps, { actorId: USERS.admin, personId: 'U0HIST' });
    expect(first.events.map((e) => e.action)).toEqual(['request.denied', 'request.created']);
    expect(first).toMatchObject({ page: 1, hasMore: false });

    // more than one page of history on campaign-metrics: six requests, each created and denied
    for (let i = 0; i < 6; i++) {
      const c = await createRequest(t.deps, { requesterId: `U0PAGE${i}`, datasetId: 'campaign-metrics', duration: '1d', reason: 'history of a dataset', via: 'command' });
      await decideRequest(t.deps, c.id, USERS.owner1, { kind: 'deny' });
    }
    const dataset = await auditHistory(t.deps, { actorId: USERS.admin, datasetId: 'campaign-metrics' });
    expect(dataset.events).toHaveLength(10);
    expect(dataset.hasMore).toBe(true);
    const ids = dataset.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(dataset.nextBefore).toBe(ids[9]);
    const page2 = await auditHistory(t.deps, { actorId: USERS.admin, datasetId: 'campaign-metrics', page: 2, before: dataset.nextBefore });
    expect(page2.events[0]!.id).toBeLessThan(ids[9]!);
    expect(page2.events.map((e) => e.action)).not.toContain('audit.viewed');

    const viewed = await rows(t.deps.db, sql`select actor_id, subject_type, subject_id, details from audit_events where action = 'audit.viewed' order by seq`);
    expect(viewed).toEqual([
      { actor_id: USERS.admin, subject_type: 'person', subject_id: 'U0HIST', details: { page: 1 } },
      { actor_id: USERS.admin, subject_type: 'dataset', subject_id: 'campaign-metrics', details: { page: 1 } },
      { actor_id: USERS.admin, subject_type: 'dataset', subject_id: 'campaign-metrics', details: { page: 2, before: ids[9] } },
    ]);
    expect((await verifyAuditChain(t.deps.db)).ok).toBe(true);
  });
});
