import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Scheduled maintenance jobs (reconcile, start-review, hygiene-tips) whose last attempt failed,
 * one row per job and UTC day: the first failure of a day alerts the admins, later ones only count.
 */
export const scheduledJobFailures = pgTable(
  'scheduled_job_failures',
  {
    job: text('job').notNull(),
    // YYYY-MM-DD, UTC
    day: text('day').notNull(),
    // a short code (a domain error's code, a SQLSTATE, an error class name); never a message
    errorCode: text('error_code').notNull(),
    firstFailedAt: timestamp('first_failed_at', { withTimezone: true }).notNull(),
    lastFailedAt: timestamp('last_failed_at', { withTimezone: true }).notNull(),
    failures: integer('failures').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.job, t.day] })],
);
