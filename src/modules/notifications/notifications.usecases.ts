import { z } from 'zod';
import type { Deps } from '../deps.js';
import { datasetName } from '../grants/grants.usecases.js';
import { findGrant } from '../grants/grants.repository.js';
import { findApprover, listApproverMessages, saveApproverMessage } from '../requests/requests.repository.js';
import { loadRequestView } from '../requests/requests.usecases.js';
import { findOutbox, markOutboxSent, recordOutboxFailure } from './notifications.repository.js';
import { PermanentDeliveryError } from './notifications.ports.js';

const requestPayload = z.object({ requestId: z.string().uuid() });
const approverPayload = requestPayload.extend({ approverId: z.string().min(1) });
const grantPayload = z.object({ grantId: z.string().uuid() });

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
      deps.logger.error({ outboxId, kind: row.kind, err: String(err) }, 'message cannot be delivered; giving up');
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
      await saveApproverMessage(deps.db, requestId, approverId, ref.channelId, ref.ts);
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
    case 'request_received':
      return deps.notifier.confirmRequestReceived(await mustLoad(deps, requestPayload.parse(payload).requestId));
    case 'grant_expired': {
      const grant = await findGrant(deps.db, grantPayload.parse(payload).grantId);
      if (!grant) throw new PermanentDeliveryError('grant not found');
      return deps.notifier.tellGrantExpired({
        id: grant.id,
        userId: grant.userId,
        dataset: { id: grant.datasetId, name: datasetName(deps, grant.datasetId) },
        endsAt: grant.endsAt,
      });
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
