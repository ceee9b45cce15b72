import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../modules/deps.js';
import { decideReviewDataset, decideReviewItem } from '../../modules/reviews/reviews.usecases.js';
import { grantCount, parseBulkValue } from '../blocks/review.blocks.js';
import { ACTION_IDS } from '../ids.js';
import { replyPrivately } from './replies.js';
import { errorReply } from './respond.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keep / Revoke on one grant, and Keep all / Revoke all on a dataset, from a review digest, the
 * `/access review` list or the Home tab. Owners and admins only, checked on the server; each
 * item is decided once and the digests are redrawn by a job.
 */
export function registerReviewListeners(app: App, deps: Deps, afterAction: (userId: string) => Promise<void>): void {
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
