import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import type { Catalog, Dataset } from '../../src/catalog/catalog.js';
import { webhookSignature, WEBHOOK_HEADERS } from '../../src/provisioners/webhook.js';
import { accessRequests, auditEvents, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { makeDataset, USERS } from '../helpers/catalog.js';
import { OffsetClock, ToggleProxy, Warehouse } from '../helpers/warehouse.js';
import { jobRuns } from '../helpers/signals.js';

const WEBHOOK_SECRET = 'whsec-test-secret';
const DAY = 24 * 3600_000;

/** A receiver of the bot's webhook that verifies signatures and fails the first `failFirst` calls. */
class WebhookReceiver {
  readonly received: Array<{ body: any; idempotencyKey: string; verified: boolean; status: number }> = [];
  failFirst = 0;
  private server?: Server;
  url = '';
  async start() {
    this.server = createServer(async (req, res) => {
      const raw = await readBody(req);
      const ts = Number(req.headers[WEBHOOK_HEADERS.timestamp]);
      const key = String(req.headers[WEBHOOK_HEADERS.idempotencyKey]);
      const verified = req.headers[WEBHOOK_HEADERS.signature] === webhookSignature(WEBHOOK_SECRET, ts, key, raw) && Math.abs(Date.now() / 1000 - ts) < 300;
      const status = !verified ? 401 : this.failFirst-- > 0 ? 500 : 200;
      this.received.push({ body: JSON.parse(raw), idempotencyKey: key, verified, status });
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hooks/access`;
  }
  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
}

const warehouse = Warehouse.fromEnv();
const proxy = new ToggleProxy('127.0.0.1', Number(new URL(process.env.TEST_DATABASE_URL!).port || 5432));
const receiver = new WebhookReceiver();
const clock = new OffsetClock();
let t: TestBot;

function dataset(id: string, provisioner: Dataset['provisioner']): Dataset {
  return makeDataset({ id, name: id.replace(/-/g, ' '), maxDurationMinutes: 7 * 24 * 60, defaultDurationMinutes: 24 * 60, provisioner });
}

beforeAll(async () => {
  await warehouse.setUp();
  await proxy.up();
  await receiver.start();
  // the marketer's login comes from the template; marketer2's from a per-person override
  await warehouse.createLogin(`${warehouse.prefix}_u0mkt1`);
  await warehouse.createLogin(`${warehouse.prefix}_mia`);
  const catalog: Catalog = {
    admins: [USERS.admin],
    people: { [USERS.marketer2]: { postgresRole: `${warehouse.prefix}_mia` } },
    datasets: [
      dataset('crm-contacts', {
        type: 'postgres',
        connection_env: 'WAREHOUSE_URL',
        role: warehouse.datasetRole,
        login_role_template: `${warehouse.prefix}_{email_local}`,
        email_domains: ['acme.test'],
      }),
      dataset('campaign-metrics', { type: 'webhook', url: receiver.url, secret_env: 'ACCESS_WEBHOOK_SECRET' }),
      dataset('ga4-export', { type: 'manual' }),
    ],
  };
  t = await startTestBot({
    catalog,
    clock,
    env: { WAREHOUSE_URL: warehouse.urlFor(warehouse.dbName, undefined, proxy.port), ACCESS_WEBHOOK_SECRET: WEBHOOK_SECRET },
  });
});

afterAll(async () => {
  await t?.stop();
  await receiver.stop();
  await proxy.down();
  await warehouse.tearDown();
});

async function requestAndApprove(userId: string, datasetId: string) {
  await t.command(userId, `request ${datasetId} 1d testing`);
  const [request] = await t.database.db
    .select()
    .from(accessRequests)
    .where(eq(accessRequests.requesterId, userId))
    .then((rows) => rows.filter((r) => r.datasetId === datasetId && r.status === 'pending'));
  await t.click(USERS.owner1, ACTION_IDS.approve, request!.id);
  return request!.id;
}

async function grantFor(requestId: string) {
  const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, requestId));
  return g!;
}

async function waitForStatus(requestId: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const g = await grantFor(requestId);
    if (g?.status === status) return g;
    if (Date.now() > deadline) throw new Error(`grant stayed ${g?.status}, expected ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readyDm = (userId: string, name: string) => () => t.slack.dmsTo(userId).find((c) => c.args.text === `Your access to ${name} is ready`);

describe('postgres warehouse', () => {
  it('the user can SELECT exactly while the grant is active', async () => {
    const login = `${warehouse.prefix}_u0mkt1`;
    expect(await warehouse.canSelect(login)).toBe(false);

    const requestId = await requestAndApprove(USERS.marketer, 'crm-contacts');
    await t.slack.waitFor(readyDm(USERS.marketer, 'crm contacts'), 'access ready DM');
    expect((await grantFor(requestId)).status).toBe('active');
    expect(await warehouse.hasRole(login)).toBe(true);
    expect(await warehouse.canSelect(login)).toBe(true);

    clock.advance(DAY + 60_000); // past its end: the reconciler (every second) starts the revoke
    await waitForStatus(requestId, 'expired');
    expect(await warehouse.hasRole(login)).toBe(false);
    expect(await warehouse.canSelect(login)).toBe(false);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('has ended')), 'ended DM');
  });

  it('a warehouse that is down during revoke leads to retries and an alert, and the grant ends once it is back', async () => {
    const login = `${warehouse.prefix}_mia`; // marketer2, named by the catalog's people override
    const requestId = await requestAndApprove(USERS.marketer2, 'crm-contacts');
    await t.slack.waitFor(readyDm(USERS.marketer2, 'crm contacts'), 'access ready DM');
    expect(await warehouse.canSelect(login)).toBe(true);

    await proxy.down();
    clock.advance(DAY + 60_000);
    const alert = await t.slack.waitFor(
      () => t.slack.dmsTo(USERS.admin).find((c) => c.args.text.includes('keeps failing')),
      'stuck-revoke alert to the admin',
      20_000,
    );
    expect(JSON.stringify(alert.args.blocks)).toContain('I removed it by hand');
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => c.args.text.includes('keeps failing')), 'alert to the owner');
    const stuck = await grantFor(requestId);
    expect(stuck.status).toBe('revoking'); // never marked ended while the warehouse may still hold it
    expect(stuck.lastError).toContain('cannot reach the warehouse');
    expect(await warehouse.canSelect(login)).toBe(true);

    await proxy.up();
    await waitForStatus(requestId, 'expired', 30_000);
    expect(await warehouse.canSelect(login)).toBe(false);
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, stuck.id)).orderBy(asc(auditEvents.id));
    const actions = audit.map((a) => a.action);
    expect(actions.filter((a) => a === 'grant.revoke_attempt_failed').length).toBeGreaterThanOrEqual(3);
    expect(actions).toContain('grant.revoke_stuck');
    expect(actions.at(-1)).toBe('grant.expired');
    expect(JSON.stringify(audit)).not.toContain('WAREHOUSE_URL=');
  });
});

