import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { z } from 'zod';
import type { Deps } from '../modules/deps.js';
import { expireDueGrants } from '../modules/grants/expiry.usecases.js';
import { dueGrantsLeft, dueState, expireGrant, reconcile } from '../modules/grants/grants.usecases.js';
import { provisionGrant, revokeGrant } from '../modules/grants/provisioning.usecases.js';
import { followUpPendingRequests } from '../modules/requests/followups.usecases.js';
import { sendHygieneTips } from '../modules/nudges/tips.usecases.js';
import { followUpReviews } from '../modules/reviews/followups.usecases.js';
import { startReview } from '../modules/reviews/reviews.usecases.js';
import { deliverMessage } from '../modules/notifications/notifications.usecases.js';
import { metrics } from '../shared/metrics/metrics.js';
import { reportScheduledJobFailure } from '../modules/operations/operations.usecases.js';
import { DeliveryRateLimitedError } from '../modules/notifications/notifications.ports.js';
import { addNewDeliveries, HANDOFF_MAX_IDS, QUEUE_NAMES, redisConnection, type Queues } from './queues.js';
import { upsertSchedules } from './schedules.js';

const payloads = {
  /** An instant's wake-up (`dueAt`, epoch ms), or an earlier release's job for one grant. */
  expire: z.union([z.object({ dueAt: z.number().int().positive(), rechecks: z.number().int().nonnegative().optional() }), z.object({ grantId: z.string().uuid() })]),
  grant: z.object({ grantId: z.string().uuid() }),
  deliver: z.object({ outboxId: z.number().int().positive() }),
  handoff: z.object({ outboxIds: z.array(z.number().int().positive()).max(HANDOFF_MAX_IDS) }),
};

