import { actorId, type Actor } from '../../shared/actor.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { toGrantView } from '../grants/grants.usecases.js';
import { findGrant } from '../grants/grants.repository.js';
import { loadRequestView } from '../requests/requests.usecases.js';
import { loadDigest } from '../reviews/reviews.usecases.js';
import type { MessageContext } from './messages/message.js';
import { InvalidMessageError, readMessage } from './messages/messages.js';
import { findOutbox, listPendingOutbox, markOutboxSent, recordOutboxFailure } from './notifications.repository.js';
import { DeliveryRateLimitedError, PermanentDeliveryError } from './notifications.ports.js';

export type DeliveryOutcome = 'sent' | 'already_done' | 'failed';

/**
 * Delivers one outbox message. Each row is one message to one person (or one set of in-place
 * updates), so a retry repeats only what failed. Permanent failures (an unknown kind, a payload
 * that does not match its kind, a refusal no retry can fix) are recorded, logged and not retried.
 */
export async function deliverMessage(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'messenger' | 'people' | 'logger'>, outboxId: number): Promise<DeliveryOutcome> {
  const row = await findOutbox(deps.db, outboxId);
  if (!row || row.status !== 'pending') return 'already_done';
  try {
    const { definition, payload } = readMessage(row.kind, row.payload);
    await definition.deliver(messageContext(deps), payload);
  } catch (err) {
    // not a failure of this message: it waits its turn without using up an attempt
    if (err instanceof DeliveryRateLimitedError) throw err;
    const permanent = err instanceof PermanentDeliveryError || err instanceof InvalidMessageError;
    await recordOutboxFailure(deps.db, outboxId, err instanceof Error ? err.message : String(err), permanent);
    if (permanent) {
      const problem = err instanceof InvalidMessageError ? err.problem : 'refused';
      const issues = err instanceof InvalidMessageError ? err.issues : undefined;
      deps.logger.error({ outboxId, kind: row.kind, problem, issues, err: err instanceof InvalidMessageError ? undefined : err }, 'message cannot be delivered; giving up');
      return 'failed';
    }
    throw err;
  }
  await markOutboxSent(deps.db, outboxId, deps.clock.now());
  return 'sent';
}

function messageContext(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'messenger' | 'people'>): MessageContext {
  return {
    db: deps.db,
    clock: deps.clock,
    catalog: deps.catalog,
    timeZone: (userId) => deps.people.timeZone(userId),
    messenger: deps.messenger,
    views: {
      request: (requestId) => loadRequestView(deps, requestId),
      grant: async (grantId) => {
        const grant = await findGrant(deps.db, grantId);
        return grant && toGrantView(deps, grant);
      },
      digest: (campaignId, ownerId) => loadDigest(deps, campaignId, ownerId),
    },
  };
}

const RESEND_BATCH = 500;

/**
 * Enqueues again every message still undelivered after `olderThanMs` (what the reconciler does
 * each minute, on demand). Delivery is idempotent per message, so a message already queued is not
 * sent twice. The request is audited (`messages.resent`) with how many were enqueued.
 */
export async function resendUndelivered(deps: Pick<Deps, 'db' | 'clock' | 'jobs'>, actor: Actor, olderThanMs: number): Promise<{ requeued: number; outboxIds: number[] }> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - olderThanMs);
  const outboxIds: number[] = [];
  for (let after = 0; ; ) {
    const batch = await listPendingOutbox(deps.db, cutoff, RESEND_BATCH, after);
    await deps.jobs.enqueueDeliveries(batch);
    outboxIds.push(...batch);
    if (batch.length < RESEND_BATCH) break;
    after = batch[batch.length - 1]!;
  }
  await appendAudit(deps.db, {
    at: now,
    actorId: actorId(actor),
    action: 'messages.resent',
    subjectType: 'outbox',
    subjectId: 'undelivered',
    details: { requeued: outboxIds.length, olderThanSeconds: Math.round(olderThanMs / 1000), firstId: outboxIds[0] ?? null, lastId: outboxIds.at(-1) ?? null },
  });
  return { requeued: outboxIds.length, outboxIds };
}
