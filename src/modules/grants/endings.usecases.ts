import { catalogErrors } from '../../catalog/catalog.errors.js';
import { findDataset, suggestDatasetIds } from '../../catalog/catalog.js';
import { actorId, isOperator, type Actor } from '../../shared/actor.js';
import { domainError, type AppError } from '../../shared/errors.js';
import { assertText } from '../../shared/text.js';
import type { Deps } from '../deps.js';
import * as repo from './grants.repository.js';
import type { Grant } from './grants.repository.js';
import { revokeStarted, startRevoke } from './provisioning.usecases.js';

/** The ports ending a grant uses. */
type EndingDeps = Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'onGrantEnding'>;

export const endingErrors = {
  notHeld: (datasetId: string) =>
    domainError('grants.nothing_to_release', { datasetId }, `You have no active access to ${datasetId}, so there is nothing to release.`),
  userHasNone: (userId: string, datasetId: string) =>
    domainError('grants.user_has_none', { userId, datasetId }, `That person has no active access to ${datasetId}. Nothing was changed.`),
  alreadyEnded: (datasetId: string) =>
    domainError(
      'grants.already_ended',
      { datasetId, about: 'release' as 'release' | 'extend' },
      `The access to ${datasetId} that this button was for has already ended. Nothing was changed; any newer access you hold stays as it is.`,
    ),
  notAllowed: (datasetId: string) =>
    domainError('grants.revoke_not_allowed', { datasetId }, `Only the owners of ${datasetId} and the access admins can revoke access to it. Nothing was changed.`),
  unknownGrant: (grantId: string) => domainError('grants.unknown_grant', { grantId }, `There is no access grant with id ${grantId}.`),
  notActive: (datasetId: string, status: string) =>
    domainError('grants.not_active', { datasetId, status }, `This access to ${datasetId} is ${status}, not active, so there is nothing to revoke. Nothing was changed.`),
};

/**
 * Ends one active grant now: `release` by its holder, or `revoke` by an owner or admin (with a
 * reason the holder is told). Access is removed through the connector like at expiry. Acts on
 * exactly the grant given; the state change is guarded (active → revoking) in SQL.
 */
async function endNow(deps: EndingDeps, grant: Grant | undefined, actorId: string, reason: 'released' | 'revoked', note: string | null, refusal: () => AppError) {
  if (!grant || grant.status !== 'active') throw refusal();
  const now = deps.clock.now();
  const started = await deps.db.transaction(async (tx) => {
    await repo.setEndNote(tx, grant.id, actorId, note);
    return startRevoke(deps, tx, grant, reason, actorId, now);
  });
  if (!started) throw refusal();
  if (!started.manual) await deps.jobs.enqueueRevoke(grant.id).catch(() => undefined);
  await deps.jobs.enqueueDeliveries(started.outboxIds).catch(() => undefined);
  return started.grant;
}

export async function releaseGrant(deps: EndingDeps, userId: string, datasetId: string) {
  assertText(datasetId, 'datasetId');
  const dataset = findDataset(deps.catalog, datasetId);
  if (!dataset) throw catalogErrors.datasetNotFound(datasetId, suggestDatasetIds(deps.catalog, datasetId));
  const grant = await repo.findHeldGrant(deps.db, userId, dataset.id);
  return endNow(deps, grant, userId, 'released', null, () => endingErrors.notHeld(dataset.id));
}

export async function revokeGrantOf(deps: EndingDeps, actorId: string, userId: string, datasetId: string, reason: string | undefined) {
  assertText(datasetId, 'datasetId');
  assertText(reason, 'revokeReason');
  const dataset = findDataset(deps.catalog, datasetId);
  if (!dataset) throw catalogErrors.datasetNotFound(datasetId, suggestDatasetIds(deps.catalog, datasetId));
  if (!dataset.owners.includes(actorId) && !deps.catalog.admins.includes(actorId)) throw endingErrors.notAllowed(dataset.id);
  const grant = await repo.findHeldGrant(deps.db, userId, dataset.id);
  return endNow(deps, grant, actorId, 'revoked', reason?.trim() || null, () => endingErrors.userHasNone(userId, dataset.id));
}

/**
 * Revokes one grant named by its id, with a reason the holder is told: an owner of its dataset or
 * an admin, or an operator (the admin CLI). The same path as `/access revoke`.
 */
export async function revokeGrantById(deps: EndingDeps, actor: Actor, grantId: string, reason: string) {
  assertText(reason, 'revokeReason');
  const grant = await repo.findGrant(deps.db, grantId.trim());
  if (!grant) throw endingErrors.unknownGrant(grantId.trim().slice(0, 64));
  const id = actorId(actor);
  if (!isOperator(actor) && !deps.catalog.admins.includes(id) && !(findDataset(deps.catalog, grant.datasetId)?.owners ?? []).includes(id)) {
    throw endingErrors.notAllowed(grant.datasetId);
  }
  return endNow(deps, grant, id, 'revoked', reason.trim() || null, () => endingErrors.notActive(grant.datasetId, grant.status));
}

/**
 * Release from a button: the button names one grant; it must be the clicker's own and still
 * active. An old button for a grant that has ended never touches a newer grant of the same dataset.
 */
export async function releaseGrantById(deps: EndingDeps, userId: string, grantId: string) {
  const grant = /^[0-9a-f-]{36}$/i.test(grantId) ? await repo.findGrant(deps.db, grantId) : undefined;
  if (!grant || grant.userId !== userId) throw endingErrors.notHeld('that dataset');
  return endNow(deps, grant, userId, 'released', null, () => endingErrors.alreadyEnded(grant.datasetId));
}

/** Revokes a grant because its access review said so (by an owner, or by policy at the deadline). */
/** Grants a review revokes per transaction. */
const REVIEW_REVOKE_BATCH = 500;

/**
 * Revokes the grants an access review did not keep, those still active among `grantIds`, in
 * bounded batches: each one transaction (the guarded change active → revoking, the other modules'
 * hook and one audit event per grant, owners' tasks for manual datasets), then the revoke jobs of
 * the batch added together and its messages handed over. Returns how many it started.
 */
export async function revokeForReview(deps: EndingDeps, grantIds: string[], actorId: string, note: string): Promise<number> {
  let started = 0;
  for (let i = 0; i < grantIds.length; i += REVIEW_REVOKE_BATCH) {
    const ids = grantIds.slice(i, i + REVIEW_REVOKE_BATCH);
    const now = deps.clock.now();
    const batch = await deps.db.transaction(async (tx) => {
      const rows = await repo.beginRevokes(tx, ids, actorId, note);
      return { rows, outboxIds: await revokeStarted(deps, tx, rows, 'revoked', actorId, now) };
    });
    started += batch.rows.length;
    await deps.jobs.enqueueRevokes(batch.rows.filter((g) => deps.connectors.forDataset(g.datasetId).kind !== 'manual').map((g) => g.id)).catch(() => undefined);
    await deps.jobs.enqueueDeliveries(batch.outboxIds).catch(() => undefined);
  }
  return started;
}
