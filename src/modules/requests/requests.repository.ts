import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, notExists, or, sql } from 'drizzle-orm';
import { executePrepared, type DbOrTx } from '../../shared/db/client.js';
import { isUniqueViolation } from '../../shared/errors.js';
import { accessRequests, requestApprovals, requestApprovers, type RequestStatus } from './requests.table.js';
import { requestErrors } from './requests.errors.js';
import { isUuid } from '../../shared/db/ids.js';

export type AccessRequest = typeof accessRequests.$inferSelect;
export type NewAccessRequest = typeof accessRequests.$inferInsert;
export type RequestApprover = typeof requestApprovers.$inferSelect;

export async function insertRequest(db: DbOrTx, row: NewAccessRequest, approverIds: string[]): Promise<AccessRequest> {
  try {
    // sent together: one round trip on a pipelining driver (the approvers' rows follow in order)
    const [[created]] = await Promise.all([
      db.insert(accessRequests).values(row).returning(),
      approverIds.length ? db.insert(requestApprovers).values(approverIds.map((approverId) => ({ requestId: row.id, approverId }))) : undefined,
    ]);
    return created!;
  } catch (err) {
    if (isUniqueViolation(err, 'access_requests_one_pending')) throw requestErrors.alreadyPending(row.datasetId);
    throw err;
  }
}

/**
 * Inserts new requests in one statement; a request whose requester already has one pending for
 * the dataset (the partial unique index) is skipped, as is any after the first of the same person
 * and dataset in `rows` (they go in in this order). Returns the rows inserted.
 *
 * The rows go as one JSON parameter, so the statement's text is the same whatever their number:
 * the query builder walks one parameter rather than one per column and row, and the statement is
 * prepared once per connection (see executePrepared) instead of described anew at each batch.
 */
export async function insertNewRequests(db: DbOrTx, rows: NewAccessRequest[]): Promise<AccessRequest[]> {
  if (rows.length === 0) return [];
  // every column, the table's defaults where a row leaves one out (INSERT … SELECT cannot say DEFAULT)
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      kind: r.kind ?? 'access',
      grant_id: r.grantId ?? null,
      dataset_id: r.datasetId,
      requester_id: r.requesterId,
      duration_minutes: r.durationMinutes,
      reason: r.reason ?? null,
      status: r.status ?? 'pending',
      created_at: r.createdAt.toISOString(),
      decided_by: r.decidedBy ?? null,
      decided_at: r.decidedAt?.toISOString() ?? null,
      deny_reason: r.denyReason ?? null,
      approvals_required: r.approvalsRequired ?? 1,
      escalated_at: r.escalatedAt?.toISOString() ?? null,
    })),
  );
  // the table's columns in their order (drizzle names them all); RETURNING maps them as any select
  const insert = db
    .insert(accessRequests)
    .select(
      sql`select r.id, r.kind, r.grant_id, r.dataset_id, r.requester_id, r.duration_minutes, r.reason, r.status, r.created_at, r.decided_by, r.decided_at, r.deny_reason, r.approvals_required, r.escalated_at
        from rows from (jsonb_to_recordset(${json}::jsonb) as (id uuid, kind text, grant_id uuid, dataset_id text, requester_id text, duration_minutes integer, reason text, status text, created_at timestamptz, decided_by text, decided_at timestamptz, deny_reason text, approvals_required integer, escalated_at timestamptz))
          with ordinality as r(id, kind, grant_id, dataset_id, requester_id, duration_minutes, reason, status, created_at, decided_by, decided_at, deny_reason, approvals_required, escalated_at, n)
        order by r.n`,
    )
    .onConflictDoNothing()
    .returning();
  return executePrepared(insert, 'requests.insertNew');
}

/** Removes requests this transaction inserted and then refused (nothing else refers to them yet); constant text. */
export async function deleteNewRequests(db: DbOrTx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const json = JSON.stringify(ids);
  await executePrepared(
    db.delete(accessRequests).where(sql`${accessRequests.id} in (select jsonb_array_elements_text(${json}::jsonb)::uuid) and ${accessRequests.status} = 'pending'`),
    'requests.deleteNew',
  );
}

/** Records who is asked to decide new requests, in one statement of constant text (the pairs as one JSON parameter). */
export async function insertApprovers(db: DbOrTx, approvers: Array<{ requestId: string; approverId: string }>): Promise<void> {
  if (approvers.length === 0) return;
  const json = JSON.stringify(approvers.map((a) => ({ request_id: a.requestId, approver_id: a.approverId })));
  // the table's columns in their order: not yet messaged, reminded nor escalated
  const insert = db.insert(requestApprovers).select(
    sql`select r.request_id, r.approver_id, null::text, null::text, null::text, null::timestamptz, null::timestamptz, false
      from jsonb_to_recordset(${json}::jsonb) as r(request_id uuid, approver_id text)`,
  );
  await executePrepared(insert, 'requests.insertApprovers');
}

