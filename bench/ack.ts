/**
 * Acknowledgement latency under load (issue #12). Two processes started the way they run in
 * production, each driven over signed HTTP by 50 keep-alive connections (bench/load.ts):
 * - the floor: a bare Bolt app (bench/bare-bolt.ts) answering `/access help` with `ack()`;
 * - the bot: `node dist/src/main.js` (all in one process: web and worker) on a fresh Postgres
 *   database, Redis and the fake Slack Web API, answering `/access help`, then
 *   `/access request <dataset> <duration> <reason>` from as many different people as requests.
 * The floor is measured before and after the bot, and its samples pooled. Afterwards every request
 * must be in Postgres and every approver DM in the outbox. The bot's RSS is sampled throughout.
 *   BENCH_ACK_REQUESTS (2000) requests per phase, BENCH_ACK_CONCURRENCY (50) connections;
 *   BENCH_BOT_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_KEEP_LOGS=1 keeps the bot's log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSync, closeSync } from 'node:fs';
import postgres from 'postgres';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { freePort, REPO_ROOT, TSX_LOADER } from '../test/helpers/process.js';
import { removeQueueKeys } from '../test/helpers/queues.js';
import { commandBody, SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { buildOnce } from './build.js';
import { drive, type LoadResult } from './load.js';
import { sampleRss } from './memory.js';
import { absoluteTarget, percentile, ratioTarget, type TargetResult } from './targets.js';

const TOTAL = Number(process.env.BENCH_ACK_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_ACK_CONCURRENCY ?? 50);
const WARMUP = Math.min(300, TOTAL);
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SLACK_LIMIT_MS = 3000;
const DATASETS = 50;
const ADMINS = ['U0ADMIN1', 'U0ADMIN2'];
const OWNERS = Array.from({ length: 20 }, (_, i) => `U0OWN${String(i).padStart(3, '0')}`);
const requester = (phase: string, i: number) => `U0${phase}${String(i).padStart(6, '0')}`;

/** Half internal, half confidential (a reason and the requester's Slack standing are checked). */
function catalogYaml(): string {
  const datasets = Array.from({ length: DATASETS }, (_, i) => {
    const owners = [OWNERS[i % OWNERS.length], OWNERS[(i + 7) % OWNERS.length]];
    return `  - id: dataset-${i}\n    name: Dataset ${i}\n    sensitivity: ${i % 2 ? 'confidential' : 'internal'}\n    owners: [${owners.join(', ')}]\n`;
  });
  return `admins: [${ADMINS.join(', ')}]\ndatasets:\n${datasets.join('')}`;
}

interface Child {
  child: ChildProcess;
  exited: Promise<void>;
  stop(): Promise<void>;
}

