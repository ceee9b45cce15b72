import type { Db } from '../../shared/db/client.js';
import { AppError } from '../../shared/errors.js';
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
    throw new AppError('reviews.campaign_not_found', campaignRef === 'latest' ? 'No access review has been started yet.' : `There is no access review with id ${campaignRef}.`);
  }
  const rows = await repo.listItemsForReport(db, campaign.id);
  const counts: Record<ReviewOutcome, number> = { kept_by_reviewer: 0, revoked_by_reviewer: 0, kept_at_deadline: 0, revoked_at_deadline: 0, open: 0, undecided: 0 };
  const items = rows.map(({ item, grantStatus, grantEndedAt }) => {
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
      grantStatus,
      grantEndedAt,
    };
  });
  return { campaign, items, counts };
}
