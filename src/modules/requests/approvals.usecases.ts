import type { Tx } from '../../shared/db/client.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { applyExtension, createGrant } from '../grants/index.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import * as repo from './requests.repository.js';
import type { AccessRequest } from './requests.repository.js';

/** Work to do once the transaction has committed: messages to send, a grant to provision, an extended grant's new end to wake at. */
export interface AfterDecision {
  outboxIds: number[];
  provisionGrantId?: string;
  newEnd?: { grantId: string; endsAt: Date };
}

/**
 * Approves a pending request inside the caller's transaction; the grants module then creates the
 * grant (provisioning until the target system has it) or, for an extension, moves the end of the
 * existing grant.
 */
export async function approveInTx(deps: Pick<Deps, 'catalog' | 'connectors'>, tx: Tx, request: AccessRequest, deciderId: string, now: Date): Promise<AfterDecision> {
  await repo.decideRequest(tx, request.id, { status: 'approved', decidedBy: deciderId, decidedAt: now });
  await appendAudit(tx, requestEvent(request, now, deciderId, deciderId === 'system' ? 'request.auto_approved' : 'request.approved'));
  const outboxIds = await addToOutbox(tx, now, decisionMessages(request.id));
  if (request.kind === 'extension') {
    const extension = { requestId: request.id, grantId: request.grantId, datasetId: request.datasetId, durationMinutes: request.durationMinutes };
    const { newEnd } = await applyExtension(deps, tx, extension, deciderId, now);
    return { outboxIds, newEnd };
  }
  const access = { requestId: request.id, datasetId: request.datasetId, userId: request.requesterId, durationMinutes: request.durationMinutes };
  const created = await createGrant(deps, tx, access, deciderId, now);
  outboxIds.push(...created.outboxIds);
  return { outboxIds, provisionGrantId: created.provisionGrantId };
}

export async function runAfterDecision(deps: Pick<Deps, 'jobs' | 'logger'>, after: AfterDecision): Promise<void> {
  if (after.newEnd) {
    const { grantId, endsAt } = after.newEnd;
    // the reconciler re-creates every active grant's wake-up
    await deps.jobs.scheduleExpiry(grantId, endsAt).catch((err) => deps.logger.warn({ grantId, err }, 'expiry not scheduled; the reconciler will'));
  }
  if (after.provisionGrantId) {
    await deps.jobs.enqueueProvision(after.provisionGrantId).catch((err) => {
      // the reconciler resumes grants left in provisioning
      deps.logger.warn({ grantId: after.provisionGrantId, err }, 'could not enqueue provisioning; the reconciler will');
    });
  }
  await deps.jobs.enqueueDeliveries(after.outboxIds).catch((err) => {
    // the rows are in Postgres; the reconciler enqueues them again
    deps.logger.warn({ err }, 'could not enqueue messages; the reconciler will');
  });
}

export function decisionMessages(requestId: string) {
  return [
    outboxMessage('approver_messages', { requestId }),
    outboxMessage('decision', { requestId }),
  ];
}

export function requestEvent(request: AccessRequest, at: Date, actorId: string, action: string, details: Record<string, unknown> = {}) {
  return {
    at,
    actorId,
    action,
    subjectType: 'request' as const,
    subjectId: request.id,
    details: { datasetId: request.datasetId, requesterId: request.requesterId, kind: request.kind, ...details },
  };
}
