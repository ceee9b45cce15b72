/**
 * Access reviews at company scale (issue #12): a campaign over BENCH_REVIEW_GRANTS active grants
 * (50,000) on BENCH_REVIEW_OWNERS datasets (500, one owner each), on a fresh Postgres database
 * (TEST_DATABASE_URL) and real Redis. The bot runs as its own process, as in production
 * (`node dist/src/main.js`, web and worker together, bench/bot-process.ts), against the
 * fake Slack Web API, which lives in this (the bench's) process.
 *
 * - start: an admin sends a signed `/access review start`; measured from sending it to the answer
 *   "Access review started" (in the acknowledgement, or through the response URL when it took
 *   longer than the ack budget): by then the items are written and the digests queued, in one
 *   transaction. Its floor in the same run: a bare INSERT of as many rows, in batches, into a copy
 *   of the items table;
 * - posting: the bot's messages worker posts every digest while Slack answers some calls with 429
 *   (Retry-After 1 s); every owner must get each part of their digest exactly once. The pace is
 *   SLACK_MESSAGES_PER_SECOND=200 (the fake Slack has no limits to respect; it is the pace the
 *   in-process bench used, so the bot posts as fast as it did there);
 * - Keep/Revoke clicks over signed HTTP to the bot while the digests post: ack p99. They begin once
 *   the 429s have been answered and posting has resumed at full pace (a click during the pauses
 *   Slack asked for would not be "while it posts"), and the parts posted meanwhile are reported;
 * - digest pages: loadDigest + the block builder, per owner, p99, once posting is over. Measured as
 *   a function call in a child process of its own (bench/digest-pages.ts, the compiled code, the
 *   same database): that is the bot's code path for a page on a heap like the bot's, whereas this
 *   process's heap holds the fake Slack's record of every call (hundreds of MB), whose garbage
 *   collection would be counted against the bot;
 * - the bot process's resident memory (RSS), sampled every 100 ms from its spawn to its stop.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- reviews
 *   BENCH_REVIEW_GRANTS=5000 BENCH_REVIEW_OWNERS=50 …   # a quick run
 *   BENCH_BOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" BENCH_KEEP_LOGS=1 …   # profile the bot
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { outbox, reviewCampaigns, reviewItems } from '../src/shared/db/schema.js';
import { ACTION_IDS } from '../src/slack/ids.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { REPO_ROOT, TSX_LOADER } from '../test/helpers/process.js';
import { removeQueueKeys } from '../test/helpers/queues.js';
import { scaleDatasetId, scaleOwnerId, seedActiveGrants } from '../test/helpers/seed-grants.js';
import { blockActionPayload, commandBody, interactionBody, postSigned, SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { startBotProcess, type BotProcess } from './bot-process.js';
import { buildOnce } from './build.js';
import { absoluteTarget, percentile, type TargetResult } from './targets.js';

const GRANTS = Number(process.env.BENCH_REVIEW_GRANTS ?? 50_000);
const OWNERS = Number(process.env.BENCH_REVIEW_OWNERS ?? 500);
const CLICKS = Number(process.env.BENCH_REVIEW_CLICKS ?? 300);
const CLICK_CONCURRENCY = Number(process.env.BENCH_REVIEW_CLICK_CONCURRENCY ?? 10);
const RATE_LIMITED_CALLS = Number(process.env.BENCH_REVIEW_429S ?? 30);
const ADMIN = 'U0ADMIN1';

/** The catalog of test/helpers/seed-grants.ts scaleCatalog, as the bot reads it: one owner per dataset. */
function catalogYaml(datasets: number): string {
  const lines = Array.from({ length: datasets }, (_, d) => `  - id: ${scaleDatasetId(d)}\n    name: Dataset ${d}\n    sensitivity: internal\n    owners: [${scaleOwnerId(d)}]\n`);
  return `admins: [${ADMIN}]\ndatasets:\n${lines.join('')}`;
}

