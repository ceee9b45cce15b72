import { readFile } from 'node:fs/promises';
import { BotStartingError } from './sandbox.signing.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SandboxSlack } from './sandbox.interactions.js';
import { SANDBOX_CHANNEL, type SandboxStore } from './sandbox.store.js';
import { answerWebApi } from './sandbox.web-api.js';
import { createSocketModeServer, type SocketModeServer } from './socket-mode.js';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/blocks.js': { file: 'blocks.js', type: 'text/javascript; charset=utf-8' },
  '/mrkdwn.js': { file: 'mrkdwn.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const LONG_POLL_MS = 25_000;

export interface SandboxServer {
  server: Server;
  /** The address to open in a browser. */
  url: string;
  /** The address the bot uses for the Web API and response URLs (an IP, never a name to resolve). */
  internalUrl: string;
  /** Slack's Socket Mode, mounted on the same server, when asked for (`socketMode: true`). */
  socketMode?: SocketModeServer;
  stop(): Promise<void>;
}

/**
 * One HTTP server for the whole stand-in: the page and its JSON API (/sandbox/…), Slack's Web API
 * (/api/<method>) and response URLs (/respond/<token>).
 *
 * With `socketMode`, Slack's Socket Mode (src/sandbox/socket-mode.ts) is mounted on the same
 * server: apps.connections.open hands out its WebSocket URL. `attach` mounts anything else.
 */
export async function startSandboxServer(opts: {
  store: SandboxStore;
  slack: () => SandboxSlack;
  host: string;
  port: number;
  socketMode?: boolean;
  attach?: (server: Server) => void;
}): Promise<SandboxServer> {
  const { store } = opts;
  const server = createServer((req, res) => {
    route(req, res).catch((err) => {
      if (!res.headersSent) json(res, err instanceof BotStartingError ? 503 : 500, { ok: false, error: err instanceof Error ? err.message : 'error' });
      else res.end();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const path = url.pathname;
    if (req.method === 'GET' && PAGE_FILES[path]) {
      const { file, type } = PAGE_FILES[path]!;
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(await readFile(`${PAGE_DIR}${file}`));
      return;
    }
    if (req.method === 'GET' && path === '/favicon.ico') return void res.writeHead(204).end();
    if (req.method === 'GET' && path === '/sandbox/people') return json(res, 200, { ok: true, users: store.users, transport: opts.slack().transport });
    if (req.method !== 'POST' && !(req.method === 'GET' && path === '/sandbox/state')) return json(res, 404, { ok: false, error: 'not_found' });

    if (path.startsWith('/api/')) {
      const args = parseArgs(await readBody(req), req.headers['content-type'] ?? '');
      return json(res, 200, answerWebApi(store, path.slice('/api/'.length), args, req.headers.authorization, socketMode, `http://${req.headers.host}`));
    }
    if (path.startsWith('/upload/')) {
      // the upload URL handed out by files.getUploadURLExternal: takes the bytes, keeps only their count
      const upload = store.uploads.get(path.slice('/upload/'.length));
      if (!upload) return json(res, 404, { ok: false, error: 'not_found' });
      upload.received = 0;
      for await (const chunk of req) {
        upload.received += (chunk as Buffer).length;
        if (upload.received > 50_000_000) return json(res, 413, { ok: false, error: 'too_large' });
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      return;
    }
    if (path.startsWith('/respond/')) {
      const target = opts.slack().responseUrls.get(path.slice('/respond/'.length));
      if (!target) return json(res, 404, { ok: false, error: 'expired_url' });
      opts.slack().applyResponse(target, JSON.parse((await readBody(req)) || '{}'));
      return json(res, 200, { ok: true });
    }
    if (!path.startsWith('/sandbox/')) return json(res, 404, { ok: false, error: 'not_found' });
    // the page's own API: only from the page itself, never from another site in the same browser
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) return json(res, 403, { ok: false, error: 'forbidden_origin' });

    if (path === '/sandbox/state') {
      const userId = url.searchParams.get('user') ?? '';
      if (!store.user(userId)) return json(res, 404, { ok: false, error: 'user_not_found' });
      const since = Number(url.searchParams.get('since') ?? -1);
      await store.waitForChange(since, LONG_POLL_MS);
      return json(res, 200, store.snapshotFor(userId));
    }
    const input = JSON.parse((await readBody(req)) || '{}') as Record<string, any>;
    const userId = String(input.user ?? '');
    if (!store.user(userId)) return json(res, 404, { ok: false, error: 'user_not_found' });
    const slack = opts.slack();
    const channel = input.channel === store.dmOf(userId) ? input.channel : SANDBOX_CHANNEL.id;
    switch (path) {
      case '/sandbox/command':
        return answered(res, await slack.command(userId, channel, String(input.text ?? '')));
      case '/sandbox/message':
        return answered(res, await slack.postMessage(userId, channel, String(input.text ?? '')));
      case '/sandbox/home':
        return answered(res, await slack.openHome(userId));
      case '/sandbox/action':
        return answered(res, await slack.action({ userId, channelId: input.channel, messageTs: input.ts, viewId: input.viewId, action: input.action, values: input.values }));
      case '/sandbox/options':
        return json(res, 200, { ok: true, options: await slack.options(userId, String(input.viewId), String(input.actionId), String(input.blockId), String(input.query ?? '')) });
      case '/sandbox/submit':
        return answered(res, await slack.submit(userId, String(input.viewId), input.values ?? {}));
      case '/sandbox/close':
        slack.close(userId, String(input.viewId));
        return json(res, 200, { ok: true });
      default:
        return json(res, 404, { ok: false, error: 'not_found' });
    }
  }

  const socketMode = opts.socketMode ? createSocketModeServer({ server }) : undefined;
  opts.attach?.(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const local = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(opts.host);
  return {
    server,
    url: `http://${local ? 'localhost' : opts.host}:${port}/`,
    internalUrl: `http://${local ? '127.0.0.1' : opts.host}:${port}`,
    socketMode,
    async stop() {
      await socketMode?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function answered(res: ServerResponse, answer: { status: number }): void {
  json(res, 200, { ok: answer.status === 200, status: answer.status });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      data += chunk;
      if (data.length > 2_000_000) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function parseArgs(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}');
  return Object.fromEntries(new URLSearchParams(raw));
}
