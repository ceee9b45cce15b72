import type { AuditEvent } from '../../modules/audit/audit.repository.js';
import type { ChainedContent } from '../../modules/audit/audit.rules.js';
import type { ChainedEvent } from '../../modules/audit/verify.rules.js';

/** One exported event: its chained content, its id in the database, and both hashes. */
export interface ExportRecord extends Omit<ChainedContent, 'at'> {
  id: number;
  /** ISO time with milliseconds, exactly as hashed */
  at: string;
  hash: string;
}

export const CSV_COLUMNS = ['seq', 'id', 'at', 'actor_id', 'action', 'subject_type', 'subject_id', 'details', 'prev_hash', 'hash'] as const;

export function toRecord(e: AuditEvent): ExportRecord {
  return {
    seq: e.seq!,
    id: e.id,
    at: e.at.toISOString(),
    actorId: e.actorId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    details: e.details,
    prevHash: e.prevHash!,
    hash: e.hash!,
  };
}

export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(r: ExportRecord): string {
  return [r.seq, r.id, r.at, r.actorId, r.action, r.subjectType, r.subjectId, JSON.stringify(r.details), r.prevHash, r.hash].map(csvField).join(',');
}

/** A JSONL line back to what the chain's hash covers; throws on a malformed line. */
export function fromJsonLine(line: string): ChainedEvent {
  const r = JSON.parse(line) as Partial<ExportRecord>;
  const strings = ['at', 'actorId', 'action', 'subjectType', 'subjectId', 'prevHash', 'hash'] as const;
  if (!Number.isInteger(r.seq) || strings.some((k) => typeof r[k] !== 'string') || typeof r.details !== 'object' || r.details === null) {
    throw new Error('not an exported audit event');
  }
  return {
    id: r.id,
    seq: r.seq!,
    at: r.at!,
    actorId: r.actorId!,
    action: r.action!,
    subjectType: r.subjectType!,
    subjectId: r.subjectId!,
    details: r.details,
    prevHash: r.prevHash!,
    hash: r.hash!,
  };
}
