import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { BOT_SETTINGS } from '../config/settings.js';
import type { JobScheduler } from '../modules/deps.js';
import type { Clock } from '../shared/clock.js';

export const QUEUE_NAMES = { expiry: 'expiry', messages: 'messages', maintenance: 'maintenance', provisioning: 'provisioning', handoff: 'handoff' } as const;

/**
 * Wake-ups for grants due at the same instant are shared: each instant has at most this many
 * expiry jobs, a grant's share picked from its id. Every job that wakes runs a pass that ends every
 * grant then due (expireDueGrants), so 10,000 grants due together wake a handful of passes, which
 * split the work between them (and between worker replicas), instead of 10,000 jobs.
 */
export const EXPIRY_SHARDS = 4;

/** Which of its instant's expiry jobs wakes this grant: stable, so re-adding it (the reconciler) is a no-op. */
export function expiryShard(grantId: string): number {
  let h = 0;
  for (let i = 0; i < grantId.length; i++) h = (h * 31 + grantId.charCodeAt(i)) >>> 0;
  return h % EXPIRY_SHARDS;
}

/** Deterministic job ids (BullMQ forbids ':'), so adding the same job twice is harmless. */
export const jobIds = {
  /** The wake-up of the grants due at `dueAtMs` (epoch ms) whose share is `shard`. */
  expireAt: (dueAtMs: number, shard: number) => `expire-at-${dueAtMs}-${shard}`,
  /** An earlier release's one-job-per-grant wake-up; still run if found in Redis. */
  expireGrant: (grantId: string) => `expire-grant-${grantId}`,
  deliver: (outboxId: number) => `deliver-${outboxId}`,
  provision: (grantId: string) => `provision-grant-${grantId}`,
  revoke: (grantId: string) => `revoke-grant-${grantId}`,
};

/** Retries for talking to target systems: `attempts` tries, exponential backoff from `backoffMs`. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

const DEFAULT_PROVISIONING_RETRY: RetryPolicy = { attempts: BOT_SETTINGS.PROVISION_ATTEMPTS.default, backoffMs: BOT_SETTINGS.PROVISION_BACKOFF_MS.default };

const MESSAGE_JOB: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  // A message whose retries ran out stays pending in Postgres; the reconciler enqueues it again.
  removeOnFail: true,
};

/** The one job that delivers an outbox message: its id is derived from the message, so a message has at most one. */
const deliveryJob = (outboxId: number) => ({ name: 'deliver', data: { outboxId }, opts: { ...MESSAGE_JOB, jobId: jobIds.deliver(outboxId) } });

const EXPIRY_JOB: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: true,
  removeOnFail: true,
};

export interface Queues {
  expiry: Queue;
  messages: Queue;
  maintenance: Queue;
  provisioning: Queue;
  /** Messages just stored, handed from the process that answered Slack to a worker (see newDeliveryBatches). */
  handoff: Queue;
  redis: Redis;
  /** Delivery jobs for messages just stored, added in batches (see newDeliveries). */
  newDeliveries: NewDeliveries;
  close(): Promise<void>;
}

interface NewDeliveries {
  add(outboxIds: number[]): Promise<void>;
  /** Resolves once every add made so far has been sent to Redis (or failed). */
  settled(): Promise<void>;
}

/** Messages handed over in one job at most (the worker refuses more); more wait for the next. */
const MAX_DELIVERY_BATCH = 500;
export const HANDOFF_MAX_IDS = MAX_DELIVERY_BATCH;

const HANDOFF_JOB: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  // the messages stay pending in Postgres; the reconciler enqueues them
  removeOnFail: true,
};

/**
 * Hands messages just stored in the outbox to a worker: the ids of every add made while one is
 * under way go together in the next hand-off job, and a worker adds their delivery jobs
 * (addNewDeliveries). A burst of requests then costs the process answering Slack one small job
 * per batch, not one delivery job (a script run in Redis) per message. Should a hand-off be lost,
 * the reconciler sends the messages once they are OUTBOX_GRACE_MS old, as for any message whose
 * job was lost.
 */
function newDeliveryBatches(handoff: Queue): NewDeliveries {
  const queue: Array<{ ids: number[]; resolve(): void; reject(err: unknown): void }> = [];
  let running: Promise<void> | undefined;
  async function drain(): Promise<void> {
    while (queue.length) {
      const batch: typeof queue = [];
      let size = 0;
      while (queue.length && (batch.length === 0 || size + queue[0]!.ids.length <= MAX_DELIVERY_BATCH)) {
        const next = queue.shift()!;
        batch.push(next);
        size += next.ids.length;
      }
      const ids = batch.flatMap((b) => b.ids);
      try {
        // one add larger than a job's share (a request with very many approvers) goes as several
        for (let i = 0; i < ids.length; i += MAX_DELIVERY_BATCH) await handoff.add('deliver-new', { outboxIds: ids.slice(i, i + MAX_DELIVERY_BATCH) }, HANDOFF_JOB);
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    running = undefined;
  }
  return {
    add(ids) {
      if (ids.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ ids, resolve, reject });
        running ??= drain();
      });
    },
    async settled() {
      while (running) await running;
    },
  };
}

/**
 * Delivery jobs for messages just stored (a hand-off's): no job can exist yet under a new
 * message's id, so nothing is looked up first (should one linger from an earlier database, the add
 * is a no-op and the reconciler sends the message once it is OUTBOX_GRACE_MS old).
 */
export async function addNewDeliveries(queues: Queues, outboxIds: number[]): Promise<void> {
  // a hand-off carries at most HANDOFF_MAX_IDS: one addBulk
  await queues.messages.addBulk(outboxIds.map(deliveryJob));
}

