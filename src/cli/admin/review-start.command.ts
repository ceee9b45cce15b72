import type { Command } from 'commander';
import { startReview } from '../../modules/reviews/reviews.usecases.js';
import { actorId } from '../../shared/actor.js';
import { cliActor, EXIT, printJson } from './context.js';
import { openOperatorSession, RECONCILER_NOTE } from './operator.js';

export function registerReviewStart(review: Command): void {
  review
    .command('start')
    .description('Start an access review now, as `/access review start` does: every active grant becomes an item and each reviewer gets a digest.')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nWhen a review is already open, says so and changes nothing. Audited as review.started by cli:<os user>.\nExit codes: 0 started or already open, 2 usage or connection error.')
    .action(async (opts: { json?: boolean }) => {
      const session = await openOperatorSession({ redis: 'if_set' });
      try {
        const actor = cliActor();
        const { campaign, created } = await startReview(session.deps, actor);
        if (opts.json) printJson({ ok: true, created, campaignId: campaign.id, deadline: campaign.deadline, startedBy: campaign.startedBy, actor: actorId(actor) });
        else console.log(created ? `Access review ${campaign.id} started; it closes ${campaign.deadline.toISOString()}.` : `Access review ${campaign.id} is already open until ${campaign.deadline.toISOString()}; nothing was changed.`);
        if (created && !session.queued) process.stderr.write(`${RECONCILER_NOTE}\n`);
        process.exitCode = EXIT.ok;
      } finally {
        await session.close();
      }
    });
}
