/**
 * Expiry at scale: many grants due at the same instant, ended by the bot's own workers. The bot is
 * its own process, started as production starts it (`node dist/src/main.js worker`, or
 * BENCH_EXPIRY_BOT_MODE=all), against the fake Slack in this process;
 * its RSS is sampled from its start. This process seeds the grants, schedules their expiry jobs
 * and measures.
 *
 *   floor     BENCH_EXPIRY_GRANTS raw BullMQ delayed jobs due together, a worker of the same
 *             concurrency as the bot's expiry worker recording how late each ran (p99)
 *   record    as many active grants (record connector) due together: due → ended_at in Postgres, p99
 *             ≤ 2× the floor; every holder's "access ended" DM delivered exactly once, with the fake
 *             Slack answering 429 (Retry-After) now and then
 *   postgres  the same on a real warehouse (the local Postgres server): as many LOGIN roles holding
 *             the dataset role, all REVOKEd; last grant ended ≤ 3× the floor; no login still holds it
 *
 * `npm run bench -- expiry`; sizes: BENCH_EXPIRY_GRANTS (default 10000). Needs TEST_DATABASE_URL
 * (a Postgres server) and REDIS_URL. BENCH_BOT_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"),
 * BENCH_BOT_LOG_LEVEL, BENCH_KEEP_LOGS=1 (keeps the bot's log) as for the ack scenario.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { systemClock } from '../src/shared/clock.js';
import { bullJobScheduler, openQueues, type Queues } from '../src/worker/queues.js';
import { EXPIRY_CONCURRENCY } from '../src/worker/workers.js';
import { USERS } from '../test/helpers/catalog.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/db.js';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { removeQueueKeys } from '../test/helpers/queues.js';
import { SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { Warehouse } from '../test/helpers/warehouse.js';
import { startBotProcess, type BotProcess } from './bot-process.js';
import { buildOnce } from './build.js';
import type { RssSampler } from './memory.js';
import { absoluteTarget, percentile, ratioTarget, type TargetResult } from './targets.js';

const N = Number(process.env.BENCH_EXPIRY_GRANTS ?? 10_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Time between scheduling and the shared due instant: every job is in Redis before it. */
const LEAD_MS = Number(process.env.BENCH_EXPIRY_LEAD_MS ?? Math.max(5_000, N * 1.5));
/** How the bot runs: `worker` (default) is the production process that ends grants and sends the DMs. */
const BOT_MODE = (process.env.BENCH_EXPIRY_BOT_MODE ?? 'worker') as 'all' | 'worker';

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, process.env.BENCH_DEBUG ? 2000 : 50));
  }
}

