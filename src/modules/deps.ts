import type { Catalog } from '../catalog/catalog.js';
import type { Provisioner } from '../provisioners/provisioner.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db/client.js';
import type { Logger } from '../shared/logger.js';
import type { Notifier } from './notifications/notifications.ports.js';

/** Timers and retries. Implemented with BullMQ in src/worker/; every call is idempotent. */
export interface JobScheduler {
  scheduleExpiry(grantId: string, endsAt: Date): Promise<void>;
  enqueueDeliveries(outboxIds: number[]): Promise<void>;
}

/** Everything a use case may touch, passed in so tests can wire real parts with a test clock. */
export interface Deps {
  db: Db;
  catalog: Catalog;
  clock: Clock;
  jobs: JobScheduler;
  notifier: Notifier;
  provisioner: Provisioner;
  logger: Logger;
}
