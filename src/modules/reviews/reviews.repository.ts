import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { reviewCampaigns, reviewItems, reviewMessages, type ReviewDecision } from './reviews.table.js';
import { isUuid } from '../../shared/db/ids.js';

export type Campaign = typeof reviewCampaigns.$inferSelect;
export type ReviewItem = typeof reviewItems.$inferSelect;

/**
 * Inserts a campaign; undefined when another one is already open. A start racing another waits
 * on the one-open index and then inserts nothing (no error: inside a transaction, postgres-js
 * would rethrow a unique violation at commit even if it was caught).
 */
export async function insertCampaign(db: DbOrTx, row: typeof reviewCampaigns.$inferInsert): Promise<Campaign | undefined> {
  const [c] = await db.insert(reviewCampaigns).values(row).onConflictDoNothing().returning();
  return c;
}

export async function findOpenCampaign(db: DbOrTx): Promise<Campaign | undefined> {
  const [c] = await db.select().from(reviewCampaigns).where(eq(reviewCampaigns.status, 'open'));
  return c;
}

export async function findCampaign(db: DbOrTx, id: string): Promise<Campaign | undefined> {
  if (!isUuid(id)) return undefined;
  const [c] = await db.select().from(reviewCampaigns).where(eq(reviewCampaigns.id, id));
  return c;
}

export async function findPreviousClosed(db: DbOrTx, before: Date): Promise<Campaign | undefined> {
  const campaigns = await db.select().from(reviewCampaigns).where(eq(reviewCampaigns.status, 'closed')).orderBy(desc(reviewCampaigns.startedAt));
  return campaigns.find((c) => c.startedAt < before);
}

/** Review items per INSERT: bounds each statement (about 1 MB), whatever the number of grants. */
const ITEM_BATCH = 5_000;

/**
 * Writes review items in bounded statements, each batch as one JSON parameter: the query builder's
 * `values(rows)` takes about 0.4 ms a row to build and overflows the stack past ~11,000 rows, and
 * one parameter per column would pass Postgres's 65,535-parameter limit.
 */
export async function insertItems(db: DbOrTx, rows: Array<Pick<ReviewItem, 'id' | 'campaignId' | 'grantId' | 'datasetId' | 'userId' | 'position'>>): Promise<void> {
  for (let i = 0; i < rows.length; i += ITEM_BATCH) {
    const batch = rows.slice(i, i + ITEM_BATCH).map((r) => ({ id: r.id, campaign_id: r.campaignId, grant_id: r.grantId, dataset_id: r.datasetId, user_id: r.userId, position: r.position }));
    await db.execute(sql`
      insert into ${reviewItems} (id, campaign_id, grant_id, dataset_id, user_id, position)
      select id, campaign_id, grant_id, dataset_id, user_id, position
      from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as r(id uuid, campaign_id uuid, grant_id uuid, dataset_id text, user_id text, position integer)`);
  }
}

export async function listItems(db: DbOrTx, campaignId: string, datasetIds?: string[]): Promise<ReviewItem[]> {
  return db
    .select()
    .from(reviewItems)
    .where(and(eq(reviewItems.campaignId, campaignId), datasetIds ? inArray(reviewItems.datasetId, datasetIds) : undefined))
    .orderBy(asc(reviewItems.position));
}

export async function findItem(db: DbOrTx, id: string): Promise<ReviewItem | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(reviewItems).where(eq(reviewItems.id, id));
  return row;
}

/** Records decisions only on items still open (the first one wins), for a bounded batch: returns those this call decided. */
export async function decideItems(db: DbOrTx, ids: string[], decision: ReviewDecision, decidedBy: string, at: Date, automatic: boolean): Promise<ReviewItem[]> {
  if (ids.length === 0) return [];
  return db
    .update(reviewItems)
    .set({ decision, decidedBy, decidedAt: at, automatic })
    .where(and(inArray(reviewItems.id, ids), isNull(reviewItems.decision)))
    .returning();
}

export async function markReminderSent(db: DbOrTx, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(reviewCampaigns)
    .set({ reminderSentAt: at })
    .where(and(eq(reviewCampaigns.id, id), isNull(reviewCampaigns.reminderSentAt)))
    .returning({ id: reviewCampaigns.id });
  return rows.length === 1;
}

export async function closeCampaign(db: DbOrTx, id: string, at: Date, summary: Record<string, unknown>): Promise<boolean> {
  const rows = await db
    .update(reviewCampaigns)
    .set({ status: 'closed', closedAt: at, summary })
    .where(and(eq(reviewCampaigns.id, id), eq(reviewCampaigns.status, 'open')))
    .returning({ id: reviewCampaigns.id });
  return rows.length === 1;
}

export async function saveDigestMessage(db: DbOrTx, row: typeof reviewMessages.$inferInsert) {
  await db.insert(reviewMessages).values(row).onConflictDoNothing();
}

export async function listDigestMessages(db: DbOrTx, campaignId: string, ownerId?: string) {
  return db
    .select()
    .from(reviewMessages)
    .where(and(eq(reviewMessages.campaignId, campaignId), ownerId ? eq(reviewMessages.ownerId, ownerId) : undefined))
    .orderBy(asc(reviewMessages.part));
}

/** The most recently started review, open or closed. */
export async function findLatestCampaign(db: DbOrTx): Promise<Campaign | undefined> {
  const [c] = await db.select().from(reviewCampaigns).orderBy(desc(reviewCampaigns.startedAt)).limit(1);
  return c;
}

/** Every item of a review, in order, for the review's evidence report. */
export async function listItemsForReport(db: DbOrTx, campaignId: string) {
  return db.select().from(reviewItems).where(eq(reviewItems.campaignId, campaignId)).orderBy(asc(reviewItems.position));
}
