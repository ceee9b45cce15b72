import { ErrorCode, type WebClient } from '@slack/web-api';
import { PermanentDeliveryError, type Notifier } from '../modules/notifications/notifications.ports.js';
import {
  buildApproverReminderBlocks,
  buildRequestExpiredBlocks,
  buildApprovalRequestBlocks,
  buildDecisionBlocks,
  buildGrantExpiredBlocks,
  buildRequestReceivedBlocks,
  type OutgoingMessage,
} from './blocks/request.blocks.js';
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
import { buildDigestParts, buildReviewReminderBlocks, buildReviewSummaryBlocks } from './blocks/review.blocks.js';
import type { PeopleDirectory } from '../shared/people.ports.js';

// Slack errors that no retry can fix; anything else (rate limits, outages) is retried by the job.
const PERMANENT_SLACK_ERRORS = new Set([
  'channel_not_found',
  'user_not_found',
  'users_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'not_in_channel',
  'account_inactive',
  'invalid_auth',
  'not_authed',
  'missing_scope',
]);

export function slackNotifier(client: WebClient, users: PeopleDirectory): Notifier {
  const dmChannels = new Map<string, string>();

  async function openDm(userId: string): Promise<string> {
    const cached = dmChannels.get(userId);
    if (cached) return cached;
    const res = await call(() => client.conversations.open({ users: userId }));
    const channelId = res.channel?.id;
    if (!channelId) throw new PermanentDeliveryError('conversations.open returned no channel');
    dmChannels.set(userId, channelId);
    return channelId;
  }

  async function sendDm(userId: string, message: OutgoingMessage) {
    const channel = await openDm(userId);
    const res = await call(() => client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false }));
    return { channelId: res.channel ?? channel, ts: res.ts! };
  }

  return {
    askApprover: (approverId, request) => sendDm(approverId, buildApprovalRequestBlocks(request)),
    async updateApproverMessage(ref, request) {
      const message = buildApprovalRequestBlocks(request);
      await call(() => client.chat.update({ channel: ref.channelId, ts: ref.ts, text: message.text, blocks: message.blocks }));
    },
    async confirmRequestReceived(request) {
      await sendDm(request.requesterId, buildRequestReceivedBlocks(request));
    },
    async tellRequesterOfDecision(request) {
      const tz = await users.timeZone(request.requesterId);
      await sendDm(request.requesterId, buildDecisionBlocks(request, tz));
    },
    async tellGrantExpired(grant) {
      await sendDm(grant.userId, buildGrantExpiredBlocks(grant));
    },
    async tellAccessReady(grant) {
      await sendDm(grant.userId, buildAccessReadyBlocks(grant, await users.timeZone(grant.userId)));
    },
    async tellProvisioningFailed(recipientId, grant) {
      await sendDm(recipientId, buildProvisioningFailedBlocks(grant, recipientId === grant.userId));
    },
    askForTask: (assigneeId, task) => sendDm(assigneeId, buildTaskBlocks(task)),
    async updateTaskMessage(ref, task) {
      const message = buildTaskBlocks(task);
      await call(() => client.chat.update({ channel: ref.channelId, ts: ref.ts, text: message.text, blocks: message.blocks }));
    },
    async alertRevokeStuck(recipientId, grant) {
      await sendDm(recipientId, buildRevokeStuckBlocks(grant));
    },
    async remindTask(assigneeId, task) {
      await sendDm(assigneeId, buildTaskBlocks(task, true));
    },
    async remindApprover(approverId, request) {
      await sendDm(approverId, buildApproverReminderBlocks(request));
    },
    async tellRequestExpired(request) {
      await sendDm(request.requesterId, buildRequestExpiredBlocks(request));
    },
    async tellGrantExtended(grant) {
      await sendDm(grant.userId, buildGrantExtendedBlocks(grant, await users.timeZone(grant.userId)));
    },
    async coachPoster(nudge) {
      const message = buildCoachingBlocks(nudge);
      try {
        await call(() => client.chat.postEphemeral({ channel: nudge.channelId, user: nudge.userId, text: message.text, blocks: message.blocks }));
      } catch (err) {
        // an ephemeral needs the person to be in the channel now; a DM always reaches them
        if (!(err instanceof PermanentDeliveryError)) throw err;
        await sendDm(nudge.userId, message);
      }
    },
    async alertSecurity(channelId, nudge) {
      const message = buildSecurityAlertBlocks(nudge);
      await call(() => client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks, unfurl_links: false }));
    },
    async sendDigest(digest) {
      const refs = [];
      for (const part of buildDigestParts(digest)) refs.push(await sendDm(digest.ownerId, part));
      return refs;
    },
    async updateDigest(refs, digest) {
      const parts = buildDigestParts(digest);
      for (const [i, ref] of refs.entries()) {
        const part = parts[i];
        if (part) await call(() => client.chat.update({ channel: ref.channelId, ts: ref.ts, text: part.text, blocks: part.blocks }));
      }
    },
    async remindReview(digest) {
      await sendDm(digest.ownerId, buildReviewReminderBlocks(digest));
    },
    async postReviewSummary(channelId, summary) {
      const message = buildReviewSummaryBlocks(summary);
      await call(() => client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks }));
    },
    async sendTip(userId, tip) {
      await sendDm(userId, {
        text: 'A data-handling tip',
        blocks: [section(`:bulb: *Data-handling tip:* ${escapeMrkdwn(tip)}`), context('You get this because you hold access to sensitive data.')],
      });
    },
    async remindExpiry(grant, lead) {
      await sendDm(grant.userId, buildExpiryReminderBlocks(grant, lead, await users.timeZone(grant.userId)));
    },
  };
}

/** Runs a Web API call, turning Slack's permanent refusals into PermanentDeliveryError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string } };
    if (e.code === ErrorCode.PlatformError && e.data?.error && PERMANENT_SLACK_ERRORS.has(e.data.error)) {
      throw new PermanentDeliveryError(`slack: ${e.data.error}`);
    }
    throw err;
  }
}
