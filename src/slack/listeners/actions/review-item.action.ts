import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { decideReviewItem } from '../../../modules/reviews/reviews.usecases.js';
import { ACTION_IDS } from '../../ids.js';
import { replyPrivately } from '../replies.js';
import { errorReply } from '../respond.js';
import { UUID_RE } from './action.parse.js';
import type { ListenerRegistry } from '../router.js';

/**
 * Keep / Revoke on one grant, from a review digest, the `/access review` list or the Home tab.
 * Owners and admins only, checked on the server; each item is decided once.
 */
export function registerReviewItemAction(app: ListenerRegistry, deps: Deps, afterAction: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'review' });
  for (const [actionId, decision] of [
    [ACTION_IDS.reviewKeep, 'keep'],
    [ACTION_IDS.reviewRevoke, 'revoke'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, client }) => {
      await ack();
      const say = replyPrivately(client, body, log);
      if (!UUID_RE.test(action.value ?? '')) return say('That button is not valid any more.');
      try {
        const { changed, item } = await decideReviewItem(deps, action.value!, body.user.id, decision);
        if (!changed) await say(`Already decided: ${item.decision === 'keep' ? 'kept' : 'revoked'} ${item.automatic ? "by the dataset's policy at the review's deadline" : `by <@${item.decidedBy}>`}.`);
      } catch (err) {
        await say(errorReply(err, log).text);
      }
      await afterAction(body.user.id);
    });
  }
}
