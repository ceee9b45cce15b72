/**
 * The bot as its own process for a bench scenario, started the way it runs in production
 * (`node dist/src/main.js`, web and worker in one process, HTTP mode) against a Postgres database,
 * Redis and the fake Slack Web API; its RSS sampled from spawn to stop (bench/memory.ts).
 * BENCH_BOT_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to node; BENCH_KEEP_LOGS=1
 * keeps the bot's log; BENCH_BOT_LOG_LEVEL sets its LOG_LEVEL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../test/helpers/process.js';
import { SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { sampleRss, rssMb } from './memory.js';

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** Where Slack sends its signed requests. */
  eventsUrl: string;
  /** From spawn to `/healthz` answering, ms. */
  readyMs: number;
  /** RSS when it became ready, MB. */
  readyRssMb: number;
  /** SIGTERM, then waits for the exit; returns the peak RSS over its life, MB. */
  stop(): Promise<number>;
}

export async function startBotProcess(opts: { databaseUrl: string; redisUrl: string; slackApiUrl: string; catalogPath: string; queuePrefix: string; logFile: string; env?: NodeJS.ProcessEnv }): Promise<BotProcess> {
  const port = await freePort();
  const nodeArgs = process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const fd = openSync(opts.logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'dist/src/main.js')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      SLACK_BOT_TOKEN: 'xoxb-fake',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: opts.slackApiUrl,
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      CATALOG_PATH: opts.catalogPath,
      PORT: String(port),
      QUEUE_PREFIX: opts.queuePrefix,
      ...(process.env.BENCH_BOT_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_BOT_LOG_LEVEL } : {}),
      ...opts.env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const rss = sampleRss(child.pid!);
  // BENCH_RSS_TIMELINE=1: the bot's RSS once a second, printed when it stops (where the memory goes)
  const timeline: string[] = [];
  const tick = process.env.BENCH_RSS_TIMELINE ? setInterval(() => timeline.push(`${((performance.now() - started) / 1000).toFixed(0)}s:${(rssMb(child.pid!) ?? 0).toFixed(0)}`), 1000) : undefined;
  let peak: number | undefined;
  const stop = async () => {
    if (peak !== undefined) return peak;
    peak = rss.stop();
    if (tick) {
      clearInterval(tick);
      console.log(`  bot RSS (MB) over time: ${timeline.join(' ')}`);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    return peak;
  };
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the bot exited before it was ready:\n${(await readFile(opts.logFile, 'utf8')).slice(-2000)}`);
      const status = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (performance.now() - started > 60_000) throw new Error('the bot was not ready within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    child,
    pid: child.pid!,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    readyMs: performance.now() - started,
    readyRssMb: rssMb(child.pid!) ?? 0,
    stop,
  };
}
