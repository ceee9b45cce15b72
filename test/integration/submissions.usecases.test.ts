import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { holdRequestDraft } from '../../src/modules/requests/drafts.usecases.js';
import { prepareDenial } from '../../src/modules/requests/denials.usecases.js';
import { submitHeldRequest, submitRequest } from '../../src/modules/requests/submissions.usecases.js';
import { cancelRequest, createRequest } from '../../src/modules/requests/requests.usecases.js';
import { findExtendableGrant } from '../../src/modules/grants/holder.usecases.js';
import { extendGrantById } from '../../src/modules/requests/extensions.usecases.js';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { accessRequests, grants, policyAcknowledgements, requestDrafts } from '../../src/shared/db/schema.js';
import { makeDataset, USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
const REASON = 'spring campaign list clean-up';

beforeAll(async () => {
  t = await createTestDeps();
  t.deps.catalog.datasets.push(makeDataset({ id: 'payments', name: 'Payments', sensitivity: 'confidential', owners: [USERS.owner1] }));
  t.deps.catalog.handlingPolicy = { version: 'v1', text: 'Keep customer data in the warehouse.', reacknowledgeAfterDays: 365, tips: [] };
});
afterAll(async () => {
  await t?.close();
});

const requestsOf = (userId: string) => t.deps.db.select().from(accessRequests).where(eq(accessRequests.requesterId, userId));

describe('submitting a request: the use case decides the flow, front ends only show it', () => {
  it('a typed command without a dataset, or without a reason the dataset requires, goes to the form with what was typed', async () => {
    const user = 'U0SUBFORM';
    expect(await submitRequest(t.deps, { requesterId: user, datasetId: '', via: 'command' })).toEqual({ kind: 'needs_form', prefill: {} });
    expect(await submitRequest(t.deps, { requesterId: user, datasetId: 'PAYMENTS', duration: '3d', via: 'command' })).toEqual({
      kind: 'needs_form',
      prefill: { datasetId: 'payments', duration: '3d' },
    });
    // the form itself is never sent back to the form: the reason is refused next to its field
    await expect(submitRequest(t.deps, { requesterId: user, datasetId: 'payments', via: 'form' })).rejects.toMatchObject({ code: 'requests.reason_required' });
    expect(await requestsOf(user)).toHaveLength(0);
  });

  it('a guest asking for sensitive data is refused at once, not after reading the policy; nothing is held', async () => {
    const guest = 'U0SUBGUEST';
    t.people.standings.set(guest, 'guest');
    await expect(submitRequest(t.deps, { requesterId: guest, datasetId: 'payments', duration: '3d', reason: REASON, via: 'command' })).rejects.toMatchObject({
      code: 'requests.not_allowed_to_request',
    });
    expect(await t.deps.db.select().from(requestDrafts).where(eq(requestDrafts.userId, guest))).toHaveLength(0);
    expect(await requestsOf(guest)).toHaveLength(0);
  });

  it('mistakes are refused before anything is held; a first sensitive request is held behind the policy', async () => {
    const user = 'U0SUBPOLICY';
    await expect(submitRequest(t.deps, { requesterId: user, datasetId: 'payments', duration: '9y', reason: REASON, via: 'command' })).rejects.toMatchObject({
      code: 'requests.bad_duration',
    });
    expect(await t.deps.db.select().from(requestDrafts).where(eq(requestDrafts.userId, user))).toHaveLength(0);

    const result = await submitRequest(t.deps, { requesterId: user, datasetId: 'payments', duration: '3d', reason: REASON, via: 'command' });
    expect(result).toMatchObject({ kind: 'needs_acknowledgement', policy: { version: 'v1' } });
    expect(await requestsOf(user)).toHaveLength(0);

    // accepting the policy sends the held request, once
    const request = await submitHeldRequest(t.deps, user, result.kind === 'needs_acknowledgement' ? result.draftId : '');
    expect(request).toMatchObject({ requesterId: user, dataset: { id: 'payments' }, durationMinutes: 3 * 24 * 60, reason: REASON, status: 'pending' });
    expect(await t.deps.db.select().from(policyAcknowledgements).where(eq(policyAcknowledgements.userId, user))).toHaveLength(1);
    await expect(submitHeldRequest(t.deps, user, result.kind === 'needs_acknowledgement' ? result.draftId : '')).rejects.toMatchObject({ code: 'acknowledgements.draft_gone' });
    expect(await requestsOf(user)).toHaveLength(1);
  });

  it('otherwise the request is created', async () => {
    const user = 'U0SUBCREATE';
    const result = await submitRequest(t.deps, { requesterId: user, datasetId: 'campaign-metrics', duration: '2d', via: 'command' });
    expect(result).toMatchObject({ kind: 'created', request: { requesterId: user, dataset: { id: 'campaign-metrics' }, status: 'pending' } });
    expect(await requestsOf(user)).toHaveLength(1);
  });

  it('a held request for someone else is not theirs to send', async () => {
    const draftId = await holdRequestDraft(t.deps, 'U0SUBOWNER', { datasetId: 'payments', reason: REASON, policyVersion: 'v1' });
    await expect(submitHeldRequest(t.deps, 'U0SUBOTHER', draftId)).rejects.toMatchObject({ code: 'acknowledgements.draft_gone' });
  });
});

describe('deny and extend buttons: readiness is a use case result', () => {
  it('a deny form is offered only while the request is pending', async () => {
    const request = await createRequest(t.deps, { requesterId: 'U0DENYPREP', datasetId: 'campaign-metrics', via: 'command' });
    expect(await prepareDenial(t.deps, request.id, USERS.owner1)).toMatchObject({ kind: 'ready', request: { id: request.id } });
    await expect(prepareDenial(t.deps, request.id, 'U0DENYPREP')).rejects.toMatchObject({ code: 'requests.own_request' });
    await cancelRequest(t.deps, 'U0DENYPREP', request.id);
    expect(await prepareDenial(t.deps, request.id, USERS.owner1)).toEqual({ kind: 'already_decided', status: 'cancelled' });
  });

  it('Extend opens only for the holder of an active grant; the form refuses anyone else', async () => {
    const request = await createRequest(t.deps, { requesterId: 'U0EXTHOLD', datasetId: 'campaign-metrics', duration: '1d', via: 'command' });
    await decideRequest(t.deps, request.id, USERS.owner1, { kind: 'approve' });
    const [grant] = await t.deps.db.select().from(grants).where(eq(grants.requestId, request.id));
    const id = grant!.id;
    // still being set up: nothing to extend yet, and the holder is told which access it was
    expect(await findExtendableGrant(t.deps, 'U0EXTHOLD', id)).toEqual({ kind: 'ended', datasetId: 'campaign-metrics' });
    expect(await provisionGrant(t.deps, id, { finalAttempt: false })).toBe('done');
    expect(await findExtendableGrant(t.deps, 'U0EXTHOLD', id)).toEqual({ kind: 'extendable', grantId: id, datasetName: 'Campaign metrics' });
    expect(await findExtendableGrant(t.deps, 'U0EXTOTHER', id)).toEqual({ kind: 'ended', datasetId: undefined });
    expect(await findExtendableGrant(t.deps, 'U0EXTHOLD', 'not-an-id')).toEqual({ kind: 'ended', datasetId: undefined });
    await expect(extendGrantById(t.deps, { userId: 'U0EXTOTHER', grantId: id, duration: '1d' })).rejects.toMatchObject({ code: 'grants.not_yours' });
  });
});
