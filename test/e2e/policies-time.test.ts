import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { accessRequests, grants } from '../../src/shared/db/schema.js';
import { ACTION_IDS } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../helpers/bot.js';
import { testCatalog, USERS } from '../helpers/catalog.js';
import { OffsetClock } from '../helpers/warehouse.js';

const DAY = 24 * 3600_000;
const clock = new OffsetClock();
let t: TestBot;

beforeAll(async () => {
  const catalog = testCatalog();
  catalog.review = { enabled: true, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 5, reminderHoursBefore: 24 };
  t = await startTestBot({ catalog, clock });
});
afterAll(async () => {
  await t?.stop();
});

async function pending(userId: string, datasetId: string) {
  const [r] = await t.database.db
    .select()
    .from(accessRequests)
    .where(and(eq(accessRequests.requesterId, userId), eq(accessRequests.datasetId, datasetId), eq(accessRequests.status, 'pending')));
  return r!;
}

describe('decisions nobody made by hand say what made them', () => {
  it('a review deadline’s revoke says it was automatic and why, not “by <@system>”', async () => {
    await t.command(USERS.marketer2, 'request crm-contacts 14d quarterly churn analysis');
    const r = await pending(USERS.marketer2, 'crm-contacts');
    await t.click(USERS.owner1, ACTION_IDS.approve, r.id);
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer2).find((c) => c.args.text.includes('is ready')), 'ready');
    expect((await t.command(USERS.admin, 'review start')).body.text).toContain('Access review started');
    clock.advance(5 * DAY + 60_000);
    const dm = await t.slack.waitFor(() => t.slack.dmsTo(USERS.marketer2).find((c) => JSON.stringify(c.args.blocks ?? '').includes('was revoked')), 'revoked DM', 15_000);
    const text = JSON.stringify(dm.args.blocks);
    expect(text).not.toContain('<@system>');
    expect(text).toContain('revoked automatically');
    expect(text).toContain('deadline');
    const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
    expect(g!.endedBy).toBe('system');
  });

  it('an escalation says it is one: who was asked first, and how long the request has waited', async () => {
    await t.command(USERS.marketer, 'request campaign-metrics 1d weekly numbers');
    const r = await pending(USERS.marketer, 'campaign-metrics');
    await t.slack.waitFor(() => t.slack.dmsTo(USERS.owner1).find((c) => JSON.stringify(c.args.blocks).includes(r.id)), 'owner asked');
    clock.advance(5 * DAY);
    const dm = await t.slack.waitFor(() => t.slack.dmsTo(USERS.admin).find((c) => JSON.stringify(c.args.blocks ?? '').includes(r.id)), 'escalated to admin', 15_000);
    expect(dm.args.text).toMatch(/^Escalated \(waiting 5 days\)/);
    const text = JSON.stringify(dm.args.blocks);
    expect(text).toContain('Escalated to the access admins');
    expect(text).toContain(`<@${USERS.owner1}> was asked first`);
    expect(text).toContain('nobody decided in 5 days');
  });
});
