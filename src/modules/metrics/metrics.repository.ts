import { and, count, eq, inArray, isNotNull, isNull, lt, min } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import { grants, HELD_STATUSES } from '../grants/grants.table.js';
import { outbox } from '../notifications/notifications.table.js';
import { accessRequests } from '../requests/requests.table.js';
import { reviewCampaigns, reviewItems } from '../reviews/reviews.table.js';

/**
 * Read-only counts for the metrics scraped from GET /metrics. It reads other modules' tables and
 * never writes them. Each query stays cheap however long the history: it counts open states only,
 * through the tables' status indexes (`grants_status_ends`, `access_requests_one_pending`,
 * `outbox_status`, and the one open review).
 */

export async function countPendingRequests(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: count() }).from(accessRequests).where(eq(accessRequests.status, 'pending'));
  return row?.n ?? 0;
}

export async function countHeldGrants(db: DbOrTx): Promise<Array<{ status: string; n: number }>> {
  return db
    .select({ status: grants.status, n: count() })
    .from(grants)
    .where(inArray(grants.status, [...HELD_STATUSES]))
    .groupBy(grants.status);
}

/** Revokes that people were alerted about (their tries ran out, or a manual one), by dataset. */
export async function countAlertedRevokes(db: DbOrTx): Promise<Array<{ datasetId: string; n: number }>> {
  return db
    .select({ datasetId: grants.datasetId, n: count() })
    .from(grants)
    .where(and(eq(grants.status, 'revoking'), isNotNull(grants.alertedAt)))
    .groupBy(grants.datasetId);
}

export async function outboxBacklog(db: DbOrTx): Promise<{ n: number; oldest: Date | null }> {
  const [row] = await db
    .select({ n: count(), oldest: min(outbox.createdAt) })
    .from(outbox)
    .where(eq(outbox.status, 'pending'));
  return { n: row?.n ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
}

export async function countOverdueReviewItems(db: DbOrTx, now: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(reviewItems)
    .innerJoin(reviewCampaigns, eq(reviewCampaigns.id, reviewItems.campaignId))
    .where(and(eq(reviewCampaigns.status, 'open'), lt(reviewCampaigns.deadline, now), isNull(reviewItems.decision)));
  return row?.n ?? 0;
}
