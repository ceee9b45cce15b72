import { findDataset } from '../../catalog/catalog.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { addToOutbox, listPendingOutbox } from '../notifications/notifications.repository.js';
import * as repo from './grants.repository.js';

export type ExpiryOutcome = { kind: 'expired' } | { kind: 'not_due'; endsAt: Date } | { kind: 'not_active' };

/**
 * Ends a grant that is due. Safe to call any number of times, from the delayed job and from the
 * reconciler at once: the guarded update lets exactly one caller expire it.
 */
export async function expireGrant(deps: Deps, grantId: string): Promise<ExpiryOutcome> {
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const expired = await repo.expireGrantRow(tx, grantId, now);
    if (!expired) return undefined;
    await appendAudit(tx, {
      at: now,
      actorId: 'system',
      action: 'grant.expired',
      subjectType: 'grant',
      subjectId: grantId,
      details: { datasetId: expired.datasetId, userId: expired.userId, endsAt: expired.endsAt.toISOString(), provisioner: deps.provisioner.kind },
    });
    const outboxIds = await addToOutbox(tx, now, [{ kind: 'grant_expired', payload: { grantId } }]);
    return { grant: expired, outboxIds };
  });

  if (!result) {
    const grant = await repo.findGrant(deps.db, grantId);
    if (grant?.status === 'active') return { kind: 'not_due', endsAt: grant.endsAt };
    return { kind: 'not_active' };
  }
  const g = result.grant;
  deps.logger.info({ grantId, datasetId: g.datasetId }, 'grant expired');
  try {
    await deps.provisioner.revoke({ grantId: g.id, datasetId: g.datasetId, userId: g.userId, endsAt: g.endsAt });
  } catch (err) {
    deps.logger.error({ grantId, err: String(err) }, 'provisioner failed to revoke');
  }
  await deps.jobs.enqueueDeliveries(result.outboxIds).catch((err) => {
    deps.logger.warn({ grantId, err: String(err) }, 'could not enqueue expiry message; the reconciler will');
  });
  return { kind: 'expired' };
}

export interface ReconcileReport {
  expired: number;
  expiryJobsEnsured: number;
  messagesRequeued: number;
}

/** How long a message may sit undelivered before the reconciler assumes its job was lost. */
export const OUTBOX_GRACE_MS = 30_000;
const BATCH = 500;

/**
 * Rebuilds Redis's picture from Postgres: ends overdue grants, re-creates every active grant's
 * expiry job (adding an existing job id is a no-op), and re-enqueues undelivered messages.
 * This is what keeps grants ending on time after a Redis flush or a restart.
 */
export async function reconcile(deps: Deps): Promise<ReconcileReport> {
  const now = deps.clock.now();
  let expired = 0;
  for (;;) {
    const overdue = await repo.listOverdueGrants(deps.db, now, BATCH);
    for (const grant of overdue) {
      if ((await expireGrant(deps, grant.id)).kind === 'expired') expired++;
    }
    if (overdue.length < BATCH) break;
  }
  const active = await repo.listActiveGrantSchedule(deps.db);
  for (const grant of active) await deps.jobs.scheduleExpiry(grant.id, grant.endsAt);
  const pending = await listPendingOutbox(deps.db, new Date(now.getTime() - OUTBOX_GRACE_MS), BATCH);
  await deps.jobs.enqueueDeliveries(pending);
  return { expired, expiryJobsEnsured: active.length, messagesRequeued: pending.length };
}

export function datasetName(deps: Pick<Deps, 'catalog'>, datasetId: string): string {
  return findDataset(deps.catalog, datasetId)?.name ?? datasetId;
}
