import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/**
 * Append-only trail of every state change, chained: each event's `hash` covers its canonical
 * content and `prev_hash` (the hash of event `seq - 1`). A trigger refuses UPDATE and DELETE
 * (migration 0004_audit_append_only). See audit.rules.ts for the canonical form.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: text('actor_id').notNull(), // a Slack user id, 'system', or 'cli:<os user>'
    action: text('action').notNull(), // request.created, request.approved, grant.expired, …
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    // the chain; null only on events written before it existed, until they are chained
    seq: bigint('seq', { mode: 'number' }),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_events_subject').on(t.subjectType, t.subjectId),
    // one event per position and one successor per event: the chain cannot fork
    uniqueIndex('audit_events_seq').on(t.seq),
    uniqueIndex('audit_events_prev_hash').on(t.prevHash),
    index('audit_events_at').on(t.at),
    index('audit_events_actor').on(t.actorId),
  ],
);

/** The chain's last event; its row lock serialises appends. Exactly one row (id 1). */
export const auditChainHead = pgTable(
  'audit_chain_head',
  {
    id: integer('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    // false until the events written before the chain existed have been chained
    legacyChained: boolean('legacy_chained').notNull().default(false),
  },
  (t) => [check('audit_chain_head_one_row', sql`${t.id} = 1`)],
);
