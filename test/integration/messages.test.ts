import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { InvalidMessageError, outboxMessage } from '../../src/modules/notifications/messages/messages.js';
import { addToOutbox, findOutbox } from '../../src/modules/notifications/notifications.repository.js';
import { deliverMessage } from '../../src/modules/notifications/notifications.usecases.js';
import { insertNudge } from '../../src/modules/nudges/nudges.repository.js';
import { outbox } from '../../src/shared/db/schema.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  t = await createTestDeps();
  t.deps.logger = createLogger('info', { write: (line) => void logLines.push(JSON.parse(line)) });
  t.deps.catalog.handlingPolicy = { version: 'v1', text: 'Be careful.', reacknowledgeAfterDays: 365, tips: ['Close exports when done.', 'Lock your screen.'] };
});
afterAll(async () => {
  await t?.close();
});

/** Stores a row as an older release (or a broken producer) would have, bypassing every check. */
async function storeRaw(kind: string, payload: Record<string, unknown>): Promise<number> {
  const [row] = await t.database.db.insert(outbox).values({ kind, payload, createdAt: t.clock.now() }).returning({ id: outbox.id });
  return row!.id;
}

async function outboxCount(): Promise<number> {
  return (await t.database.db.select({ id: outbox.id }).from(outbox)).length;
}

describe('a producer cannot enqueue a message that does not exist or a payload that does not fit', () => {
  // Each call below is refused by `npm run typecheck` (the @ts-expect-error lines would fail it if
  // the compiler accepted the call) and, when run anyway, by addToOutbox before anything is stored.
  const wrong: Array<[string, () => unknown]> = [
    // @ts-expect-error an unknown kind (a typo of approval_request)
    ['unknown kind', () => outboxMessage('aproval_request', { requestId: crypto.randomUUID(), approverId: 'U1' })],
    // @ts-expect-error a word where the tip's number goes
    ['tip as a word', () => outboxMessage('hygiene_tip', { userId: 'U1', tip: 'first' })],
    // @ts-expect-error a request id that is not a string
    ['request id as a number', () => outboxMessage('decision', { requestId: 42 })],
    // @ts-expect-error a required field missing
    ['missing approver', () => outboxMessage('approval_request', { requestId: crypto.randomUUID() })],
    // @ts-expect-error a step that does not exist
    ['unknown step', () => outboxMessage('task', { grantId: crypto.randomUUID(), step: 'grant-and-revoke', to: 'U1' })],
    // @ts-expect-error a literal object with a kind outside the set
    ['literal unknown kind', () => ({ kind: 'no_such_message', payload: {} }) satisfies Parameters<typeof addToOutbox>[2][number]],
  ];

  it.each(wrong)('%s: refused at run time, nothing stored, the transaction undone', async (_name, build) => {
    const before = await outboxCount();
    const attempt = t.database.db.transaction(async (tx) => addToOutbox(tx, t.clock.now(), [outboxMessage('request_expired', { requestId: crypto.randomUUID() }), build() as never]));
    await expect(attempt).rejects.toBeInstanceOf(InvalidMessageError);
    expect(await outboxCount()).toBe(before);
  });

  it('a payload that does not match its schema at run time names the field, not the value', async () => {
    const err = await addToOutbox(t.database.db, t.clock.now(), [{ kind: 'grant_expired', payload: { grantId: 'secret-looking-value' } }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidMessageError);
    expect((err as InvalidMessageError).message).toContain('grantId');
    expect((err as InvalidMessageError).message).not.toContain('secret-looking-value');
  });
});

describe('delivering a stored row', () => {
  it('an unknown kind fails for good, with the kind and outbox id in a log line and on the row', async () => {
    const id = await storeRaw('no_such_message', { requestId: crypto.randomUUID() });
    expect(await deliverMessage(t.deps, id)).toBe('failed');
    expect(await findOutbox(t.database.db, id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'unknown message kind no_such_message' });
    expect(logLines.find((l) => l.outboxId === id)).toMatchObject({ level: 50, kind: 'no_such_message', problem: 'unknown_kind', msg: 'message cannot be delivered; giving up' });
    expect(await deliverMessage(t.deps, id)).toBe('already_done'); // not retried
  });

  it('a payload that does not fit its kind fails for good, logged with the field and never the value', async () => {
    const id = await storeRaw('approval_request', { requestId: 'not-a-uuid-but-a-secret', approverId: 'U0OWNER1' });
    expect(await deliverMessage(t.deps, id)).toBe('failed');
    const row = await findOutbox(t.database.db, id);
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.lastError).toContain('requestId');
    const line = logLines.find((l) => l.outboxId === id);
    expect(line).toMatchObject({ kind: 'approval_request', problem: 'invalid_payload', issues: ['requestId: invalid_format'] });
    expect(JSON.stringify(line)).not.toContain('not-a-uuid-but-a-secret');
    expect(t.notifier.sent.filter((s) => s.to === 'U0OWNER1')).toHaveLength(0);
  });

  it('rows stored before payloads were typed (numbers as strings) still deliver', async () => {
    const nudge = await insertNudge(t.database.db, { userId: 'U0OLD', channelId: 'C0OLD', messageTs: '1.0001', detectors: ['card_number'], at: t.clock.now(), nudged: true });
    const nudgeRow = await storeRaw('sensitive_nudge', { nudgeId: String(nudge!.id) });
    const tipRow = await storeRaw('hygiene_tip', { userId: 'U0OLDTIP', tip: '1' });
    expect(await deliverMessage(t.deps, nudgeRow)).toBe('sent');
    expect(await deliverMessage(t.deps, tipRow)).toBe('sent');
    expect(t.notifier.sent.filter((s) => s.to === 'U0OLD' || s.to === 'U0OLDTIP')).toEqual([
      { kind: 'coach', to: 'U0OLD' },
      { kind: 'tip:Lock your screen.', to: 'U0OLDTIP' },
    ]);
  });

  it('new rows keep numbers as numbers', async () => {
    const nudge = await insertNudge(t.database.db, { userId: 'U0NEW', channelId: 'C0NEW', messageTs: '1.0002', detectors: ['card_number'], at: t.clock.now(), nudged: true });
    const [id] = await addToOutbox(t.database.db, t.clock.now(), [outboxMessage('sensitive_nudge', { nudgeId: nudge!.id })]);
    const [row] = await t.database.db.select().from(outbox).where(eq(outbox.id, id!));
    expect(row!.payload).toEqual({ nudgeId: nudge!.id });
    expect(await deliverMessage(t.deps, id!)).toBe('sent');
    expect(t.notifier.sent.filter((s) => s.to === 'U0NEW')).toEqual([{ kind: 'coach', to: 'U0NEW' }]);
  });
});

