import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { outbox } from '../../src/shared/db/schema.js';
import { QUEUE_NAMES } from '../../src/worker/queues.js';
import type { TestBot } from './bot.js';

/**
 * Real signals to wait for before asserting that something did NOT happen: the bot has finished
 * what its requests started, the outbox is drained, a recurring job has run. A fixed sleep would
 * pass on a slow machine without testing anything.
 */

/** Polls `probe` until it returns something truthy. */
export async function waitUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Every message written to the outbox so far has been delivered or given up on, and no message
 * job is waiting, delayed or running: nothing more will reach Slack from them.
 */
export async function outboxDrained(t: TestBot, timeoutMs = 20_000): Promise<void> {
  await t.bot.settled();
  await waitUntil(
    async () => {
      const pending = await t.database.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, 'pending'));
      if (pending.length) return false;
      const c = await t.bot.queues.messages.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      return Object.values(c).every((n) => n === 0);
    },
    'the outbox to drain',
    timeoutMs,
  );
}

/**
 * Counts the runs of a recurring job from now on, read from BullMQ's own event stream for the
 * bot's queue: `await runs.completed(2)` returns once the job finished twice after `jobRuns()`.
 */
export async function jobRuns(t: TestBot, schedulerId = 'reconcile', queue: string = QUEUE_NAMES.maintenance) {
  const prefix = t.bot.queues.expiry.opts.prefix!;
  const stream = `${prefix}:${queue}:events`;
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 2 });
  const [last] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
  const since = last?.[0] ?? '0-0';
  return {
    async completed(count: number, timeoutMs = 20_000): Promise<void> {
      try {
        await waitUntil(
          async () => {
            const entries = await redis.xrange(stream, `(${since}`, '+');
            const done = entries.filter(([, fields]) => {
              const f: Record<string, string> = {};
              for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
              return f.event === 'completed' && f.jobId?.startsWith(`repeat:${schedulerId}:`);
            });
            return done.length >= count;
          },
          `${count} completed run(s) of ${schedulerId}`,
          timeoutMs,
        );
      } finally {
        redis.disconnect();
      }
    },
  };
}
