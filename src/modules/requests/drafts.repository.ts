import { and, eq, gt, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { requestDrafts } from './drafts.table.js';

export type RequestDraft = typeof requestDrafts.$inferSelect;

export async function insertDraft(db: DbOrTx, draft: RequestDraft): Promise<void> {
  await db.insert(requestDrafts).values(draft);
}

/** The person's own draft, if it has not expired at `now`. */
export async function findDraft(db: DbOrTx, id: string, userId: string, now: Date): Promise<RequestDraft | undefined> {
  const [row] = await db
    .select()
    .from(requestDrafts)
    .where(and(eq(requestDrafts.id, id), eq(requestDrafts.userId, userId), gt(requestDrafts.expiresAt, now)))
    .limit(1);
  return row;
}

export async function deleteDraft(db: DbOrTx, id: string): Promise<void> {
  await db.delete(requestDrafts).where(eq(requestDrafts.id, id));
}

/** Removes drafts nobody finished; returns how many. */
export async function deleteExpiredDrafts(db: DbOrTx, now: Date): Promise<number> {
  const rows = await db.delete(requestDrafts).where(lte(requestDrafts.expiresAt, now)).returning({ id: requestDrafts.id });
  return rows.length;
}
