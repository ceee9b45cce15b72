import type { Tx } from '../../shared/db/client.js';
import { appendAudit } from '../audit/audit.repository.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import * as repo from './requests.repository.js';

/** Who closes an extension request when its grant ends: the bot, on the grant's behalf. */
export const GRANT_ENDED_ACTOR = 'system';

/**
 * A grant is ending (released, revoked, expired): its pending extension requests end with it, in
 * the same transaction, and every approver's message is updated so no button is left to click.
 * Returns the outbox ids to deliver once the transaction has committed.
 */
export async function closeExtensionsOfGrant(tx: Tx, grantId: string, endReason: string, now: Date): Promise<number[]> {
  const closed = await repo.closePendingExtensions(tx, grantId, GRANT_ENDED_ACTOR, now);
  for (const r of closed) {
    await appendAudit(tx, {
      at: now,
      actorId: GRANT_ENDED_ACTOR,
      action: 'request.closed',
      subjectType: 'request',
      subjectId: r.id,
      details: { datasetId: r.datasetId, requesterId: r.requesterId, kind: r.kind, grantId, because: `grant_${endReason}` },
    });
  }
  return addToOutbox(tx, now, closed.map((r) => outboxMessage('approver_messages', { requestId: r.id })));
}
