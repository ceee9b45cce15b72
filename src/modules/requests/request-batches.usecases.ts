import type { Db } from '../../shared/db/client.js';
import { appendAudit, type AuditEntry } from '../audit/audit.repository.js';
import { findHeldGrantsFor } from '../grants/index.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
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
    const held = await findHeldGrantsFor(tx, batch.map((p) => ({ userId: p.write.row.requesterId, datasetId: p.write.row.datasetId })));
    const refusals = new Map<Pending, Error>();
    for (const p of batch) {
      const grant = held.find((g) => g.userId === p.write.row.requesterId && g.datasetId === p.write.row.datasetId);
      if (grant?.status === 'active') refusals.set(p, requestErrors.alreadyActive(p.write.row.datasetId, grant.endsAt));
      else if (grant) refusals.set(p, requestErrors.grantInProgress(p.write.row.datasetId, grant.status));
    }
    const inserted = new Map((await repo.insertNewRequests(tx, batch.filter((p) => !refusals.has(p)).map((p) => p.write.row))).map((r) => [r.id, r]));
    const stored = batch.filter((p) => !refusals.has(p) && inserted.has(p.write.row.id));
    for (const p of batch) if (!refusals.has(p) && !inserted.has(p.write.row.id)) refusals.set(p, requestErrors.alreadyPending(p.write.row.datasetId));
    // sent together (one round trip on a pipelining driver)
    const [, ...outboxIds] = await Promise.all([
      repo.insertApprovers(tx, stored.flatMap((p) => p.write.approverIds.map((approverId) => ({ requestId: p.write.row.id, approverId })))),
      ...stored.map((p) => addToOutbox(tx, p.write.row.createdAt as Date, p.write.messages)),
    ]);
    // last: the chain's head stays locked from here to the commit
    await appendAudit(tx, ...stored.map((p) => p.write.audit));
    return { refusals, stored: stored.map((p, i) => ({ p, request: inserted.get(p.write.row.id)!, outboxIds: outboxIds[i] as number[] })) };
  });
  for (const [p, err] of settled.refusals) p.reject(err);
  for (const s of settled.stored) s.p.resolve({ request: s.request, outboxIds: s.outboxIds });
}
