import type { Deps } from '../deps.js';
import * as repo from './requests.repository.js';
import type { AccessRequest, RequestFilter } from './requests.repository.js';

export type { RequestFilter } from './requests.repository.js';

/** Requests by person, dataset, state and date (for operators; reading changes nothing). */
export async function findRequests(deps: Pick<Deps, 'db'>, filter: RequestFilter): Promise<AccessRequest[]> {
  return repo.listRequests(deps.db, filter);
}
