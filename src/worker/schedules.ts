import type { Queues } from './queues.js';

/** Recurring jobs, declared as data in one place. */
export function schedules(reconcileIntervalSeconds: number) {
  return [{ id: 'reconcile', queue: 'maintenance' as const, name: 'reconcile', every: reconcileIntervalSeconds * 1000 }];
}

/** Creates or updates every job scheduler; idempotent, so it is also re-run to heal a flushed Redis. */
export async function upsertSchedules(queues: Queues, reconcileIntervalSeconds: number): Promise<void> {
  for (const s of schedules(reconcileIntervalSeconds)) {
    await queues[s.queue].upsertJobScheduler(s.id, { every: s.every }, { name: s.name, opts: { removeOnComplete: true, removeOnFail: 50 } });
  }
}
