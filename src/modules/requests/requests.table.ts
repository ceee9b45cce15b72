import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const REQUEST_STATUSES = ['pending', 'approved', 'denied'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const accessRequests = pgTable(
  'access_requests',
  {
    id: uuid('id').primaryKey(),
    datasetId: text('dataset_id').notNull(),
    requesterId: text('requester_id').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    reason: text('reason'),
    status: text('status', { enum: REQUEST_STATUSES }).notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    denyReason: text('deny_reason'),
  },
  (t) => [
    // One open request per person and dataset: a second /access for the same thing is refused.
    uniqueIndex('access_requests_one_pending').on(t.requesterId, t.datasetId).where(sql`status = 'pending'`),
    index('access_requests_requester').on(t.requesterId, t.status),
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
  },
  (t) => [primaryKey({ columns: [t.requestId, t.approverId] })],
);
