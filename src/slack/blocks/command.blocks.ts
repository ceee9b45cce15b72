import type { KnownBlock } from '@slack/types';
import type { Catalog } from '../../catalog/catalog.js';
import type { MyAccess } from '../../modules/requests/requests.usecases.js';
import { formatDuration } from '../../shared/duration.js';
import { COMMAND } from '../ids.js';
import { SENSITIVITY_LABEL, escapeMrkdwn, formatWhen, linesToSections, mention, section, SLACK_LIMITS } from './format.js';

export interface EphemeralReply {
  text: string;
  blocks?: KnownBlock[];
}

/**
 * The usage text, sent as the message's `text` alone (a section block repeating it would double
 * every answer's size for nothing shown); the same for everyone.
 */
export const HELP_TEXT = [
  '*Data Access Bot* gives you access to data for as long as you need it, and no longer.',
  `• \`${COMMAND} request &lt;dataset&gt; [duration] [reason…]\` ask for access, e.g. \`${COMMAND} request crm-contacts 7d campaign QA\``,
  `• \`${COMMAND}\` open the request form`,
  `• \`${COMMAND} list\` your pending requests and active access`,
  `• \`${COMMAND} extend &lt;dataset&gt; &lt;duration&gt; [reason…]\` ask for more time on access you have`,
  `• \`${COMMAND} release &lt;dataset&gt;\` give access back now that you are done`,
  `• \`${COMMAND} cancel &lt;dataset&gt;\` withdraw a pending request`,
  `• \`${COMMAND} revoke @person &lt;dataset&gt; [reason…]\` (owners and admins) take access away now`,
  `• \`${COMMAND} review\` (owners and admins) open access-review items you may decide; \`${COMMAND} review start\` (admins) start a review now`,
  `• \`${COMMAND} datasets\` what you can ask for, and who approves it`,
  `• \`${COMMAND} report\` (admins) this week's access hygiene against the previous four weeks`,
  `• \`${COMMAND} audit @person\` or \`${COMMAND} audit &lt;dataset&gt;\` (admins) recent history from the audit trail`,
  'Durations: `30m`, `4h`, `7d`, `2w`. Without one, the dataset’s default applies.',
].join('\n');

export function datasetsReply(catalog: Catalog): EphemeralReply {
  const lines = catalog.datasets.map((d) => {
    const owners = d.owners.length ? d.owners.map(mention).join(', ') : '_access admins_';
    const desc = d.description ? ` — ${escapeMrkdwn(d.description)}` : '';
    return `• \`${d.id}\` *${escapeMrkdwn(d.name)}*${desc}\n      ${SENSITIVITY_LABEL[d.sensitivity]} · up to ${formatDuration(d.maxDurationMinutes)} · owners: ${owners}`;
  });
  const header = `*${catalog.datasets.length} dataset${catalog.datasets.length === 1 ? '' : 's'}* you can request with \`${COMMAND} request <id>\`:`;
  return { text: header, blocks: [section(header), ...linesToSections(lines, SLACK_LIMITS.messageBlocks - 1)] };
}

/** "until …" for active access; what is happening for access being set up or removed. */
export function grantState(g: MyAccess['active'][number], timeZone?: string): string {
  if (g.status === 'provisioning') return '— being set up; you will get a message when it is ready';
  if (g.status === 'revoking') return '— being removed';
  return `until ${formatWhen(g.endsAt, timeZone)}`;
}

export function myAccessReply(access: MyAccess, timeZone?: string): EphemeralReply {
  if (access.active.length === 0 && access.pending.length === 0) {
    const text = `You have no active access and no pending requests. Ask with \`${COMMAND} request &lt;dataset&gt;\`.`;
    return { text, blocks: [section(text)] };
  }
  const lines: string[] = [];
  if (access.active.length) {
    lines.push('*Active access*');
    for (const g of access.active) lines.push(`• *${escapeMrkdwn(g.datasetName)}* (\`${g.datasetId}\`) ${grantState(g, timeZone)}`);
  }
  if (access.pending.length) {
    lines.push('*Pending requests*');
    for (const r of access.pending) {
      lines.push(
        `• *${escapeMrkdwn(r.dataset.name)}* (\`${r.dataset.id}\`) for ${formatDuration(r.durationMinutes)}, asked ${formatWhen(r.createdAt, timeZone)} · waiting for ${r.approverIds.map(mention).join(', ')}`,
      );
    }
  }
  return { text: 'Your access', blocks: linesToSections(lines, SLACK_LIMITS.messageBlocks) };
}
