import { listMyAccess } from '../../../modules/requests/requests.usecases.js';
import { myAccessReply } from '../../blocks/command.blocks.js';
import { answerWithin } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access list`: pending requests and held access. */
export async function listCommand(ctx: CommandContext): Promise<void> {
  return answerWithin(ctx.ack, ctx.respond, async () => myAccessReply(await listMyAccess(ctx.deps, ctx.userId), await ctx.timeZone()), ctx.log);
}
