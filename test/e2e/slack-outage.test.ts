import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accessRequests, outbox } from '../../src/shared/db/schema.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { jobRuns, outboxDrained } from '../helpers/signals.js';

let t: TestBot;
// each test has its own bot (or use cases), database, queues and clock
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t?.stop();
});

const askedAbout = (approverId: string, requestId: string) =>
  t.slack.dmsTo(approverId).filter((c) => JSON.stringify(c.args.blocks).includes(requestId));

describe('messages survive Slack rate limits and outages', () => {
  it('a 429 with Retry-After delays the approval DM but it arrives, once', async () => {
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await t.command(USERS.marketer, 'request campaign-metrics 1d numbers');
    const [request] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, USERS.marketer));
    await t.slack.waitFor(() => askedAbout(USERS.owner1, request!.id).length > 0, 'approval DM after rate limit');
    expect(t.slack.callsTo('chat.postMessage#failed')).toHaveLength(1);
    await outboxDrained(t);
    expect(askedAbout(USERS.owner1, request!.id)).toHaveLength(1);
  });

  it('a run of 429s pauses posting for Retry-After, uses up no attempt, and every message arrives exactly once', async () => {
    // more 429s in a row than the Web API client would ever retry by itself: it hands each one
    // back, and the messages queue waits as Slack asks instead of failing the job
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 6);
    const started = Date.now();
    const people = [USERS.marketer, USERS.marketer2, USERS.stranger];
    for (const p of people) await t.command(p, 'request campaign-metrics 1d numbers');
    const requests = await t.database.db.select().from(accessRequests);
    expect(requests).toHaveLength(3);
    for (const r of requests) await t.slack.waitFor(() => askedAbout(USERS.owner1, r.id).length > 0, 'approval DM after 429s', 30_000);
    await outboxDrained(t, 30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(t.slack.callsTo('chat.postMessage#failed')).toHaveLength(6);
    for (const r of requests) expect(askedAbout(USERS.owner1, r.id)).toHaveLength(1);
    const rows = await t.database.db.select().from(outbox);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    // sent once each, on the attempt that was not rate limited
    for (const row of rows) expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    const posted = t.slack.callsTo('chat.postMessage').map((c) => `${c.args.channel} ${c.args.text}`);
    expect(new Set(posted).size).toBe(posted.length);
  });

  it('an outage longer than one call is retried by the job with backoff', async () => {
    t.slack.failNext('chat.postMessage', { status: 500 }, 4);
    await t.command(USERS.marketer2, 'request campaign-metrics 1d numbers');
    const [request] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, USERS.marketer2));
    await t.slack.waitFor(() => askedAbout(USERS.owner1, request!.id).length > 0, 'approval DM after outage', 20_000);
    expect(t.slack.callsTo('chat.postMessage#failed').length).toBeGreaterThanOrEqual(4);
    const row = await waitForRow(request!.id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBeGreaterThanOrEqual(2);
  });

  it('a permanent refusal (user gone) is recorded and not retried forever', async () => {
    const failuresBefore = t.slack.callsTo('chat.postMessage#failed').length;
    t.slack.failNext('chat.postMessage', { status: 200, error: 'channel_not_found' });
    await t.command(USERS.owner2, 'request campaign-metrics 1d numbers');
    const [request] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, USERS.owner2));
    const row = await waitForRow(request!.id);
    expect(row.status).toBe('failed');
    expect(row.lastError).toContain('channel_not_found');
    const runs = await jobRuns(t);
    await runs.completed(2); // two reconciler runs, and the outbox still holds the failure
    await outboxDrained(t);
    expect(t.slack.callsTo('chat.postMessage#failed')).toHaveLength(failuresBefore + 1);
  });
});

async function waitForRow(requestId: string) {
  for (let i = 0; i < 200; i++) {
    const rows = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'approval_request'));
    const row = rows.find((r) => r.payload.requestId === requestId && r.status !== 'pending');
    if (row) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('outbox row was never settled');
}
