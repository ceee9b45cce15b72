import { randomUUID } from 'node:crypto';
import { catalogErrors } from '../../catalog/catalog.errors.js';
import { findDataset, isSensitive, reasonRequired, suggestDatasetIds, type Catalog, type Dataset } from '../../catalog/catalog.js';
import { looksLikeDuration, parseDuration } from '../../shared/duration.js';
import { assertText, textErrors, textProblem } from '../../shared/text.js';
import { ackErrors, needsAcknowledgement } from '../acknowledgements/acknowledgements.usecases.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { findGrant, findGrantByRequest, findHeldGrant, listHeldGrantsForUser, type Grant, type GrantStatus } from '../grants/index.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import type { RequestView } from '../notifications/notifications.ports.js';
import { approveInTx, runAfterDecision } from './approvals.usecases.js';
import { storeNewRequest } from './request-batches.usecases.js';
import { chooseApprovers, mayBeAsked } from './approvers.usecases.js';
import * as repo from './requests.repository.js';
import { requestErrors } from './requests.errors.js';
import { REASON_MAX_LENGTH } from './requests.rules.js';

export interface NewRequestInput {
  requesterId: string;
  datasetId: string;
  /** As typed (`7d`); empty means the dataset's default. */
  duration?: string;
  reason?: string;
  /** Where it came from, for the audit trail and for how the requester is answered. */
  via: 'command' | 'form' | 'home';
}

/** Checks a request without saving it; returns the dataset and minutes, or throws a coded error. */
export function validateRequest(deps: Pick<Deps, 'catalog'>, input: NewRequestInput): { dataset: Dataset; minutes: number; reason: string | null } {
  // free text first: nothing with control characters or of unbounded length goes further
  assertText(input.datasetId, 'datasetId');
  assertText(input.duration, 'duration');
  if (textProblem(input.reason, 'reason') === 'control_characters') throw textErrors.controlCharacters('reason');
  const dataset = findDataset(deps.catalog, input.datasetId);
  if (!dataset) throw catalogErrors.datasetNotFound(input.datasetId, suggestDatasetIds(deps.catalog, input.datasetId));
  let minutes = dataset.defaultDurationMinutes;
  if (input.duration?.trim()) minutes = parseDurationOrThrow(input.duration);
  if (minutes > dataset.maxDurationMinutes) throw requestErrors.durationTooLong(dataset.id, dataset.maxDurationMinutes);
  return { dataset, minutes, reason: validateReason(dataset, input.reason) };
}

export function parseDurationOrThrow(text: string): number {
  const parsed = parseDuration(text);
  if (parsed === undefined) throw requestErrors.badDuration(text.trim());
  return parsed;
}

export function validateReason(dataset: Dataset, text: string | undefined): string | null {
  if (textProblem(text, 'reason') === 'control_characters') throw textErrors.controlCharacters('reason');
  const reason = text?.trim() || null;
  if (!reason && reasonRequired(dataset)) throw requestErrors.reasonRequired(dataset.id, dataset.sensitivity);
  if (reason && reason.length < dataset.policy.reasonMinLength) throw requestErrors.reasonTooShort(dataset.id, dataset.policy.reasonMinLength);
  if (reason && reason.length > REASON_MAX_LENGTH) throw requestErrors.reasonTooLong(REASON_MAX_LENGTH);
  return reason;
}

