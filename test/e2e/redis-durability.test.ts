import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { durabilityWarnings, readRedisDurability } from '../../src/shared/redis-durability.js';
import { spawnTiedToThisProcess, type TiedChild } from '../../src/shared/watchdog.js';
import { startTestBot } from '../helpers/bot.js';
import { freePort } from '../helpers/ports.js';
import { waitUntil } from '../helpers/signals.js';

/** Throwaway redis-servers, each configured as a test needs, stopped after the file. */
const servers: TiedChild[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function redisServer(args: string[]): Promise<string> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error('This test starts its own redis-server: install it (e.g. apt-get install redis-server).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'dab-redis-'));
  dirs.push(dir);
  const port = await freePort();
  servers.push(spawnTiedToThisProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...args]));
  await waitUntil(
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    `redis-server on port ${port}`,
  );
  return `redis://127.0.0.1:${port}`;
}

async function warningsFor(url: string): Promise<{ source: string; warnings: string[] }> {
  // no ready check: it needs INFO, which some of these servers refuse
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableReadyCheck: false });
  redis.on('error', () => {});
  try {
    const d = await readRedisDurability(redis);
    return { source: d.source, warnings: durabilityWarnings(d) };
  } finally {
    redis.disconnect();
  }
}

describe('start-up checks how Redis keeps BullMQ’s jobs', () => {
  it('warns in the log, one line each, when Redis evicts keys and keeps nothing on disk', async () => {
    const url = await redisServer(['--maxmemory-policy', 'allkeys-lru', '--save', '', '--appendonly', 'no']);
    const lines: string[] = [];
    const t = await startTestBot({ config: { redisUrl: url }, logSink: (line) => lines.push(line) });
    try {
      const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40 && l.module === 'redis');
      expect(warnings.map((w) => w.msg)).toEqual([
        expect.stringContaining('Redis maxmemory-policy is allkeys-lru, not noeviction'),
        expect.stringContaining('Redis persistence is off'),
      ]);
    } finally {
      await t.stop();
    }
  });

  it('says nothing about a Redis with noeviction and an append-only file', async () => {
    const url = await redisServer(['--maxmemory-policy', 'noeviction', '--save', '', '--appendonly', 'yes']);
    expect(await warningsFor(url)).toEqual({ source: 'config', warnings: [] });
  });

  it('RDB snapshots alone count as persistence', async () => {
    const url = await redisServer(['--maxmemory-policy', 'noeviction', '--save', '3600 1', '--appendonly', 'no']);
    expect(await warningsFor(url)).toEqual({ source: 'config', warnings: [] });
  });

  it('falls back to INFO when CONFIG is forbidden (managed Redis), and says what it cannot know', async () => {
    const url = await redisServer(['--maxmemory-policy', 'volatile-lru', '--appendonly', 'no', '--rename-command', 'CONFIG', '']);
    const { source, warnings } = await warningsFor(url);
    expect(source).toBe('info');
    expect(warnings).toEqual([
      expect.stringContaining('Redis maxmemory-policy is volatile-lru, not noeviction'),
      expect.stringContaining('RDB save schedule cannot be read (CONFIG GET is refused, checked with INFO)'),
    ]);

    const good = await redisServer(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes', '--rename-command', 'CONFIG', '']);
    expect(await warningsFor(good)).toEqual({ source: 'info', warnings: [] });
  });

  it('says it could not check when neither CONFIG nor INFO answers', async () => {
    const url = await redisServer(['--rename-command', 'CONFIG', '', '--rename-command', 'INFO', '']);
    const { source, warnings } = await warningsFor(url);
    expect(source).toBe('none');
    expect(warnings).toEqual([expect.stringContaining('Could not check Redis’s maxmemory-policy and persistence')]);
  });
});
