import { userInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';
import type { Operator } from '../../shared/actor.js';
import { loadDatabaseConfig } from '../../config/config.js';
import { openDatabase, type Database } from '../../shared/db/client.js';
import { parseDuration } from '../../shared/duration.js';
import { describe, type AppError } from '../../shared/errors.js';

/**
 * Exit codes of every admin command: 0 done; 1 the action failed or was refused (or a check found
 * a problem); 2 usage, configuration or connection error; 3 the id given names nothing.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3 } as const;

/** Refusals that mean "no such thing": exit code 3. */
const NOT_FOUND_CODES = new Set(['grants.unknown_grant', 'grants.not_found', 'reviews.campaign_not_found', 'reviews.not_found', 'requests.not_found', 'requests.dataset_not_found']);

/** A domain error (a refusal by a use case) as the CLI reports it: its plain description and exit code. */
export function fromDomainError(err: AppError): CliError {
  return new CliError(describe(err), NOT_FOUND_CODES.has(err.code) ? EXIT.notFound : EXIT.failed, err.code);
}

/** An error the CLI reports as one line and an exit code (2: usage or connection). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    /** the domain error's code, for `--json` */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Who the audit trail names for a state change made from the CLI: `cli:<operating-system user>`.
 * The CLI is trusted (it runs with the bot's database access), so use cases do not check it
 * against the catalog, but every change it makes is attributable.
 */
export function cliActor(): Operator {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
  return { operator: `cli:${name}` };
}

/**
 * The bot's database: DATABASE_URL, or the embedded one under DATA_DIR (which serves one process:
 * the bot must be stopped first). Pending migrations are applied, as the bot does at start.
 */
export async function openAdminDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  const url = env.DATABASE_URL?.trim();
  let database: Database | undefined;
  try {
    // the bot's own reading of DATABASE_URL, DATA_DIR and the pool's settings
    database = await openDatabase(loadDatabaseConfig(env));
    if (!(await database.ping())) throw new Error('it does not answer');
    await database.migrate();
    return database;
  } catch (err) {
    await database?.close().catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    throw new CliError(url ? `Cannot use the database at DATABASE_URL: ${redactUrl(why, url)}` : why);
  }
}

function redactUrl(message: string, url: string): string {
  return message.split(url).join('DATABASE_URL');
}

/** Progress for long runs, on stderr (stdout carries the data), at most about once a second. */
export function progressReporter(enabled: boolean): (line: string, force?: boolean) => void {
  let last = 0;
  return (line, force = false) => {
    if (!enabled) return;
    const now = Date.now();
    if (!force && now - last < 1000) return;
    last = now;
    process.stderr.write(`${line}\n`);
  };
}

export function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive whole number`);
  return n;
}

/** An ISO 8601 date or timestamp (`2026-03-01`, `2026-03-01T09:00:00Z`). */
export function isoDate(value: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected an ISO date such as 2026-03-01 or 2026-03-01T09:00:00Z');
  return d;
}

/** A moment given as an ISO date, or as a duration from now (`7d`: in 7 days; with `sign` -1, 7 days ago). */
export function dateOrDuration(value: string, sign: 1 | -1, now = new Date()): Date {
  const minutes = parseDuration(value);
  if (minutes !== undefined) return new Date(now.getTime() + sign * minutes * 60_000);
  try {
    return isoDate(value);
  } catch {
    throw new InvalidArgumentError('expected an ISO date (2026-03-01, 2026-03-01T09:00:00Z) or a duration (30m, 4h, 7d, 2w)');
  }
}

/** A duration (`30m`, `4h`, `7d`) in milliseconds. */
export function durationMs(value: string): number {
  const minutes = parseDuration(value);
  if (minutes === undefined) throw new InvalidArgumentError('expected a duration such as 5m, 4h or 7d');
  return minutes * 60_000;
}

/** Comma-separated values, each one of `allowed`. */
export function listOf<T extends string>(allowed: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
    const wrong = items.filter((v) => !(allowed as readonly string[]).includes(v));
    if (wrong.length || !items.length) throw new InvalidArgumentError(`expected one or more of ${allowed.join(', ')} (comma-separated)`);
    return items as T[];
  };
}

/** A Slack user id as typed (`U0123ABC`, or `<@U0123ABC>` / `@U0123ABC` pasted from Slack). */
export function slackUserId(value: string): string {
  const m = /^(?:<@)?@?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a Slack user id such as U0123ABCD');
  return m[1]!;
}

/** One JSON document on stdout (nothing else is printed there with `--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
