import { z } from 'zod';
import { listAuditFor } from '../audit/audit.repository.js';
import { findNudge } from '../nudges/nudges.repository.js';
import { findCampaign, listDigestMessages, saveDigestMessage } from '../reviews/reviews.repository.js';
import { loadDigest } from '../reviews/reviews.usecases.js';
import type { Deps } from '../deps.js';
import { toGrantView } from '../grants/grants.usecases.js';
import { findGrant, findTask, listTasks, saveTaskMessage } from '../grants/grants.repository.js';
import { TASK_STEPS } from '../grants/grants.table.js';
import { findApprover, listApproverMessages, saveApproverMessage } from '../requests/requests.repository.js';
import { loadRequestView } from '../requests/requests.usecases.js';
import { findOutbox, markOutboxSent, recordOutboxFailure } from './notifications.repository.js';
import { PermanentDeliveryError, type ReviewSummary } from './notifications.ports.js';

const requestPayload = z.object({ requestId: z.string().uuid() });
const approverPayload = requestPayload.extend({ approverId: z.string().min(1) });
const grantPayload = z.object({ grantId: z.string().uuid() });
const reviewPayload = z.object({ campaignId: z.string().uuid(), ownerId: z.string().min(1) });
const grantToPayload = grantPayload.extend({ to: z.string().min(1) });
const provisionFailedPayload = grantToPayload.extend({ error: z.string().max(500).optional() });
const taskPayload = grantPayload.extend({ step: z.enum(TASK_STEPS) });
const taskToPayload = taskPayload.extend({ to: z.string().min(1) });

export type DeliveryOutcome = 'sent' | 'already_done' | 'failed';

/**
 * Delivers one outbox message. Each row is one message to one person (or one set of in-place
 * updates), so a retry repeats only what failed. Permanent failures are recorded and not retried.
 */
export async function deliverMessage(deps: Deps, outboxId: number): Promise<DeliveryOutcome> {
  const row = await findOutbox(deps.db, outboxId);
  if (!row || row.status !== 'pending') return 'already_done';
  try {
    await send(deps, row.kind, row.payload);
  } catch (err) {
    const permanent = err instanceof PermanentDeliveryError || err instanceof z.ZodError;
    await recordOutboxFailure(deps.db, outboxId, err instanceof Error ? err.message : String(err), permanent);
    if (permanent) {
      deps.logger.error({ outboxId, kind: row.kind, err }, 'message cannot be delivered; giving up');
      return 'failed';
    }
    throw err;
  }
  await markOutboxSent(deps.db, outboxId, deps.clock.now());
  return 'sent';
}

