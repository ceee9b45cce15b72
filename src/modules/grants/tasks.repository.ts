import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { provisioningTasks, type TaskStep } from './grants.table.js';

/** The owners' to-dos of manual datasets: give or take away access by hand, one row per person asked. */
export type ProvisioningTask = typeof provisioningTasks.$inferSelect;

export async function insertTasks(db: DbOrTx, grantId: string, step: TaskStep, assigneeIds: string[]): Promise<void> {
  await insertTasksForGrants(db, step, [{ grantId, assigneeIds }]);
}

/** The same for many grants (a batch ending on manual datasets), in statements of a thousand tasks at most; a task already there is kept. */
export async function insertTasksForGrants(db: DbOrTx, step: TaskStep, tasks: Array<{ grantId: string; assigneeIds: string[] }>): Promise<void> {
  const rows = tasks.flatMap((t) => t.assigneeIds.map((assigneeId) => ({ grantId: t.grantId, step, assigneeId })));
  for (let i = 0; i < rows.length; i += 1_000) await db.insert(provisioningTasks).values(rows.slice(i, i + 1_000)).onConflictDoNothing();
}

export async function findTask(db: DbOrTx, grantId: string, step: TaskStep, assigneeId: string): Promise<ProvisioningTask | undefined> {
  const [row] = await db
    .select()
    .from(provisioningTasks)
    .where(and(eq(provisioningTasks.grantId, grantId), eq(provisioningTasks.step, step), eq(provisioningTasks.assigneeId, assigneeId)));
  return row;
}

export async function saveTaskMessage(db: DbOrTx, grantId: string, step: TaskStep, assigneeId: string, channelId: string, messageTs: string) {
  await db
    .update(provisioningTasks)
    .set({ channelId, messageTs })
    .where(and(eq(provisioningTasks.grantId, grantId), eq(provisioningTasks.step, step), eq(provisioningTasks.assigneeId, assigneeId)));
}

export async function listTasks(db: DbOrTx, grantId: string, step: TaskStep): Promise<ProvisioningTask[]> {
  return db
    .select()
    .from(provisioningTasks)
    .where(and(eq(provisioningTasks.grantId, grantId), eq(provisioningTasks.step, step)));
}
