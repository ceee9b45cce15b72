import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, ne, sql } from 'drizzle-orm';
import type { GrantTarget } from '../../provisioners/provisioner.js';
import { executePrepared, type DbOrTx, type Tx } from '../../shared/db/client.js';
import { grants, HELD_STATUSES, type GrantStatus } from './grants.table.js';
import { isUuid } from '../../shared/db/ids.js';

export type Grant = typeof grants.$inferSelect;
export type NewGrant = typeof grants.$inferInsert;

export async function insertGrant(db: DbOrTx, row: NewGrant): Promise<Grant> {
  const [created] = await db.insert(grants).values(row).returning();
  return created!;
}

export async function findGrant(db: DbOrTx, id: string): Promise<Grant | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(grants).where(eq(grants.id, id));
  return row;
}

/**
 * Locks a grant's row until the transaction ends. A grant is locked before anything about it:
 * every path that ends grants takes their rows first, then the audit chain's head, then their
 * pending extension requests.
 */
export async function lockGrant(tx: Tx, id: string): Promise<void> {
  if (isUuid(id)) await tx.select({ id: grants.id }).from(grants).where(eq(grants.id, id)).for('update');
}

export async function listGrantsByIds(db: DbOrTx, ids: string[]): Promise<Grant[]> {
  if (ids.length === 0) return [];
  return db.select().from(grants).where(inArray(grants.id, ids));
}

export async function findGrantByRequest(db: DbOrTx, requestId: string): Promise<Grant | undefined> {
  const [row] = await db.select().from(grants).where(eq(grants.requestId, requestId));
  return row;
}

/** The person's live grant (being set up, active or being removed) for a dataset, if any. */
export async function findHeldGrant(db: DbOrTx, userId: string, datasetId: string): Promise<Grant | undefined> {
  const [row] = await db
    .select()
    .from(grants)
    .where(and(eq(grants.userId, userId), eq(grants.datasetId, datasetId), inArray(grants.status, HELD_STATUSES)));
  return row;
}

/** HELD_STATUSES as SQL literals (constants of this module, not input). */
const HELD_LITERALS = sql.raw(HELD_STATUSES.map((s) => `'${s}'`).join(', '));

/**
 * The grants held (being set up, active, being removed) for any of these person–dataset pairs,
 * each at most once. One statement of constant text whatever the number of pairs (they go as one
 * JSON parameter; see executePrepared); the states are literals, so the plan can use the partial
 * index of held grants.
 */
export async function findHeldGrantsFor(db: DbOrTx, pairs: Array<{ userId: string; datasetId: string }>): Promise<Grant[]> {
  if (pairs.length === 0) return [];
  const json = JSON.stringify(pairs.map((p) => ({ user_id: p.userId, dataset_id: p.datasetId })));
  const query = db
    .select()
    .from(grants)
    .where(
      sql`${grants.status} in (${HELD_LITERALS}) and (${grants.userId}, ${grants.datasetId}) in (select p.user_id, p.dataset_id from jsonb_to_recordset(${json}::jsonb) as p(user_id text, dataset_id text))`,
    );
  return executePrepared(query, 'grants.findHeldFor');
}

/** The person's grants that are being set up, active, or being removed. */
export async function listHeldGrantsForUser(db: DbOrTx, userId: string): Promise<Grant[]> {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.userId, userId), inArray(grants.status, HELD_STATUSES)))
    .orderBy(asc(grants.endsAt));
}

/**
 * Moves a grant from one state to another only if it is still in the expected state: two
 * workers, a retry or a person clicking at the same moment cannot both move it.
 */
export async function transitionGrant(
  db: DbOrTx,
  id: string,
  from: GrantStatus,
  changes: Partial<Pick<Grant, 'status' | 'startsAt' | 'endsAt' | 'endedAt' | 'endReason' | 'nextAttemptAt' | 'alertedAt'>>,
  extra?: { dueBy?: Date },
): Promise<Grant | undefined> {
  const [row] = await db
    .update(grants)
    .set({ ...changes, attempts: 0, lastError: null })
    .where(and(eq(grants.id, id), eq(grants.status, from), extra?.dueBy ? lte(grants.endsAt, extra.dueBy) : undefined))
    .returning();
  return row;
}

