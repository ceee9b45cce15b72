import { randomBytes } from 'node:crypto';
import { BOT_USER_ID } from './sandbox.people.js';
import { postSigned, type BotAnswer } from './sandbox.signing.js';
import type { SandboxStore } from './sandbox.store.js';
import { SANDBOX_TEAM } from './sandbox.web-api.js';
import type { EnvelopeType, SocketModeServer } from './socket-mode.js';

const APP_ID = 'A0SANDBOX';
const COMMAND = '/access';

export interface ActionInput {
  userId: string;
  /** Where the element was: a message (channel + ts) or a view (modal or Home tab). */
  messageTs?: string;
  channelId?: string;
  viewId?: string;
  action: { action_id: string; block_id?: string; type: string; value?: string; selected_option?: unknown; selected_options?: unknown[] };
  /** The current input values of the view, in Slack's view.state.values shape. */
  values?: Record<string, Record<string, unknown>>;
}

export interface ResponseTarget {
  userId: string;
  channelId: string;
  messageTs?: string;
}

/** Slack gives up after 3 seconds; the sandbox is a little more patient on a slow laptop. */
const ACK_TIMEOUT_MS = 10_000;

/**
 * Slack's side of the conversation: turns what a person does on the page into the requests
 * Slack would send (slash commands, block actions, options, view submissions, events) and
 * applies what the bot answers in the acknowledgement. Over HTTP each is POSTed to the bot's
 * /slack/events signed with the signing secret; in Socket Mode (`socketMode` set) each is an
 * envelope on the bot's WebSocket, and the ack's payload is the answer.
 */
export class SandboxSlack {
  readonly responseUrls = new Map<string, ResponseTarget>();

  constructor(
    private readonly store: SandboxStore,
    private readonly config: { eventsUrl: () => string; signingSecret: string; publicUrl: () => string; socketMode?: SocketModeServer },
  ) {}

  /** How the bot is reached: 'http' (signed POSTs) or 'socket' (Socket Mode envelopes). */
  get transport(): 'http' | 'socket' {
    return this.config.socketMode ? 'socket' : 'http';
  }

  /** `payload` is what Slack puts in a Socket Mode envelope; `body` what it POSTs over HTTP. */
  private async send(type: EnvelopeType, payload: unknown, body: string, contentType: string): Promise<BotAnswer> {
    const socket = this.config.socketMode;
    if (!socket) return postSigned(this.config.eventsUrl(), this.config.signingSecret, body, contentType);
    try {
      const ack = await socket.deliver({ type, payload }, { timeoutMs: ACK_TIMEOUT_MS });
      return { status: 200, body: ack.payload };
    } catch {
      return { status: 504, body: undefined }; // no ack in time: Slack shows the person an error
    }
  }

  private responseUrl(target: ResponseTarget): string {
    const token = randomBytes(12).toString('hex');
    this.responseUrls.set(token, target);
    return `${this.config.publicUrl()}/respond/${token}`;
  }

