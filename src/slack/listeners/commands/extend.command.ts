import { requestExtension } from '../../../modules/requests/extensions.usecases.js';
import { formatWhen } from '../../blocks/format.js';
import { COMMAND } from '../../ids.js';
import { answerWithin } from '../respond.js';
import { ackText, type CommandContext } from './command.context.js';

/** `/access extend <dataset> <duration> [reason…]`: more time, at once or through the approvers. */
export async function extendCommand(ctx: CommandContext): Promise<void> {
  const [datasetId, duration, ...rest] = ctx.args;
  if (!datasetId || !duration) {
    return ackText(ctx, `Usage: \`${COMMAND} extend &lt;dataset&gt; &lt;duration&gt; [reason…]\`, e.g. \`${COMMAND} extend crm-contacts 2d still cleaning the list\``);
  }
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => {
      const result = await requestExtension(ctx.deps, { userId: ctx.userId, datasetId, duration, reason: rest.join(' ') || undefined });
      if (result.kind === 'extended') return { text: `:white_check_mark: Extended: your access now lasts until ${formatWhen(result.endsAt, await ctx.timeZone())}.` };
      return { text: `:inbox_tray: Your extension request was sent to ${result.request.approverIds.map((a) => `<@${a}>`).join(', ')}.` };
    },
    ctx.log,
    ctx.timeZone,
  );
}
