import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import { recordJobFailure } from './operations.repository.js';

/**
 * A short, safe name for what went wrong: a domain error's code, a Postgres SQLSTATE, or the
 * error's class. Never its message, which may hold data.
 */
export function errorCodeOf(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[a-z0-9_.-]{1,60}$/i.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const name = err instanceof Error ? err.name : typeof err;
  return /^[a-z0-9_.-]{1,60}$/i.test(name) ? name : 'Error';
}

/**
 * A scheduled job failed its last attempt: the admins (and the security channel, when the catalog
 * names one) are told once per job and day, with the job and a short error code; later failures
 * that day are counted, not re-announced. Returns whether this failure was announced.
 */
export async function reportScheduledJobFailure(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'logger'>, job: string, err: unknown): Promise<boolean> {
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  const code = errorCodeOf(err);
  const ids = await deps.db.transaction(async (tx) => {
    if (!(await recordJobFailure(tx, job, day, code, now))) return undefined;
    await appendAudit(tx, { at: now, actorId: 'system', action: 'job.failed', subjectType: 'job', subjectId: job, details: { day, code } });
    const channel = deps.catalog.sensitiveData?.alertChannel;
    return addToOutbox(tx, now, [
      ...deps.catalog.admins.map((admin) => outboxMessage('scheduled_job_failed', { job, code, day, to: { dm: admin } })),
      ...(channel ? [outboxMessage('scheduled_job_failed', { job, code, day, to: { channel } })] : []),
    ]);
  });
  if (!ids) return false;
  deps.logger.error({ job, code }, 'scheduled job failed; admins alerted');
  await deps.jobs.enqueueDeliveries(ids).catch((e) => deps.logger.warn({ err: e }, 'alert not enqueued; the reconciler will'));
  return true;
}
