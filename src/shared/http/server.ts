import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Exact paths to handlers per method; HEAD is answered wherever GET is. */
export type Routes = Record<string, Partial<Record<'GET' | 'POST', Handler>>>;

export interface HttpServer {
  port: number;
  /**
   * Stops accepting connections, lets requests already received finish (each answered with
   * `Connection: close`), and closes what is still open after `graceMs`.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A request not answered by then gets a 503 (Slack gives up after 3 seconds; Bolt acknowledges or
 * answers 404 within 2.9, health within 1): a handler that lost a request to a library's
 * unawaited failure must not leave the connection open for ever.
 */
export const RESPONSE_DEADLINE_MS = 5_000;

export type Route = { handler: Handler } | { status: 404 } | { status: 405; allow: string };

/** Pure routing: exact paths only, so `/slack/events/` or `/favicon.ico` are 404, not Bolt's problem. */
export function route(routes: Routes, method: string | undefined, url: string | undefined): Route {
  const path = (url ?? '').split('?')[0]!;
  const methods = Object.hasOwn(routes, path) ? routes[path]! : undefined;
  if (!methods) return { status: 404 };
  const m = (method ?? '').toUpperCase();
  const handler = methods[m as 'GET' | 'POST'] ?? (m === 'HEAD' ? methods.GET : undefined);
  if (handler) return { handler };
  const allow = Object.keys(methods).flatMap((k) => (k === 'GET' ? ['GET', 'HEAD'] : [k]));
  return { status: 405, allow: allow.join(', ') };
}

/**
 * The one HTTP server of a process. Nothing a client sends reaches an unguarded throw: unknown
 * paths get 404, wrong methods 405 with `Allow`, and a handler that throws gets a 500.
 */
export async function startHttpServer(port: number, routes: Routes, logger: Logger): Promise<HttpServer> {
  let closing = false;
  const server = createServer((req, res) => {
    // a client that goes away mid-body must not become an unhandled 'error' event
    req.on('error', () => {});
    res.on('error', () => {});
    if (closing) res.shouldKeepAlive = false;
    // once stopping, a connection is closed as soon as its current response is sent
    res.on('finish', () => closing && server.closeIdleConnections());
    const found = route(routes, req.method, req.url);
    if ('status' in found) {
      reply(res, found.status, found.status === 405 ? { allow: found.allow } : {});
      return;
    }
    const deadline = setTimeout(() => {
      logger.error({ path: req.url?.split('?')[0] }, 'HTTP request not answered in time');
      if (!res.headersSent) reply(res, 503);
      else res.destroy();
    }, RESPONSE_DEADLINE_MS);
    res.on('close', () => clearTimeout(deadline));
    try {
      found.handler(req, res);
    } catch (err) {
      logger.error({ err: { name: (err as Error)?.name, code: (err as { code?: unknown })?.code } }, 'HTTP handler failed');
      if (!res.headersSent) reply(res, 500);
      else res.destroy();
    }
  });
  // a slow or silent client cannot hold a connection for long
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err: { code: (err as NodeJS.ErrnoException).code } }, 'HTTP server error'));
  const address = server.address();

  return {
    port: typeof address === 'object' && address ? address.port : port,
    async stop(graceMs = 5_000) {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  // the body of a refused request is not read: close the connection rather than drain it
  res.writeHead(status, { ...headers, connection: 'close', 'content-length': '0' });
  res.end();
}
