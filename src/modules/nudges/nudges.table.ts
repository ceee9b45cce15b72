import { bigserial, boolean, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Sensitive data seen in Slack. Deliberately holds no content: only which detectors fired,
 * where (channel, message timestamp), who posted it and when.
 */
export const sensitiveDataNudges = pgTable(
  'sensitive_data_nudges',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: text('user_id').notNull(),
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
    detectors: text('detectors').array().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    // false when the person was nudged recently and this one was only recorded
    nudged: boolean('nudged').notNull(),
    fixedAt: timestamp('fixed_at', { withTimezone: true }),
  },
  // one record per message, so a retried Slack event is not counted twice
  (t) => [index('sensitive_data_nudges_user_at').on(t.userId, t.at), uniqueIndex('sensitive_data_nudges_message').on(t.channelId, t.messageTs)],
);