/** Reads the request and locks its row until the transaction ends, so decisions on it queue up. */
export async function lockRequest(db: DbOrTx, id: string): Promise<AccessRequest | undefined> {
  const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id)).for('update');
  return row;
}

/** Records one person's approval; false when they had already approved. */
export async function addApproval(db: DbOrTx, requestId: string, approverId: string, at: Date): Promise<boolean> {
  const rows = await db.insert(requestApprovals).values({ requestId, approverId, approvedAt: at }).onConflictDoNothing().returning();
  return rows.length === 1;
}

export async function countApprovals(db: DbOrTx, requestId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(requestApprovals).where(eq(requestApprovals.requestId, requestId));
  return row?.n ?? 0;
}

export async function listApprovals(db: DbOrTx, requestId: string) {
  return db.select().from(requestApprovals).where(eq(requestApprovals.requestId, requestId)).orderBy(asc(requestApprovals.approvedAt));
}

/** pending → cancelled or expired, only if still pending. */
export async function closeRequest(db: DbOrTx, id: string, status: 'cancelled' | 'expired', at: Date): Promise<AccessRequest | undefined> {
  const [row] = await db
    .update(accessRequests)
    .set({ status, decidedAt: at })
    .where(and(eq(accessRequests.id, id), eq(accessRequests.status, 'pending')))
    .returning();
  return row;
}

/**
 * Closes the pending extension requests of grants that are ending (pending → cancelled, decided
 * by `actorId`), only those still pending, in one statement. Returns the rows it closed.
 */
export async function closePendingExtensions(db: DbOrTx, grantIds: string[], actorId: string, at: Date): Promise<AccessRequest[]> {
  if (grantIds.length === 0) return [];
  return db
    .update(accessRequests)
    .set({ status: 'cancelled', decidedBy: actorId, decidedAt: at })
    .where(and(inArray(accessRequests.grantId, grantIds), eq(accessRequests.kind, 'extension'), eq(accessRequests.status, 'pending')))
    .returning();
}

/** Pending requests this person was asked to decide and has not approved yet. */
export async function listPendingForApprover(db: DbOrTx, approverId: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: accessRequests.id })
    .from(accessRequests)
    .innerJoin(requestApprovers, eq(requestApprovers.requestId, accessRequests.id))
    .where(
      and(
        eq(accessRequests.status, 'pending'),
        eq(requestApprovers.approverId, approverId),
        notExists(
          db
            .select({ one: sql`1` })
            .from(requestApprovals)
            .where(and(eq(requestApprovals.requestId, accessRequests.id), eq(requestApprovals.approverId, approverId))),
        ),
      ),
    )
    .orderBy(asc(accessRequests.createdAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * A page of pending requests that something may be due for (the reconciler's follow-up pass),
 * oldest first, after `after` (keyset paging): those past `expiresBefore`, those not escalated
 * and past `escalatesBefore`, and those with an approver asked before `remindsBefore` who has
 * neither been reminded nor approved. These are calendar times, which working hours only lengthen:
 * the pass decides each request itself, and never reads the rest (most of them, at any time).
 */
export async function listPendingFollowUps(
  db: DbOrTx,
  due: { expiresBefore: Date; escalatesBefore: Date; remindsBefore: Date },
  page: { after?: { createdAt: Date; id: string }; limit: number },
): Promise<AccessRequest[]> {
  // nothing can be due for a request younger than the latest of the three
  const latest = new Date(Math.max(due.expiresBefore.getTime(), due.escalatesBefore.getTime(), due.remindsBefore.getTime()));
  const remindable = sql`exists (
    select 1 from ${requestApprovers} a
    where a.request_id = ${accessRequests.id} and not a.escalation and a.reminded_at is null and a.asked_at <= ${due.remindsBefore.toISOString()}::timestamptz
      and not exists (select 1 from ${requestApprovals} p where p.request_id = a.request_id and p.approver_id = a.approver_id))`;
  return db
    .select()
    .from(accessRequests)
    .where(
      and(
        eq(accessRequests.status, 'pending'),
        lte(accessRequests.createdAt, latest),
        page.after ? sql`(${accessRequests.createdAt}, ${accessRequests.id}) > (${page.after.createdAt.toISOString()}::timestamptz, ${page.after.id}::uuid)` : undefined,
        or(lte(accessRequests.createdAt, due.expiresBefore), and(isNull(accessRequests.escalatedAt), lte(accessRequests.createdAt, due.escalatesBefore)), remindable),
      ),
    )
    .orderBy(asc(accessRequests.createdAt), asc(accessRequests.id))
    .limit(page.limit);
}

/** Approvers and approvals of a page of requests in two queries, for the reconciler's follow-up pass. */
export async function listApproversAndApprovals(db: DbOrTx, requestIds: string[]) {
  if (requestIds.length === 0) return { approvers: [], approvals: [] };
  const [approvers, approvals] = await Promise.all([
    db.select().from(requestApprovers).where(inArray(requestApprovers.requestId, requestIds)).orderBy(asc(requestApprovers.approverId)),
    db.select().from(requestApprovals).where(inArray(requestApprovals.requestId, requestIds)),
  ]);
  return { approvers, approvals };
}

export async function addApprovers(db: DbOrTx, requestId: string, approverIds: string[], escalation: boolean) {
  if (approverIds.length === 0) return;
  await db
    .insert(requestApprovers)
    .values(approverIds.map((approverId) => ({ requestId, approverId, escalation })))
    .onConflictDoNothing();
}

export async function markEscalated(db: DbOrTx, requestId: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(accessRequests)
    .set({ escalatedAt: at })
    .where(and(eq(accessRequests.id, requestId), eq(accessRequests.status, 'pending'), isNull(accessRequests.escalatedAt)))
    .returning({ id: accessRequests.id });
  return rows.length === 1;
}

export async function markApproverReminded(db: DbOrTx, requestId: string, approverId: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(requestApprovers)
    .set({ remindedAt: at })
    .where(and(eq(requestApprovers.requestId, requestId), eq(requestApprovers.approverId, approverId), isNull(requestApprovers.remindedAt)))
    .returning({ id: requestApprovers.requestId });
  return rows.length === 1;
}

export async function findRequest(db: DbOrTx, id: string): Promise<AccessRequest | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id));
  return row;
}

