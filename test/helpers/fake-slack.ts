import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSocketModeServer, type SocketModeServer } from '../../src/sandbox/socket-mode.js';

/** The app-level token the fake accepts for Socket Mode (`apps.connections.open`). */
export const FAKE_APP_TOKEN = 'xapp-fake';

export interface RecordedCall {
  method: string;
  args: Record<string, any>;
}

/** `pass`: this call is answered normally (to fail a later call in the sequence, e.g. part 2 of a message). */
type Failure = { status: 429; retryAfter: number } | { status: 200; error: string } | { status: 500 } | { status: 'pass' };

/**
 * A stand-in for Slack's Web API (the only stand-in in the tests): answers in Slack's shapes
 * and records every call so tests can assert on what the bot said, to whom and how. It also
 * speaks Socket Mode (`socketMode`), for a bot started with an app token.
 */
export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  /** Every Web API method as its request arrives (before any delay or failure). */
  readonly received: string[] = [];
  /** What apps.connections.open answers (Socket Mode); calls with the app token `xapp-fake`. */
  socketModeUrl?: string;
  /** Bytes POSTed to an upload URL handed out by files.getUploadURLExternal, by file id. */
  readonly uploads = new Map<string, { filename: string; length: number; bytes: Buffer }>();
  readonly users = new Map<string, { tz?: string; email?: string; deleted?: boolean; guest?: boolean; bot?: boolean }>();
  private failures = new Map<string, Failure[]>();
  private delays = new Map<string, number>();
  private server?: Server;
  socketMode!: SocketModeServer;
  private nextTs = 1_700_000_000;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.socketMode = createSocketModeServer({ server: this.server, pingIntervalMs: 5_000 });
    return this;
  }

  async stop(): Promise<void> {
    await this.socketMode?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** The next `times` calls of `method` fail this way (then it answers normally again). */
  failNext(method: string, failure: Failure, times = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array(times).fill(failure)]);
  }

  /** Forgets the failures set with failNext that have not happened yet: every method answers normally. */
  clearFailures(): void {
    this.failures.clear();
  }

  /** Every call of `method` answers after `ms` milliseconds, until set back to 0. */
  delay(method: string, ms: number): void {
    this.delays.set(method, ms);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages posted into the DM of `userId` (channel D<userId>). */
  dmsTo(userId: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === `D${userId}`);
  }

  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; calls so far: ${this.calls.map((c) => c.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers?: Record<string, string>; body: unknown }> {
    const body = await readBody(req);
    const raw = body.toString('utf8');
    const path = (req.url ?? '').split('?')[0]!;
    if (path.startsWith('/upload/')) {
      // Slack's upload URL: takes the file's bytes, no token; answers 200 with a plain "OK"
      const upload = this.uploads.get(path.slice('/upload/'.length));
      if (!upload) return { status: 404, body: { ok: false } };
      upload.bytes = body;
      this.calls.push({ method: 'upload', args: { fileId: path.slice('/upload/'.length), size: body.length } });
      return { status: 200, body: 'OK' };
    }
    if (!path.startsWith('/api/')) {
      this.calls.push({ method: `response_url${path}`, args: JSON.parse(raw || '{}') });
      return { status: 200, body: { ok: true } };
    }
    const method = path.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    this.received.push(method);
    if (method === 'apps.connections.open') {
      if (req.headers.authorization !== `Bearer ${FAKE_APP_TOKEN}`) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      this.calls.push({ method, args });
      // a test may point Socket Mode at a server of its own (socketModeUrl); otherwise the built-in stand-in
      return { status: 200, body: this.socketModeUrl ? { ok: true, url: this.socketModeUrl } : this.socketMode.openConnection() };
    }
    if (req.headers.authorization !== 'Bearer xoxb-fake') return { status: 200, body: { ok: false, error: 'invalid_auth' } };

    const wait = this.delays.get(method);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const queued = this.failures.get(method)?.shift();
    const failure = queued?.status === 'pass' ? undefined : queued;
    if (failure) {
      this.calls.push({ method: `${method}#failed`, args });
      if (failure.status === 429) return { status: 429, headers: { 'retry-after': String(failure.retryAfter) }, body: { ok: false, error: 'ratelimited' } };
      if (failure.status === 500) return { status: 500, body: { ok: false } };
      return { status: 200, body: { ok: false, error: failure.error } };
    }
    this.calls.push({ method, args });
    return { status: 200, body: this.answer(method, args) };
  }

  private answer(method: string, args: Record<string, any>): unknown {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.test/', team: 'Acme', user: 'accessbot', team_id: 'T0TEAM', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users).split(',')[0]}` } };
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: `${this.nextTs++}.000100`, message: { text: args.text } };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${this.nextTs++}.000200` };
      case 'files.getUploadURLExternal': {
        if (!args.filename || !(Number(args.length) > 0)) return { ok: false, error: 'invalid_arguments' };
        const fileId = `F${this.nextTs++}`;
        this.uploads.set(fileId, { filename: String(args.filename), length: Number(args.length), bytes: Buffer.alloc(0) });
        return { ok: true, upload_url: `${this.url}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const files = (typeof args.files === 'string' ? safeJson(args.files) : args.files) as Array<{ id: string; title?: string }>;
        // as Slack does: a file whose bytes never arrived, or not in full, cannot be completed
        const missing = files.find((f) => this.uploads.get(f.id)?.bytes.length !== this.uploads.get(f.id)?.length || !this.uploads.has(f.id));
        if (missing) return { ok: false, error: 'file_not_found' };
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title, name: this.uploads.get(f.id)!.filename })) };
      }
      case 'users.info': {
        const user = this.users.get(String(args.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: args.user,
            tz: user.tz ?? 'UTC',
            deleted: !!user.deleted,
            is_bot: !!user.bot,
            is_restricted: !!user.guest,
            is_ultra_restricted: false,
            profile: { email: user.email },
          },
        };
      }
      case 'users.list': {
        // cursor pagination as Slack does it: `limit` people a page (at most 1000), an opaque
        // next_cursor while more are left, an empty one on the last page
        const limit = Math.min(Number(args.limit) || 1000, 1000);
        const from = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64').toString('utf8').replace(/^users:/, '')) : 0;
        if (!Number.isInteger(from) || from < 0) return { ok: false, error: 'invalid_cursor' };
        const all = [...this.users.entries()];
        const next = from + limit < all.length ? Buffer.from(`users:${from + limit}`).toString('base64') : '';
        return {
          ok: true,
          members: all.slice(from, from + limit).map(([id, u]) => ({
            id,
            tz: u.tz ?? 'UTC',
            deleted: !!u.deleted,
            is_bot: !!u.bot,
            is_app_user: false,
            is_restricted: !!u.guest,
            is_ultra_restricted: false,
            profile: { email: u.email },
          })),
          response_metadata: { next_cursor: next },
        };
      }
      case 'users.lookupByEmail': {
        const entry = [...this.users.entries()].find(([, u]) => u.email === args.email);
        return entry ? { ok: true, user: { id: entry[0], tz: entry[1].tz } } : { ok: false, error: 'users_not_found' };
      }
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish': {
        const view = typeof args.view === 'string' ? JSON.parse(args.view) : args.view;
        // as Slack does: a view whose private_metadata is over 3,000 characters is refused
        if (String(view?.private_metadata ?? '').length > 3000) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, view: { id: 'V0VIEW', ...view } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseArgs(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}');
  const out: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return out;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
