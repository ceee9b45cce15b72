import { metrics } from '../../shared/metrics/metrics.js';
import type { Provisioner } from '../../provisioners/provisioner.js';
import { groupBy } from '../../shared/collections.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import * as repo from './grants.repository.js';
import type { Grant } from './grants.repository.js';
import { grantEvent, revokeStarted, targetFor } from './provisioning.usecases.js';

type PassDeps = Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'logger' | 'onGrantEnding'>;

/** Grants claimed per transaction: one audit append, one outbox insert and one revoke statement each. */
export const EXPIRY_BATCH = 1000;

export interface ExpiryPass {
  /** Grants moved from active to revoking by this pass. */
  started: number;
  /** Of those, grants whose access the pass removed and marked expired itself. */
  ended: number;
  /** Grants handed to a revoke job of their own (connectors without batches, or a batch that left them held). */
  handedOff: number;
}

/**
 * Ends every grant that is due, in batches: each batch is claimed in one transaction
 * (active → revoking, `FOR UPDATE SKIP LOCKED`, so passes running at once split the work), with
 * one audit event per grant; then connectors that can revoke many grants at once do so, and the
 * grants whose access is gone are marked expired together, again with one audit event and one
 * "access ended" message each. A grant the target may still hold stays `revoking` and gets its own
 * revoke job (retries, alerts), as does every grant of a connector that revokes one at a time;
 * manual datasets get their owners' tasks. Any expiry job that wakes runs a pass; the per-grant
 * jobs that follow find their grant already ended and do nothing.
 *
 * Removing access comes first: the holders' "access ended" messages (stored with each batch, in
 * its transaction) are handed to the messages queue once the pass has no more due grants, so that
 * queueing and posting thousands of them does not slow the batches still to end. The owners'
 * tasks and the approvers' updates of a claimed batch go at once. Should the process stop before,
 * the reconciler sends what is stored (the outbox).
 */
export async function expireDueGrants(deps: PassDeps, opts: { batchSize?: number } = {}): Promise<ExpiryPass> {
  const batchSize = opts.batchSize ?? EXPIRY_BATCH;
  const pass: ExpiryPass = { started: 0, ended: 0, handedOff: 0 };
  const told: number[] = [];
  try {
    await claimAndRevoke(deps, batchSize, pass, told);
  } finally {
    for (let i = 0; i < told.length; i += batchSize) {
      await deps.jobs.enqueueDeliveries(told.slice(i, i + batchSize)).catch((err) => deps.logger.warn({ err }, 'messages not enqueued; the reconciler will'));
    }
  }
  if (pass.started) deps.logger.info(pass, 'due grants: access removed');
  return pass;
}

async function claimAndRevoke(deps: PassDeps, batchSize: number, pass: ExpiryPass, told: number[]): Promise<void> {
  for (;;) {
    const now = deps.clock.now();
    const claimed = await deps.db.transaction(async (tx) => {
      const rows = await repo.claimDueGrants(tx, now, batchSize);
      return rows.length ? { rows, outboxIds: await revokeStarted(deps, tx, rows, 'expired', 'system', now) } : undefined;
    });
    if (!claimed) break;
    pass.started += claimed.rows.length;
    await deps.jobs.enqueueDeliveries(claimed.outboxIds).catch((err) => deps.logger.warn({ err }, 'messages not enqueued; the reconciler will'));
    const { ended, handedOff } = await revokeClaimed(deps, claimed.rows, told);
    pass.ended += ended;
    pass.handedOff += handedOff;
    if (claimed.rows.length < batchSize) break;
  }
}

/**
 * Revokes a claimed batch, connector by connector: in batches where the connector can, else one job
 * per grant. The outbox ids of the holders' messages are added to `told`.
 */
async function revokeClaimed(deps: PassDeps, rows: Grant[], told: number[]): Promise<{ ended: number; handedOff: number }> {
  const oneByOne: string[] = [];
  const inBatches: Array<{ connector: Provisioner; grant: Grant }> = [];
  for (const grant of rows) {
    const connector = deps.connectors.forDataset(grant.datasetId);
    if (connector.kind === 'manual') continue;
    // a grant without a recorded identity names its person at revoke time: the per-grant path does that
    if (!connector.revokeMany || !grant.target) oneByOne.push(grant.id);
    else inBatches.push({ connector, grant });
  }
  let ended = 0;
  for (const [connector, batch] of groupBy(inBatches, (b) => b.connector)) {
    const grants = batch.map((b) => b.grant);
    metrics.connectorAttempt('revoke', connector.kind, grants.length);
    const results = await connector.revokeMany!(grants.map((g) => targetFor(g, g.target!))).catch((err: unknown) => {
      deps.logger.warn({ err, count: grants.length, kind: connector.kind }, 'batch revoke failed; revoking one by one');
      return undefined;
    });
    const gone = new Set(results?.filter((r) => !r.error).map((r) => r.grantId));
    for (const g of grants) if (!gone.has(g.id)) oneByOne.push(g.id);
    metrics.connectorFailure('revoke', connector.kind, grants.length - gone.size);
    const done = await finishExpiries(deps, grants.filter((g) => gone.has(g.id)), connector.kind);
    ended += done.count;
    told.push(...done.outboxIds);
  }
  await deps.jobs.enqueueRevokes(oneByOne).catch((err) => deps.logger.warn({ err }, 'revokes not enqueued; the reconciler will'));
  return { ended, handedOff: oneByOne.length };
}

/** revoking → expired for grants whose access is gone, in one transaction, with each holder's message in the outbox. */
async function finishExpiries(deps: Pick<Deps, 'db' | 'clock'>, grants: Grant[], how: string): Promise<{ count: number; outboxIds: number[] }> {
  if (grants.length === 0) return { count: 0, outboxIds: [] };
  const now = deps.clock.now();
  const done = await deps.db.transaction(async (tx) => {
    const rows = await repo.endRevokedGrants(tx, grants.map((g) => g.id), 'expired', now);
    await appendAudit(tx, ...rows.map((row) => grantEvent(row, now, 'system', 'grant.expired', { connector: how, reason: row.endReason })));
    return { rows, outboxIds: await addToOutbox(tx, now, rows.map((row) => outboxMessage('grant_expired', { grantId: row.id }))) };
  });
  // once committed: a batch rolled back ended nothing, so it is not counted
  for (const row of done.rows) metrics.expiryLateness((now.getTime() - row.endsAt.getTime()) / 1000);
  return { count: done.rows.length, outboxIds: done.outboxIds };
}
