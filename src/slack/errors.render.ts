import { auditErrors } from '../modules/audit/audit.usecases.js';
import { hygieneErrors } from '../modules/hygiene/figures.usecases.js';
import { ackErrors } from '../modules/acknowledgements/acknowledgements.usecases.js';
import { endingErrors } from '../modules/grants/endings.usecases.js';
import { extensionErrors } from '../modules/grants/extensions.usecases.js';
import { taskErrors } from '../modules/grants/provisioning.usecases.js';
import { holderErrors } from '../modules/grants/holder.usecases.js';
import { requestErrors } from '../modules/requests/requests.errors.js';
import { reviewErrors } from '../modules/reviews/reviews.usecases.js';
import { formatDuration } from '../shared/duration.js';
import type { AppError } from '../shared/errors.js';
import { standingRefusal } from '../modules/requests/requests.rules.js';
import { textErrors, type TextField } from '../shared/text.js';
import { escapeMrkdwn, fallbackTime, mention } from './blocks/format.js';
import { COMMAND } from './ids.js';
import { viewErrors } from './views.js';

/** Every factory of coded errors the bot can show someone. A new one is added here, and then the table below must render it. */
const ERROR_FACTORIES = [auditErrors, requestErrors, endingErrors, extensionErrors, taskErrors, holderErrors, reviewErrors, ackErrors, textErrors, viewErrors, hygieneErrors] as const;

type ErrorsOf<T> = T extends unknown ? { [K in keyof T]: T[K] extends (...args: never[]) => infer E ? E : never }[keyof T] : never;
/** Every domain error the Slack layer may meet, with its code and typed params. */
export type DomainError = ErrorsOf<(typeof ERROR_FACTORIES)[number]>;
export type ErrorCode = DomainError['code'];
export type ErrorOfCode<C extends ErrorCode> = Extract<DomainError, { code: C }>;

/** The form fields an error can belong to; each form maps them to its own blocks. */
export type FormField = 'dataset' | 'duration' | 'reason';

export interface RenderContext {
  /** The reader's time zone, for times in the text. */
  timeZone?: string;
}

interface Rendering<E extends AppError> {
  /** Slack text (mrkdwn, mentions, `/access` instructions). */
  text: (params: E['params'], ctx: RenderContext) => string;
  /** Where a form shows it; without one, the form's own default field. */
  field?: FormField | ((params: E['params']) => FormField | undefined);
}

const FIELD_OF_INPUT: Record<TextField, FormField | undefined> = {
  datasetId: 'dataset',
  duration: 'duration',
  reason: 'reason',
  denyReason: 'reason',
  revokeReason: 'reason',
  command: undefined,
};

const code = (text: string) => `\`${text}\``;
const time = (date: Date, ctx: RenderContext) => fallbackTime(date, ctx.timeZone);
const standing = (p: { standing: Parameters<typeof standingRefusal>[0] }) => standingRefusal(p.standing) ?? '';

/**
 * How Slack shows each coded error: the compiler checks that every code has an entry, and that
 * each entry reads only the params its error carries.
 */
