import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Catalog } from '../../src/catalog/catalog.js';
import type { Provisioner } from '../../src/provisioners/provisioner.js';
import { recordOnlyProvisioner } from '../../src/provisioners/record-only.js';
import type { Connectors } from '../../src/provisioners/registry.js';
import { createLogger } from '../../src/shared/logger.js';
import { accessRequests, grants, requestApprovers } from '../../src/shared/db/schema.js';
import { taskButtonValue } from '../../src/slack/blocks/grant.blocks.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { makeDataset, testCatalog, USERS } from '../helpers/catalog.js';

const DAY = 24 * 3600_000;
const GUEST_OWNER = 'U0GUESTOWNER';

/** A connector whose grants and revokes wait until the test lets them through: "still working on it". */
class GatedConnector implements Provisioner {
  readonly kind = 'webhook' as const;
  readonly calls: Array<{ op: 'grant' | 'revoke'; grantId: string }> = [];
  private gates: Array<() => void> = [];
  private open = false;
  private wait(op: 'grant' | 'revoke', grantId: string) {
    this.calls.push({ op, grantId });
    if (this.open) return Promise.resolve();
    return new Promise<void>((resolve) => this.gates.push(resolve));
  }
  grant = (t: { grantId: string }) => this.wait('grant', t.grantId);
  revoke = (t: { grantId: string }) => this.wait('revoke', t.grantId);
  check = async () => undefined;
  identify = () => ({});
  release(keepOpen = false) {
    this.open = keepOpen;
    for (const g of this.gates.splice(0)) g();
  }
}

const gated = new GatedConnector();
let t: TestBot;
const logLines: string[] = [];

function catalog(): Catalog {
  const c = testCatalog();
  c.datasets.push(
    makeDataset({ id: 'solo-two', name: 'Solo two', owners: [USERS.owner1], policy: { approvalsRequired: 2 } }),
    makeDataset({ id: 'needs-three', name: 'Needs three', owners: [USERS.owner1], policy: { approvalsRequired: 3 } }),
    makeDataset({ id: 'two-key', name: 'Two key', owners: [USERS.owner1, USERS.owner2], policy: { approvalsRequired: 2 } }),
    makeDataset({ id: 'guest-co', name: 'Guest co-owned', owners: [GUEST_OWNER, USERS.owner1] }),
    makeDataset({ id: 'open-data', name: 'Open data', sensitivity: 'public', owners: [USERS.owner1], policy: { autoApprove: true } }),
    makeDataset({ id: 'self-ext', name: 'Self ext', owners: [USERS.owner1], policy: { selfExtendMinutes: 24 * 60, maxTotalMinutes: 30 * 24 * 60 } }),
    makeDataset({ id: 'gated', name: 'Gated', owners: [USERS.owner1] }),
  );
  return c;
}

function connectors(c: Catalog): Connectors {
  const record = recordOnlyProvisioner(createLogger('silent'));
  return {
    forDataset: (id) => (id === 'gated' ? gated : record),
    all: () => c.datasets.map((d) => ({ datasetId: d.id, connector: d.id === 'gated' ? gated : record })),
    close: async () => undefined,
  };
}

beforeAll(async () => {
  const c = catalog();
  t = await startTestBot({
    catalog: c,
    connectors: connectors(c),
    slackUsers: { [GUEST_OWNER]: { tz: 'UTC', guest: true } },
    logSink: (line) => logLines.push(line),
  });
});
afterAll(async () => {
  gated.release(true);
  await t?.stop();
});

async function requestsOf(userId: string, datasetId: string) {
  return t.database.db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, userId), eq(accessRequests.datasetId, datasetId)));
}

async function pendingRequest(userId: string, datasetId: string) {
  return (await requestsOf(userId, datasetId)).find((r) => r.status === 'pending');
}

async function grantById(id: string) {
  return (await t.database.db.select().from(grants).where(eq(grants.id, id)))[0]!;
}

async function waitForRow<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A private answer to a click (ephemeral) or command follow-up (DM), containing `text`. */
function privateReply(userId: string, text: string) {
  return t.slack.waitFor(
    () =>
      t.slack.calls.find(
        (c) =>
          ((c.method === 'chat.postEphemeral' && c.args.user === userId) || (c.method === 'chat.postMessage' && c.args.channel === `D${userId}`)) &&
          String(c.args.text ?? '').includes(text),
      ),
    `a reply to ${userId} saying “${text}”`,
  );
}

