import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { decideReviewDataset } from '../../../modules/reviews/reviews.usecases.js';
import { grantCount, parseBulkValue } from '../../blocks/review.blocks.js';
import { ACTION_IDS } from '../../ids.js';
import { replyPrivately } from '../replies.js';
import { errorReply } from '../respond.js';
import type { ListenerRegistry } from '../router.js';

/** Keep all / Revoke all on a dataset from a review digest; the digests are redrawn by a job. */
export function registerReviewDatasetAction(app: ListenerRegistry, deps: Deps, afterAction: (userId: string) => Promise<void>): void {
  const log = deps.logger.child({ listener: 'review' });
  for (const [actionId, decision] of [
    [ACTION_IDS.reviewKeepAll, 'keep'],
    [ACTION_IDS.reviewRevokeAll, 'revoke'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, client }) => {
      await ack();
      const say = replyPrivately(client, body, log);
      const target = parseBulkValue(action.value ?? '');
      if (!target) return say('That button is not valid any more.');
      try {
        const { decided, ownLeft } = await decideReviewDataset(deps, target.campaignId, target.datasetId, body.user.id, decision);
        const own = ownLeft ? ' Your own grant is left to another owner or an access admin: nobody reviews their own access.' : '';
        await say(decided ? `${decision === 'keep' ? 'Kept' : 'Revoked'} ${grantCount(decided)} on \`${target.datasetId}\`.${own}` : `Nothing left for you to review on that dataset.${own}`);
      } catch (err) {
        await say(errorReply(err, log).text);
      }
      await afterAction(body.user.id);
    });
  }
}