export async function benchReviews(): Promise<TargetResult[]> {
  if (!process.env.TEST_DATABASE_URL) throw new Error('the reviews bench needs TEST_DATABASE_URL (the targets are for Postgres)');
  const buildSeconds = buildOnce();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const shape = { datasets: OWNERS, perDataset: Math.ceil(GRANTS / OWNERS) };
  const total = shape.datasets * shape.perDataset;
  const slack = await new FakeSlack().start();
  slack.users.set(ADMIN, { tz: 'Europe/Berlin', email: 'admin@acme.test' });
  // the bot checks at start that every owner named by the catalog is a Slack user
  for (let d = 0; d < OWNERS; d++) slack.users.set(scaleOwnerId(d), { tz: 'Europe/Berlin', email: `owner${d}@acme.test` });
  const database = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'dab-bench-reviews-'));
  const prefix = `dab-bench-${randomBytes(4).toString('hex')}`;
  let bot: BotProcess | undefined;
  try {
    console.log(`\naccess review: ${total} active grants, ${OWNERS} datasets with one owner each, database: ${database.kind} (build ${buildSeconds.toFixed(1)} s)`);
    await seedActiveGrants(database.db, shape, new Date());
    const floorMs = await floorInsert(database.db, total);
    await writeFile(join(dir, 'catalog.yml'), catalogYaml(OWNERS));

    bot = await startBotProcess({
      mode: 'all',
      logFile: join(dir, 'bot.log'),
      env: {
        SLACK_BOT_TOKEN: 'xoxb-fake',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: database.url!,
        REDIS_URL: redisUrl,
        CATALOG_PATH: join(dir, 'catalog.yml'),
        QUEUE_PREFIX: prefix,
        SLACK_MESSAGES_PER_SECOND: '200',
      },
    });
    console.log(`bot (node dist/src/main.js, pid ${bot.pid}) ready in ${bot.readyMs.toFixed(0)} ms, RSS ${bot.readyRssMb.toFixed(0)} MB`);
    // Slack throttles: some posts are answered 429 with Retry-After 1 s
    slack.failNext('chat.postMessage', { status: 'pass' }, 50);
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, RATE_LIMITED_CALLS);

    // an admin starts the review from Slack; it has started when the bot says so
    const t0 = performance.now();
    const ack = await postSigned(bot.eventsUrl, commandBody({ text: 'review start', userId: ADMIN, responseUrl: `${slack.url}/respond` }), 'application/x-www-form-urlencoded');
    const ackText = await ack.text();
    if (ack.status !== 200) throw new Error(`/access review start answered HTTP ${ack.status}`);
    if (!ackText.includes('Access review started')) {
      await slack.waitFor(() => slack.calls.find((c) => c.method === 'response_url/respond' && String(c.args.text).includes('review')), 'the answer to /access review start', 60_000);
    }
    const startMs = performance.now() - t0;
    const answer = ackText.includes('Access review started') ? ackText : JSON.stringify(slack.calls.find((c) => c.method === 'response_url/respond')?.args);
    if (!answer.includes('Access review started')) throw new Error(`the review was not started: ${answer.slice(0, 300)}`);
    const [campaign] = await database.db.select().from(reviewCampaigns).where(eq(reviewCampaigns.status, 'open'));
    if (!campaign) throw new Error('no open review in the database');
    console.log(`start: ${(startMs / 1000).toFixed(2)} s to "Access review started" (${ackText.includes('Access review started') ? 'in the ack' : 'through the response URL'}; floor, a bare batched INSERT of ${total} rows: ${(floorMs / 1000).toFixed(2)} s)`);

    // clicks while the digests post: owners keep or revoke one of their items each
    const items = await database.db
      .select({ id: reviewItems.id, datasetId: reviewItems.datasetId })
      .from(reviewItems)
      .where(and(eq(reviewItems.campaignId, campaign.id), sql`${reviewItems.position} % ${shape.perDataset} = 1`))
      .limit(CLICKS);
    // the clicks begin once the bot posts at full pace: the 429s answered and posting resumed after
    // the pauses they asked for (clicks during a pause would not be "while it posts"); the parts
    // posted meanwhile are counted
    await slack.waitFor(() => slack.callsTo('chat.postMessage#failed').length >= RATE_LIMITED_CALLS, 'every 429 answered', 120_000);
    const resumedFrom = slack.callsTo('chat.postMessage').length;
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length >= resumedFrom + 100, 'posting to resume after the 429s', 120_000);
    const postedBefore = slack.callsTo('chat.postMessage').length;
    const updatedBefore = slack.callsTo('chat.update').length;
    const metricsUrl = bot.eventsUrl.replace('/slack/events', '/metrics');
    const before = await botMetrics(metricsUrl);
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    benchLoop.enable();
    const clickStart = performance.now();
    const eventsUrl = bot.eventsUrl;
    const clicks = await pool(items, CLICK_CONCURRENCY, async (item, i) => {
      const owner = scaleOwnerId(Number(item.datasetId.slice(3)));
      const body = interactionBody(
        blockActionPayload({
          userId: owner,
          actionId: i % 4 === 0 ? ACTION_IDS.reviewRevoke : ACTION_IDS.reviewKeep,
          value: item.id,
          channelId: `D${owner}`,
          messageTs: '1.0',
          responseUrl: `${slack.url}/respond`,
        }),
      );
      const s = performance.now();
      const res = await postSigned(eventsUrl, body, 'application/x-www-form-urlencoded');
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`click answered HTTP ${res.status}`);
      return performance.now() - s;
    });
    const clickLoad = loadavg()[0]!;
    const postedDuring = slack.callsTo('chat.postMessage').length - postedBefore;
    const updatedDuring = slack.callsTo('chat.update').length - updatedBefore;
    benchLoop.disable();
    const after = await botMetrics(metricsUrl);
    console.log(
      `  during the clicks: bot event-loop delay max ${(after.lagMax * 1000).toFixed(0)} ms, p99 ${(after.lagP99 * 1000).toFixed(0)} ms; ` +
        `bot GC ${((after.gcSeconds - before.gcSeconds) * 1000).toFixed(0)} ms in ${after.gcCount - before.gcCount} pauses; ` +
        `bot CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(1)} s; bench event-loop delay max ${(benchLoop.max / 1e6).toFixed(0)} ms, p99 ${(benchLoop.percentile(99) / 1e6).toFixed(0)} ms`,
    );
    const stillPosting = await pendingDigests(database.db);
    console.log(
      `clicks: ${clicks.length} in ${((performance.now() - clickStart) / 1000).toFixed(1)} s, ${CLICK_CONCURRENCY} at a time, ` +
        `p50 ${percentile(clicks, 0.5).toFixed(1)} ms, p99 ${percentile(clicks, 0.99).toFixed(1)} ms, max ${Math.max(...clicks).toFixed(1)} ms; ` +
        `meanwhile the bot posted ${postedDuring} digest parts and redrew ${updatedDuring}; ${stillPosting} digests still to post when the clicks ended (load average ${clickLoad.toFixed(1)})`,
    );

    // every digest posted: each owner got each part exactly once
    const postStart = performance.now();
    await until(async () => (await pendingDigests(database.db)) === 0, 'every digest posted', 600_000);
    console.log(`posting finished ${((performance.now() - t0) / 1000).toFixed(1)} s after the start (${((performance.now() - postStart) / 1000).toFixed(1)} s after the clicks)`);
    const { lost, duplicated, parts } = checkDigests(slack, OWNERS);
    const limited = slack.callsTo('chat.postMessage#failed').length;
    console.log(`digests: ${parts} parts to ${OWNERS} owners, ${limited} posts answered 429, lost ${lost}, duplicated ${duplicated}`);

    // let the digest redraws the clicks caused finish, so the bot's memory is counted through them
    await until(async () => (await pendingMessages(database.db)) === 0, 'every message sent', 120_000);
    const rssPeak = await bot.stop();
    const renders = await measurePages(database.url!, campaign.id, OWNERS);
    console.log(`digest page (loadDigest + blocks, ${shape.perDataset} items): p50 ${percentile(renders, 0.5).toFixed(1)} ms, p99 ${percentile(renders, 0.99).toFixed(1)} ms`);
    console.log(`bot RSS: ${bot.readyRssMb.toFixed(0)} MB when ready, peak ${rssPeak.toFixed(0)} MB; load average ${loadavg()[0]!.toFixed(1)}`);

    return [
      absoluteTarget(
        `review start, ${total} grants / ${OWNERS} owners (ms)`,
        startMs,
        10_000,
        `${(startMs / 1000).toFixed(2)} s from /access review start to its answer; floor (bare batched INSERT of ${total} rows) ${(floorMs / 1000).toFixed(2)} s, ${(startMs / floorMs).toFixed(1)}× it`,
      ),
      absoluteTarget('digest page render p99 (ms)', percentile(renders, 0.99), 50, `${renders.length} owners, ${shape.perDataset} items each; p50 ${percentile(renders, 0.5).toFixed(1)} ms`),
      {
        target: 'digests lost or duplicated',
        ratio: lost + duplicated,
        limit: 0,
        pass: lost + duplicated === 0,
        detail: `${parts} parts to ${OWNERS} owners; ${limited} posts answered 429 (Retry-After 1 s)`,
      },
      absoluteTarget(
        'Keep/Revoke click ack p99 while posting (ms)',
        percentile(clicks, 0.99),
        300,
        `${clicks.length} clicks, ${CLICK_CONCURRENCY} at a time, while ${postedDuring} parts were posted and ${updatedDuring} redrawn; p50 ${percentile(clicks, 0.5).toFixed(1)} ms; load average ${clickLoad.toFixed(1)}`,
      ),
      absoluteTarget('bot RSS peak during the review (MB)', rssPeak, 200, `node dist/src/main.js, web and worker; ${bot.readyRssMb.toFixed(0)} MB when ready`),
    ];
  } finally {
    await bot?.stop();
    await database.destroy();
    await slack.stop();
    await removeQueueKeys(redisUrl, prefix);
    if (!process.env.BENCH_KEEP_LOGS) await rm(dir, { recursive: true, force: true });
    else console.log(`  logs kept in ${dir}`);
  }
}

