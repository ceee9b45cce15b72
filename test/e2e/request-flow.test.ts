import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accessRequests, auditEvents, grants } from '../../src/shared/db/schema.js';
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
    expect(audit.map((a) => a.action)).toEqual(['request.created', 'request.approved']);
  });
});
