import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { releaseGrant, revokeGrantOf } from '../../src/modules/grants/endings.usecases.js';
import { requestExtension } from '../../src/modules/requests/extensions.usecases.js';
import { findGrant } from '../../src/modules/grants/grants.repository.js';
import { provisionGrant, revokeGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { cancelRequest, createRequest, listAwaitingMyDecision } from '../../src/modules/requests/requests.usecases.js';
import { accessRequests, grants, outbox } from '../../src/shared/db/schema.js';
import { singleConnector } from '../../src/provisioners/registry.js';
import { makeDataset, USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

// each test has its own bot (or use cases), database, queues and clock
beforeEach(async () => {
  t = await createTestDeps();
  // policies on top of the shared test catalog
  t.deps.catalog.datasets.push(
    makeDataset({ id: 'two-key', sensitivity: 'restricted', owners: [USERS.owner1, USERS.owner2], policy: { approvalsRequired: 2, reasonMinLength: 15 } }),
    makeDataset({ id: 'open-data', sensitivity: 'public', owners: [USERS.owner1], policy: { autoApprove: true } }),
    makeDataset({
      id: 'stretchy',
      sensitivity: 'internal',
      owners: [USERS.owner1],
      maxDurationMinutes: 2 * 24 * 60,
      policy: { selfExtendMinutes: 12 * 60, maxTotalMinutes: 4 * 24 * 60 },
    }),
  );
  t.deps.connectors = singleConnector(t.deps.catalog, t.provisioner);
});
afterEach(async () => {
  await t?.close();
});

async function activate(requestId: string) {
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, requestId));
  expect(await provisionGrant(t.deps, grant!.id, { finalAttempt: false })).toBe('done');
  return (await findGrant(t.deps.db, grant!.id))!;
}


