import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { scheduledJobFailures } from './operations.table.js';

/** Records a failed run; true only for the first failure of that job on that day (whoever records it first). */
export async function recordJobFailure(db: DbOrTx, job: string, day: string, errorCode: string, at: Date): Promise<boolean> {
  const inserted = await db
    .insert(scheduledJobFailures)
    .values({ job, day, errorCode, firstFailedAt: at, lastFailedAt: at })
    .onConflictDoNothing()
    .returning({ job: scheduledJobFailures.job });
  if (inserted.length) return true;
  await db
    .update(scheduledJobFailures)
    .set({ failures: sql`${scheduledJobFailures.failures} + 1`, lastFailedAt: at })
    .where(and(eq(scheduledJobFailures.job, job), eq(scheduledJobFailures.day, day)));
  return false;
}
