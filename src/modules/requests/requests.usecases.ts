import { randomUUID } from 'node:crypto';
import { findDataset, reasonRequired, type Dataset } from '../../catalog/catalog.js';
import { looksLikeDuration, parseDuration } from '../../shared/duration.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { findGrantByRequest, findHeldGrant, insertGrant, listActiveGrantsForUser, type Grant } from '../grants/grants.repository.js';
import { createGrantTasks, grantEvent } from '../grants/provisioning.usecases.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import type { RequestView } from '../notifications/notifications.ports.js';
import * as repo from './requests.repository.js';
import { requestErrors } from './requests.errors.js';
import { approversFor, checkDecider, grantEnd, REASON_MAX_LENGTH, suggestDatasetIds } from './requests.rules.js';

export interface NewRequestInput {
  requesterId: string;
  datasetId: string;
  /** As typed (`7d`); empty means the dataset's default. */
  duration?: string;
  reason?: string;
  /** Where it came from, for the audit trail and for how the requester is answered. */
  via: 'command' | 'form';
}

/** Checks a request without saving it; returns the dataset and minutes, or throws a coded error. */
export function validateRequest(deps: Pick<Deps, 'catalog'>, input: NewRequestInput): { dataset: Dataset; minutes: number; reason: string | null } {
  const dataset = findDataset(deps.catalog, input.datasetId);
  if (!dataset) throw requestErrors.datasetNotFound(input.datasetId, suggestDatasetIds(deps.catalog, input.datasetId));
  let minutes = dataset.defaultDurationMinutes;
  if (input.duration?.trim()) {
    const parsed = parseDuration(input.duration);
    if (parsed === undefined) throw requestErrors.badDuration(input.duration.trim());
    minutes = parsed;
  }
  if (minutes > dataset.maxDurationMinutes) throw requestErrors.durationTooLong(dataset.id, dataset.maxDurationMinutes);
  const reason = input.reason?.trim() || null;
  if (!reason && reasonRequired(dataset)) throw requestErrors.reasonRequired(dataset.id, dataset.sensitivity);
  if (reason && reason.length > REASON_MAX_LENGTH) throw requestErrors.reasonTooLong(REASON_MAX_LENGTH);
  return { dataset, minutes, reason };
}

/**
 * Splits `/access request` arguments: `<dataset> [duration] [reason…]`. A second word that looks
 * like a duration is one (and is validated as one); anything else starts the reason.
 */
export function splitRequestArgs(args: string[]): { datasetId?: string; duration?: string; reason?: string } {
  const [datasetId, second, ...rest] = args;
  if (second !== undefined && looksLikeDuration(second)) return { datasetId, duration: second, reason: rest.join(' ') || undefined };
  return { datasetId, reason: [second, ...rest].filter((w) => w !== undefined).join(' ') || undefined };
}

export async function createRequest(deps: Deps, input: NewRequestInput): Promise<RequestView> {
  const { dataset, minutes, reason } = validateRequest(deps, input);
  const approvers = approversFor(deps.catalog, dataset, input.requesterId);
  if (approvers.length === 0) throw requestErrors.noApprovers(dataset.id);
  const now = deps.clock.now();
  const id = randomUUID();

  const outboxIds = await deps.db.transaction(async (tx) => {
    const held = await findHeldGrant(tx, input.requesterId, dataset.id);
    if (held?.status === 'active') throw requestErrors.alreadyActive(dataset.id, held.endsAt);
    if (held) throw requestErrors.grantInProgress(dataset.id, held.status);
    await repo.insertRequest(
      tx,
      { id, datasetId: dataset.id, requesterId: input.requesterId, durationMinutes: minutes, reason, createdAt: now },
      approvers,
    );
    await appendAudit(tx, {
      at: now,
      actorId: input.requesterId,
      action: 'request.created',
      subjectType: 'request',
      subjectId: id,
      details: { datasetId: dataset.id, durationMinutes: minutes, reason, approvers, via: input.via },
    });
    return addToOutbox(tx, now, [
      ...approvers.map((approverId) => ({ kind: 'approval_request', payload: { requestId: id, approverId } })),
      ...(input.via === 'form' ? [{ kind: 'request_received', payload: { requestId: id } }] : []),
    ]);
  });
  deps.logger.info({ requestId: id, datasetId: dataset.id, approvers: approvers.length }, 'request created');
  await enqueueSafely(deps, outboxIds);
  return (await loadRequestView(deps, id))!;
}

export type Decision = { kind: 'approve' } | { kind: 'deny'; reason?: string };

export interface DecisionResult {
  /** false when someone (or something) decided first; the request is returned as it stands. */
  decidedNow: boolean;
  request: RequestView;
}

/** Throws unless `deciderId` may decide this request now. Reads roles from the catalog, never from the click. */
export async function assertMayDecide(deps: Deps, requestId: string, deciderId: string) {
  const request = await repo.findRequest(deps.db, requestId);
  if (!request) throw requestErrors.notFound();
  const dataset = findDataset(deps.catalog, request.datasetId);
  const refusal = checkDecider(deps.catalog, dataset, request, deciderId);
  if (refusal === 'own_request') throw requestErrors.ownRequest();
  if (refusal === 'not_an_approver') throw requestErrors.notAnApprover(request.datasetId);
  return request;
}

