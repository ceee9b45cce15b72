/**
 * The grants module as other modules see it: grants are created, extended, ended and read only
 * through what is exported here (slack/ and worker/ call its use cases directly). Grant rows and
 * grant rules stay inside the module.
 */
export { applyExtension, extendWithinAllowance, findGrantToExtend } from './extensions.usecases.js';
export { holderErrors, ownGrant } from './holder.usecases.js';
export { revokeForReview } from './endings.usecases.js';
export {
  findGrant,
  findGrantByRequest,
  findHeldGrant,
  findHeldGrantsFor,
  listGrantsByIds,
  listGrantsIn,
  listHeldGrantsForUser,
  lockGrant,
  type Grant,
} from './grants.repository.js';
export type { GrantStatus } from './grants.table.js';
export { createGrant } from './provisioning.usecases.js';
