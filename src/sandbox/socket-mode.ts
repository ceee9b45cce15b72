/**
 * A stand-in for Slack's Socket Mode, mounted on an existing node http.Server (the sandbox's
 * Slack stand-in, or the tests' fake Slack). It speaks the protocol @slack/socket-mode expects.
 *
 * Interface:
 *   const sm = createSocketModeServer({ server, path?, pingIntervalMs?, publicUrl? });
 *   sm.openConnection()          → the body for `apps.connections.open`: { ok: true, url: 'ws://…' }
 *                                  (a single-use ticket in the URL; the caller checks the app token)
 *   sm.deliver({ type, payload, accepts_response_payload? }, { timeoutMs? })
 *                                → Promise<{ envelope_id, payload? }>: the client's ack. Sent to the
 *                                  newest open connection; while none is open it waits for one, and
 *                                  an envelope whose connection is lost before its ack is sent again
 *                                  (with retry_attempt + 1) on the next one, as Slack does.
 *   sm.dropConnections()         → ends every connection abruptly (no close frame), like a network cut
 *   sm.sendDisconnect(reason?)   → a `disconnect` message ('warning' | 'refresh_requested' | …);
 *                                  the client closes and reconnects
 *   sm.connectionCount, sm.waitForConnection(timeoutMs?) → for tests and the sandbox's status
 *   sm.close()                   → closes every connection and detaches from the server
 *
 * Envelope types: 'slash_commands' | 'interactive' | 'events_api'; payloads are the JSON bodies Slack
 * would otherwise POST (a slash command's form fields as an object, an interaction's `payload`, an
 * Events API callback). Every connection gets a `hello` first, and a ping every pingIntervalMs
 * (the client reconnects when the server stays silent for 30 s).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Envelope {
  type: EnvelopeType;
  payload: unknown;
  accepts_response_payload?: boolean;
}

export interface EnvelopeAck {
  envelope_id: string;
  payload?: unknown;
}

export interface SocketModeServer {
  openConnection(): { ok: true; url: string };
  deliver(envelope: Envelope, opts?: { timeoutMs?: number }): Promise<EnvelopeAck>;
  dropConnections(): void;
  sendDisconnect(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
  readonly connectionCount: number;
  waitForConnection(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SocketModeServerOptions {
  /** The http.Server whose `upgrade` requests on `path` become Socket Mode connections. */
  server: Server;
  /** Default '/socket-mode/'. */
  path?: string;
  /** Default 10 s. */
  pingIntervalMs?: number;
  /** The ws:// base the client should dial; default from the server's address. */
  publicUrl?: () => string;
}

interface Pending {
  id: string;
  envelope: Envelope;
  retryAttempt: number;
  sentOn?: WebSocket;
  resolve(ack: EnvelopeAck): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export function createSocketModeServer(opts: SocketModeServerOptions): SocketModeServer {
  const path = opts.path ?? '/socket-mode/';
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const open: WebSocket[] = [];
  const pending = new Map<string, Pending>();
  const connectionWaiters: Array<() => void> = [];

  const baseUrl = () => {
    if (opts.publicUrl) return opts.publicUrl();
    const { address, port } = opts.server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return `ws://${host === '::' || host === '[::]' || host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  };

  const newest = () => open[open.length - 1];

  const send = (ws: WebSocket, p: Pending) => {
    p.sentOn = ws;
    ws.send(
      JSON.stringify({
        envelope_id: p.id,
        type: p.envelope.type,
        payload: p.envelope.payload,
        accepts_response_payload: p.envelope.accepts_response_payload ?? p.envelope.type !== 'events_api',
        ...(p.retryAttempt > 0 ? { retry_attempt: p.retryAttempt, retry_reason: 'timeout' } : {}),
      }),
    );
  };

  const flush = () => {
    const ws = newest();
    if (!ws) return;
    for (const p of pending.values()) if (!p.sentOn) send(ws, p);
  };

  const onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== path) return; // someone else's upgrade
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connected(ws));
  };

  const connected = (ws: WebSocket) => {
    open.push(ws);
    const ping = setInterval(() => ws.ping(), opts.pingIntervalMs ?? 10_000);
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      const p = msg.envelope_id ? pending.get(msg.envelope_id) : undefined;
      if (!p) return;
      pending.delete(p.id);
      clearTimeout(p.timer);
      p.resolve({ envelope_id: p.id, ...(msg.payload !== undefined && Object.keys(msg.payload as object).length ? { payload: msg.payload } : {}) });
    });
    ws.on('close', () => {
      clearInterval(ping);
      open.splice(open.indexOf(ws), 1);
      // not acknowledged on this connection: send again on the next one
      for (const p of pending.values()) {
        if (p.sentOn === ws) {
          p.sentOn = undefined;
          p.retryAttempt++;
        }
      }
      flush();
    });
    ws.on('error', () => ws.terminate());
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: open.length,
        debug_info: { host: 'local-sandbox', build_number: 1, approximate_connection_time: 3600 },
        connection_info: { app_id: 'A0SANDBOX' },
      }),
    );
    for (const wake of connectionWaiters.splice(0)) wake();
    flush();
  };

  opts.server.on('upgrade', onUpgrade);

  return {
    openConnection() {
      const ticket = randomBytes(12).toString('hex');
      tickets.add(ticket);
      return { ok: true, url: `${baseUrl()}${path}?ticket=${ticket}` };
    },

    deliver(envelope, deliverOpts = {}) {
      return new Promise<EnvelopeAck>((resolve, reject) => {
        const id = randomBytes(12).toString('hex');
        const timeoutMs = deliverOpts.timeoutMs ?? 30_000;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`no ack for ${envelope.type} envelope ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        const p: Pending = { id, envelope, retryAttempt: 0, resolve, reject, timer };
        pending.set(id, p);
        const ws = newest();
        if (ws) send(ws, p);
      });
    },

    dropConnections() {
      for (const ws of [...open]) ws.terminate();
    },

    sendDisconnect(reason = 'refresh_requested') {
      for (const ws of open) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'local-sandbox' } }));
    },

    get connectionCount() {
      return open.length;
    },

    waitForConnection(timeoutMs = 30_000) {
      if (open.length) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no Socket Mode connection within ${timeoutMs} ms`)), timeoutMs);
        connectionWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },

    async close() {
      opts.server.removeListener('upgrade', onUpgrade);
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('Socket Mode server closed'));
      }
      pending.clear();
      for (const ws of [...open]) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
