import { createHmac, randomBytes } from 'node:crypto';

/** Shaped like Slack's (32 lower-case hex characters), as the bot's config requires; new each run. */
export const SIGNING_SECRET = randomBytes(16).toString('hex');

/** Signs a body exactly as Slack does: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"). */
export function slackSignature(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface PostOptions {
  timestamp?: number;
  secret?: string;
  signature?: string;
}

export async function postSigned(url: string, body: string, contentType: string, opts: PostOptions = {}): Promise<Response> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? slackSignature(body, timestamp, opts.secret),
    },
    body,
  });
}

/** A slash command as Slack sends it (form-encoded). */
export function commandBody(opts: { text: string; userId: string; responseUrl: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'acme',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: opts.userId,
    user_name: opts.userId.toLowerCase(),
    command: '/access',
    text: opts.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: opts.responseUrl,
    trigger_id: opts.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
  }).toString();
}

/** An interactive payload (block_actions, view_submission) as Slack sends it: payload=<json>. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function blockActionPayload(opts: { userId: string; actionId: string; value: string; channelId: string; messageTs: string; responseUrl: string }) {
  return {
    type: 'block_actions',
    team: { id: 'T0TEAM', domain: 'acme' },
    user: { id: opts.userId, username: opts.userId.toLowerCase(), team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: opts.messageTs, channel_id: opts.channelId, is_ephemeral: false },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    channel: { id: opts.channelId, name: 'directmessage' },
    message: { type: 'message', ts: opts.messageTs, text: '' },
    response_url: opts.responseUrl,
    actions: [
      { type: 'button', action_id: opts.actionId, block_id: 'request_decision', value: opts.value, action_ts: `${Date.now() / 1000}`, text: { type: 'plain_text', text: 'x' } },
    ],
  };
}

export function viewSubmissionPayload(opts: { userId: string; callbackId: string; privateMetadata?: string; values: Record<string, Record<string, unknown>> }) {
  return {
    type: 'view_submission',
    team: { id: 'T0TEAM', domain: 'acme' },
    user: { id: opts.userId, username: opts.userId.toLowerCase(), team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    view: {
      id: 'V0VIEW',
      team_id: 'T0TEAM',
      type: 'modal',
      callback_id: opts.callbackId,
      private_metadata: opts.privateMetadata ?? '',
      state: { values: opts.values },
      hash: 'h',
      blocks: [],
    },
  };
}

/** An Events API callback (JSON), e.g. app_home_opened. */
export function eventBody(event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
}
