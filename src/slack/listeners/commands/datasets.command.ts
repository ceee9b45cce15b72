import { datasetsReply } from '../../blocks/command.blocks.js';
import { answerWithin } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access datasets`: the catalog. */
export async function datasetsCommand(ctx: CommandContext): Promise<void> {
  return answerWithin(ctx.ack, ctx.respond, async () => datasetsReply(ctx.deps.catalog), ctx.log);
}
