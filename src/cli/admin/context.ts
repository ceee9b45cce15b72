import { userInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { openDatabase, type Database } from '../../shared/db/client.js';

/** Exit codes of every admin command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** An error the CLI reports as one line and an exit code (2: usage or connection). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

/**
 * Who the audit trail names for a state change made from the CLI: `cli:<operating-system user>`.
 * @public for the commands that change state (revoke, resolve, start a review), which come next
 */
export function cliActor(): string {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
  return `cli:${name}`;
}

/**
 * The bot's database: DATABASE_URL, or the embedded one under DATA_DIR (which serves one process:
 * the bot must be stopped first). Pending migrations are applied, as the bot does at start.
 */
export async function openAdminDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  const url = env.DATABASE_URL?.trim();
  let database: Database | undefined;
  try {
    database = await openDatabase(url ? { url } : { dataDir: env.DATA_DIR?.trim() || './data' });
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