/** Connection errors go to `onError`, which summarises repeats (see summarisedErrors). */
export function redisConnection(url: string, forWorker: boolean, onError: (err: Error) => void = () => {}): Redis {
  // Workers block on Redis and must retry forever; producers fail fast so a request is never held up.
  const redis = new Redis(url, forWorker ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', onError);
  return redis;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

export async function openQueues(redisUrl: string, prefix: string, onError: (source: string, err: unknown) => void = () => {}): Promise<Queues> {
  const redis = redisConnection(redisUrl, false, (err) => onError('redis', err));
  const ready = await Promise.race([
    redis.ping().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS).unref()),
  ]);
  if (!ready) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(redisUrl)} (REDIS_URL). Is it running?`);
  }
  const connection = redis as unknown as ConnectionOptions;
  const expiry = new Queue(QUEUE_NAMES.expiry, { connection, prefix });
  const messages = new Queue(QUEUE_NAMES.messages, { connection, prefix });
  const maintenance = new Queue(QUEUE_NAMES.maintenance, { connection, prefix });
  const provisioning = new Queue(QUEUE_NAMES.provisioning, { connection, prefix });
  const handoff = new Queue(QUEUE_NAMES.handoff, { connection, prefix });
  const all = [expiry, messages, maintenance, provisioning, handoff];
  // without a listener BullMQ prints these to the console, stack traces and all
  for (const q of all) q.on('error', (err) => onError(`queue:${q.name}`, err));
  await Promise.all(all.map((q) => q.waitUntilReady()));
  const newDeliveries = newDeliveryBatches(handoff);
  return {
    expiry,
    messages,
    maintenance,
    provisioning,
    handoff,
    redis,
    newDeliveries,
    async close() {
      // messages handed over after a request was answered are added before the connection goes
      await newDeliveries.settled();
      await Promise.all(all.map((q) => q.close()));
      redis.disconnect();
    },
  };
}

export function bullJobScheduler(queues: Queues, clock: Clock, retry: RetryPolicy = DEFAULT_PROVISIONING_RETRY): JobScheduler {
  const provisioningJob: JobsOptions = {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: true,
    // when retries run out the grant's state in Postgres says what happens next
    removeOnFail: true,
  };
  const revokeJob = (grantId: string) => ({ name: 'revoke', data: { grantId }, opts: { ...provisioningJob, jobId: jobIds.revoke(grantId) } });
  return {
    async enqueueProvision(grantId) {
      await queues.provisioning.add('provision', { grantId }, { ...provisioningJob, jobId: jobIds.provision(grantId) });
    },
    async enqueueRevoke(grantId) {
      const job = revokeJob(grantId);
      await queues.provisioning.add(job.name, job.data, job.opts);
    },
    async enqueueRevokes(grantIds) {
      const jobs = grantIds.map(revokeJob);
      for (let i = 0; i < jobs.length; i += 500) await queues.provisioning.addBulk(jobs.slice(i, i + 500));
    },
    // A job already under its id is left as it is: it has not run yet (its instant is ahead), or
    // it is running a pass that ends this grant too. Only a grant scheduled at an instant already
    // past while that instant's job runs could be missed; the reconciler's pass ends such grants.
    async scheduleExpiry(grantId, endsAt) {
      const at = endsAt.getTime();
      await queues.expiry.add('expire', { dueAt: at }, { ...EXPIRY_JOB, jobId: jobIds.expireAt(at, expiryShard(grantId)), delay: Math.max(0, at - clock.now().getTime()) });
    },
    async scheduleExpiries(list) {
      const now = clock.now().getTime();
      const wakeUps = new Map<string, number>();
      for (const g of list) wakeUps.set(jobIds.expireAt(g.endsAt.getTime(), expiryShard(g.id)), g.endsAt.getTime());
      const jobs = [...wakeUps].map(([jobId, at]) => ({ name: 'expire', data: { dueAt: at }, opts: { ...EXPIRY_JOB, jobId, delay: Math.max(0, at - now) } }));
      for (let i = 0; i < jobs.length; i += 500) await queues.expiry.addBulk(jobs.slice(i, i + 500));
    },
    enqueueNewDeliveries: (outboxIds) => queues.newDeliveries.add(outboxIds),
    async enqueueDeliveries(outboxIds) {
      if (outboxIds.length === 0) return;
      // One pipelined read per id says where each message's job stands, in O(1) (looking up a
      // job's state instead scans the waiting list, long exactly when many messages wait):
      // - no job hash (its `name` unset): a new or lost message, added;
      // - a finished job kept under the same id (`finishedOn` set: a failed one, or what a stalled
      //   run left behind under load) would turn the add into a no-op and leave the message pending
      //   for ever: removed, then added again;
      // - a job waiting, delayed or running: left alone (a message never has two at once), and not
      //   added again, so a reconciler pass behind a backlog of thousands of paced messages costs
      //   a read each, not a queue insert each.
      const states = (await queues.redis.pipeline(outboxIds.map((id) => ['hmget', queues.messages.toKey(jobIds.deliver(id)), 'name', 'finishedOn'])).exec()) ?? [];
      const field = (i: number, f: 0 | 1) => (states[i]?.[1] as Array<string | null> | undefined)?.[f] ?? null;
      const leftovers = outboxIds.filter((_, i) => field(i, 1) !== null);
      const missing = outboxIds.filter((_, i) => field(i, 0) === null || field(i, 1) !== null);
      await Promise.all(leftovers.map((outboxId) => queues.messages.remove(jobIds.deliver(outboxId))));
      if (missing.length === 0) return;
      await queues.messages.addBulk(missing.map(deliveryJob));
    },
  };
}
