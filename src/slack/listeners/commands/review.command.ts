import { myOpenReviewItems, startReview } from '../../../modules/reviews/reviews.usecases.js';
import { formatWhen } from '../../blocks/format.js';
import { buildDigestParts } from '../../blocks/review.blocks.js';
import { answerWithin } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access review`: the caller's undecided items, with Keep and Revoke. */
export async function reviewCommand(ctx: CommandContext): Promise<void> {
  if (ctx.args[0]?.toLowerCase() === 'start') return reviewStartCommand(ctx);
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => {
      const digest = await myOpenReviewItems(ctx.deps, ctx.userId);
      if (!digest || digest.datasets.length === 0) return { text: 'Nothing to review right now. Thank you for keeping access small.' };
      const [first] = buildDigestParts(digest);
      return { text: 'Your open review items', blocks: first!.blocks };
    },
    ctx.log,
    ctx.timeZone,
  );
}

/** `/access review start`: admins start an access review now. */
async function reviewStartCommand(ctx: CommandContext): Promise<void> {
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => {
      const { campaign, created } = await startReview(ctx.deps, ctx.userId);
      return {
        text: created
          ? `:mag: Access review started. Owners are getting their digests now; it closes ${formatWhen(campaign.deadline, await ctx.timeZone())}.`
          : `An access review is already open until ${formatWhen(campaign.deadline, await ctx.timeZone())}.`,
      };
    },
    ctx.log,
    ctx.timeZone,
  );
}
