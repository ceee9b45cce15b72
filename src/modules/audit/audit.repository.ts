import { and, asc, desc, eq, gt, gte, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { executePrepared, type DbOrTx, type Tx } from '../../shared/db/client.js';
import { accessRequests } from '../requests/requests.table.js';
import { grants } from '../grants/grants.table.js';
import { auditChainHead, auditEvents } from './audit.table.js';
import { eventHash, jsonDetails } from './audit.rules.js';

export type AuditEvent = typeof auditEvents.$inferSelect;
export type ChainHead = typeof auditChainHead.$inferSelect;

export interface AuditEntry {
  at: Date;
  actorId: string;
  action: string;
  subjectType: 'request' | 'grant' | 'person' | 'review' | 'dataset' | 'outbox' | 'job';
  subjectId: string;
  details?: Record<string, unknown>;
}

const LEGACY_BATCH = 500;

/** Each reading of the trail by a person (`/access audit`) is itself an event. */
export const AUDIT_VIEWED = 'audit.viewed';

/**
 * Appends events to the chain; call it with the transaction that makes the change it records.
 * The head row is locked (`FOR UPDATE`) until that transaction ends, so appends from every
 * process are serialised and the chain follows commit order; the unique `seq` and `prev_hash`
 * make a fork impossible even without the lock. Append after the rows the change locks, so
 * the head is held as briefly as possible.
 */
export async function appendAudit(db: DbOrTx, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (!isTx(db)) return db.transaction((tx) => appendAudit(tx, ...entries));
  await (await holdAuditHead(db))(...entries);
}

/**
 * Locks the chain's head for this transaction and returns how to append under that lock. For a
 * transaction that sends the lock in one round trip with statements of its own: a statement sent
 * before it runs before it (a pipelining driver keeps the order), so it may wait for another
 * transaction, as the rows a change locks come before the head everywhere; none sent after it
 * may wait (it would wait holding the head, which every audited transaction needs). Otherwise
 * use appendAudit, after the rows the change locks.
 */
export async function holdAuditHead(tx: Tx): Promise<(...entries: AuditEntry[]) => Promise<void>> {
  let head = await lockHead(tx);
  if (!head.legacyChained) head = await chainLegacyEvents(tx, head);
  return async (...entries) => {
    if (entries.length === 0) return;
    let { seq, hash } = head;
    const rows = entries.map((e) => {
      const details = jsonDetails(e.details);
      const content = { seq: ++seq, at: e.at, actorId: e.actorId, action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, details, prevHash: hash };
      hash = eventHash(content);
      return { ...content, hash };
    });
    // sent together (one round trip on a pipelining driver): the head is locked while they run
    await Promise.all([insertEvents(tx, rows), executePrepared(tx.update(auditChainHead).set({ seq, hash }).where(eq(auditChainHead.id, 1)), 'audit.moveHead')]);
    head = { ...head, seq, hash };
  };
}

type ChainedRow = { seq: number; at: Date; actorId: string; action: string; subjectType: string; subjectId: string; details: Record<string, unknown>; prevHash: string; hash: string };

/**
 * One INSERT whatever the number of events, with the rows as one JSON parameter: a multi-row
 * VALUES of a thousand events (a batch of grants ending) is 9,000 parameters that the query
 * builder walks one by one, which cost more CPU than the database spent storing them. Its text is
 * constant, so it is prepared once per connection (executePrepared): it runs in every audited
 * transaction, under the head's lock.
 * `at` goes as an ISO timestamp with milliseconds and `details` as JSON: exactly what is hashed.
 */
async function insertEvents(db: Tx, rows: ChainedRow[]): Promise<void> {
  const json = JSON.stringify(rows.map((r) => ({ seq: r.seq, at: r.at.toISOString(), actor_id: r.actorId, action: r.action, subject_type: r.subjectType, subject_id: r.subjectId, details: r.details, prev_hash: r.prevHash, hash: r.hash })));
  // the table's columns in their order; INSERT … SELECT cannot say DEFAULT, so the id is the serial column's own default
  const insert = db.insert(auditEvents).select(
    sql`select nextval('audit_events_id_seq'), r.at, r.actor_id, r.action, r.subject_type, r.subject_id, r.details, r.seq, r.prev_hash, r.hash
      from rows from (jsonb_to_recordset(${json}::jsonb) as (seq bigint, at timestamptz, actor_id text, action text, subject_type text, subject_id text, details jsonb, prev_hash text, hash text))
        with ordinality as r(seq, at, actor_id, action, subject_type, subject_id, details, prev_hash, hash, n)
      order by r.n`,
  );
  await executePrepared(insert, 'audit.insertEvents');
}

function isTx(db: DbOrTx): db is Tx {
  return typeof (db as Partial<Tx>).rollback === 'function';
}

async function lockHead(tx: Tx): Promise<ChainHead> {
  // every audited transaction runs these two: prepared once per connection (constant text)
  const [head] = await executePrepared(tx.select().from(auditChainHead).where(eq(auditChainHead.id, 1)).for('update'), 'audit.lockHead');
  if (!head) throw new Error('audit_chain_head has no row: the database is not fully migrated');
  return head;
}

/** Chains, in id order, the events written before the chain existed (once; under the head's lock). */
async function chainLegacyEvents(tx: Tx, head: ChainHead): Promise<ChainHead> {
  let { seq, hash } = head;
  for (;;) {
    const batch = await tx.select().from(auditEvents).where(isNull(auditEvents.seq)).orderBy(asc(auditEvents.id)).limit(LEGACY_BATCH);
    for (const e of batch) {
      const content = { seq: ++seq, at: e.at, actorId: e.actorId, action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, details: e.details, prevHash: hash };
      hash = eventHash(content);
      await tx.update(auditEvents).set({ seq, prevHash: content.prevHash, hash }).where(eq(auditEvents.id, e.id));
    }
    if (batch.length < LEGACY_BATCH) break;
  }
  const [updated] = await tx.update(auditChainHead).set({ seq, hash, legacyChained: true }).where(eq(auditChainHead.id, 1)).returning();
  return updated!;
}

export async function readChainHead(db: DbOrTx): Promise<ChainHead | undefined> {
  const [head] = await db.select().from(auditChainHead).where(eq(auditChainHead.id, 1));
  return head;
}

/** The next `limit` chained events after `afterSeq`, in chain order (keyset pagination). */
export async function readChainBatch(db: DbOrTx, afterSeq: number, limit: number, filter?: SQL): Promise<AuditEvent[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(gt(auditEvents.seq, afterSeq), filter))
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
}

