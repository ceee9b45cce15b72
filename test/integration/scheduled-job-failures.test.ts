import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { errorCodeOf } from '../../src/modules/operations/operations.usecases.js';
import { auditEvents, outbox, scheduledJobFailures } from '../../src/shared/db/schema.js';
import { startWorkers, type Workers } from '../../src/worker/workers.js';
import { renderContent } from '../../src/slack/messages.render.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { waitUntil } from '../helpers/signals.js';

let t: TestDeps;
let workers: Workers | undefined;

beforeEach(async () => {
  t = await createTestDeps();
  t.deps.catalog.sensitiveData = { enabled: true, excludeChannels: [], alertChannel: 'C0SECURITY', maxNudgesPerHour: 10 };
});
afterEach(async () => {
  await workers?.close();
  await t?.close();
});

// the reconciler (which follows up reviews) may fail the same way; these are the review job's alerts
const alerts = async () =>
  (await t.database.db.select().from(outbox).where(eq(outbox.kind, 'scheduled_job_failed'))).filter((r) => (r.payload as { job: string }).job === 'start-review');

describe('a scheduled job that fails', () => {
  it('alerts the admins and the security channel once a day, with the job and a code, never the error text', async () => {
    // a database state in which starting a review cannot work
    await t.database.db.execute(sql`alter table review_campaigns rename to review_campaigns_elsewhere`);
    workers = await startWorkers(t.deps, t.queues, { redisUrl: inject('redisUrl'), prefix: t.queues.maintenance.opts.prefix!, reconcileIntervalSeconds: 3600, messagesPerSecond: 200 });

    await t.queues.maintenance.add('start-review', {}, { jobId: 'weekly-1' });
    const first = await waitUntil(async () => ((await alerts()).length === 2 ? alerts() : undefined), 'the first alerts');
    expect(first.map((r) => r.payload)).toEqual(
      expect.arrayContaining([
        { job: 'start-review', code: '42P01', day: '2026-03-02', to: { dm: USERS.admin } },
        { job: 'start-review', code: '42P01', day: '2026-03-02', to: { channel: 'C0SECURITY' } },
      ]),
    );

    // it fails again the same day: counted, not announced again
    await t.queues.maintenance.add('start-review', {}, { jobId: 'weekly-2' });
    await waitUntil(async () => (await t.database.db.select().from(scheduledJobFailures).where(eq(scheduledJobFailures.job, 'start-review')))[0]?.failures === 2, 'the second failure counted');
    expect(await alerts()).toHaveLength(2);
    expect(await t.database.db.select({ action: auditEvents.action, subject: auditEvents.subjectId }).from(auditEvents).where(and(eq(auditEvents.action, 'job.failed'), eq(auditEvents.subjectId, 'start-review')))).toEqual([
      { action: 'job.failed', subject: 'start-review' },
    ]);

    // the next day it is news again
    t.clock.advance(24 * 3600_000);
    await t.queues.maintenance.add('start-review', {}, { jobId: 'weekly-3' });
    await waitUntil(async () => ((await alerts()).length === 4 ? true : undefined), 'the next day’s alerts');

    // the bot's messages worker delivers them
    await waitUntil(async () => (await alerts()).every((r) => r.status === 'sent'), 'the alerts delivered');
    expect(t.notifier.sent.filter((m) => m.kind.startsWith('job_failed:start-review'))).toHaveLength(4);
    expect(t.notifier.sent).toEqual(
      expect.arrayContaining([
        { kind: 'job_failed:start-review:42P01', to: USERS.admin },
        { kind: 'job_failed:start-review:42P01', to: 'C0SECURITY' },
      ]),
    );
  });

  it('names the failure by a code, not by its message', () => {
    const [message] = renderContent({ look: 'scheduled_job_failed', data: { job: 'start-review', code: 'RangeError', day: '2026-03-02' } });
    expect(message!.blocks.length).toBeLessThanOrEqual(50);
    expect(errorCodeOf(new RangeError('Maximum call stack size exceeded'))).toBe('RangeError');
    expect(errorCodeOf(Object.assign(new Error('wrapped'), { cause: { code: '42P01', message: 'relation "x" does not exist' } }))).toBe('42P01');
    expect(errorCodeOf(Object.assign(new Error('secret row content'), { code: 'reviews.not_admin' }))).toBe('reviews.not_admin');
    expect(errorCodeOf(Object.assign(new Error('x'), { code: 'has spaces: and data' }))).toBe('Error');
  });
});