/** N raw delayed jobs due at one instant; how late each one ran. */
async function floor(): Promise<number[]> {
  const prefix = `dab-bench-${randomBytes(4).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix });
  const lateness: number[] = [];
  const worker = new Worker('raw', async (job) => void lateness.push(Date.now() - (job.data as { due: number }).due), {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: EXPIRY_CONCURRENCY,
  });
  try {
    const due = Date.now() + LEAD_MS;
    for (let i = 0; i < N; i += 500) {
      const now = Date.now();
      await queue.addBulk(Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ name: 'raw', data: { due }, opts: { jobId: `raw-${i + k}`, delay: due - now, removeOnComplete: true } })));
    }
    await until(async () => lateness.length >= N, 'the raw jobs', LEAD_MS + 120_000);
    return lateness;
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    await removeQueueKeys(REDIS_URL, prefix);
  }
}

/** N active grants, one per person, ending at `due`: bulk SQL, as if approved and provisioned earlier. */
async function seedGrants(database: TestDatabase, datasetId: string, due: Date, login?: (i: number) => string) {
  const sql = postgres(database.url!, { max: 1, onnotice: () => {} });
  try {
    const start = new Date(due.getTime() - 60 * 60_000);
    await sql`insert into access_requests (id, kind, dataset_id, requester_id, duration_minutes, status, created_at)
      select gen_random_uuid(), 'access', ${datasetId}, 'UB' || lpad(i::text, 6, '0'), 60, 'approved', ${start}
      from generate_series(1, ${N}) as i`;
    const targets = Array.from({ length: N }, (_, i) => JSON.stringify(login ? { login: login(i + 1) } : {}));
    await sql`insert into grants (id, request_id, dataset_id, user_id, status, duration_minutes, starts_at, ends_at, target)
      select gen_random_uuid(), r.id, r.dataset_id, r.requester_id, 'active', 60, ${start}, ${due},
             (${targets}::text[])[substr(r.requester_id, 3)::int]::jsonb
      from access_requests r where r.dataset_id = ${datasetId}`;
  } finally {
    await sql.end();
  }
}

interface Ended {
  /** due → ended_at of each grant, ms */
  lateness: number[];
  /** due → the last DM delivered, ms */
  lastDm: number;
  /** peak resident memory of the bot's process, MB */
  peakRssMb: number;
}

interface Scenario {
  name: string;
  /** The catalog file's one dataset (YAML, indented as a list item). */
  datasetYaml: string;
  datasetId: string;
  /** Connector secrets the catalog names (e.g. WAREHOUSE_URL). */
  env?: Record<string, string>;
  login?: (i: number) => string;
}

/**
 * Starts the bot as its own process (`node dist/src/main.js worker`, BENCH_EXPIRY_BOT_MODE), seeds
 * the grants, schedules every grant's expiry job with the bot's own JobScheduler (from this
 * process, as the web process does on approval), waits for all to end and every DM, and samples the
 * bot's RSS throughout.
 */
async function runScenario(s: Scenario): Promise<Ended> {
  const { name } = s;
  const slack = await new FakeSlack().start();
  for (const id of [USERS.admin, USERS.owner1]) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  const database = await createTestDatabase();
  const prefix = `dab-bench-${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), `dab-bench-expiry-${name}-`));
  let bot: BotProcess | undefined;
  let queues: Queues | undefined;
  let rss: RssSampler | undefined;
  try {
    await writeFile(join(dir, 'catalog.yml'), `admins: [${USERS.admin}]\ndatasets:\n${s.datasetYaml}`);
    bot = await startBotProcess({
      mode: BOT_MODE,
      logFile: join(dir, 'bot.log'),
      nodeArgs: process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean),
      env: {
        SLACK_BOT_TOKEN: 'xoxb-fake',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: database.url!,
        REDIS_URL,
        CATALOG_PATH: join(dir, 'catalog.yml'),
        QUEUE_PREFIX: prefix,
        RECONCILE_INTERVAL_SECONDS: '3600',
        SLACK_MESSAGES_PER_SECOND: '1000',
        ...(process.env.BENCH_BOT_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_BOT_LOG_LEVEL } : {}),
        ...s.env,
      },
    });
    rss = bot.rss;
    queues = await openQueues(REDIS_URL, prefix);
    const jobs = bullJobScheduler(queues, systemClock);
    const due = new Date(Date.now() + LEAD_MS);
    await seedGrants(database, s.datasetId, due, s.login);
    const sql = postgres(database.url!, { max: 1, onnotice: () => {} });
    try {
      const active = await sql`select id, ends_at from grants where status = 'active'`;
      await jobs.scheduleExpiries(active.map((g) => ({ id: g.id as string, endsAt: g.ends_at as Date })));
      // Slack pushes back now and then: each 429 must pause posting, and lose or repeat nothing
      for (let i = 0; i < 5; i++) slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 2);
      if (Date.now() > due.getTime()) throw new Error(`bench: scheduling took longer than BENCH_EXPIRY_LEAD_MS (${LEAD_MS} ms)`);
      await until(async () => (await sql`select count(*)::int as n from grants where status = 'expired'`)[0]!.n >= N, `${name}: every grant to end`, LEAD_MS + 300_000);
      const rows = await sql`select extract(epoch from (ended_at - ends_at)) * 1000 as ms from grants`;
      const lateness = rows.map((r) => Number(r.ms));
      await until(
        async () => {
          if (process.env.BENCH_DEBUG) console.log(`${name}: ${slack.callsTo('chat.postMessage').length} DMs, ${JSON.stringify(await queues!.messages.getJobCounts())}`);
          return slack.callsTo('chat.postMessage').length >= N;
        },
        `${name}: every holder's DM`,
        1_800_000,
      );
      const lastDm = Date.now() - due.getTime();
      const dms = new Map<string, number>();
      for (const c of slack.callsTo('chat.postMessage')) if (String(c.args.text).includes('has ended')) dms.set(String(c.args.channel), (dms.get(String(c.args.channel)) ?? 0) + 1);
      const once = [...dms.values()].filter((n) => n === 1).length;
      if (dms.size !== N || once !== N) throw new Error(`bench: ${name}: ${dms.size} holders told, ${once} exactly once (expected ${N})`);
      const limited = slack.callsTo('chat.postMessage#failed').length;
      const peakRssMb = rss.stop();
      console.log(`${name}: ${N} grants ended, p50 ${fmt(percentile(lateness, 0.5))} p99 ${fmt(percentile(lateness, 0.99))} max ${fmt(Math.max(...lateness))} after due; ${N} DMs each once, last ${fmt(lastDm)} after due (${limited} answered 429 first); bot (${BOT_MODE}) RSS peak ${peakRssMb.toFixed(0)} MB; load average ${load()}`);
      return { lateness, lastDm, peakRssMb };
    } finally {
      await sql.end();
    }
  } finally {
    rss?.stop();
    await bot?.stop();
    await queues?.close();
    await database.destroy();
    await slack.stop();
    await removeQueueKeys(REDIS_URL, prefix);
    if (!process.env.BENCH_KEEP_LOGS) await rm(dir, { recursive: true, force: true });
    else console.log(`  ${name}: the bot's log is kept in ${join(dir, 'bot.log')}`);
  }
}

