import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewItems } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { testCatalog, USERS } from '../helpers/catalog.js';
import { waitUntil } from '../helpers/signals.js';

let t: TestBot;
const errors: string[] = [];
const token = randomBytes(20).toString('hex');

beforeAll(async () => {
  const catalog = testCatalog();
  catalog.review = { enabled: true, schedule: '0 9 * * 1', timeZone: 'Europe/Berlin', deadlineDays: 5, reminderHoursBefore: 24, channel: 'C0SECURITY' };
  t = await startTestBot({ catalog, config: { metricsToken: token }, logSink: (line) => { if (JSON.parse(line).level >= 50) errors.push(line); } });
  for (const user of ['U0RT1', 'U0RT2']) await t.command(user, 'request campaign-metrics 14d weekly numbers');
  for (const user of ['U0RT1', 'U0RT2']) {
    const [r] = await t.database.db.query.accessRequests.findMany({ where: (a, { eq: e }) => e(a.requesterId, user) });
    await t.click(USERS.owner1, ACTION_IDS.approve, r!.id);
    await t.slack.waitFor(() => t.slack.dmsTo(user).find((c) => c.args.text.includes('is ready')), `ready ${user}`);
  }
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const respondUrl = (userId: string) => `response_url/respond/${userId}`;
async function reply(userId: string, text: string): Promise<string> {
  const before = t.slack.callsTo(respondUrl(userId)).length;
  const res = await t.command(userId, text);
  expect(res.status).toBe(200);
  if (!String(res.body?.text).includes('Working on it')) return JSON.stringify(res.body);
  return JSON.stringify((await t.slack.waitFor(() => t.slack.callsTo(respondUrl(userId))[before], 'late')).args);
}
async function older(userId: string, value: string): Promise<string> {
  const before = t.slack.callsTo(respondUrl(userId)).length;
  const res = await t.click(userId, ACTION_IDS.auditOlder, value);
  expect(res.status).toBe(200);
  return JSON.stringify((await t.slack.waitFor(() => t.slack.callsTo(respondUrl(userId))[before], 'older')).args);
}
async function ephemeral(userId: string, actionId: string, value: string): Promise<string> {
  const before = t.slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === userId).length;
  const res = await t.click(userId, actionId, value);
  expect(res.status).toBe(200);
  return (await t.slack.waitFor(() => t.slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === userId)[before], 'ephemeral')).args.text;
}

