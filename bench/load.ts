/**
 * A closed-loop load generator: `concurrency` connections kept alive (as Slack keeps them), each
 * sending its next signed request as soon as the previous one is answered. Every request is built
 * and signed before the run starts (Slack signs on its side), so the generator's own work while
 * it measures is only sending and reading; the time is to the end of the answer's body.
 */
import { Agent, request } from 'node:http';
import { slackSignature } from '../test/helpers/slack-requests.js';

export interface LoadResult {
  /** Milliseconds per request, in completion order. */
  latencies: number[];
  /** Requests answered per second over the whole run. */
  throughput: number;
  /** Answers that were not HTTP 200 (each is also a failure of the scenario). */
  failures: number;
  /** The bodies of the answers, when asked for. */
  bodies: string[];
}

interface Prepared {
  body: string;
  headers: Record<string, string | number>;
}

function prepare(body: string, secret: string, timestamp: number): Prepared {
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(body, timestamp, secret),
    },
  };
}

function post(agent: Agent, url: URL, prepared: Prepared, keepBody: boolean): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: 'POST', agent, headers: prepared.headers }, (res) => {
      // read to the end either way; a body not asked for is not also gathered and decoded (that
      // would load the generator, and so every latency it measures, with work that grows with the
      // answer's size)
      const chunks: Buffer[] = [];
      if (keepBody) res.on('data', (c: Buffer) => chunks.push(c));
      else res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: keepBody ? Buffer.concat(chunks).toString('utf8') : '', ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(prepared.body);
  });
}

/**
 * Sends `leadIn` requests first, not measured (the connections are opened and the process served
 * is running at its pace when measuring starts, as in the middle of a long run), then `total`
 * measured ones over the same connections without a pause. `body(i)` numbers them all, lead-in first.
 */
export async function drive(
  target: string,
  secret: string,
  opts: { total: number; concurrency: number; body: (i: number) => string; keepBodies?: boolean; leadIn?: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const url = new URL(target);
  const leadIn = opts.leadIn ?? 0;
  const all = leadIn + opts.total;
  // signed now: a run lasts seconds, well inside the five minutes Slack's signature allows
  const timestamp = Math.floor(Date.now() / 1000);
  const requests = Array.from({ length: all }, (_, i) => prepare(opts.body(i), secret, timestamp));
  const latencies: number[] = [];
  const bodies: string[] = [];
  let failures = 0;
  let next = 0;
  let started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < all) {
          const i = next++;
          if (i === leadIn) started = performance.now();
          const res = await post(agent, url, requests[i]!, Boolean(opts.keepBodies)).catch(() => ({ status: 0, body: '', ms: Number.NaN }));
          if (res.status !== 200) failures++;
          else if (i >= leadIn) latencies.push(res.ms);
          if (opts.keepBodies && i >= leadIn) bodies.push(res.body);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { latencies, throughput: opts.total / seconds, failures, bodies };
}
