import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { verifyAuditChain } from '../../src/modules/audit/audit.usecases.js';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest, loadRequestView } from '../../src/modules/requests/requests.usecases.js';
import { accessRequests, auditEvents, grants, outbox, requestApprovers } from '../../src/shared/db/schema.js';
import { addNewDeliveries, HANDOFF_MAX_IDS, jobIds } from '../../src/worker/queues.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps();
});
afterAll(async () => {
  await t?.close();
});

const ask = (requesterId: string, datasetId = 'campaign-metrics') => createRequest(t.deps, { requesterId, datasetId, duration: '1d', via: 'command' });

describe('requests arriving together are stored together, each with its own outcome', () => {
  it('refuses only the ones that must be refused, stores the rest with approvers, messages and a chained audit event each', async () => {
    // a holder of the dataset, and someone with a request already pending
    const held = await ask('U0BATCHHOLD');
    await decideRequest(t.deps, held.id, USERS.owner1, { kind: 'approve' });
    const [grant] = await t.deps.db.select().from(grants).where(eq(grants.requestId, held.id));
    expect(await provisionGrant(t.deps, grant!.id, { finalAttempt: false })).toBe('done');
    await ask('U0BATCHPEND');

    const fresh = Array.from({ length: 30 }, (_, i) => `U0BATCH${String(i).padStart(3, '0')}`);
    // all at once: they queue behind one another's transaction and are written in batches
    const outcomes = await Promise.allSettled([
      ...fresh.map((u) => ask(u)),
      ask('U0BATCHHOLD'),
      ask('U0BATCHPEND'),
      // the same person twice in one burst: the first is stored, the second refused
      ask('U0BATCHTWICE'),
      ask('U0BATCHTWICE'),
      ask('U0BATCHWEB', 'web-analytics'),
    ]);
    const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'created'));
    expect(codes.slice(0, fresh.length)).toEqual(fresh.map(() => 'created'));
    expect(codes.slice(fresh.length)).toEqual(['requests.already_active', 'requests.already_pending', 'created', 'requests.already_pending', 'created']);
    for (const o of outcomes.slice(0, fresh.length)) expect(o.status === 'fulfilled' && o.value.approverIds).toEqual([USERS.owner1]);
    // each answer, made from what was stored rather than read back, says what reading it back says
    for (const o of outcomes) if (o.status === 'fulfilled') expect(o.value).toEqual(await loadRequestView(t.deps, o.value.id));

    const stored = await t.deps.db.select().from(accessRequests).where(inArray(accessRequests.requesterId, [...fresh, 'U0BATCHTWICE', 'U0BATCHWEB']));
    expect(stored).toHaveLength(fresh.length + 2);
    const ids = stored.map((r) => r.id);
    expect(await t.deps.db.select().from(requestApprovers).where(inArray(requestApprovers.requestId, ids))).toHaveLength(ids.length);
    const asks = (await t.deps.db.select().from(outbox).where(eq(outbox.kind, 'approval_request'))).filter((m) => ids.includes(m.payload.requestId as string));
    expect(asks).toHaveLength(ids.length);
    // answered before their messages were handed to a worker, which they are at once, a few
    // hand-off jobs for the whole burst (not a delivery job each from the process answering Slack)
    await t.queues.newDeliveries.settled();
    const handoffs = await t.queues.handoff.getWaiting();
    expect(handoffs.length).toBeGreaterThan(0);
    expect(handoffs.length).toBeLessThan(asks.length);
    const handed = handoffs.flatMap((j) => (j.data as { outboxIds: number[] }).outboxIds);
    const askIds = new Set(asks.map((m) => m.id));
    expect(new Set(handed).size).toBe(handed.length);
    expect(handed.filter((id) => askIds.has(id)).sort((a, b) => a - b)).toEqual([...askIds].sort((a, b) => a - b));
    // what the worker does with each: their delivery jobs, waiting
    for (const j of handoffs) await addNewDeliveries(t.queues, (j.data as { outboxIds: number[] }).outboxIds);
    const states = await Promise.all(asks.map((m) => t.queues.messages.getJobState(jobIds.deliver(m.id))));
    expect(states.filter((state) => state !== 'waiting')).toEqual([]);
    const events = await t.deps.db.select().from(auditEvents).where(inArray(auditEvents.subjectId, ids));
    expect(events.map((e) => e.action).sort()).toEqual(ids.map(() => 'request.created'));
    // nothing was written for the refused ones, and the chain is whole
    expect(await t.deps.db.select().from(accessRequests).where(eq(accessRequests.requesterId, 'U0BATCHHOLD'))).toHaveLength(1);
    expect(await t.deps.db.select().from(accessRequests).where(eq(accessRequests.requesterId, 'U0BATCHPEND'))).toHaveLength(1);
    expect(await verifyAuditChain(t.deps.db)).toMatchObject({ ok: true });
  });

  it('still refuses guests, deactivated accounts and bots sensitive data, with nothing stored, among requests that go through', async () => {
    const people = t.people;
    people.standings.set('U0BGUEST', 'guest');
    people.standings.set('U0BGONE', 'deactivated');
    people.standings.set('U0BBOT', 'bot');
    const reason = 'a perfectly good reason';
    const outcomes = await Promise.allSettled(
      ['U0BGUEST', 'U0BMEMBER1', 'U0BGONE', 'U0BMEMBER2', 'U0BBOT'].map((u) => createRequest(t.deps, { requesterId: u, datasetId: 'crm-contacts', duration: '1d', reason, via: 'command' })),
    );
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'created'))).toEqual([
      'requests.not_allowed_to_request',
      'created',
      'requests.not_allowed_to_request',
      'created',
      'requests.not_allowed_to_request',
    ]);
    const stored = await t.deps.db.select().from(accessRequests).where(inArray(accessRequests.requesterId, ['U0BGUEST', 'U0BGONE', 'U0BBOT', 'U0BMEMBER1', 'U0BMEMBER2']));
    expect(stored.map((r) => r.requesterId).sort()).toEqual(['U0BMEMBER1', 'U0BMEMBER2']);
  });
});

describe('the hand-off of new messages to a worker', () => {
  it('splits what is handed over at once into jobs the worker accepts, each message once', async () => {
    await t.queues.handoff.obliterate({ force: true });
    // e.g. a request with very many approvers: more messages in one add than one job may carry
    const ids = Array.from({ length: HANDOFF_MAX_IDS * 2 + 7 }, (_, i) => 1_000_000 + i);
    await Promise.all([t.queues.newDeliveries.add(ids), t.queues.newDeliveries.add([2_000_000])]);
    await t.queues.newDeliveries.settled();
    const jobs = await t.queues.handoff.getWaiting();
    const handed = jobs.flatMap((j) => (j.data as { outboxIds: number[] }).outboxIds);
    expect(jobs.every((j) => (j.data as { outboxIds: number[] }).outboxIds.length <= HANDOFF_MAX_IDS)).toBe(true);
    expect(handed.sort((a, b) => a - b)).toEqual([...ids, 2_000_000]);
  });
});
