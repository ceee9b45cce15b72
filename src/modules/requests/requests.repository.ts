import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { isUniqueViolation } from '../../shared/errors.js';
import { accessRequests, requestApprovers, type RequestStatus } from './requests.table.js';
import { requestErrors } from './requests.errors.js';

export type AccessRequest = typeof accessRequests.$inferSelect;
export type NewAccessRequest = typeof accessRequests.$inferInsert;
export type RequestApprover = typeof requestApprovers.$inferSelect;

export async function insertRequest(db: DbOrTx, row: NewAccessRequest, approverIds: string[]): Promise<AccessRequest> {
  try {
    const [created] = await db.insert(accessRequests).values(row).returning();
    await db.insert(requestApprovers).values(approverIds.map((approverId) => ({ requestId: row.id, approverId })));
    return created!;
  } catch (err) {
    if (isUniqueViolation(err, 'access_requests_one_pending')) throw requestErrors.alreadyPending(row.datasetId);
    throw err;
  }
}

export async function findRequest(db: DbOrTx, id: string): Promise<AccessRequest | undefined> {
  const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id));
  return row;
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

export async function saveApproverMessage(db: DbOrTx, requestId: string, approverId: string, channelId: string, messageTs: string) {
  await db
    .update(requestApprovers)
    .set({ channelId, messageTs })
    .where(and(eq(requestApprovers.requestId, requestId), eq(requestApprovers.approverId, approverId)));
}

export async function listApproverMessages(db: DbOrTx, requestId: string): Promise<RequestApprover[]> {
  return db
    .select()
    .from(requestApprovers)
    .where(and(eq(requestApprovers.requestId, requestId), isNotNull(requestApprovers.messageTs)));
}
