import type { Command } from 'commander';
import { confirmTask } from '../../modules/grants/provisioning.usecases.js';
import { actorId } from '../../shared/actor.js';
import { isAppError } from '../../shared/errors.js';
import { CliError, cliActor, EXIT, printJson } from './context.js';
import { openOperatorSession } from './operator.js';

export function registerGrantsResolve(grants: Command): void {
  grants
    .command('resolve')
    .description('"I removed it by hand": record that a stuck revoke (or a manual dataset\'s revoke) was done by a person, as the button in Slack does.')
    .argument('<grant-id>', 'a grant whose revoke is stuck (see `grants stuck`)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nOnly for a revoke whose retries ran out (owners and admins were alerted) or a manual one; the grant ends and its holder is told.\n' +
        'Remove the access in the target system first. Audited by cli:<os user>.\n' +
        'Exit codes: 0 resolved, 1 refused (not stuck, already done), 2 usage or connection error, 3 no such grant.',
    )
    .action(async (grantId: string, opts: { json?: boolean }) => {
      const session = await openOperatorSession({ redis: 'if_set' });
      try {
        const actor = cliActor();
        const grant = await confirmTask(session.deps, grantId.trim(), actor, 'revoke').catch((err: unknown) => {
          throw nothingToResolve(err, grantId.trim()) ?? err;
        });
        if (opts.json) printJson({ ok: true, grantId: grant.id, datasetId: grant.datasetId, userId: grant.userId, actor: actorId(actor) });
        else console.log(`Recorded: ${grant.userId}'s access to ${grant.datasetId} (grant ${grant.id}) was removed by hand.`);
        process.exitCode = EXIT.ok;
      } finally {
        await session.close();
      }
    });
}

/** The Slack wording ("Already done: this access is active now") read from a terminal: say what to run instead. */
function nothingToResolve(err: unknown, grantId: string): CliError | undefined {
  if (!isAppError(err) || err.code !== 'grants.task_already_done') return undefined;
  const status = String((err.params as { status?: unknown }).status ?? 'changed');
  const next = status === 'active' ? ` To end it now, run \`grants revoke ${grantId}\`.` : '';
  return new CliError(`Grant ${grantId} is ${status}, not waiting for a revoke: there is nothing to resolve.${next}`, EXIT.failed, err.code);
}
