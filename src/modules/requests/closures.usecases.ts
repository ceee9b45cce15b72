import type { Tx } from '../../shared/db/client.js';
import type { AuditEntry } from '../audit/audit.repository.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import * as repo from './requests.repository.js';

/** Who closes an extension request when its grant ends: the bot, on the grant's behalf. */
export const GRANT_ENDED_ACTOR = 'system';

/**
 * Grants are ending (released, revoked, expired; one or many at once): their pending extension
 * requests end with them, in the same transaction, and every approver's message is updated so no
 * button is left to click. The request rows are taken here, before the caller appends to the
 * audit chain (every path takes a grant, then its requests, then the chain's head); their
 * `request.closed` events are returned for the caller to append after the grants' own. Also
 * returns the outbox ids to deliver once the transaction has committed.
 */
export async function closeExtensionsOfGrants(tx: Tx, grantIds: string[], endReason: string, now: Date): Promise<{ audit: AuditEntry[]; outboxIds: number[] }> {
  const closed = await repo.closePendingExtensions(tx, grantIds, GRANT_ENDED_ACTOR, now);
  const audit = closed.map((r) => ({
    at: now,
    actorId: GRANT_ENDED_ACTOR,
    action: 'request.closed',
    subjectType: 'request' as const,
    subjectId: r.id,
    details: { datasetId: r.datasetId, requesterId: r.requesterId, kind: r.kind, grantId: r.grantId, because: `grant_${endReason}` },
  }));
  return { audit, outboxIds: await addToOutbox(tx, now, closed.map((r) => outboxMessage('approver_messages', { requestId: r.id }))) };
}
