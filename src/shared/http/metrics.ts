import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { processRegistry } from '../metrics/metrics.js';
import type { Handler } from './server.js';

/**
 * GET /metrics in Prometheus's text format: the process's counters and histograms, then what
 * `state` renders (the gauges read at scrape time). With `token`, a request without
 * `Authorization: Bearer <token>` gets 401; the comparison takes the same time whatever is sent.
 */
export function metricsHandler(state: () => Promise<string>, token?: string): Handler {
  const expected = token ? digest(token) : undefined;
  return (req, res) => {
    if (expected && !authorized(req, expected)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-length': '0', 'cache-control': 'no-store' });
      res.end();
      return;
    }
    Promise.all([processRegistry.metrics(), state()]).then(
      ([events, gauges]) => {
        res.writeHead(200, { 'content-type': processRegistry.contentType, 'cache-control': 'no-store' });
        res.end(events + gauges);
      },
      () => {
        if (!res.headersSent) res.writeHead(500, { 'content-length': '0' });
        res.end();
      },
    );
  };
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const given = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
  // equal-length digests: neither the token's length nor its content leaks through timing
  return timingSafeEqual(digest(given), expected);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
