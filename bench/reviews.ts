/**
 * Access reviews at company scale (issue #12): a campaign over BENCH_REVIEW_GRANTS active grants
 * (50,000) on BENCH_REVIEW_OWNERS datasets (500, one owner each), on a fresh Postgres database
 * (TEST_DATABASE_URL) and real Redis, the whole bot running against the fake Slack Web API.
 *
 * - start: the real startReview (items written, digests queued), and as its floor in the same run
 *   a bare INSERT of as many rows, in batches, into a copy of the items table;
 * - digest pages: loadDigest + the block builder, per owner, p99;
 * - posting: the bot's messages worker posts every digest while Slack answers some calls with 429
 *   (Retry-After 1 s); every owner must get each part of their digest exactly once;
 * - Keep/Revoke clicks over signed HTTP while the digests post: ack p99;
 * - the process's resident memory (bot, bench and fake Slack together), sampled throughout.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- reviews
 *   BENCH_REVIEW_GRANTS=5000 BENCH_REVIEW_OWNERS=50 …   # a quick run
 */
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { startBot } from '../src/bot.js';
import { loadDigest, startReview } from '../src/modules/reviews/reviews.usecases.js';
import { outbox, reviewItems } from '../src/shared/db/schema.js';
import { createLogger } from '../src/shared/logger.js';
import { ACTION_IDS } from '../src/slack/ids.js';
import { renderContent } from '../src/slack/messages.render.js';
import { fakeSlackConfig } from '../test/helpers/config.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { FakeSlack } from '../test/helpers/fake-slack.js';
import { removeQueueKeys } from '../test/helpers/queues.js';
import { scaleCatalog, scaleOwnerId, seedActiveGrants } from '../test/helpers/seed-grants.js';
import { blockActionPayload, interactionBody, postSigned } from '../test/helpers/slack-requests.js';
import { absoluteTarget, percentile, type TargetResult } from './targets.js';

const GRANTS = Number(process.env.BENCH_REVIEW_GRANTS ?? 50_000);
const OWNERS = Number(process.env.BENCH_REVIEW_OWNERS ?? 500);
const CLICKS = Number(process.env.BENCH_REVIEW_CLICKS ?? 300);
const CLICK_CONCURRENCY = Number(process.env.BENCH_REVIEW_CLICK_CONCURRENCY ?? 10);
const RATE_LIMITED_CALLS = Number(process.env.BENCH_REVIEW_429S ?? 30);
const MB = 1024 * 1024;

