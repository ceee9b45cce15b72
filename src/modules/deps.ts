import type { Catalog } from '../catalog/catalog.js';
import type { Connectors } from '../provisioners/registry.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db/client.js';
import type { Logger } from '../shared/logger.js';
import type { Notifier } from './notifications/notifications.ports.js';

/** Timers and retries. Implemented with BullMQ in src/worker/; every call is idempotent. */
export interface JobScheduler {
  scheduleExpiry(grantId: string, endsAt: Date): Promise<void>;
  enqueueDeliveries(outboxIds: number[]): Promise<void>;
  /** Give access in the target system, with retries. */
  enqueueProvision(grantId: string): Promise<void>;
  /** Take access away in the target system, with retries. */
  enqueueRevoke(grantId: string): Promise<void>;
}

/** Facts about people that live outside the bot (Slack profiles). */
export interface PeopleDirectory {
  email(userId: string): Promise<string | undefined>;
}

export interface Settings {
  /** After a revoke's retries are used up: how long until it is tried again and people are alerted again. */
  stuckRetrySeconds: number;
}

export const DEFAULT_SETTINGS: Settings = { stuckRetrySeconds: 3600 };

/** Everything a use case may touch, passed in so tests can wire real parts with a test clock. */
export interface Deps {
  db: Db;
  catalog: Catalog;
  clock: Clock;
  jobs: JobScheduler;
  notifier: Notifier;
  connectors: Connectors;
  people: PeopleDirectory;
  settings: Settings;
  logger: Logger;
}
