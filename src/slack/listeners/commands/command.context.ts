import type { Deps } from '../../../modules/deps.js';
import type { Logger } from '../../../shared/logger.js';
import type { Client } from '../replies.js';
import type { CommandAck, CommandRespond } from '../respond.js';

/** What every `/access …` sub-command gets: who asked, the words after the sub-command, and how to answer. */
export interface CommandContext {
  deps: Deps;
  userId: string;
  triggerId: string;
  /** The words after the sub-command, as typed. */
  args: string[];
  ack: CommandAck;
  respond: CommandRespond;
  client: Client;
  log: Logger;
  /** The caller's time zone, looked up only when an answer shows a time. */
  timeZone: () => Promise<string | undefined>;
}

export type CommandHandler = (ctx: CommandContext) => Promise<void>;

/** An answer known without any work (a usage line): acknowledged at once. */
export async function ackText(ctx: Pick<CommandContext, 'ack'>, text: string): Promise<void> {
  await ctx.ack({ response_type: 'ephemeral', text });
}

/** A user as Slack escapes it in command text (<@U123|name>), or a bare id. */
export function parseUser(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const m = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^([UW][A-Z0-9]{2,})$/.exec(word);
  return m?.[1];
}
