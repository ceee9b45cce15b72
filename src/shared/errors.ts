/**
 * A coded error with a message that is safe and useful to show the person who caused it.
 * Use cases throw these; the Slack layer shows `userMessage`, logs show `code`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly userMessage: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${userMessage}`);
    this.name = 'AppError';
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Postgres unique_violation, as raised by both postgres-js and PGlite. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  let e: unknown = err;
  // drizzle wraps driver errors; the driver error is on `cause`
  for (let i = 0; i < 3 && e; i++) {
    const candidate = e as { code?: string; constraint_name?: string; constraint?: string; message?: string };
    if (candidate.code === '23505') {
      if (!constraint) return true;
      const name = candidate.constraint_name ?? candidate.constraint ?? '';
      return name === constraint || (candidate.message ?? '').includes(constraint);
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
