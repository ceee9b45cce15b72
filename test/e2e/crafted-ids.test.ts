import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';

// 36 characters of hex digits and dashes, so loose `[0-9a-f-]{36}` checks pass, yet not a UUID
const NOT_A_UUID = '------------------------------------';
const SOMETHING_WRONG = 'Something went wrong';

let t: TestBot;
let logs = '';
beforeAll(async () => {
  t = await startTestBot({ logSink: (line) => (logs += line) });
});
afterAll(async () => {
  await t?.stop();
});

/** The private answers a person got, in order. */
function answersTo(userId: string): string[] {
  return t.slack.calls.filter((c) => (c.method === 'chat.postEphemeral' && c.args.user === userId) || (c.method === 'chat.postMessage' && c.args.channel === `D${userId}`)).map((c) => String(c.args.text));
}

describe('buttons and forms naming an id that is not one', () => {
  it.each([
    [ACTION_IDS.cancelRequest, NOT_A_UUID, 'U0MKT1'],
    [ACTION_IDS.releaseGrant, NOT_A_UUID, 'U0MKT1'],
    [ACTION_IDS.extendGrant, NOT_A_UUID, 'U0MKT1'],
    [ACTION_IDS.taskDone, `grant|${NOT_A_UUID}`, 'U0OWNER1'],
    [ACTION_IDS.reviewKeepAll, `${NOT_A_UUID}|crm-contacts`, 'U0OWNER1'],
  ])('%s with %s gets a plain answer, not an apology and an error log', async (actionId, value, userId) => {
    const before = answersTo(userId).length;
    const logged = logs.length;
    expect((await t.click(userId, actionId, value)).status).toBe(200);
    const answer = await t.slack.waitFor(() => answersTo(userId)[before], `an answer to ${actionId}`);
    expect(answer).not.toContain(SOMETHING_WRONG);
    expect(logs.slice(logged)).not.toContain('"level":50');
  });

  it('the extension form with such an id is answered on the form, in time', async () => {
    const logged = logs.length;
    const res = await t.submitView({
      userId: USERS.marketer,
      callbackId: CALLBACK_IDS.extendForm,
      privateMetadata: NOT_A_UUID,
      values: { [BLOCK_IDS.extendDuration]: { [ACTION_IDS.extendDuration]: { type: 'plain_text_input', value: '1d' } } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_action: 'errors' });
    expect(logs.slice(logged)).not.toContain('"level":50');
  });
});
