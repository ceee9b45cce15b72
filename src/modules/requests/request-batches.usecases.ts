import type { Db } from '../../shared/db/client.js';
import { holdAuditHead, type AuditEntry } from '../audit/audit.repository.js';
import { findHeldGrantsFor } from '../grants/index.js';
import { addGroupsToOutbox } from '../notifications/notifications.repository.js';
import type { OutboxMessage } from '../notifications/messages/messages.js';
import * as repo from './requests.repository.js';
import type { AccessRequest, NewAccessRequest } from './requests.repository.js';
import { requestErrors } from './requests.errors.js';

/** A new access request, checked and ready to store with its approvers, messages and audit event. */
export interface NewRequestWrite {
  row: NewAccessRequest & { id: string; requesterId: string; datasetId: string };
  approverIds: string[];
  messages: OutboxMessage[];
  audit: AuditEntry;
}

interface Pending {
  write: NewRequestWrite;
  resolve(result: { request: AccessRequest; outboxIds: number[] }): void;
  reject(err: unknown): void;
}

/** Requests stored together at most; more wait for the next transaction. */
const MAX_BATCH = 100;

/**
 * Stores new access requests. Each request is its own decision (refused alone when its requester
 * holds the dataset or already asked for it), but requests arriving while a transaction is under
 * way are written together in the next one, with their audit events appended in one go: the audit
 * chain's head, which every audited transaction locks, is then taken once per batch instead of
 * once per request. One request alone is written at once, as before.
 */
export function storeNewRequest(db: Db, write: NewRequestWrite): Promise<{ request: AccessRequest; outboxIds: number[] }> {
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = { queue: [], running: false }));
  const b = batcher;
  return new Promise((resolve, reject) => {
    b.queue.push({ write, resolve, reject });
    if (!b.running) void drain(db, b);
  });
}

const batchers = new WeakMap<Db, { queue: Pending[]; running: boolean }>();

async function drain(db: Db, b: { queue: Pending[]; running: boolean }): Promise<void> {
  b.running = true;
  try {
    while (b.queue.length) {
      const batch = b.queue.splice(0, MAX_BATCH);
      await writeBatch(db, batch).catch((err) => {
        for (const p of batch) p.reject(err);
      });
    }
  } finally {
    b.running = false;
  }
}

async function writeBatch(db: Db, batch: Pending[]): Promise<void> {
  const settled = await db.transaction(async (tx) => {
    // Round trip 1. The held grants are read while the requests are inserted; a request whose
    // requester holds the dataset is then removed again, unseen, in the next one. A request not
    // inserted conflicts with one pending for the same person and dataset. The audit chain's head
    // is locked last, from here to the commit: the statements run in the order sent, so an insert
    // that waits for another transaction (the same person and dataset, asked at once elsewhere)
    // waits before the head is taken, as in every audited transaction (the rows first, the head last).
    const [held, insertedRows, appendAudit] = await Promise.all([
      findHeldGrantsFor(tx, batch.map((p) => ({ userId: p.write.row.requesterId, datasetId: p.write.row.datasetId }))),
      repo.insertNewRequests(tx, batch.map((p) => p.write.row)),
      holdAuditHead(tx),
    ]);
    const inserted = new Map(insertedRows.map((r) => [r.id, r]));
    const refusals = new Map<Pending, Error>();
    for (const p of batch) {
      const { requesterId, datasetId } = p.write.row;
      const grant = held.find((g) => g.userId === requesterId && g.datasetId === datasetId);
      if (grant?.status === 'active') refusals.set(p, requestErrors.alreadyActive(datasetId, grant.endsAt));
      else if (grant) refusals.set(p, requestErrors.grantInProgress(datasetId, grant.status));
      else if (!inserted.has(p.write.row.id)) refusals.set(p, requestErrors.alreadyPending(datasetId));
    }
    const stored = batch.filter((p) => !refusals.has(p));
    // Round trip 2, every statement prepared (none waits for a description of its parameters, nor
    // for another transaction: the rows are this transaction's own): the removals, each table's
    // rows in one statement, and the audit events with the head moved past them.
    const [, , outboxIds] = await Promise.all([
      repo.deleteNewRequests(tx, [...refusals.keys()].map((p) => p.write.row.id).filter((id) => inserted.has(id))),
      repo.insertApprovers(tx, stored.flatMap((p) => p.write.approverIds.map((approverId) => ({ requestId: p.write.row.id, approverId })))),
      addGroupsToOutbox(tx, stored.map((p) => ({ at: p.write.row.createdAt as Date, messages: p.write.messages }))),
      appendAudit(...stored.map((p) => p.write.audit)),
    ]);
    return { refusals, stored: stored.map((p, i) => ({ p, request: inserted.get(p.write.row.id)!, outboxIds: outboxIds[i]! })) };
  });
  for (const [p, err] of settled.refusals) p.reject(err);
  for (const s of settled.stored) s.p.resolve({ request: s.request, outboxIds: s.outboxIds });
}
