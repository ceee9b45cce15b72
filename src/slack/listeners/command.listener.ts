import type { Deps } from '../../modules/deps.js';
import type { Logger } from '../../shared/logger.js';
import { textErrors, textProblem } from '../../shared/text.js';
import { slackErrorText } from '../errors.render.js';
import { COMMAND } from '../ids.js';
import { auditCommand } from './commands/audit.command.js';
import { cancelCommand } from './commands/cancel.command.js';
import { ackText, type CommandContext, type CommandHandler } from './commands/command.context.js';
import { datasetsCommand } from './commands/datasets.command.js';
import { extendCommand } from './commands/extend.command.js';
import { helpCommand } from './commands/help.command.js';
import { listCommand } from './commands/list.command.js';
import { releaseCommand } from './commands/release.command.js';
import { reportCommand } from './commands/report.command.js';
import { formCommand, requestCommand } from './commands/request.command.js';
import { reviewCommand } from './commands/review.command.js';
import { revokeCommand } from './commands/revoke.command.js';
import type { CommandAck, CommandRespond } from './respond.js';
import type { ListenerRegistry } from './router.js';

export { parseUser } from './commands/command.context.js';

/** Each sub-command's handler, in its own file under ./commands. */
const SUB_COMMANDS: Record<string, CommandHandler> = {
  request: requestCommand,
  release: releaseCommand,
  revoke: revokeCommand,
  extend: extendCommand,
  cancel: cancelCommand,
  review: reviewCommand,
  report: reportCommand,
  list: listCommand,
  datasets: datasetsCommand,
  audit: auditCommand,
  help: (ctx) => helpCommand(ctx),
};

/** `/access …`: refuses unusable text, then routes to the sub-command's handler. */
export function registerCommandListener(app: ListenerRegistry, deps: Deps): void {
  app.command(COMMAND, async ({ command, ack, respond, client }) => {
    // made when first used: most commands log nothing
    let log: Logger | undefined;
    const commandAck = ack as CommandAck;
    // refused before anything is parsed, stored or opened
    const problem = textProblem(command.text, 'command');
    if (problem) return ackText({ ack: commandAck }, slackErrorText(problem === 'too_long' ? textErrors.tooLong('command') : textErrors.controlCharacters('command')));
    const [first, ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    const ctx: CommandContext = {
      deps,
      userId: command.user_id,
      triggerId: command.trigger_id,
      args,
      ack: commandAck,
      respond: respond as CommandRespond,
      client,
      get log() {
        return (log ??= deps.logger.child({ listener: 'command', user: command.user_id }));
      },
      timeZone: () => deps.people.timeZone(command.user_id),
    };
    const sub = first?.toLowerCase();
    if (sub === undefined) return formCommand(ctx);
    const handler = Object.hasOwn(SUB_COMMANDS, sub) ? SUB_COMMANDS[sub] : undefined;
    return handler ? handler(ctx) : helpCommand(ctx, sub);
  });
}