/** Events outside the chain: written before it existed (until chained), or inserted behind the trigger's back. */
export async function firstUnchained(db: DbOrTx): Promise<{ id: number; action: string; count: number } | undefined> {
  const [row] = await db
    .select({ id: sql<number>`min(${auditEvents.id})`.mapWith(Number), count: sql<number>`count(*)`.mapWith(Number) })
    .from(auditEvents)
    .where(isNull(auditEvents.seq));
  if (!row || !row.count) return undefined;
  const [first] = await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.id, row.id));
  return { id: row.id, action: first?.action ?? '', count: row.count };
}

export interface AuditFilter {
  since?: Date;
  until?: Date;
  personId?: string;
  datasetId?: string;
}

/** Events about a person: by them, about them, or about their requests and grants. */
function aboutPerson(personId: string): SQL {
  return or(
    eq(auditEvents.actorId, personId),
    and(eq(auditEvents.subjectType, 'person'), eq(auditEvents.subjectId, personId)),
    and(eq(auditEvents.subjectType, 'request'), sql`${auditEvents.subjectId} in (select ${accessRequests.id}::text from ${accessRequests} where ${accessRequests.requesterId} = ${personId})`),
    and(eq(auditEvents.subjectType, 'grant'), sql`${auditEvents.subjectId} in (select ${grants.id}::text from ${grants} where ${grants.userId} = ${personId})`),
  )!;
}

/** Events about a dataset: its requests, its grants, and events naming it. */
function aboutDataset(datasetId: string): SQL {
  return or(
    and(eq(auditEvents.subjectType, 'dataset'), eq(auditEvents.subjectId, datasetId)),
    sql`${auditEvents.details}->>'datasetId' = ${datasetId}`,
    and(eq(auditEvents.subjectType, 'request'), sql`${auditEvents.subjectId} in (select ${accessRequests.id}::text from ${accessRequests} where ${accessRequests.datasetId} = ${datasetId})`),
    and(eq(auditEvents.subjectType, 'grant'), sql`${auditEvents.subjectId} in (select ${grants.id}::text from ${grants} where ${grants.datasetId} = ${datasetId})`),
  )!;
}

export function auditFilterSql(f: AuditFilter): SQL | undefined {
  return and(
    f.since ? gte(auditEvents.at, f.since) : undefined,
    f.until ? lt(auditEvents.at, f.until) : undefined,
    f.personId ? aboutPerson(f.personId) : undefined,
    f.datasetId ? aboutDataset(f.datasetId) : undefined,
  );
}

/**
 * Newest first, one page at a time, older than `beforeId` (for reading a person's or a dataset's recent history).
 * Readings of the trail (`audit.viewed`) are left out, so reading does not shift the pages.
 */
export async function listRecentAudit(db: DbOrTx, filter: AuditFilter, limit: number, beforeId?: number): Promise<AuditEvent[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(auditFilterSql(filter), ne(auditEvents.action, AUDIT_VIEWED), beforeId ? lt(auditEvents.id, beforeId) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}

export async function listAuditFor(db: DbOrTx, subjectType: string, subjectId: string): Promise<AuditEvent[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectType, subjectType), eq(auditEvents.subjectId, subjectId)))
    .orderBy(asc(auditEvents.id));
}
