import type { KnownBlock } from '@slack/types';
import type { DigestView, ReviewSummary } from '../../modules/notifications/notifications.ports.js';
import { ACTION_IDS } from '../ids.js';
import { context, escapeMrkdwn, formatWhen, mention, plain, section, SLACK_LIMITS, userText } from './format.js';
import type { OutgoingMessage } from './request.blocks.js';

/** The value of a bulk button: which review and which dataset. */
export function bulkValue(campaignId: string, datasetId: string): string {
  return `${campaignId}|${datasetId}`;
}

export function parseBulkValue(value: string): { campaignId: string; datasetId: string } | undefined {
  const m = /^([0-9a-f-]{36})\|([a-z0-9_-]{1,63})$/i.exec(value);
  return m ? { campaignId: m[1]!, datasetId: m[2]! } : undefined;
}

type Item = DigestView['datasets'][number]['items'][number];

/** "1 grant", "2 grants". */
export function grantCount(n: number): string {
  return `${n} grant${n === 1 ? '' : 's'}`;
}

function itemBlocks(item: Item, open: boolean): KnownBlock[] {
  const why = item.reason ? ` · “${userText(item.reason, 300)}”` : '';
  const line = `${mention(item.userId)} since ${formatWhen(item.since)}, until ${formatWhen(item.until)}${why}`;
  if (item.decision) {
    const how = item.automatic ? 'by policy at the deadline' : `by ${mention(item.decidedBy!)}`;
    const what = item.decision === 'keep' ? ':white_check_mark: Kept' : ':no_entry: Revoked';
    return [section(line), context(`${what} ${how}`)];
  }
  if (!open) return [section(line), context('Not decided')];
  return [
    section(line),
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTION_IDS.reviewKeep, value: item.id, text: plain('Keep', SLACK_LIMITS.buttonText) },
        { type: 'button', action_id: ACTION_IDS.reviewRevoke, value: item.id, style: 'danger', text: plain('Revoke', SLACK_LIMITS.buttonText) },
      ],
    },
  ];
}

function datasetHeader(d: DigestView['datasets'][number], campaignId: string, open: boolean): KnownBlock[] {
  const undecided = d.items.filter((i) => !i.decision).length;
  const head = section(`*${escapeMrkdwn(d.name)}* (\`${d.id}\`): ${grantCount(d.items.length)}, ${undecided} to review`);
  if (!open || undecided === 0) return [head];
  return [
    head,
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTION_IDS.reviewKeepAll, value: bulkValue(campaignId, d.id), text: plain('Keep all', SLACK_LIMITS.buttonText) },
        {
          type: 'button',
          action_id: ACTION_IDS.reviewRevokeAll,
          value: bulkValue(campaignId, d.id),
          style: 'danger',
          text: plain('Revoke all', SLACK_LIMITS.buttonText),
          confirm: {
            title: plain('Revoke all?', 100),
            text: { type: 'plain_text', text: `Everyone still to review on ${d.name} loses access now.` },
            confirm: plain('Revoke all', 30),
            deny: plain('Back', 30),
          },
        },
      ],
    },
  ];
}

/**
 * The owner's digest, split into messages of at most 50 blocks. Each dataset header and each grant
 * takes at most two blocks, so the split depends only on which grants are under review: updating
 * a digest redraws the same parts in the same order.
 */
export function buildDigestParts(digest: DigestView): OutgoingMessage[] {
  const units: KnownBlock[][] = [];
  for (const d of digest.datasets) {
    units.push(padTo(datasetHeader(d, digest.campaignId, digest.open), 2));
    for (const item of d.items) units.push(padTo(itemBlocks(item, digest.open), 2));
  }
  const intro = digest.open
    ? `:mag: *Weekly access review.* Please keep or revoke each grant below by ${formatWhen(digest.deadline)}. What nobody reviews follows the dataset's policy.`
    : ':lock: *This access review is closed.* Thank you.';
  const perPart = SLACK_LIMITS.messageBlocks - 2;
  const parts: OutgoingMessage[] = [];
  for (let i = 0; i < units.length || parts.length === 0; ) {
    const blocks: KnownBlock[] = [section(parts.length === 0 ? intro : ':mag: *Weekly access review* (continued)')];
    while (i < units.length && blocks.length + units[i]!.length <= perPart) blocks.push(...units[i++]!);
    parts.push({ text: 'Weekly access review', blocks });
    if (i >= units.length) break;
  }
  return parts.map((p, index) => ({ ...p, blocks: [...p.blocks, context(`Part ${index + 1} of ${parts.length}`)] }));
}

/** Keeps each unit the same size whatever its state, so parts stay stable as decisions come in. */
function padTo(blocks: KnownBlock[], size: number): KnownBlock[] {
  const out = [...blocks];
  while (out.length < size) out.push({ type: 'divider' });
  return out;
}

export function buildReviewReminderBlocks(digest: DigestView): OutgoingMessage {
  const n = digest.datasets.reduce((sum, d) => sum + d.items.length, 0);
  return {
    text: `Reminder: ${grantCount(n)} still to review`,
    blocks: [
      section(
        `:bell: *Reminder:* ${grantCount(n)} ${n === 1 ? 'still waits' : 'still wait'} for your review, and the review closes ${formatWhen(digest.deadline)}. ` +
          'Your digest above has the buttons, and so does `/access review`.',
      ),
    ],
  };
}

export function buildReviewSummaryBlocks(s: ReviewSummary): OutgoingMessage {
  const trend =
    s.previousTotal === null
      ? 'No earlier review to compare with.'
      : s.total > s.previousTotal
        ? `:chart_with_upwards_trend: Standing access grew: ${grantCount(s.total)} under review, up from ${s.previousTotal} last time.`
        : s.total < s.previousTotal
          ? `:chart_with_downwards_trend: Standing access shrank: ${grantCount(s.total)} under review, down from ${s.previousTotal} last time.`
          : `Standing access is steady at ${grantCount(s.total)}.`;
  const silent = s.silentOwners.length ? s.silentOwners.map(mention).join(', ') : 'none';
  const partial = (s.partialOwners ?? []).length
    ? s.partialOwners!.map((p) => `${mention(p.userId)} (${grantCount(p.undecided)} left to the deadline)`).join(', ')
    : 'none';
  return {
    text: `Access review summary: ${s.kept} kept, ${s.revoked + s.autoRevoked} revoked`,
    blocks: [
      section(`:bar_chart: *Access review started ${formatWhen(s.startedAt)}: summary*`),
      section(
        [
          `*Grants under review:* ${s.total}`,
          `*Reviewed by owners:* ${s.reviewed} (kept ${s.kept}, revoked ${s.revoked})`,
          `*Revoked at the deadline by policy:* ${s.autoRevoked}`,
          `*Kept at the deadline by policy:* ${s.autoKept}`,
          `*Reviewers who answered none of their grants:* ${silent}`,
          `*Reviewers who answered part of their grants:* ${partial}`,
        ].join('\n'),
      ),
      context(trend),
    ],
  };
}