export const SLACK_ERRORS: { [C in ErrorCode]: Rendering<ErrorOfCode<C>> } = {
  'requests.dataset_not_found': {
    field: 'dataset',
    text: (p) =>
      `There is no dataset called ${code(p.typed)}.` +
      (p.suggestions.length ? ` Did you mean ${p.suggestions.map(code).join(', ')}?` : '') +
      ` Type \`${COMMAND} datasets\` to see them all.`,
  },
  'requests.bad_duration': {
    field: 'duration',
    text: (p) => `${code(p.typed)} is not a duration I understand. Use a number and a unit: \`30m\`, \`4h\`, \`7d\` or \`2w\`.`,
  },
  'requests.duration_too_long': {
    field: 'duration',
    text: (p) => `Access to ${code(p.datasetId)} can be requested for at most ${formatDuration(p.maxMinutes)}. Ask for less; you can request again later.`,
  },
  'requests.reason_required': {
    field: 'reason',
    text: (p) => `${code(p.datasetId)} is ${p.sensitivity}, so a reason is required. Add one: \`${COMMAND} request ${p.datasetId} &lt;duration&gt; &lt;why you need it&gt;\`.`,
  },
  'requests.reason_too_short': {
    field: 'reason',
    text: (p) => `Please say a little more about why you need ${code(p.datasetId)} (at least ${p.min} characters): your approvers decide on it.`,
  },
  'requests.reason_too_long': { field: 'reason', text: (p) => `Please keep the reason under ${p.max} characters.` },
  'requests.not_pending': { text: (p) => `That request is already ${p.status}; nothing to change.` },
  'requests.nothing_to_cancel': { text: (p) => `You have no pending request for ${code(p.datasetId)}. \`${COMMAND} list\` shows what you have.` },
  'requests.already_pending': {
    field: 'dataset',
    text: (p) => `You already have a pending request for ${code(p.datasetId)}. Its approvers have been asked; you will get a message when they decide.`,
  },
  'requests.already_active': {
    field: 'dataset',
    text: (p, ctx) => `You already have access to ${code(p.datasetId)} until ${time(p.until, ctx)}. No new request is needed.`,
  },
  'requests.grant_in_progress': {
    text: (p) =>
      p.status === 'provisioning'
        ? `Your access to ${code(p.datasetId)} is being set up; you will get a message when it is ready.`
        : `Your access to ${code(p.datasetId)} is being removed. Ask again once that is done.`,
  },
  'requests.no_approvers': {
    field: 'dataset',
    text: (p) => `Nobody can approve ${code(p.datasetId)} for you: you are its only owner and the catalog names no other admin. Ask IT to add an approver.`,
  },
  'requests.not_enough_approvers': {
    field: 'dataset',
    text: (p) =>
      `${code(p.datasetId)} needs ${p.required} different approvers, but only ${p.available} ${p.available === 1 ? 'person' : 'people'} other than you can approve it. Nothing was sent. Ask IT to add approvers for it to the catalog.`,
  },
  'requests.not_found': { text: () => 'That request no longer exists.' },
  'requests.own_request': { text: () => 'You cannot decide your own request; another owner or an admin has to.' },
  'requests.not_an_approver': { text: (p) => `Only the owners of ${code(p.datasetId)} and the access admins can decide this request. Nothing was changed.` },
  'requests.not_allowed_to_request': { text: standing },
  'requests.not_allowed_to_decide': { text: standing },
  'requests.acknowledgement_required': {
    text: () =>
      'Before your first request for confidential or restricted data, please read and accept the data-handling policy. Run the command again, or use the form, to see it.',
  },
  'acknowledgements.not_checked': { text: () => 'Please tick the box to confirm you have read the policy.' },
  'acknowledgements.outdated': { text: () => 'The data-handling policy changed while you were reading it. Please open it again.' },
  'acknowledgements.draft_gone': { text: () => 'This form is not valid any more. Please start your request again.' },
  'grants.nothing_to_release': { text: (p) => `You have no active access to ${code(p.datasetId)}, so there is nothing to release.` },
  'grants.user_has_none': { text: (p) => `${mention(p.userId)} has no active access to ${code(p.datasetId)}. Nothing was changed.` },
  'grants.already_ended': {
    text: (p) =>
      p.about === 'release'
        ? `The access to ${code(p.datasetId)} that this button was for has already ended. Nothing was changed; any newer access you hold stays as it is.`
        : `The access to ${code(p.datasetId)} that this was about has already ended, so it cannot be extended. Nothing was changed. \`${COMMAND} list\` shows what you have now.`,
  },
  'grants.unknown_grant': { text: (p) => `There is no access grant with id ${code(escapeMrkdwn(p.grantId))}.` },
  'grants.not_active': { text: (p) => `This access to ${code(p.datasetId)} is ${p.status}, not active, so there is nothing to revoke. Nothing was changed.` },
  'grants.revoke_not_allowed': { text: (p) => `Only the owners of ${code(p.datasetId)} and the access admins can revoke access to it. Nothing was changed.` },
  'grants.not_held': { text: (p) => `You have no active access to ${code(p.datasetId)}. \`${COMMAND} list\` shows what you have.` },
  'grants.extension_beyond_total': {
    text: (p, ctx) => `Access to ${code(p.datasetId)} may last at most ${formatDuration(p.totalMinutes)} in all, so it can be extended until ${time(p.until, ctx)} at the latest.`,
  },
  'grants.changed_meanwhile': { text: (p) => `Your access to ${code(p.datasetId)} changed while I was extending it. Nothing was changed; please try again.` },
  'grants.not_yours': { field: 'duration', text: () => 'That access is not yours or no longer exists.' },
  'grants.not_found': { text: () => 'That access grant no longer exists.' },
  'grants.task_not_allowed': { text: (p) => `Only the owners of ${code(p.datasetId)} and the access admins can confirm this. Nothing was changed.` },
  'grants.own_grant': { text: () => 'You cannot confirm a change to your own access; another owner or an admin has to.' },
  'grants.task_not_manual': { text: (p) => `Access to ${code(p.datasetId)} is set up by its connector, not by hand. Nothing was changed.` },
  'grants.revoke_not_stuck': {
    text: (p) => `Removing this access to ${code(p.datasetId)} is not stuck: the bot is still removing it through its connector. Nothing was changed.`,
  },
  'grants.task_already_done': { text: (p) => `Already done: this access is ${p.status} now. Nothing more to do.` },
  'reviews.not_found': { text: () => 'That review item no longer exists.' },
  'reviews.closed': { text: () => 'That access review is closed; its results are final.' },
  'reviews.campaign_not_found': { text: (p) => (p.campaignId ? `There is no access review with id ${code(p.campaignId)}.` : 'No access review has been started yet.') },
  'audit.not_migrated': { text: () => 'The database has no audit chain yet: start the bot once so its migrations run.' },
  'audit.admins_only': { text: () => 'Only access admins can read the audit trail.' },
  'hygiene.admins_only': { text: () => 'Only access admins can read the hygiene report.' },
  'reviews.not_owner': { text: (p) => `Only the owners of ${code(p.datasetId)} and the access admins can review its grants. Nothing was changed.` },
  'reviews.own_grant': {
    text: (p) => `Nobody reviews their own access: another owner of ${code(p.datasetId)} or an access admin decides on your grant. Nothing was changed.`,
  },
  'reviews.not_admin': { text: () => 'Only access admins can start a review.' },
  'input.control_characters': {
    field: (p) => FIELD_OF_INPUT[p.field],
    text: (p) => `Your ${p.name} contains invisible control characters (often from a copy and paste), which I cannot accept. Please type it again without them. Nothing was saved.`,
  },
  'input.too_long': {
    field: (p) => FIELD_OF_INPUT[p.field],
    text: (p) => `Your ${p.name} is too long: please keep it under ${p.max} characters. Nothing was saved.`,
  },
  'slack.view_too_large': {
    text: () => 'I could not open that form: it would be larger than Slack allows. Nothing was saved. Please try again with a shorter text.',
  },
};

function renderingOf(err: AppError): Rendering<AppError> | undefined {
  return (SLACK_ERRORS as Record<string, Rendering<AppError> | undefined>)[err.code];
}

/** Slack text for a coded error; an error the table does not know (not expected) shows its plain description. */
export function slackErrorText(err: AppError, ctx: RenderContext = {}): string {
  const rendering = renderingOf(err);
  return rendering ? rendering.text(err.params, ctx) : err.description;
}

/** The form field a coded error belongs under, if it names one. */
export function errorField(err: AppError): FormField | undefined {
  const field = renderingOf(err)?.field;
  return typeof field === 'function' ? field(err.params) : field;
}
