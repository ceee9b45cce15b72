/**
 * Acknowledgement latency under load (issue #12). Two processes started the way they run in
 * production, each driven over signed HTTP by 50 keep-alive connections (bench/load.ts):
 * - the floor: a bare Bolt app (bench/bare-bolt.ts) answering `/access help` with `ack()`; and,
 *   for information, the same app configured as the bot configures Bolt (no conversation store), and
 *   the same app answering with the bot's `/access help` text (what Bolt costs to send that answer);
 * - the bot: `node dist/src/main.js web` and `node dist/src/main.js worker` (BENCH_ACK_MODE=all: one
 *   process doing both) on a fresh Postgres
 *   database, Redis and the fake Slack Web API, answering `/access help`, then
 *   `/access request <dataset> <duration> <reason>` from as many different people as requests.
 * After a warm-up of each path, the measurement runs in rounds (floor, bot help, bot request, …, the
 * order turned by one each round), each round with requesters never seen before and each phase led into by unmeasured
 * requests on its connections (no start-up transient is measured), and each kind's samples pooled:
 * the machine's noise (other processes, the bot's background work) then falls on all three alike
 * instead of deciding a ratio by landing on one long phase. Afterwards every request must be in
 * Postgres, every approver DM in the outbox, and each of those DMs sent or waiting in the bot's
 * Redis queue. The bot's RSS is sampled throughout, and each phase reports how busy the bench
 * process itself (the fake Slack), the load generator (a process of its own, bench/load-process.ts),
 * the process measured and the machine were.
 *   BENCH_ACK_REQUESTS (10000) requests of each kind, in BENCH_ACK_ROUNDS (10) rounds, over
 *   BENCH_ACK_CONCURRENCY (50) connections, after BENCH_ACK_WARMUP (1000) on each path; BENCH_BOT_NODE_ARGS (e.g. "--cpu-prof
 *   --cpu-prof-dir=/tmp/prof"), BENCH_KEEP_LOGS=1 keeps the bot's log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { freePort, REPO_ROOT, TSX_LOADER } from '../test/helpers/process.js';
import { removeQueueKeys } from '../test/helpers/queues.js';
import { commandBody, SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { jobIds, QUEUE_NAMES } from '../src/worker/queues.js';
import { buildOnce } from './build.js';
import { busyText, measureBusy, settle, type Busy } from './cpu.js';
import type { LoadResult } from './load.js';
import { startLoadProcess, type GeneratorRun } from './load-process.js';
import { startBotProcess } from './bot-process.js';
import { absoluteTarget, percentile, ratioTarget, type TargetResult } from './targets.js';

// 10,000 of each kind: at 2,000 a measured phase lasted 0.1–1 s and one stall of a few ms decided
// its p99 (help passed or failed on the same code run to run)
const TOTAL = Number(process.env.BENCH_ACK_REQUESTS ?? 10_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ACK_ROUNDS ?? 10));
const CONCURRENCY = Number(process.env.BENCH_ACK_CONCURRENCY ?? 50);
/** `split`: a web and a worker process; `all`: one process doing both. */
const MODE = process.env.BENCH_ACK_MODE === 'all' ? 'all' : 'split';
/** Requests sent on each path before anything is measured (JIT, pools, the heap's size settling). */
const WARMUP = Number(process.env.BENCH_ACK_WARMUP ?? 1000);
/** Unmeasured requests leading into each measured phase, on its connections (see drive). */
const LEAD_IN = 2 * CONCURRENCY;
/** Every request measured, then those of the warm-up and the lead-ins, each by a different person. */
const UNMEASURED = WARMUP + ROUNDS * LEAD_IN;
const REQUESTERS = TOTAL + UNMEASURED;
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

function summary(latencies: number[], throughput: number): string {
  const q = (p: number) => percentile(latencies, p).toFixed(1);
  return `n=${latencies.length} p50=${q(0.5)} p99=${q(0.99)} max=${Math.max(...latencies).toFixed(1)} ms, ${throughput.toFixed(0)}/s`;
}

const KINDS = ['floor', 'lean', 'text', 'help', 'request'] as const;
type Kind = (typeof KINDS)[number];

interface Phase {
  load: LoadResult;
  /** The bench's own process (the fake Slack Web API). */
  bench: Busy;
  /** The load generator's process (bench/load-process.ts). */
  generator: Busy;
  target: Busy;
  machine: number;
}

