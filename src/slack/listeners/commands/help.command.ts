import { quoteTyped } from '../../../shared/text.js';
import { HELP_TEXT } from '../../blocks/command.blocks.js';
import { errorReply } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access help`, and any sub-command not known (with a note saying so). */
export async function helpCommand(ctx: CommandContext, unknown?: string): Promise<void> {
  const text = unknown === undefined ? HELP_TEXT : `I don't know \`${quoteTyped(unknown.replace(/[<>&]/g, ''))}\`. Here is what I can do:\n${HELP_TEXT}`;
  await ctx.ack({ response_type: 'ephemeral', text }).catch((err) => errorReply(err, ctx.log));
}
