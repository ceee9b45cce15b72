import type { Command } from 'commander';
import { findGrants } from '../../modules/grants/listing.usecases.js';
import { GRANT_STATUSES, type GrantStatus } from '../../modules/grants/grants.table.js';
import type { Grant } from '../../modules/grants/index.js';
import { dateOrDuration, EXIT, listOf, openAdminDatabase, positiveInt, slackUserId } from './context.js';
import { printListing, type Listing } from './listing.format.js';
import { isoOrDash } from './table.format.js';

interface Options {
  person?: string;
  dataset?: string;
  state?: GrantStatus[];
  endingBefore?: Date;
  limit: number;
  json?: boolean;
}

const GRANT_LISTING: Listing<Grant> = {
  key: 'grants',
  empty: 'No grants match.',
  header: ['grant', 'dataset', 'person', 'state', 'ends', 'ended', 'why'],
  row: (g) => [g.id, g.datasetId, g.userId, g.status, isoOrDash(g.endsAt), isoOrDash(g.endedAt), g.endReason ?? '-'],
  json: (g) => ({ id: g.id, datasetId: g.datasetId, userId: g.userId, status: g.status, startsAt: g.startsAt, endsAt: g.endsAt, endedAt: g.endedAt, endReason: g.endReason, endedBy: g.endedBy, requestId: g.requestId }),
};

export function registerGrantsList(grants: Command): void {
  grants
    .command('list')
    .description('Grants by person, dataset, state and end, soonest end first.')
    .option('--person <slack-id>', 'only this person\'s grants', slackUserId)
    .option('--dataset <id>', 'only grants on this dataset')
    .option('--state <states>', `only these states, comma-separated: ${GRANT_STATUSES.join(', ')}`, listOf(GRANT_STATUSES))
    .option('--ending-before <when>', 'ending before this ISO date/time, or within a duration from now (7d)', (v) => dateOrDuration(v, 1))
    .option('--limit <n>', 'at most this many', (v) => positiveInt(v, '--limit'), 100)
    .option('--json', 'print the grants as one JSON document')
    .addHelpText('after', '\nExample: grants list --state active --ending-before 7d\nExit codes: 0 done, 2 usage or connection error.')
    .action(async (opts: Options) => {
      const database = await openAdminDatabase();
      try {
        const rows = await findGrants({ db: database.db }, {
          userId: opts.person,
          datasetId: opts.dataset?.trim().toLowerCase(),
          statuses: opts.state,
          endingBefore: opts.endingBefore,
          limit: opts.limit,
        });
        printListing(rows, GRANT_LISTING, opts.json);
        process.exitCode = EXIT.ok;
      } finally {
        await database.close();
      }
    });
}
