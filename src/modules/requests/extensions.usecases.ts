import { catalogErrors } from '../../catalog/catalog.errors.js';
import { findDataset, suggestDatasetIds } from '../../catalog/catalog.js';
import { assertText, textErrors, textProblem } from '../../shared/text.js';
import { extendWithinAllowance, findGrantToExtend, holderErrors, ownGrant } from '../grants/index.js';
import type { RequestView } from '../notifications/notifications.ports.js';
import { openRequest, parseDurationOrThrow, validateReason, type OpenRequestDeps } from './requests.usecases.js';

export type ExtensionResult = { kind: 'extended'; endsAt: Date } | { kind: 'requested'; request: RequestView };

/**
 * `/access extend <dataset> <duration> [reason]`: moves the end of the caller's active grant.
 * Within the dataset's self-extension allowance the grants module does it at once; otherwise it
 * is a request to the approvers, made like any other request. The new end never passes the
 * policy's maximum total duration.
 */
export async function requestExtension(
  deps: OpenRequestDeps,
  input: { userId: string; datasetId: string; duration: string; reason?: string; /** set when a button or form named one grant */ grantId?: string },
): Promise<ExtensionResult> {
  assertText(input.datasetId, 'datasetId');
  assertText(input.duration, 'duration');
  if (textProblem(input.reason, 'reason') === 'control_characters') throw textErrors.controlCharacters('reason');
  const dataset = findDataset(deps.catalog, input.datasetId);
  if (!dataset) throw catalogErrors.datasetNotFound(input.datasetId, suggestDatasetIds(deps.catalog, input.datasetId));
  const grant = await findGrantToExtend(deps, input.userId, dataset, input.grantId);
  const minutes = parseDurationOrThrow(input.duration);
  const extended = await extendWithinAllowance(deps, grant, dataset, minutes, input.userId);
  if (extended.kind === 'extended') return extended;

  const reason = validateReason(dataset, input.reason);
  const request = await openRequest(deps, { kind: 'extension', grant, dataset, requesterId: input.userId, minutes, reason });
  return { kind: 'requested', request };
}

/** The extend form: extends the grant it was opened for, which must be the submitter's. */
export async function extendGrantById(
  deps: OpenRequestDeps,
  input: { userId: string; grantId: string; duration: string; reason?: string },
): Promise<ExtensionResult & { datasetId: string }> {
  const grant = await ownGrant(deps, input.userId, input.grantId);
  if (!grant) throw holderErrors.notYours();
  const result = await requestExtension(deps, { userId: input.userId, datasetId: grant.datasetId, grantId: grant.id, duration: input.duration, reason: input.reason });
  return { ...result, datasetId: grant.datasetId };
}
