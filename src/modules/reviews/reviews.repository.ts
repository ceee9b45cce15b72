import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { isUniqueViolation } from '../../shared/errors.js';
import { reviewCampaigns, reviewItems, reviewMessages, type ReviewDecision } from './reviews.table.js';
import { isUuid } from '../../shared/db/ids.js';

export type Campaign = typeof reviewCampaigns.$inferSelect;
export type ReviewItem = typeof reviewItems.$inferSelect;

/** Inserts a campaign; undefined when another one is already open. */
export async function insertCampaign(db: DbOrTx, row: typeof reviewCampaigns.$inferInsert): Promise<Campaign | undefined> {
  try {
    const [c] = await db.insert(reviewCampaigns).values(row).returning();
    return c;
  } catch (err) {
    if (isUniqueViolation(err, 'review_campaigns_one_open')) return undefined;
    throw err;
  }
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

export async function insertItems(db: DbOrTx, rows: Array<typeof reviewItems.$inferInsert>): Promise<void> {
  if (rows.length) await db.insert(reviewItems).values(rows);
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

/** Records a decision only if the item is still open: the first one wins. */
export async function decideItem(db: DbOrTx, id: string, decision: ReviewDecision, decidedBy: string, at: Date, automatic: boolean) {
  const [row] = await db
    .update(reviewItems)
    .set({ decision, decidedBy, decidedAt: at, automatic })
    .where(and(eq(reviewItems.id, id), isNull(reviewItems.decision)))
    .returning();
  return row;
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
