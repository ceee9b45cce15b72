import { randomBytes } from 'node:crypto';
import { BOT_USER_ID, type SandboxUser } from './sandbox.people.js';

export interface SandboxMessage {
  channel: string;
  ts: string;
  /** Who wrote it: the bot's user id or a person's. */
  user: string;
  text: string;
  blocks?: unknown[];
  /** Only this person sees it (chat.postEphemeral, a response_url, a command's answer). */
  ephemeralFor?: string;
  edited?: boolean;
}

export interface SandboxView {
  id: string;
  hash: string;
  userId: string;
  view: Record<string, any>;
  /** Field errors from a view_submission answered with response_action: errors, by block_id. */
  errors?: Record<string, string>;
}

export interface SandboxChannel {
  id: string;
  name: string;
  kind: 'channel' | 'im';
}

export const SANDBOX_CHANNEL: SandboxChannel = { id: 'C0SANDBOX', name: 'marketing', kind: 'channel' };

/**
 * Everything the stand-in knows, in memory: people, messages, modal stacks and Home tabs. Every
 * change bumps `version` and wakes the pages waiting for one.
 */
export class SandboxStore {
  readonly messages: SandboxMessage[] = [];
  readonly modals = new Map<string, SandboxView[]>();
  readonly homes = new Map<string, SandboxView>();
  /** Files the bot uploaded (files.getUploadURLExternal): the size announced and the bytes received. */
  readonly uploads = new Map<string, { filename: string; length: number; received: number }>();
  /** trigger_id → who may open a view with it. */
  readonly triggers = new Map<string, string>();
  version = 0;
  private waiters = new Set<() => void>();
  private lastTs = 0;

  constructor(readonly users: SandboxUser[]) {}

  user(id: string): SandboxUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  changed(): void {
    this.version++;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Resolves when the version passes `since`, or after `timeoutMs`. */
  waitForChange(since: number, timeoutMs: number): Promise<void> {
    if (this.version > since) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** A message timestamp as Slack writes them, unique and increasing. */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** The DM channel between the bot and a person. */
  dmOf(userId: string): string {
    return `D${userId}`;
  }

  channelName(channelId: string): string | undefined {
    if (channelId === SANDBOX_CHANNEL.id) return SANDBOX_CHANNEL.name;
    if (channelId.startsWith('D') && this.user(channelId.slice(1))) return `dm-${channelId.slice(1).toLowerCase()}`;
    return undefined;
  }

  post(message: Omit<SandboxMessage, 'ts'>): SandboxMessage {
    const stored = { ...message, ts: this.nextTs() };
    this.messages.push(stored);
    this.changed();
    return stored;
  }

  find(channel: string, ts: string): SandboxMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** Replaces a message in place (chat.update, replace_original): same channel and ts. */
  replace(message: SandboxMessage, update: { text?: string; blocks?: unknown[] }): void {
    message.text = update.text ?? message.text;
    message.blocks = update.blocks;
    message.edited = true;
    this.changed();
  }

  remove(message: SandboxMessage): void {
    this.messages.splice(this.messages.indexOf(message), 1);
    this.changed();
  }

  newTrigger(userId: string): string {
    const id = `${Date.now()}.sandbox.${randomBytes(6).toString('hex')}`;
    this.triggers.set(id, userId);
    return id;
  }

  newView(userId: string, view: Record<string, any>): SandboxView {
    return { id: `V${randomBytes(5).toString('hex').toUpperCase()}`, hash: randomBytes(6).toString('hex'), userId, view };
  }

  findView(viewId: string): SandboxView | undefined {
    for (const stack of this.modals.values()) {
      const hit = stack.find((v) => v.id === viewId);
      if (hit) return hit;
    }
    return [...this.homes.values()].find((v) => v.id === viewId);
  }

  /** What one person's page shows: their DM, the channel, their ephemerals, modals and Home. */
  snapshotFor(userId: string) {
    const dm = this.dmOf(userId);
    const visible = this.messages.filter((m) => (m.channel === dm || m.channel === SANDBOX_CHANNEL.id) && (!m.ephemeralFor || m.ephemeralFor === userId));
    return {
      version: this.version,
      me: userId,
      bot: { id: BOT_USER_ID },
      users: this.users,
      channels: [SANDBOX_CHANNEL, { id: dm, name: 'Data Access Bot', kind: 'im' as const }],
      messages: visible,
      modals: this.modals.get(userId) ?? [],
      home: this.homes.get(userId),
    };
  }
}
