import type { Catalog } from '../catalog/catalog.js';
import type { Queues } from './queues.js';

type Schedule = { id: string; name: string; every?: number; pattern?: string; tz?: string; enabled: boolean };

/** Recurring jobs, declared as data in one place. All run on the maintenance queue. */
export function schedules(reconcileIntervalSeconds: number, catalog: Catalog): Schedule[] {
  return [
    { id: 'reconcile', name: 'reconcile', every: reconcileIntervalSeconds * 1000, enabled: true },
    { id: 'access-review', name: 'start-review', pattern: catalog.review?.schedule, tz: catalog.review?.timeZone, enabled: !!catalog.review?.enabled },
    { id: 'hygiene-tips', name: 'hygiene-tips', pattern: catalog.hygieneTips?.schedule, tz: catalog.hygieneTips?.timeZone, enabled: !!catalog.hygieneTips?.enabled },
  ];
}

/** Creates, updates or removes every job scheduler; idempotent, so it is also re-run to heal a flushed Redis. */
export async function upsertSchedules(queues: Queues, reconcileIntervalSeconds: number, catalog: Catalog): Promise<void> {
  for (const s of schedules(reconcileIntervalSeconds, catalog)) {
    if (!s.enabled) {
      await queues.maintenance.removeJobScheduler(s.id);
      continue;
    }
    const repeat = s.every ? { every: s.every } : { pattern: s.pattern!, tz: s.tz };
    await queues.maintenance.upsertJobScheduler(s.id, repeat, { name: s.name, opts: { removeOnComplete: true, removeOnFail: 50 } });
  }
}
