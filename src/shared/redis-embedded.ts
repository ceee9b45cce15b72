import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { resolve, join } from 'node:path';
import { spawnTiedToThisProcess } from './watchdog.js';

/**
 * A private redis-server for `npm start` without REDIS_URL: a child process bound to 127.0.0.1,
 * with its append-only file under `dir` (so grants' timers survive restarts), stopped with the
 * bot. It never outlives the bot: a watchdog stops it as soon as the bot's process is gone, even
 * when killed outright; and should one still be running from before (found by its pid file), it
 * is stopped at the next start.
 */
export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

export class EmbeddedRedisError extends Error {
  override name = 'EmbeddedRedisError';
}

export const REDIS_MISSING_MESSAGE =
  'redis-server was not found on the PATH: install it (apt-get install redis-server, or brew install redis) or set REDIS_URL to a running Redis.';

const START_TIMEOUT_MS = 15_000;

export async function startEmbeddedRedis(opts: { dir: string; port: number; binary?: string }): Promise<EmbeddedRedis> {
  const binary = opts.binary ?? 'redis-server';
  if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).error) throw new EmbeddedRedisError(REDIS_MISSING_MESSAGE);
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  await stopLeftover(pidFile);

  const port = opts.port || (await freePort());
  const args = [
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--dir', dir,
    '--appendonly', 'yes',
    '--save', '',
    '--pidfile', pidFile,
    '--daemonize', 'no',
    '--loglevel', 'warning',
    '--logfile', join(dir, 'redis.log'),
  ];
  // never outlives the bot, even one killed outright; Ctrl-C reaches the bot alone, which stops
  // Redis after its workers
  const { exited, stop: stopChild } = spawnTiedToThisProcess(binary, args);

  const failed = await Promise.race([
    waitForPort(port).then(
      () => undefined,
      () => `it did not answer on port ${port}`,
    ),
    exited.then((code) => `it exited with code ${code}`),
  ]);
  if (failed) {
    await stopChild();
    throw new EmbeddedRedisError(`The embedded redis-server did not start (${failed}); see ${join(dir, 'redis.log')}, or set REDIS_URL.`);
  }
  return { url: `redis://127.0.0.1:${port}`, stop: stopChild };
}

/** Stops a redis-server whose pid file a previous, killed bot left behind. */
async function stopLeftover(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isRedisServer(pid)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(pidFile, { force: true });
}

function isRedisServer(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' });
    return (ps.stdout ?? '').includes('redis-server');
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

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
    srv.on('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        done(true);
      });
      s.on('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