async function send(deps: Deps, kind: string, payload: unknown): Promise<void> {
  switch (kind) {
    case 'approval_request': {
      const { requestId, approverId } = approverPayload.parse(payload);
      const approver = await findApprover(deps.db, requestId, approverId);
      if (approver?.messageTs) return; // posted on an earlier attempt
      const view = await mustLoad(deps, requestId);
      if (view.status !== 'pending') return; // decided before this approver was asked: nothing to ask
      const ref = await deps.notifier.askApprover(approverId, view);
      const timeZone = await deps.people.timeZone(approverId).catch(() => undefined);
      await saveApproverMessage(deps.db, requestId, approverId, ref.channelId, ref.ts, deps.clock.now(), timeZone);
      // A decision may have landed while this was posting: make sure no live buttons remain.
      const after = await mustLoad(deps, requestId);
      if (after.status !== 'pending') await deps.notifier.updateApproverMessage(ref, after);
      return;
    }
    case 'approver_messages': {
      const { requestId } = requestPayload.parse(payload);
      const view = await mustLoad(deps, requestId);
      for (const m of await listApproverMessages(deps.db, requestId)) {
        await deps.notifier.updateApproverMessage({ channelId: m.channelId!, ts: m.messageTs! }, view);
      }
      return;
    }
    case 'decision':
      return deps.notifier.tellRequesterOfDecision(await mustLoad(deps, requestPayload.parse(payload).requestId));
    case 'approval_reminder': {
      const { requestId, approverId } = approverPayload.parse(payload);
      const view = await mustLoad(deps, requestId);
      if (view.status !== 'pending' || view.approvedBy.includes(approverId)) return;
      return deps.notifier.remindApprover(approverId, view);
    }
    case 'request_expired':
      return deps.notifier.tellRequestExpired(await mustLoad(deps, requestPayload.parse(payload).requestId));
    case 'grant_extended':
      return deps.notifier.tellGrantExtended(await mustLoadGrant(deps, grantPayload.parse(payload).grantId));
    case 'expiry_reminder': {
      const { grantId, lead } = grantPayload.extend({ lead: z.enum(['24h', '1h']) }).parse(payload);
      const grant = await mustLoadGrant(deps, grantId);
      if (grant.status !== 'active') return;
      return deps.notifier.remindExpiry(grant, lead);
    }
    case 'sensitive_nudge':
    case 'security_alert': {
      const nudge = await findNudge(deps.db, Number(z.object({ nudgeId: z.string().regex(/^\d+$/) }).parse(payload).nudgeId));
      if (!nudge) throw new PermanentDeliveryError('nudge not found');
      const view = { id: nudge.id, userId: nudge.userId, channelId: nudge.channelId, messageTs: nudge.messageTs, detectors: nudge.detectors, nudged: nudge.nudged };
      if (kind === 'sensitive_nudge') return deps.notifier.coachPoster(view);
      const channel = deps.catalog.sensitiveData?.alertChannel;
      return channel ? deps.notifier.alertSecurity(channel, view) : undefined;
    }
    case 'review_digest': {
      const { campaignId, ownerId } = reviewPayload.parse(payload);
      if ((await listDigestMessages(deps.db, campaignId, ownerId)).length) return; // sent on an earlier attempt
      const digest = await loadDigest(deps, campaignId, ownerId);
      if (!digest || digest.datasets.length === 0) return;
      const refs = await deps.notifier.sendDigest(digest);
      for (const [part, ref] of refs.entries()) {
        await saveDigestMessage(deps.db, { campaignId, ownerId, part, channelId: ref.channelId, messageTs: ref.ts });
      }
      return;
    }
    case 'review_digest_update': {
      const { campaignId, ownerId } = reviewPayload.parse(payload);
      const messages = await listDigestMessages(deps.db, campaignId, ownerId);
      const digest = await loadDigest(deps, campaignId, ownerId);
      if (!digest || messages.length === 0) return;
      return deps.notifier.updateDigest(messages.map((m) => ({ channelId: m.channelId, ts: m.messageTs })), digest);
    }
    case 'review_reminder': {
      const { campaignId, ownerId } = reviewPayload.parse(payload);
      const digest = await loadDigest(deps, campaignId, ownerId);
      if (!digest?.open) return;
      digest.datasets = digest.datasets.map((d) => ({ ...d, items: d.items.filter((i) => !i.decision) })).filter((d) => d.items.length);
      if (digest.datasets.length) await deps.notifier.remindReview(digest);
      return;
    }
    case 'review_summary': {
      const { campaignId } = z.object({ campaignId: z.string().uuid() }).parse(payload);
      const campaign = await findCampaign(deps.db, campaignId);
      const channel = deps.catalog.review?.channel;
      if (!campaign?.summary || !channel) return;
      const raw = campaign.summary as Record<string, unknown>;
      return deps.notifier.postReviewSummary(channel, { ...(raw as unknown as ReviewSummary), startedAt: new Date(String(raw.startedAt)) });
    }
    case 'hygiene_tip': {
      const { userId, tip } = z.object({ userId: z.string().min(1), tip: z.string().regex(/^\d+$/) }).parse(payload);
      const text = deps.catalog.handlingPolicy?.tips[Number(tip)];
      return text ? deps.notifier.sendTip(userId, text) : undefined;
    }
    case 'request_received':
      return deps.notifier.confirmRequestReceived(await mustLoad(deps, requestPayload.parse(payload).requestId));
    case 'grant_expired':
      return deps.notifier.tellGrantExpired(await mustLoadGrant(deps, grantPayload.parse(payload).grantId));
    case 'access_ready':
      return deps.notifier.tellAccessReady(await mustLoadGrant(deps, grantPayload.parse(payload).grantId));
    case 'provision_failed': {
      const { grantId, to, error } = provisionFailedPayload.parse(payload);
      const grant = await mustLoadGrant(deps, grantId);
      // the grant's own last error is cleared as it moves on; the payload keeps what went wrong
      return deps.notifier.tellProvisioningFailed(to, { ...grant, lastError: error ?? grant.lastError });
    }
    case 'revoke_stuck': {
      const { grantId, to } = grantToPayload.parse(payload);
      const grant = await mustLoadGrant(deps, grantId);
      if (grant.status !== 'revoking') return; // resolved before the alert went out
      return deps.notifier.alertRevokeStuck(to, grant);
    }
    case 'task': {
      const { grantId, step, to } = taskToPayload.parse(payload);
      const task = await findTask(deps.db, grantId, step, to);
      if (task?.messageTs) return; // posted on an earlier attempt
      const grant = await mustLoadGrant(deps, grantId);
      const ref = await deps.notifier.askForTask(to, { grant, step, doneBy: null });
      await saveTaskMessage(deps.db, grantId, step, to, ref.channelId, ref.ts);
      return;
    }
    case 'task_reminder': {
      const { grantId, step, to } = taskToPayload.parse(payload);
      const grant = await mustLoadGrant(deps, grantId);
      if (grant.status !== (step === 'grant' ? 'provisioning' : 'revoking')) return;
      return deps.notifier.remindTask(to, { grant, step, doneBy: null });
    }
    case 'task_messages': {
      const { grantId, step } = taskPayload.parse(payload);
      const grant = await mustLoadGrant(deps, grantId);
      const doneBy = await doneByFor(deps, grantId, step);
      for (const t of await listTasks(deps.db, grantId, step)) {
        if (t.channelId && t.messageTs) await deps.notifier.updateTaskMessage({ channelId: t.channelId, ts: t.messageTs }, { grant, step, doneBy });
      }
      return;
    }
    default:
      throw new PermanentDeliveryError(`unknown message kind ${kind}`);
  }
}

async function mustLoad(deps: Deps, requestId: string) {
  const view = await loadRequestView(deps, requestId);
  if (!view) throw new PermanentDeliveryError('request not found');
  return view;
}

async function mustLoadGrant(deps: Deps, grantId: string) {
  const grant = await findGrant(deps.db, grantId);
  if (!grant) throw new PermanentDeliveryError('grant not found');
  return toGrantView(deps, grant);
}

/** Who confirmed a manual step, from the audit trail (the actor of the event that moved the grant). */
async function doneByFor(deps: Deps, grantId: string, step: 'grant' | 'revoke'): Promise<string | null> {
  const events = await listAuditFor(deps.db, 'grant', grantId);
  const wanted = step === 'grant' ? ['grant.activated'] : ['grant.expired', 'grant.revoked', 'grant.cleaned_up'];
  return events.reverse().find((e) => wanted.includes(e.action))?.actorId ?? null;
}
