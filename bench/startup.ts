/**
 * Start-up to ready: the compiled bot (`npm run build`, then `node --max-semi-space-size=8 dist/src/main.js`, as the image
 * runs it) against a fresh, empty Postgres database each run (so migrations are part of it), Redis
 * and the fake Slack, timed from spawn to the first `GET /healthz` 200. Target: under 3 s. The
 * floor, measured in the same run, is spawning `node` and having it listen on a port.
 * `npm run bench -- startup` runs only this part.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { ONE_DATASET_CATALOG, USERS } from '../test/helpers/catalog.js';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { freePort, REPO_ROOT } from '../test/helpers/process.js';
import { removeQueueKeys } from '../test/helpers/queues.js';
import { SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { buildOnce } from './build.js';
import { rssMb, sampleRss } from './memory.js';
import { absoluteTarget, ratioTarget, type TargetResult } from './targets.js';
import { nodeFlags } from '../src/shared/heap.js';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const LIMIT_MS = 3000;
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const CATALOG = ONE_DATASET_CATALOG;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Spawn → exit of a node that listens on a free port: what any Node service pays before its own work. */
async function floorOnce(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', "require('http').createServer().listen(0, () => process.exit())"], { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`floor exited ${code}`))));
  });
  return performance.now() - started;
}

async function withFreshDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `dab_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end();
  }
}

async function startupOnce(dir: string, slackApiUrl: string): Promise<{ ms: number; peakRssMb: number; readyRssMb: number }> {
  return withFreshDatabase(async (databaseUrl) => {
    const port = await freePort();
    const prefix = `dab-bench-${randomBytes(4).toString('hex')}`;
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      SLACK_BOT_TOKEN: 'xoxb-fake',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slackApiUrl,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      CATALOG_PATH: join(dir, 'catalog.yml'),
      PORT: String(port),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'error',
    };
    const started = performance.now();
    // as the image starts it: all in one, with that mode's node flags (src/shared/heap.ts)
    const child = spawn(process.execPath, [...nodeFlags('all'), join(REPO_ROOT, 'dist/src/main.js')], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const rss = sampleRss(child.pid!, 20);
    let gone = false;
    void exited.then(() => (gone = true));
    try {
      for (;;) {
        if (gone) throw new Error(`the bot exited before it was ready: ${stderr.trim()}`);
        const status = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
        if (status === 200) return { ms: performance.now() - started, readyRssMb: rssMb(child.pid!) ?? Number.NaN, peakRssMb: rss.stop() };
        if (performance.now() - started > 30_000) throw new Error('the bot was not ready within 30 s');
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      rss.stop();
      child.kill('SIGTERM');
      await exited;
      await removeQueueKeys(REDIS_URL, prefix);
    }
  });
}

export async function benchStartup(): Promise<TargetResult[]> {
  const buildSeconds = buildOnce();
  console.log(`start-up: npm run build took ${buildSeconds.toFixed(1)} s; ${RUNS} starts of node dist/src/main.js on a fresh Postgres database each`);
  const dir = await mkdtemp(join(tmpdir(), 'dab-bench-startup-'));
  const slack = await new FakeSlack().start();
  for (const id of Object.values(USERS)) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  try {
    await writeFile(join(dir, 'catalog.yml'), CATALOG);
    const floors: number[] = [];
    const starts: number[] = [];
    let peakRss = 0;
    const readyRss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // interleaved, so both see the same load on the machine
      floors.push(await floorOnce());
      const once = await startupOnce(dir, slack.apiUrl);
      starts.push(once.ms);
      peakRss = Math.max(peakRss, once.peakRssMb);
      readyRss.push(once.readyRssMb);
    }
    const worst = Math.max(...starts);
    const floor = median(floors);
    console.log(
      `${'start-up to ready'.padEnd(22)} n=${RUNS}  median=${median(starts).toFixed(0)}ms  max=${worst.toFixed(0)}ms  ` +
        `floor (node spawn + listen) median=${floor.toFixed(0)}ms  ratio=${(median(starts) / floor).toFixed(1)}x`,
    );
    console.log(`${'bot RSS'.padEnd(22)} at ready max=${Math.max(...readyRss).toFixed(0)}MB  peak from spawn to ready=${peakRss.toFixed(0)}MB`);
    // a shared machine's load moves every number here: say what it was
    console.log(`${' '.repeat(22)} load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    return [
      absoluteTarget('start-up to ready, slowest (ms)', worst, LIMIT_MS, `median ${median(starts).toFixed(0)} ms over ${RUNS}, fresh Postgres database each`),
      // for information: what the bot adds to any Node service's start
      ratioTarget('start-up median vs node spawn + listen', median(starts), floor, Number.POSITIVE_INFINITY, `${median(starts).toFixed(0)} ms vs ${floor.toFixed(0)} ms`),
      absoluteTarget('bot RSS at ready (MB)', Math.max(...readyRss), 200, `${Math.max(...readyRss).toFixed(0)} MB, the most of ${RUNS} starts`),
      absoluteTarget('bot RSS peak during start-up (MB)', peakRss, 200, `${peakRss.toFixed(0)} MB, spawn to ready (kernel's peak record, VmHWM)`),
    ];
  } finally {
    await slack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
