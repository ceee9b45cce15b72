/**
 * Expiry at scale: many grants due at the same instant, ended by the bot's own workers.
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
 * (a Postgres server) and REDIS_URL.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { startBot, type RunningBot } from '../src/bot.js';
import type { Catalog } from '../src/catalog/catalog.js';
import { buildConnectors, singleConnector } from '../src/provisioners/registry.js';
import { recordOnlyProvisioner } from '../src/provisioners/record-only.js';
import { createLogger } from '../src/shared/logger.js';
import { EXPIRY_CONCURRENCY } from '../src/worker/workers.js';
import { makeDataset, USERS } from '../test/helpers/catalog.js';
import { fakeSlackConfig } from '../test/helpers/config.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/db.js';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { removeQueueKeys } from '../test/helpers/queues.js';
import { Warehouse } from '../test/helpers/warehouse.js';
import { percentile, ratioTarget, type TargetResult } from './targets.js';

const N = Number(process.env.BENCH_EXPIRY_GRANTS ?? 10_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Time between scheduling and the shared due instant: every job is in Redis before it. */
const LEAD_MS = Number(process.env.BENCH_EXPIRY_LEAD_MS ?? Math.max(5_000, N * 1.5));
const silent = createLogger(process.env.BENCH_DEBUG ? 'warn' : 'silent');

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, process.env.BENCH_DEBUG ? 2000 : 50));
  }
}

/** Peak resident memory of this process (the bot runs in it, with the bench and the fake Slack). */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return { stop: () => (clearInterval(timer), peak / 1024 / 1024) };
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
  peakRssMb: number;
}

/** Starts the bot, schedules every grant's expiry job (the bot's own scheduleExpiries), waits for all to end and every DM. */
async function runScenario(name: string, catalog: Catalog, connectors: ReturnType<typeof singleConnector>, datasetId: string, login?: (i: number) => string): Promise<Ended> {
  const slack = await new FakeSlack().start();
  const database = await createTestDatabase();
  const config = fakeSlackConfig(slack.apiUrl, REDIS_URL, { reconcileIntervalSeconds: 3600, messagesPerSecond: 1000 });
  let bot: RunningBot | undefined;
  const rss = rssSampler();
  try {
    bot = await startBot(config, { database, catalog, connectors, logger: silent });
    const due = new Date(Date.now() + LEAD_MS);
    await seedGrants(database, datasetId, due, login);
    const sql = postgres(database.url!, { max: 1, onnotice: () => {} });
    try {
      const active = await sql`select id, ends_at from grants where status = 'active'`;
      await bot.deps.jobs.scheduleExpiries(active.map((g) => ({ id: g.id as string, endsAt: g.ends_at as Date })));
      // Slack pushes back now and then: each 429 must pause posting, and lose or repeat nothing
      for (let i = 0; i < 5; i++) slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 2);
      if (Date.now() > due.getTime()) throw new Error(`bench: scheduling took longer than BENCH_EXPIRY_LEAD_MS (${LEAD_MS} ms)`);
      await until(async () => (await sql`select count(*)::int as n from grants where status = 'expired'`)[0]!.n >= N, `${name}: every grant to end`, LEAD_MS + 300_000);
      const rows = await sql`select extract(epoch from (ended_at - ends_at)) * 1000 as ms from grants`;
      const lateness = rows.map((r) => Number(r.ms));
      await until(
        async () => {
          if (process.env.BENCH_DEBUG) console.log(`${name}: ${slack.callsTo('chat.postMessage').length} DMs, ${JSON.stringify(await bot!.queues.messages.getJobCounts())}`);
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
      console.log(`${name}: ${N} grants ended, p50 ${fmt(percentile(lateness, 0.5))} p99 ${fmt(percentile(lateness, 0.99))} max ${fmt(Math.max(...lateness))} after due; ${N} DMs each once, last ${fmt(lastDm)} after due (${limited} answered 429 first)`);
      return { lateness, lastDm, peakRssMb: rss.stop() };
    } finally {
      await sql.end();
    }
  } finally {
    rss.stop();
    await bot?.stop();
    await database.destroy();
    await slack.stop();
    await removeQueueKeys(REDIS_URL, config.queuePrefix);
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
  console.log(`\nexpiry: ${N} due at one instant (lead ${fmt(LEAD_MS)}), load average ${load()}`);
  const raw = await floor();
  const floorP99 = percentile(raw, 0.99);
  console.log(`floor: ${N} raw BullMQ delayed jobs (concurrency ${EXPIRY_CONCURRENCY}), lateness p50 ${fmt(percentile(raw, 0.5))} p99 ${fmt(floorP99)}`);

  const catalog: Catalog = { admins: [USERS.admin], datasets: [makeDataset({ id: 'bench-record', owners: [USERS.owner1] })] };
  const record = await runScenario('record', catalog, singleConnector(catalog, recordOnlyProvisioner(silent)), 'bench-record');
  const recordP99 = percentile(record.lateness, 0.99);

  const wh = Warehouse.fromEnv();
  await wh.setUp();
  const login = (i: number) => `${wh.prefix}_u${i}`;
  const logins = await warehouseLogins(wh, login);
  let pg: Ended;
  let left: number;
  try {
    const pgCatalog: Catalog = {
      admins: [USERS.admin],
      datasets: [makeDataset({ id: 'bench-warehouse', owners: [USERS.owner1], provisioner: { type: 'postgres', connection_env: 'WAREHOUSE_URL', role: wh.datasetRole, login_role_template: '{slack_id}' } })],
    };
    const connectors = buildConnectors(pgCatalog, { WAREHOUSE_URL: wh.adminUrl }, silent);
    try {
      pg = await runScenario('postgres', pgCatalog, connectors, 'bench-warehouse', login);
    } finally {
      await connectors.close();
    }
    left = await logins.stillHolding();
  } finally {
    await logins.drop();
    await wh.tearDown();
  }
  const pgLast = Math.max(...pg.lateness);
  const rssMb = Math.max(record.peakRssMb, pg.peakRssMb);
  console.log(`peak RSS of the bench process (bot + fake Slack + bench): ${rssMb.toFixed(0)} MB; load average ${load()}`);
  return [
    ratioTarget('expiry (record): due → ended p99 vs raw BullMQ p99', recordP99, floorP99, 2, `p99 ${fmt(recordP99)} vs ${N} raw jobs ${fmt(floorP99)}; DMs all once by ${fmt(record.lastDm)}`),
    {
      ...ratioTarget('expiry (postgres): all REVOKEs done vs raw BullMQ p99', pgLast, floorP99, 3, `last ended ${fmt(pgLast)} (p99 ${fmt(percentile(pg.lateness, 0.99))}) vs ${fmt(floorP99)}; ${left} logins still hold the role`),
      ...(left > 0 ? { pass: false } : {}),
    },
  ];
}
