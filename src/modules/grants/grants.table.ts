import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accessRequests } from '../requests/requests.table.js';

export const GRANT_STATUSES = ['active', 'expired'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

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
    status: text('status', { enum: GRANT_STATUSES }).notNull().default('active'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('grants_one_active').on(t.userId, t.datasetId).where(sql`status = 'active'`),
    index('grants_status_ends').on(t.status, t.endsAt),
  ],
);
