import { inject } from 'vitest';
import { openDatabase } from '../../src/shared/db/client.js';
import { startTestBot, type TestBot } from './bot.js';
import { createTestDatabase } from './db.js';
import { HangProxy } from './hang-proxy.js';

type Cleanup = Array<() => Promise<void>>;

/** A web bot whose Redis connection goes through a proxy the test can hang; cleaned up by `cleanup`. */
export async function botBehindRedisProxy(cleanup: Cleanup): Promise<{ t: TestBot; proxy: HangProxy }> {
  const target = new URL(inject('redisUrl'));
  const proxy = await new HangProxy(target.hostname, Number(target.port || 6379)).start();
  cleanup.push(() => proxy.stop());
  const t = await startTestBot({ config: { mode: 'web', redisUrl: proxy.via(inject('redisUrl')) } });
  cleanup.push(async () => {
    proxy.resume();
    await t.stop();
  });
  return { t, proxy };
}

/** A web bot on a fresh Postgres database reached through a proxy the test can hang or stop. */
export async function botBehindPostgresProxy(cleanup: Cleanup): Promise<{ t: TestBot; proxy: HangProxy }> {
  const real = await createTestDatabase();
  cleanup.push(() => real.destroy());
  if (!real.url) throw new Error('This test needs a Postgres server: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).');
  const target = new URL(real.url);
  const proxy = await new HangProxy(target.hostname, Number(target.port || 5432)).start();
  cleanup.push(() => proxy.stop());
  const proxied = await openDatabase({ url: proxy.via(real.url) });
  const t = await startTestBot({ config: { mode: 'web' }, database: { ...proxied, destroy: () => proxied.close() } });
  cleanup.push(async () => {
    proxy.resume();
    await t.stop();
  });
  return { t, proxy };
}

/** GET a health path: its status, JSON body and how long it took (ms). */
export async function probe(baseUrl: string, path: '/healthz' | '/readyz'): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  const body = await res.json();
  return { status: res.status, body, ms: Date.now() - started };
}
