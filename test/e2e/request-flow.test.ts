import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accessRequests, auditEvents, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS, BLOCK_IDS, CALLBACK_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { outboxDrained } from '../helpers/signals.js';

let t: TestBot;
// each test has its own bot, database and queues
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t?.stop();
});

async function requestsFor(userId: string) {
  return t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, userId));
}

/** The approval DM sent to `approverId` for the request, once its job delivered it. */
async function approvalMessage(approverId: string, requestId: string) {
  return t.slack.waitFor(
    () => t.slack.dmsTo(approverId).find((c) => JSON.stringify(c.args.blocks).includes(requestId)),
    `approval DM to ${approverId}`,
  );
}

describe('/access request → approve', () => {
  it('creates a request, DMs each owner with buttons, and approval grants access once', async () => {
    const res = await t.command(USERS.marketer, 'request crm-contacts 3d Spring campaign <b>QA</b>');
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(res.body.text).toContain('CRM contacts');
    expect(res.body.text).toContain(`<@${USERS.owner1}>`);

    const [request] = await requestsFor(USERS.marketer);
    expect(request).toMatchObject({ datasetId: 'crm-contacts', durationMinutes: 3 * 24 * 60, status: 'pending' });
    expect(request!.reason).toBe('Spring campaign <b>QA</b>');

    const dm1 = await approvalMessage(USERS.owner1, request!.id);
    const dm2 = await approvalMessage(USERS.owner2, request!.id);
    const text = JSON.stringify(dm1.args.blocks);
    expect(text).toContain('restricted');
    expect(text).toContain('3 days');
    expect(text).toContain('Spring campaign &lt;b&gt;QA&lt;/b&gt;'); // user text is escaped for mrkdwn
    const actions = dm1.args.blocks.find((b: any) => b.type === 'actions');
    expect(actions.elements.map((e: any) => e.action_id)).toEqual([ACTION_IDS.approve, ACTION_IDS.deny]);

    const click = await t.click(USERS.owner2, ACTION_IDS.approve, request!.id, { channelId: dm2.args.channel, ts: '1.0' });
    expect(click.status).toBe(200);

    const requester = await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('approved')), 'requester DM');
    expect(JSON.stringify(requester.args.blocks)).toContain(`<@${USERS.owner2}>`);

    const rows = await t.database.db.select().from(grants).where(eq(grants.requestId, request!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.endsAt.getTime() - rows[0]!.startsAt.getTime()).toBe(3 * 24 * 3600 * 1000);

    // both owners' messages are updated in place: outcome shown, no buttons left
    const updates = await t.slack.waitFor(() => {
      const u = t.slack.callsTo('chat.update');
      return u.length >= 2 ? u : undefined;
    }, 'both approval messages updated');
    for (const u of updates) {
      expect(u.args.blocks.some((b: any) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(u.args.blocks)).toContain(`Approved* by <@${USERS.owner2}>`);
    }
    expect(new Set(updates.map((u) => u.args.channel))).toEqual(new Set([`D${USERS.owner1}`, `D${USERS.owner2}`]));

    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, request!.id));
    expect(audit.map((a) => a.action)).toEqual(['request.created', 'request.approval_recorded', 'request.approved']);
  });
});

