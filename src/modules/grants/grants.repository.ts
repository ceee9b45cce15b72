import { and, asc, eq, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { grants } from './grants.table.js';

export type Grant = typeof grants.$inferSelect;
export type NewGrant = typeof grants.$inferInsert;

export async function insertGrant(db: DbOrTx, row: NewGrant): Promise<Grant> {
  const [created] = await db.insert(grants).values(row).returning();
  return created!;
}

export async function findGrant(db: DbOrTx, id: string): Promise<Grant | undefined> {
  const [row] = await db.select().from(grants).where(eq(grants.id, id));
  return row;
}

export async function findGrantByRequest(db: DbOrTx, requestId: string): Promise<Grant | undefined> {
  const [row] = await db.select().from(grants).where(eq(grants.requestId, requestId));
  return row;
}

export async function findActiveGrant(db: DbOrTx, userId: string, datasetId: string): Promise<Grant | undefined> {
  const [row] = await db
    .select()
    .from(grants)
    .where(and(eq(grants.userId, userId), eq(grants.datasetId, datasetId), eq(grants.status, 'active')));
  return row;
}

export async function listActiveGrantsForUser(db: DbOrTx, userId: string): Promise<Grant[]> {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.userId, userId), eq(grants.status, 'active')))
    .orderBy(asc(grants.endsAt));
}

/** Marks a grant expired only if it is active and due: a second expiry of the same grant does nothing. */
export async function expireGrantRow(db: DbOrTx, id: string, now: Date): Promise<Grant | undefined> {
  const [row] = await db
    .update(grants)
    .set({ status: 'expired', endedAt: now })
    .where(and(eq(grants.id, id), eq(grants.status, 'active'), lte(grants.endsAt, now)))
    .returning();
  return row;
}

export async function listOverdueGrants(db: DbOrTx, now: Date, limit: number): Promise<Grant[]> {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.status, 'active'), lte(grants.endsAt, now)))
    .orderBy(asc(grants.endsAt))
    .limit(limit);
}

/** Active grants in pages (by id), for the reconciler to re-create their expiry jobs. */
export async function listActiveGrantSchedule(db: DbOrTx): Promise<Array<{ id: string; endsAt: Date }>> {
  return db
    .select({ id: grants.id, endsAt: grants.endsAt })
    .from(grants)
    .where(eq(grants.status, 'active'))
    .orderBy(asc(grants.endsAt));
}
