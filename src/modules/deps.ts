import type { Catalog } from '../catalog/catalog.js';
import { BOT_SETTINGS } from '../config/settings.js';
import type { Connectors } from '../provisioners/registry.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db/client.js';
import type { Logger } from '../shared/logger.js';
import type { Notifier } from './notifications/notifications.ports.js';
import type { Standing } from './requests/requests.rules.js';

/** Timers and retries. Implemented with BullMQ in src/worker/; every call is idempotent. */
export interface JobScheduler {
  scheduleExpiry(grantId: string, endsAt: Date): Promise<void>;
  /** The same for many grants in one round trip (the reconciler's rebuild). */
  scheduleExpiries(grants: Array<{ id: string; endsAt: Date }>): Promise<void>;
  enqueueDeliveries(outboxIds: number[]): Promise<void>;
  /** Give access in the target system, with retries. */
  enqueueProvision(grantId: string): Promise<void>;
  /** Take access away in the target system, with retries. */
  enqueueRevoke(grantId: string): Promise<void>;
}

/** Facts about people that live outside the bot (Slack profiles). */
export interface PeopleDirectory {
  email(userId: string): Promise<string | undefined>;
  /** Whether the person is a full member, a guest, deactivated or a bot ('unknown' if Slack did not say). */
  standing(userId: string): Promise<Standing>;
  timeZone(userId: string): Promise<string | undefined>;
  /** Every active person in the workspace with their email (to find warehouse logins two would share). */
  everyone(): Promise<Array<{ id: string; email?: string }>>;
}

export interface Settings {
  /** After a revoke's retries are used up: how long until it is tried again and people are alerted again. */
  stuckRetrySeconds: number;
  /** Working hours (in the approver's zone) before a pending request's approvers are reminded once. */
  approvalReminderWorkingHours: number;
  /** Further working hours before it is escalated to the admins. */
  approvalEscalationWorkingHours: number;
  /** Hours after which a request nobody decided expires. */
  pendingRequestExpiryHours: number;
}

/** The settings' defaults, as src/config/settings.ts defines them. */
export const DEFAULT_SETTINGS: Settings = {
  stuckRetrySeconds: BOT_SETTINGS.STUCK_REVOKE_RETRY_SECONDS.default,
  approvalReminderWorkingHours: BOT_SETTINGS.APPROVAL_REMINDER_WORKING_HOURS.default,
  approvalEscalationWorkingHours: BOT_SETTINGS.APPROVAL_ESCALATION_WORKING_HOURS.default,
  pendingRequestExpiryHours: BOT_SETTINGS.PENDING_REQUEST_EXPIRY_HOURS.default,
};

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
