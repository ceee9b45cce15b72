import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accessRequests, auditEvents, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { expiryShard, jobIds } from '../../src/worker/queues.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';

/**
 * Real time, real Redis: a 1-minute grant ends by itself. One bot relies on the delayed job alone
 * (its reconciler is set to run hourly); the other loses all its Redis keys right after approval
 * and must be saved by the reconciler rebuilding from Postgres.
 */
let jobOnly: TestBot;
let flushed: TestBot;
beforeAll(async () => {
  [jobOnly, flushed] = await Promise.all([startTestBot({ config: { reconcileIntervalSeconds: 3600 } }), startTestBot()]);
});
afterAll(async () => {
  await Promise.all([jobOnly?.stop(), flushed?.stop()]);
});

async function approveOneMinute(t: TestBot) {
  await t.command(USERS.marketer, 'request campaign-metrics 1m quick check');
  const [request] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, USERS.marketer));
  await t.click(USERS.owner1, ACTION_IDS.approve, request!.id);
  await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('is ready')), 'access ready DM');
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, request!.id));
  expect(grant!.status).toBe('active');
  return grant!;
}

async function deleteBotKeys(t: TestBot) {
  const redis = t.bot.queues.redis;
  const prefix = `${t.bot.queues.expiry.opts.prefix}:*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', prefix, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

async function expectExpired(t: TestBot, grantId: string) {
  const dm = await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('has ended')), 'expiry DM', 90_000);
  expect(JSON.stringify(dm.args.blocks)).toContain('/access request campaign-metrics');
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.id, grantId));
  expect(grant!.status).toBe('expired');
  expect(grant!.endedAt!.getTime()).toBeGreaterThanOrEqual(grant!.endsAt.getTime());
  const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, grantId));
  expect(audit.map((a) => a.action)).toEqual(['grant.created', 'grant.activated', 'grant.revoke_started', 'grant.expired']);
  expect(t.slack.dmsTo(USERS.marketer).filter((c) => c.args.text.includes('has ended'))).toHaveLength(1);
}

describe('a short grant ends by itself', () => {
  it('through its delayed job, and through the reconciler after Redis lost every job', { timeout: 150_000 }, async () => {
    const [g1, g2] = await Promise.all([approveOneMinute(jobOnly), approveOneMinute(flushed)]);
    expect(await jobOnly.bot.queues.expiry.getJob(jobIds.expireAt(g1.endsAt.getTime(), expiryShard(g1.id)))).toBeTruthy();

    const deletedAt = Date.now();
    expect(await deleteBotKeys(flushed)).toBeGreaterThan(0);
    // gone with the keys; if it is there already, the reconciler re-created it after the deletion
    const lost = await flushed.bot.queues.expiry.getJob(jobIds.expireAt(g2.endsAt.getTime(), expiryShard(g2.id)));
    expect(lost === undefined || lost.timestamp >= deletedAt).toBe(true);

    await Promise.all([expectExpired(jobOnly, g1.id), expectExpired(flushed, g2.id)]);
  });
});
