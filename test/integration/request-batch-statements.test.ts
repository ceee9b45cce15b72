import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import { appendAudit } from '../../src/modules/audit/audit.repository.js';
import { outboxMessage } from '../../src/modules/notifications/messages/messages.js';
import { addGroupsToOutbox } from '../../src/modules/notifications/notifications.repository.js';
import { openDatabase, resultRows, type Database } from '../../src/shared/db/client.js';
import { findHeldGrantsFor } from '../../src/modules/grants/grants.repository.js';
import { deleteNewRequests, insertApprovers, insertNewRequests, type NewAccessRequest } from '../../src/modules/requests/requests.repository.js';
import { accessRequests, grants, outbox, requestApprovers } from '../../src/shared/db/schema.js';
import { createTestDatabase } from '../helpers/db.js';

// The statements that store a batch of new requests take their rows as one JSON parameter: what
// they write and return must be what the query builder wrote and returned, on both databases.
describe.each([
  ['a Postgres server', () => createTestDatabase()],
  ['PGlite', async () => {
    const database = await openDatabase({ memory: true });
    await database.migrate();
    return { ...database, destroy: () => database.close() };
  }],
] as const)('the statements of a request batch, on %s', (_name, open) => {
  let database: Database & { destroy(): Promise<void> };
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  const at = new Date('2026-03-02T09:15:30.123Z');
  const row = (requesterId: string, datasetId: string, extra: Partial<NewAccessRequest> = {}) => ({ id: randomUUID(), requesterId, datasetId, durationMinutes: 1440, createdAt: at, ...extra });

  it('returns each inserted row exactly as reading it back gives it, every column with its type', async () => {
    const { db } = database;
    const rows = [
      row('U0SQL1', 'campaign-metrics', { reason: 'quarterly report', approvalsRequired: 2 }),
      row('U0SQL2', 'campaign-metrics'),
      row('U0SQL1', 'web-analytics', {
        kind: 'extension',
        grantId: randomUUID(),
        reason: 'one more week',
        decidedBy: 'U0OWNER',
        decidedAt: new Date('2026-03-02T10:00:00.456Z'),
        denyReason: 'not now',
        escalatedAt: new Date('2026-03-02T11:00:00.789Z'),
      }),
    ];
    const inserted = await insertNewRequests(db, rows);
    const readBack = await db.select().from(accessRequests).where(inArray(accessRequests.id, rows.map((r) => r.id)));
    expect(sortById(inserted)).toEqual(sortById(readBack));
    // the shape the query builder gives for a row it inserted itself: the same keys, the same types
    const [control] = await db.insert(accessRequests).values(row('U0SQLCONTROL', 'campaign-metrics')).returning();
    for (const r of inserted) {
      expect(Object.keys(r).sort()).toEqual(Object.keys(control!).sort());
      expect(r.createdAt).toBeInstanceOf(Date);
      expect(typeof r.durationMinutes).toBe('number');
      expect(typeof r.approvalsRequired).toBe('number');
    }
    const byRequester = new Map(inserted.map((r) => [`${r.requesterId}/${r.datasetId}`, r]));
    expect(byRequester.get('U0SQL1/campaign-metrics')).toEqual({
      id: rows[0]!.id,
      kind: 'access',
      grantId: null,
      datasetId: 'campaign-metrics',
      requesterId: 'U0SQL1',
      durationMinutes: 1440,
      reason: 'quarterly report',
      status: 'pending',
      createdAt: at,
      decidedBy: null,
      decidedAt: null,
      denyReason: null,
      approvalsRequired: 2,
      escalatedAt: null,
    });
    expect(byRequester.get('U0SQL2/campaign-metrics')).toMatchObject({ kind: 'access', reason: null, status: 'pending', approvalsRequired: 1 });
    expect(byRequester.get('U0SQL1/web-analytics')).toEqual({ ...rows[2], status: 'pending', approvalsRequired: 1 });
  });

  it('skips a request conflicting with a pending one, and the later of two for the same person and dataset', async () => {
    const { db } = database;
    const [pending] = await insertNewRequests(db, [row('U0SQLPEND', 'campaign-metrics')]);
    const batch = [row('U0SQLPEND', 'campaign-metrics'), row('U0SQLTWICE', 'campaign-metrics'), row('U0SQLTWICE', 'campaign-metrics'), row('U0SQLOK', 'campaign-metrics')];
    const inserted = await insertNewRequests(db, batch);
    expect(inserted.map((r) => r.id).sort()).toEqual([batch[1]!.id, batch[3]!.id].sort());
    const stored = await db.select().from(accessRequests).where(inArray(accessRequests.requesterId, ['U0SQLPEND', 'U0SQLTWICE', 'U0SQLOK']));
    expect(stored.map((r) => r.id).sort()).toEqual([pending!.id, batch[1]!.id, batch[3]!.id].sort());
  });

  it('deletes only the pending requests named, and stores approvers with nothing sent, reminded nor escalated yet', async () => {
    const { db } = database;
    const [a, b, c] = await insertNewRequests(db, [row('U0SQLDEL1', 'campaign-metrics'), row('U0SQLDEL2', 'campaign-metrics'), row('U0SQLDEL3', 'campaign-metrics', { status: 'denied' })]);
    await insertApprovers(db, [
      { requestId: b!.id, approverId: 'U0OWN1' },
      { requestId: b!.id, approverId: 'U0OWN2' },
    ]);
    await deleteNewRequests(db, [a!.id, c!.id]);
    const left = await db.select().from(accessRequests).where(inArray(accessRequests.id, [a!.id, b!.id, c!.id]));
    // c is not pending: not a request the batch inserted and refused, so it stays
    expect(left.map((r) => r.id).sort()).toEqual([b!.id, c!.id].sort());
    const approvers = await db.select().from(requestApprovers).where(inArray(requestApprovers.requestId, [b!.id]));
    expect(approvers.sort((x, y) => x.approverId.localeCompare(y.approverId))).toEqual([
      { requestId: b!.id, approverId: 'U0OWN1', channelId: null, messageTs: null, timeZone: null, askedAt: null, remindedAt: null, escalation: false },
      { requestId: b!.id, approverId: 'U0OWN2', channelId: null, messageTs: null, timeZone: null, askedAt: null, remindedAt: null, escalation: false },
    ]);
  });

  it('finds the held grants of exactly the pairs asked for, each once', async () => {
    const { db } = database;
    const grant = async (userId: string, datasetId: string, status: 'provisioning' | 'active' | 'revoking' | 'expired') => {
      const [request] = await insertNewRequests(db, [row(userId, datasetId, { status: 'approved' })]);
      const [g] = await db
        .insert(grants)
        .values({ id: randomUUID(), requestId: request!.id, userId, datasetId, status, durationMinutes: 60, startsAt: at, endsAt: new Date(at.getTime() + 3_600_000) })
        .returning();
      return g!;
    };
    const active = await grant('U0SQLG1', 'campaign-metrics', 'active');
    const revoking = await grant('U0SQLG2', 'web-analytics', 'revoking');
    await grant('U0SQLG1', 'web-analytics', 'provisioning'); // a pair nobody asks about
    await grant('U0SQLG2', 'campaign-metrics', 'expired'); // no longer held
    const found = await findHeldGrantsFor(db, [
      { userId: 'U0SQLG1', datasetId: 'campaign-metrics' },
      { userId: 'U0SQLG2', datasetId: 'campaign-metrics' },
      { userId: 'U0SQLG2', datasetId: 'web-analytics' },
      { userId: 'U0SQLG1', datasetId: 'campaign-metrics' },
      { userId: 'U0SQLNONE', datasetId: 'web-analytics' },
    ]);
    expect(sortById(found)).toEqual(sortById([active, revoking]));
    expect(await findHeldGrantsFor(db, [])).toEqual([]);
  });

  if (_name === 'a Postgres server') {
    it('sends each statement with the same text whatever the batch size, prepared once per connection', async () => {
      const { db } = database;
      const statements = await db.transaction(async (tx) => {
        // one connection for the transaction: its prepared statements are the ones listed
        for (const size of [1, 3, 7]) {
          const rows = Array.from({ length: size }, (_, i) => row(`U0SQLSIZE${size}_${i}`, 'campaign-metrics'));
          const inserted = await insertNewRequests(tx, rows);
          await findHeldGrantsFor(tx, rows.map((r) => ({ userId: r.requesterId, datasetId: r.datasetId })));
          await insertApprovers(tx, inserted.map((r) => ({ requestId: r.id, approverId: 'U0OWN1' })));
          await deleteNewRequests(tx, []);
          // the audit chain's head, locked and moved by every audited transaction
          await appendAudit(tx, ...rows.map((r) => ({ at: new Date(), actorId: r.requesterId, action: 'request.created', subjectType: 'request' as const, subjectId: r.id })));
          // the outbox: ids back in the order of the messages, whatever their number
          const tips = rows.map((r, i) => outboxMessage('hygiene_tip', { userId: r.requesterId, tip: i }));
          const [ids] = await addGroupsToOutbox(tx, [{ at: new Date(), messages: tips }]);
          const stored = await tx.select().from(outbox).where(inArray(outbox.id, ids!));
          expect(ids!.map((id) => stored.find((m) => m.id === id)!.payload)).toEqual(tips.map((m) => m.payload));
        }
        return resultRows<{ statement: string }>(await tx.execute(sql`select statement from pg_prepared_statements`)).map((r) => r.statement);
      });
      const mentioning = (text: string) => statements.filter((s) => s.includes(text));
      expect(mentioning('insert into "access_requests"')).toHaveLength(1);
      expect(mentioning('insert into "request_approvers"')).toHaveLength(1);
      expect(mentioning('from "grants"')).toHaveLength(1);
      expect(mentioning('from "audit_chain_head"')).toHaveLength(1);
      expect(mentioning('update "audit_chain_head"')).toHaveLength(1);
    });
  }
});

function sortById<T extends { id: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.id.localeCompare(b.id));
}
