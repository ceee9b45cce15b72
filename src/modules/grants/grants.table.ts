import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { GrantTarget } from '../../provisioners/provisioner.js';
import { accessRequests } from '../requests/requests.table.js';

/**
 * provisioning → active → revoking → expired (or revoked); provisioning → failed when the target
 * system never gave access. A grant leaves `revoking` only once the target system no longer
 * holds the access (or a person says they removed it by hand).
 */
export const GRANT_STATUSES = ['provisioning', 'active', 'revoking', 'expired', 'revoked', 'failed'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];
/** States in which the target system has, or may have, the access. */
export const HELD_STATUSES = ['provisioning', 'active', 'revoking'] as const satisfies readonly GrantStatus[];

export const grants = pgTable(
  'grants',
  {
    id: uuid('id').primaryKey(),
    // unique: one request can never produce two grants, however many times it is approved
    requestId: uuid('request_id')
      .notNull()
      .unique()
      .references(() => accessRequests.id),
    datasetId: text('dataset_id').notNull(),
    userId: text('user_id').notNull(),
    status: text('status', { enum: GRANT_STATUSES }).notNull().default('provisioning'),
    durationMinutes: integer('duration_minutes').notNull(),
    // tentative until the target system has the access; then the clock starts
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    // why it is being (or was) taken away: expired, revoked, released
    endReason: text('end_reason'),
    // the current step's failed attempts, for alerts and pacing
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    alertedAt: timestamp('alerted_at', { withTimezone: true }),
    // expiry reminders sent, keyed by the end they were about (an extension re-arms them)
    reminded24hFor: timestamp('reminded_24h_for', { withTimezone: true }),
    reminded1hFor: timestamp('reminded_1h_for', { withTimezone: true }),
    // who ended it early (release or revoke) and why; told to the holder
    endedBy: text('ended_by'),
    endNote: text('end_note'),
    // extensions taken without approval so far; the policy's self_extend_up_to caps their sum
    selfExtendedMinutes: integer('self_extended_minutes').notNull().default(0),
    // who the target system was told to give access to (see GrantTarget); null for older grants
    target: jsonb('target').$type<GrantTarget>(),
  },
  (t) => [
    // one live grant per person and dataset, so a revoke can never take away a newer grant
    uniqueIndex('grants_one_held').on(t.userId, t.datasetId).where(sql`status in ('provisioning', 'active', 'revoking')`),
    index('grants_status_ends').on(t.status, t.endsAt),
  ],
);

export const TASK_STEPS = ['grant', 'revoke'] as const;
export type TaskStep = (typeof TASK_STEPS)[number];

/** A "do this by hand" message sent to an owner for a manual dataset, kept to be updated when done. */
export const provisioningTasks = pgTable(
  'provisioning_tasks',
  {
    grantId: uuid('grant_id')
      .notNull()
      .references(() => grants.id),
    step: text('step', { enum: TASK_STEPS }).notNull(),
    assigneeId: text('assignee_id').notNull(),
    channelId: text('channel_id'),
    messageTs: text('message_ts'),
  },
  (t) => [primaryKey({ columns: [t.grantId, t.step, t.assigneeId] })],
);
