import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessRequests, auditEvents, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { USERS } from '../helpers/catalog.js';
import { blockActionPayload, commandBody } from '../helpers/slack-requests.js';
import { OffsetClock } from '../helpers/warehouse.js';

/**
 * The bot in Socket Mode, as the README recommends: it opens a WebSocket through
 * `apps.connections.open` on the fake Slack and gets every command and click as an envelope
 * it must acknowledge. Nothing reaches it over HTTP.
 */
let t: TestBot;
const clock = new OffsetClock();
beforeAll(async () => {
  t = await startTestBot({ socketMode: true, clock });
});
afterAll(async () => {
  await t?.stop();
});

function command(userId: string, text: string) {
  const fields = Object.fromEntries(new URLSearchParams(commandBody({ text, userId, responseUrl: `${t.slack.url}/respond/${userId}` })));
  return t.slack.socketMode.deliver({ type: 'slash_commands', payload: fields });
}

function click(userId: string, actionId: string, value: string, where: { channel: string; ts: string }) {
  const payload = blockActionPayload({ userId, actionId, value, channelId: where.channel, messageTs: where.ts, responseUrl: `${t.slack.url}/respond/${userId}` });
  return t.slack.socketMode.deliver({ type: 'interactive', payload });
}

describe('Socket Mode', () => {
  it('request → approve across a dropped connection → access → expiry, each interaction acted on once', { timeout: 120_000 }, async () => {
    expect(t.slack.callsTo('apps.connections.open')).toHaveLength(1);
    expect(t.slack.socketMode.connectionCount).toBe(1);

    const requested = await command(USERS.marketer, 'request campaign-metrics 1h socket mode check');
    expect(requested.envelope_id).toBeTruthy();
    const ask = await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks ?? []).includes(ACTION_IDS.approve)), 'approval DM');
    const [request] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.requesterId, USERS.marketer));
    expect(request!.status).toBe('pending');

    // the network drops; the owner clicks Approve before the bot is back
    t.slack.socketMode.dropConnections();
    const approved = click(USERS.owner1, ACTION_IDS.approve, request!.id, { channel: ask.args.channel, ts: `${ask.args.channel}-ts` });
    await approved; // delivered once the bot has reconnected, and acknowledged
    expect(t.slack.callsTo('apps.connections.open')).toHaveLength(2);

    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('is ready')), 'access ready DM');
    const granted = await t.database.db.select().from(grants).where(eq(grants.requestId, request!.id));
    expect(granted).toHaveLength(1);
    expect(granted[0]!.status).toBe('active');

    // Slack asks the client to reconnect; a command after that still works
    t.slack.socketMode.sendDisconnect('refresh_requested');
    await command(USERS.marketer, 'list');
    expect(t.slack.callsTo('apps.connections.open')).toHaveLength(3);

    // the hour passes: the reconciler ends the grant
    clock.advance(2 * 60 * 60 * 1000);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer).find((c) => c.args.text.includes('has ended')), 'expiry DM', 60_000);
    const [ended] = await t.database.db.select().from(grants).where(eq(grants.requestId, request!.id));
    expect(ended!.status).toBe('expired');

    const approvals = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, request!.id), eq(auditEvents.action, 'request.approved')));
    expect(approvals).toHaveLength(1);
    expect(t.slack.dmsTo(USERS.marketer).filter((c) => c.args.text.includes('is ready'))).toHaveLength(1);
  });
});
