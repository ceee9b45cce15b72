import { and, count, eq, gte, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { sensitiveDataNudges } from './nudges.table.js';

export type NudgeRow = typeof sensitiveDataNudges.$inferSelect;

/** Undefined when this message was already seen (Slack retries events). */
export async function insertNudge(db: DbOrTx, row: typeof sensitiveDataNudges.$inferInsert): Promise<NudgeRow | undefined> {
  const [created] = await db.insert(sensitiveDataNudges).values(row).onConflictDoNothing().returning();
  return created;
}

export async function countNudgedSince(db: DbOrTx, userId: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(sensitiveDataNudges)
    .where(and(eq(sensitiveDataNudges.userId, userId), eq(sensitiveDataNudges.nudged, true), gte(sensitiveDataNudges.at, since)));
  return row?.n ?? 0;
}

export async function findNudge(db: DbOrTx, id: number): Promise<NudgeRow | undefined> {
  const [row] = await db.select().from(sensitiveDataNudges).where(eq(sensitiveDataNudges.id, id));
  return row;
}

export async function markFixed(db: DbOrTx, id: number, userId: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(sensitiveDataNudges)
    .set({ fixedAt: at })
    .where(and(eq(sensitiveDataNudges.id, id), eq(sensitiveDataNudges.userId, userId), isNull(sensitiveDataNudges.fixedAt)))
    .returning({ id: sensitiveDataNudges.id });
  return rows.length === 1;
}

/** Serialises nudges per person, so two messages at once cannot both slip under the rate limit. */
export async function lockPerson(db: DbOrTx, userId: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`nudge:${userId}`}))`);
}
