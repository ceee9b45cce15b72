import { revokeGrantOf } from '../../../modules/grants/endings.usecases.js';
import { COMMAND } from '../../ids.js';
import { answerWithin } from '../respond.js';
import { ackText, parseUser, type CommandContext } from './command.context.js';

/** `/access revoke @person <dataset> [reason…]`: owners and admins take access away now. */
export async function revokeCommand(ctx: CommandContext): Promise<void> {
  const userId = parseUser(ctx.args[0]);
  const datasetId = ctx.args[1];
  if (!userId || !datasetId) return ackText(ctx, `Usage: \`${COMMAND} revoke @person &lt;dataset&gt; [reason…]\``);
  const reason = ctx.args.slice(2).join(' ') || undefined;
  return answerWithin(
    ctx.ack,
    ctx.respond,
    async () => {
      await revokeGrantOf(ctx.deps, ctx.userId, userId, datasetId, reason);
      return { text: `:white_check_mark: Revoking <@${userId}>'s access to \`${datasetId.toLowerCase()}\` now; they will be told${reason ? ' why' : ''}.` };
    },
    ctx.log,
    ctx.timeZone,
  );
}
