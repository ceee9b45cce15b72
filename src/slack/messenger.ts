import { ErrorCode, type WebClient } from '@slack/web-api';
import { DeliveryRateLimitedError, PermanentDeliveryError, type Messenger } from '../modules/notifications/notifications.ports.js';
import type { OutgoingMessage } from './blocks/request.blocks.js';
import { renderContent } from './messages.render.js';
import { renderFile } from './files.render.js';
import { rateLimitedFor } from './api-calls.js';

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

/** Messages through the Slack Web API: renders each look with the pure block builders, then posts or updates. */
export function slackMessenger(client: WebClient): Messenger {
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

  async function postTo(channel: string, message: OutgoingMessage, unfurl: boolean) {
    const res = await call(() =>
      client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, ...(unfurl ? {} : { unfurl_links: false }) }),
    );
    return { channelId: res.channel ?? channel, ts: res.ts! };
  }

  return {
    async post(to, content, progress) {
      const parts = renderContent(content);
      const refs = [];
      if ('dm' in to) {
        for (const [index, part] of parts.entries()) {
          if (progress && index < progress.fromPart) continue;
          const ref = await postTo(await openDm(to.dm), part, false);
          refs.push(ref);
          await progress?.onPosted(index, ref);
        }
      } else if ('channel' in to) {
        // the review summary went out with Slack's default unfurling; keep each message as it was
        for (const part of parts) refs.push(await postTo(to.channel, part, content.look === 'review_summary'));
      } else {
        const { channel, user } = to.privately;
        for (const part of parts) {
          try {
            await call(() => client.chat.postEphemeral({ channel, user, text: part.text, blocks: part.blocks }));
          } catch (err) {
            // an ephemeral needs the person to be in the channel now; a DM always reaches them
            if (!(err instanceof PermanentDeliveryError)) throw err;
            refs.push(await postTo(await openDm(user), part, false));
          }
        }
      }
      return refs;
    },
    async update(refs, content) {
      const parts = renderContent(content);
      for (const [i, ref] of refs.entries()) {
        const part = parts[i];
        if (part) await call(() => client.chat.update({ channel: ref.channelId, ts: ref.ts, text: part.text, blocks: part.blocks }));
      }
    },
    /**
     * Slack's current upload (files.upload is retired): ask for an upload URL, POST the bytes to
     * it, then complete the upload, which shares the file in the channel with its comment.
     */
    async upload(to, content) {
      const file = await renderFile(content);
      const target = await call(() => client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes.length, alt_text: file.altText }));
      if (!target.upload_url || !target.file_id) throw new PermanentDeliveryError('files.getUploadURLExternal returned no upload URL');
      const res = await fetch(target.upload_url, { method: 'POST', body: new Uint8Array(file.bytes), headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(30_000) });
      // a refused upload is retried by the delivery job with a new URL
      if (!res.ok) throw new Error(`file upload answered ${res.status}`);
      await res.arrayBuffer().catch(() => undefined);
      await call(() => client.files.completeUploadExternal({ files: [{ id: target.file_id!, title: file.title }], channel_id: to.channel, initial_comment: file.comment }));
    },
  };
}

/** Runs a Web API call, turning Slack's permanent refusals into PermanentDeliveryError and a 429 into DeliveryRateLimitedError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const wait = rateLimitedFor(err);
    if (wait !== undefined) throw new DeliveryRateLimitedError(wait);
    const e = err as { code?: string; data?: { error?: string } };
    if (e.code === ErrorCode.PlatformError && e.data?.error && PERMANENT_SLACK_ERRORS.has(e.data.error)) {
      throw new PermanentDeliveryError(`slack: ${e.data.error}`);
    }
    throw err;
  }
}
