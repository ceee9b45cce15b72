import { createHash } from 'node:crypto';

/** `prev_hash` of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an event's hash covers: exactly these fields, no others. */
export interface ChainedContent {
  seq: number;
  at: Date | string;
  actorId: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
  prevHash: string;
}

/**
 * The canonical form (version 1), documented in the README's "Audit evidence":
 * `{"v":1,"seq":…,"at":…,"actorId":…,"action":…,"subjectType":…,"subjectId":…,"details":…,"prevHash":…}`
 * as JSON with every object's keys sorted (by UTF-16 code units, as JavaScript sorts), no
 * whitespace, `at` as an ISO 8601 UTC timestamp with milliseconds (`2026-03-02T09:00:00.000Z`),
 * and `details` as stored (JSON values only).
 */
export function canonicalJson(c: ChainedContent): string {
  return stableStringify({
    v: 1,
    seq: c.seq,
    at: typeof c.at === 'string' ? new Date(c.at).toISOString() : c.at.toISOString(),
    actorId: c.actorId,
    action: c.action,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    details: c.details,
    prevHash: c.prevHash,
  });
}

/** sha256 (hex) of the canonical form's UTF-8 bytes. */
export function eventHash(c: ChainedContent): string {
  return createHash('sha256').update(canonicalJson(c), 'utf8').digest('hex');
}

/** Details as JSON stores them (dates as ISO strings, undefined dropped), so what is hashed is what is read back. */
export function jsonDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  return details ? (JSON.parse(JSON.stringify(details)) as Record<string, unknown>) : {};
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
