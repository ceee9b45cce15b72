import type { QueueState } from '../shared/metrics/state-gauges.js';
import type { Queues } from './queues.js';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** Each queue's job counts by state, for the gauges read at scrape time (one round trip per queue). */
export async function queueStates(queues: Queues): Promise<QueueState[]> {
  const all = [queues.expiry, queues.messages, queues.maintenance, queues.provisioning, queues.handoff];
  return Promise.all(all.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...STATES) })));
}
