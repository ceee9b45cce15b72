import { findDataset, reasonRequired, type HandlingPolicy } from '../../catalog/catalog.js';
import { ackErrors, acknowledgePolicy, needsAcknowledgement } from '../acknowledgements/acknowledgements.usecases.js';
import type { RequestView } from '../notifications/notifications.ports.js';
import { dropRequestDraft, findRequestDraft, holdRequestDraft } from './drafts.usecases.js';
import { assertMayRequest, createRequest, validateRequest, type NewRequestInput, type OpenRequestDeps } from './requests.usecases.js';

/** What became of a request someone submitted; the front end only shows it. */
export type SubmitResult =
  /** Not enough to go on (no dataset, or a reason the dataset requires): finish it in the form, with what was typed. */
  | { kind: 'needs_form'; prefill: { datasetId?: string; duration?: string } }
  /** A first request for sensitive data waits behind the data-handling policy; it is held as `draftId`. */
  | { kind: 'needs_acknowledgement'; policy: HandlingPolicy; draftId: string }
  | { kind: 'created'; request: RequestView };

/**
 * Submits a request: a typed command that misses what the form would ask for goes to the form;
 * mistakes, and people who may not have the data, are refused before anything is held; a first request for sensitive data is held while
 * its requester reads the policy; otherwise the request is created.
 */
export async function submitRequest(deps: OpenRequestDeps, input: NewRequestInput): Promise<SubmitResult> {
  if (input.via === 'command') {
    if (!input.datasetId) return { kind: 'needs_form', prefill: {} };
    const dataset = findDataset(deps.catalog, input.datasetId);
    if (dataset && reasonRequired(dataset) && !input.reason) return { kind: 'needs_form', prefill: { datasetId: dataset.id, duration: input.duration } };
  }
  const { dataset } = validateRequest(deps, input);
  // someone who may not have the data is told so now, not after reading the policy for it
  await assertMayRequest(deps, input.requesterId, dataset);
  const policy = deps.catalog.handlingPolicy;
  if (policy && (await needsAcknowledgement(deps, input.requesterId, dataset))) {
    const draftId = await holdRequestDraft(deps, input.requesterId, { datasetId: dataset.id, duration: input.duration, reason: input.reason, policyVersion: policy.version });
    return { kind: 'needs_acknowledgement', policy, draftId };
  }
  return { kind: 'created', request: await createRequest(deps, input) };
}

/**
 * The requester accepted the policy: records it (with its version) and sends the request that was
 * held behind it. The held request is dropped only when both worked.
 */
export async function submitHeldRequest(deps: OpenRequestDeps, userId: string, draftId: string): Promise<RequestView> {
  const held = await findRequestDraft(deps, userId, draftId);
  if (!held) throw ackErrors.draftGone();
  await acknowledgePolicy(deps, userId, held.policyVersion);
  const request = await createRequest(deps, { requesterId: userId, datasetId: held.datasetId, duration: held.duration ?? undefined, reason: held.reason ?? undefined, via: 'form' });
  await dropRequestDraft(deps, held.id);
  return request;
}
