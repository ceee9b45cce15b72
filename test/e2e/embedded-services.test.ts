import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../helpers/fake-slack.js';
import { SIGNING_SECRET } from '../helpers/slack-requests.js';

/**
 * `npm start` with no DATABASE_URL and no REDIS_URL: the real entry point in a child process,
 * with a fresh DATA_DIR, talking to the fake Slack.
 */
let slack: FakeSlack;
let dir: string;
const children: ChildProcess[] = []; // killed at the end, also when a test failed half-way

beforeAll(async () => {
  slack = await new FakeSlack().start();
  // start-up checks the catalog's people with Slack
  slack.users.set('U0ADMIN1', { email: 'ada@acme.test' });
  slack.users.set('U0OWNER1', { email: 'olaf@acme.test' });
  dir = await mkdtemp(join(tmpdir(), 'dab-embedded-'));
  await writeFile(
    join(dir, 'catalog.yml'),
    `admins: [U0ADMIN1]
datasets:
  - id: crm-contacts
    name: CRM contacts
    sensitivity: internal
    owners: [U0OWNER1]
`,
  );
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await slack.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startMain(env: Record<string, string>): Started {
  let out = '';
  // node itself rather than the tsx CLI, so that signals reach the bot as they do in production
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH!,
      SLACK_BOT_TOKEN: 'xoxb-fake',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      CATALOG_PATH: join(dir, 'catalog.yml'),
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => out, exited };
}

async function waitForOutput(s: Started, text: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void s.exited.then(() => (gone = true));
  while (!s.output().includes(text)) {
    if (gone || Date.now() > deadline) throw new Error(`no "${text}" from the bot; it printed:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid), `redis-server ${pid} still running`).toBe(false);
}

async function waitForPidFile(file: string, notPid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pid = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
    if (pid && pid !== notPid) return;
    if (Date.now() > deadline) throw new Error(`no new pid in ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

describe('npm start with nothing configured but Slack', () => {
  it('says it is preparing the embedded database, runs its own redis-server under DATA_DIR, and stops it on SIGTERM', { timeout: 180_000 }, async () => {
    const dataDir = join(dir, 'data1');
    const port = await freePort();
    const bot = startMain({ DATA_DIR: dataDir, EMBEDDED_REDIS_PORT: String(port) });
    await waitForOutput(bot, 'data access bot started');
    const out = bot.output();
    expect(out).toContain(`Preparing the embedded database in ${dataDir} (the first start takes ~20 s)`);
    expect(out.indexOf('Preparing the embedded database')).toBeLessThan(out.indexOf('embedded database ready'));

    const pid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('redis-server');
    const redis = new Redis(`redis://127.0.0.1:${port}`);
    try {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.keys('dab:maintenance:*')).not.toHaveLength(0); // the bot's own queues live here
    } finally {
      redis.disconnect();
    }

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    await waitUntilGone(pid);
  });

  it('a bot killed outright takes its redis-server with it; a stray one is stopped at the next start; the data survives', { timeout: 240_000 }, async () => {
    const dataDir = join(dir, 'data2');
    const redisDir = join(dataDir, 'redis');
    const port = await freePort();
    const first = startMain({ DATA_DIR: dataDir, EMBEDDED_REDIS_PORT: String(port) });
    await waitForOutput(first, 'data access bot started');
    const oldPid = Number(readFileSync(join(redisDir, 'redis.pid'), 'utf8'));
    const redis = new Redis(`redis://127.0.0.1:${port}`);
    await redis.set('dab:kept-across-restarts', '1');
    redis.disconnect();

    first.child.kill('SIGKILL');
    await first.exited;
    await waitUntilGone(oldPid);

    // a redis-server still running on the bot's files and port (as from a bot whose watchdog was killed too)
    const stray = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', redisDir, '--appendonly', 'yes', '--pidfile', join(redisDir, 'redis.pid')], {
      stdio: 'ignore',
      detached: true,
    });
    children.push(stray);
    await waitForPidFile(join(redisDir, 'redis.pid'), oldPid);
    const second = startMain({ DATA_DIR: dataDir, EMBEDDED_REDIS_PORT: String(port) });
    await waitForOutput(second, 'data access bot started');
    await waitUntilGone(stray.pid!);
    expect(second.output()).toContain(`Opening the embedded database in ${dataDir}`);
    const newPid = Number(readFileSync(join(redisDir, 'redis.pid'), 'utf8'));
    expect([oldPid, stray.pid]).not.toContain(newPid);
    const again = new Redis(`redis://127.0.0.1:${port}`);
    try {
      expect(await again.get('dab:kept-across-restarts')).toBe('1'); // the append-only file under DATA_DIR
    } finally {
      again.disconnect();
    }
    expect((await readdir(redisDir)).some((f) => f.startsWith('appendonly'))).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await waitUntilGone(newPid);
  });

  it('without redis-server on the PATH, stops with one line saying how to install it or set REDIS_URL', { timeout: 60_000 }, async () => {
    const bin = join(dir, 'bin-without-redis');
    await mkdir(bin, { recursive: true }); // a PATH with nothing on it
    const bot = startMain({ PATH: bin, DATA_DIR: join(dir, 'data3') });
    expect(await bot.exited).toBe(1);
    const lines = bot.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/redis-server was not found.*apt-get install redis-server.*brew install redis.*REDIS_URL/);
    expect(existsSync(join(dir, 'data3', 'PG_VERSION'))).toBe(false); // said before the slow part
  });
});
