import { findDataset, isSensitive } from '../../catalog/catalog.js';
import type { Deps } from '../deps.js';
import { listGrantsIn } from '../grants/index.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';

/**
 * The periodic hygiene tip: one short practice from the handling policy, to everyone holding a
 * grant on confidential or restricted data. Tips rotate by month, so people see a different one.
 */
export async function sendHygieneTips(deps: Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs'>): Promise<number> {
  const tips = deps.catalog.handlingPolicy?.tips ?? [];
  if (!deps.catalog.hygieneTips?.enabled || tips.length === 0) return 0;
  const now = deps.clock.now();
  const tipIndex = (now.getUTCFullYear() * 12 + now.getUTCMonth()) % tips.length;
  const holders = new Set(
    (await listGrantsIn(deps.db, 'active')).filter((g) => {
      const d = findDataset(deps.catalog, g.datasetId);
      return d && isSensitive(d);
    }).map((g) => g.userId),
  );
  const ids = await addToOutbox(deps.db, now, [...holders].sort().map((userId) => outboxMessage('hygiene_tip', { userId, tip: tipIndex })));
  await deps.jobs.enqueueDeliveries(ids);
  return holders.size;
}
