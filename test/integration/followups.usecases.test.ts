import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, eq, like, sql } from 'drizzle-orm';
import { requestExtension } from '../../src/modules/requests/extensions.usecases.js';
import { reconcile } from '../../src/modules/grants/grants.usecases.js';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { deliverMessage } from '../../src/modules/notifications/notifications.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { followUpPendingRequests } from '../../src/modules/requests/followups.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { insertNewRequests } from '../../src/modules/requests/requests.repository.js';
import { listRemindersDue, markRemindedMany } from '../../src/modules/grants/passes.repository.js';
import { accessRequests, grants, outbox, requestApprovers } from '../../src/shared/db/schema.js';
import { singleConnector } from '../../src/provisioners/registry.js';
import { makeDataset, USERS } from '../helpers/catalog.js';
import { seedActiveGrants } from '../helpers/seed-grants.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

const HOUR = 3600_000;
let t: TestDeps;

// each test has its own bot (or use cases), database, queues and clock
beforeEach(async () => {
  t = await createTestDeps();
  // the test clock starts on Monday 2 March 2026, 09:00 UTC
  t.deps.catalog.datasets.push(makeDataset({ id: 'stretchy', owners: [USERS.owner1], policy: { selfExtendMinutes: 2 * 24 * 60 } }));
  t.deps.connectors = singleConnector(t.deps.catalog, t.provisioner);
});
afterEach(async () => {
  await t?.close();
});

/** Delivers every pending message now (as the message worker would). */
async function deliverAll() {
  for (const row of await t.database.db.select().from(outbox).where(eq(outbox.status, 'pending'))) await deliverMessage(t.deps, row.id);
}
const sent = (kind: string) => t.notifier.sent.filter((s) => s.kind === kind);

