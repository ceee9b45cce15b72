/**
 * A coded domain error: a stable `code`, typed `params`, and a plain-text description (no chat
 * markup) that any front end may show as it is. The Slack layer renders the same error its own
 * way from `src/slack/errors.render.ts`; logs show `code`.
 */
export class AppError<C extends string = string, P extends object = object> extends Error {
  constructor(
    readonly code: C,
    readonly params: P,
    /** Plain text for people: no markup, no placeholders. */
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'AppError';
  }
}

/** Makes a coded error; its code and params types are kept, so renderers can be checked per code. */
export function domainError<const C extends string, P extends object>(code: C, params: P, description: string): AppError<C, P> {
  return new AppError(code, params, description);
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** A plain-text rendering of any error for a person (an admin CLI, a local web page). */
export function describe(err: unknown): string {
  return isAppError(err) ? err.description : 'Something went wrong and nothing was changed. Please try again in a minute.';
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