function parsePayload<T>(schema: z.ZodType<T>, job: Job): T {
  const parsed = schema.safeParse(job.data);
  // A malformed payload will never succeed: fail it now rather than retrying.
  if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${job.name}`);
  return parsed.data;
}

/** Expiry jobs run at once per process; each that wakes runs a batch pass (see expireDueGrants and EXPIRY_SHARDS). */
export const EXPIRY_CONCURRENCY = 5;

/** Times a wake-up looks again, a second apart, for grants of its instant a pass had to skip. */
const EXPIRY_RECHECKS = 60;

export interface Workers {
  /** Every worker's loop is running (for the health check). */
  running(): boolean;
  close(): Promise<void>;
}

export async function startWorkers(
  deps: Deps,
  queues: Queues,
  opts: { redisUrl: string; prefix: string; reconcileIntervalSeconds: number; messagesPerSecond: number; onRedisError?: (source: string, err: unknown) => void },
): Promise<Workers> {
  const log = deps.logger.child({ module: 'worker' });
  const reportRedis = opts.onRedisError ?? ((source: string, err: unknown) => log.error({ source, err }, 'worker error'));
  const connections: Array<ReturnType<typeof redisConnection>> = [];
  const connection = () => {
    const redis = redisConnection(opts.redisUrl, true, (err) => reportRedis('redis:worker', err));
    connections.push(redis);
    return redis as unknown as ConnectionOptions;
  };
  const common = { prefix: opts.prefix };

  const expiry = new Worker(
    QUEUE_NAMES.expiry,
    async (job, token) => {
      const payload = parsePayload(payloads.expire, job);
      if ('dueAt' in payload) {
        // Woken early (clock skew between processes): sleep again until the instant
        if (payload.dueAt > deps.clock.now().getTime()) {
          await job.moveToDelayed(payload.dueAt, token);
          throw new DelayedError();
        }
        // ends every grant due by now, this instant's and any other, in batches shared with the
        // instant's other wake-ups (FOR UPDATE SKIP LOCKED)
        const { started } = await expireDueGrants(deps);
        // a grant of this instant another transaction held was skipped: look again in a second
        // (for a minute; then the reconciler's pass)
        const rechecks = payload.rechecks ?? 0;
        if (rechecks < EXPIRY_RECHECKS && (await dueGrantsLeft(deps, new Date(payload.dueAt)))) {
          await job.updateData({ dueAt: payload.dueAt, rechecks: rechecks + 1 });
          await job.moveToDelayed(Date.now() + 1_000, token);
          throw new DelayedError();
        }
        return started;
      }
      const { grantId } = payload;
      // an earlier release's job for one grant: whichever wakes first ends every grant due with
      // it, in batches; the rest find theirs already on its way out and stop after one read
      const state = await dueState(deps, grantId);
      if (state === 'not_active') return state;
      if (state === 'due') await expireDueGrants(deps);
      const outcome = await expireGrant(deps, grantId);
      if (outcome.kind === 'not_due') {
        // Woken early (clock skew, or the end moved): sleep again until the grant is due.
        await job.moveToDelayed(outcome.endsAt.getTime(), token);
        throw new DelayedError();
      }
      return outcome.kind;
    },
    { ...common, connection: connection(), concurrency: EXPIRY_CONCURRENCY },
  );

  const messages: Worker = new Worker(
    QUEUE_NAMES.messages,
    async (job) => {
      try {
        return await deliverMessage(deps, parsePayload(payloads.deliver, job).outboxId);
      } catch (err) {
        if (!(err instanceof DeliveryRateLimitedError)) throw err;
        // Slack said to wait: the whole queue (every replica) pauses that long and this job goes
        // back to waiting, without using up one of its attempts
        await messages.rateLimit(err.retryAfterMs);
        throw Worker.RateLimitError();
      }
    },
    // paced below Slack's limits; a 429 still pauses it for as long as Slack asks
    { ...common, connection: connection(), concurrency: 10, limiter: { max: opts.messagesPerSecond, duration: 1000 } },
  );

  let firstPassDone = false;
  const maintenance = new Worker(
    QUEUE_NAMES.maintenance,
    async (job) => {
      if (job.name === 'start-review') return (await startReview(deps, 'system')).created;
      if (job.name === 'hygiene-tips') return sendHygieneTips(deps);
      // the first pass of this process re-creates every active grant's wake-up (a restart, a Redis
      // flush); later ones those ending within a few passes, each well before it is due
      const wakeUpsWithinMs = firstPassDone ? Math.max(3600, 3 * opts.reconcileIntervalSeconds) * 1000 : undefined;
      const grants = await reconcile(deps, { wakeUpsWithinMs });
      firstPassDone = true;
      return { grants, requests: await followUpPendingRequests(deps), reviews: await followUpReviews(deps) };
    },
    { ...common, connection: connection(), concurrency: 1 },
  );

  const provisioning = new Worker(
    QUEUE_NAMES.provisioning,
    async (job) => {
      const { grantId } = parsePayload(payloads.grant, job);
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const step = job.name === 'revoke' ? revokeGrant : job.name === 'provision' ? provisionGrant : undefined;
      if (!step) throw new UnrecoverableError(`unknown job ${job.name}`);
      const outcome = await step(deps, grantId, { finalAttempt });
      // the failure is already recorded in Postgres; throwing makes BullMQ retry with backoff
      if (outcome === 'retry') throw new Error(`${job.name} failed; will retry`);
      return outcome;
    },
    { ...common, connection: connection(), concurrency: 5 },
  );

  // messages just stored by the process that answered Slack: their delivery jobs are added here
  const handoff = new Worker(
    QUEUE_NAMES.handoff,
    async (job) => {
      const { outboxIds } = parsePayload(payloads.handoff, job);
      await addNewDeliveries(queues, outboxIds);
      return outboxIds.length;
    },
    { ...common, connection: connection(), concurrency: 2 },
  );

  const all = [expiry, messages, maintenance, provisioning, handoff];
  for (const w of all) {
    w.on('failed', () => metrics.jobFailed(w.name));
    w.on('failed', (job, err) => log.warn({ queue: w.name, jobId: job?.id, attempt: job?.attemptsMade, err }, 'job failed'));
    w.on('error', (err) => reportRedis(`worker:${w.name}`, err));
  }
  // a scheduled job's last attempt failed: the admins hear of it (once per job and day), not only the log
  maintenance.on('failed', (job, err) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    reportScheduledJobFailure(deps, job.name, err).catch((e) => log.error({ job: job.name, err: e }, 'could not alert the admins of a failed job'));
  });

  await upsertSchedules(queues, opts.reconcileIntervalSeconds, deps.catalog);
  // If Redis is flushed, its job schedulers go with it; re-declaring them is cheap and idempotent.
  const heal = setInterval(() => {
    upsertSchedules(queues, opts.reconcileIntervalSeconds, deps.catalog).catch((err) => log.warn({ err }, 'could not refresh schedules'));
  }, opts.reconcileIntervalSeconds * 1000);
  heal.unref();

  return {
    running: () => all.every((w) => w.isRunning()),
    async close() {
      clearInterval(heal);
      await Promise.all(all.map((w) => w.close()));
      for (const redis of connections) redis.disconnect();
    },
  };
}