describe('enqueueing deliveries', () => {
  const jobOf = (id: number) => t.queues.messages.getJob(`deliver-${id}`);

  it('adds a job for each new message, leaves a job still waiting alone, and replaces what a finished run left under the id', async () => {
    const [fresh, waiting, leftover] = await addToOutbox(t.database.db, t.clock.now(), [1, 2, 3].map((i) => outboxMessage('hygiene_tip', { userId: `U0ENQ${i}`, tip: 0 })));
    // a job already waiting for its message, and a job hash a stalled run left outside every list
    await t.deps.jobs.enqueueDeliveries([waiting!]);
    const waitingSince = (await jobOf(waiting!))!.timestamp;
    await t.queues.redis.hset(t.queues.messages.toKey(`deliver-${leftover}`), { name: 'deliver', data: JSON.stringify({ outboxId: leftover }), opts: '{}', timestamp: '1', finishedOn: '1' });
    expect(await t.queues.messages.getJobState(`deliver-${leftover}`)).toBe('unknown');

    await new Promise((r) => setTimeout(r, 5));
    await t.deps.jobs.enqueueDeliveries([fresh!, waiting!, leftover!]);

    for (const id of [fresh!, waiting!, leftover!]) {
      expect(await t.queues.messages.getJobState(`deliver-${id}`)).toBe('waiting');
      expect((await jobOf(id))!.data).toEqual({ outboxId: id });
    }
    // the waiting one is the same job, not a second one
    expect((await jobOf(waiting!))!.timestamp).toBe(waitingSince);
    expect((await jobOf(leftover!))!.timestamp).toBeGreaterThan(1);
    const ids = (await t.queues.messages.getWaiting()).map((j) => j.id);
    expect(ids.filter((id) => id === `deliver-${waiting}`)).toHaveLength(1);
  });
});