describe('pending requests: reminder, escalation, expiry', () => {
  it('reminds an approver once after 4 working hours in their time zone, then escalates to the admins', async () => {
    t.people.zones.set(USERS.owner1, 'America/New_York'); // 09:00 UTC is 04:00 there
    const r = await createRequest(t.deps, { requesterId: USERS.marketer, datasetId: 'campaign-metrics', duration: '1d', via: 'command' });
    await deliverAll(); // the approver is asked; their zone is recorded
    const [asked] = await t.database.db.select().from(requestApprovers).where(eq(requestApprovers.requestId, r.id));
    expect(asked!.timeZone).toBe('America/New_York');

    t.clock.advance(6 * HOUR); // 15:00 UTC = 10:00 New York: one working hour so far
    await followUpPendingRequests(t.deps);
    await deliverAll();
    expect(sent('approval_reminder')).toHaveLength(0);

    t.clock.advance(3 * HOUR); // 13:00 New York: four working hours
    expect((await followUpPendingRequests(t.deps)).reminded).toBe(1);
    expect((await followUpPendingRequests(t.deps)).reminded).toBe(0); // once only
    await deliverAll();
    expect(sent('approval_reminder').map((s) => s.to)).toEqual([USERS.owner1]);

    t.clock.advance(23 * HOUR); // Tuesday 12:00 New York: 8 + 3 working hours, not yet 4 + 8
    expect((await followUpPendingRequests(t.deps)).escalated).toBe(0);
    t.clock.advance(1 * HOUR); // 13:00 New York: 12 working hours since it was made
    expect((await followUpPendingRequests(t.deps)).escalated).toBe(1);
    await deliverAll();
    expect(sent('ask').filter((s) => s.requestId === r.id).map((s) => s.to)).toEqual([USERS.owner1, USERS.admin]);
    const approvers = await t.database.db.select().from(requestApprovers).where(eq(requestApprovers.requestId, r.id));
    expect(approvers.find((a) => a.approverId === USERS.admin)!.escalation).toBe(true);
    expect((await followUpPendingRequests(t.deps)).escalated).toBe(0);
  });

  it('does not count a weekend as waiting time', async () => {
    t.people.zones.set(USERS.owner2, 'Europe/Berlin');
    // move to Friday 16:00 Berlin (15:00 UTC)
    const now = t.clock.now();
    const friday = new Date('2026-03-06T15:00:00Z');
    t.clock.advance(friday.getTime() - now.getTime());
    const r = await createRequest(t.deps, { requesterId: USERS.marketer2, datasetId: 'crm-contacts', duration: '1d', reason: 'weekend analysis please', via: 'command' });
    await deliverAll();
    t.clock.advance(2.5 * 24 * HOUR); // Monday 04:00 Berlin: one working hour has passed
    await followUpPendingRequests(t.deps);
    await deliverAll();
    expect(sent('approval_reminder').filter((s) => s.requestId === r.id && s.to === USERS.owner2)).toHaveLength(0);
    t.clock.advance(8 * HOUR); // Monday 12:00 Berlin: 1 + 3 = 4 working hours
    await followUpPendingRequests(t.deps);
    await deliverAll();
    expect(sent('approval_reminder').filter((s) => s.requestId === r.id && s.to === USERS.owner2)).toHaveLength(1);
  });

  it('expires a request nobody decided within 7 days, tells the requester and updates the approvers’ messages', async () => {
    const open = await createRequest(t.deps, { requesterId: USERS.marketer, datasetId: 'crm-contacts', duration: '1d', reason: 'campaign analysis please', via: 'command' });
    await createRequest(t.deps, { requesterId: USERS.marketer2, datasetId: 'crm-contacts', duration: '1d', reason: 'campaign analysis please', via: 'command' });
    await deliverAll();
    t.clock.advance(7 * 24 * HOUR);
    await followUpPendingRequests(t.deps);
    await deliverAll();
    const statuses = await t.database.db.select().from(accessRequests);
    expect(statuses.filter((r) => r.requesterId === USERS.marketer || r.requesterId === USERS.marketer2).map((r) => r.status)).toEqual(['expired', 'expired']);
    expect(sent('request_expired').map((s) => s.to).sort()).toEqual([USERS.marketer, USERS.marketer2].sort());
    expect(sent('update').some((s) => s.requestId === open!.id)).toBe(true);
    expect((await decideRequest(t.deps, open!.id, USERS.owner1, { kind: 'approve' })).outcome).toBe('already_decided');
  });

  it('goes through the pending requests in bounded pages: more than a page past due all expire in one pass, the young ones are left alone', async () => {
    const { db } = t.database;
    const row = (i: number, createdAt: Date) => ({ id: randomUUID(), datasetId: 'campaign-metrics', requesterId: `U0PAGE${i}`, durationMinutes: 60, createdAt });
    const old = Array.from({ length: 701 }, (_, i) => row(i, new Date(t.clock.now().getTime() - i * 1_000)));
    // the same instant for many: the pages' order must still take every one exactly once
    for (const r of old.slice(0, 600)) r.createdAt = old[0]!.createdAt;
    for (let i = 0; i < old.length; i += 300) await insertNewRequests(db, old.slice(i, i + 300));
    t.clock.advance(7 * 24 * HOUR + 1_000);
    const young = Array.from({ length: 50 }, (_, i) => row(5_000 + i, t.clock.now()));
    await insertNewRequests(db, young);

    const report = await followUpPendingRequests(t.deps);
    expect(report.expired).toBe(701);
    const rows = await db.select({ id: accessRequests.id, status: accessRequests.status }).from(accessRequests).where(like(accessRequests.requesterId, 'U0PAGE%'));
    const status = new Map(rows.map((r) => [r.id, r.status]));
    expect(old.every((r) => status.get(r.id) === 'expired')).toBe(true);
    expect(young.every((r) => status.get(r.id) === 'pending')).toBe(true);
    expect((await followUpPendingRequests(t.deps)).expired).toBe(0);
  });
});

