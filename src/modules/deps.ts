import type { Catalog } from '../catalog/catalog.js';
import { BOT_SETTINGS } from '../config/settings.js';
import type { Connectors } from '../provisioners/registry.js';
import type { Clock } from '../shared/clock.js';
import type { Db, Tx } from '../shared/db/client.js';
import type { Logger } from '../shared/logger.js';
import type { AuditEntry } from './audit/audit.repository.js';
import type { Messenger } from './notifications/notifications.ports.js';
import type { PeopleDirectory } from '../shared/people.ports.js';

/** Timers and retries. Implemented with BullMQ in src/worker/; every call is idempotent. */
export interface JobScheduler {
  scheduleExpiry(grantId: string, endsAt: Date): Promise<void>;
  /** The same for many grants in one round trip (the reconciler's rebuild). */
  scheduleExpiries(grants: Array<{ id: string; endsAt: Date }>): Promise<void>;
  /** Delivers these outbox messages (again): a finished job left under a message's id is cleared first. */
  enqueueDeliveries(outboxIds: number[]): Promise<void>;
  /**
   * Delivers messages just stored (their transaction has committed and no job was ever made for
   * them): cheaper, and batched with others handed over at the same time.
   */
  enqueueNewDeliveries(outboxIds: number[]): Promise<void>;
  /** Give access in the target system, with retries. */
  enqueueProvision(grantId: string): Promise<void>;
  /** Take access away in the target system, with retries. */
  enqueueRevoke(grantId: string): Promise<void>;
  /** The same for many grants, their jobs added together (a batch of grants ending). */
  enqueueRevokes(grantIds: string[]): Promise<void>;
}

export type { PeopleDirectory } from '../shared/people.ports.js';

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

/**
 * What the other modules do, in the same transaction, when grants start ending (released,
 * revoked, expired; one, or a batch falling due together): the requests module closes the grant's pending extension requests. The
 * grants module knows nothing of requests; bot.ts wires in the requests module's function.
 * Returns the audit events to append after the grants' own (the caller appends them all at once,
 * so the trail reads cause before effect) and the outbox ids to deliver once it has committed.
 */
export type GrantEndingHook = (tx: Tx, grantIds: string[], endReason: string, now: Date) => Promise<{ audit: AuditEntry[]; outboxIds: number[] }>;

/** Everything a use case may touch, passed in so tests can wire real parts with a test clock. */
export interface Deps {
  db: Db;
  catalog: Catalog;
  clock: Clock;
  jobs: JobScheduler;
  messenger: Messenger;
  connectors: Connectors;
  people: PeopleDirectory;
  settings: Settings;
  logger: Logger;
  onGrantEnding: GrantEndingHook;
}
