import { randomUUID } from 'node:crypto';
import { findDataset, ownersAndAdmins } from '../../catalog/catalog.js';
import { actorId, isOperator, type Actor } from '../../shared/actor.js';
import { domainError } from '../../shared/errors.js';
import { metrics } from '../../shared/metrics/metrics.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import type { GrantTarget, ProvisionTarget } from '../../provisioners/provisioner.js';
import * as repo from './grants.repository.js';
import * as taskRepo from './tasks.repository.js';
import { grantEnd } from './grants.rules.js';
import type { Grant } from './grants.repository.js';
import type { TaskStep } from './grants.table.js';
import { identityForGrant, identityForRevoke } from './targets.usecases.js';

type Tx = Parameters<Parameters<Deps['db']['transaction']>[0]>[0];

/** What the bot tells the connector about a grant: always the identity recorded on it. */
export function targetFor(grant: Grant, identity: GrantTarget): ProvisionTarget {
  return { grantId: grant.id, datasetId: grant.datasetId, userId: grant.userId, identity, expiresAt: grant.endsAt };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export type StepOutcome = 'done' | 'skipped' | 'retry' | 'gave_up';

/**
 * Gives access in the target system for a grant being provisioned. On success the grant becomes
 * active and its clock starts now. When the last retry fails, the grant goes to `revoking` (the
 * target may hold a half-made grant) and the requester and owners are told it failed.
 */
export async function provisionGrant(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'people' | 'logger'>, grantId: string, opts: { finalAttempt: boolean }): Promise<StepOutcome> {
  const grant = await repo.findGrant(deps.db, grantId);
  if (!grant || grant.status !== 'provisioning') return 'skipped';
  const connector = deps.connectors.forDataset(grant.datasetId);
  if (connector.kind === 'manual') return 'skipped';
  const now = () => deps.clock.now();
  metrics.connectorAttempt('grant', connector.kind);
  try {
    await connector.grant(targetFor(grant, await identityForGrant(deps, grant, connector)));
  } catch (err) {
    metrics.connectorFailure('grant', connector.kind);
    const message = errorText(err);
    const still = await deps.db.transaction(async (tx) => {
      // another attempt may have finished meanwhile: a late failure then records nothing
      if (!(await repo.recordStepFailure(tx, grantId, 'provisioning', message))) return false;
      await appendAudit(tx, grantEvent(grant, now(), 'system', 'grant.provision_attempt_failed', { connector: connector.kind, error: message }));
      return true;
    });
    if (!still) return 'skipped';
    if (!opts.finalAttempt) return 'retry';
    await giveUpProvisioning(deps, grant, message);
    return 'gave_up';
  }
  await activate(deps, grant, 'system', connector.kind);
  return 'done';
}

async function giveUpProvisioning(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs'>, grant: Grant, message: string) {
  const now = deps.clock.now();
  const recipients = [grant.userId, ...(findDataset(deps.catalog, grant.datasetId)?.owners ?? [])];
  const moved = await deps.db.transaction(async (tx) => {
    const row = await repo.transitionGrant(tx, grant.id, 'provisioning', { status: 'revoking', endReason: 'provision_failed' });
    if (!row) return undefined;
    await appendAudit(tx, grantEvent(grant, now, 'system', 'grant.provision_failed', { error: message }));
    return addToOutbox(tx, now, [...new Set(recipients)].map((to) => outboxMessage('provision_failed', { grantId: grant.id, to, error: message })));
  });
  if (!moved) return;
  await deps.jobs.enqueueDeliveries(moved).catch(() => undefined);
  // undo anything half-made; a revoke of what is not held succeeds
  await deps.jobs.enqueueRevoke(grant.id).catch(() => undefined);
}

/** provisioning → active; the clock starts now. Returns false when someone else did it first. */
async function activate(deps: Pick<Deps, 'db' | 'clock' | 'jobs' | 'logger'>, grant: Grant, actorId: string, how: string): Promise<boolean> {
  const now = deps.clock.now();
  const active = await deps.db.transaction(async (tx) => {
    const row = await repo.transitionGrant(tx, grant.id, 'provisioning', { status: 'active', startsAt: now, endsAt: grantEnd(now, grant.durationMinutes) });
    if (!row) return undefined;
    await appendAudit(tx, grantEvent(row, now, actorId, 'grant.activated', { connector: how, endsAt: row.endsAt.toISOString() }));
    const ids = await addToOutbox(tx, now, [
      outboxMessage('access_ready', { grantId: grant.id }),
      ...(how === 'manual' ? [outboxMessage('task_messages', { grantId: grant.id, step: 'grant' })] : []),
    ]);
    return { row, ids };
  });
  if (!active) return false;
  deps.logger.info({ grantId: grant.id, datasetId: grant.datasetId }, 'grant active');
  await deps.jobs.scheduleExpiry(grant.id, active.row.endsAt).catch((err) => deps.logger.warn({ err }, 'expiry not scheduled; the reconciler will'));
  await deps.jobs.enqueueDeliveries(active.ids).catch(() => undefined);
  return true;
}

/**
 * Starts taking access away (active → revoking). Automated connectors get a revoke job; manual
 * datasets get a task for each owner. Used at expiry and, later, for revoke and release.
 */
export async function startRevoke(deps: Pick<Deps, 'catalog' | 'connectors' | 'onGrantEnding'>, tx: Tx, grant: Grant, endReason: string, actorId: string, now: Date) {
  const row = await repo.transitionGrant(tx, grant.id, 'active', { status: 'revoking', endReason }, endReason === 'expired' ? { dueBy: now } : undefined);
  if (!row) return undefined;
  const outboxIds = await revokeStarted(deps, tx, [row], endReason, actorId, now);
  return { grant: row, manual: deps.connectors.forDataset(row.datasetId).kind === 'manual', outboxIds };
}

/**
 * What follows grants just moved to `revoking` (one, or a batch that fell due together), in the
 * transaction that moved them: one audit event per grant, the other modules' hook, and for manual
 * datasets a task for each owner. Returns the outbox ids to deliver once it has committed.
 */
export async function revokeStarted(deps: Pick<Deps, 'catalog' | 'connectors' | 'onGrantEnding'>, tx: Tx, rows: Grant[], endReason: string, actorId: string, now: Date): Promise<number[]> {
  if (rows.length === 0) return [];
  // manual datasets: a task for each owner, all the batch's in a few statements, before the audit
  // chain's head is taken (it is held from the append to the commit)
  const tasks = rows.filter((row) => deps.connectors.forDataset(row.datasetId).kind === 'manual').map((row) => ({ grantId: row.id, assigneeIds: taskAssignees(deps, row) }));
  let taskMessages: number[] = [];
  if (tasks.length) {
    await taskRepo.insertTasksForGrants(tx, 'revoke', tasks);
    await repo.markAlerted(tx, tasks.map((t) => t.grantId), now);
    taskMessages = await addToOutbox(tx, now, tasks.flatMap((t) => t.assigneeIds.map((to) => outboxMessage('task', { grantId: t.grantId, step: 'revoke', to }))));
  }
  // A pending extension of these grants ends with them; its approvers' buttons go away. Its
  // request row is taken before the audit chain's head, as every path takes them (grant, request,
  // head): an extension approved at this moment then waits for this one instead of deadlocking.
  // The trail still reads cause before effect: the grants' events first, then the closures.
  const ending = await deps.onGrantEnding(tx, rows.map((r) => r.id), endReason, now);
  await appendAudit(tx, ...rows.map((row) => grantEvent(row, now, actorId, 'grant.revoke_started', { reason: endReason })), ...ending.audit);
  return [...ending.outboxIds, ...taskMessages];
}

/**
 * Takes access away in the target system for a grant in `revoking`. Only on success does the
 * grant end (expired, revoked, or failed for a grant that never worked). When retries are used
 * up, owners and admins are alerted, and it is tried again after `stuckRetrySeconds`.
 */
export async function revokeGrant(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'people' | 'settings' | 'logger'>, grantId: string, opts: { finalAttempt: boolean }): Promise<StepOutcome> {
  const grant = await repo.findGrant(deps.db, grantId);
  if (!grant || grant.status !== 'revoking') return 'skipped';
  const connector = deps.connectors.forDataset(grant.datasetId);
  if (connector.kind === 'manual') return 'skipped';
  const now = deps.clock.now();
  metrics.connectorAttempt('revoke', connector.kind);
  try {
    // exactly who was given access; nothing to undo when nobody was named before a failed grant
    const identity = await identityForRevoke(deps, grant, connector);
    if (identity) await connector.revoke(targetFor(grant, identity));
  } catch (err) {
    metrics.connectorFailure('revoke', connector.kind);
    const message = errorText(err);
    const alerts = await deps.db.transaction(async (tx) => {
      // another attempt (a retry, the reconciler) may have ended the grant meanwhile: a late
      // failure then records nothing and alerts nobody
      if (!(await repo.recordStepFailure(tx, grantId, 'revoking', message))) return undefined;
      await appendAudit(tx, grantEvent(grant, now, 'system', 'grant.revoke_attempt_failed', { connector: connector.kind, error: message }));
      if (!opts.finalAttempt) return [];
      await repo.setRetryAndAlert(tx, grantId, new Date(now.getTime() + deps.settings.stuckRetrySeconds * 1000), now);
      await appendAudit(tx, grantEvent(grant, now, 'system', 'grant.revoke_stuck', { error: message }));
      return addToOutbox(
        tx,
        now,
        ownersAndAdmins(deps.catalog, grant.datasetId).map((to) => outboxMessage('revoke_stuck', { grantId, to })),
      );
    });
    if (!alerts) return 'skipped';
    await deps.jobs.enqueueDeliveries(alerts).catch(() => undefined);
    deps.logger.warn({ grantId, final: opts.finalAttempt }, 'revoke failed');
    return opts.finalAttempt ? 'gave_up' : 'retry';
  }
  await finishRevoke(deps, grant, 'system', connector.kind);
  return 'done';
}

/** revoking → its final state; tells the person when their access has ended. */
async function finishRevoke(deps: Pick<Deps, 'db' | 'clock' | 'jobs' | 'logger'>, grant: Grant, actorId: string, how: string): Promise<boolean> {
  const now = deps.clock.now();
  const final = grant.endReason === 'provision_failed' ? 'failed' : grant.endReason === 'expired' ? 'expired' : 'revoked';
  const done = await deps.db.transaction(async (tx) => {
    const row = await repo.transitionGrant(tx, grant.id, 'revoking', { status: final, endedAt: now, nextAttemptAt: null, alertedAt: null });
    if (!row) return undefined;
    await appendAudit(tx, grantEvent(row, now, actorId, final === 'expired' ? 'grant.expired' : final === 'failed' ? 'grant.cleaned_up' : 'grant.revoked', { connector: how, reason: grant.endReason }));
    return addToOutbox(tx, now, [
      ...(final === 'failed' ? [] : [outboxMessage('grant_expired', { grantId: grant.id })]),
      ...(how === 'manual' ? [outboxMessage('task_messages', { grantId: grant.id, step: 'revoke' })] : []),
    ]);
  });
  if (!done) return false;
  if (final === 'expired') metrics.expiryLateness((now.getTime() - grant.endsAt.getTime()) / 1000);
  deps.logger.info({ grantId: grant.id, status: final }, 'grant ended');
  await deps.jobs.enqueueDeliveries(done).catch(() => undefined);
  return true;
}

export const taskErrors = {
  notFound: () => domainError('grants.not_found', {}, 'That access grant no longer exists.'),
  notAllowed: (datasetId: string) =>
    domainError('grants.task_not_allowed', { datasetId }, `Only the owners of ${datasetId} and the access admins can confirm this. Nothing was changed.`),
  ownGrant: () => domainError('grants.own_grant', {}, 'You cannot confirm a change to your own access; another owner or an admin has to.'),
  notManual: (datasetId: string) =>
    domainError('grants.task_not_manual', { datasetId }, `Access to ${datasetId} is set up by its connector, not by hand. Nothing was changed.`),
  revokeNotStuck: (datasetId: string) =>
    domainError(
      'grants.revoke_not_stuck',
      { datasetId },
      `Removing this access to ${datasetId} is not stuck: the bot is still removing it through its connector. Nothing was changed.`,
    ),
  alreadyDone: (status: string) => domainError('grants.task_already_done', { status }, `Already done: this access is ${status} now. Nothing more to do.`),
};

/**
 * A person confirms they did a step by hand: gave the access (a manual dataset), or removed it
 * (a manual dataset, or a stuck automated revoke). Checked on the server; idempotent. An operator
 * (the admin CLI) is not checked against the catalog, but the step's own rules still apply.
 */
export async function confirmTask(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'logger'>, grantId: string, actor: Actor, step: TaskStep): Promise<Grant> {
  const grant = await repo.findGrant(deps.db, grantId);
  if (!grant) throw taskErrors.notFound();
  const userId = actorId(actor);
  if (!isOperator(actor)) {
    if (grant.userId === userId) throw taskErrors.ownGrant();
    if (!ownersAndAdmins(deps.catalog, grant.datasetId).includes(userId)) throw taskErrors.notAllowed(grant.datasetId);
  }
  const expected = step === 'grant' ? 'provisioning' : 'revoking';
  if (grant.status !== expected) throw taskErrors.alreadyDone(grant.status);
  const manual = deps.connectors.forDataset(grant.datasetId).kind === 'manual';
  // a connector gives access itself: nobody may mark it given by hand
  if (step === 'grant' && !manual) throw taskErrors.notManual(grant.datasetId);
  // an automated revoke may be resolved by hand only once it is stuck (its retries ran out and people were alerted)
  if (step === 'revoke' && !manual && !grant.alertedAt) throw taskErrors.revokeNotStuck(grant.datasetId);
  const how = manual ? 'manual' : 'resolved_by_hand';
  const moved = step === 'grant' ? await activate(deps, grant, userId, how) : await finishRevoke(deps, grant, userId, how);
  if (!moved) throw taskErrors.alreadyDone('changed');
  return grant;
}

/** An approved request for new access, as the grants module needs it. */
export interface ApprovedAccess {
  requestId: string;
  datasetId: string;
  userId: string;
  durationMinutes: number;
}

/**
 * Creates the grant for an approved request inside the approver's transaction. It is
 * `provisioning` until the target system has it: a manual dataset's owners are asked to give it
 * by hand; for a connector, `provisionGrantId` is the grant to provision once this has committed.
 */
export async function createGrant(
  deps: Pick<Deps, 'catalog' | 'connectors'>,
  tx: Tx,
  access: ApprovedAccess,
  deciderId: string,
  now: Date,
): Promise<{ outboxIds: number[]; provisionGrantId?: string }> {
  const connector = deps.connectors.forDataset(access.datasetId);
  const grant: Grant = await repo.insertGrant(tx, {
    id: randomUUID(),
    requestId: access.requestId,
    datasetId: access.datasetId,
    userId: access.userId,
    status: 'provisioning',
    durationMinutes: access.durationMinutes,
    startsAt: now,
    endsAt: grantEnd(now, access.durationMinutes),
  });
  await appendAudit(tx, grantEvent(grant, now, deciderId, 'grant.created', { requestId: access.requestId, connector: connector.kind }));
  if (connector.kind === 'manual') return { outboxIds: await createGrantTasks(deps, tx, grant, now) };
  return { outboxIds: [], provisionGrantId: grant.id };
}

/** For a manual dataset, right after approval: ask each owner to give the access by hand. */
async function createGrantTasks(deps: Pick<Deps, 'catalog'>, tx: Tx, grant: Grant, now: Date): Promise<number[]> {
  const owners = taskAssignees(deps, grant);
  await taskRepo.insertTasks(tx, grant.id, 'grant', owners);
  return addToOutbox(tx, now, owners.map((to) => outboxMessage('task', { grantId: grant.id, step: 'grant', to })));
}

/** Owners do manual steps; when the grantee is the only owner, the admins do. */
function taskAssignees(deps: Pick<Deps, 'catalog'>, grant: Grant): string[] {
  const owners = (findDataset(deps.catalog, grant.datasetId)?.owners ?? []).filter((o) => o !== grant.userId);
  return owners.length ? owners : deps.catalog.admins.filter((a) => a !== grant.userId);
}

export function grantEvent(grant: Grant, at: Date, actorId: string, action: string, details: Record<string, unknown> = {}) {
  return {
    at,
    actorId,
    action,
    subjectType: 'grant' as const,
    subjectId: grant.id,
    details: { datasetId: grant.datasetId, userId: grant.userId, ...details },
  };
}