/** A few of the bot's own figures from its /metrics (the event-loop delay is since the previous scrape). */
async function botMetrics(url: string): Promise<{ lagMax: number; lagP99: number; gcSeconds: number; gcCount: number; cpuSeconds: number }> {
  const text = await (await fetch(url)).text();
  const sum = (re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  return {
    lagMax: sum(/^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/gm),
    lagP99: sum(/^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? (\S+)$/gm),
    gcSeconds: sum(/^nodejs_gc_duration_seconds_sum(?:\{[^}]*\})? (\S+)$/gm),
    gcCount: sum(/^nodejs_gc_duration_seconds_count(?:\{[^}]*\})? (\S+)$/gm),
    cpuSeconds: sum(/^process_cpu_seconds_total(?:\{[^}]*\})? (\S+)$/gm),
  };
}

/** Digest pages, one per owner, rendered by bench/digest-pages.ts in a process of its own; ms each. */
async function measurePages(databaseUrl: string, campaignId: string, owners: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX_LOADER, join(REPO_ROOT, 'bench/digest-pages.ts'), databaseUrl, campaignId, String(owners)], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as number[];
}

/** The floor: the same number of rows, in 5,000-row statements, into a copy of the items table (no foreign keys). */
async function floorInsert(db: Parameters<typeof seedActiveGrants>[0], total: number): Promise<number> {
  await db.execute(sql`create table floor_items (like review_items including defaults including indexes)`);
  const campaignId = randomUUID();
  const start = performance.now();
  for (let i = 0; i < total; i += 5_000) {
    const rows = Array.from({ length: Math.min(5_000, total - i) }, (_, k) => ({
      id: randomUUID(),
      campaign_id: campaignId,
      grant_id: randomUUID(),
      dataset_id: `ds-${k % 500}`,
      user_id: `U0HLD${i + k}`,
      position: i + k,
    }));
    await db.execute(sql`
      insert into floor_items (id, campaign_id, grant_id, dataset_id, user_id, position)
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, campaign_id uuid, grant_id uuid, dataset_id text, user_id text, position integer)`);
  }
  const ms = performance.now() - start;
  await db.execute(sql`drop table floor_items`);
  return ms;
}

