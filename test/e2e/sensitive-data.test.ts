import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sensitiveDataNudges } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { testCatalog, USERS } from '../helpers/catalog.js';
import { blockActionPayload, eventBody, interactionBody, postSigned } from '../helpers/slack-requests.js';
import { outboxDrained } from '../helpers/signals.js';

const CARD = '4111 1111 1111 1111';
let t: TestBot;
let logs = '';

// each test has its own bot (or use cases), database, queues and clock
beforeEach(async () => {
  logs = '';
  const catalog = testCatalog();
  catalog.sensitiveData = { enabled: true, excludeChannels: ['C0EXCLUDED'], alertChannel: 'C0SECURITY', maxNudgesPerHour: 1 };
  t = await startTestBot({ catalog, logSink: (line) => (logs += line) });
});
afterEach(async () => {
  await t?.stop();
});

let tsCounter = 1_700_000_000;
async function post(userId: string, text: string, extra: Record<string, unknown> = {}) {
  const ts = `${tsCounter++}.000100`;
  const res = await postSigned(
    `${t.baseUrl}/slack/events`,
    eventBody({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: userId, text, ts, event_ts: ts, ...extra }),
    'application/json',
  );
  expect(res.status).toBe(200);
  return ts;
}

const coaching = (userId: string) => t.slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === userId && c.args.text.includes('quick note'));

async function settle() {
  // a clean message leaves no trace to wait for: wait until the bot has finished checking it
  await t.bot.settled();
  await outboxDrained(t);
}

describe('sensitive data posted in Slack', () => {
  it('coaches the poster privately about a card number, and stores nothing of the content', async () => {
    const ts = await post(USERS.marketer, `customer paid with ${CARD}, can you check?`);
    const nudge = await t.slack.waitFor(() => coaching(USERS.marketer)[0], 'coaching ephemeral');
    expect(nudge.args.channel).toBe('C0GENERAL');
    const text = JSON.stringify(nudge.args.blocks);
    expect(text).toContain('payment card number');
    expect(text).toContain(`p${ts.replace('.', '')}`);
    expect(text).not.toContain('4111');
    expect(text).toContain(ACTION_IDS.nudgeFixed);

    const alert = await t.slack.waitFor(() => t.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0SECURITY'), 'security alert');
    expect(JSON.stringify(alert.args)).not.toContain('4111');

    const rows = await t.database.db.select().from(sensitiveDataNudges);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: USERS.marketer, channelId: 'C0GENERAL', messageTs: ts, detectors: ['payment_card'], nudged: true });
    expect(JSON.stringify(rows)).not.toContain('4111');
    expect(logs).toContain('sensitive data seen'); // the log is being captured
    expect(logs).not.toContain('4111');
    expect(logs).not.toContain('customer paid');
  });

  it('rate-limits repeated nudges to the same person (recorded, not messaged)', async () => {
    await post(USERS.marketer, `customer paid with ${CARD}, can you check?`);
    await t.slack.waitFor(() => coaching(USERS.marketer)[0], 'first coaching');
    await post(USERS.marketer, 'and this one: 5500 0000 0000 0004');
    for (let i = 0; i < 50 && (await t.database.db.select().from(sensitiveDataNudges)).length < 2; i++) await settle();
    const rows = await t.database.db.select().from(sensitiveDataNudges);
    expect(rows.map((r) => r.nudged)).toEqual([true, false]);
    await settle();
    expect(coaching(USERS.marketer)).toHaveLength(1);
  });

  it('catches bulk emails, SSNs, IBANs and customer export files; ignores ordinary messages', async () => {
    await post(USERS.marketer2, 'Q1 numbers: 1234 visits, ticket 4111-2222, meeting 2026-03-02 10:30, call me at 555-0100');
    await post('U0SSN', 'her SSN is 123-45-6789');
    await post('U0MAILS', 'a@x.io b@x.io c@x.io d@x.io e@x.io');
    await post('U0IBAN', 'pay DE89 3704 0044 0532 0130 00');
    await post('U0FILE', 'here you go', { subtype: 'file_share', files: [{ name: 'crm_contacts_export.csv', filetype: 'csv' }] });
    await post('U0CHART', 'chart', { subtype: 'file_share', files: [{ name: 'q1-chart.png', filetype: 'png' }] });
    for (const user of ['U0SSN', 'U0MAILS', 'U0IBAN', 'U0FILE']) await t.slack.waitFor(() => coaching(user)[0], `coaching ${user}`);
    await settle();
    expect(coaching(USERS.marketer2)).toHaveLength(0);
    expect(coaching('U0CHART')).toHaveLength(0);
    const detectors = (await t.database.db.select().from(sensitiveDataNudges)).map((r) => `${r.userId}:${r.detectors.join(',')}`);
    expect(detectors).toEqual(expect.arrayContaining(['U0SSN:us_ssn', 'U0MAILS:bulk_emails', 'U0IBAN:iban', 'U0FILE:customer_export_file']));
  });

  it('handles a retried event (same message) once', async () => {
    const body = eventBody({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: 'U0RETRY', text: `card ${CARD}`, ts: '1700009999.000100', event_ts: '1700009999.000100' });
    await postSigned(`${t.baseUrl}/slack/events`, body, 'application/json');
    await postSigned(`${t.baseUrl}/slack/events`, body, 'application/json');
    await t.slack.waitFor(() => coaching('U0RETRY')[0], 'coaching');
    await settle();
    expect(coaching('U0RETRY')).toHaveLength(1);
    expect((await t.database.db.select().from(sensitiveDataNudges)).filter((r) => r.userId === 'U0RETRY')).toHaveLength(1);
  });

  it('skips excluded channels and bots', async () => {
    const before = (await t.database.db.select().from(sensitiveDataNudges)).length;
    await postSigned(
      `${t.baseUrl}/slack/events`,
      eventBody({ type: 'message', channel: 'C0EXCLUDED', channel_type: 'channel', user: 'U0X', text: CARD, ts: '1.1', event_ts: '1.1' }),
      'application/json',
    );
    await post('U0Y', CARD, { bot_id: 'B0OTHER' });
    await settle();
    expect((await t.database.db.select().from(sensitiveDataNudges)).length).toBe(before);
  });

  it('“I’ve fixed it” records the fix and replaces the note', async () => {
    await post('U0SSN', 'her SSN is 123-45-6789');
    const nudge = await t.slack.waitFor(() => coaching('U0SSN')[0], 'coaching U0SSN');
    const value = nudge.args.blocks.find((b: any) => b.type === 'actions').elements[0].value;
    const payload = blockActionPayload({ userId: 'U0SSN', actionId: ACTION_IDS.nudgeFixed, value, channelId: 'C0GENERAL', messageTs: '1.0', responseUrl: `${t.slack.url}/respond/fix` });
    await postSigned(`${t.baseUrl}/slack/events`, interactionBody(payload), 'application/x-www-form-urlencoded');
    const reply = await t.slack.waitFor(() => t.slack.calls.find((c) => c.method === 'response_url/respond/fix'), 'replaced note');
    expect(reply.args.replace_original).toBe(true);
    const rows = await t.database.db.select().from(sensitiveDataNudges);
    expect(rows.find((r) => r.userId === 'U0SSN')!.fixedAt).not.toBeNull();
  });
});