function start(args: string[], env: NodeJS.ProcessEnv, logFile: string): Child {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitReady(url: string, proc: Child, logFile: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`exited before it was ready:\n${(await readFile(logFile, 'utf8')).slice(-2000)}`);
    const status = await fetch(url, { method: url.endsWith('/slack/events') ? 'POST' : 'GET' }).then((r) => r.status, () => 0);
    if (status > 0) return performance.now() - started;
    if (performance.now() - started > 60_000) throw new Error(`not ready within 60 s: ${url}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const helpBody = (i: number) => commandBody({ text: 'help', userId: requester('H', i), responseUrl: 'http://127.0.0.1:9/respond' });

function summary(r: LoadResult): string {
  const q = (p: number) => percentile(r.latencies, p).toFixed(1);
  return `n=${r.latencies.length} p50=${q(0.5)} p99=${q(0.99)} max=${Math.max(...r.latencies).toFixed(1)} ms, ${r.throughput.toFixed(0)}/s`;
}

export async function benchAck(): Promise<TargetResult[]> {
  const buildSeconds = buildOnce();
  console.log(`ack: ${TOTAL} requests per phase over ${CONCURRENCY} keep-alive connections (build ${buildSeconds.toFixed(1)} s)`);
  const dir = await mkdtemp(join(tmpdir(), 'dab-bench-ack-'));
  const slack = await new FakeSlack().start();
  for (const id of [...ADMINS, ...OWNERS]) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  for (let i = 0; i < TOTAL; i++) slack.users.set(requester('R', i), { tz: 'Europe/Berlin', email: `r${i}@acme.test` });
  const dbName = `dab_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  const prefix = `dab-bench-${randomBytes(4).toString('hex')}`;
  const procs: Child[] = [];
  try {
    await writeFile(join(dir, 'catalog.yml'), catalogYaml());
    await admin.unsafe(`create database "${dbName}"`);
    const dbUrl = new URL(SERVER_URL);
    dbUrl.pathname = `/${dbName}`;

    const floorPort = await freePort();
    const floor = start(['--import', TSX_LOADER, join(REPO_ROOT, 'bench/bare-bolt.ts')], { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: String(floorPort) }, join(dir, 'floor.log'));
    procs.push(floor);
    const floorUrl = `http://127.0.0.1:${floorPort}/slack/events`;
    await waitReady(floorUrl, floor, join(dir, 'floor.log'));

    const botPort = await freePort();
    const botLog = join(dir, 'bot.log');
    const botStarted = performance.now();
    const nodeArgs = process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const bot = start([...nodeArgs, join(REPO_ROOT, 'dist/src/main.js')], {
      NODE_ENV: 'production',
      SLACK_BOT_TOKEN: 'xoxb-fake',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL,
      CATALOG_PATH: join(dir, 'catalog.yml'),
      PORT: String(botPort),
      QUEUE_PREFIX: prefix,
      ...(process.env.BENCH_BOT_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_BOT_LOG_LEVEL } : {}),
    }, botLog);
    procs.push(bot);
    const rss = sampleRss(bot.child.pid!);
    await waitReady(`http://127.0.0.1:${botPort}/healthz`, bot, botLog);
    const ready = performance.now() - botStarted;
    const botUrl = `http://127.0.0.1:${botPort}/slack/events`;

    // warm both (JIT, connection pools), then measure: floor, bot help, bot request, floor again
    await drive(floorUrl, SIGNING_SECRET, { total: WARMUP, concurrency: CONCURRENCY, body: helpBody });
    await drive(botUrl, SIGNING_SECRET, { total: WARMUP, concurrency: CONCURRENCY, body: helpBody });
    const floor1 = await drive(floorUrl, SIGNING_SECRET, { total: TOTAL, concurrency: CONCURRENCY, body: helpBody });
    const help = await drive(botUrl, SIGNING_SECRET, { total: TOTAL, concurrency: CONCURRENCY, body: helpBody });
    const request = await drive(botUrl, SIGNING_SECRET, {
      total: TOTAL,
      concurrency: CONCURRENCY,
      keepBodies: true,
      body: (i) => commandBody({ text: `request dataset-${i % DATASETS} 2d bench run, request ${i}`, userId: requester('R', i), responseUrl: `${slack.url}/respond` }),
    });
    const load = loadavg()[0]!;

    // every request stored, every approver DM in the outbox (and, given a moment, sent)
    const db = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
    // an answer given late ("Working on it…") means the work went on after the acknowledgement
    const count = async (query: Promise<Array<{ n: number }>>) => (await query)[0]!.n;
    const deadline = Date.now() + 60_000;
    let stored = 0;
    let sent = 0;
    while (Date.now() < deadline) {
      stored = await count(db`select count(*)::int as n from access_requests where requester_id like 'U0R%'`);
      sent = await count(db`select count(*)::int as n from outbox where kind = 'approval_request' and status = 'sent'`);
      if (stored >= TOTAL && sent >= stored) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const approvers = await count(db`select count(*)::int as n from request_approvers a join access_requests r on r.id = a.request_id where r.requester_id like 'U0R%'`);
    const queued = await count(db`select count(*)::int as n from outbox where kind = 'approval_request'`);
    await db.end();
    // once the bot has delivered its messages, so that its background work does not slow the floor
    const floor2 = await drive(floorUrl, SIGNING_SECRET, { total: TOTAL, concurrency: CONCURRENCY, body: helpBody });
    const floorAll: LoadResult = { ...floor1, latencies: [...floor1.latencies, ...floor2.latencies], throughput: (floor1.throughput + floor2.throughput) / 2 };
    const peak = rss.stop();

    const received = request.bodies.filter((b) => b.includes('was sent to')).length;
    const late = request.bodies.filter((b) => b.includes('Working on it')).length;
    console.log(`  floor (bare Bolt)  ${summary(floorAll)}`);
    console.log(`  bot /access help   ${summary(help)}`);
    console.log(`  bot /access request ${summary(request)}  answered in the ack: ${received}, "Working on it": ${late}`);
    console.log(`  stored ${stored}/${TOTAL}, approver DMs queued ${queued}/${approvers} (sent ${sent}), bot ready in ${ready.toFixed(0)} ms, RSS peak ${peak.toFixed(0)} MB, load average ${load.toFixed(1)}`);

    const floorP99 = percentile(floorAll.latencies, 0.99);
    const complete = stored === TOTAL && queued === approvers && approvers >= TOTAL && request.failures === 0;
    const requestTarget = ratioTarget(
      '/access request ack p99 vs bare Bolt',
      percentile(request.latencies, 0.99),
      floorP99,
      3,
      `p99 ${percentile(request.latencies, 0.99).toFixed(1)} ms vs ${floorP99.toFixed(1)} ms; ${request.throughput.toFixed(0)}/s (floor ${floorAll.throughput.toFixed(0)}/s); stored ${stored}/${TOTAL}, DMs queued ${queued}/${approvers}`,
    );
    requestTarget.pass &&= complete;
    const slowest = Math.max(...help.latencies, ...request.latencies);
    return [
      ratioTarget('/access help ack p99 vs bare Bolt', percentile(help.latencies, 0.99), floorP99, 1.2, `p99 ${percentile(help.latencies, 0.99).toFixed(1)} ms vs ${floorP99.toFixed(1)} ms; ${help.throughput.toFixed(0)}/s (floor ${floorAll.throughput.toFixed(0)}/s)${help.failures ? `; ${help.failures} failed` : ''}`),
      requestTarget,
      absoluteTarget('slowest ack (ms, Slack allows 3000)', slowest, SLACK_LIMIT_MS, `under load average ${load.toFixed(1)}`),
      absoluteTarget('bot RSS peak during the ack scenario (MB)', peak, 200, 'node dist/src/main.js, web and worker'),
    ];
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {});
    await admin.end();
    await removeQueueKeys(REDIS_URL, prefix);
    await slack.stop();
    if (!process.env.BENCH_KEEP_LOGS) await rm(dir, { recursive: true, force: true });
    else console.log(`  logs kept in ${dir}`);
  }
}
