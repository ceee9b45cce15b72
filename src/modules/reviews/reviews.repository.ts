import { and, asc, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { grants } from '../grants/grants.table.js';
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

/**
 * Snapshots every active grant as an item of `campaignId`, numbered in a stable order (dataset,
 * start, holder), in one INSERT … SELECT: the grants never travel to the bot, so starting a review
 * takes the same few MB of memory whatever the number of grants (50,000 grants held in the
 * process, with their items, kept about 100 MB alive and let the heap grow past 400 MB), and no
 * statement carries one parameter per grant. Returns how many items were written.
 */
export async function insertItemsForActiveGrants(tx: DbOrTx, campaignId: string): Promise<number> {
  await tx.execute(sql`
    insert into ${reviewItems} (id, campaign_id, grant_id, dataset_id, user_id, position)
    select gen_random_uuid(), ${campaignId}::uuid, g.id, g.dataset_id, g.user_id,
           (row_number() over (order by g.dataset_id collate "C", g.starts_at, g.user_id collate "C", g.id) - 1)::integer
    from ${grants} g
    where g.status = 'active'`);
  const [row] = await tx.select({ n: count() }).from(reviewItems).where(eq(reviewItems.campaignId, campaignId));
  return row?.n ?? 0;
}

/**
 * Who the items of a review are about, as far as choosing their reviewers goes: each dataset with
 * items, once with each holder among `people` (owners and admins, whose own grants go to someone
 * else) and once for everyone else (`userId` empty: any other holder has the same reviewers).
 * At most (datasets × (people + 1)) rows, whatever the number of grants.
 */
export async function listReviewerKeys(tx: DbOrTx, campaignId: string, people: string[]): Promise<Array<{ datasetId: string; userId: string }>> {
  const holder = people.length ? sql`case when ${inArray(reviewItems.userId, people)} then ${reviewItems.userId} else '' end` : sql`''`;
  return tx
    .selectDistinct({ datasetId: reviewItems.datasetId, userId: sql<string>`${holder}` })
    .from(reviewItems)
    .where(eq(reviewItems.campaignId, campaignId));
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
