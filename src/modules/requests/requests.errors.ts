import { AppError } from '../../shared/errors.js';
import { formatDuration } from '../../shared/duration.js';
import { quoteTyped } from '../../shared/text.js';

/** Every refusal a requester or approver can meet, with what to do about it. */
export const requestErrors = {
  badDuration: (typed: string) =>
    new AppError(
      'requests.bad_duration',
      `\`${quoteTyped(typed, 20)}\` is not a duration I understand. Use a number and a unit: \`30m\`, \`4h\`, \`7d\` or \`2w\`.`,
    ),
  durationTooLong: (datasetId: string, maxMinutes: number) =>
    new AppError(
      'requests.duration_too_long',
      `Access to \`${datasetId}\` can be requested for at most ${formatDuration(maxMinutes)}. Ask for less; you can request again later.`,
    ),
  reasonRequired: (datasetId: string, sensitivity: string) =>
    new AppError(
      'requests.reason_required',
      `\`${datasetId}\` is ${sensitivity}, so a reason is required. Add one: \`/access request ${datasetId} <duration> <why you need it>\`.`,
    ),
  reasonTooShort: (datasetId: string, min: number) =>
    new AppError(
      'requests.reason_too_short',
      `Please say a little more about why you need \`${datasetId}\` (at least ${min} characters): your approvers decide on it.`,
    ),
  notPending: (status: string) => new AppError('requests.not_pending', `That request is already ${status}; nothing to change.`),
  nothingToCancel: (datasetId: string) =>
    new AppError('requests.nothing_to_cancel', `You have no pending request for \`${quoteTyped(datasetId, 64)}\`. \`/access list\` shows what you have.`),
  reasonTooLong: (max: number) => new AppError('requests.reason_too_long', `Please keep the reason under ${max} characters.`),
  alreadyPending: (datasetId: string) =>
    new AppError(
      'requests.already_pending',
      `You already have a pending request for \`${datasetId}\`. Its approvers have been asked; you will get a message when they decide.`,
    ),
  alreadyActive: (datasetId: string, endsAt: Date) =>
    // {until} is filled in by whoever shows the message, in the reader's time zone.
    new AppError('requests.already_active', `You already have access to \`${datasetId}\` until {until}. No new request is needed.`, {
      until: endsAt.toISOString(),
    }),
  grantInProgress: (datasetId: string, status: string) =>
    new AppError(
      'requests.grant_in_progress',
      status === 'provisioning'
        ? `Your access to \`${datasetId}\` is being set up; you will get a message when it is ready.`
        : `Your access to \`${datasetId}\` is being removed. Ask again once that is done.`,
    ),
  noApprovers: (datasetId: string) =>
    new AppError(
      'requests.no_approvers',
      `Nobody can approve \`${datasetId}\` for you: you are its only owner and the catalog names no other admin. Ask IT to add an approver.`,
    ),
  notEnoughApprovers: (datasetId: string, required: number, available: number) =>
    new AppError(
      'requests.not_enough_approvers',
      `\`${datasetId}\` needs ${required} different approvers, but only ${available} ${available === 1 ? 'person' : 'people'} other than you can approve it. Nothing was sent. Ask IT to add approvers for it to the catalog.`,
      { required, available },
    ),
  notFound: () => new AppError('requests.not_found', 'That request no longer exists.'),
  ownRequest: () => new AppError('requests.own_request', 'You cannot decide your own request; another owner or an admin has to.'),
  notAnApprover: (datasetId: string) =>
    new AppError(
      'requests.not_an_approver',
      `Only the owners of \`${datasetId}\` and the access admins can decide this request. Nothing was changed.`,
    ),
} as const;
