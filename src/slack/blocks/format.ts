import type { KnownBlock } from '@slack/types';
import type { Sensitivity } from '../../catalog/catalog.schema.js';

/** Slack's published limits; builders keep within them and tests check they do. */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  homeBlocks: 100,
  /** a view's private_metadata */
  privateMetadata: 3000,
  sectionText: 3000,
  buttonText: 75,
  modalTitle: 24,
  staticSelectOptions: 100,
  optionText: 75,
  plainTextInput: 3000,
  messageText: 4000,
} as const;

/** Escapes user text for mrkdwn so nobody can inject mentions or links with <…>. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

/** At most `max` UTF-16 units, ending in "…" when cut; never splits an emoji's surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Something a person typed, escaped for mrkdwn and at most `max` characters once escaped (an
 * `&` becomes five), cut between entities rather than through one, so its block stays within
 * Slack's limits and nothing after it in the block is lost.
 */
export function userText(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let end = max - 1;
  const amp = escaped.lastIndexOf('&', end);
  if (amp >= 0 && escaped.indexOf(';', amp) >= end) end = amp;
  if (end > 0 && /[\uD800-\uDBFF]/.test(escaped[end - 1]!)) end -= 1;
  return `${escaped.slice(0, end)}…`;
}

/** How much of a reason or note a message shows: the whole of what is accepted, with room for the rest. */
export const USER_TEXT_MAX = 2000;

/**
 * A time shown in the reader's own time zone: Slack renders <!date…> per viewer; the fallback
 * (for notifications and old clients) is written in the time zone we know for the reader.
 */
export function formatWhen(date: Date, timeZone = 'UTC'): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallbackTime(date, timeZone)}>`;
}

export function fallbackTime(date: Date, timeZone = 'UTC'): string {
  return fallbackFormat(timeZone)
    .format(date)
    .replace(/[|<>]/g, '');
}

// Building an Intl.DateTimeFormat costs about a millisecond, formatting with one microseconds: a
// digest of 100 grants formats 200 dates, so one formatter per zone is kept (an unknown zone: UTC's).
const formatters = new Map<string, Intl.DateTimeFormat>();
function fallbackFormat(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f) return f;
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  try {
    f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
  } catch {
    f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
  }
  // bounded: zones are few, but a crafted one must not grow the cache forever
  if (formatters.size < 1_000) formatters.set(timeZone, f);
  return f;
}

export const SENSITIVITY_LABEL: Record<Sensitivity, string> = {
  public: ':white_circle: public',
  internal: ':large_blue_circle: internal',
  confidential: ':large_orange_circle: confidential',
  restricted: ':red_circle: restricted',
};

export function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

export function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) }] };
}

export function plain(text: string, max: number) {
  return { type: 'plain_text' as const, text: truncate(text, max), emoji: true };
}

/** Packs lines into as few section blocks as fit Slack's text limit, up to `maxBlocks`. */
export function linesToSections(lines: string[], maxBlocks: number): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    const candidate = current ? `${current}\n${line}` : line;
    if (candidate.length > SLACK_LIMITS.sectionText && current) {
      blocks.push(section(current));
      current = line;
    } else {
      current = candidate;
    }
  }
  if (current) blocks.push(section(current));
  if (blocks.length > maxBlocks) {
    const kept = blocks.slice(0, maxBlocks - 1);
    kept.push(context(`…and more not shown here (${lines.length} lines in all).`));
    return kept;
  }
  return blocks;
}
