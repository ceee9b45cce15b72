import type { Command } from 'commander';
import { resendUndelivered } from '../../modules/notifications/notifications.usecases.js';
import { actorId } from '../../shared/actor.js';
import { cliActor, durationMs, EXIT, printJson } from './context.js';
import { openOperatorSession } from './operator.js';

export function registerMessagesResend(messages: Command): void {
  messages
    .command('resend')
    .description('Queue again every message to people still undelivered (what the reconciler does every minute, now). Each is still sent at most once.')
    .option('--older-than <duration>', 'only messages waiting at least this long (30m, 4h, 2d)', durationMs, 5 * 60_000)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nNeeds the bot\'s Redis (REDIS_URL, QUEUE_PREFIX). Audited as messages.resent by cli:<os user>.\nExit codes: 0 done, 2 usage or connection error.')
    .action(async (opts: { olderThan: number; json?: boolean }) => {
      const session = await openOperatorSession({ redis: 'required' });
      try {
        const actor = cliActor();
        const result = await resendUndelivered(session.deps, actor, opts.olderThan);
        if (opts.json) printJson({ ok: true, requeued: result.requeued, outboxIds: result.outboxIds, actor: actorId(actor) });
        else console.log(result.requeued ? `Queued ${result.requeued} undelivered message${result.requeued === 1 ? '' : 's'} again.` : 'No undelivered messages that old.');
        process.exitCode = EXIT.ok;
      } finally {
        await session.close();
      }
    });
}
