import { domainError } from './errors.js';

/**
 * Free text people type (reasons, command arguments, form fields) is checked here before anything
 * is stored or any view is opened. Postgres refuses NUL in text, and other control characters
 * (from a bad copy and paste, or typed on purpose) can hide or disguise what approvers read.
 */

/** Longest text accepted per kind of input, in characters. */
export const TEXT_LIMITS = {
  reason: 1000,
  denyReason: 1000,
  revokeReason: 500,
  datasetId: 64,
  duration: 20,
  /** a whole `/access …` line; each part is then held to its own limit */
  command: 4000,
} as const;

export type TextField = keyof typeof TEXT_LIMITS;

const FIELD_NAMES: Record<TextField, string> = {
  reason: 'reason',
  denyReason: 'reason',
  revokeReason: 'reason',
  datasetId: 'dataset name',
  duration: 'duration',
  command: 'command',
};

// C0 controls, DEL and C1 controls. Tab, line feed and carriage return are ordinary in multi-line
// fields (a reason typed with Shift+Enter); single-line fields take none at all. Bidirectional
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused too: they reorder
// what an approver reads ("Trojan Source"); the plain direction marks U+200E/U+200F stay allowed.
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const MULTILINE: ReadonlySet<TextField> = new Set(['reason', 'denyReason', 'revokeReason', 'command']);

export type TextProblem = 'control_characters' | 'too_long';

/** What is wrong with `text` as a `field`, if anything. Pure; no I/O. */
export function textProblem(text: string | undefined | null, field: TextField): TextProblem | undefined {
  if (text === undefined || text === null) return undefined;
  const pattern = MULTILINE.has(field) ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE;
  if (pattern.test(text)) return 'control_characters';
  if (text.trim().length > TEXT_LIMITS[field]) return 'too_long';
  return undefined;
}

export const textErrors = {
  controlCharacters: (field: TextField) =>
    domainError(
      'input.control_characters',
      { field, name: FIELD_NAMES[field] },
      `Your ${FIELD_NAMES[field]} contains invisible control characters (often from a copy and paste), which I cannot accept. Please type it again without them. Nothing was saved.`,
    ),
  tooLong: (field: TextField) =>
    domainError(
      'input.too_long',
      { field, name: FIELD_NAMES[field], max: TEXT_LIMITS[field] },
      `Your ${FIELD_NAMES[field]} is too long: please keep it under ${TEXT_LIMITS[field]} characters. Nothing was saved.`,
    ),
};

/** Throws a friendly coded error when `text` may not be used as `field`. */
export function assertText(text: string | undefined | null, field: TextField): void {
  const problem = textProblem(text, field);
  if (problem === 'control_characters') throw textErrors.controlCharacters(field);
  if (problem === 'too_long') throw textErrors.tooLong(field);
}

/** Something the person typed, safe to quote back in a reply: no control characters, no backticks, short. */
export function quoteTyped(text: string, max = 40): string {
  const clean = text.replace(new RegExp(CONTROL_SINGLE_LINE.source, 'g'), '').replace(/`/g, "'").trim();
  const cut = [...clean];
  return cut.length <= max ? clean : `${cut.slice(0, max - 1).join('')}…`;
}