/**
 * Claims up to `limit` active grants due by `now` and moves them to `revoking` (reason `expired`)
 * in one statement. Rows another transaction holds are skipped (`FOR UPDATE SKIP LOCKED`), so
 * several workers claiming at once split the due grants between them and never claim one twice.
 */
export async function claimDueGrants(tx: Tx, now: Date, limit: number): Promise<Grant[]> {
  // two statements in the caller's transaction: the locks taken by the first hold until it ends
  // (an `IN (subquery … LIMIT … FOR UPDATE)` may be re-run by the planner and claim more than `limit`)
  const due = await tx
    .select({ id: grants.id })
    .from(grants)
    .where(and(eq(grants.status, 'active'), lte(grants.endsAt, now)))
    .orderBy(asc(grants.endsAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  if (due.length === 0) return [];
  return tx
    .update(grants)
    .set({ status: 'revoking', endReason: 'expired', attempts: 0, lastError: null })
    .where(and(idIn(due.map((d) => d.id)), eq(grants.status, 'active')))
    .returning();
}

/** Whether any grant due by `at` is still active (one a pass skipped because another transaction held it). */
export async function anyStillDue(db: DbOrTx, at: Date): Promise<boolean> {
  const rows = await db.select({ id: grants.id }).from(grants).where(and(eq(grants.status, 'active'), lte(grants.endsAt, at))).limit(1);
  return rows.length > 0;
}

/**
 * `id = any(…)` with the ids as one parameter: an `IN` list of a thousand parameters (a batch of
 * grants ending) costs the query builder and the driver more CPU than the database spends on it.
 * Grant ids are uuids (no commas); a malformed one fails the cast, as it would the column.
 */
function idIn(ids: string[]) {
  return sql`${grants.id} = any(string_to_array(${ids.join(',')}, ',')::uuid[])`;
}

/**
 * Moves the grants still active among `ids` to `revoking` (reason `revoked`), recording who ended
 * them and the note their holders are told, in one statement; returns those it moved.
 */
export async function beginRevokes(db: DbOrTx, ids: string[], endedBy: string, note: string | null): Promise<Grant[]> {
  if (ids.length === 0) return [];
  return db
    .update(grants)
    .set({ status: 'revoking', endReason: 'revoked', endedBy, endNote: note, attempts: 0, lastError: null })
    .where(and(idIn(ids), eq(grants.status, 'active')))
    .returning();
}

/** Ends many grants still `revoking` at once (revoking → `final`); returns those it moved. */
export async function endRevokedGrants(db: DbOrTx, ids: string[], final: 'expired' | 'revoked' | 'failed', now: Date): Promise<Grant[]> {
  if (ids.length === 0) return [];
  return db
    .update(grants)
    .set({ status: final, endedAt: now, nextAttemptAt: null, alertedAt: null, attempts: 0, lastError: null })
    .where(and(idIn(ids), eq(grants.status, 'revoking')))
    .returning();
}

export async function recordStepFailure(db: DbOrTx, id: string, status: GrantStatus, error: string): Promise<Grant | undefined> {
  const [row] = await db
    .update(grants)
    .set({ attempts: sql`${grants.attempts} + 1`, lastError: error.slice(0, 500) })
    .where(and(eq(grants.id, id), eq(grants.status, status)))
    .returning();
  return row;
}

/** Records that the owners of these grants were alerted at `at` (their tasks just sent). */
export async function markAlerted(db: DbOrTx, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.update(grants).set({ alertedAt: at }).where(idIn(ids));
}

export async function setRetryAndAlert(db: DbOrTx, id: string, nextAttemptAt: Date | null, alertedAt: Date | null): Promise<void> {
  await db
    .update(grants)
    .set({ ...(nextAttemptAt !== null ? { nextAttemptAt } : {}), ...(alertedAt !== null ? { alertedAt } : {}) })
    .where(eq(grants.id, id));
}

export async function listGrantsIn(db: DbOrTx, status: GrantStatus): Promise<Grant[]> {
  return db.select().from(grants).where(eq(grants.status, status)).orderBy(asc(grants.endsAt));
}

/**
 * A self-extension: moves the end and adds to the grant's running total of extensions taken
 * without approval, only if nobody changed it since it was read and the total stays within
 * `allowanceMinutes`. Two quick extensions cannot both slip under the allowance.
 */
export async function selfExtendGrant(db: DbOrTx, id: string, fromEnd: Date, toEnd: Date, minutes: number, allowanceMinutes: number): Promise<Grant | undefined> {
  const [row] = await db
    .update(grants)
    .set({ endsAt: toEnd, selfExtendedMinutes: sql`${grants.selfExtendedMinutes} + ${minutes}` })
    .where(
      and(
        eq(grants.id, id),
        eq(grants.status, 'active'),
        eq(grants.endsAt, fromEnd),
        lte(sql`${grants.selfExtendedMinutes} + ${minutes}`, allowanceMinutes),
      ),
    )
    .returning();
  return row;
}

/** Moves an active grant's end, only if nobody changed it since it was read. */
export async function extendGrant(db: DbOrTx, id: string, fromEnd: Date, toEnd: Date): Promise<Grant | undefined> {
  const [row] = await db
    .update(grants)
    .set({ endsAt: toEnd })
    .where(and(eq(grants.id, id), eq(grants.status, 'active'), eq(grants.endsAt, fromEnd)))
    .returning();
  return row;
}

export async function setEndNote(db: DbOrTx, id: string, endedBy: string, note: string | null): Promise<void> {
  await db.update(grants).set({ endedBy, endNote: note }).where(eq(grants.id, id));
}

/**
 * Records who the target system is told to give access to, once: a second call (a retry, another
 * worker) leaves the first record and returns it.
 */
export async function recordTarget(db: DbOrTx, id: string, target: GrantTarget): Promise<GrantTarget | undefined> {
  const [row] = await db
    .update(grants)
    .set({ target })
    .where(and(eq(grants.id, id), isNull(grants.target)))
    .returning({ target: grants.target });
  if (row) return row.target ?? undefined;
  return (await findGrant(db, id))?.target ?? undefined;
}

/** Other people who were ever given access under this warehouse login. */
export async function otherUsersOnLogin(db: DbOrTx, login: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ userId: grants.userId })
    .from(grants)
    .where(and(sql`${grants.target}->>'login' = ${login}`, ne(grants.userId, userId)));
  return rows.map((r) => r.userId);
}

