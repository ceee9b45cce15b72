import { findDataset, type Dataset } from '../../catalog/catalog.js';
import type { Tx } from '../../shared/db/client.js';
import { formatDuration } from '../../shared/duration.js';
import { domainError } from '../../shared/errors.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import * as repo from './grants.repository.js';
import type { Grant } from './grants.repository.js';
import { approvedEnd, latestEnd, requestedEnd, withinSelfExtension } from './grants.rules.js';
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

/**
 * The person's active grant of a dataset, the one an extension is about. When a button or form
 * named one grant (`grantId`) and it has ended, this refuses rather than act on a newer grant.
 */
export async function findGrantToExtend(deps: Pick<Deps, 'db'>, userId: string, dataset: Dataset, grantId?: string): Promise<Grant> {
  const grant = await repo.findHeldGrant(deps.db, userId, dataset.id);
  // an old button or form names a grant that has ended: never act on a newer one instead
  if (grantId && grant?.id !== grantId) throw extensionErrors.alreadyEnded(dataset.id);
  if (!grant || grant.status !== 'active') throw extensionErrors.notHeld(dataset.id);
  return grant;
}

export type SelfExtension = { kind: 'extended'; endsAt: Date } | { kind: 'needs_approval' };

/**
 * Moves the end of an active grant by `minutes` at once when that stays within the dataset's
 * self-extension allowance (cumulative per grant); past it, the extension needs approval and
 * nothing changes here. Either way the new end may never pass the policy's maximum total duration.
 */
export async function extendWithinAllowance(deps: Pick<Deps, 'db' | 'clock' | 'jobs'>, grant: Grant, dataset: Dataset, minutes: number, actorId: string): Promise<SelfExtension> {
  const newEnd = requestedEnd(grant, minutes, dataset.policy);
  if (!newEnd) throw extensionErrors.beyondTotal(dataset.id, dataset.policy.maxTotalMinutes, latestEnd(grant, dataset.policy));
  if (!withinSelfExtension(grant, minutes, dataset.policy)) return { kind: 'needs_approval' };
  const allowance = dataset.policy.selfExtendMinutes;
  const now = deps.clock.now();
  const ids = await deps.db.transaction(async (tx) => {
    const moved = await repo.selfExtendGrant(tx, grant.id, grant.endsAt, newEnd, minutes, allowance);
    if (!moved) throw extensionErrors.changedMeanwhile(dataset.id);
    await appendAudit(
      tx,
      grantEvent(grant, now, actorId, 'grant.extended', {
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

/** An approved extension request, as the grants module needs it. */
export interface ApprovedExtension {
  requestId: string;
  grantId: string | null;
  datasetId: string;
  durationMinutes: number;
}

/** On approval of an extension request: move the grant's end, if it is still active and within policy. */
export async function applyExtension(deps: Pick<Deps, 'catalog'>, tx: Tx, extension: ApprovedExtension, deciderId: string, now: Date): Promise<{ newEnd?: { grantId: string; endsAt: Date } }> {
  const grant = extension.grantId ? await repo.findGrant(tx, extension.grantId) : undefined;
  const dataset = findDataset(deps.catalog, extension.datasetId);
  if (!grant || grant.status !== 'active' || !dataset) {
    await appendAudit(tx, { at: now, actorId: deciderId, action: 'grant.extension_lapsed', subjectType: 'request', subjectId: extension.requestId, details: { grantId: extension.grantId } });
    return {};
  }
  const newEnd = approvedEnd(grant, extension.durationMinutes, dataset.policy);
  await repo.extendGrant(tx, grant.id, grant.endsAt, newEnd);
  await appendAudit(tx, grantEvent(grant, now, deciderId, 'grant.extended', { from: grant.endsAt.toISOString(), to: newEnd.toISOString(), requestId: extension.requestId }));
  // the old end's wake-up finds the grant not due: the new end needs its own, scheduled once committed
  return { newEnd: { grantId: grant.id, endsAt: newEnd } };
}