export async function benchReviews(): Promise<TargetResult[]> {
  if (!process.env.TEST_DATABASE_URL) throw new Error('the reviews bench needs TEST_DATABASE_URL (the targets are for Postgres)');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const shape = { datasets: OWNERS, perDataset: Math.ceil(GRANTS / OWNERS) };
  const total = shape.datasets * shape.perDataset;
  const catalog = scaleCatalog(shape);
  const slack = await new FakeSlack().start();
  const database = await createTestDatabase();
  const config = fakeSlackConfig(slack.apiUrl, redisUrl, { reconcileIntervalSeconds: 60 });
  let rssMax = process.memoryUsage.rss();
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 100);
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;
  try {
    console.log(`\naccess review: ${total} active grants, ${OWNERS} datasets with one owner each, database: ${database.kind}`);
    await seedActiveGrants(database.db, shape, new Date());
    const floorMs = await floorInsert(database.db, total);

    bot = await startBot(config, { database, catalog, logger: createLogger('silent') });
    // Slack throttles: some posts are answered 429 with Retry-After 1 s
    slack.failNext('chat.postMessage', { status: 'pass' }, 50);
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, RATE_LIMITED_CALLS);

    const t0 = performance.now();
    const { campaign, created } = await startReview(bot.deps, catalog.admins[0]!);
    const startMs = performance.now() - t0;
    if (!created) throw new Error('the review was not created');
    console.log(`start: ${(startMs / 1000).toFixed(2)} s (floor, a bare batched INSERT of ${total} rows: ${(floorMs / 1000).toFixed(2)} s)`);

    // clicks while the digests post: owners keep or revoke one of their items each
    const url = `http://127.0.0.1:${bot.port}/slack/events`;
    const items = await database.db
      .select({ id: reviewItems.id, datasetId: reviewItems.datasetId })
      .from(reviewItems)
      .where(and(eq(reviewItems.campaignId, campaign.id), sql`${reviewItems.position} % ${shape.perDataset} = 1`))
      .limit(CLICKS);
    const clickStart = performance.now();
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
      const res = await postSigned(url, body, 'application/x-www-form-urlencoded');
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`click answered HTTP ${res.status}`);
      return performance.now() - s;
    });
    const stillPosting = await pendingDigests(database.db);
    console.log(
      `clicks: ${clicks.length} in ${((performance.now() - clickStart) / 1000).toFixed(1)} s, ${CLICK_CONCURRENCY} at a time, ` +
        `p50 ${percentile(clicks, 0.5).toFixed(1)} ms, p99 ${percentile(clicks, 0.99).toFixed(1)} ms, max ${Math.max(...clicks).toFixed(1)} ms; ` +
        `${stillPosting} digests still to post when the clicks ended`,
    );

    // every digest posted: each owner got each part exactly once
    const postStart = performance.now();
    await until(async () => (await pendingDigests(database.db)) === 0, 'every digest posted', 600_000);
    console.log(`posting finished ${((performance.now() - t0) / 1000).toFixed(1)} s after the start (${((performance.now() - postStart) / 1000).toFixed(1)} s after the clicks)`);
    const { lost, duplicated, parts } = checkDigests(slack, OWNERS);
    const limited = slack.callsTo('chat.postMessage#failed').length;
    console.log(`digests: ${parts} parts to ${OWNERS} owners, ${limited} posts answered 429, lost ${lost}, duplicated ${duplicated}`);

    // digest pages, measured once posting is over
    const renders: number[] = [];
    for (let d = 0; d < OWNERS; d++) {
      const s = performance.now();
      const digest = await loadDigest(bot.deps, campaign.id, scaleOwnerId(d));
      renderContent({ look: 'digest', data: digest! });
      renders.push(performance.now() - s);
    }
    console.log(`digest page (loadDigest + blocks, ${shape.perDataset} items): p50 ${percentile(renders, 0.5).toFixed(1)} ms, p99 ${percentile(renders, 0.99).toFixed(1)} ms`);
    rssMax = Math.max(rssMax, process.memoryUsage.rss());

    return [
      absoluteTarget(
        `review start, ${total} grants / ${OWNERS} owners (ms)`,
        startMs,
        10_000,
        `${(startMs / 1000).toFixed(2)} s; floor (bare batched INSERT of ${total} rows) ${(floorMs / 1000).toFixed(2)} s, ${(startMs / floorMs).toFixed(1)}× it`,
      ),
      absoluteTarget('digest page render p99 (ms)', percentile(renders, 0.99), 50, `${renders.length} owners, ${shape.perDataset} items each`),
      {
        target: 'digests lost or duplicated',
        ratio: lost + duplicated,
        limit: 0,
        pass: lost + duplicated === 0,
        detail: `${parts} parts to ${OWNERS} owners; ${limited} posts answered 429 (Retry-After 1 s)`,
      },
      absoluteTarget('Keep/Revoke click ack p99 while posting (ms)', percentile(clicks, 0.99), 300, `${clicks.length} clicks, ${CLICK_CONCURRENCY} at a time`),
      absoluteTarget('RSS max during the review (MB)', rssMax / MB, 200, 'bot, bench and fake Slack in one process'),
    ];
  } finally {
    clearInterval(sampler);
    await bot?.stop();
    await database.destroy();
    await slack.stop();
    await removeQueueKeys(redisUrl, config.queuePrefix);
  }
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