  private interaction(payload: Record<string, unknown>): Promise<BotAnswer> {
    return this.send('interactive', payload, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  }

  private base(userId: string) {
    const u = this.store.user(userId);
    return {
      team: SANDBOX_TEAM,
      user: { id: userId, username: u?.email.split('@')[0] ?? userId, name: u?.email.split('@')[0] ?? userId, team_id: SANDBOX_TEAM.id },
      api_app_id: APP_ID,
      token: 'sandbox-verification-token',
      is_enterprise_install: false,
    };
  }

  async command(userId: string, channelId: string, text: string): Promise<BotAnswer> {
    const trigger = this.store.newTrigger(userId);
    // people see what they typed; Slack itself shows it only to them too
    this.store.post({ channel: channelId, user: userId, text: `${COMMAND} ${text}`.trim(), ephemeralFor: userId });
    const fields = {
      token: 'sandbox-verification-token',
      team_id: SANDBOX_TEAM.id,
      team_domain: SANDBOX_TEAM.domain,
      channel_id: channelId,
      channel_name: this.store.channelName(channelId) ?? 'unknown',
      user_id: userId,
      user_name: this.store.user(userId)?.email.split('@')[0] ?? userId,
      command: COMMAND,
      text,
      api_app_id: APP_ID,
      is_enterprise_install: 'false',
      response_url: this.responseUrl({ userId, channelId }),
      trigger_id: trigger,
    };
    const answer = await this.send('slash_commands', fields, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
    if (answer.status !== 200) {
      this.systemNote(userId, channelId, `${COMMAND} failed: the bot answered HTTP ${answer.status}.`);
    } else if (answer.body && typeof answer.body === 'object') {
      this.applyResponse({ userId, channelId }, answer.body as Record<string, unknown>);
    } else if (typeof answer.body === 'string') {
      this.store.post({ channel: channelId, user: BOT_USER_ID, text: answer.body, ephemeralFor: userId });
    }
    return answer;
  }

  async action(input: ActionInput): Promise<BotAnswer> {
    const trigger = this.store.newTrigger(input.userId);
    const action = { ...input.action, action_ts: `${Date.now() / 1000}` };
    const payload: Record<string, unknown> = { type: 'block_actions', ...this.base(input.userId), trigger_id: trigger, actions: [action] };
    if (input.viewId) {
      const v = this.store.findView(input.viewId);
      if (!v) return { status: 404, body: 'view not found' };
      payload.container = { type: 'view', view_id: v.id };
      payload.view = this.viewPayload(v, input.values);
    } else {
      const m = this.store.find(input.channelId ?? '', input.messageTs ?? '');
      if (!m) return { status: 404, body: 'message not found' };
      payload.container = { type: 'message', message_ts: m.ts, channel_id: m.channel, is_ephemeral: !!m.ephemeralFor };
      payload.channel = { id: m.channel, name: this.store.channelName(m.channel) ?? 'directmessage' };
      payload.message = { type: 'message', user: m.user, ts: m.ts, text: m.text, blocks: m.blocks };
      payload.response_url = this.responseUrl({ userId: input.userId, channelId: m.channel, messageTs: m.ts });
      if (input.values) payload.state = { values: input.values };
    }
    return this.interaction(payload);
  }

  /** An external select asks the bot for its options (block_suggestion); returns them as the bot answered. */
  async options(userId: string, viewId: string, actionId: string, blockId: string, query: string): Promise<unknown[]> {
    const v = this.store.findView(viewId);
    if (!v) return [];
    const answer = await this.interaction({
      type: 'block_suggestion',
      ...this.base(userId),
      action_id: actionId,
      block_id: blockId,
      value: query,
      container: { type: 'view', view_id: v.id },
      view: this.viewPayload(v),
    });
    const body = answer.body as { options?: unknown[]; option_groups?: Array<{ options: unknown[] }> } | undefined;
    return body?.options ?? body?.option_groups?.flatMap((g) => g.options) ?? [];
  }

  /** Submits the top modal; applies the bot's response_action (errors, update, push, clear) or closes it. */
  async submit(userId: string, viewId: string, values: Record<string, Record<string, unknown>>): Promise<BotAnswer> {
    const stack = this.store.modals.get(userId) ?? [];
    const v = stack.find((x) => x.id === viewId);
    if (!v) return { status: 404, body: 'view not found' };
    const answer = await this.interaction({
      type: 'view_submission',
      ...this.base(userId),
      trigger_id: this.store.newTrigger(userId),
      view: this.viewPayload(v, values),
      response_urls: [],
    });
    if (answer.status !== 200) {
      v.errors = { _: `The bot answered HTTP ${answer.status}; nothing was submitted.` };
      this.store.changed();
      return answer;
    }
    const reply = (answer.body && typeof answer.body === 'object' ? answer.body : {}) as { response_action?: string; errors?: Record<string, string>; view?: Record<string, any> };
    if (reply.response_action === 'errors') {
      v.errors = reply.errors ?? {};
    } else if (reply.response_action === 'update' && reply.view) {
      v.view = reply.view;
      v.errors = undefined;
    } else if (reply.response_action === 'push' && reply.view) {
      v.errors = undefined;
      stack.push(this.store.newView(userId, reply.view));
    } else if (reply.response_action === 'clear') {
      this.store.modals.delete(userId);
    } else {
      stack.splice(stack.indexOf(v), 1);
    }
    this.store.changed();
    return answer;
  }

  /** The person pressed the modal's close button: the view goes (no view_closed event: the bot asks for none). */
  close(userId: string, viewId: string): void {
    const stack = this.store.modals.get(userId) ?? [];
    const i = stack.findIndex((x) => x.id === viewId);
    if (i >= 0) stack.splice(i, 1);
    this.store.changed();
  }

  /** A person posts in a channel: the message is stored and the bot gets a `message` event. */
  async postMessage(userId: string, channelId: string, text: string): Promise<BotAnswer> {
    const m = this.store.post({ channel: channelId, user: userId, text });
    const im = channelId.startsWith('D');
    return this.event({ type: 'message', channel: channelId, user: userId, text, ts: m.ts, event_ts: m.ts, channel_type: im ? 'im' : 'channel', team: SANDBOX_TEAM.id });
  }

  async openHome(userId: string): Promise<BotAnswer> {
    return this.event({ type: 'app_home_opened', user: userId, channel: this.store.dmOf(userId), tab: 'home', event_ts: `${Date.now() / 1000}` });
  }

  private event(event: Record<string, unknown>): Promise<BotAnswer> {
    const callback = {
      token: 'sandbox-verification-token',
      team_id: SANDBOX_TEAM.id,
      api_app_id: APP_ID,
      type: 'event_callback',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    };
    return this.send('events_api', callback, JSON.stringify(callback), 'application/json');
  }

  /** What the bot sends to a response_url: a new ephemeral reply, or a change to the message clicked. */
  applyResponse(target: ResponseTarget, body: Record<string, unknown>): void {
    const original = target.messageTs ? this.store.find(target.channelId, target.messageTs) : undefined;
    if (original && body.delete_original) return this.store.remove(original);
    if (original && body.replace_original) {
      return this.store.replace(original, { text: String(body.text ?? ''), blocks: Array.isArray(body.blocks) ? body.blocks : undefined });
    }
    if (!body.text && !body.blocks) return;
    const inChannel = body.response_type === 'in_channel';
    this.store.post({
      channel: target.channelId,
      user: BOT_USER_ID,
      text: String(body.text ?? ''),
      blocks: Array.isArray(body.blocks) ? body.blocks : undefined,
      ...(inChannel ? {} : { ephemeralFor: target.userId }),
    });
  }

  private systemNote(userId: string, channelId: string, text: string): void {
    this.store.post({ channel: channelId, user: 'slackbot', text, ephemeralFor: userId });
  }

  private viewPayload(v: { id: string; hash: string; view: Record<string, any> }, values: Record<string, Record<string, unknown>> = {}) {
    return {
      ...v.view,
      id: v.id,
      hash: v.hash,
      team_id: SANDBOX_TEAM.id,
      app_id: APP_ID,
      bot_id: 'B0SANDBOX',
      type: v.view.type ?? 'modal',
      callback_id: v.view.callback_id ?? '',
      private_metadata: v.view.private_metadata ?? '',
      state: { values },
    };
  }
}