async function activeGrant(userId: string, datasetId: string, duration = '2d') {
  await t.command(userId, `request ${datasetId} ${duration} policy testing`);
  const r = (await pendingRequest(userId, datasetId))!;
  await t.click(USERS.owner1, ACTION_IDS.approve, r.id);
  const g = await waitForRow(
    async () => (await t.database.db.select().from(grants).where(eq(grants.requestId, r.id)))[0],
    (g) => g?.status === 'active',
    'active grant',
  );
  return g!;
}

describe('approvals_required never silently becomes fewer', () => {
  it('one owner and approvals_required 2: an admin is asked too, and one approval is not enough', async () => {
    await t.command(USERS.marketer, 'request solo-two 1d two pairs of eyes');
    const r = (await pendingRequest(USERS.marketer, 'solo-two'))!;
    expect(r.approvalsRequired).toBe(2);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.admin).find((c) => JSON.stringify(c.args.blocks).includes(r.id)), 'admin asked');
    await t.click(USERS.owner1, ACTION_IDS.approve, r.id);
    await privateReply(USERS.owner1, '1 of 2');
    expect((await requestsOf(USERS.marketer, 'solo-two'))[0]!.status).toBe('pending');
    await t.click(USERS.admin, ACTION_IDS.approve, r.id);
    await waitForRow(async () => (await requestsOf(USERS.marketer, 'solo-two'))[0]!, (x) => x.status === 'approved', 'approved after two');
  });

  it('the requester is one of two owners: the other owner and an admin are asked', async () => {
    await t.command(USERS.owner2, 'request two-key 1d my own dataset');
    const r = (await pendingRequest(USERS.owner2, 'two-key'))!;
    expect(r.approvalsRequired).toBe(2);
    const asked = await t.database.db.select().from(requestApprovers).where(eq(requestApprovers.requestId, r.id));
    expect(asked.map((a) => a.approverId).sort()).toEqual([USERS.admin, USERS.owner1].sort());
  });

  it('not enough distinct approvers even with the admins: refused with a clear message, nothing stored', async () => {
    const res = await t.command(USERS.marketer, 'request needs-three 1d three pairs of eyes');
    expect(res.body.text).toContain('needs 3 different approvers');
    expect(await requestsOf(USERS.marketer, 'needs-three')).toEqual([]);
  });

  it('start-up warns about datasets whose approvals cannot be met, and about guest owners', () => {
    const warnings = logLines.join('\n');
    expect(warnings).toContain('dataset \\"needs-three\\": approvals_required is 3');
    expect(warnings).toContain(`dataset \\"guest-co\\": owner ${GUEST_OWNER} is a Slack guest account`);
  });
});

describe('only people who may decide are asked', () => {
  it('a guest listed as an owner gets no approval DM and does not see the request on the Home tab', async () => {
    await t.command(USERS.marketer2, 'request guest-co 1d numbers for the deck');
    const r = (await pendingRequest(USERS.marketer2, 'guest-co'))!;
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes(r.id)), 'owner1 asked');
    await t.openHome(GUEST_OWNER);
    const home = await t.slack.waitFor(() => t.slack.callsTo('views.publish').find((c) => c.args.user_id === GUEST_OWNER), 'guest home');
    expect(JSON.stringify(home.args.view.blocks)).not.toContain(r.id);
    expect(t.slack.dmsTo(GUEST_OWNER)).toEqual([]);
    const asked = await t.database.db.select().from(requestApprovers).where(eq(requestApprovers.requestId, r.id));
    expect(asked.map((a) => a.approverId)).toEqual([USERS.owner1]);
  });
});

describe('automatic decisions are worded as such', () => {
  it('auto_approve: the requester reads that the policy approved it, never "sent to ." nor a mention of nobody', async () => {
    const res = await t.command('U0AUTO', 'request open-data 1d');
    expect(res.body.text).toContain("approved automatically by the dataset's policy");
    expect(res.body.text).not.toContain('was sent to');
    const dm = await t.slack.waitFor(() => t.slack.dmsTo('U0AUTO').find((c) => c.args.text === 'Your access to Open data was approved'), 'decision DM');
    const text = JSON.stringify(dm.args.blocks);
    expect(text).toContain('automatically');
    expect(text).not.toContain('<@system>');
  });
});

