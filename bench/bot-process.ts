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
import { nodeFlags } from '../src/shared/heap.js';
import { rssMb, sampleRss, type RssSampler } from './memory.js';

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** Where GET /healthz answers (PORT, or WORKER_HEALTH_PORT in worker mode). */
  healthUrl: string;
  /** Where Slack sends its signed requests (web and all modes). */
  eventsUrl: string;
  /** From spawn to /healthz answering 200, ms. */
  readyMs: number;
  /** RSS when it became ready, MB. */
  readyRssMb: number;
  logFile: string;
  /** The process's RSS, sampled every 100 ms from the moment it was spawned (start-up included). */
  rss: RssSampler;
  /** SIGTERM, then waits for the exit (the bot finishes the jobs it is running); the peak RSS over its life, MB. */
  stop(): Promise<number>;
}

export interface BotProcessOptions {
  mode: 'all' | 'web' | 'worker';
  /** The bot's settings (DATABASE_URL, REDIS_URL, SLACK_API_URL, CATALOG_PATH, QUEUE_PREFIX…) and connector secrets. */
  env: Record<string, string>;
  logFile: string;
  /** Extra node flags after the mode's own (nodeFlags), e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]; BENCH_BOT_NODE_ARGS when not given. */
  nodeArgs?: string[];
  /** How long to wait for /healthz to answer 200 (ms). */
  readyTimeoutMs?: number;
}

/** Starts the bot and resolves once its /healthz answers 200 (database, Redis and, where they run, the workers). */
export async function startBotProcess(opts: BotProcessOptions): Promise<BotProcess> {
  const port = await freePort();
  const portVar = opts.mode === 'worker' ? 'WORKER_HEALTH_PORT' : 'PORT';
  const fd = openSync(opts.logFile, 'a');
  const started = performance.now();
  // the flags production starts this mode with (src/shared/heap.ts), then the bench's own
  const nodeArgs = [...nodeFlags(opts.mode), ...(opts.nodeArgs ?? process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'dist/src/main.js'), opts.mode], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      ...(process.env.BENCH_BOT_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_BOT_LOG_LEVEL } : {}),
      ...(process.env.WORKER_NICE ? { WORKER_NICE: process.env.WORKER_NICE } : {}),
      ...opts.env,
      [portVar]: String(port),
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // BENCH_RSS_TIMELINE=1: the bot's RSS once a second, printed when it stops (where the memory goes)
  const timeline: string[] = [];
  const tick = process.env.BENCH_RSS_TIMELINE
    ? setInterval(() => timeline.push(`${((performance.now() - started) / 1000).toFixed(0)}s:${(rssMb(child.pid!) ?? 0).toFixed(0)}`), 1000)
    : undefined;
  const bot: BotProcess = {
    child,
    pid: child.pid!,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    readyMs: 0,
    readyRssMb: 0,
    logFile: opts.logFile,
    rss: sampleRss(child.pid!),
    async stop() {
      const peak = bot.rss.stop();
      if (tick) {
        clearInterval(tick);
        console.log(`  bot RSS (MB) over time: ${timeline.join(' ')}`);
      }
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      return peak;
    },
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the bot exited before it was ready:\n${(await readFile(opts.logFile, 'utf8')).slice(-2000)}`);
    }
    const status = await fetch(bot.healthUrl).then((r) => r.status, () => 0);
    if (status === 200) {
      bot.readyMs = performance.now() - started;
      bot.readyRssMb = rssMb(child.pid!) ?? 0;
      return bot;
    }
    if (Date.now() > deadline) {
      await bot.stop();
      throw new Error(`the bot was not ready within ${opts.readyTimeoutMs ?? 60_000} ms (last /healthz: ${status || 'no answer'})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
