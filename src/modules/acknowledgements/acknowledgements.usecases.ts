import { isSensitive, type Dataset } from '../../catalog/catalog.js';
import { domainError } from '../../shared/errors.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import * as repo from './acknowledgements.repository.js';

export const ackErrors = {
  required: () =>
    domainError(
      'requests.acknowledgement_required',
      {},
      'Before your first request for confidential or restricted data, please read and accept the data-handling policy.',
    ),
  notChecked: () => domainError('acknowledgements.not_checked', {}, 'Please tick the box to confirm you have read the policy.'),
  outdated: () => domainError('acknowledgements.outdated', {}, 'The data-handling policy changed while you were reading it. Please open it again.'),
  /** The request held behind the policy is gone (sent already, or older than a day). */
  draftGone: () => domainError('acknowledgements.draft_gone', {}, 'This form is not valid any more. Please start your request again.'),
};

/**
 * True when the person must (re)accept the data-handling policy before asking for this dataset:
 * it is confidential or restricted, and they have not accepted the current version within the
 * re-acknowledgement period.
 */
export async function needsAcknowledgement(deps: Pick<Deps, 'db' | 'catalog' | 'clock'>, userId: string, dataset: Dataset): Promise<boolean> {
  const policy = deps.catalog.handlingPolicy;
  if (!policy || !isSensitive(dataset)) return false;
  const latest = await repo.lastAcknowledged(deps.db, userId, policy.version);
  if (!latest) return true;
  const age = deps.clock.now().getTime() - latest.getTime();
  return age > policy.reacknowledgeAfterDays * 24 * 3600_000;
}

/** Records that the person accepted `version`; it must be the current one. */
export async function acknowledgePolicy(deps: Pick<Deps, 'db' | 'catalog' | 'clock'>, userId: string, version: string): Promise<void> {
  const policy = deps.catalog.handlingPolicy;
  if (!policy || policy.version !== version) throw ackErrors.outdated();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await repo.saveAcknowledgement(tx, userId, version, now);
    await appendAudit(tx, { at: now, actorId: userId, action: 'policy.acknowledged', subjectType: 'person', subjectId: userId, details: { version } });
  });
}
