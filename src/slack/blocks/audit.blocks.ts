import type { KnownBlock } from '@slack/types';
import type { HistoryPage } from '../../modules/audit/audit.usecases.js';
import { ACTION_IDS, COMMAND } from '../ids.js';
import type { EphemeralReply } from './command.blocks.js';
import { escapeMrkdwn, formatWhen, linesToSections, mention, plain, section, SLACK_LIMITS, truncate } from './format.js';

/** Whose history `/access audit` shows: a person's or a dataset's. */
export type AuditSubject = { personId: string } | { datasetId: string };

/** What the "Older" button carries: the subject and where the next page starts. A cursor, never a permission. */
export interface AuditCursor {
  subject: AuditSubject;
  before: number;
  page: number;
}

const DATASET_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const PERSON_ID_RE = /^[UW][A-Z0-9]{2,20}$/;

export function auditButtonValue(c: AuditCursor): string {
  const subject = 'personId' in c.subject ? `p:${c.subject.personId}` : `d:${c.subject.datasetId}`;
  return `${subject}:${c.before}:${c.page}`;
}

/** The button's value back, or undefined when it is not one this bot makes. */
export function parseAuditButtonValue(value: string): AuditCursor | undefined {
  const m = /^([pd]):([^:]{1,64}):(\d{1,15}):(\d{1,6})$/.exec(value);
  if (!m) return undefined;
  const [, kind, id, before, page] = m as unknown as [string, 'p' | 'd', string, string, string];
  if (kind === 'p' ? !PERSON_ID_RE.test(id) : !DATASET_ID_RE.test(id)) return undefined;
  // the bot's buttons always point past an event (id ≥ 1) to the second page or later
  if (Number(before) < 1 || Number(page) < 2) return undefined;
  return { subject: kind === 'p' ? { personId: id } : { datasetId: id }, before: Number(before), page: Number(page) };
}

/** A dataset id as typed after `/access audit` (lower-cased), or undefined. */
export function parseDatasetWord(word: string): string | undefined {
  const id = word.toLowerCase();
  return DATASET_ID_RE.test(id) ? id : undefined;
}

/** Who did it, readably: a person, the bot, or an operator at the admin CLI. */
function who(actorId: string): string {
  if (PERSON_ID_RE.test(actorId)) return mention(actorId);
  if (actorId === 'system') return 'the bot';
  return `\`${escapeMrkdwn(truncate(actorId, 60))}\``;
}

const VERBS: Record<string, string> = {
  'request.created': 'asked for access',
  'request.approved': 'approved the request',
  'request.auto_approved': 'approved by policy',
  'request.denied': 'denied the request',
  'request.cancelled': 'cancelled the request',
  'request.expired': 'request expired undecided',
  'grant.created': 'created the grant',
  'grant.activated': 'access given',
  'grant.revoke_started': 'started removing access',
  'grant.expired': 'access ended (expired)',
  'grant.revoked': 'access ended (revoked)',
  'grant.revoke_stuck': 'removing access is stuck',
  'review.kept': 'kept in review',
  'review.revoked': 'revoked in review',
  'review.started': 'started an access review',
  'policy.acknowledged': 'accepted the data-handling policy',
  'messages.resent': 're-sent undelivered messages',
};

const str = (v: unknown) => (typeof v === 'string' && v.length <= 80 ? v : undefined);

/** One event as a line: when, who, what, the dataset and the person it concerns. */
function eventLine(e: HistoryPage['events'][number], timeZone: string | undefined): string {
  const d = e.details ?? {};
  const dataset = str(d.datasetId);
  const about = str(d.userId) ?? str(d.requesterId);
  const what = VERBS[e.action] ? `${VERBS[e.action]} (\`${escapeMrkdwn(e.action)}\`)` : `\`${escapeMrkdwn(truncate(e.action, 60))}\``;
  const parts = [`• ${formatWhen(e.at, timeZone)} · ${who(e.actorId)} ${what}`];
  if (dataset) parts.push(`\`${escapeMrkdwn(dataset)}\``);
  if (about && about !== e.actorId && PERSON_ID_RE.test(about)) parts.push(`for ${mention(about)}`);
  return parts.join(' · ');
}

/** A page of `/access audit`: newest first, within Slack's limits, with "Older" when there is more. */
export function buildAuditHistoryReply(subject: AuditSubject, page: HistoryPage, timeZone?: string): EphemeralReply {
  const whose = 'personId' in subject ? mention(subject.personId) : `\`${escapeMrkdwn(subject.datasetId)}\``;
  const title = `*Audit trail of ${whose}*, newest first (page ${page.page})`;
  if (page.events.length === 0) {
    const text = `${title}\nNo ${page.page > 1 ? 'older ' : ''}events.`;
    return { text, blocks: [section(text)] };
  }
  const blocks: KnownBlock[] = [section(title), ...linesToSections(page.events.map((e) => eventLine(e, timeZone)), SLACK_LIMITS.messageBlocks - 3)];
  if (page.hasMore && page.nextBefore) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.auditOlder,
          text: plain('Older', SLACK_LIMITS.buttonText),
          value: auditButtonValue({ subject, before: page.nextBefore, page: page.page + 1 }),
        },
      ],
    });
  }
  return { text: `Audit trail, page ${page.page}`, blocks };
}

export const AUDIT_USAGE = `Usage: \`${COMMAND} audit @person\` or \`${COMMAND} audit &lt;dataset&gt;\` (admins): recent history, newest first.`;
