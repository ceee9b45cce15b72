import type { KnownBlock } from '@slack/types';
import type { GrantView, RequestView } from '../../modules/notifications/notifications.ports.js';
import { formatDuration } from '../../shared/duration.js';
import { ACTION_IDS, BLOCK_IDS } from '../ids.js';
import { SENSITIVITY_LABEL, context, escapeMrkdwn, formatWhen, mention, plain, section, SLACK_LIMITS, USER_TEXT_MAX, userText } from './format.js';

export interface OutgoingMessage {
  text: string;
  blocks: KnownBlock[];
}

function requestSummary(r: RequestView): string {
  const asks =
    r.kind === 'extension'
      ? `${mention(r.requesterId)} asks to *extend* their access to *${escapeMrkdwn(r.dataset.name)}* (\`${r.dataset.id}\`)`
      : `${mention(r.requesterId)} asks for access to *${escapeMrkdwn(r.dataset.name)}* (\`${r.dataset.id}\`)`;
  const lines = [
    asks,
    `*Sensitivity:* ${SENSITIVITY_LABEL[r.dataset.sensitivity]}`,
    `*${r.kind === 'extension' ? 'By' : 'For'}:* ${formatDuration(r.durationMinutes)}`,
    `*Why:* ${r.reason ? userText(r.reason, USER_TEXT_MAX) : '_no reason given_'}`,
  ];
  return lines.join('\n');
}

/** The bot's own actor id: decisions made by a policy or a deadline, never shown as a mention. */
const SYSTEM = 'system';

function outcomeLine(r: RequestView): string {
  if (r.status === 'approved') {
    const until = r.grantEndsAt ? `; access until ${formatWhen(r.grantEndsAt)}` : '';
    if (r.decidedBy === SYSTEM) return `:white_check_mark: *Approved automatically* by the dataset's policy${until}`;
    return `:white_check_mark: *Approved* by ${mention(r.decidedBy!)}${until}`;
  }
  if (r.status === 'cancelled' && r.kind === 'extension' && r.decidedBy === SYSTEM) {
    return ':lock: *Closed*: the access it would have extended has ended, so there is nothing left to decide';
  }
  if (r.status === 'denied') {
    const why = r.denyReason ? `: “${userText(r.denyReason, USER_TEXT_MAX)}”` : '';
    return `:no_entry: *Denied* by ${mention(r.decidedBy!)}${why}`;
  }
  if (r.status === 'cancelled') return ':heavy_minus_sign: *Cancelled* by the requester';
  if (r.status === 'expired') return ':hourglass: *Expired*: nobody decided in time';
  return ':hourglass_flowing_sand: Waiting for a decision';
}

/** "1 of 2 approvals: @olaf" while more than one approval is needed. */
export function approvalProgress(r: RequestView): string | undefined {
  if (r.approvalsRequired <= 1) return undefined;
  const who = r.approvedBy.length ? `: ${r.approvedBy.map(mention).join(', ')}` : '';
  return `:ballot_box_with_check: ${r.approvedBy.length} of ${r.approvalsRequired} approvals${who}`;
}

/** How long something has waited, to the hour (to the minute under an hour). */
export function formatWait(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return formatDuration(minutes >= 60 ? Math.round(minutes / 60) * 60 : minutes);
}

/** On an escalated request: that it is an escalation, who was asked first and how long it had waited. */
export function escalationLine(r: RequestView): string | undefined {
  if (!r.escalatedAt) return undefined;
  const first = r.askedFirst.length ? r.askedFirst.map(mention).join(', ') : 'its owners';
  return `:rotating_light: *Escalated to the access admins*: ${first} ${r.askedFirst.length === 1 ? 'was' : 'were'} asked first, and nobody decided in ${formatWait(r.escalatedAt.getTime() - r.createdAt.getTime())} (requested ${formatWhen(r.createdAt)}).`;
}

/** The owner's message: with Approve/Deny while pending, and without buttons once decided. */
export function buildApprovalRequestBlocks(r: RequestView): OutgoingMessage {
  const escalation = r.status === 'pending' ? escalationLine(r) : undefined;
  const blocks: KnownBlock[] = [...(escalation ? [section(escalation)] : []), section(requestSummary(r))];
  if (r.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: BLOCK_IDS.decision,
      elements: [
        { type: 'button', action_id: ACTION_IDS.approve, style: 'primary', value: r.id, text: plain('Approve', SLACK_LIMITS.buttonText) },
        { type: 'button', action_id: ACTION_IDS.deny, style: 'danger', value: r.id, text: plain('Deny', SLACK_LIMITS.buttonText) },
      ],
    });
    const progress = approvalProgress(r);
    if (progress) blocks.push(context(progress));
    blocks.push(context(`Requested ${formatWhen(r.createdAt)} · Only owners of this dataset and access admins can decide.`));
  } else {
    blocks.push(context(outcomeLine(r)));
  }
  const state = r.status === 'pending' ? 'needs your decision' : r.status;
  const prefix = escalation ? `Escalated (waiting ${formatWait(r.escalatedAt!.getTime() - r.createdAt.getTime())}): ` : '';
  return { text: `${prefix}Access request for ${r.dataset.name} from <@${r.requesterId}>: ${state}`, blocks };
}