export interface GrantFilter {
  userId?: string;
  datasetId?: string;
  statuses?: GrantStatus[];
  /** ends (or ended) before this time */
  endingBefore?: Date;
  limit: number;
}

/** Grants matching every filter given, soonest end first. */
export async function listGrants(db: DbOrTx, f: GrantFilter): Promise<Grant[]> {
  return db
    .select()
    .from(grants)
    .where(
      and(
        f.userId ? eq(grants.userId, f.userId) : undefined,
        f.datasetId ? eq(grants.datasetId, f.datasetId) : undefined,
        f.statuses?.length ? inArray(grants.status, f.statuses) : undefined,
        f.endingBefore ? lt(grants.endsAt, f.endingBefore) : undefined,
      ),
    )
    .orderBy(asc(grants.endsAt), asc(grants.id))
    .limit(f.limit);
}

/** Revokes whose retries ran out (owners and admins were alerted), or manual ones waiting for a person. */
export async function listStuckRevokes(db: DbOrTx, limit: number): Promise<Grant[]> {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.status, 'revoking'), isNotNull(grants.alertedAt)))
    .orderBy(asc(grants.alertedAt), asc(grants.id))
    .limit(limit);
}

/** Grants the target system never gave, most recent first. */
export async function listFailedGrants(db: DbOrTx, limit: number): Promise<Grant[]> {
  return db
    .select()
    .from(grants)
    .where(eq(grants.status, 'failed'))
    .orderBy(desc(grants.endedAt), asc(grants.id))
    .limit(limit);
}
