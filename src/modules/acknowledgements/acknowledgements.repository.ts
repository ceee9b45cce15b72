import { and, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { policyAcknowledgements } from './acknowledgements.table.js';

/** When the person last accepted this version of the data-handling policy, if ever. */
export async function lastAcknowledged(db: DbOrTx, userId: string, version: string): Promise<Date | undefined> {
  const [latest] = await db
    .select()
    .from(policyAcknowledgements)
    .where(and(eq(policyAcknowledgements.userId, userId), eq(policyAcknowledgements.version, version)))
    .orderBy(desc(policyAcknowledgements.acknowledgedAt))
    .limit(1);
  return latest?.acknowledgedAt;
}

/** Records (or renews) the person's acceptance of a version. */
export async function saveAcknowledgement(db: DbOrTx, userId: string, version: string, at: Date): Promise<void> {
  await db
    .insert(policyAcknowledgements)
    .values({ userId, version, acknowledgedAt: at })
    .onConflictDoUpdate({ target: [policyAcknowledgements.userId, policyAcknowledgements.version], set: { acknowledgedAt: at } });
}
