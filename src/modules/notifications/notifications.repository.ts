import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import { executePrepared, type DbOrTx } from '../../shared/db/client.js';
import { outbox } from './notifications.table.js';
import { readMessage, type OutboxMessage } from './messages/messages.js';

export type OutboxRow = typeof outbox.$inferSelect;

const OUTBOX_BATCH = 1_000;

/**
 * Stores messages to deliver once the transaction commits. Each payload is checked against its
 * kind (the compiler checks it too); a wrong one throws InvalidMessageError and nothing is stored.
 */
export async function addToOutbox(db: DbOrTx, now: Date, messages: OutboxMessage[]): Promise<number[]> {
  return (await addGroupsToOutbox(db, [{ at: now, messages }]))[0]!;
}

/**
 * The same for several groups of messages, each made at its own time (requests stored together),
 * in as few statements as their number allows. Returns each group's ids.
 */
export async function addGroupsToOutbox(db: DbOrTx, groups: Array<{ at: Date; messages: OutboxMessage[] }>): Promise<number[][]> {
  const values = groups.flatMap((g) => g.messages.map((m) => ({ kind: m.kind, payload: readMessage(m.kind, m.payload).payload as Record<string, unknown>, createdAt: g.at })));
  // bounded statements, whatever the number of messages (a review's digests grow with the company),
  // of constant text (the rows as one JSON parameter), prepared once per connection: an unprepared
  // statement with a parameter costs a round trip of its own before it runs (see executePrepared),
  // and holds up the statements sent after it in the same round trip. All are issued at once: on a
  // transaction's connection they go out together and run in order.
  const chunks: Array<Promise<Array<{ id: number }>>> = [];
  for (let i = 0; i < values.length; i += OUTBOX_BATCH) {
    const json = JSON.stringify(values.slice(i, i + OUTBOX_BATCH).map((v) => ({ kind: v.kind, payload: v.payload, created_at: v.createdAt.toISOString() })));
    // the table's columns in their order; INSERT … SELECT cannot say DEFAULT, so the id is the
    // serial column's own default, and each new message is pending, never tried
    const insert = db
      .insert(outbox)
      .select(
        sql`select nextval('outbox_id_seq'), r.kind, r.payload, 'pending', 0, null::text, r.created_at, null::timestamptz
          from rows from (jsonb_to_recordset(${json}::jsonb) as (kind text, payload jsonb, created_at timestamptz)) with ordinality as r(kind, payload, created_at, n)
          order by r.n`,
      )
      .returning({ id: outbox.id });
    chunks.push(executePrepared(insert, 'outbox.add'));
  }
  const ids = (await Promise.all(chunks)).flatMap((rows) => rows.map((r) => Number(r.id)));
  // RETURNING gives the rows in the order of VALUES
  let next = 0;
  return groups.map((g) => ids.slice(next, (next += g.messages.length)));
}

export async function findOutbox(db: DbOrTx, id: number): Promise<OutboxRow | undefined> {
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
  return row;
}

export async function markOutboxSent(db: DbOrTx, id: number, now: Date): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'sent', sentAt: now, attempts: sql`${outbox.attempts} + 1`, lastError: null })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')));
}

export async function recordOutboxFailure(db: DbOrTx, id: number, error: string, permanent: boolean): Promise<void> {
  await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 200), ...(permanent ? { status: 'failed' as const } : {}) })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')));
}

/** Undelivered messages made at or before `createdBefore`, in id order after `afterId` (keyset pages). */
export async function listPendingOutbox(db: DbOrTx, createdBefore: Date, limit: number, afterId = 0): Promise<number[]> {
  const rows = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.createdAt, createdBefore), gt(outbox.id, afterId)))
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows.map((r) => r.id);
}
