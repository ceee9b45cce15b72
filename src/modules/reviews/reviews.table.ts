import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { grants } from '../grants/grants.table.js';

export const CAMPAIGN_STATUSES = ['open', 'closed'] as const;
export const REVIEW_DECISIONS = ['keep', 'revoke'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** One access review: a snapshot of the active grants, decided by the owners before a deadline. */
export const reviewCampaigns = pgTable(
  'review_campaigns',
  {
    id: uuid('id').primaryKey(),
    status: text('status', { enum: CAMPAIGN_STATUSES }).notNull().default('open'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    startedBy: text('started_by').notNull(),
    deadline: timestamp('deadline', { withTimezone: true }).notNull(),
    reminderSentAt: timestamp('reminder_sent_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    summary: jsonb('summary').$type<Record<string, unknown>>(),
  },
  // at most one open review at a time
  (t) => [uniqueIndex('review_campaigns_one_open').on(t.status).where(sql`status = 'open'`)],
);

export const reviewItems = pgTable(
  'review_items',
  {
    id: uuid('id').primaryKey(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => reviewCampaigns.id),
    grantId: uuid('grant_id')
      .notNull()
      .references(() => grants.id),
    datasetId: text('dataset_id').notNull(),
    userId: text('user_id').notNull(),
    position: integer('position').notNull(),
    decision: text('decision', { enum: REVIEW_DECISIONS }),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    // decided by the dataset's policy at the deadline, not by a person
    automatic: boolean('automatic').notNull().default(false),
  },
  (t) => [uniqueIndex('review_items_one_per_grant').on(t.campaignId, t.grantId), index('review_items_dataset').on(t.campaignId, t.datasetId)],
);

/** The digest messages sent to each owner (one or more parts), kept to be updated as items are decided. */
export const reviewMessages = pgTable(
  'review_messages',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => reviewCampaigns.id),
    ownerId: text('owner_id').notNull(),
    part: integer('part').notNull(),
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.ownerId, t.part] })],
);
