import { cancelRequestForDataset } from '../../../modules/requests/requests.usecases.js';
import { COMMAND } from '../../ids.js';
import { answerWithin } from '../respond.js';
import { ackText, type CommandContext } from './command.context.js';

/** `/access cancel <dataset>`: withdraw a pending request. */
export async function cancelCommand(ctx: CommandContext): Promise<void> {
  const datasetId = ctx.args[0];
  if (!datasetId) return ackText(ctx, `Which request? \`${COMMAND} cancel &lt;dataset&gt;\``);
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => {
      await cancelRequestForDataset(ctx.deps, ctx.userId, datasetId);
      return { text: `Your request for \`${datasetId.toLowerCase()}\` is cancelled.` };
    },
    ctx.log,
  );
}