/** Crafted input from people inside the workspace: nothing crashes, leaks or is decided by the wrong person; no error is logged. */
describe('crafted input to audit, report, metrics and review buttons', () => {
  it('/access audit: odd mentions and words', async () => {
    for (const text of ['audit <@u0rt1>', 'audit <#C123|general>', 'audit <!here>', 'audit @mia', `audit ${'a'.repeat(65)}`, 'audit campaign-metrics extra', "audit x';drop table audit_events;--"]) {
      expect(await reply(USERS.admin, text), text).toContain('Usage');
    }
    expect(await reply(USERS.admin, `audit ${'b'.repeat(10_000)}`)).toContain('too long');
    expect(await reply(USERS.admin, `audit <@U${'A'.repeat(5000)}>`)).toContain('too long');
    expect(await reply(USERS.owner1, 'audit U0RT1')).toContain('Only access admins');
    const p = await reply(USERS.admin, 'audit U0RT1');
    expect(p).toContain('U0RT1');
    expect(p).not.toContain('U0RT2');
    expect(errors).toEqual([]);
  });

  it('Older: crafted cursors', async () => {
    for (const v of ['', 'x'.repeat(10_000), 'p:U0RT1:-1:2', 'd:campaign-metrics:9999999999999999:1', 'd:campaign-metrics:abc:1', "d:x' or 1=1--:1:1", 'd:CAMPAIGN:1:1', 'p:u0rt1:1:1', 'd:campaign-metrics:1:1:1', 'p:U0RT1:1e5:1', 'p:U0RT1: 1:1', 'p:U0RT1:0:0', 'p:U0RT1:0:3', 'd:campaign-metrics:000000000000001:1']) {
      expect(await older(USERS.admin, v), v).toContain('not valid any more');
    }
    for (const v of ['p:U0RT1:999999999999999:999999', 'd:campaign-metrics:000000000000002:2', 'd:no-such-dataset:5:2']) {
      const r = await older(USERS.admin, v);
      expect(r, v).toContain('Audit trail');
      expect(r, v).not.toContain('U0RT2');
    }
    expect(await older(USERS.marketer, 'p:U0RT1:999999999999999:2')).toContain('Only access admins');
    expect(errors).toEqual([]);
  });

  it('/access report: non-admin and odd args', async () => {
    expect(await reply(USERS.owner1, 'report')).toContain('Only access admins');
    expect(await reply(USERS.stranger, `report ${'z'.repeat(5000)}`)).toContain('too long');
    // extra words are ignored: the admin still gets this week's figures
    expect(await reply(USERS.admin, "report --since 1970-01-01 '; drop")).toContain('Access hygiene');
    expect(errors).toEqual([]);
  });

  it('/metrics tokens and odd methods', async () => {
    const get = (authorization?: string) => fetch(`${t.baseUrl}/metrics`, authorization === undefined ? {} : { headers: { authorization } }).then((r) => r.status);
    for (const a of ['', 'Bearer', 'Bearer ', `Bearer  ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Bearer ${'x'.repeat(4000)}`, `Basic ${token}`, `${token}`]) {
      expect(await get(a), JSON.stringify(a.slice(0, 50))).toBe(401);
    }
    expect(await get(undefined)).toBe(401);
    expect(await get(`Bearer ${token}`)).toBe(200);
    expect(await get(`bearer ${token}`)).toBe(200);
    // surrounding whitespace is not part of a header's value (RFC 9110 OWS): trimmed before the bot sees it
    expect(await get(`Bearer ${token} `)).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const r = await fetch(`${t.baseUrl}/readyz`, { method });
      expect(r.status, method).toBe(405);
      const m = await fetch(`${t.baseUrl}/metrics`, { method });
      expect(m.status, method).toBe(405);
    }
    expect((await fetch(`${t.baseUrl}/readyz`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/metrics`, { method: 'HEAD' })).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/readyz?x=${'y'.repeat(3000)}`)).status).toBe(200);
    expect(errors).toEqual([]);
  });

  it('review Keep/Revoke crafted from the wrong person', async () => {
    expect((await t.command(USERS.admin, 'review start')).body.text).toContain('Access review started');
    const items = await waitUntil(async () => {
      const rows = await t.database.db.select().from(reviewItems);
      return rows.length === 2 ? rows : undefined;
    }, 'items');
    const [a, b] = items as any[];
    const campaignId = a.campaignId;
    // requester deciding others' / own item; owner2 not an owner of campaign-metrics; stranger
    expect(await ephemeral('U0RT1', ACTION_IDS.reviewKeep, a.userId === 'U0RT1' ? a.id : b.id)).toMatch(/own|owner/i);
    expect(await ephemeral('U0RT1', ACTION_IDS.reviewRevoke, a.userId === 'U0RT1' ? b.id : a.id)).toMatch(/owner/i);
    expect(await ephemeral(USERS.owner2, ACTION_IDS.reviewRevoke, a.id)).toMatch(/owner/i);
    expect(await ephemeral(USERS.stranger, ACTION_IDS.reviewRevokeAll, `${campaignId}|campaign-metrics`)).toMatch(/owner/i);
    expect(await ephemeral(USERS.marketer, ACTION_IDS.reviewRevokeAll, `${campaignId}|web-analytics`)).toMatch(/Nothing left/);
    expect(await ephemeral(USERS.owner1, ACTION_IDS.reviewRevokeAll, `${'-'.repeat(36)}|campaign-metrics`)).not.toMatch(/wrong on my side/);
    expect(await ephemeral(USERS.owner1, ACTION_IDS.reviewRevokeAll, `${'a'.repeat(36)}|campaign-metrics`)).not.toMatch(/wrong on my side/);
    expect(await ephemeral(USERS.owner1, ACTION_IDS.reviewKeep, '00000000-0000-0000-0000-000000000000')).not.toMatch(/wrong on my side/);
    expect(await ephemeral(USERS.owner1, ACTION_IDS.reviewKeep, `${a.id}' or 1=1`)).toContain('not valid');
    expect(await ephemeral(USERS.owner1, ACTION_IDS.reviewKeepAll, `${campaignId}|${'c'.repeat(70)}`)).toContain('not valid');
    const after = await t.database.db.select().from(reviewItems);
    expect(after.every((i) => i.decision === null)).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);
});