async function pendingMessages(db: Parameters<typeof seedActiveGrants>[0]): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(outbox)
    .where(eq(outbox.status, 'pending'));
  return row?.n ?? 0;
}

async function pendingDigests(db: Parameters<typeof seedActiveGrants>[0]): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(outbox)
    .where(and(eq(outbox.kind, 'review_digest'), eq(outbox.status, 'pending')));
  return row?.n ?? 0;
}

/** Per owner, the parts posted ("Part i of n"): lost when a part or a whole digest is missing, duplicated when one came twice. */
function checkDigests(slack: FakeSlack, owners: number): { lost: number; duplicated: number; parts: number } {
  let lost = 0;
  let duplicated = 0;
  let parts = 0;
  for (let d = 0; d < owners; d++) {
    const labels = slack
      .dmsTo(scaleOwnerId(d))
      .filter((c) => c.args.text === 'Weekly access review')
      .map((c) => /Part (\d+) of (\d+)/.exec(JSON.stringify(c.args.blocks)));
    const of = Number(labels[0]?.[2] ?? 0);
    if (of === 0) lost++;
    const seen = new Set<number>();
    for (const l of labels) {
      const i = Number(l?.[1]);
      if (seen.has(i)) duplicated++;
      seen.add(i);
    }
    lost += Math.max(0, of - seen.size);
    parts += labels.length;
  }
  return { lost, duplicated, parts };
}

async function pool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out.push(await work(items[i]!, i));
      }
    }),
  );
  return out;
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
