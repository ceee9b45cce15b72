import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { accessRequests, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { scrape, type Scrape } from '../helpers/metrics.js';
import { outboxDrained, waitUntil } from '../helpers/signals.js';
import { OffsetClock } from '../helpers/warehouse.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function bot(opts: Parameters<typeof startTestBot>[0] = {}): Promise<TestBot> {
  const t = await startTestBot(opts);
  cleanup.push(() => t.stop());
  return t;
}

async function pendingRequest(t: TestBot, userId: string) {
  const [r] = await t.database.db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, userId), eq(accessRequests.status, 'pending')));
  return r!;
}

/** Scrapes until `probe` holds on a scrape (metrics observed after a response, e.g. Slack's, land a moment later). */
async function scrapeUntil(t: TestBot, probe: (s: Scrape) => boolean, what: string): Promise<Scrape> {
  return waitUntil(async () => {
    const s = await scrape(t.baseUrl);
    return probe(s) && s;
  }, what);
}

const n = (s: Scrape, name: string, labels?: Record<string, string>) => s.value(name, labels) ?? 0;

describe('GET /metrics', () => {
  it('moves as a request is made and approved and its grant expires', { timeout: 60_000 }, async () => {
    const clock = new OffsetClock();
    const t = await bot({ clock });
    const before = await scrape(t.baseUrl);
    expect(before.status).toBe(200);
    expect(before.contentType).toContain('text/plain');
    expect(before.value('dab_requests', { state: 'pending' })).toBe(0);
    expect(before.value('dab_grants', { state: 'active' })).toBe(0);
    expect(before.value('dab_state_source_up', { source: 'postgres' })).toBe(1);
    expect(before.value('dab_state_source_up', { source: 'redis' })).toBe(1);

    await t.command(USERS.marketer, 'request campaign-metrics 1h metrics check');
    expect((await scrape(t.baseUrl)).value('dab_requests', { state: 'pending' })).toBe(1);
    const request = await pendingRequest(t, USERS.marketer);

    clock.advance(10 * MINUTE); // decided ten minutes after it was asked
    await t.click(USERS.owner1, ACTION_IDS.approve, request.id);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('is ready')), 'access ready DM');
    const approved = await scrape(t.baseUrl);
    expect(approved.value('dab_requests', { state: 'pending' })).toBe(0);
    expect(approved.value('dab_grants', { state: 'active' })).toBe(1);
    const approvedCount = { outcome: 'approved' };
    expect(n(approved, 'dab_request_decision_seconds_count', approvedCount) - n(before, 'dab_request_decision_seconds_count', approvedCount)).toBe(1);
    const decisionSeconds = n(approved, 'dab_request_decision_seconds_sum', approvedCount) - n(before, 'dab_request_decision_seconds_sum', approvedCount);
    expect(decisionSeconds).toBeGreaterThanOrEqual(600);
    expect(decisionSeconds).toBeLessThan(660);
    const grantAttempts = { step: 'grant', connector: 'record' };
    expect(n(approved, 'dab_connector_attempts_total', grantAttempts) - n(before, 'dab_connector_attempts_total', grantAttempts)).toBe(1);

    clock.advance(HOUR + 2 * MINUTE); // two minutes past its end: the reconciler (every second) ends it
    await waitUntil(async () => {
      const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, request.id));
      return g?.status === 'expired';
    }, 'the grant to expire');
    const expired = await scrape(t.baseUrl);
    expect(n(expired, 'dab_grant_expiry_lateness_seconds_count') - n(before, 'dab_grant_expiry_lateness_seconds_count')).toBe(1);
    const lateness = n(expired, 'dab_grant_expiry_lateness_seconds_sum') - n(before, 'dab_grant_expiry_lateness_seconds_sum');
    expect(lateness).toBeGreaterThanOrEqual(120);
    expect(lateness).toBeLessThan(180);
    // the revoke is counted under the connector that did it
    const revokeAttempts = { step: 'revoke', connector: 'record' };
    expect(n(expired, 'dab_connector_attempts_total', revokeAttempts) - n(before, 'dab_connector_attempts_total', revokeAttempts)).toBe(1);
    expect(expired.value('dab_grants', { state: 'active' })).toBe(0);
    expect(expired.value('dab_stuck_revokes')).toBe(0);

    // bounded label values only: never a person's id
    for (const id of Object.values(USERS)) expect(expired.text).not.toContain(id);
  });

  it('counts Slack Web API calls by method and outcome: rate limits, errors and HTTP failures included', { timeout: 60_000 }, async () => {
    const t = await bot();
    const before = await scrape(t.baseUrl);
    const calls = (s: Scrape, method: string, outcome: string) => n(s, 'dab_slack_api_calls_total', { method, outcome });
    // the owner's DM: a 429 (the client waits and retries), then an ok:false (the job fails and
    // is retried); opening the DM first fails with an HTTP 500 (retried by the client)
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    t.slack.failNext('chat.postMessage', { status: 200, error: 'internal_error' });
    t.slack.failNext('conversations.open', { status: 500 });

    await t.command(USERS.marketer, 'request campaign-metrics 1d numbers please');
    await outboxDrained(t);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).length > 0, 'the approval DM');
    const after = await scrapeUntil(t, (s) => calls(s, 'chat.postMessage', 'ok') > calls(before, 'chat.postMessage', 'ok'), 'the ok call counted');
    expect(calls(after, 'chat.postMessage', 'rate_limited') - calls(before, 'chat.postMessage', 'rate_limited')).toBe(1);
    expect(calls(after, 'chat.postMessage', 'error') - calls(before, 'chat.postMessage', 'error')).toBe(1);
    expect(calls(after, 'conversations.open', 'http_error') - calls(before, 'conversations.open', 'http_error')).toBe(1);
    expect(calls(after, 'conversations.open', 'ok')).toBeGreaterThan(calls(before, 'conversations.open', 'ok'));
    expect(n(after, 'dab_jobs_failed_total', { queue: 'messages' }) - n(before, 'dab_jobs_failed_total', { queue: 'messages' })).toBeGreaterThanOrEqual(1);

    // the gauges read at scrape time are there: queues, outbox, reviews, stuck revokes
    for (const queue of ['expiry', 'messages', 'maintenance', 'provisioning', 'handoff']) {
      for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed']) expect(after.value('dab_queue_jobs', { queue, state }), `${queue} ${state}`).toBeTypeOf('number');
    }
    expect(after.value('dab_outbox_backlog')).toBe(0);
    expect(after.value('dab_outbox_oldest_age_seconds')).toBe(0);
    expect(after.value('dab_review_items_overdue')).toBe(0);
    expect(after.value('dab_stuck_revokes')).toBe(0);
    expect(after.value('dab_requests', { state: 'pending' })).toBe(1);
  });

  it('answers 401 without the bearer token when METRICS_TOKEN is set', async () => {
    const token = randomBytes(20).toString('hex');
    const t = await bot({ config: { metricsToken: token } });
    const missing = await fetch(`${t.baseUrl}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.text()).toBe('');
    expect((await scrape(t.baseUrl, `${token.slice(0, -1)}x`)).status).toBe(401);
    expect((await scrape(t.baseUrl, token.slice(0, 8))).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: token } })).status).toBe(401);
    const ok = await scrape(t.baseUrl, token);
    expect(ok.status).toBe(200);
    expect(ok.value('dab_requests', { state: 'pending' })).toBe(0);
    // the other endpoints ask for nothing
    expect((await fetch(`${t.baseUrl}/livez`)).status).toBe(200);
  });

  it('the worker process serves it too, on its health port', async () => {
    const web = await bot({ config: { mode: 'web' } });
    const worker = await bot({ replicaOf: web, config: { mode: 'worker', workerHealthPort: 0 } });
    await web.command(USERS.marketer, 'request campaign-metrics 1d numbers please');
    // the web process handed the approver's message to the worker, which sent it
    await web.slack.waitFor(() => web.slack.dmsTo(USERS.owner1).length > 0 || undefined, 'the approver asked, by the worker');
    const s = await scrape(worker.baseUrl);
    expect(s.status).toBe(200);
    expect(s.value('dab_requests', { state: 'pending' })).toBe(1);
    expect(s.value('dab_state_source_up', { source: 'redis' })).toBe(1);
    expect(s.value('dab_queue_jobs', { queue: 'messages' })).toBeTypeOf('number');
    expect(s.value('process_cpu_seconds_total')).toBeTypeOf('number');
    expect((await fetch(`${worker.baseUrl}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