export async function decideRequest(deps: Deps, requestId: string, deciderId: string, decision: Decision): Promise<DecisionResult> {
  const request = await assertMayDecide(deps, requestId, deciderId);
  const now = deps.clock.now();
  const denyReason = decision.kind === 'deny' ? decision.reason?.trim().slice(0, REASON_MAX_LENGTH) || null : null;

  const outcome = await deps.db.transaction(async (tx) => {
    const decided = await repo.decideRequest(tx, requestId, {
      status: decision.kind === 'approve' ? 'approved' : 'denied',
      decidedBy: deciderId,
      decidedAt: now,
      denyReason,
    });
    if (!decided) return undefined;
    let grant: Grant | undefined;
    const messages: Array<{ kind: string; payload: Record<string, string> }> = [
      { kind: 'approver_messages', payload: { requestId } },
      { kind: 'decision', payload: { requestId } },
    ];
    const manual = deps.connectors.forDataset(request.datasetId).kind === 'manual';
    if (decided.status === 'approved') {
      // provisioning until the target system has it; the clock starts when it does
      grant = await insertGrant(tx, {
        id: randomUUID(),
        requestId,
        datasetId: request.datasetId,
        userId: request.requesterId,
        status: 'provisioning',
        durationMinutes: request.durationMinutes,
        startsAt: now,
        endsAt: grantEnd(now, request.durationMinutes),
      });
    }
    await appendAudit(
      tx,
      {
        at: now,
        actorId: deciderId,
        action: decided.status === 'approved' ? 'request.approved' : 'request.denied',
        subjectType: 'request',
        subjectId: requestId,
        details: { datasetId: request.datasetId, requesterId: request.requesterId, ...(denyReason ? { denyReason } : {}) },
      },
      ...(grant ? [grantEvent(grant, now, deciderId, 'grant.created', { requestId, connector: manual ? 'manual' : deps.connectors.forDataset(request.datasetId).kind })] : []),
    );
    const outboxIds = await addToOutbox(tx, now, messages);
    if (grant && manual) outboxIds.push(...(await createGrantTasks(deps, tx, grant, now)));
    return { grant, outboxIds, manual };
  });

  if (!outcome) {
    deps.logger.info({ requestId, deciderId }, 'decision ignored: request already decided');
    return { decidedNow: false, request: (await loadRequestView(deps, requestId))! };
  }
  deps.logger.info({ requestId, decision: decision.kind }, 'request decided');
  if (outcome.grant && !outcome.manual) {
    await deps.jobs.enqueueProvision(outcome.grant.id).catch((err) => {
      // The reconciler resumes grants left in provisioning.
      deps.logger.warn({ grantId: outcome.grant!.id, err: String(err) }, 'could not enqueue provisioning; the reconciler will');
    });
  }
  await enqueueSafely(deps, outcome.outboxIds);
  return { decidedNow: true, request: (await loadRequestView(deps, requestId))! };
}

export async function loadRequestView(deps: Pick<Deps, 'db' | 'catalog'>, requestId: string): Promise<RequestView | undefined> {
  const request = await repo.findRequest(deps.db, requestId);
  if (!request) return undefined;
  const approvers = await repo.listApprovers(deps.db, requestId);
  const grant = request.status === 'approved' ? await findGrantByRequest(deps.db, requestId) : undefined;
  const dataset = findDataset(deps.catalog, request.datasetId);
  return {
    id: request.id,
    dataset: { id: request.datasetId, name: dataset?.name ?? request.datasetId, sensitivity: dataset?.sensitivity ?? 'restricted' },
    requesterId: request.requesterId,
    durationMinutes: request.durationMinutes,
    reason: request.reason,
    status: request.status,
    createdAt: request.createdAt,
    decidedBy: request.decidedBy,
    decidedAt: request.decidedAt,
    denyReason: request.denyReason,
    approverIds: approvers.map((a) => a.approverId),
    grantEndsAt: grant?.status === 'active' ? grant.endsAt : null,
    grantStatus: grant?.status ?? null,
  };
}

export interface MyAccess {
  pending: RequestView[];
  active: Array<{ grantId: string; datasetId: string; datasetName: string; endsAt: Date }>;
}

export async function listMyAccess(deps: Deps, userId: string): Promise<MyAccess> {
  const pendingRows = await repo.listPendingForRequester(deps.db, userId);
  const pending = (await Promise.all(pendingRows.map((r) => loadRequestView(deps, r.id)))).filter((v): v is RequestView => !!v);
  const grants = await listActiveGrantsForUser(deps.db, userId);
  return {
    pending,
    active: grants.map((g) => ({
      grantId: g.id,
      datasetId: g.datasetId,
      datasetName: findDataset(deps.catalog, g.datasetId)?.name ?? g.datasetId,
      endsAt: g.endsAt,
    })),
  };
}

async function enqueueSafely(deps: Deps, outboxIds: number[]) {
  await deps.jobs.enqueueDeliveries(outboxIds).catch((err) => {
    // The rows are in Postgres; the reconciler enqueues them again.
    deps.logger.warn({ outboxIds, err: String(err) }, 'could not enqueue messages; the reconciler will');
  });
}