describe('policies', () => {
  it('needs two distinct approvals for a 2-of-2 dataset, counting each person once', async () => {
    const r = await createRequest(t.deps, { requesterId: USERS.marketer, datasetId: 'two-key', duration: '1d', reason: 'quarterly churn model', via: 'command' });
    expect(r.approvalsRequired).toBe(2);
    const first = await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' });
    expect(first.outcome).toBe('partial');
    expect(first.request).toMatchObject({ status: 'pending', approvedBy: [USERS.owner1] });
    expect((await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' })).outcome).toBe('already_approved_by_you');
    expect(await listAwaitingMyDecision(t.deps, USERS.owner1)).toEqual([]);
    expect((await listAwaitingMyDecision(t.deps, USERS.owner2)).map((v) => v.id)).toEqual([r.id]);
    const second = await decideRequest(t.deps, r.id, USERS.owner2, { kind: 'approve' });
    expect(second).toMatchObject({ outcome: 'approved', request: { status: 'approved', approvedBy: [USERS.owner1, USERS.owner2] } });
  });

  it('counts concurrent approvals correctly: the second of two simultaneous ones approves', async () => {
    const r = await createRequest(t.deps, { requesterId: USERS.marketer2, datasetId: 'two-key', duration: '1d', reason: 'quarterly churn model', via: 'command' });
    const outcomes = await Promise.all([
      decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' }),
      decideRequest(t.deps, r.id, USERS.owner2, { kind: 'approve' }),
    ]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['approved', 'partial']);
    expect(await t.database.db.select().from(grants).where(eq(grants.requestId, r.id))).toHaveLength(1);
  });

  it('refuses a reason shorter than the policy asks', async () => {
    await expect(
      createRequest(t.deps, { requesterId: USERS.stranger, datasetId: 'two-key', duration: '1d', reason: 'because', via: 'command' }),
    ).rejects.toThrow(/at least 15 characters/);
  });

  it('grants auto-approved datasets at once, without asking anyone, and audits it', async () => {
    const r = await createRequest(t.deps, { requesterId: USERS.stranger, datasetId: 'open-data', via: 'command' });
    expect(r.status).toBe('approved');
    expect(r.decidedBy).toBe('system');
    expect(r.approverIds).toEqual([]);
    const rows = await t.database.db.select().from(outbox).where(eq(outbox.kind, 'approval_request'));
    expect(rows.some((row) => row.payload.requestId === r.id)).toBe(false);
    expect(await t.queues.provisioning.getJob(`provision-grant-${(await activate(r.id)).id}`)).toBeTruthy();
  });
});

describe('who may not act', () => {
  it('guests cannot request sensitive data but may ask for internal data', async () => {
    t.people.standings.set('U0GUEST', 'guest');
    await expect(createRequest(t.deps, { requesterId: 'U0GUEST', datasetId: 'crm-contacts', duration: '1d', reason: 'a long enough reason', via: 'command' })).rejects.toThrow(
      /Guest accounts cannot/,
    );
    const ok = await createRequest(t.deps, { requesterId: 'U0GUEST', datasetId: 'campaign-metrics', duration: '1d', via: 'command' });
    expect(ok.status).toBe('pending');
  });

  it('guests, deactivated accounts and bots cannot approve, even as owners', async () => {
    const r = await createRequest(t.deps, { requesterId: 'U0NEW1', datasetId: 'campaign-metrics', duration: '1d', via: 'command' });
    for (const [standing, message] of [
      ['guest', /Guest accounts/],
      ['deactivated', /deactivated/],
      ['bot', /Bots cannot/],
      ['unknown', /could not check your Slack account/],
    ] as const) {
      t.people.standings.set(USERS.owner1, standing);
      await expect(decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' })).rejects.toThrow(message);
    }
    t.people.standings.delete(USERS.owner1);
    const [row] = await t.database.db.select().from(accessRequests).where(eq(accessRequests.id, r.id));
    expect(row!.status).toBe('pending');
    await cancelRequest(t.deps, 'U0NEW1', r.id);
  });
});

describe('extend, release, revoke, cancel', () => {
  it('self-extends within the allowance, and never beyond the maximum total duration', async () => {
    const r = await createRequest(t.deps, { requesterId: USERS.marketer, datasetId: 'stretchy', duration: '2d', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' });
    const grant = await activate(r.id);
    const result = await requestExtension(t.deps, { userId: USERS.marketer, datasetId: 'stretchy', duration: '12h' });
    expect(result).toEqual({ kind: 'extended', endsAt: new Date(grant.endsAt.getTime() + 12 * HOUR) });
    await expect(requestExtension(t.deps, { userId: USERS.marketer, datasetId: 'stretchy', duration: '2d' })).rejects.toThrow(/at most 4 days in all/);
    // over the self allowance but within the total: it goes to the approvers
    const asked = await requestExtension(t.deps, { userId: USERS.marketer, datasetId: 'stretchy', duration: '1d' });
    expect(asked.kind).toBe('requested');
    if (asked.kind !== 'requested') return;
    expect(asked.request).toMatchObject({ kind: 'extension', status: 'pending', approverIds: [USERS.owner1] });
    await decideRequest(t.deps, asked.request.id, USERS.owner1, { kind: 'approve' });
    expect((await findGrant(t.deps.db, grant.id))!.endsAt.getTime()).toBe(grant.endsAt.getTime() + 12 * HOUR + DAY);
    expect(await t.database.db.select().from(grants).where(eq(grants.datasetId, 'stretchy'))).toHaveLength(1);
  });

  it('refuses to extend or release what is not held', async () => {
    await expect(requestExtension(t.deps, { userId: USERS.stranger, datasetId: 'stretchy', duration: '1d' })).rejects.toThrow(/no active access/);
    await expect(releaseGrant(t.deps, USERS.stranger, 'stretchy')).rejects.toThrow(/nothing to release/);
  });

  it('release ends one’s own access through the connector', async () => {
    const r = await createRequest(t.deps, { requesterId: USERS.marketer, datasetId: 'stretchy', duration: '2d', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' });
    const grant = await activate(r.id);
    await releaseGrant(t.deps, USERS.marketer, 'stretchy');
    expect((await findGrant(t.deps.db, grant.id))!).toMatchObject({ status: 'revoking', endReason: 'released', endedBy: USERS.marketer });
    expect(await revokeGrant(t.deps, grant.id, { finalAttempt: false })).toBe('done');
    expect((await findGrant(t.deps.db, grant.id))!.status).toBe('revoked');
  });

  it('revoke is for owners and admins, and keeps the reason for the holder', async () => {
    const r = await createRequest(t.deps, { requesterId: USERS.marketer, datasetId: 'campaign-metrics', duration: '1d', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' });
    const grant = await activate(r.id);
    await expect(revokeGrantOf(t.deps, USERS.owner2, USERS.marketer, 'campaign-metrics', 'x')).rejects.toMatchObject({ code: 'grants.revoke_not_allowed', params: { datasetId: 'campaign-metrics' } });
    await expect(revokeGrantOf(t.deps, USERS.admin, USERS.stranger, 'campaign-metrics', 'x')).rejects.toThrow(/has no active access/);
    await revokeGrantOf(t.deps, USERS.admin, USERS.marketer, 'campaign-metrics', 'Campaign is over');
    expect((await findGrant(t.deps.db, grant.id))!).toMatchObject({ status: 'revoking', endReason: 'revoked', endedBy: USERS.admin, endNote: 'Campaign is over' });
  });

  it('cancel is for the requester only, and only while pending', async () => {
    const r = await createRequest(t.deps, { requesterId: USERS.owner2, datasetId: 'campaign-metrics', duration: '1d', via: 'command' });
    await expect(cancelRequest(t.deps, USERS.stranger, r.id)).rejects.toThrow(/no longer exists/);
    expect((await cancelRequest(t.deps, USERS.owner2, r.id)).status).toBe('cancelled');
    await expect(cancelRequest(t.deps, USERS.owner2, r.id)).rejects.toThrow(/already cancelled/);
    await expect(decideRequest(t.deps, r.id, USERS.owner1, { kind: 'approve' })).resolves.toMatchObject({ outcome: 'already_decided' });
  });
});