/** The reason given with each of these requests (null when none was given). */
export async function listReasons(db: DbOrTx, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: accessRequests.id, reason: accessRequests.reason }).from(accessRequests).where(inArray(accessRequests.id, ids));
  return new Map(rows.map((r) => [r.id, r.reason]));
}

export async function findPendingRequest(db: DbOrTx, requesterId: string, datasetId: string): Promise<AccessRequest | undefined> {
  const [row] = await db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, requesterId), eq(accessRequests.datasetId, datasetId), eq(accessRequests.status, 'pending')));
  return row;
}

export async function listPendingForRequester(db: DbOrTx, requesterId: string): Promise<AccessRequest[]> {
  return db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, requesterId), eq(accessRequests.status, 'pending')))
    .orderBy(asc(accessRequests.createdAt));
}

/**
 * Records a decision only if the request is still pending. Returns undefined when another
 * click, retry or replica decided first: the guard in SQL is what makes decisions happen once.
 */
export async function decideRequest(
  db: DbOrTx,
  id: string,
  decision: { status: Exclude<RequestStatus, 'pending'>; decidedBy: string; decidedAt: Date; denyReason?: string | null },
): Promise<AccessRequest | undefined> {
  const [row] = await db
    .update(accessRequests)
    .set({ status: decision.status, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt, denyReason: decision.denyReason ?? null })
    .where(and(eq(accessRequests.id, id), eq(accessRequests.status, 'pending')))
    .returning();
  return row;
}

export async function listApprovers(db: DbOrTx, requestId: string): Promise<RequestApprover[]> {
  return db.select().from(requestApprovers).where(eq(requestApprovers.requestId, requestId)).orderBy(asc(requestApprovers.approverId));
}

export async function findApprover(db: DbOrTx, requestId: string, approverId: string): Promise<RequestApprover | undefined> {
  const [row] = await db
    .select()
    .from(requestApprovers)
    .where(and(eq(requestApprovers.requestId, requestId), eq(requestApprovers.approverId, approverId)));
  return row;
}

export async function saveApproverMessage(
  db: DbOrTx,
  requestId: string,
  approverId: string,
  channelId: string,
  messageTs: string,
  askedAt: Date,
  timeZone: string | undefined,
) {
  await db
    .update(requestApprovers)
    .set({ channelId, messageTs, askedAt, timeZone: timeZone ?? null })
    .where(and(eq(requestApprovers.requestId, requestId), eq(requestApprovers.approverId, approverId)));
}

export async function listApproverMessages(db: DbOrTx, requestId: string): Promise<RequestApprover[]> {
  return db
    .select()
    .from(requestApprovers)
    .where(and(eq(requestApprovers.requestId, requestId), isNotNull(requestApprovers.messageTs)));
}

export interface RequestFilter {
  requesterId?: string;
  datasetId?: string;
  statuses?: RequestStatus[];
  /** made at or after */
  since?: Date;
  /** made before */
  before?: Date;
  limit: number;
}

/** Requests matching every filter given, newest first. */
export async function listRequests(db: DbOrTx, f: RequestFilter): Promise<AccessRequest[]> {
  return db
    .select()
    .from(accessRequests)
    .where(
      and(
        f.requesterId ? eq(accessRequests.requesterId, f.requesterId) : undefined,
        f.datasetId ? eq(accessRequests.datasetId, f.datasetId) : undefined,
        f.statuses?.length ? inArray(accessRequests.status, f.statuses) : undefined,
        f.since ? gte(accessRequests.createdAt, f.since) : undefined,
        f.before ? lt(accessRequests.createdAt, f.before) : undefined,
      ),
    )
    .orderBy(desc(accessRequests.createdAt), asc(accessRequests.id))
    .limit(f.limit);
}
