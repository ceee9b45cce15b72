import { releaseGrant } from '../../../modules/grants/endings.usecases.js';
import { COMMAND } from '../../ids.js';
import { answerWithin } from '../respond.js';
import { ackText, type CommandContext } from './command.context.js';

/** `/access release <dataset>`: give access back now. */
export async function releaseCommand(ctx: CommandContext): Promise<void> {
  const datasetId = ctx.args[0];
  if (!datasetId) return ackText(ctx, `Which dataset? \`${COMMAND} release &lt;dataset&gt;\``);
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => {
      await releaseGrant(ctx.deps, ctx.userId, datasetId);
      return { text: `:white_check_mark: Releasing your access to \`${datasetId.toLowerCase()}\` now. Thank you for keeping access small.` };
    },
    ctx.log,
    ctx.timeZone,
  );
}
