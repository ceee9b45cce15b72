import type { DatabaseState } from '../../shared/metrics/state-gauges.js';
import type { Deps } from '../deps.js';
import { HELD_STATUSES } from '../grants/grants.table.js';
import * as repo from './metrics.repository.js';

/**
 * The state gauges read from Postgres at scrape time. A stuck revoke is an automated one whose
 * tries ran out (its people were alerted); a manual dataset's revoke waiting for a person is not
 * counted, since waiting for a person is its normal course.
 */
export async function readDatabaseState(deps: Pick<Deps, 'db' | 'clock' | 'connectors'>): Promise<DatabaseState> {
  const now = deps.clock.now();
  const [pending, held, alerted, backlog, overdue] = await Promise.all([
    repo.countPendingRequests(deps.db),
    repo.countHeldGrants(deps.db),
    repo.countAlertedRevokes(deps.db),
    repo.outboxBacklog(deps.db),
    repo.countOverdueReviewItems(deps.db, now),
  ]);
  const grants: Record<string, number> = Object.fromEntries(HELD_STATUSES.map((s) => [s, 0]));
  for (const row of held) grants[row.status] = Number(row.n);
  return {
    requests: { pending: Number(pending) },
    grants,
    stuckRevokes: alerted.filter((r) => deps.connectors.forDataset(r.datasetId).kind !== 'manual').reduce((sum, r) => sum + Number(r.n), 0),
    outboxBacklog: Number(backlog.n),
    outboxOldestAgeSeconds: backlog.oldest ? Math.max(0, (now.getTime() - backlog.oldest.getTime()) / 1000) : 0,
    reviewItemsOverdue: Number(overdue),
  };
}