type Pooled = ReturnType<typeof pool>;

/** The processes of the Postgres and Redis servers on this machine (Linux /proc), backends included. */
function servicePids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'postgres' || comm === 'redis-server' || comm.startsWith('postgres:')) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/** One kind's phases pooled: every sample, the mean throughput, the bodies, and how busy each run was. */
function pool(phases: Phase[]) {
  const latencies = phases.flatMap((p) => p.load.latencies);
  const throughput = phases.reduce((a, p) => a + p.load.throughput, 0) / phases.length;
  const mean = (f: (p: Phase) => number) => phases.reduce((a, p) => a + f(p), 0) / phases.length;
  const busy = `fake Slack ${(mean((p) => p.bench.cpu) * 100).toFixed(0)}% CPU, ${busyText(
    { cpu: mean((p) => p.generator.cpu), loopDelayP99: Math.max(...phases.map((p) => p.generator.loopDelayP99 ?? 0)) },
    { cpu: mean((p) => p.target.cpu) },
  )}`;
  return {
    latencies,
    throughput,
    failures: phases.reduce((a, p) => a + p.load.failures, 0),
    bodies: phases.flatMap((p) => p.load.bodies),
    p99s: phases.map((p) => percentile(p.load.latencies, 0.99).toFixed(0)).join('/'),
    /** The median of the rounds' p99s: a stall of the shared machine during one round does not move it. */
    medianRoundP99: percentile(phases.map((p) => percentile(p.load.latencies, 0.99)), 0.5),
    // CPU time of the process measured per request answered: what each costs it, whoever else runs
    busy: `${busy} (${((phases.reduce((a, p) => a + (p.target.cpu * p.load.latencies.length) / p.load.throughput, 0) / latencies.length) * 1000).toFixed(2)} ms per request), machine ${(mean((p) => p.machine) * 100).toFixed(0)}%`,
  };
}

/**
 * Waits until every approver DM stored for these requests is sent or has its delivery job in the
 * bot's Redis queue; returns how many are, and how long that took.
 */
async function waitQueued(db: postgres.Sql, redisUrl: string, prefix: string, expected: number): Promise<{ queued: number; sent: number; ms: number }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const messages = new Queue(QUEUE_NAMES.messages, { connection: redis as unknown as ConnectionOptions, prefix });
  const started = performance.now();
  const open = async () =>
    (await db<Array<{ id: number }>>`select o.id from outbox o join access_requests r on r.id = (o.payload->>'requestId')::uuid where o.kind = 'approval_request' and o.status = 'pending' and r.requester_id like 'U0R%'`).map((r) => r.id);
  const sentCount = async () =>
    (await db<Array<{ n: number }>>`select count(*)::int as n from outbox o join access_requests r on r.id = (o.payload->>'requestId')::uuid where o.kind = 'approval_request' and o.status = 'sent' and r.requester_id like 'U0R%'`)[0]!.n;
  try {
    for (;;) {
      const pending = await open();
      const states = await Promise.all(pending.map((id) => messages.getJobState(jobIds.deliver(id))));
      const missing = pending.filter((_, i) => states[i] === 'unknown' || states[i] === 'failed' || states[i] === 'completed');
      // a job that finished between the two reads has its message sent: read those again
      const stillPending = missing.length ? new Set(await open()) : new Set<number>();
      const lacking = missing.filter((id) => stillPending.has(id)).length;
      const sent = await sentCount();
      if (lacking === 0 || performance.now() - started > 30_000) return { queued: expected - lacking, sent, ms: performance.now() - started };
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await messages.close();
    redis.disconnect();
  }
}

