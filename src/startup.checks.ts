import type { WebClient } from '@slack/web-api';
import type { DatabaseTarget } from './shared/db/client.js';

/** A start-up failure whose message is one line naming the setting at fault; never a value. */
export class StartupError extends Error {
  override name = 'StartupError';
}

const REFUSED_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/** Asks Slack who the token belongs to, so a wrong token is named before anything else is tried. */
export async function checkSlackToken(client: WebClient, apiUrl?: string): Promise<void> {
  try {
    await client.auth.test();
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code && REFUSED_TOKEN.has(code)) {
      throw new StartupError(`Start-up failed: Slack refused SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token (xoxb-…) from your app's "OAuth & Permissions" page.`);
    }
    const where = apiUrl ? `${hostOf(apiUrl)} (SLACK_API_URL)` : 'slack.com';
    throw new StartupError(`Start-up failed: cannot reach Slack at ${where} to check SLACK_BOT_TOKEN (${code ?? errorCode(err)}). Check the network.`);
  }
}

// postgres-js and PGlite connection and login failures: the address, the login or the database name is wrong
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
const LOGIN_CODES = new Set(['28P01', '28000', '3D000', 'SASL_SIGNATURE_MISMATCH']);

/** Opening or migrating the database failed: say which setting to look at when it is the connection. */
export function describeDatabaseError(err: unknown, target: DatabaseTarget): StartupError | undefined {
  const code = errorCode(err);
  if ('url' in target && (CONNECTION_CODES.has(code) || LOGIN_CODES.has(code))) {
    const what = LOGIN_CODES.has(code) ? 'Postgres refused the login or database in' : 'cannot reach Postgres at';
    return new StartupError(`Start-up failed: ${what} ${hostOf(target.url)} (DATABASE_URL): ${code}.`);
  }
  if ('dataDir' in target && /^E[A-Z]+$/.test(code)) {
    return new StartupError(`Start-up failed: cannot open the embedded database in DATA_DIR (${code}).`);
  }
  return undefined;
}

function errorCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && c) return c;
    // a refused connection to several addresses (localhost: ::1 and 127.0.0.1) is an AggregateError
    const inner = (e as { errors?: unknown[] }).errors?.[0];
    e = inner ?? (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'unknown error';
}

/** host:port only: a URL may hold a password. */
function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return 'an unparsable address';
  }
}
