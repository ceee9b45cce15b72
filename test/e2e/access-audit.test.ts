import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { auditEvents } from '../../src/shared/db/schema.js';
import { auditButtonValue } from '../../src/slack/blocks/audit.blocks.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot();
  // history through the use cases: on campaign-metrics, seven requests each made and denied (14 events)
  for (let i = 0; i < 7; i++) {
    const r = await createRequest(t.bot.deps, { requesterId: `U0AUD${i}`, datasetId: 'campaign-metrics', duration: '1d', reason: 'audit history test', via: 'command' });
    await decideRequest(t.bot.deps, r.id, USERS.owner1, { kind: 'deny' });
  }
  await createRequest(t.bot.deps, { requesterId: USERS.marketer, datasetId: 'crm-contacts', duration: '1d', reason: 'audit history of a person', via: 'command' });
});
afterAll(async () => {
  await t?.stop();
});

const respondUrl = (userId: string) => `response_url/respond/${userId}`;

/** The command's answer: in the acknowledgement, or (when it took longer than the ack budget) through response_url. */
async function commandReply(userId: string, text: string): Promise<any> {
  const before = t.slack.callsTo(respondUrl(userId)).length;
  const res = await t.command(userId, text);
  expect(res.status).toBe(200);
  if (!String(res.body?.text).includes('Working on it')) return res.body;
  return (await t.slack.waitFor(() => t.slack.callsTo(respondUrl(userId))[before], 'late answer')).args;
}

async function click(userId: string, value: string): Promise<any> {
  const before = t.slack.callsTo(respondUrl(userId)).length;
  const res = await t.click(userId, ACTION_IDS.auditOlder, value);
  expect(res.status).toBe(200);
  return (await t.slack.waitFor(() => t.slack.callsTo(respondUrl(userId))[before], 'answer to Older')).args;
}

const viewedBy = (actorId: string) =>
  t.database.db.select().from(auditEvents).where(and(eq(auditEvents.actorId, actorId), eq(auditEvents.action, 'audit.viewed'))).orderBy(auditEvents.seq);
const olderButton = (reply: any) => reply.blocks?.find((b: any) => b.type === 'actions')?.elements.find((e: any) => e.action_id === ACTION_IDS.auditOlder);

describe('/access audit', () => {
  it('an admin pages through a dataset\'s history, newest first, and each reading is audited', async () => {
    const page1 = await commandReply(USERS.admin, 'audit campaign-metrics');
    expect(page1.response_type).toBe('ephemeral');
    const text1 = JSON.stringify(page1.blocks);
    expect(text1).toContain('Audit trail of `campaign-metrics`');
    expect(text1).toContain('page 1');
    expect(text1).toContain('denied the request');
    expect(text1).toContain('<@U0AUD6>');
    expect(page1.blocks.length).toBeLessThanOrEqual(50);
    for (const b of page1.blocks) if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
    const button = olderButton(page1);
    expect(button).toBeTruthy();

    const page2 = await click(USERS.admin, button.value);
    expect(page2.replace_original).toBe(true);
    const text2 = JSON.stringify(page2.blocks);
    expect(text2).toContain('page 2');
    // the oldest events are on page 2, the newest on page 1 only
    expect(text2).toContain('<@U0AUD0>');
    expect(text2).not.toContain('<@U0AUD6>');
    expect(olderButton(page2)).toBeUndefined();

    // other tests in this file (shuffled) may have the same admin read other histories
    const viewed = (await viewedBy(USERS.admin)).filter((e) => e.subjectId === 'campaign-metrics');
    expect(viewed.map((e) => ({ subjectType: e.subjectType, subjectId: e.subjectId, page: e.details.page }))).toEqual([
      { subjectType: 'dataset', subjectId: 'campaign-metrics', page: 1 },
      { subjectType: 'dataset', subjectId: 'campaign-metrics', page: 2 },
    ]);
    expect(viewed[1]!.details.before).toBe(Number(button.value.split(':')[2]));
  });

  it('reads a person\'s history from a mention as Slack sends it', async () => {
    const reply = await commandReply(USERS.admin, `audit <@${USERS.marketer}|mia>`);
    const text = JSON.stringify(reply.blocks);
    expect(text).toContain(`Audit trail of <@${USERS.marketer}>`);
    expect(text).toContain('asked for access');
    expect(text).toContain('`crm-contacts`');
    expect((await viewedBy(USERS.admin)).some((e) => e.subjectType === 'person' && e.subjectId === USERS.marketer)).toBe(true);
  });

  it('refuses anyone who is not an admin, also through a crafted Older button, and records no reading', async () => {
    const reply = await commandReply(USERS.owner1, 'audit campaign-metrics');
    expect(reply.text).toContain('Only access admins can read the audit trail.');
    expect(reply.blocks ?? []).toHaveLength(0);
    const crafted = await click(USERS.owner1, auditButtonValue({ subject: { datasetId: 'campaign-metrics' }, before: 999_999, page: 2 }));
    expect(crafted.text).toContain('Only access admins can read the audit trail.');
    expect(crafted.replace_original).toBe(false);
    const bogus = await click(USERS.admin, 'p:<@U0X>:1:2');
    expect(bogus.text).toContain('not valid');
    expect(await viewedBy(USERS.owner1)).toEqual([]);
  });

  it('explains its usage, and is in /access help', async () => {
    const usage = await t.command(USERS.admin, 'audit');
    expect(usage.body.text).toContain('/access audit @person');
    const help = await t.command(USERS.marketer, 'help');
    expect(help.body.text).toContain('/access audit @person');
  });
});
