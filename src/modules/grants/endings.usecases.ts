import { findDataset } from '../../catalog/catalog.js';
import { AppError } from '../../shared/errors.js';
import { assertText } from '../../shared/text.js';
import type { Deps } from '../deps.js';
import { requestErrors } from '../requests/requests.errors.js';
import { suggestDatasetIds } from '../requests/requests.rules.js';
import * as repo from './grants.repository.js';
import { startRevoke } from './provisioning.usecases.js';

export const endingErrors = {
  notHeld: (datasetId: string) =>
    new AppError('grants.nothing_to_release', `You have no active access to \`${datasetId}\`, so there is nothing to release.`),
  userHasNone: (userId: string, datasetId: string) =>
    new AppError('grants.user_has_none', `<@${userId}> has no active access to \`${datasetId}\`. Nothing was changed.`),
  notAllowed: (datasetId: string) =>
    new AppError('grants.revoke_not_allowed', `Only the owners of \`${datasetId}\` and the access admins can revoke access to it. Nothing was changed.`),
};

/**
 * Ends an active grant now: `release` by its holder, or `revoke` by an owner or admin (with a
 * reason the holder is told). Access is removed through the connector like at expiry.
 */
async function endNow(deps: Deps, userId: string, datasetId: string, actorId: string, reason: 'released' | 'revoked', note: string | null) {
  const grant = await repo.findHeldGrant(deps.db, userId, datasetId);
  if (!grant || grant.status !== 'active') throw reason === 'released' ? endingErrors.notHeld(datasetId) : endingErrors.userHasNone(userId, datasetId);
  const now = deps.clock.now();
  const started = await deps.db.transaction(async (tx) => {
    await repo.setEndNote(tx, grant.id, actorId, note);
    return startRevoke(deps, tx, grant, reason, actorId, now);
  });
  if (!started) throw reason === 'released' ? endingErrors.notHeld(datasetId) : endingErrors.userHasNone(userId, datasetId);
  if (!started.manual) await deps.jobs.enqueueRevoke(grant.id).catch(() => undefined);
  await deps.jobs.enqueueDeliveries(started.outboxIds).catch(() => undefined);
  return started.grant;
}

export async function releaseGrant(deps: Deps, userId: string, datasetId: string) {
  assertText(datasetId, 'datasetId');
  const dataset = findDataset(deps.catalog, datasetId);
  if (!dataset) throw requestErrors.datasetNotFound(datasetId, suggestDatasetIds(deps.catalog, datasetId));
  return endNow(deps, userId, dataset.id, userId, 'released', null);
}

export async function revokeGrantOf(deps: Deps, actorId: string, userId: string, datasetId: string, reason: string | undefined) {
  assertText(datasetId, 'datasetId');
  assertText(reason, 'revokeReason');
  const dataset = findDataset(deps.catalog, datasetId);
  if (!dataset) throw requestErrors.datasetNotFound(datasetId, suggestDatasetIds(deps.catalog, datasetId));
  if (!dataset.owners.includes(actorId) && !deps.catalog.admins.includes(actorId)) throw endingErrors.notAllowed(dataset.id);
  return endNow(deps, userId, dataset.id, actorId, 'revoked', reason?.trim() || null);
}

/** Release from a button: the button names the grant; it must be the clicker's own. */
export async function releaseGrantById(deps: Deps, userId: string, grantId: string) {
  const grant = await repo.findGrant(deps.db, grantId);
  if (!grant || grant.userId !== userId) throw endingErrors.notHeld('that dataset');
  return endNow(deps, userId, grant.datasetId, userId, 'released', null);
}

/** Revokes a grant because its access review said so (by an owner, or by policy at the deadline). */
export async function revokeForReview(deps: Deps, grantId: string, actorId: string, note: string): Promise<boolean> {
  const grant = await repo.findGrant(deps.db, grantId);
  if (!grant || grant.status !== 'active') return false;
  await endNow(deps, grant.userId, grant.datasetId, actorId, 'revoked', note);
  return true;
}
