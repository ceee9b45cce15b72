import { testQueuePrefix } from './queues.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { EXAMPLE_CATALOG, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.start.js';
import type { SandboxMessage } from '../../src/sandbox/sandbox.store.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestSandbox {
  sandbox: RunningSandbox;
  /** The stand-in's own address (the page and its JSON API), on 127.0.0.1. */
  baseUrl: string;
  database: TestDatabase;
  /** POSTs to the page's JSON API as the page does. */
  page(path: string, body: Record<string, unknown>): Promise<any>;
  /** What the page shows `userId` now. */
  state(userId: string): Promise<ReturnType<RunningSandbox['store']['snapshotFor']>>;
  waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  dm(userId: string, match: (m: SandboxMessage) => boolean): Promise<SandboxMessage>;
  stop(): Promise<void>;
}

/**
 * The sandbox as `npm start` runs it (the same startSandbox), with a temp DATA_DIR, the example
 * catalog, the test's database and Redis, its own queue prefix and a free port.
 */
export async function startTestSandbox(opts: { socketMode?: boolean; clock?: Clock } = {}): Promise<TestSandbox> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dab-sandbox-'));
  const database = await createTestDatabase();
  const sandbox = await startSandbox(
    {
      REDIS_URL: inject('redisUrl'),
      DATA_DIR: dataDir,
      SANDBOX_PORT: '0',
      CATALOG_PATH: EXAMPLE_CATALOG,
      QUEUE_PREFIX: testQueuePrefix(),
      RECONCILE_INTERVAL_SECONDS: '1',
      ...(opts.socketMode ? { SANDBOX_SOCKET_MODE: '1' } : {}),
    },
    undefined,
    { database, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), env: {}, ...(opts.clock ? { clock: opts.clock } : {}) },
  );
  const baseUrl = sandbox.url.replace('localhost', '127.0.0.1').replace(/\/$/, '');
  const waitFor: TestSandbox['waitFor'] = async (probe, what, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sandbox.store.waitForChange(sandbox.store.version, 200);
    }
  };
  return {
    sandbox,
    baseUrl,
    database,
    async page(path, body) {
      const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return res.json();
    },
    async state(userId) {
      return (await fetch(`${baseUrl}/sandbox/state?user=${userId}`)).json();
    },
    waitFor,
    dm(userId, match) {
      return waitFor(() => sandbox.store.messages.find((m) => m.channel === `D${userId}` && !m.ephemeralFor && match(m)), `a DM to ${userId}`);
    },
    async stop() {
      await sandbox.stop();
      await database.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
