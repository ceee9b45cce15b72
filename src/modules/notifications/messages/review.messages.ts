import { z } from 'zod';
import { findCampaign, listDigestMessages, saveDigestMessage } from '../../reviews/reviews.repository.js';
import type { ReviewSummary } from '../notifications.ports.js';
import { hygieneComparison, weeklyStandingByTier } from '../../hygiene/figures.usecases.js';
import { defineMessage } from './message.js';

const reviewPayload = z.object({ campaignId: z.string().uuid(), ownerId: z.string().min(1) });

/**
 * One reviewer's digest of the grants they decide, with Keep and Revoke. Each part's ref is saved
 * as soon as it is posted, and a retry (a rate limit or an outage half-way through) resumes after
 * the parts already saved: no part is posted twice, none is lost.
 */
export const reviewDigest = defineMessage({
  payload: reviewPayload,
  async deliver(ctx, { campaignId, ownerId }) {
    const posted = (await listDigestMessages(ctx.db, campaignId, ownerId)).length;
    const digest = await ctx.views.digest(campaignId, ownerId);
    if (!digest || digest.datasets.length === 0) return;
    await ctx.messenger.post(
      { dm: ownerId },
      { look: 'digest', data: digest },
      { fromPart: posted, onPosted: (part, ref) => saveDigestMessage(ctx.db, { campaignId, ownerId, part, channelId: ref.channelId, messageTs: ref.ts }) },
    );
  },
});

/** Redraws a reviewer's digest after a decision or the close. */
export const reviewDigestUpdate = defineMessage({
  payload: reviewPayload,
  async deliver(ctx, { campaignId, ownerId }) {
    const messages = await listDigestMessages(ctx.db, campaignId, ownerId);
    const digest = await ctx.views.digest(campaignId, ownerId);
    if (!digest || messages.length === 0) return;
    await ctx.messenger.update(messages.map((m) => ({ channelId: m.channelId, ts: m.messageTs })), { look: 'digest', data: digest });
  },
});

/** Before the deadline: only the items still undecided. */
export const reviewReminder = defineMessage({
  payload: reviewPayload,
  async deliver(ctx, { campaignId, ownerId }) {
    const digest = await ctx.views.digest(campaignId, ownerId);
    if (!digest?.open) return;
    digest.datasets = digest.datasets.map((d) => ({ ...d, items: d.items.filter((i) => !i.decision) })).filter((d) => d.items.length);
    if (digest.datasets.length) await ctx.messenger.post({ dm: ownerId }, { look: 'review_reminder', data: digest });
  },
});

/** To the review channel once a campaign closes. */
export const reviewSummary = defineMessage({
  payload: z.object({ campaignId: z.string().uuid() }),
  async deliver(ctx, { campaignId }) {
    const campaign = await findCampaign(ctx.db, campaignId);
    const channel = ctx.catalog.review?.channel;
    if (!campaign?.summary || !channel) return;
    const raw = campaign.summary as Record<string, unknown>;
    const summary = { ...(raw as unknown as ReviewSummary), startedAt: new Date(String(raw.startedAt)) };
    // the week that ended when the review closed, so a retry says the same
    const hygiene = await hygieneComparison(ctx, campaign.closedAt ?? ctx.clock.now());
    await ctx.messenger.post({ channel }, { look: 'review_summary', data: { ...summary, hygiene } });
  },
});

/**
 * To the review channel once a campaign closes, beside its summary: the chart of standing
 * grant-days per tier over the 12 weeks before the close. A message of its own, so a failed
 * upload is retried alone and never repeats the summary.
 */
export const reviewChart = defineMessage({
  payload: z.object({ campaignId: z.string().uuid() }),
  async deliver(ctx, { campaignId }) {
    const campaign = await findCampaign(ctx.db, campaignId);
    const channel = ctx.catalog.review?.channel;
    if (!campaign || !channel) return;
    const weeks = await weeklyStandingByTier(ctx, { weeks: 12, until: campaign.closedAt ?? ctx.clock.now() });
    const comment = 'Standing grant-days per sensitivity tier, week by week over the last 12 weeks (lower is better).';
    await ctx.messenger.upload({ channel }, { look: 'standing_chart', data: { weeks, comment } });
  },
});