/** The requester's message once their request is decided. */
export function buildDecisionBlocks(r: RequestView, timeZone?: string): OutgoingMessage {
  if (r.status === 'approved' && r.kind === 'extension') {
    const until = r.grantEndsAt ? ` It now lasts until ${formatWhen(r.grantEndsAt, timeZone)}.` : '';
    return {
      text: `Your extension for ${r.dataset.name} was approved`,
      blocks: [section(`:white_check_mark: Your request to extend *${escapeMrkdwn(r.dataset.name)}* was approved ${approvedBy(r)}.${until}`)],
    };
  }
  if (r.status === 'approved') {
    const state = r.grantEndsAt
      ? `You have access until ${formatWhen(r.grantEndsAt, timeZone)}.`
      : 'Your access is being set up; you will get a message as soon as it is ready.';
    return {
      text: `Your access to ${r.dataset.name} was approved`,
      blocks: [
        section(`:white_check_mark: Your request for *${escapeMrkdwn(r.dataset.name)}* was approved ${approvedBy(r)}. ${state}`),
        context('Access ends by itself when it expires. Handle this data with care and only for the reason you gave.'),
      ],
    };
  }
  const why = r.denyReason ? `\n*Reason:* ${userText(r.denyReason, USER_TEXT_MAX)}` : '';
  return {
    text: `Your request for ${r.dataset.name} was denied`,
    blocks: [section(`:no_entry: Your request for *${escapeMrkdwn(r.dataset.name)}* was denied by ${mention(r.decidedBy!)}.${why}`)],
  };
}

/** "by @olaf", or for a decision nobody made by hand, what made it. */
function approvedBy(r: RequestView): string {
  return r.decidedBy === SYSTEM ? "automatically by the dataset's policy" : `by ${mention(r.decidedBy!)}`;
}

export function requestReceivedText(r: RequestView): string {
  if (r.status === 'approved') {
    return `:white_check_mark: Your request for *${escapeMrkdwn(r.dataset.name)}* (${formatDuration(r.durationMinutes)}) was approved ${approvedBy(r)}. Your access is being set up; you will get a message as soon as it is ready.`;
  }
  const who = r.approverIds.map(mention).join(', ');
  return `:inbox_tray: Your request for *${escapeMrkdwn(r.dataset.name)}* (${formatDuration(r.durationMinutes)}) was sent to ${who}. You will get a message when they decide.`;
}

export function buildRequestReceivedBlocks(r: RequestView): OutgoingMessage {
  return { text: `Your request for ${r.dataset.name} was sent`, blocks: [section(requestReceivedText(r))] };
}

export function buildGrantExpiredBlocks(g: GrantView): OutgoingMessage {
  const again = `If you still need it, ask again with \`/access request ${g.dataset.id}\`.`;
  let what = `:lock: Your access to *${escapeMrkdwn(g.dataset.name)}* (\`${g.dataset.id}\`) has ended.`;
  if (g.endReason === 'released') what = `:lock: You released your access to *${escapeMrkdwn(g.dataset.name)}*. Thank you for keeping access small.`;
  if (g.endReason === 'revoked') {
    // the bot revokes on its own only when a policy says so (an access review's deadline); the reason says which
    const by = g.endedBy === SYSTEM ? ' automatically' : g.endedBy ? ` by ${mention(g.endedBy)}` : '';
    const why = g.endNote ? `\n*Reason:* ${userText(g.endNote, USER_TEXT_MAX)}` : '';
    what = `:lock: Your access to *${escapeMrkdwn(g.dataset.name)}* (\`${g.dataset.id}\`) was revoked${by}.${why}`;
  }
  return { text: `Your access to ${g.dataset.name} has ended`, blocks: [section(`${what}\n${again}`)] };
}

export function buildRequestExpiredBlocks(r: RequestView): OutgoingMessage {
  return {
    text: `Your request for ${r.dataset.name} expired`,
    blocks: [
      section(
        `:hourglass: Nobody decided your request for *${escapeMrkdwn(r.dataset.name)}* in time, so it expired. Ask again with \`/access request ${r.dataset.id}\` if you still need it.`,
      ),
    ],
  };
}

export function buildApproverReminderBlocks(r: RequestView): OutgoingMessage {
  return {
    text: `Reminder: ${r.dataset.name} request from <@${r.requesterId}> is waiting for you`,
    blocks: [
      section(
        `:bell: *Reminder:* ${mention(r.requesterId)} is still waiting for a decision on *${escapeMrkdwn(r.dataset.name)}* (asked ${formatWhen(r.createdAt)}). The request with its buttons is in this conversation and on my Home tab.`,
      ),
    ],
  };
}
