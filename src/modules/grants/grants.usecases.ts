import { findDataset } from '../../catalog/catalog.js';
import type { Deps } from '../deps.js';
import { addToOutbox, listPendingOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import type { GrantView } from '../notifications/notifications.ports.js';
import * as repo from './grants.repository.js';
import { eachPage } from '../../shared/db/keyset.js';
import * as passes from './passes.repository.js';
import * as taskRepo from './tasks.repository.js';
import type { Grant } from './grants.repository.js';
import { expireDueGrants } from './expiry.usecases.js';
import { startRevoke } from './provisioning.usecases.js';

export type ExpiryOutcome = { kind: 'expired' } | { kind: 'not_due'; endsAt: Date } | { kind: 'not_active' };

/**
 * Starts ending a grant that is due: active → revoking, then the connector (or an owner, for a
 * manual dataset) takes the access away, and only then is the grant marked expired. Safe to call
 * any number of times, from the delayed job and from the reconciler at once.
 */
export async function expireGrant(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'logger' | 'onGrantEnding'>, grantId: string): Promise<ExpiryOutcome> {
  const now = deps.clock.now();
  // most jobs wake after a pass (expireDueGrants) already ended their grant: one read, no transaction
  const current = await repo.findGrant(deps.db, grantId);
  if (!current || current.status !== 'active') return { kind: 'not_active' };
  if (current.endsAt > now) return { kind: 'not_due', endsAt: current.endsAt };
  const started = await deps.db.transaction(async (tx) => {
    const grant = await repo.findGrant(tx, grantId);
    if (!grant || grant.status !== 'active') return undefined;
    return startRevoke(deps, tx, grant, 'expired', 'system', now);
  });
  if (!started) {
    const grant = await repo.findGrant(deps.db, grantId);
    if (grant?.status === 'active') return { kind: 'not_due', endsAt: grant.endsAt };
    return { kind: 'not_active' };
  }
  deps.logger.info({ grantId, datasetId: started.grant.datasetId }, 'grant due: removing access');
  if (!started.manual) await deps.jobs.enqueueRevoke(grantId).catch((err) => deps.logger.warn({ err }, 'revoke not enqueued; the reconciler will'));
  await deps.jobs.enqueueDeliveries(started.outboxIds).catch(() => undefined);
  return { kind: 'expired' };
}

/**
 * Where a woken expiry job's grant stands: `due` (active, its end passed: the job runs a pass for
 * everything due), `not_due` (active, ends later), or `not_active` (gone, or already ending or
 * ended, usually by a pass: the job has nothing to do).
 */
export async function dueState(deps: Pick<Deps, 'db' | 'clock'>, grantId: string): Promise<'due' | 'not_due' | 'not_active'> {
  const grant = await repo.findGrant(deps.db, grantId);
  if (grant?.status !== 'active') return 'not_active';
  return grant.endsAt <= deps.clock.now() ? 'due' : 'not_due';
}

/**
 * Whether a grant due by `at` is still active after a pass: the pass skips rows another
 * transaction holds (an extension being decided, a review being started over the grant), and an
 * instant's wake-ups then look again shortly rather than leave it to the reconciler.
 */
export async function dueGrantsLeft(deps: Pick<Deps, 'db'>, at: Date): Promise<boolean> {
  return repo.anyStillDue(deps.db, at);
}

export interface ReconcileReport {
  expired: number;
  expiryJobsEnsured: number;
  provisionsResumed: number;
  revokesResumed: number;
  remindersSent: number;
  expiryReminders: number;
  messagesRequeued: number;
}

/** How long a message may sit undelivered before the reconciler assumes its job was lost. */
export const OUTBOX_GRACE_MS = 30_000;
const BATCH = 500;

/** Active grants read per page by the reconciler's expiry rebuild. */
const RECONCILE_PAGE = 2_000;

/**
 * Rebuilds Redis's picture from Postgres: starts ending overdue grants, re-creates every active
 * grant's expiry job (adding an existing job id is a no-op), resumes grants stuck in provisioning
 * or revoking, reminds owners of manual revokes still to do, and re-enqueues undelivered messages.
 * This is what keeps grants ending on time after a Redis flush or a restart.
 */
export async function reconcile(
  deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'settings' | 'logger' | 'onGrantEnding'>,
  /**
   * `wakeUpsWithinMs`: re-create only the wake-ups of grants ending within this long (a pass
   * every minute need not re-add 50,000 far-off ones: each is re-created once its end comes
   * within reach, well before it is due). Unset: every active grant's (a process's first pass).
   */
  opts: { wakeUpsWithinMs?: number } = {},
): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const expired = (await expireDueGrants(deps)).started;
  // the active grants' expiry jobs, a page at a time: at company scale the whole list (50,000
  // full rows) would be tens of MB alive at once, every pass
  const endsBy = opts.wakeUpsWithinMs === undefined ? undefined : new Date(now.getTime() + opts.wakeUpsWithinMs);
  let expiryJobsEnsured = 0;
  await eachPage(
    RECONCILE_PAGE,
    (after: string | undefined) => passes.listActiveEndsPage(deps.db, endsBy, after, RECONCILE_PAGE),
    (last) => last.id,
    async (page) => {
      await deps.jobs.scheduleExpiries(page);
      expiryJobsEnsured += page.length;
    },
  );

  const automated = (g: Grant) => deps.connectors.forDataset(g.datasetId).kind !== 'manual';
  const provisioning = (await repo.listGrantsIn(deps.db, 'provisioning')).filter(automated);
  for (const grant of provisioning) await deps.jobs.enqueueProvision(grant.id);

  // revokes to resume (their job lost, or their retry due), a page at a time: after a mass expiry
  // on a connector that revokes one by one there can be thousands
  let revokesResumed = 0;
  let remindersSent = 0;
  await eachPage(
    RECONCILE_PAGE,
    (after: string | undefined) => passes.listRevokesDue(deps.db, now, after, RECONCILE_PAGE),
    (last) => last.id,
    async (page) => {
      const toRevoke = page.filter(automated);
      await deps.jobs.enqueueRevokes(toRevoke.map((g) => g.id));
      revokesResumed += toRevoke.length;
      remindersSent += await remindManualRevokes(deps, page.filter((g) => !automated(g)), now);
    },
  );

  const expiryReminders = await sendExpiryReminders(deps, now);

  // every message overdue, a page at a time: a backlog older than the grace (a review's digests
  // being paced out) must not hide a newer message whose job was lost behind it
  let messagesRequeued = 0;
  await eachPage(
    BATCH,
    (after: number | undefined) => listPendingOutbox(deps.db, new Date(now.getTime() - OUTBOX_GRACE_MS), BATCH, after),
    (last) => last,
    async (pending) => {
      await deps.jobs.enqueueDeliveries(pending);
      messagesRequeued += pending.length;
    },
  );
  return {
    expired,
    expiryJobsEnsured,
    provisionsResumed: provisioning.length,
    revokesResumed,
    remindersSent,
    expiryReminders,
    messagesRequeued,
  };
}

