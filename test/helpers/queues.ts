import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Deletes every key under a test's queue prefix, so a test run leaves nothing behind in Redis. */
export async function removeQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const prefixes = new Set<string>();

/**
 * A fresh queue prefix for one bot in a test file. Every prefix handed out is removed from Redis
 * after the file (test/helpers/cleanup.setup.ts), whether or not the test that used it stopped
 * cleanly, so no run leaves queues behind.
 */
export function testQueuePrefix(): string {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  prefixes.add(prefix);
  return prefix;
}

/** Removes the keys of every prefix handed out in this file. */
export async function removeAllTestQueues(redisUrl: string): Promise<void> {
  for (const prefix of prefixes) await removeQueueKeys(redisUrl, prefix);
  prefixes.clear();
}
