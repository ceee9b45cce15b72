import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { BOT_SETTINGS } from '../config/settings.js';
import type { JobScheduler } from '../modules/deps.js';
import type { Clock } from '../shared/clock.js';

export const QUEUE_NAMES = { expiry: 'expiry', messages: 'messages', maintenance: 'maintenance', provisioning: 'provisioning' } as const;

/** Deterministic job ids (BullMQ forbids ':'), so adding the same job twice is harmless. */
export const jobIds = {
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
  redis: Redis;
  close(): Promise<void>;
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
  const all = [expiry, messages, maintenance, provisioning];
  // without a listener BullMQ prints these to the console, stack traces and all
  for (const q of all) q.on('error', (err) => onError(`queue:${q.name}`, err));
  await Promise.all(all.map((q) => q.waitUntilReady()));
  return {
    expiry,
    messages,
    maintenance,
    provisioning,
    redis,
    async close() {
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
  return {
    async enqueueProvision(grantId) {
      await queues.provisioning.add('provision', { grantId }, { ...provisioningJob, jobId: jobIds.provision(grantId) });
    },
    async enqueueRevoke(grantId) {
      await queues.provisioning.add('revoke', { grantId }, { ...provisioningJob, jobId: jobIds.revoke(grantId) });
    },
    async scheduleExpiry(grantId, endsAt) {
      const delay = Math.max(0, endsAt.getTime() - clock.now().getTime());
      await queues.expiry.add('expire', { grantId }, { ...EXPIRY_JOB, jobId: jobIds.expireGrant(grantId), delay });
    },
    async scheduleExpiries(list) {
      const now = clock.now().getTime();
      for (let i = 0; i < list.length; i += 500) {
        await queues.expiry.addBulk(
          list.slice(i, i + 500).map((g) => ({
            name: 'expire',
            data: { grantId: g.id },
            opts: { ...EXPIRY_JOB, jobId: jobIds.expireGrant(g.id), delay: Math.max(0, g.endsAt.getTime() - now) },
          })),
        );
      }
    },
    async enqueueDeliveries(outboxIds) {
      if (outboxIds.length === 0) return;
      // A finished job kept under the same id (a failed one, or what a stalled run left behind under
      // load) would turn this add into a no-op and leave the message pending for ever: clear it.
      // A job still waiting, delayed or running is left alone, so a message never has two at once.
      // Only ids whose job hash exists can be either: one pipelined EXISTS each finds them (a new
      // message has none), because looking up a job's state scans the waiting list, which is long
      // exactly when many messages are queued at once.
      const exists = (await queues.redis.pipeline(outboxIds.map((id) => ['exists', queues.messages.toKey(jobIds.deliver(id))])).exec()) ?? [];
      const kept = outboxIds.filter((_, i) => exists[i]?.[1] !== 0);
      await Promise.all(
        kept.map(async (outboxId) => {
          const state = await queues.messages.getJobState(jobIds.deliver(outboxId));
          if (state === 'failed' || state === 'completed' || state === 'unknown') await queues.messages.remove(jobIds.deliver(outboxId));
        }),
      );
      await queues.messages.addBulk(
        outboxIds.map((outboxId) => ({ name: 'deliver', data: { outboxId }, opts: { ...MESSAGE_JOB, jobId: jobIds.deliver(outboxId) } })),
      );
    },
  };
}
