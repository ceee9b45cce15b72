import { DEFAULT_REVIEW } from '../../catalog/catalog.js';
import { appendAudit } from '../audit/audit.repository.js';
import type { Deps } from '../deps.js';
import { addToOutbox } from '../notifications/notifications.repository.js';
import { outboxMessage } from '../notifications/messages/messages.js';
import type { ReviewSummary } from '../notifications/notifications.ports.js';
import * as repo from './reviews.repository.js';
import type { Campaign } from './reviews.repository.js';
import { reviewersOfItems, unansweredReviewers } from './reviews.rules.js';
import { applyDeadlineDecisions, type ReviewDecisionDeps } from './reviews.usecases.js';

/**
 * Runs with the reconciler: reminds reviewers with undecided items before the deadline (once), and at
 * the deadline applies each dataset's policy to what nobody reviewed, closes the review, and posts
 * its summary to the security channel.
 */
export async function followUpReviews(deps: ReviewDecisionDeps & Pick<Deps, 'logger'>): Promise<{ reminded: number; closed: boolean }> {
  const campaign = await repo.findOpenCampaign(deps.db);
  if (!campaign) return { reminded: 0, closed: false };
  const now = deps.clock.now();
  const s = deps.catalog.review ?? DEFAULT_REVIEW;

  if (now >= campaign.deadline) {
    await closeReview(deps, campaign);
    return { reminded: 0, closed: true };
  }
  let reminded = 0;
  if (now.getTime() >= campaign.deadline.getTime() - s.reminderHoursBefore * 3600_000 && !campaign.reminderSentAt) {
    const open = (await repo.listItems(deps.db, campaign.id)).filter((i) => !i.decision);
    const owners = reviewersOfItems(deps.catalog, open);
    if (await repo.markReminderSent(deps.db, campaign.id, now)) {
      const ids = await addToOutbox(deps.db, now, owners.map((ownerId) => outboxMessage('review_reminder', { campaignId: campaign.id, ownerId })));
      await deps.jobs.enqueueDeliveries(ids);
      reminded = owners.length;
    }
  }
  return { reminded, closed: false };
}

async function closeReview(deps: ReviewDecisionDeps & Pick<Deps, 'logger'>, campaign: Campaign) {
  const before = await repo.listItems(deps.db, campaign.id);
  const { silent: silentOwners, partial: partialOwners } = unansweredReviewers(deps.catalog, before);
  await applyDeadlineDecisions(deps, before.filter((i) => !i.decision));
  const items = await repo.listItems(deps.db, campaign.id);
  const previous = await repo.findPreviousClosed(deps.db, campaign.startedAt);
  const summary: ReviewSummary = {
    campaignId: campaign.id,
    startedAt: campaign.startedAt,
    total: items.length,
    reviewed: items.filter((i) => i.decision && !i.automatic).length,
    kept: items.filter((i) => i.decision === 'keep' && !i.automatic).length,
    revoked: items.filter((i) => i.decision === 'revoke' && !i.automatic).length,
    autoRevoked: items.filter((i) => i.decision === 'revoke' && i.automatic).length,
    autoKept: items.filter((i) => i.decision === 'keep' && i.automatic).length,
    silentOwners,
    partialOwners,
    previousTotal: typeof previous?.summary?.total === 'number' ? previous.summary.total : null,
  };
  const now = deps.clock.now();
  const ids = await deps.db.transaction(async (tx) => {
    if (!(await repo.closeCampaign(tx, campaign.id, now, { ...summary, startedAt: summary.startedAt.toISOString() }))) return [];
    await appendAudit(tx, { at: now, actorId: 'system', action: 'review.closed', subjectType: 'review', subjectId: campaign.id, details: { ...summary } });
    const channel = deps.catalog.review?.channel;
    const owners = reviewersOfItems(deps.catalog, items);
    return addToOutbox(tx, now, [
      ...owners.map((ownerId) => outboxMessage('review_digest_update', { campaignId: campaign.id, ownerId })),
      ...(channel ? [outboxMessage('review_summary', { campaignId: campaign.id }), outboxMessage('review_chart', { campaignId: campaign.id })] : []),
    ]);
  });
  deps.logger.info({ ...summary, silentOwners: silentOwners.length, partialOwners: partialOwners.length }, 'access review closed');
  await deps.jobs.enqueueDeliveries(ids);
}
