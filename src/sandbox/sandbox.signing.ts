import { createHmac, randomBytes } from 'node:crypto';

/** A signing secret shaped like Slack's: 32 lower-case hex characters, new on every start. */
export function newSigningSecret(): string {
  return randomBytes(16).toString('hex');
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<raw body>") in hex. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface BotAnswer {
  status: number;
  /** The parsed JSON body, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** The sandbox's page and API answer before the bot behind them is listening (it starts against them). */
export class BotStartingError extends Error {
  constructor() {
    super('bot_starting: the bot is still starting; try again in a moment');
  }
}

/** POSTs to the bot's /slack/events exactly as Slack does: raw body, timestamp and signature headers. */
export async function postSigned(url: string, secret: string, body: string, contentType: string): Promise<BotAnswer> {
  if (!url) throw new BotStartingError();
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    },
    body,
    // Slack gives up after 3 seconds; the sandbox is a little more patient on a slow laptop
    signal: AbortSignal.timeout(10_000),
  });
  const raw = await res.text();
  let parsed: unknown = raw || undefined;
  if (raw) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = raw;
    }
  }
  return { status: res.status, body: parsed };
}
