import { randomUUID } from 'node:crypto';
import { addMinutes } from 'date-fns';
import { findDataset, type Dataset } from '../../catalog/catalog.js';
import type { Tx } from '../../shared/db/client.js';
import { formatDuration } from '../../shared/duration.js';
import { domainError } from '../../shared/errors.js';
import { assertText } from '../../shared/text.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import type { RequestView } from '../notifications/notifications.ports.js';
import { runAfterDecision } from '../requests/decisions.usecases.js';
import * as requestsRepo from '../requests/requests.repository.js';
import type { AccessRequest } from '../requests/requests.repository.js';
import { requestErrors } from '../requests/requests.errors.js';
import { chooseApprovers } from '../requests/approvers.usecases.js';
import { suggestDatasetIds } from '../requests/requests.rules.js';
import { assertMayRequest, loadRequestView, parseDurationOrThrow, validateReason } from '../requests/requests.usecases.js';
import * as repo from './grants.repository.js';
import type { Grant } from './grants.repository.js';
import { grantEvent } from './provisioning.usecases.js';

export const extensionErrors = {
  notHeld: (datasetId: string) => domainError('grants.not_held', { datasetId }, `You have no active access to ${datasetId}.`),
  beyondTotal: (datasetId: string, totalMinutes: number, latestEnd: Date) =>
    domainError(
      'grants.extension_beyond_total',
      { datasetId, totalMinutes, until: latestEnd },
      `Access to ${datasetId} may last at most ${formatDuration(totalMinutes)} in all, so it can be extended until ${latestEnd.toISOString()} at the latest.`,
    ),
  alreadyEnded: (datasetId: string) =>
    domainError(
      'grants.already_ended',
      { datasetId, about: 'extend' as 'release' | 'extend' },
      `The access to ${datasetId} that this was about has already ended, so it cannot be extended. Nothing was changed.`,
    ),
  changedMeanwhile: (datasetId: string) =>
    domainError('grants.changed_meanwhile', { datasetId }, `Your access to ${datasetId} changed while I was extending it. Nothing was changed; please try again.`),
};

export type ExtensionResult = { kind: 'extended'; endsAt: Date } | { kind: 'requested'; request: RequestView };

/** The latest end a grant may have under its dataset's policy. */
export function latestEnd(grant: Pick<Grant, 'startsAt'>, dataset: Dataset): Date {
  return addMinutes(grant.startsAt, dataset.policy.maxTotalMinutes);
}

/**
 * `/access extend <dataset> <duration> [reason]`: moves the end of the caller's active grant.
 * Within the dataset's self-extension allowance it happens at once; otherwise it goes to the
 * approvers like a request. The new end never passes the policy's maximum total duration.
 */
export async function requestExtension(
  deps: Deps,
  input: { userId: string; datasetId: string; duration: string; reason?: string; /** set when a button or form named one grant */ grantId?: string },
): Promise<ExtensionResult> {
  assertText(input.datasetId, 'datasetId');
  assertText(input.duration, 'duration');
  assertText(input.reason, 'reason');
  const dataset = findDataset(deps.catalog, input.datasetId);
  if (!dataset) throw requestErrors.datasetNotFound(input.datasetId, suggestDatasetIds(deps.catalog, input.datasetId));
  const grant = await repo.findHeldGrant(deps.db, input.userId, dataset.id);
  // an old button or form names a grant that has ended: never act on a newer one instead
  if (input.grantId && grant?.id !== input.grantId) throw extensionErrors.alreadyEnded(dataset.id);
  if (!grant || grant.status !== 'active') throw extensionErrors.notHeld(dataset.id);
  const minutes = parseDurationOrThrow(input.duration);
  const newEnd = addMinutes(grant.endsAt, minutes);
  if (newEnd > latestEnd(grant, dataset)) throw extensionErrors.beyondTotal(dataset.id, dataset.policy.maxTotalMinutes, latestEnd(grant, dataset));
  const now = deps.clock.now();

  // the allowance is per grant and cumulative: past it, an extension needs approval
  const allowance = dataset.policy.selfExtendMinutes;
  if (grant.selfExtendedMinutes + minutes <= allowance) {
    const ids = await deps.db.transaction(async (tx) => {
      const moved = await repo.selfExtendGrant(tx, grant.id, grant.endsAt, newEnd, minutes, allowance);
      if (!moved) throw extensionErrors.changedMeanwhile(dataset.id);
      await appendAudit(
        tx,
        grantEvent(grant, now, input.userId, 'grant.extended', {
          from: grant.endsAt.toISOString(),
          to: newEnd.toISOString(),
          by: 'self',
          selfExtendedMinutes: moved.selfExtendedMinutes,
        }),
      );
      return addToOutbox(tx, now, [outboxMessage('grant_extended', { grantId: grant.id })]);
    });
    await deps.jobs.scheduleExpiry(grant.id, newEnd).catch(() => undefined);
    await deps.jobs.enqueueDeliveries(ids).catch(() => undefined);
    return { kind: 'extended', endsAt: newEnd };
  }

  const reason = validateReason(dataset, input.reason);
  await assertMayRequest(deps, input.userId, dataset);
  const { approvers, required } = await chooseApprovers(deps, dataset, input.userId);
  const id = randomUUID();
  const ids = await deps.db.transaction(async (tx) => {
    const request = await requestsRepo.insertRequest(
      tx,
      {
        id,
        kind: 'extension',
        grantId: grant.id,
        datasetId: dataset.id,
        requesterId: input.userId,
        durationMinutes: minutes,
        reason,
        createdAt: now,
        approvalsRequired: required,
      },
      approvers,
    );
    await appendAudit(tx, {
      at: now,
      actorId: input.userId,
      action: 'request.created',
      subjectType: 'request',
      subjectId: id,
      details: { datasetId: dataset.id, kind: 'extension', grantId: grant.id, durationMinutes: minutes, reason, approvers, approvalsRequired: request.approvalsRequired },
    });
    return addToOutbox(tx, now, approvers.map((approverId) => outboxMessage('approval_request', { requestId: id, approverId })));
  });
  await runAfterDecision(deps, { outboxIds: ids });
  return { kind: 'requested', request: (await loadRequestView(deps, id))! };
}

/** On approval of an extension request: move the grant's end, if it is still active and within policy. */
export async function applyExtension(deps: Deps, tx: Tx, request: AccessRequest, deciderId: string, now: Date): Promise<number[]> {
  const grant = request.grantId ? await repo.findGrant(tx, request.grantId) : undefined;
  const dataset = findDataset(deps.catalog, request.datasetId);
  if (!grant || grant.status !== 'active' || !dataset) {
    await appendAudit(tx, { at: now, actorId: deciderId, action: 'grant.extension_lapsed', subjectType: 'request', subjectId: request.id, details: { grantId: request.grantId } });
    return [];
  }
  const wanted = addMinutes(grant.endsAt, request.durationMinutes);
  const limit = latestEnd(grant, dataset);
  const newEnd = wanted > limit ? limit : wanted;
  await repo.extendGrant(tx, grant.id, grant.endsAt, newEnd);
  await appendAudit(tx, grantEvent(grant, now, deciderId, 'grant.extended', { from: grant.endsAt.toISOString(), to: newEnd.toISOString(), requestId: request.id }));
  // the expiry job wakes at the old end, sees the grant is not due and sleeps until the new one
  return [];
}
