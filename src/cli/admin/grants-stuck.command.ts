import type { Command } from 'commander';
import { troubledGrants } from '../../modules/grants/listing.usecases.js';
import { EXIT, positiveInt } from './context.js';
import { printListing, type Listing } from './listing.format.js';
import { openOperatorSession } from './operator.js';
import { isoOrDash } from './table.format.js';

const TROUBLE_TEXT = { stuck_revoke: 'revoke stuck', manual_revoke: 'manual revoke to do', failed: 'never given (failed)' } as const;

const TROUBLE_LISTING: Listing<Awaited<ReturnType<typeof troubledGrants>>[number]> = {
  key: 'grants',
  empty: 'Nothing is stuck.',
  header: ['grant', 'trouble', 'dataset', 'person', 'since', 'last error'],
  row: ({ grant: g, trouble }) => [g.id, TROUBLE_TEXT[trouble], g.datasetId, g.userId, isoOrDash(g.alertedAt ?? g.endedAt), g.lastError ?? '-'],
  json: ({ grant: g, trouble }) => ({
    id: g.id,
    trouble,
    datasetId: g.datasetId,
    userId: g.userId,
    status: g.status,
    endReason: g.endReason,
    lastError: g.lastError,
    alertedAt: g.alertedAt,
    nextAttemptAt: g.nextAttemptAt,
    endedAt: g.endedAt,
  }),
};

export function registerGrantsStuck(grants: Command): void {
  grants
    .command('stuck')
    .description('What needs a person: revokes stuck after their retries, manual revokes still to do, and grants the target system never gave.')
    .option('--limit <n>', 'at most this many of each', (v) => positiveInt(v, '--limit'), 100)
    .option('--json', 'print them as one JSON document')
    .addHelpText('after', '\nResolve a stuck revoke, once the access is gone, with `grants resolve <grant-id>`.\nExit codes: 0 done, 2 usage or connection error.')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const session = await openOperatorSession({ redis: 'none' });
      try {
        const rows = await troubledGrants(session.deps, opts.limit);
        printListing(rows, TROUBLE_LISTING, opts.json);
        process.exitCode = EXIT.ok;
      } finally {
        await session.close();
      }
    });
}
