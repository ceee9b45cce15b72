import { createServer, type Server } from 'node:http';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../../src/bot.js';
import type { Catalog, Dataset } from '../../src/catalog/catalog.js';
import { webhookSignature, WEBHOOK_HEADERS } from '../../src/provisioners/webhook.js';
import { accessRequests, auditEvents, grants } from '../../src/shared/db/schema.js';
import { createLogger } from '../../src/shared/logger.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, testConfig, type TestBot } from '../helpers/bot.js';
import { makeDataset, USERS } from '../helpers/catalog.js';
import { OffsetClock, Warehouse } from '../helpers/warehouse.js';

/** Access ends for exactly who was given it, and only a person's own login is ever given it. */
const SECRET = 'whsec-targets-secret';
const DAY = 24 * 3600_000;
const warehouse = Warehouse.fromEnv();
let clock = new OffsetClock();
let catalog: Catalog;
const hooks: Array<{ path: string; body: any; verified: boolean }> = [];
let hookServer: Server;
let hookUrl = '';
let t: TestBot;
let replica: RunningBot | undefined;

function dataset(id: string, provisioner: Dataset['provisioner']): Dataset {
  return makeDataset({ id, name: id, maxDurationMinutes: 7 * 24 * 60, defaultDurationMinutes: 24 * 60, provisioner });
}

beforeAll(async () => {
  await warehouse.setUp();
  hookServer = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const ts = Number(req.headers[WEBHOOK_HEADERS.timestamp]);
      const key = String(req.headers[WEBHOOK_HEADERS.idempotencyKey]);
      hooks.push({ path: req.url!, body: JSON.parse(raw || '{}'), verified: req.headers[WEBHOOK_HEADERS.signature] === webhookSignature(SECRET, ts, key, raw) });
      // /moved sends callers to a sign-in page that answers 200, as a misconfigured proxy would
      if (req.url === '/moved') res.writeHead(302, { location: '/signin' }).end();
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as { port: number }).port}`;
  const p = warehouse.prefix;
  catalog = {
    admins: [USERS.admin],
    datasets: [
      dataset('crm', { type: 'postgres', connection_env: 'WAREHOUSE_URL', role: warehouse.datasetRole, login_role_template: `${p}_{email_local}`, email_domains: ['acme.test'] }),
      dataset('metrics', { type: 'webhook', url: `${hookUrl}/hook`, secret_env: 'HOOK_SECRET' }),
      dataset('moved', { type: 'webhook', url: `${hookUrl}/moved`, secret_env: 'HOOK_SECRET' }),
    ],
  };
});

// each test has its own bot, database, queues and clock (the warehouse and webhook receiver are shared)
beforeEach(async () => {
  clock = new OffsetClock();
  t = await startTestBot({ catalog, clock, env: { WAREHOUSE_URL: warehouse.adminUrl, HOOK_SECRET: SECRET } });
});

afterEach(async () => {
  if (replica) {
    await replica.stop();
    await t?.slack.stop();
    await t?.database.destroy();
    replica = undefined;
  } else await t?.stop();
});

afterAll(async () => {
  hookServer?.close();
  await warehouse.tearDown();
});

async function requestAndApprove(userId: string, datasetId: string) {
  await t.command(userId, `request ${datasetId} 1d testing`);
  const [request] = await t.database.db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, userId), eq(accessRequests.datasetId, datasetId), eq(accessRequests.status, 'pending')));
  await t.click(USERS.owner1, ACTION_IDS.approve, request!.id);
  return request!.id;
}

async function waitForGrant(requestId: string, done: (g: typeof grants.$inferSelect) => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, requestId));
    if (g && done(g)) return g;
    if (Date.now() > deadline) throw new Error(`grant stayed ${g?.status} (${g?.lastError}): expected ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The owner's "could not be set up" DM for a person, with what went wrong. */
const failureDm = (userId: string) => () =>
  t.slack.dmsTo(USERS.owner1).find((c) => c.args.text.includes('could not be set up') && JSON.stringify(c.args.blocks).includes(`<@${userId}>`));

