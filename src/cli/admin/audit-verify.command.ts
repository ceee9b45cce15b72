import type { Command } from 'commander';
import { verifyAuditChain } from '../../modules/audit/audit.usecases.js';
import { EXIT, openAdminDatabase, positiveInt, progressReporter } from './context.js';

export function registerAuditVerify(audit: Command): void {
  audit
    .command('verify')
    .description('Walk the whole audit chain in batches and name the first broken event (edited, deleted or inserted).')
    .option('--batch-size <n>', 'events read per query', (v) => positiveInt(v, '--batch-size'), 1000)
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', '\nExit codes: 0 the chain verifies, 1 it is broken, 2 usage or connection error.')
    .action(async (opts: { batchSize: number; json?: boolean; quiet?: boolean }) => {
      const database = await openAdminDatabase();
      try {
        const progress = progressReporter(!opts.quiet);
        const result = await verifyAuditChain(database.db, {
          batchSize: opts.batchSize,
          onProgress: (p) => progress(`verified ${p.checked} of ${p.headSeq} events`),
        });
        progress(`verified ${result.checked} of ${result.head.seq} events`, true);
        if (opts.json) {
          console.log(JSON.stringify(result));
        } else if (result.problem) {
          console.log(`BROKEN (${result.problem.kind}): ${result.problem.message}`);
        } else {
          console.log(`OK: ${result.checked} events chain to head #${result.head.seq} ${result.head.hash}`);
          if (result.unchainedLegacy) console.log(`note: ${result.unchainedLegacy} events from before the chain are chained at the bot's next audited change`);
        }
        process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
      } finally {
        await database.close();
      }
    });
}
