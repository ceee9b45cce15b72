import type { Command } from 'commander';
import { revokeGrantById } from '../../modules/grants/endings.usecases.js';
import { actorId } from '../../shared/actor.js';
import { cliActor, EXIT, printJson } from './context.js';
import { openOperatorSession, RECONCILER_NOTE } from './operator.js';

export function registerGrantsRevoke(grants: Command): void {
  grants
    .command('revoke')
    .description('Take access away now, as `/access revoke` does: through the dataset\'s connector (or its owners, for a manual dataset); the person is told who and why.')
    .argument('<grant-id>', 'the grant (see `grants list`)')
    .requiredOption('--reason <text>', 'why; the person is told (at most 500 characters)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nAudited as grant.revoke_started by cli:<os user>. Exit codes: 0 revoking, 1 refused (not active), 2 usage or connection error, 3 no such grant.')
    .action(async (grantId: string, opts: { reason: string; json?: boolean }) => {
      const session = await openOperatorSession({ redis: 'if_set' });
      try {
        const actor = cliActor();
        const grant = await revokeGrantById(session.deps, actor, grantId, opts.reason);
        if (opts.json) printJson({ ok: true, grantId: grant.id, datasetId: grant.datasetId, userId: grant.userId, status: grant.status, actor: actorId(actor) });
        else console.log(`Revoking ${grant.userId}'s access to ${grant.datasetId} (grant ${grant.id}); they will be told why.`);
        if (!session.queued) process.stderr.write(`${RECONCILER_NOTE}\n`);
        process.exitCode = EXIT.ok;
      } finally {
        await session.close();
      }
    });
}