describe('deny, refusals and double clicks', () => {
  it('deny asks for a reason in a modal and tells the requester why', async () => {
    const res = await t.command(USERS.marketer2, 'request campaign-metrics 2d');
    expect(res.body.text).toContain('Campaign metrics');
    const [request] = await requestsFor(USERS.marketer2);
    await approvalMessage(USERS.owner1, request!.id);

    await t.click(USERS.owner1, ACTION_IDS.deny, request!.id);
    const modal = await t.slack.waitFor(() => t.slack.callsTo('views.open').find((c) => c.args.view.private_metadata === request!.id), 'deny modal');
    expect(modal.args.view.callback_id).toBe(CALLBACK_IDS.denyForm);

    const submit = await t.submitView({
      userId: USERS.owner1,
      callbackId: CALLBACK_IDS.denyForm,
      privateMetadata: request!.id,
      values: { [BLOCK_IDS.denyReason]: { [ACTION_IDS.denyReason]: { type: 'plain_text_input', value: 'Use the aggregated dashboard instead' } } },
    });
    expect(submit.status).toBe(200);
    const dm = await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer2).find((c) => c.args.text.includes('denied')), 'deny DM');
    expect(JSON.stringify(dm.args.blocks)).toContain('Use the aggregated dashboard instead');
    const [after] = await requestsFor(USERS.marketer2);
    expect(after).toMatchObject({ status: 'denied', decidedBy: USERS.owner1, denyReason: 'Use the aggregated dashboard instead' });
    expect(await t.database.db.select().from(grants).where(eq(grants.requestId, request!.id))).toHaveLength(0);
  });

  it('refuses a non-owner politely and changes nothing', async () => {
    await t.command(USERS.marketer, 'request campaign-metrics 1d');
    const request = (await requestsFor(USERS.marketer)).find((r) => r.datasetId === 'campaign-metrics')!;
    await t.click(USERS.stranger, ACTION_IDS.approve, request.id, { channelId: 'D0SOMEWHERE', ts: '1.0' });
    const refusal = await t.slack.waitFor(
      () => t.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === USERS.stranger),
      'refusal to the stranger',
    );
    expect(refusal.args.text).toContain('Only the owners of `campaign-metrics`');
    const [still] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(still!.status).toBe('pending');
  });

  it('never lets a requester decide their own request, and routes a sole owner’s request to the admins', async () => {
    // marketer is the only owner of web-analytics
    const res = await t.command(USERS.marketer, 'request web-analytics 1w');
    expect(res.body.text).toContain(`<@${USERS.admin}>`);
    const request = (await requestsFor(USERS.marketer)).find((r) => r.datasetId === 'web-analytics')!;
    await approvalMessage(USERS.admin, request.id);
    expect(t.slack.dmsTo(USERS.marketer).some((c) => JSON.stringify(c.args.blocks ?? '').includes(request.id))).toBe(false);

    await t.click(USERS.marketer, ACTION_IDS.approve, request.id);
    const refusal = await t.slack.waitFor(
      () => t.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === USERS.marketer && c.args.text.includes('your own request')),
      'self-approval refusal',
    );
    expect(refusal).toBeTruthy();
    const [still] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
    expect(still!.status).toBe('pending');

    // the admin may decide it
    await t.click(USERS.admin, ACTION_IDS.approve, request.id);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('Web analytics was approved')), 'approval DM');
  });

  it('concurrent clicks from an owner and an admin, repeated, lead to exactly one decision, one grant, one message', async () => {
    await t.command(USERS.owner2, 'request campaign-metrics 4h need numbers');
    const request = (await requestsFor(USERS.owner2)).find((r) => r.datasetId === 'campaign-metrics')!;
    await approvalMessage(USERS.owner1, request.id);

    const clicks = await Promise.all([
      t.click(USERS.owner1, ACTION_IDS.approve, request.id),
      t.click(USERS.owner1, ACTION_IDS.approve, request.id),
      t.click(USERS.admin, ACTION_IDS.approve, request.id),
      t.click(USERS.admin, ACTION_IDS.approve, request.id),
      t.click(USERS.owner1, ACTION_IDS.approve, request.id),
    ]);
    expect(clicks.every((c) => c.status === 200)).toBe(true);

    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner2).find((c) => c.args.text.includes('approved')), 'requester DM');
    // every click handled and every message sent: any duplicate would show now
    await outboxDrained(t);
    expect(await t.database.db.select().from(grants).where(eq(grants.requestId, request.id))).toHaveLength(1);
    expect(t.slack.dmsTo(USERS.owner2).filter((c) => c.args.text.includes('approved'))).toHaveLength(1);
    const decisions = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, request.id));
    expect(decisions.filter((a) => a.action === 'request.approved')).toHaveLength(1);
    // the losers are told it was already decided
    expect(t.slack.callsTo('chat.postEphemeral').filter((c) => c.args.text.includes('already approved')).length).toBe(4);
  });
});

describe('two replicas of the bot', () => {
  it('clicks reaching both replicas at once still decide once', async () => {
    const replica = await startTestBot({ replicaOf: t });
    try {
      await t.command(USERS.marketer2, 'request web-analytics 1d dashboards');
      const request = (await requestsFor(USERS.marketer2)).find((r) => r.datasetId === 'web-analytics')!;
      await approvalMessage(USERS.marketer, request.id);
      const deny = (bot: TestBot) =>
        bot.submitView({
          userId: USERS.marketer,
          callbackId: CALLBACK_IDS.denyForm,
          privateMetadata: request.id,
          values: { [BLOCK_IDS.denyReason]: { [ACTION_IDS.denyReason]: { type: 'plain_text_input', value: 'not now' } } },
        });
      await Promise.all([
        t.click(USERS.marketer, ACTION_IDS.approve, request.id),
        replica.click(USERS.marketer, ACTION_IDS.approve, request.id),
        deny(replica),
        t.click(USERS.admin, ACTION_IDS.approve, request.id),
        deny(t),
      ]);
      const outcome = await t.slack.waitFor(
        () => t.slack.dmsTo(USERS.marketer2).find((c) => /Web analytics was (approved|denied)/.test(c.args.text)),
        'one outcome',
      );
      await replica.bot.settled();
      await outboxDrained(t);
      expect(t.slack.dmsTo(USERS.marketer2).filter((c) => /Web analytics was (approved|denied)/.test(c.args.text))).toHaveLength(1);
      const [final] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, request.id));
      expect(outcome.args.text).toContain(final!.status);
      const decisions = await t.database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, request.id));
      expect(decisions.filter((a) => a.action === 'request.approved' || a.action === 'request.denied')).toHaveLength(1);
      expect(await t.database.db.select().from(grants).where(eq(grants.requestId, request.id))).toHaveLength(final!.status === 'approved' ? 1 : 0);
    } finally {
      await replica.stop();
    }
  });
});
