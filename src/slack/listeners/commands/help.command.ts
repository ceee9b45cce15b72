import { helpReply } from '../../blocks/command.blocks.js';
import { errorReply } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access help`, and any sub-command not known (with a note saying so). */
export async function helpCommand(ctx: CommandContext, unknown?: string): Promise<void> {
  const help = helpReply();
  const text = unknown === undefined ? help.text : `I don't know \`${unknown.replace(/[`<>&]/g, '').slice(0, 40)}\`. Here is what I can do:\n${help.text}`;
  await ctx.ack({ response_type: 'ephemeral', text }).catch((err) => errorReply(err, ctx.log));
}
