import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'cancelled', 'expired'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** `access` asks for a new grant; `extension` asks to move an active grant's end. */
export const REQUEST_KINDS = ['access', 'extension'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const accessRequests = pgTable(
  'access_requests',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: REQUEST_KINDS }).notNull().default('access'),
    // for an extension: the grant it extends
    grantId: uuid('grant_id'),
    datasetId: text('dataset_id').notNull(),
    requesterId: text('requester_id').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    reason: text('reason'),
    status: text('status', { enum: REQUEST_STATUSES }).notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    denyReason: text('deny_reason'),
    approvalsRequired: integer('approvals_required').notNull().default(1),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
  },
  (t) => [
    // One open request per person and dataset: a second /access for the same thing is refused.
    uniqueIndex('access_requests_one_pending').on(t.requesterId, t.datasetId).where(sql`status = 'pending'`),
    index('access_requests_requester').on(t.requesterId, t.status),
    // the reconciler's follow-up pass pages through pending requests, oldest first
    index('access_requests_pending_created').on(t.createdAt, t.id).where(sql`status = 'pending'`),
    // a grant that ends closes its pending extension requests (closePendingExtensions)
    index('access_requests_pending_extension').on(t.grantId).where(sql`status = 'pending' and kind = 'extension'`),
  ],
);

/** Who was asked to decide a request, and where their message is (so it can be updated in place). */
export const requestApprovers = pgTable(
  'request_approvers',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => accessRequests.id),
    approverId: text('approver_id').notNull(),
    channelId: text('channel_id'),
    messageTs: text('message_ts'),
    // the approver's time zone when asked, for working-hours reminders
    timeZone: text('time_zone'),
    askedAt: timestamp('asked_at', { withTimezone: true }),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    // true for admins added when the request was escalated
    escalation: boolean('escalation').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.approverId] })],
);

/** One row per person who approved; a request is approved when it has enough distinct rows. */
export const requestApprovals = pgTable(
  'request_approvals',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => accessRequests.id),
    approverId: text('approver_id').notNull(),
    approvedAt: timestamp('approved_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.approverId] })],
);