describe('refusing logins that are not the person’s own', () => {
  it('a login two Slack users would share, one at another email domain, or a role nobody logs in as, is never granted', async () => {
    const p = warehouse.prefix;
    t.slack.users.set('U0OBRIEN1', { email: "o'brien@acme.test" });
    t.slack.users.set('U0OBRIEN2', { email: 'o.brien@acme.test' });
    t.slack.users.set('U0MIAEXT', { email: 'mia@partner.example' });
    t.slack.users.set('U0MIA', { email: 'mia@acme.test' });
    t.slack.users.set('U0TEAM', { email: 'team@acme.test' });
    // they joined after the bot's walk of the directory: Slack tells it so
    for (const id of ['U0OBRIEN1', 'U0OBRIEN2', 'U0MIAEXT', 'U0MIA', 'U0TEAM']) {
      const email = t.slack.users.get(id)!.email;
      await t.event({ type: 'team_join', user: { id, deleted: false, is_bot: false, tz: 'UTC', profile: { email } } });
    }
    await t.bot.settled();
    await warehouse.createLogin(`${p}_o_brien`);
    await warehouse.createLogin(`${p}_mia`);
    await warehouse.createRole(`${p}_team`, 'nologin'); // a group role: granting it reaches all its members

    const shared = await requestAndApprove('U0OBRIEN1', 'crm');
    const partner = await requestAndApprove('U0MIAEXT', 'crm');
    const group = await requestAndApprove('U0TEAM', 'crm');
    for (const id of [shared, partner, group]) await waitForGrant(id, (g) => g.status === 'failed', 'failed');

    const said = async (userId: string) => JSON.stringify((await t.slack.waitFor(failureDm(userId), `failure DM about ${userId}`)).args.blocks);
    expect(await said('U0OBRIEN1')).toContain(`the warehouse login ${p}_o_brien would be shared by U0OBRIEN1 and U0OBRIEN2, so it was not granted; an admin names each person's login under people: in the catalog`);
    expect(await said('U0MIAEXT')).toContain("is not at one of the dataset's email_domains");
    expect(await said('U0TEAM')).toContain(`${p}_team is not a LOGIN role`);
    for (const role of [`${p}_o_brien`, `${p}_mia`, `${p}_team`]) expect(await warehouse.hasRole(role)).toBe(false);
  });
});

describe('webhook redirects', () => {
  it('are not success: the sign-in page behind them is never reached and the grant never becomes active', async () => {
    const requestId = await requestAndApprove(USERS.marketer2, 'moved');
    await t.slack.waitFor(failureDm(USERS.marketer2), 'failure DM', 20_000);
    const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, requestId));
    expect(g!.status).not.toBe('active');
    expect(hooks.filter((h) => h.path === '/moved').length).toBeGreaterThanOrEqual(3);
    expect(hooks.filter((h) => h.path === '/signin')).toEqual([]);
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, g!.id));
    expect(JSON.stringify(audit)).toContain('webhook answered with a redirect (HTTP 302)');
  });
});

describe('a revoke after the person changed their Slack email', () => {
  it('takes access from the login and email it was granted to, and checks the membership is gone', async () => {
    const p = warehouse.prefix;
    const login = `${p}_u0mkt1`;
    await warehouse.createLogin(login);
    const pg = await requestAndApprove(USERS.marketer, 'crm');
    const hook = await requestAndApprove(USERS.marketer, 'metrics');
    for (const id of [pg, hook]) await waitForGrant(id, (g) => g.status === 'active', 'active');
    expect(await warehouse.canSelect(login)).toBe(true);
    // a warehouse admin also gives the login the role through a team role, which REVOKE leaves
    await warehouse.createRole(`${p}_analysts`, 'nologin');
    await warehouse.grantRole(warehouse.datasetRole, `${p}_analysts`);
    await warehouse.grantRole(`${p}_analysts`, login);

    // members may change their email; a restarted bot has no cached profile
    t.slack.users.set(USERS.marketer, { tz: 'Europe/Berlin', email: 'mia.new@acme.test' });
    await warehouse.createLogin(`${p}_mia_new`);
    replica = await startBot(testConfig(t.slack, { queuePrefix: t.bot.queues.expiry.opts.prefix }), {
      database: t.database,
      catalog: t.bot.deps.catalog,
      clock,
      env: { WAREHOUSE_URL: warehouse.adminUrl, HOOK_SECRET: SECRET },
      logger: createLogger('silent'),
    });
    await t.bot.stop();

    clock.advance(DAY + 60_000);
    await waitForGrant(hook, (g) => g.status === 'expired', 'expired');
    const revoke = hooks.find((h) => h.path === '/hook' && h.body.event === 'revoke');
    expect(revoke).toMatchObject({ verified: true, body: { user: { slack_id: USERS.marketer, email: 'u0mkt1@acme.test' } } });

    // the bot's own grant is gone, but the login still reads the data: not ended, owners alerted
    const stuck = await waitForGrant(pg, (g) => g.status === 'revoking' && !!g.alertedAt, 'stuck revoke');
    expect(stuck.lastError).toContain(`${login} still holds ${warehouse.datasetRole} after REVOKE`);
    expect(await warehouse.canSelect(login)).toBe(true);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.admin).find((c) => c.args.text.includes('keeps failing')), 'stuck-revoke alert');

    await warehouse.revokeRole(`${p}_analysts`, login);
    await waitForGrant(pg, (g) => g.status === 'expired', 'expired', 30_000);
    expect(await warehouse.hasRole(login)).toBe(false);
    expect(await warehouse.canSelect(login)).toBe(false);
    expect(await warehouse.hasRole(`${p}_mia_new`)).toBe(false);
  });
});
