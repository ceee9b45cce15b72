import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { outbox } from './notifications.table.js';

export type OutboxRow = typeof outbox.$inferSelect;

export async function addToOutbox(
  db: DbOrTx,
  now: Date,
  messages: Array<{ kind: string; payload: Record<string, string> }>,
): Promise<number[]> {
  if (messages.length === 0) return [];
  const rows = await db
    .insert(outbox)
    .values(messages.map((m) => ({ ...m, createdAt: now })))
    .returning({ id: outbox.id });
  return rows.map((r) => r.id);
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

export async function listPendingOutbox(db: DbOrTx, createdBefore: Date, limit: number): Promise<number[]> {
  const rows = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.createdAt, createdBefore)))
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows.map((r) => r.id);
}
