/**
 * What may be logged of an error, and of another library's log call. Database errors carry the
 * query and its parameters (a typed reason among them) in their message, stack and `cause`;
 * Slack errors carry whole API responses. So an error is reduced to its kind, code, constraint and
 * ids, never its text when it came from the database, and never a request or response body.
 */
export interface SafeError {
  type: string;
  message?: string;
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  slackError?: string;
  stack?: string;
  cause?: SafeError;
}

const MAX_MESSAGE = 300;
const SQLSTATE = /^[0-9A-Z]{5}$/;

type Loose = Record<string, unknown> & { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; cause?: unknown };

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A Postgres error from postgres-js (`constraint_name`, `severity`) or PGlite (`constraint`). */
function isDatabaseError(e: Loose): boolean {
  return typeof e.code === 'string' && SQLSTATE.test(e.code) && ('severity' in e || 'routine' in e || 'constraint_name' in e || 'file' in e);
}

/** drizzle's wrapper names the failed query (with its parameters) in its message. */
function isQueryWrapper(e: Loose): boolean {
  return e.name === 'DrizzleQueryError' || ('query' in e && 'params' in e) || (typeof e.message === 'string' && e.message.startsWith('Failed query:'));
}

export function firstLine(text: string, max = MAX_MESSAGE): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export function safeError(err: unknown, depth = 0): SafeError {
  if (typeof err !== 'object' || err === null) return { type: typeof err, message: firstLine(String(err)) };
  const e = err as Loose;
  const type = str(e.name) ?? str((e.constructor as { name?: string } | undefined)?.name) ?? 'Error';
  // PGlite's errors carry the query and parameters too: only the fields below are kept
  if (isDatabaseError(e)) {
    return {
      type: 'DatabaseError',
      code: e.code as string,
      constraint: str(e.constraint_name) ?? str(e.constraint),
      table: str(e.table_name) ?? str(e.table),
      column: str(e.column_name) ?? str(e.column),
    };
  }
  if (isQueryWrapper(e)) {
    // the query and its parameters stay out; what the database said is on `cause`
    return { type, ...(e.cause && depth < 3 ? { cause: safeError(e.cause, depth + 1) } : {}) };
  }
  const data = e.data as { error?: unknown } | undefined;
  const out: SafeError = {
    type,
    message: typeof e.message === 'string' ? firstLine(e.message) : undefined,
    code: str(e.code),
    slackError: str(data?.error),
    // frames only: the first line of a stack repeats the message
    stack: typeof e.stack === 'string' ? e.stack.split('\n').slice(1, 6).join('\n') || undefined : undefined,
  };
  if (e.cause && depth < 3) out.cause = safeError(e.cause, depth + 1);
  return out;
}

/**
 * One line of another library's log call (Bolt, the Slack clients): strings are kept to their
 * first line, errors are reduced by `safeError`, other objects are left out (they are request
 * and response bodies). Debug lines that print a body (`http request body: {…}`, Bolt's whole
 * incoming payload, "Error details: …") are dropped.
 */
export function libraryLine(level: 'debug' | 'info' | 'warn' | 'error', args: unknown[]): { msg: string; err?: SafeError } | undefined {
  const texts: string[] = [];
  let err: SafeError | undefined;
  for (const arg of args) {
    if (typeof arg === 'string') texts.push(arg);
    else if (arg instanceof Error) err ??= safeError(arg);
    else if (typeof arg === 'number' || typeof arg === 'boolean') texts.push(String(arg));
  }
  // JSON.parse quotes the start of what it could not read (`Unexpected token 'o', "okapi-lant"... is
  // not valid JSON`), and Bolt logs that message for a malformed body: the excerpt is left out
  const msg = firstLine(texts.join(' ')).replace(/, ".*?"(\.\.\.)? is not valid JSON/, ' (not valid JSON)');
  if (level === 'debug' && (/[{[]/.test(msg) || /^(Error details|http request (body|headers|result))/i.test(msg))) return undefined;
  if (!msg && !err) return undefined;
  return err ? { msg, err } : { msg };
}
