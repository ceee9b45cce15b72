import { libraryLine, safeError } from './log-safety.js';
import type { Logger } from './logger.js';

export type ErrorReporter = (source: string, err: unknown) => void;

/**
 * Repeated errors of one kind (a Redis outage makes every queue, worker and connection report
 * each reconnect attempt) are logged once, then counted: at the end of each window one line says
 * how many more there were. The kind is the error's code (ECONNREFUSED…) or its first line.
 */
export function summarisedErrors(log: Logger, msg: string, windowMs = 60_000): ErrorReporter & { stop(): void } {
  const counts = new Map<string, { repeated: number; sources: Set<string>; timer: NodeJS.Timeout }>();
  const report = (source: string, err: unknown) => {
    const safe = safeError(err);
    const kind = safe.code ?? safe.message ?? safe.type;
    const open = counts.get(kind);
    if (open) {
      open.repeated++;
      open.sources.add(source);
      return;
    }
    log.error({ source, err: safe }, msg);
    const entry = {
      repeated: 0,
      sources: new Set<string>(),
      timer: setTimeout(() => {
        counts.delete(kind);
        if (entry.repeated > 0) {
          log.error({ kind, repeated: entry.repeated, sources: [...entry.sources], seconds: windowMs / 1000 }, `${msg}: ${entry.repeated} more in the last ${windowMs / 1000} s`);
        }
      }, windowMs),
    };
    entry.timer.unref();
    counts.set(kind, entry);
  };
  return Object.assign(report, {
    stop() {
      for (const { timer } of counts.values()) clearTimeout(timer);
      counts.clear();
    },
  });
}

/**
 * Libraries that print with console.* (BullMQ does, for errors nobody listens to) go through
 * the logger too, as JSON. Returns a function that puts the console back.
 */
export function routeConsoleTo(log: Logger): () => void {
  const saved = { error: console.error, warn: console.warn, info: console.info, log: console.log, debug: console.debug };
  const to = (level: 'error' | 'warn' | 'info' | 'debug') => (...args: unknown[]) => {
    const line = libraryLine(level, args);
    if (line) log[level](line.err ? { err: line.err } : {}, line.msg);
  };
  console.error = to('error');
  console.warn = to('warn');
  console.info = to('info');
  console.log = to('info');
  console.debug = to('debug');
  return () => Object.assign(console, saved);
}
