import { asc, eq, and } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { auditEvents } from './audit.table.js';

export type AuditEvent = typeof auditEvents.$inferSelect;

export interface AuditEntry {
  at: Date;
  actorId: string;
  action: string;
  subjectType: 'request' | 'grant' | 'person' | 'review';
  subjectId: string;
  details?: Record<string, unknown>;
}

/** Appends events; call it with the transaction that makes the change it records. */
export async function appendAudit(db: DbOrTx, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(auditEvents).values(entries.map((e) => ({ ...e, details: e.details ?? {} })));
}

export async function listAuditFor(db: DbOrTx, subjectType: string, subjectId: string): Promise<AuditEvent[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectType, subjectType), eq(auditEvents.subjectId, subjectId)))
    .orderBy(asc(auditEvents.id));
}