/** N LOGIN roles on the warehouse holding the dataset role, created in one DO block each way. */
async function warehouseLogins(wh: Warehouse, login: (i: number) => string) {
  const admin = postgres(wh.adminUrl, { max: 1, onnotice: () => {} });
  const names = Array.from({ length: N }, (_, i) => login(i + 1));
  // role names are ours (a random hex prefix and a number), so the DO block is plain text
  const each = (body: string) => `do $$ begin for i in 1..${N} loop ${body} end loop; end $$`;
  await admin.unsafe(each(`execute format('create role %I login', '${wh.prefix}_u' || i); execute format('grant %I to %I', '${wh.datasetRole}', '${wh.prefix}_u' || i);`));
  return {
    stillHolding: async () => (await admin`select count(*)::int as n from unnest(${names}::text[]) as l(login) where pg_has_role(l.login::name, ${wh.datasetRole}::name, 'MEMBER')`)[0]!.n as number,
    async drop() {
      await admin.unsafe(each(`execute format('drop role if exists %I', '${wh.prefix}_u' || i);`));
      await admin.end();
    },
  };
}

export async function benchExpiry(): Promise<TargetResult[]> {
  if (!process.env.TEST_DATABASE_URL) throw new Error('bench expiry needs TEST_DATABASE_URL (a Postgres server)');
  const buildSeconds = buildOnce();
  console.log(`\nexpiry: ${N} due at one instant (lead ${fmt(LEAD_MS)}), the bot as its own process (${BOT_MODE}; build ${buildSeconds.toFixed(1)} s), load average ${load()}`);
  const raw = await floor();
  const floorP99 = percentile(raw, 0.99);
  console.log(`floor: ${N} raw BullMQ delayed jobs (concurrency ${EXPIRY_CONCURRENCY}), lateness p50 ${fmt(percentile(raw, 0.5))} p99 ${fmt(floorP99)}; load average ${load()}`);

  const record = await runScenario({ name: 'record', datasetId: 'bench-record', datasetYaml: `  - id: bench-record\n    name: bench-record\n    sensitivity: internal\n    owners: [${USERS.owner1}]\n` });
  const recordP99 = percentile(record.lateness, 0.99);

  const wh = Warehouse.fromEnv();
  await wh.setUp();
  const login = (i: number) => `${wh.prefix}_u${i}`;
  const logins = await warehouseLogins(wh, login);
  let pg: Ended;
  let left: number;
  try {
    pg = await runScenario({
      name: 'postgres',
      datasetId: 'bench-warehouse',
      datasetYaml: `  - id: bench-warehouse\n    name: bench-warehouse\n    sensitivity: internal\n    owners: [${USERS.owner1}]\n    provisioner: { type: postgres, connection_env: WAREHOUSE_URL, role: ${wh.datasetRole}, login_role_template: '{slack_id}' }\n`,
      env: { WAREHOUSE_URL: wh.adminUrl },
      login,
    });
    left = await logins.stillHolding();
  } finally {
    await logins.drop();
    await wh.tearDown();
  }
  const pgLast = Math.max(...pg.lateness);
  const rssMb = Math.max(record.peakRssMb, pg.peakRssMb);
  return [
    ratioTarget('expiry (record): due → ended p99 vs raw BullMQ p99', recordP99, floorP99, 2, `p99 ${fmt(recordP99)} vs ${N} raw jobs ${fmt(floorP99)}; DMs all once by ${fmt(record.lastDm)}`),
    {
      ...ratioTarget('expiry (postgres): all REVOKEs done vs raw BullMQ p99', pgLast, floorP99, 3, `last ended ${fmt(pgLast)} (p99 ${fmt(percentile(pg.lateness, 0.99))}) vs ${fmt(floorP99)}; ${left} logins still hold the role`),
      ...(left > 0 ? { pass: false } : {}),
    },
    absoluteTarget('bot RSS peak during expiry (MB)', rssMb, 200, `node dist/src/main.js ${BOT_MODE}, its own process: record ${record.peakRssMb.toFixed(0)} MB, postgres ${pg.peakRssMb.toFixed(0)} MB`),
  ];
}
