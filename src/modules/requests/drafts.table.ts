import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A request held while its requester reads something first (the data-handling policy). A Slack
 * view carries only the draft's id in `private_metadata` (Slack allows 3,000 characters there,
 * less than a reason may need once encoded); the draft itself, reason included, stays here until
 * it is sent or expires.
 */
export const requestDrafts = pgTable(
  'request_drafts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    datasetId: text('dataset_id').notNull(),
    duration: text('duration'),
    reason: text('reason'),
    // the policy version shown with the draft; accepting it accepts that version
    policyVersion: text('policy_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('request_drafts_expires_at_idx').on(t.expiresAt)],
);
