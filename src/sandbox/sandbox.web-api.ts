import { randomBytes } from 'node:crypto';
import { BOT_USER_ID } from './sandbox.people.js';
import { SANDBOX_CHANNEL, type SandboxStore } from './sandbox.store.js';
import type { SocketModeServer } from './socket-mode.js';

export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox';
/** The app-level token of the sandbox's app, for Socket Mode (`apps.connections.open`). */
export const SANDBOX_APP_TOKEN = 'xapp-sandbox';
export const SANDBOX_TEAM = { id: 'T0SANDBOX', domain: 'sandbox' };

type Args = Record<string, any>;
type Answer = Record<string, unknown> & { ok: boolean };

/**
 * The Slack Web API methods the bot uses, answered in Slack's shapes from the sandbox store.
 * Unknown methods answer `unknown_method`, as Slack does. `apps.connections.open` takes the app
 * token and hands out a Socket Mode URL when the sandbox runs the bot in Socket Mode.
 */
export function answerWebApi(store: SandboxStore, method: string, args: Args, authorization: string | undefined, socketMode?: SocketModeServer, origin = 'http://localhost'): Answer {
  if (method === 'apps.connections.open') {
    if (authorization !== `Bearer ${SANDBOX_APP_TOKEN}`) return { ok: false, error: authorization === `Bearer ${SANDBOX_BOT_TOKEN}` ? 'not_allowed_token_type' : 'invalid_auth' };
    return socketMode ? socketMode.openConnection() : { ok: false, error: 'socket_mode_not_enabled' };
  }
  if (authorization !== `Bearer ${SANDBOX_BOT_TOKEN}`) return { ok: false, error: 'invalid_auth' };
  if (method === 'files.getUploadURLExternal') {
    const length = Number(args.length);
    if (!args.filename || !(length > 0)) return { ok: false, error: 'invalid_arguments' };
    const fileId = `F0${randomBytes(5).toString('hex').toUpperCase()}`;
    store.uploads.set(fileId, { filename: String(args.filename), length, received: 0 });
    return { ok: true, upload_url: `${origin}/upload/${fileId}`, file_id: fileId };
  }
  const handler = METHODS[method];
  if (!handler) return { ok: false, error: 'unknown_method' };
  return handler(store, args);
}

