import { findDataset } from '../../catalog/catalog.js';
import { metrics } from '../../shared/metrics/metrics.js';
import { assertText } from '../../shared/text.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { lockGrant } from '../grants/index.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import type { RequestView } from '../notifications/notifications.ports.js';
import { approveInTx, decisionMessages, requestEvent, runAfterDecision, type AfterDecision } from './approvals.usecases.js';
import { loadRequestView } from './requests.usecases.js';
import * as repo from './requests.repository.js';
import type { AccessRequest } from './requests.repository.js';
import { requestErrors } from './requests.errors.js';
import { checkDecider, REASON_MAX_LENGTH } from './requests.rules.js';

export type Decision = { kind: 'approve' } | { kind: 'deny'; reason?: string };

export type DecisionOutcome = 'approved' | 'denied' | 'partial' | 'already_decided' | 'already_approved_by_you';

export interface DecisionResult {
  outcome: DecisionOutcome;
  /** true when this call changed the request's status. */
  decidedNow: boolean;
  request: RequestView;
}

/**
 * Throws unless `deciderId` may decide this request: an owner of its dataset or an admin, never
 * the requester, and a full member of the workspace. Read from the catalog and the database,
 * never from the click.
 */
export async function assertMayDecide(deps: Pick<Deps, 'db' | 'catalog' | 'people'>, requestId: string, deciderId: string): Promise<AccessRequest> {
  const request = await repo.findRequest(deps.db, requestId);
  if (!request) throw requestErrors.notFound();
  const dataset = findDataset(deps.catalog, request.datasetId);
  const refusal = checkDecider(deps.catalog, dataset, request, deciderId);
  if (refusal === 'own_request') throw requestErrors.ownRequest();
  if (refusal === 'not_an_approver') throw requestErrors.notAnApprover(request.datasetId);
  const standing = await deps.people.standing(deciderId);
  if (standing !== 'member') throw requestErrors.notAllowedToDecide(standing);
  return request;
}

/**
 * Records a decision. A deny ends the request; an approval counts towards the policy's number of
 * distinct approvers, and the last one needed approves it. The request row is locked for the
 * transaction, so concurrent clicks, retries and replicas count correctly and decide once.
 */
export async function decideRequest(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'people' | 'logger'>, requestId: string, deciderId: string, decision: Decision): Promise<DecisionResult> {
  if (decision.kind === 'deny') assertText(decision.reason, 'denyReason');
  const asked = await assertMayDecide(deps, requestId, deciderId);
  const now = deps.clock.now();
  const denyReason = decision.kind === 'deny' ? decision.reason?.trim().slice(0, REASON_MAX_LENGTH) || null : null;

  let requestedAt = now;
  const result = await deps.db.transaction(async (tx): Promise<{ outcome: DecisionOutcome; after?: AfterDecision }> => {
    // An extension's grant first, then the request: the order in which an expiry or a revoke of
    // that grant takes them (the grant, the audit head, then its pending extensions). Taken the
    // other way round, an approval and the grant's expiry at the same moment deadlock.
    if (asked.kind === 'extension' && asked.grantId) await lockGrant(tx, asked.grantId);
    const request = await repo.lockRequest(tx, requestId);
    if (!request || request.status !== 'pending') return { outcome: 'already_decided' };
    requestedAt = request.createdAt;
    if (decision.kind === 'deny') {
      await repo.decideRequest(tx, requestId, { status: 'denied', decidedBy: deciderId, decidedAt: now, denyReason });
      await appendAudit(tx, requestEvent(request, now, deciderId, 'request.denied', denyReason ? { denyReason } : {}));
      return { outcome: 'denied', after: { outboxIds: await addToOutbox(tx, now, decisionMessages(requestId)) } };
    }
    if (!(await repo.addApproval(tx, requestId, deciderId, now))) return { outcome: 'already_approved_by_you' };
    const count = await repo.countApprovals(tx, requestId);
    await appendAudit(tx, requestEvent(request, now, deciderId, 'request.approval_recorded', { count, required: request.approvalsRequired }));
    if (count < request.approvalsRequired) {
      return { outcome: 'partial', after: { outboxIds: await addToOutbox(tx, now, [outboxMessage('approver_messages', { requestId })]) } };
    }
    return { outcome: 'approved', after: await approveInTx(deps, tx, request, deciderId, now) };
  });

  if (result.outcome === 'approved' || result.outcome === 'denied') metrics.decision(result.outcome, (now.getTime() - requestedAt.getTime()) / 1000);
  if (result.after) await runAfterDecision(deps, result.after);
  deps.logger.info({ requestId, outcome: result.outcome }, 'decision recorded');
  return {
    outcome: result.outcome,
    decidedNow: result.outcome === 'approved' || result.outcome === 'denied',
    request: (await loadRequestView(deps, requestId))!,
  };
}
