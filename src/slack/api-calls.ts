import { ErrorCode, type FetchFunction, type WebClient } from '@slack/web-api';
import { metrics, type SlackCallOutcome } from '../shared/metrics/metrics.js';

/** Slack's answers saying the token no longer works: Slack is up but unusable for this bot. */
const TOKEN_REFUSED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

/** A call still unanswered after this long makes Slack count as unusable (the client has no timeout). */
const HUNG_CALL_MS = 15_000;
/** Without any Web API call for this long (or while Slack is unusable), `auth.test` is called. */
export const SLACK_PROBE_INTERVAL_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Watches every HTTP request the bot makes to the Slack Web API, through the `fetch` given to its
 * WebClients (the bot's own, used by the Messenger, and Bolt's, used by the listeners):
 * - counts each attempt by method and outcome (`dab_slack_api_calls_total`), 429s included;
 * - says whether Slack is usable, for GET /readyz, from the outcome of the latest calls rather
 *   than a call per probe: usable when the latest answer was not a network failure, an HTTP error
 *   or a refused token (a 429 or an ordinary `ok: false` means Slack answered), and no call has
 *   hung for 15 s. When the bot has made no call for 30 s, or Slack is unusable, `probe` calls
 *   `auth.test` in the background so the answer stays fresh and recovers by itself.
 */
export interface SlackApiCalls {
  fetch: FetchFunction;
  usable(): boolean;
  /** Starts the background `auth.test`; returns the function that stops it. */
  probe(client: WebClient, intervalMs?: number): () => void;
}

export function slackApiCalls(apiUrl = 'https://slack.com/api/'): SlackApiCalls {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  let lastGood = 0;
  let lastBad = 0;
  let lastActivity = 0;
  const inFlight = new Map<number, number>();
  let nextId = 0;

  const settle = (method: string, outcome: SlackCallOutcome, tokenRefused = false) => {
    metrics.slackCall(method, outcome);
    const now = Date.now();
    lastActivity = now;
    if (tokenRefused || outcome === 'network_error' || outcome === 'http_error') lastBad = now;
    else lastGood = now;
  };

  const instrumented: FetchFunction = async (url, init) => {
    const method = methodLabel(String(url), base);
    const id = nextId++;
    inFlight.set(id, Date.now());
    try {
      const res = await globalThis.fetch(url, init as RequestInit);
      if (res.status === 429) settle(method, 'rate_limited');
      else if (res.status !== 200) settle(method, 'http_error');
      else {
        // read a copy, so the client reads the body as usual
        res
          .clone()
          .json()
          .then(
            (body: { ok?: boolean; error?: string }) => settle(method, body?.ok === false ? 'error' : 'ok', TOKEN_REFUSED.has(String(body?.error))),
            () => settle(method, 'ok'),
          );
      }
      return res;
    } catch (err) {
      settle(method, 'network_error');
      throw err;
    } finally {
      inFlight.delete(id);
    }
  };

  const hung = () => {
    const now = Date.now();
    for (const started of inFlight.values()) if (now - started > HUNG_CALL_MS && started > lastActivity) return true;
    return false;
  };
  const usable = () => lastGood > 0 && lastGood >= lastBad && !hung();

  return {
    fetch: instrumented,
    usable,
    probe(client, intervalMs = SLACK_PROBE_INTERVAL_MS) {
      let probing = false;
      const timer = setInterval(() => {
        if (probing || (usable() && Date.now() - lastActivity < intervalMs)) return;
        probing = true;
        let deadline: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          deadline = setTimeout(() => {
            lastBad = Date.now();
            resolve();
          }, PROBE_TIMEOUT_MS);
        });
        Promise.race([client.auth.test().then(() => undefined, () => undefined), late]).finally(() => {
          clearTimeout(deadline);
          probing = false;
        });
      }, Math.min(intervalMs, 5_000));
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** The Web API method a request is for (`chat.postMessage`), or `other`: label values stay a bounded set. */
export function methodLabel(url: string, base: string): string {
  if (!url.startsWith(base)) return 'other';
  const method = url.slice(base.length).split(/[?#]/)[0]!;
  return /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+){1,3}$/.test(method) && method.length <= 64 ? method : 'other';
}

/** How long Slack asked to wait, in ms (at least a second), when `err` is a Web API call's 429; otherwise undefined. */
export function rateLimitedFor(err: unknown): number | undefined {
  const e = err as { code?: string; retryAfter?: number } | undefined;
  return e?.code === ErrorCode.RateLimitedError ? Math.max(1, e.retryAfter ?? 1) * 1000 : undefined;
}