describe('webhook', () => {
  it('a receiver that fails twice then succeeds leads to one active grant, and expiry sends a signed revoke', async () => {
    receiver.failFirst = 2;
    const requestId = await requestAndApprove(USERS.marketer, 'campaign-metrics');
    await t.slack.waitFor(readyDm(USERS.marketer, 'campaign metrics'), 'access ready DM', 20_000);
    const grant = await grantFor(requestId);
    expect(grant.status).toBe('active');
    expect(await t.database.db.select().from(grants).where(eq(grants.requestId, requestId))).toHaveLength(1);

    const grantCalls = receiver.received.filter((r) => r.body.event === 'grant');
    expect(grantCalls.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(grantCalls.every((r) => r.verified)).toBe(true);
    expect(new Set(grantCalls.map((r) => r.idempotencyKey))).toEqual(new Set([`${grant.id}-grant`]));
    expect(grantCalls[2]!.body).toMatchObject({
      event: 'grant',
      grant_id: grant.id,
      dataset: 'campaign-metrics',
      user: { slack_id: USERS.marketer, email: 'u0mkt1@acme.test' },
    });

    clock.advance(DAY + 60_000);
    await waitForStatus(requestId, 'expired');
    const revoke = receiver.received.find((r) => r.body.event === 'revoke');
    expect(revoke).toMatchObject({ verified: true, idempotencyKey: `${grant.id}-revoke` });
  });
});

describe('manual', () => {
  it('waits for an owner to press Done in both directions', async () => {
    const requestId = await requestAndApprove(USERS.marketer, 'ga4-export');
    const task = await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes('*Grant* *ga4 export*')), 'grant task');
    const grant = await grantFor(requestId);
    expect(grant.status).toBe('provisioning');
    await (await jobRuns(t)).completed(1); // a reconciler run must not activate it
    expect((await grantFor(requestId)).status).toBe('provisioning');
    expect(readyDm(USERS.marketer, 'ga4 export')()).toBeUndefined();
    const list = await t.command(USERS.marketer, 'list');
    expect(JSON.stringify(list.body.blocks)).toContain('being set up');

    const done = task.args.blocks.find((b: any) => b.type === 'actions').elements[0];
    // the grantee cannot confirm their own access, nor can a stranger
    await t.click(USERS.marketer, ACTION_IDS.taskDone, done.value);
    await t.click(USERS.stranger, ACTION_IDS.taskDone, done.value);
    await t.slack.waitFor(() => t.slack.callsTo('chat.postEphemeral').filter((c) => /own access|Only the owners/.test(c.args.text)).length >= 2, 'refusals');
    expect((await grantFor(requestId)).status).toBe('provisioning');

    const before = clock.now().getTime();
    await t.click(USERS.owner1, ACTION_IDS.taskDone, done.value);
    await t.slack.waitFor(readyDm(USERS.marketer, 'ga4 export'), 'access ready DM');
    const active = await grantFor(requestId);
    expect(active.status).toBe('active');
    expect(active.startsAt.getTime()).toBeGreaterThanOrEqual(before); // its clock started at Done
    await t.slack.waitFor(
      () => t.slack.callsTo('chat.update').find((c) => c.args.ts === task.args.ts || JSON.stringify(c.args.blocks).includes(`Done by <@${USERS.owner1}>`)),
      'task message updated',
    );

    clock.advance(DAY + 60_000);
    const revokeTask = await t.slack.waitFor(
      () => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes('*Revoke* *ga4 export*')),
      'revoke task',
    );
    expect((await grantFor(requestId)).status).toBe('revoking');
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes('*Reminder:*')), 'reminder', 15_000);
    expect((await grantFor(requestId)).status).toBe('revoking');

    const revokeDone = revokeTask.args.blocks.find((b: any) => b.type === 'actions').elements[0];
    await t.click(USERS.owner1, ACTION_IDS.taskDone, revokeDone.value);
    await waitForStatus(requestId, 'expired');
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text === 'Your access to ga4 export has ended'), 'ended DM');
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, active.id));
    expect(audit.filter((a) => a.action === 'grant.activated' || a.action === 'grant.expired').map((a) => a.actorId)).toEqual([USERS.owner1, USERS.owner1]);
  });
});
