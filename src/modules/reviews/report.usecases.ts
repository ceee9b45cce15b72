import type { Db } from '../../shared/db/client.js';
import { listGrantsByIds, type Grant } from '../grants/index.js';
import { reviewErrors } from './reviews.usecases.js';
import * as repo from './reviews.repository.js';
import type { Campaign } from './reviews.repository.js';

/** How an item ended: decided by a reviewer, decided at the deadline by the dataset's policy, or still open. */
export type ReviewOutcome = 'kept_by_reviewer' | 'revoked_by_reviewer' | 'kept_at_deadline' | 'revoked_at_deadline' | 'open' | 'undecided';

export interface ReviewReportItem {
  itemId: string;
  grantId: string;
  datasetId: string;
  userId: string;
  decision: 'keep' | 'revoke' | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  automatic: boolean;
  outcome: ReviewOutcome;
  grantStatus: string;
  grantEndedAt: Date | null;
}

export interface ReviewReport {
  campaign: Campaign;
  items: ReviewReportItem[];
  counts: Record<ReviewOutcome, number>;
}

export function reviewOutcome(item: { decision: 'keep' | 'revoke' | null; automatic: boolean }, campaignOpen: boolean): ReviewOutcome {
  if (!item.decision) return campaignOpen ? 'open' : 'undecided';
  if (item.automatic) return item.decision === 'keep' ? 'kept_at_deadline' : 'revoked_at_deadline';
  return item.decision === 'keep' ? 'kept_by_reviewer' : 'revoked_by_reviewer';
}

/** The evidence of one access review (`latest` for the most recent): every item, its decision, who and when. */
export async function reviewReport(db: Db, campaignRef: string): Promise<ReviewReport> {
  const campaign =
    campaignRef === 'latest'
      ? await repo.findLatestCampaign(db)
      : /^[0-9a-f-]{36}$/i.test(campaignRef)
        ? await repo.findCampaign(db, campaignRef)
        : undefined;
  if (!campaign) {
    throw reviewErrors.campaignNotFound(campaignRef === 'latest' ? undefined : campaignRef.slice(0, 64));
  }
  const rows = await repo.listItemsForReport(db, campaign.id);
  // what became of each grant, read from the grants module in bounded batches
  const grantsById = new Map<string, Grant>();
  const ids = rows.map((r) => r.grantId);
  for (let i = 0; i < ids.length; i += 1_000) for (const g of await listGrantsByIds(db, ids.slice(i, i + 1_000))) grantsById.set(g.id, g);
  const counts: Record<ReviewOutcome, number> = { kept_by_reviewer: 0, revoked_by_reviewer: 0, kept_at_deadline: 0, revoked_at_deadline: 0, open: 0, undecided: 0 };
  const items = rows.map((item) => {
    const grant = grantsById.get(item.grantId);
    const outcome = reviewOutcome(item, campaign.status === 'open');
    counts[outcome]++;
    return {
      itemId: item.id,
      grantId: item.grantId,
      datasetId: item.datasetId,
      userId: item.userId,
      decision: item.decision,
      decidedBy: item.decidedBy,
      decidedAt: item.decidedAt,
      automatic: item.automatic,
      outcome,
      grantStatus: grant?.status ?? 'unknown',
      grantEndedAt: grant?.endedAt ?? null,
    };
  });
  return { campaign, items, counts };
}
