import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { eventBody, postSigned } from '../helpers/slack-requests.js';

// distinctive, so any copy of it in a log line is found
const REASON = 'zebra-quartz-7731 campaign reason';
const MESSAGE = 'okapi-lantern-4410 message text';
let t: TestBot;
let logs = '';

beforeAll(async () => {
  t = await startTestBot({ logSink: (line) => (logs += line) }); // the sink logs at debug level
  // every insert of a request now fails, as a full disk or a bad migration would make it
  await t.database.db.execute(sql.raw(`alter table access_requests add constraint test_refuses_requests check (false) not valid`));
});
afterAll(async () => {
  await t?.stop();
});

describe('what reaches the logs at LOG_LEVEL=debug', () => {
  it('a failed insert is logged by its constraint, never with the typed reason', async () => {
    const res = await t.command(USERS.marketer, `request crm-contacts 3d ${REASON}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('Something went wrong');
    await t.slack.waitFor(() => (logs.includes('unexpected error') ? true : undefined), 'the failure logged');
    expect(logs).not.toContain('zebra-quartz');
    expect(logs).toContain('test_refuses_requests'); // logged by constraint name
    expect(logs).toContain('23514'); // and SQLSTATE
  });

  it("Bolt's and the Slack client's debug lines never hold a request's or a message's content", async () => {
    const ts = '1700000000.000200';
    const res = await postSigned(
      `${t.baseUrl}/slack/events`,
      eventBody({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: USERS.marketer, text: MESSAGE, ts, event_ts: ts }),
      'application/json',
    );
    expect(res.status).toBe(200);
    // the Slack client's debug lines appear (so the debug stream is captured)
    await t.slack.waitFor(() => (logs.includes('"module":"bolt"') ? true : undefined), 'a Bolt debug line');
    await t.command(USERS.marketer2, `request crm-contacts 3d ${REASON}`);
    expect(logs).not.toContain('okapi-lantern');
    expect(logs).not.toContain('zebra-quartz');
    for (const line of logs.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('a signed body that is not JSON is logged as malformed, without the excerpt the parser quotes', async () => {
    const before = logs.length;
    // JSON.parse quotes the first ten characters of what it could not read
    const res = await postSigned(`${t.baseUrl}/slack/events`, 'okapi-lantern-4410 was typed here', 'application/json');
    expect(res.status).toBe(400);
    await t.slack.waitFor(() => (logs.slice(before).includes('Malformed request body') ? true : undefined), 'the malformed body logged');
    expect(logs).not.toContain('okapi-lan');
  });
});
