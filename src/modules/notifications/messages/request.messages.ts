import { z } from 'zod';
import { findApprover, listApproverMessages, saveApproverMessage } from '../../requests/requests.repository.js';
import { PermanentDeliveryError } from '../notifications.ports.js';
import { defineMessage, mustLoadRequest } from './message.js';

const requestPayload = z.object({ requestId: z.string().uuid() });
const approverPayload = requestPayload.extend({ approverId: z.string().min(1) });

/** Asks one approver to decide, with Approve and Deny; records where the question landed and their time zone. */
export const approvalRequest = defineMessage({
  payload: approverPayload,
  async deliver(ctx, { requestId, approverId }) {
    const approver = await findApprover(ctx.db, requestId, approverId);
    if (approver?.messageTs) return; // posted on an earlier attempt
    const view = await mustLoadRequest(ctx, requestId);
    if (view.status !== 'pending') return; // decided before this approver was asked: nothing to ask
    const [ref] = await ctx.messenger.post({ dm: approverId }, { look: 'approval_request', data: view });
    if (!ref) throw new PermanentDeliveryError('the question was not posted');
    const timeZone = await ctx.timeZone(approverId).catch(() => undefined);
    await saveApproverMessage(ctx.db, requestId, approverId, ref.channelId, ref.ts, ctx.clock.now(), timeZone);
    // A decision may have landed while this was posting: make sure no live buttons remain.
    const after = await mustLoadRequest(ctx, requestId);
    if (after.status !== 'pending') await ctx.messenger.update([ref], { look: 'approval_request', data: after });
  },
});

/** Redraws every approver's question after a change (a decision, an approval, an expiry). */
export const approverMessages = defineMessage({
  payload: requestPayload,
  async deliver(ctx, { requestId }) {
    const view = await mustLoadRequest(ctx, requestId);
    for (const m of await listApproverMessages(ctx.db, requestId)) {
      await ctx.messenger.update([{ channelId: m.channelId!, ts: m.messageTs! }], { look: 'approval_request', data: view });
    }
  },
});

/** To the requester, when they asked by form or from the Home tab. */
export const requestReceived = defineMessage({
  payload: requestPayload,
  async deliver(ctx, { requestId }) {
    const view = await mustLoadRequest(ctx, requestId);
    await ctx.messenger.post({ dm: view.requesterId }, { look: 'request_received', data: view });
  },
});

/** To the requester: approved or denied, and by whom. */
export const decision = defineMessage({
  payload: requestPayload,
  async deliver(ctx, { requestId }) {
    const request = await mustLoadRequest(ctx, requestId);
    const timeZone = await ctx.timeZone(request.requesterId);
    await ctx.messenger.post({ dm: request.requesterId }, { look: 'decision', data: { request, timeZone } });
  },
});

/** A pending request is still waiting for this approver (once, after the reminder interval). */
export const approvalReminder = defineMessage({
  payload: approverPayload,
  async deliver(ctx, { requestId, approverId }) {
    const view = await mustLoadRequest(ctx, requestId);
    if (view.status !== 'pending' || view.approvedBy.includes(approverId)) return;
    await ctx.messenger.post({ dm: approverId }, { look: 'approver_reminder', data: view });
  },
});

/** Nobody decided in time; the requester may ask again. */
export const requestExpired = defineMessage({
  payload: requestPayload,
  async deliver(ctx, { requestId }) {
    const view = await mustLoadRequest(ctx, requestId);
    await ctx.messenger.post({ dm: view.requesterId }, { look: 'request_expired', data: view });
  },
});