/**
 * Expiry reminders, 24 hours and 1 hour before a grant ends, each only if the grant is longer than
 * that (a 2-hour grant gets the 1-hour one only) and once per end (an extension re-arms them).
 */
async function sendExpiryReminders(deps: Pick<Deps, 'db' | 'jobs'>, now: Date): Promise<number> {
  let sent = 0;
  // pages of the grants whose reminder is due, each marked and messaged in one transaction
  await eachPage(
    REMINDER_PAGE,
    (after: { endsAt: Date; id: string } | undefined) => passes.listRemindersDue(deps.db, now, after, REMINDER_PAGE),
    (last) => last,
    async (due) => {
      const ids = await deps.db.transaction(async (tx) => {
        const marked = await passes.markRemindedMany(tx, due);
        sent += marked.length;
        return addToOutbox(tx, now, marked.map((g) => outboxMessage('expiry_reminder', { grantId: g.id, lead: g.lead })));
      });
      await deps.jobs.enqueueDeliveries(ids);
    },
  );
  return sent;
}

/** Grants reminded per transaction. */
const REMINDER_PAGE = 500;

/** Manual revokes not confirmed within `stuckRetrySeconds` of the last nudge: remind the owners again. */
async function remindManualRevokes(deps: Pick<Deps, 'db' | 'jobs' | 'settings'>, grants: Grant[], now: Date): Promise<number> {
  let sent = 0;
  const interval = deps.settings.stuckRetrySeconds * 1000;
  for (const grant of grants) {
    if (grant.alertedAt && now.getTime() - grant.alertedAt.getTime() < interval) continue;
    const ids = await deps.db.transaction(async (tx) => {
      const tasks = await taskRepo.listTasks(tx, grant.id, 'revoke');
      await repo.setRetryAndAlert(tx, grant.id, new Date(now.getTime() + interval), now);
      return addToOutbox(tx, now, tasks.map((t) => outboxMessage('task_reminder', { grantId: grant.id, step: 'revoke', to: t.assigneeId })));
    });
    await deps.jobs.enqueueDeliveries(ids);
    sent += ids.length;
  }
  return sent;
}

export function toGrantView(deps: Pick<Deps, 'catalog'>, grant: Grant): GrantView {
  return {
    id: grant.id,
    userId: grant.userId,
    dataset: { id: grant.datasetId, name: findDataset(deps.catalog, grant.datasetId)?.name ?? grant.datasetId },
    status: grant.status,
    endsAt: grant.endsAt,
    durationMinutes: grant.durationMinutes,
    endReason: grant.endReason,
    endedBy: grant.endedBy,
    endNote: grant.endNote,
    lastError: grant.lastError,
  };
}