export async function benchAck(): Promise<TargetResult[]> {
  const buildSeconds = buildOnce();
  console.log(`ack: ${TOTAL} requests of each kind in ${ROUNDS} rounds over ${CONCURRENCY} keep-alive connections, the bot as ${MODE === 'all' ? 'one process (web and worker)' : 'a web and a worker process'} (build ${buildSeconds.toFixed(1)} s)`);
  const dir = await mkdtemp(join(tmpdir(), 'dab-bench-ack-'));
  const slack = await new FakeSlack().start();
  for (const id of [...ADMINS, ...OWNERS]) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  for (let i = 0; i < REQUESTERS; i++) slack.users.set(requester('R', i), { tz: 'Europe/Berlin', email: `r${i}@acme.test` });
  const dbName = `dab_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  const prefix = `dab-bench-${randomBytes(4).toString('hex')}`;
  const procs: Array<{ stop(): Promise<unknown> }> = [];
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
    const leanPort = await freePort();
    const lean = start(['--import', TSX_LOADER, join(REPO_ROOT, 'bench/bare-bolt.ts')], { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: String(leanPort), BARE_BOLT_LEAN: '1' }, join(dir, 'lean.log'));
    procs.push(lean);
    const leanUrl = `http://127.0.0.1:${leanPort}/slack/events`;
    await waitReady(leanUrl, lean, join(dir, 'lean.log'));
    const textPort = await freePort();
    const text = start(['--import', TSX_LOADER, join(REPO_ROOT, 'bench/bare-bolt.ts')], { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: String(textPort), BARE_BOLT_ANSWER: 'help' }, join(dir, 'text.log'));
    procs.push(text);
    const textUrl = `http://127.0.0.1:${textPort}/slack/events`;
    await waitReady(textUrl, text, join(dir, 'text.log'));

    // The bot as production starts it (bench/bot-process.ts): by default as a company runs it at
    // scale, a `web` process answering Slack and a `worker` process (deliveries, expiry, the
    // reconciler) on the same machine; BENCH_ACK_MODE=all runs both in one process.
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-fake',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL,
      CATALOG_PATH: join(dir, 'catalog.yml'),
      QUEUE_PREFIX: prefix,
    };
    const bot = await startBotProcess({ mode: MODE === 'all' ? 'all' : 'web', logFile: join(dir, 'bot.log'), env });
    procs.push(bot);
    const worker = MODE === 'all' ? undefined : await startBotProcess({ mode: 'worker', logFile: join(dir, 'worker.log'), env });
    if (worker) procs.push(worker);
    const rss = bot.rss;
    const ready = bot.readyMs;
    const botUrl = bot.eventsUrl;

    const requestBody = (i: number) =>
      commandBody({ text: `request dataset-${i % DATASETS} 2d bench run, request ${i}`, userId: requester('R', i), responseUrl: `${slack.url}/respond` });
    const generator = await startLoadProcess();
    procs.push(generator);
    const drive = generator.drive;
    // warm both (JIT, connection pools), the bot on both paths (its warm-up requesters come after the measured ones)
    await drive(floorUrl, SIGNING_SECRET, { total: WARMUP, concurrency: CONCURRENCY, body: helpBody });
    await drive(leanUrl, SIGNING_SECRET, { total: WARMUP, concurrency: CONCURRENCY, body: helpBody });
    await drive(textUrl, SIGNING_SECRET, { total: WARMUP, concurrency: CONCURRENCY, body: helpBody });
    await drive(botUrl, SIGNING_SECRET, { total: WARMUP, concurrency: CONCURRENCY, body: helpBody });
    await drive(botUrl, SIGNING_SECRET, { total: WARMUP, concurrency: CONCURRENCY, body: (i) => requestBody(TOTAL + i) });

    const phases: Record<Kind, Phase[]> = { floor: [], lean: [], text: [], help: [], request: [] };
    const botPids = [bot.pid, ...(worker ? [worker.pid] : [])];
    let settledMs = 0;
    const measure = async (kind: Kind, pid: number, run: () => Promise<GeneratorRun>) => {
      // every phase starts with the bot, Postgres and Redis idle: what the last one left them
      // doing (queueing and sending its messages, autovacuum after its inserts) is not this one's
      settledMs += await settle([...botPids, ...servicePids()]);
      const { result, bench, target, machine } = await measureBusy(pid, run);
      phases[kind].push({ load: result, bench, generator: result.generator, target, machine });
    };
    const perRound = Math.ceil(TOTAL / ROUNDS);
    for (let round = 0, first = 0; first < TOTAL; round++, first += perRound) {
      const total = Math.min(perRound, TOTAL - first);
      // the lead-in's requesters come after the warm-up's; the measured ones are first … first + total - 1: new people every round
      const leadIn = TOTAL + WARMUP + round * LEAD_IN;
      const person = (i: number) => (i < LEAD_IN ? leadIn + i : first + i - LEAD_IN);
      const run = { total, concurrency: CONCURRENCY, leadIn: LEAD_IN };
      const phase: Record<Kind, () => Promise<void>> = {
        floor: () => measure('floor', floor.child.pid!, () => drive(floorUrl, SIGNING_SECRET, { ...run, body: (i) => helpBody(person(i)) })),
        lean: () => measure('lean', lean.child.pid!, () => drive(leanUrl, SIGNING_SECRET, { ...run, body: (i) => helpBody(person(i)) })),
        text: () => measure('text', text.child.pid!, () => drive(textUrl, SIGNING_SECRET, { ...run, body: (i) => helpBody(person(i)) })),
        help: () => measure('help', bot.child.pid!, () => drive(botUrl, SIGNING_SECRET, { ...run, body: (i) => helpBody(person(i)) })),
        request: () => measure('request', bot.child.pid!, () => drive(botUrl, SIGNING_SECRET, { ...run, keepBodies: true, body: (i) => requestBody(person(i)) })),
      };
      // the order turns each round: every kind follows the request phase (whose aftermath, in
      // Postgres, Redis or the machine, the bot's idleness does not show) as often as any other
      for (let k = 0; k < KINDS.length; k++) await phase[KINDS[(round + k) % KINDS.length]!]();
    }
    const load = loadavg()[0]!;
    console.log(`  before each phase the bot was let finish its background work: ${(settledMs / 1000).toFixed(1)} s in all`);
    const [floorAll, leanAll, textAll, help, request] = KINDS.map((k) => pool(phases[k])) as [Pooled, Pooled, Pooled, Pooled, Pooled];

    // every request stored with its approvers, every approver DM in the outbox and handed to the queue
    const db = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
    const count = async (query: Promise<Array<{ n: number }>>) => (await query)[0]!.n;
    const stored = await count(db`select count(*)::int as n from access_requests where requester_id like 'U0R%'`);
    const approvers = await count(db`select count(*)::int as n from request_approvers a join access_requests r on r.id = a.request_id where r.requester_id like 'U0R%'`);
    const inOutbox = await count(
      db`select count(*)::int as n from outbox o join access_requests r on r.id = (o.payload->>'requestId')::uuid where o.kind = 'approval_request' and r.requester_id like 'U0R%'`,
    );
    const { queued, sent, ms: queuedMs } = await waitQueued(db, REDIS_URL, prefix, inOutbox);
    await db.end();
    const webPeak = rss.stop();
    const workerPeak = worker ? worker.rss.stop() : 0;
    const peak = Math.max(webPeak, workerPeak);

    const received = request.bodies.filter((b) => b.includes('was sent to')).length;
    // an answer given late ("Working on it…") means the work went on after the acknowledgement
    const late = request.bodies.filter((b) => b.includes('Working on it')).length;
    console.log(`  floor (bare Bolt)   ${summary(floorAll.latencies, floorAll.throughput)}; p99 by round ${floorAll.p99s}`);
    console.log(`  floor, lean Bolt    ${summary(leanAll.latencies, leanAll.throughput)}; p99 by round ${leanAll.p99s}`);
    console.log(`  Bolt, help's text   ${summary(textAll.latencies, textAll.throughput)}; p99 by round ${textAll.p99s}`);
    console.log(`  bot /access help    ${summary(help.latencies, help.throughput)}; p99 by round ${help.p99s}`);
    console.log(`  bot /access request ${summary(request.latencies, request.throughput)}; p99 by round ${request.p99s}`);
    console.log(`    answered in the ack: ${received}, "Working on it": ${late}; Slack asked meanwhile: users.info ${slack.callsTo('users.info').length}, users.list ${slack.callsTo('users.list').length} pages`);
    for (const [kind, p] of [['floor', floorAll], ['lean', leanAll], ['text', textAll], ['help', help], ['request', request]] as const) console.log(`  while ${kind.padEnd(7)} ${p.busy}`);
    console.log(
      `  stored ${stored}/${REQUESTERS} (${UNMEASURED} of them warm-up and lead-in), approver DMs in the outbox ${inOutbox}/${approvers}, sent or queued in Redis ${queued}/${inOutbox} (${queuedMs.toFixed(0)} ms after the last answer; sent ${sent}), bot ready in ${ready.toFixed(0)} ms, RSS peak ${worker ? `web ${webPeak.toFixed(0)} MB, worker ${workerPeak.toFixed(0)} MB` : `${peak.toFixed(0)} MB`}, load average ${load.toFixed(1)}`,
    );

    const floorP99 = percentile(floorAll.latencies, 0.99);
    const leanP99 = percentile(leanAll.latencies, 0.99);
    const textP99 = percentile(textAll.latencies, 0.99);
    const complete = received === TOTAL && stored === REQUESTERS && inOutbox === approvers && queued === inOutbox && approvers >= REQUESTERS && request.failures === 0;
    const requestTarget = ratioTarget(
      '/access request ack p99 vs bare Bolt',
      percentile(request.latencies, 0.99),
      floorP99,
      3,
      `p99 ${percentile(request.latencies, 0.99).toFixed(1)} ms vs ${floorP99.toFixed(1)} ms; ${request.throughput.toFixed(0)}/s (floor ${floorAll.throughput.toFixed(0)}/s); stored ${stored}/${REQUESTERS}, DMs in the outbox ${inOutbox}/${approvers}, queued ${queued}/${inOutbox}`,
    );
    requestTarget.pass &&= complete;
    const slowest = Math.max(...help.latencies, ...request.latencies);
    return [
      ratioTarget('/access help ack p99 vs bare Bolt', percentile(help.latencies, 0.99), floorP99, 1.2, `p99 ${percentile(help.latencies, 0.99).toFixed(1)} ms vs ${floorP99.toFixed(1)} ms; ${help.throughput.toFixed(0)}/s (floor ${floorAll.throughput.toFixed(0)}/s)${help.failures ? `; ${help.failures} failed` : ''}`),
      requestTarget,
      // for information: the rounds' median p99s, which one round's stall does not decide
      ratioTarget('/access help, median of round p99s vs bare Bolt', help.medianRoundP99, floorAll.medianRoundP99, Number.POSITIVE_INFINITY, `${help.medianRoundP99.toFixed(1)} ms vs ${floorAll.medianRoundP99.toFixed(1)} ms`),
      ratioTarget('/access request, median of round p99s vs bare', request.medianRoundP99, floorAll.medianRoundP99, Number.POSITIVE_INFINITY, `${request.medianRoundP99.toFixed(1)} ms vs ${floorAll.medianRoundP99.toFixed(1)} ms`),
      // for information: the same ratios against bare Bolt without its conversation store, as the bot runs Bolt
      ratioTarget('/access help ack p99 vs lean bare Bolt', percentile(help.latencies, 0.99), leanP99, Number.POSITIVE_INFINITY, `p99 ${percentile(help.latencies, 0.99).toFixed(1)} ms vs ${leanP99.toFixed(1)} ms (${leanAll.throughput.toFixed(0)}/s)`),
      // for information: what the answer itself costs in Bolt, the same text sent by a bare Bolt app
      ratioTarget('bare Bolt sending help\'s text vs bare Bolt', textP99, floorP99, Number.POSITIVE_INFINITY, `p99 ${textP99.toFixed(1)} ms vs ${floorP99.toFixed(1)} ms; ${textAll.throughput.toFixed(0)}/s (floor ${floorAll.throughput.toFixed(0)}/s)`),
      ratioTarget('/access help ack p99 vs bare Bolt sending it', percentile(help.latencies, 0.99), textP99, Number.POSITIVE_INFINITY, `p99 ${percentile(help.latencies, 0.99).toFixed(1)} ms vs ${textP99.toFixed(1)} ms`),
      ratioTarget('/access request ack p99 vs lean bare Bolt', percentile(request.latencies, 0.99), leanP99, Number.POSITIVE_INFINITY, `p99 ${percentile(request.latencies, 0.99).toFixed(1)} ms vs ${leanP99.toFixed(1)} ms`),
      absoluteTarget('slowest ack (ms, Slack allows 3000)', slowest, SLACK_LIMIT_MS, `under load average ${load.toFixed(1)}`),
      absoluteTarget('bot RSS peak during the ack scenario (MB)', peak, 200, worker ? `web ${webPeak.toFixed(0)} MB, worker ${workerPeak.toFixed(0)} MB (node dist/src/main.js web|worker)` : 'node dist/src/main.js, web and worker in one process'),
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
