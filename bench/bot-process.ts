/**
 * The compiled bot as a process of its own, started the way production starts it
 * (`node dist/src/main.js [all|web|worker]`, NODE_ENV=production), so that a scenario measures the
 * bot's own resident memory (bench/memory.ts sampleRss(pid)) and not the bench's or the fake
 * Slack's. Call buildOnce() (bench/build.ts) first. The bot's output goes to `logFile`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../test/helpers/process.js';
import { sampleRss, type RssSampler } from './memory.js';

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** Where GET /healthz answers (PORT, or WORKER_HEALTH_PORT in worker mode). */
  healthUrl: string;
  logFile: string;
  /** The process's RSS, sampled every 100 ms from the moment it was spawned (start-up included). */
  rss: RssSampler;
  /** SIGTERM, then waits for the exit (the bot finishes the jobs it is running). */
  stop(): Promise<void>;
}

export interface BotProcessOptions {
  mode: 'all' | 'web' | 'worker';
  /** The bot's settings (DATABASE_URL, REDIS_URL, SLACK_API_URL, CATALOG_PATH, QUEUE_PREFIX…) and connector secrets. */
  env: Record<string, string>;
  logFile: string;
  /** Extra node flags, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]. */
  nodeArgs?: string[];
  /** How long to wait for /healthz to answer 200 (ms). */
  readyTimeoutMs?: number;
}

/** Starts the bot and resolves once its /healthz answers 200 (database, Redis and, where they run, the workers). */
export async function startBotProcess(opts: BotProcessOptions): Promise<BotProcess> {
  const port = await freePort();
  const portVar = opts.mode === 'worker' ? 'WORKER_HEALTH_PORT' : 'PORT';
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(REPO_ROOT, 'dist/src/main.js'), opts.mode], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...opts.env, [portVar]: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const bot: BotProcess = {
    child,
    pid: child.pid!,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
    logFile: opts.logFile,
    rss: sampleRss(child.pid!),
    async stop() {
      bot.rss.stop();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the bot exited before it was ready:\n${(await readFile(opts.logFile, 'utf8')).slice(-2000)}`);
    }
    const status = await fetch(bot.healthUrl).then((r) => r.status, () => 0);
    if (status === 200) return bot;
    if (Date.now() > deadline) {
      await bot.stop();
      throw new Error(`the bot was not ready within ${opts.readyTimeoutMs ?? 60_000} ms (last /healthz: ${status || 'no answer'})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
