import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grants } from '../../src/modules/grants/grants.table.js';
import { accessRequests } from '../../src/modules/requests/requests.table.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t?.stop();
});

describe('the extension form', () => {
  it("closes within Slack's 3 seconds when Slack is slow to say who people are, and still sends the extension request", async () => {
    // a second replica started before this person joined: it has never asked Slack about them
    const later = await startTestBot({ replicaOf: t });
    const person = 'U0NEWHIRE';
    t.slack.users.set(person, { tz: 'Europe/Berlin', email: 'newhire@acme.test' });
    // an active grant of crm-contacts (restricted, no self-extension: an extension is approved like a request)
    await t.command(person, 'request crm-contacts 1d segment sizing for spring');
    const [request] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, person));
    await t.click(USERS.owner1, ACTION_IDS.approve, request!.id);
    await t.slack.waitFor(() => t.slack.dmsTo(person).find((c) => String(c.args.text).includes('ready')), 'access ready');
    const [active] = await t.database.db.select().from(grants).where(eq(grants.userId, person));
    expect(active!.status).toBe('active');

    // the extension goes to the replica, and Slack is slow to answer who the person is
    t.slack.delay('users.info', 3_500);
    try {
      const started = Date.now();
      const res = await fetchForm(later, active!.id);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(res.status).toBe(200);
      await t.slack.waitFor(() => t.slack.dmsTo(person).find((c) => String(c.args.text).includes('extension request')), 'the extension request confirmed', 15_000);
      const extension = (await t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, person))).find((r) => r.kind === 'extension');
      expect(extension).toMatchObject({ status: 'pending', grantId: active!.id });
    } finally {
      t.slack.delay('users.info', 0);
      await later.stop();
    }
  });
});

function fetchForm(bot: TestBot, grantId: string) {
  return bot.submitView({
    userId: 'U0NEWHIRE',
    callbackId: CALLBACK_IDS.extendForm,
    privateMetadata: grantId,
    values: {
      [BLOCK_IDS.extendDuration]: { [ACTION_IDS.extendDuration]: { type: 'plain_text_input', value: '2d' } },
      [BLOCK_IDS.extendReason]: { [ACTION_IDS.extendReason]: { type: 'plain_text_input', value: 'the campaign runs longer' } },
    },
  });
}
