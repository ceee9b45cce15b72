import type { Deps } from '../deps.js';
import * as repo from './grants.repository.js';
import type { Grant, GrantFilter } from './grants.repository.js';

export type { GrantFilter } from './grants.repository.js';

/** Grants by person, dataset, state and end (for operators; reading changes nothing). */
export async function findGrants(deps: Pick<Deps, 'db'>, filter: GrantFilter): Promise<Grant[]> {
  return repo.listGrants(deps.db, filter);
}

export interface TroubledGrant {
  grant: Grant;
  /** `stuck_revoke`: its connector's retries ran out; `manual_revoke`: waiting for an owner's Done; `failed`: never given */
  trouble: 'stuck_revoke' | 'manual_revoke' | 'failed';
}

/**
 * What needs a person: revokes stuck after their retries (resolved by "I removed it by hand" once
 * the access is gone), manual revokes still to do, and grants the target system never gave.
 */
export async function troubledGrants(deps: Pick<Deps, 'db' | 'connectors'>, limit: number): Promise<TroubledGrant[]> {
  const stuck = await repo.listStuckRevokes(deps.db, limit);
  const failed = await repo.listFailedGrants(deps.db, limit);
  return [
    ...stuck.map((grant) => ({ grant, trouble: deps.connectors.forDataset(grant.datasetId).kind === 'manual' ? ('manual_revoke' as const) : ('stuck_revoke' as const) })),
    ...failed.map((grant) => ({ grant, trouble: 'failed' as const })),
  ];
}
