import type { Db, DbOrTx } from '../../shared/db/client.js';
import { domainError } from '../../shared/errors.js';
import type { Deps } from '../deps.js';
import * as repo from './audit.repository.js';
import type { AuditEvent, AuditFilter } from './audit.repository.js';
import { ChainWalker, type ChainedEvent, type ChainProblem } from './verify.rules.js';

/** Refusals of the audit trail's readers. */
export const auditErrors = {
  notMigrated: () => domainError('audit.not_migrated', {}, 'The database has no audit chain yet: start the bot once so its migrations run.'),
  adminsOnly: () => domainError('audit.admins_only', {}, 'Only access admins can read the audit trail.'),
};

export const AUDIT_BATCH = 1000;

export interface VerifyProgress {
  checked: number;
  headSeq: number;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string };
  problem?: ChainProblem;
  /** Events from before the chain existed, not chained yet (they are at the next audited change). */
  unchainedLegacy: number;
}

export function toChained(e: AuditEvent): ChainedEvent {
  return { id: e.id, seq: e.seq!, at: e.at, actorId: e.actorId, action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, details: e.details, prevHash: e.prevHash!, hash: e.hash! };
}

/** Walks the whole chain in batches (bounded memory) and names the first broken event. */
export async function verifyAuditChain(db: Db, opts: { batchSize?: number; onProgress?: (p: VerifyProgress) => void | Promise<void> } = {}): Promise<VerifyResult> {
  // one snapshot for the whole walk: events appended meanwhile by the running bot are not seen
  return db.transaction((tx) => verifyInSnapshot(tx, opts), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

async function verifyInSnapshot(db: DbOrTx, opts: { batchSize?: number; onProgress?: (p: VerifyProgress) => void | Promise<void> }): Promise<VerifyResult> {
  const head = await repo.readChainHead(db);
  if (!head) throw auditErrors.notMigrated();
  const walker = new ChainWalker(true);
  const batchSize = opts.batchSize ?? AUDIT_BATCH;
  const done = (problem?: ChainProblem, unchainedLegacy = 0): VerifyResult => ({
    ok: !problem,
    checked: walker.checked,
    head: { seq: head.seq, hash: head.hash },
    problem,
    unchainedLegacy,
  });
  for (let after = 0; ; ) {
    const batch = await repo.readChainBatch(db, after, batchSize);
    for (const e of batch) {
      const problem = walker.next(toChained(e));
      if (problem) return done(problem);
    }
    await opts.onProgress?.({ checked: walker.checked, headSeq: head.seq });
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]!.seq!;
  }
  const unchained = await repo.firstUnchained(db);
  if (unchained && head.legacyChained) {
    return done({ kind: 'inserted', seq: 0, id: unchained.id, message: `event id ${unchained.id} (${unchained.action}) was inserted outside the chain${unchained.count > 1 ? ` (${unchained.count} such events)` : ''}` });
  }
  return done(walker.finish(head), unchained?.count ?? 0);
}

/** Events in chain order with their hashes, read in batches; filtered events keep their seq. */
export async function* exportAuditEvents(db: Db, filter: AuditFilter, opts: { batchSize?: number } = {}): AsyncGenerator<AuditEvent> {
  const batchSize = opts.batchSize ?? AUDIT_BATCH;
  const where = repo.auditFilterSql(filter);
  for (let after = 0; ; ) {
    const batch = await repo.readChainBatch(db, after, batchSize, where);
    yield* batch;
    if (batch.length < batchSize) return;
    after = batch[batch.length - 1]!.seq!;
  }
}

export const HISTORY_PAGE_SIZE = 10;

export interface HistoryPage {
  events: AuditEvent[];
  page: number;
  hasMore: boolean;
  /** the cursor of the next (older) page: its events are older than this event id */
  nextBefore?: number;
}

/**
 * `before`: the cursor of an "Older" button (events older than that event id); `page` only numbers
 * the page for people. Neither says anything about who may read: that is checked on every call.
 */
export type HistoryQuery = { actorId: string; page?: number; before?: number } & ({ personId: string } | { datasetId: string });

/**
 * A person's or a dataset's recent history, newest first, a page at a time (for `/access audit`).
 * Admins only; each reading is itself an audit event (`audit.viewed`). Pages follow event ids, so
 * events appended meanwhile do not shift the older pages.
 */
export async function auditHistory(deps: Pick<Deps, 'db' | 'catalog' | 'clock'>, q: HistoryQuery): Promise<HistoryPage> {
  if (!deps.catalog.admins.includes(q.actorId)) {
    throw auditErrors.adminsOnly();
  }
  const page = Math.max(1, Math.floor(q.page ?? 1));
  const before = q.before !== undefined && Number.isSafeInteger(q.before) && q.before > 0 ? q.before : undefined;
  const filter: AuditFilter = 'personId' in q ? { personId: q.personId } : { datasetId: q.datasetId };
  const subject = 'personId' in q ? { subjectType: 'person' as const, subjectId: q.personId } : { subjectType: 'dataset' as const, subjectId: q.datasetId };
  return deps.db.transaction(async (tx) => {
    const rows = await repo.listRecentAudit(tx, filter, HISTORY_PAGE_SIZE + 1, before);
    await repo.appendAudit(tx, { at: deps.clock.now(), actorId: q.actorId, action: repo.AUDIT_VIEWED, ...subject, details: { page, ...(before ? { before } : {}) } });
    const events = rows.slice(0, HISTORY_PAGE_SIZE);
    const hasMore = rows.length > HISTORY_PAGE_SIZE;
    return { events, page, hasMore, ...(hasMore ? { nextBefore: events.at(-1)!.id } : {}) };
  });
}
