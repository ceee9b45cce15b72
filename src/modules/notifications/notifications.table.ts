import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;

/**
 * Transactional outbox: a message that must follow a state change is written in the same
 * transaction as the change, then delivered by a job. If Redis loses the job, the reconciler
 * finds the row and enqueues it again, so a message is delayed but never lost.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_status').on(t.status, t.createdAt),
    // the reconciler's pages of undelivered messages, in id order (listPendingOutbox), without walking the messages sent
    index('outbox_pending').on(t.id).where(sql`status = 'pending'`),
  ],
);
