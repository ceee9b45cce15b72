import type { Content, ContentData, ContentKind } from '../modules/notifications/notifications.ports.js';
import {
  buildAccessReadyBlocks,
  buildExpiryReminderBlocks,
  buildGrantExtendedBlocks,
  buildProvisioningFailedBlocks,
  buildRevokeStuckBlocks,
  buildTaskBlocks,
} from './blocks/grant.blocks.js';
import { context, escapeMrkdwn, section } from './blocks/format.js';
import { buildCoachingBlocks, buildSecurityAlertBlocks } from './blocks/nudge.blocks.js';
import {
  buildApprovalRequestBlocks,
  buildApproverReminderBlocks,
  buildDecisionBlocks,
  buildGrantExpiredBlocks,
  buildRequestExpiredBlocks,
  buildRequestReceivedBlocks,
  type OutgoingMessage,
} from './blocks/request.blocks.js';
import { withHygiene } from './blocks/hygiene.blocks.js';
import { buildScheduledJobFailedBlocks } from './blocks/operations.blocks.js';
import { buildDigestParts, buildReviewReminderBlocks, buildReviewSummaryBlocks } from './blocks/review.blocks.js';

/** Each look as Slack messages (usually one; a digest may need several). The compiler checks that every look has one. */
const RENDERERS: { [K in ContentKind]: (data: ContentData[K]) => OutgoingMessage | OutgoingMessage[] } = {
  approval_request: buildApprovalRequestBlocks,
  request_received: buildRequestReceivedBlocks,
  decision: ({ request, timeZone }) => buildDecisionBlocks(request, timeZone),
  approver_reminder: buildApproverReminderBlocks,
  request_expired: buildRequestExpiredBlocks,
  grant_expired: buildGrantExpiredBlocks,
  access_ready: ({ grant, timeZone }) => buildAccessReadyBlocks(grant, timeZone),
  grant_extended: ({ grant, timeZone }) => buildGrantExtendedBlocks(grant, timeZone),
  expiry_reminder: ({ grant, lead, timeZone }) => buildExpiryReminderBlocks(grant, lead, timeZone),
  provision_failed: ({ grant, toRequester }) => buildProvisioningFailedBlocks(grant, toRequester),
  revoke_stuck: buildRevokeStuckBlocks,
  task: ({ task, reminder }) => buildTaskBlocks(task, reminder),
  coaching: buildCoachingBlocks,
  security_alert: buildSecurityAlertBlocks,
  digest: buildDigestParts,
  review_reminder: buildReviewReminderBlocks,
  review_summary: (s) => withHygiene(buildReviewSummaryBlocks(s), s.hygiene),
  tip: ({ text }) => ({
    text: 'A data-handling tip',
    blocks: [section(`:bulb: *Data-handling tip:* ${escapeMrkdwn(text)}`), context('You get this because you hold access to sensitive data.')],
  }),
  scheduled_job_failed: buildScheduledJobFailedBlocks,
};

/** The Slack messages for one piece of content, in order. Pure. */
export function renderContent(content: Content): OutgoingMessage[] {
  const render = RENDERERS[content.look] as (data: Content['data']) => OutgoingMessage | OutgoingMessage[];
  const out = render(content.data);
  return Array.isArray(out) ? out : [out];
}