/** Guests, deactivated accounts and bots may not ask for sensitive data. */
export async function assertMayRequest(deps: Pick<Deps, 'people'>, userId: string, dataset: Dataset): Promise<void> {
  if (!isSensitive(dataset)) return;
  const standing = await deps.people.standing(userId);
  if (standing !== 'member') throw requestErrors.notAllowedToRequest(standing);
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

export async function createRequest(deps: OpenRequestDeps, input: NewRequestInput): Promise<RequestView> {
  const { dataset, minutes, reason } = validateRequest(deps, input);
  return openRequest(deps, { kind: 'access', dataset, requesterId: input.requesterId, minutes, reason, via: input.via });
}

/** A checked request, ready to be stored: new access to a dataset, or more time on a grant held. */
/** The ports opening a request uses (checks, approvers, the grant if it is auto-approved, messages). */
export type OpenRequestDeps = Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'people' | 'logger'>;

export type OpenRequest = { dataset: Dataset; requesterId: string; minutes: number; reason: string | null } & (
  | { kind: 'access'; via: NewRequestInput['via'] }
  | { kind: 'extension'; grant: Pick<Grant, 'id'> }
);

/**
 * The one way a request is made, for new access and for an extension alike: the requester may
 * ask, the approvers are chosen (or the policy approves at once), and the request, its audit event
 * and its messages are stored in one transaction. A new-access request is refused while the
 * person holds a grant of the dataset; an extension is about that grant, and never approves itself.
 */
export async function openRequest(deps: OpenRequestDeps, input: OpenRequest): Promise<RequestView> {
  const { dataset, minutes, reason } = input;
  const auto = input.kind === 'access' && dataset.policy.autoApprove;
  // the checks are independent reads (Slack profiles, the database): made at once, refused in this order
  const [allowed, acknowledged, chosen] = await Promise.allSettled([
    assertMayRequest(deps, input.requesterId, dataset),
    // an extension keeps the grant whose request already went through the data-handling policy
    input.kind === 'access' ? needsAcknowledgement(deps, input.requesterId, dataset) : false,
    auto ? { approvers: [], required: 1 } : chooseApprovers(deps, dataset, input.requesterId),
  ]);
  if (allowed.status === 'rejected') throw allowed.reason;
  if (acknowledged.status === 'rejected') throw acknowledged.reason;
  if (acknowledged.value) throw ackErrors.required();
  if (chosen.status === 'rejected') throw chosen.reason;
  const { approvers, required } = chosen.value;
  const now = deps.clock.now();
  const id = randomUUID();
  const about = input.kind === 'extension' ? { kind: 'extension' as const, grantId: input.grant.id } : {};
  const via = input.kind === 'access' ? input.via : undefined;

  const row = { id, ...about, datasetId: dataset.id, requesterId: input.requesterId, durationMinutes: minutes, reason, createdAt: now, approvalsRequired: required };
  const created = {
    at: now,
    actorId: input.requesterId,
    action: 'request.created',
    subjectType: 'request' as const,
    subjectId: id,
    details: { datasetId: dataset.id, ...about, durationMinutes: minutes, reason, approvers, via, approvalsRequired: required },
  };
  const messages = [
    ...approvers.map((approverId) => outboxMessage('approval_request', { requestId: id, approverId })),
    ...(via !== undefined && via !== 'command' ? [outboxMessage('request_received', { requestId: id })] : []),
  ];
  if (input.kind === 'access' && !auto) {
    // new access waiting for approvers, the common case: stored together with others arriving at the same time
    const stored = await storeNewRequest(deps.db, { row, approverIds: approvers, messages, audit: created });
    deps.logger.info({ requestId: id, datasetId: dataset.id, approvers: approvers.length, auto }, 'request created');
    // The messages are in the outbox, committed with the request: handing them to the queue does
    // not hold up the answer. Should that fail, the reconciler enqueues them from the outbox.
    void deps.jobs.enqueueNewDeliveries(stored.outboxIds).catch((err) => deps.logger.warn({ err }, 'could not enqueue messages; the reconciler will'));
    // answered from what was just stored: nobody can have decided it yet, since nobody was asked yet
    const asked = [...approvers].sort().map((approverId) => ({ approverId, escalation: false }));
    return requestView(deps.catalog, stored.request, asked, [], undefined);
  }
  const result = await deps.db.transaction(async (tx) => {
    if (input.kind === 'access') {
      const held = await findHeldGrant(tx, input.requesterId, dataset.id);
      if (held?.status === 'active') throw requestErrors.alreadyActive(dataset.id, held.endsAt);
      if (held) throw requestErrors.grantInProgress(dataset.id, held.status);
    }
    const request = await repo.insertRequest(tx, row, approvers);
    if (auto) {
      await appendAudit(tx, created);
      return approveInTx(deps, tx, request, 'system', now);
    }
    const outboxIds = await addToOutbox(tx, now, messages);
    // last: every audited transaction waits for the chain's head, so it is held only until the commit
    await appendAudit(tx, created);
    return { outboxIds };
  });
  deps.logger.info({ requestId: id, datasetId: dataset.id, approvers: approvers.length, auto }, 'request created');
  const [, view] = await Promise.all([runAfterDecision(deps, result), loadRequestView(deps, id)]);
  return view!;
}

/** The requester withdraws a pending request; the approvers' messages lose their buttons. */
export async function cancelRequest(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs'>, userId: string, requestId: string): Promise<RequestView> {
  const request = await repo.findRequest(deps.db, requestId);
  if (!request || request.requesterId !== userId) throw requestErrors.notFound();
  const now = deps.clock.now();
  const ids = await deps.db.transaction(async (tx) => {
    const row = await repo.closeRequest(tx, requestId, 'cancelled', now);
    if (!row) throw requestErrors.notPending(request.status);
    await appendAudit(tx, { at: now, actorId: userId, action: 'request.cancelled', subjectType: 'request', subjectId: requestId, details: { datasetId: request.datasetId } });
    return addToOutbox(tx, now, [outboxMessage('approver_messages', { requestId })]);
  });
  await deps.jobs.enqueueDeliveries(ids).catch(() => undefined);
  return (await loadRequestView(deps, requestId))!;
}

/** Cancels the caller's pending request for a dataset (`/access cancel <dataset>`). */
export async function cancelRequestForDataset(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs'>, userId: string, datasetId: string): Promise<RequestView> {
  assertText(datasetId, 'datasetId');
  const pending = await repo.findPendingRequest(deps.db, userId, datasetId.trim().toLowerCase());
  if (!pending) throw requestErrors.nothingToCancel(datasetId);
  return cancelRequest(deps, userId, pending.id);
}

export async function loadRequestView(deps: Pick<Deps, 'db' | 'catalog'>, requestId: string): Promise<RequestView | undefined> {
  const [request, approvers, approvals] = await Promise.all([repo.findRequest(deps.db, requestId), repo.listApprovers(deps.db, requestId), repo.listApprovals(deps.db, requestId)]);
  if (!request) return undefined;
  const grant =
    request.kind === 'extension' && request.grantId
      ? await findGrant(deps.db, request.grantId)
      : request.status === 'approved'
        ? await findGrantByRequest(deps.db, requestId)
        : undefined;
  return requestView(deps.catalog, request, approvers, approvals, grant);
}

/**
 * A request as the messages show it, from its rows: the request, who was asked (in approver id
 * order, as stored), who approved (in order) and its grant (an extension's, or the one an
 * approval created).
 */
function requestView(
  catalog: Catalog,
  request: repo.AccessRequest,
  approvers: Array<Pick<repo.RequestApprover, 'approverId' | 'escalation'>>,
  approvals: Array<{ approverId: string }>,
  grant: Pick<Grant, 'status' | 'endsAt'> | undefined,
): RequestView {
  const dataset = findDataset(catalog, request.datasetId);
  return {
    id: request.id,
    kind: request.kind,
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
    approvedBy: approvals.map((a) => a.approverId),
    approvalsRequired: request.approvalsRequired,
    escalatedAt: request.escalatedAt,
    askedFirst: approvers.filter((a) => !a.escalation).map((a) => a.approverId),
    grantEndsAt: grant?.status === 'active' ? grant.endsAt : null,
    grantStatus: grant?.status ?? null,
  };
}

export interface MyAccess {
  pending: RequestView[];
  /** Held grants: active, or still being set up or removed in the target system. */
  active: Array<{ grantId: string; datasetId: string; datasetName: string; endsAt: Date; status?: GrantStatus }>;
}

export async function listMyAccess(deps: Pick<Deps, 'db' | 'catalog'>, userId: string): Promise<MyAccess> {
  const pendingRows = await repo.listPendingForRequester(deps.db, userId);
  const pending = (await Promise.all(pendingRows.map((r) => loadRequestView(deps, r.id)))).filter((v): v is RequestView => !!v);
  const grants = await listHeldGrantsForUser(deps.db, userId);
  return {
    pending,
    active: grants.map((g) => ({
      grantId: g.id,
      datasetId: g.datasetId,
      datasetName: findDataset(deps.catalog, g.datasetId)?.name ?? g.datasetId,
      endsAt: g.endsAt,
      status: g.status,
    })),
  };
}

/** Requests waiting for this person's decision (they were asked and have not approved yet). */
export async function listAwaitingMyDecision(deps: Pick<Deps, 'db' | 'catalog' | 'people'>, userId: string, limit = 20): Promise<RequestView[]> {
  // someone who may not decide (now a guest, deactivated) is not shown requests they cannot answer
  if (!mayBeAsked(await deps.people.standing(userId).catch(() => 'unknown' as const))) return [];
  const ids = await repo.listPendingForApprover(deps.db, userId, limit);
  return (await Promise.all(ids.map((id) => loadRequestView(deps, id)))).filter((v): v is RequestView => !!v);
}

/** The reasons given with these requests, for other modules that show them (access reviews). */
export async function requestReasons(deps: Pick<Deps, 'db'>, requestIds: string[]): Promise<Map<string, string | null>> {
  return repo.listReasons(deps.db, [...new Set(requestIds)]);
}
