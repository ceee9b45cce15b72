import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { decideRequest, type DecisionResult } from '../../../modules/requests/decisions.usecases.js';
import { ACTION_IDS } from '../../ids.js';
import { replyPrivately } from '../replies.js';
import { errorReply } from '../respond.js';
import { alreadyDecidedText, UUID_RE } from './action.parse.js';
import type { ListenerRegistry } from '../router.js';

/**
 * Approve. The button only says which request; who may decide is checked on the server against
 * the catalog and the database, and the decision is guarded in SQL so it happens once.
 */
export function registerApproveAction(app: ListenerRegistry, deps: Deps, afterAction: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'decision' });
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.approve, async ({ ack, action, body, client }) => {
    await ack();
    const reply = replyPrivately(client, body, log);
    const requestId = action.value ?? '';
    if (!UUID_RE.test(requestId)) return reply('That button is not valid any more.');
    try {
      const text = outcomeText(await decideRequest(deps, requestId, body.user.id, { kind: 'approve' }));
      if (text) await reply(text);
    } catch (err) {
      await reply(errorReply(err, log).text);
    }
    await afterAction(body.user.id);
  });
}

/** What the clicker is told privately; nothing when the updated message says it all. */
function outcomeText(result: DecisionResult): string | undefined {
  const r = result.request;
  const missing = r.approvalsRequired - r.approvedBy.length;
  switch (result.outcome) {
    case 'approved':
    case 'denied':
      return undefined;
    case 'partial':
      return `:ballot_box_with_check: Your approval is recorded (${r.approvedBy.length} of ${r.approvalsRequired}). Waiting for ${missing} more.`;
    case 'already_approved_by_you':
      return `You already approved this request. Waiting for ${missing} more approval${missing === 1 ? '' : 's'}.`;
    default:
      return alreadyDecidedText(r.status);
  }
}
