import { domainError } from '../../shared/errors.js';
import { catalogErrors } from '../../catalog/catalog.errors.js';
import { formatDuration } from '../../shared/duration.js';
import { quoteTyped } from '../../shared/text.js';
import { standingRefusal, type Standing } from './requests.rules.js';

/**
 * Every refusal a requester or approver can meet. Each carries a code, typed params and a plain
 * description; front ends add their own markup and instructions (Slack: src/slack/errors.render.ts).
 */
export const requestErrors = {
  /** the catalog's own refusal, also met when a request names an unknown dataset */
  datasetNotFound: catalogErrors.datasetNotFound,
  badDuration: (typed: string) => {
    const shown = quoteTyped(typed, 20);
    return domainError('requests.bad_duration', { typed: shown }, `"${shown}" is not a duration I understand. Use a number and a unit: 30m, 4h, 7d or 2w.`);
  },
  durationTooLong: (datasetId: string, maxMinutes: number) =>
    domainError(
      'requests.duration_too_long',
      { datasetId, maxMinutes },
      `Access to ${datasetId} can be requested for at most ${formatDuration(maxMinutes)}. Ask for less; you can request again later.`,
    ),
  reasonRequired: (datasetId: string, sensitivity: string) =>
    domainError('requests.reason_required', { datasetId, sensitivity }, `${datasetId} is ${sensitivity}, so a reason is required.`),
  reasonTooShort: (datasetId: string, min: number) =>
    domainError(
      'requests.reason_too_short',
      { datasetId, min },
      `Please say a little more about why you need ${datasetId} (at least ${min} characters): your approvers decide on it.`,
    ),
  notPending: (status: string) => domainError('requests.not_pending', { status }, `That request is already ${status}; nothing to change.`),
  nothingToCancel: (datasetId: string) => {
    const shown = quoteTyped(datasetId, 64);
    return domainError('requests.nothing_to_cancel', { datasetId: shown }, `You have no pending request for "${shown}".`);
  },
  reasonTooLong: (max: number) => domainError('requests.reason_too_long', { max }, `Please keep the reason under ${max} characters.`),
  alreadyPending: (datasetId: string) =>
    domainError(
      'requests.already_pending',
      { datasetId },
      `You already have a pending request for ${datasetId}. Its approvers have been asked; you will get a message when they decide.`,
    ),
  alreadyActive: (datasetId: string, endsAt: Date) =>
    domainError('requests.already_active', { datasetId, until: endsAt }, `You already have access to ${datasetId} until ${endsAt.toISOString()}. No new request is needed.`),
  grantInProgress: (datasetId: string, status: string) =>
    domainError(
      'requests.grant_in_progress',
      { datasetId, status },
      status === 'provisioning'
        ? `Your access to ${datasetId} is being set up; you will get a message when it is ready.`
        : `Your access to ${datasetId} is being removed. Ask again once that is done.`,
    ),
  noApprovers: (datasetId: string) =>
    domainError(
      'requests.no_approvers',
      { datasetId },
      `Nobody can approve ${datasetId} for you: you are its only owner and the catalog names no other admin. Ask IT to add an approver.`,
    ),
  notEnoughApprovers: (datasetId: string, required: number, available: number) =>
    domainError(
      'requests.not_enough_approvers',
      { datasetId, required, available },
      `${datasetId} needs ${required} different approvers, but only ${available} ${available === 1 ? 'person' : 'people'} other than you can approve it. Nothing was sent. Ask IT to add approvers for it to the catalog.`,
    ),
  notFound: () => domainError('requests.not_found', {}, 'That request no longer exists.'),
  ownRequest: () => domainError('requests.own_request', {}, 'You cannot decide your own request; another owner or an admin has to.'),
  notAnApprover: (datasetId: string) =>
    domainError('requests.not_an_approver', { datasetId }, `Only the owners of ${datasetId} and the access admins can decide this request. Nothing was changed.`),
  /** Guests, deactivated accounts and bots may not ask for sensitive data. */
  notAllowedToRequest: (standing: Exclude<Standing, 'member'>) =>
    domainError('requests.not_allowed_to_request', { standing }, standingRefusal(standing)!),
  notAllowedToDecide: (standing: Exclude<Standing, 'member'>) =>
    domainError('requests.not_allowed_to_decide', { standing }, standingRefusal(standing)!),
} as const;