describe('expiry reminders', () => {
  async function activeGrant(userId: string, datasetId: string, duration: string) {
    const r = await createRequest(t.deps, { requesterId: userId, datasetId, duration, reason: 'reminder tests here', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' });
    const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
    await provisionGrant(t.deps, grant!.id, { finalAttempt: false });
    return grant!.id;
  }

  it('sends 24h and 1h reminders when they apply to the grant’s length, once each, re-armed by an extension', async () => {
    const long = await activeGrant('U0LONG', 'stretchy', '3d');
    const short = await activeGrant('U0SHORT', 'campaign-metrics', '2h');
    const tiny = await activeGrant('U0TINY', 'campaign-metrics', '30m');
    const reminders = () => t.notifier.sent.filter((s) => s.kind.startsWith('expiry_')).map((s) => `${s.grantId === long ? 'long' : s.grantId === short ? 'short' : 'tiny'}:${s.kind}`);

    t.clock.advance(61 * 60_000); // short: 59 minutes left; tiny has ended (no reminder for it)
    await reconcile(t.deps);
    await deliverAll();
    expect(reminders()).toEqual(['short:expiry_1h']);

    t.clock.advance(47 * HOUR); // long: under 24h left
    await reconcile(t.deps);
    await reconcile(t.deps);
    await deliverAll();
    expect(reminders()).toEqual(['short:expiry_1h', 'long:expiry_24h']);

    await requestExtension(t.deps, { userId: 'U0LONG', datasetId: 'stretchy', duration: '1d' });
    t.clock.advance(1 * HOUR); // 47h left after the extension: nothing due
    await reconcile(t.deps);
    t.clock.advance(24 * HOUR); // 23h left of the new end: the 24h reminder again
    await reconcile(t.deps);
    await deliverAll();
    expect(reminders()).toEqual(['short:expiry_1h', 'long:expiry_24h', 'long:expiry_24h']);
    void tiny;
  });

  it('reminds more than a page of grants ending within the day in one pass, each once', async () => {
    const shape = { datasets: 12, perDataset: 100 };
    await seedActiveGrants(t.database.db, shape, t.clock.now());
    // every seeded grant (30 days long) now ends within the day, the same minute for many
    await t.database.db.execute(sql`update grants set ends_at = ${new Date(t.clock.now().getTime() + 12 * HOUR).toISOString()}::timestamptz + (hashtext(id::text) % 5) * interval '1 minute' where user_id like 'U0HLD%'`);
    const first = await reconcile(t.deps);
    expect(first.expiryReminders).toBe(1_200);
    const rows = await t.database.db.select({ n: count() }).from(outbox).where(eq(outbox.kind, 'expiry_reminder'));
    expect(rows).toEqual([{ n: 1_200 }]);
    const marked = await t.database.db.select({ n: count() }).from(grants).where(sql`${grants.reminded24hFor} = ${grants.endsAt}`);
    expect(marked).toEqual([{ n: 1_200 }]);
    expect((await reconcile(t.deps)).expiryReminders).toBe(0);
  });

  it('a grant extended between being listed and marked keeps its new end\'s reminders', async () => {
    const grantId = await activeGrant('U0RACE', 'stretchy', '2d');
    t.clock.advance(24 * HOUR + 60_000); // under 24h left
    const due = await listRemindersDue(t.database.db, t.clock.now(), undefined, 10);
    expect(due.map((d) => [d.id, d.lead])).toEqual([[grantId, '24h']]);
    // extended meanwhile: the listed end is no longer the grant's
    await t.database.db.update(grants).set({ endsAt: sql`${grants.endsAt} + interval '2 days'` }).where(eq(grants.id, grantId));
    expect(await markRemindedMany(t.database.db, due)).toEqual([]);
    t.clock.advance(2 * 24 * HOUR); // under 24h left of the new end
    expect((await reconcile(t.deps)).expiryReminders).toBe(1);
  });
});
