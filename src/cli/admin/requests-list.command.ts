import type { Command } from 'commander';
import { findRequests } from '../../modules/requests/listing.usecases.js';
import { REQUEST_STATUSES, type RequestStatus } from '../../modules/requests/requests.table.js';
import { formatDuration } from '../../shared/duration.js';
import { dateOrDuration, EXIT, listOf, openAdminDatabase, positiveInt, slackUserId } from './context.js';
import { printListing, type Listing } from './listing.format.js';
import { isoOrDash } from './table.format.js';

interface Options {
  person?: string;
  dataset?: string;
  state?: RequestStatus[];
  since?: Date;
  before?: Date;
  limit: number;
  json?: boolean;
}

type Row = Awaited<ReturnType<typeof findRequests>>[number];

const REQUEST_LISTING: Listing<Row> = {
  key: 'requests',
  empty: 'No requests match.',
  header: ['request', 'kind', 'dataset', 'person', 'state', 'for', 'made', 'decided by'],
  row: (r) => [r.id, r.kind, r.datasetId, r.requesterId, r.status, formatDuration(r.durationMinutes), isoOrDash(r.createdAt), r.decidedBy ?? '-'],
  json: (r) => ({
    id: r.id,
    kind: r.kind,
    datasetId: r.datasetId,
    requesterId: r.requesterId,
    status: r.status,
    durationMinutes: r.durationMinutes,
    reason: r.reason,
    createdAt: r.createdAt,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
    grantId: r.grantId,
  }),
};

export function registerRequestsList(requests: Command): void {
  requests
    .command('list')
    .description('Requests (for new access and for extensions) by person, dataset, state and date, newest first.')
    .option('--person <slack-id>', 'only this person\'s requests', slackUserId)
    .option('--dataset <id>', 'only requests for this dataset')
    .option('--state <states>', `only these states, comma-separated: ${REQUEST_STATUSES.join(', ')}`, listOf(REQUEST_STATUSES))
    .option('--since <when>', 'made at or after this ISO date/time, or within a duration before now (7d)', (v) => dateOrDuration(v, -1))
    .option('--before <when>', 'made before this ISO date/time, or more than a duration ago (7d)', (v) => dateOrDuration(v, -1))
    .option('--limit <n>', 'at most this many', (v) => positiveInt(v, '--limit'), 100)
    .option('--json', 'print the requests as one JSON document')
    .addHelpText('after', '\nExample: requests list --state pending --before 3d\nReasons are shown only with --json.\nExit codes: 0 done, 2 usage or connection error.')
    .action(async (opts: Options) => {
      const database = await openAdminDatabase();
      try {
        const rows = await findRequests({ db: database.db }, {
          requesterId: opts.person,
          datasetId: opts.dataset?.trim().toLowerCase(),
          statuses: opts.state,
          since: opts.since,
          before: opts.before,
          limit: opts.limit,
        });
        printListing(rows, REQUEST_LISTING, opts.json);
        process.exitCode = EXIT.ok;
      } finally {
        await database.close();
      }
    });
}
