import { findDataset } from '../../catalog/catalog.js';
import { domainError } from '../../shared/errors.js';
import type { Deps } from '../deps.js';
import * as repo from './grants.repository.js';

/** What a holder does from a button or form that names one of their grants. */
export const holderErrors = {
  notYours: () => domainError('grants.not_yours', {}, 'That access is not yours or no longer exists.'),
};

const GRANT_ID_RE = /^[0-9a-f-]{36}$/i;

/** The grant a button or form names, when it is the person's own (any state). */
export async function ownGrant(deps: Pick<Deps, 'db'>, userId: string, grantId: string) {
  const grant = GRANT_ID_RE.test(grantId) ? await repo.findGrant(deps.db, grantId) : undefined;
  return grant && grant.userId === userId ? grant : undefined;
}

/**
 * The Extend button: the grant it names, when it is the clicker's and still active; otherwise that
 * it has ended (naming the dataset only to its holder).
 */
export async function findExtendableGrant(
  deps: Pick<Deps, 'db' | 'catalog'>,
  userId: string,
  grantId: string,
): Promise<{ kind: 'extendable'; grantId: string; datasetName: string } | { kind: 'ended'; datasetId?: string }> {
  const grant = await ownGrant(deps, userId, grantId);
  if (!grant || grant.status !== 'active') return { kind: 'ended', datasetId: grant?.datasetId };
  return { kind: 'extendable', grantId: grant.id, datasetName: findDataset(deps.catalog, grant.datasetId)?.name ?? grant.datasetId };
}