const METHODS: Record<string, (store: SandboxStore, args: Args) => Answer> = {
  'auth.test': () => ({ ok: true, url: 'http://sandbox.local/', team: 'Sandbox', team_id: SANDBOX_TEAM.id, user: 'accessbot', user_id: BOT_USER_ID, bot_id: 'B0SANDBOX' }),

  'conversations.open': (store, args) => {
    const userId = String(args.users ?? '').split(',')[0]!;
    if (!store.user(userId)) return { ok: false, error: 'user_not_found' };
    return { ok: true, channel: { id: store.dmOf(userId) } };
  },

  'conversations.info': (store, args) => {
    const name = store.channelName(String(args.channel));
    if (!name) return { ok: false, error: 'channel_not_found' };
    return { ok: true, channel: { id: args.channel, name, is_im: String(args.channel).startsWith('D'), is_member: true } };
  },

  'chat.postMessage': (store, args) => {
    const channel = channelOf(store, String(args.channel ?? ''));
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
    const m = store.post({ channel, user: BOT_USER_ID, text: String(args.text ?? ''), blocks: blocksOf(args.blocks) });
    return { ok: true, channel, ts: m.ts, message: { type: 'message', user: BOT_USER_ID, text: m.text, ts: m.ts } };
  },

  'chat.postEphemeral': (store, args) => {
    const channel = channelOf(store, String(args.channel ?? ''));
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const userId = String(args.user ?? '');
    if (!store.user(userId)) return { ok: false, error: 'user_not_in_channel' };
    const m = store.post({ channel, user: BOT_USER_ID, text: String(args.text ?? ''), blocks: blocksOf(args.blocks), ephemeralFor: userId });
    return { ok: true, message_ts: m.ts };
  },

  'chat.update': (store, args) => {
    const m = store.find(String(args.channel ?? ''), String(args.ts ?? ''));
    if (!m || m.ephemeralFor) return { ok: false, error: 'message_not_found' };
    if (m.user !== BOT_USER_ID) return { ok: false, error: 'cant_update_message' };
    store.replace(m, { text: args.text, blocks: blocksOf(args.blocks) });
    return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
  },

  'chat.delete': (store, args) => {
    const m = store.find(String(args.channel ?? ''), String(args.ts ?? ''));
    if (!m) return { ok: false, error: 'message_not_found' };
    store.remove(m);
    return { ok: true, channel: m.channel, ts: m.ts };
  },

  'chat.getPermalink': (store, args) => ({ ok: true, channel: args.channel, permalink: `/#${args.channel}/${args.message_ts}` }),

  // The page does not show images: the file is announced in the channel with its comment.
  'files.completeUploadExternal': (store, args) => {
    const files = (parsed(args.files) ?? []) as Array<{ id?: string; title?: string }>;
    const uploads = files.map((f) => ({ f, u: store.uploads.get(String(f.id)) }));
    if (!uploads.length || uploads.some(({ u }) => !u || u.received !== u.length)) return { ok: false, error: 'file_not_found' };
    const channel = args.channel_id ? channelOf(store, String(args.channel_id)) : undefined;
    if (args.channel_id && !channel) return { ok: false, error: 'channel_not_found' };
    if (channel) {
      const names = uploads.map(({ f, u }) => `${f.title ?? u!.filename} (${Math.ceil(u!.length / 1024)} KB)`).join(', ');
      store.post({ channel, user: BOT_USER_ID, text: `${args.initial_comment ? `${String(args.initial_comment)}\n` : ''}:frame_with_picture: ${names}: the sandbox does not show images` });
    }
    return { ok: true, files: uploads.map(({ f, u }) => ({ id: f.id, title: f.title, name: u!.filename })) };
  },

  'users.info': (store, args) => {
    const u = store.user(String(args.user ?? ''));
    if (!u) return { ok: false, error: 'user_not_found' };
    return { ok: true, user: slackUser(u) };
  },

  // the bot walks the directory page by page: `limit` a page, an opaque cursor while more are left
  'users.list': (store, args) => {
    const limit = Math.min(Number(args.limit) || 1000, 1000);
    const from = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64').toString('utf8').replace(/^users:/, '')) : 0;
    if (!Number.isInteger(from) || from < 0) return { ok: false, error: 'invalid_cursor' };
    const next = from + limit < store.users.length ? Buffer.from(`users:${from + limit}`).toString('base64') : '';
    return { ok: true, members: store.users.slice(from, from + limit).map(slackUser), response_metadata: { next_cursor: next } };
  },

  'users.lookupByEmail': (store, args) => {
    const u = store.users.find((x) => x.email === String(args.email ?? '').toLowerCase());
    return u ? { ok: true, user: slackUser(u) } : { ok: false, error: 'users_not_found' };
  },

  'users.profile.get': (store, args) => {
    const u = store.user(String(args.user ?? ''));
    if (!u) return { ok: false, error: 'user_not_found' };
    return { ok: true, profile: slackUser(u).profile };
  },

  'views.open': (store, args) => {
    const userId = store.triggers.get(String(args.trigger_id ?? ''));
    if (!userId) return { ok: false, error: 'invalid_trigger_id' };
    store.triggers.delete(String(args.trigger_id));
    const view = store.newView(userId, viewOf(args.view));
    store.modals.set(userId, [view]);
    store.changed();
    return { ok: true, view: viewAnswer(view) };
  },

  'views.push': (store, args) => {
    const userId = store.triggers.get(String(args.trigger_id ?? ''));
    const stack = userId ? store.modals.get(userId) : undefined;
    if (!userId || !stack?.length) return { ok: false, error: 'invalid_trigger_id' };
    if (stack.length >= 3) return { ok: false, error: 'push_limit_reached' };
    const view = store.newView(userId, viewOf(args.view));
    stack.push(view);
    store.changed();
    return { ok: true, view: viewAnswer(view) };
  },

  'views.update': (store, args) => {
    const view = store.findView(String(args.view_id ?? ''));
    if (!view) return { ok: false, error: 'not_found' };
    if (args.hash && args.hash !== view.hash) return { ok: false, error: 'hash_conflict' };
    view.view = viewOf(args.view);
    view.hash = store.newView(view.userId, {}).hash;
    view.errors = undefined;
    store.changed();
    return { ok: true, view: viewAnswer(view) };
  },

  'views.publish': (store, args) => {
    const userId = String(args.user_id ?? '');
    if (!store.user(userId)) return { ok: false, error: 'user_not_found' };
    const existing = store.homes.get(userId);
    const view = existing ?? store.newView(userId, {});
    view.view = viewOf(args.view);
    view.hash = store.newView(userId, {}).hash;
    store.homes.set(userId, view);
    store.changed();
    return { ok: true, view: viewAnswer(view) };
  },
};

/** A channel id the bot may post to: the sandbox channel, a DM, or a user id (Slack opens the DM). */
function channelOf(store: SandboxStore, channel: string): string | undefined {
  if (channel === SANDBOX_CHANNEL.id) return channel;
  if (channel.startsWith('D') && store.user(channel.slice(1))) return channel;
  if (store.user(channel)) return store.dmOf(channel);
  return undefined;
}

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function blocksOf(value: unknown): unknown[] | undefined {
  const blocks = parsed(value);
  return Array.isArray(blocks) ? blocks : undefined;
}

function viewOf(value: unknown): Record<string, any> {
  const view = parsed(value);
  return view && typeof view === 'object' ? (view as Record<string, any>) : {};
}

function viewAnswer(v: { id: string; hash: string; view: Record<string, any> }) {
  return { ...v.view, id: v.id, hash: v.hash, team_id: SANDBOX_TEAM.id, bot_id: 'B0SANDBOX', state: { values: {} } };
}

function slackUser(u: { id: string; name: string; email: string; tz: string; guest?: boolean }) {
  return {
    id: u.id,
    team_id: SANDBOX_TEAM.id,
    name: u.email.split('@')[0],
    real_name: u.name,
    tz: u.tz,
    deleted: false,
    is_bot: false,
    is_app_user: false,
    is_restricted: !!u.guest,
    is_ultra_restricted: false,
    profile: { email: u.email, real_name: u.name, display_name: u.name },
  };
}

