import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Who read and accepted which version of the data-handling policy, and when. */
export const policyAcknowledgements = pgTable(
  'policy_acknowledgements',
  {
    userId: text('user_id').notNull(),
    version: text('version').notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.version] })],
);
