import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accessRequests } from '../../src/shared/db/schema.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { FakeSlack } from '../helpers/fake-slack.js';

// Slack profiles come from users.list walks and user_change / team_join events, so that a request
// for sensitive data needs no users.info call while Slack waits for its acknowledgement.

/** The user object Slack puts in user_change and team_join events (the fields the bot reads, and a few it does not). */
function slackUser(id: string, p: { deleted?: boolean; guest?: boolean; email?: string } = {}) {
  return {
    id,
    team_id: 'T0TEAM',
    name: id.toLowerCase(),
    real_name: id,
    deleted: !!p.deleted,
    tz: 'Europe/Berlin',
    is_bot: false,
    is_app_user: false,
    is_restricted: !!p.guest,
    is_ultra_restricted: false,
    profile: { email: p.email ?? `${id.toLowerCase()}@acme.test`, display_name: id },
  };
}

async function sendEvent(t: TestBot, event: Record<string, unknown>) {
  expect((await t.event(event)).status).toBe(200);
  await t.bot.settled();
}

const requestsOf = (t: TestBot, userId: string) => t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, userId));
const infoLookups = (t: TestBot) => t.slack.callsTo('users.info').length;

describe('a warmed people directory', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({
      slackUsers: { U0DEPARTING: { tz: 'UTC', email: 'departing@acme.test' }, U0REQUESTER: { tz: 'UTC', email: 'requester@acme.test' } },
    });
  });
  afterAll(() => t?.stop());

  it('walked users.list at start-up, so a sensitive request asks Slack nothing about the requester or the owners', async () => {
    expect(t.slack.callsTo('users.list').length).toBeGreaterThan(0);
    // no owner or admin: the start-up checks did not look them up
    const requester = 'U0REQUESTER';
    const before = infoLookups(t);
    const res = await t.command(requester, 'request crm-contacts 2d churn analysis for Q1');
    expect(res.status).toBe(200);
    expect(await requestsOf(t, requester)).toMatchObject([{ datasetId: 'crm-contacts', status: 'pending' }]);
    // the owners are told (their time zones come from the directory too)
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks ?? '').includes('crm-contacts')), 'owner DM');
    await t.bot.settled();
    expect(infoLookups(t)).toBe(before);
    expect(t.slack.callsTo('users.info').filter((c) => c.args.user === requester)).toHaveLength(0);
  });

  it('a user_change making the requester a guest refuses their next sensitive request at once', async () => {
    // Slack's users.info would still say "member": only the event can refuse
    await sendEvent(t, { type: 'user_change', user: slackUser(USERS.marketer2, { guest: true }) });
    const before = infoLookups(t);
    const res = await t.command(USERS.marketer2, 'request crm-contacts 2d churn analysis for Q1');
    expect(res.body.text).toContain('Guest accounts cannot');
    expect(await requestsOf(t, USERS.marketer2)).toHaveLength(0);
    expect(infoLookups(t)).toBe(before);
    // a dataset that is not sensitive stays open to guests
    const open = await t.command(USERS.marketer2, 'request campaign-metrics 2d spring numbers');
    expect(open.body.text ?? JSON.stringify(open.body)).not.toContain('Guest accounts cannot');
  });

  it('a user_change deactivating someone refuses their next sensitive request at once', async () => {
    await sendEvent(t, { type: 'user_change', user: slackUser('U0DEPARTING', { deleted: true }) });
    const res = await t.command('U0DEPARTING', 'request crm-contacts 2d churn analysis for Q1');
    expect(res.body.text).toContain('This account is deactivated');
    expect(await requestsOf(t, 'U0DEPARTING')).toHaveLength(0);
    expect(t.slack.callsTo('users.info').filter((c) => c.args.user === 'U0DEPARTING')).toHaveLength(0);
  });

  it('someone who joins after the walk (team_join) is listed at once, and may request', async () => {
    const joiner = 'U0JOINER';
    t.slack.users.set(joiner, { tz: 'Europe/Berlin', email: 'joiner@acme.test' });
    await sendEvent(t, { type: 'team_join', user: slackUser(joiner) });
    expect((await t.bot.deps.people.everyone()).map((p) => p.id)).toContain(joiner);
    const res = await t.command(joiner, 'request crm-contacts 2d churn analysis for Q1');
    expect(res.status).toBe(200);
    expect(await requestsOf(t, joiner)).toMatchObject([{ datasetId: 'crm-contacts', status: 'pending' }]);
  });

  it('a late "member" event (a retry, or out of order) never undoes a newer guest standing', async () => {
    const late = 'U0LATEEVENT';
    t.slack.users.set(late, { tz: 'Europe/Berlin', email: 'late@acme.test', guest: true });
    await sendEvent(t, { type: 'user_change', user: slackUser(late, { guest: true }) });
    // Slack retries an older event that still said "member"
    await sendEvent(t, { type: 'user_change', user: slackUser(late) });
    const res = await t.command(late, 'request crm-contacts 2d churn analysis for Q1');
    expect(res.body.text).toContain('Guest accounts cannot');
    expect(await requestsOf(t, late)).toHaveLength(0);
    // the "member" event only dropped what was known: Slack was asked again
    expect(t.slack.callsTo('users.info').filter((c) => c.args.user === late).length).toBeGreaterThan(0);
  });
});

describe('a people directory whose walk fails', () => {
  it('logs the failure without tokens or profiles, and lookups ask users.info as before', async () => {
    const slack = await new FakeSlack().start();
    // a failure a walk does not wait out (a 429 it does, on a client of its own: test/integration/slack-users.test.ts)
    slack.failNext('users.list', { status: 200, error: 'internal_error' });
    const lines: string[] = [];
    const t = await startTestBot({ slack, logSink: (line) => lines.push(line), slackUsers: { U0FRESH: { tz: 'UTC', email: 'fresh@acme.test' } } });
    try {
      const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg?.includes('could not walk the Slack directory'));
      expect(failed).toMatchObject({ level: 40, error: 'internal_error' });
      expect(lines.join('\n')).not.toContain('xoxb-fake');
      expect(lines.join('\n')).not.toContain('@acme.test');

      // someone the start-up checks did not look up (they are no owner or admin)
      expect(t.slack.callsTo('users.info').filter((c) => c.args.user === 'U0FRESH')).toHaveLength(0);
      const res = await t.command('U0FRESH', 'request crm-contacts 2d churn analysis for Q1');
      expect(res.status).toBe(200);
      expect(await requestsOf(t, 'U0FRESH')).toMatchObject([{ datasetId: 'crm-contacts', status: 'pending' }]);
      expect(t.slack.callsTo('users.info').filter((c) => c.args.user === 'U0FRESH')).toHaveLength(1);
    } finally {
      await t.stop();
      await slack.stop();
    }
  });
});