describe('self-extension allowance is per grant and cumulative', () => {
  it('five 1-day extensions with self_extend_up_to 1d add one day; the second goes to approval', async () => {
    const g = await activeGrant(USERS.stranger, 'self-ext', '2d');
    const first = await t.command(USERS.stranger, 'extend self-ext 1d');
    expect(first.body.text).toContain('Extended');
    const second = await t.command(USERS.stranger, 'extend self-ext 1d still need it');
    expect(second.body.text).toContain('extension request was sent');
    for (let i = 0; i < 3; i++) await t.command(USERS.stranger, 'extend self-ext 1d still need it');
    const after = await grantById(g.id);
    expect(after.endsAt.getTime()).toBe(g.endsAt.getTime() + DAY);
    expect(after.selfExtendedMinutes).toBe(24 * 60);
  });

  it('a pending extension ends with its grant: closed, and the approver’s message loses its buttons', async () => {
    await activeGrant('U0EXTENDER', 'campaign-metrics', '2d');
    expect((await t.command('U0EXTENDER', 'extend campaign-metrics 1d a bit longer')).body.text).toContain('extension request was sent');
    const ext = (await pendingRequest('U0EXTENDER', 'campaign-metrics'))!;
    expect(ext.kind).toBe('extension');
    const asked = await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes(ext.id)), 'extension asked');
    const released = await t.command('U0EXTENDER', 'release campaign-metrics');
    expect(released.body.text).toContain('Releasing');
    const closed = await waitForRow(async () => (await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, ext.id)))[0]!, (r) => r.status !== 'pending', 'extension closed');
    expect(closed.status).toBe('cancelled');
    const update = await t.slack.waitFor(
      () => t.slack.callsTo('chat.update').find((c) => c.args.channel === asked.args.channel && JSON.stringify(c.args.blocks).includes('*Closed*')),
      'approver message updated',
    );
    expect(update.args.blocks.some((b: any) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(update.args.blocks)).toContain('has ended');
  });
});

describe('buttons act on exactly what they name', () => {
  /** A grant that was released, and a newer active grant of the same dataset for the same person. */
  async function endedAndCurrent(userId: string) {
    const old = await activeGrant(userId, 'campaign-metrics');
    await t.command(userId, 'release campaign-metrics');
    await waitForRow(() => grantById(old.id), (g) => g.status === 'revoked', 'old grant ended');
    return { old, current: await activeGrant(userId, 'campaign-metrics') };
  }

  it('an old Release for an ended grant does not release the newer grant of the same dataset', async () => {
    const { old, current } = await endedAndCurrent('U0OLDREL');
    await t.click('U0OLDREL', ACTION_IDS.releaseGrant, old.id);
    await privateReply('U0OLDREL', 'has already ended');
    expect((await grantById(current.id)).status).toBe('active');
  });

  it('an old Extend form for an ended grant does not extend the newer grant', async () => {
    const { old: before, current } = await endedAndCurrent('U0OLDEXT');
    const res = await t.submitView({
      userId: 'U0OLDEXT',
      callbackId: CALLBACK_IDS.extendForm,
      privateMetadata: before.id,
      values: {
        [BLOCK_IDS.extendDuration]: { [ACTION_IDS.extendDuration]: { type: 'plain_text_input', value: '1d' } },
        [BLOCK_IDS.extendReason]: { [ACTION_IDS.extendReason]: { type: 'plain_text_input', value: 'more time please' } },
      },
    });
    expect(res.body.response_action).toBe('errors');
    expect(JSON.stringify(res.body.errors)).toContain('already ended');
    expect((await requestsOf('U0OLDEXT', 'campaign-metrics')).filter((r) => r.kind === 'extension')).toEqual([]);
    expect((await grantById(current.id)).endsAt.getTime()).toBe(current.endsAt.getTime());
  });

  it('Done on a grant its connector is still setting up, or "removed by hand" on a revoke that is not stuck, changes nothing', async () => {
    await t.command(USERS.marketer, 'request gated 1d gate testing');
    const r = (await pendingRequest(USERS.marketer, 'gated'))!;
    await t.click(USERS.owner1, ACTION_IDS.approve, r.id);
    await t.slack.waitFor(() => gated.calls.find((c) => c.op === 'grant'), 'connector asked to grant');
    const g = (await t.database.db.select().from(grants).where(eq(grants.requestId, r.id)))[0]!;
    await t.click(USERS.owner1, ACTION_IDS.taskDone, taskButtonValue(g.id, 'grant'));
    await privateReply(USERS.owner1, 'set up by its connector');
    expect((await grantById(g.id)).status).toBe('provisioning');

    gated.release();
    await waitForRow(() => grantById(g.id), (x) => x.status === 'active', 'active');
    await t.command(USERS.marketer, 'release gated');
    await t.slack.waitFor(() => gated.calls.find((c) => c.op === 'revoke' && c.grantId === g.id), 'connector asked to revoke');
    await t.click(USERS.owner1, ACTION_IDS.taskDone, taskButtonValue(g.id, 'revoke'));
    await privateReply(USERS.owner1, 'is not stuck');
    expect((await grantById(g.id)).status).toBe('revoking');
    gated.release();
    await waitForRow(() => grantById(g.id), (x) => x.status === 'revoked', 'revoked through the connector');
  });
});
