import { section } from '../../blocks/format.js';
import { helpReply } from '../../blocks/command.blocks.js';
import { errorReply } from '../respond.js';
import type { CommandContext } from './command.context.js';

/** `/access help`, and any sub-command not known (with a note saying so). */
export async function helpCommand(ctx: CommandContext, unknown?: string): Promise<void> {
  const help = helpReply();
  let reply = help;
  if (unknown !== undefined) {
    const note = `I don't know \`${unknown.replace(/[`<>&]/g, '').slice(0, 40)}\`. Here is what I can do:`;
    reply = { text: `${note}\n${help.text}`, blocks: [section(note), ...(help.blocks ?? [])] };
  }
  await ctx.ack({ response_type: 'ephemeral', ...reply }).catch((err) => errorReply(err, ctx.log));
}
