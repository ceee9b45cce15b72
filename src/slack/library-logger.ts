import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import { libraryLine } from '../shared/log-safety.js';
import type { Logger } from '../shared/logger.js';

/**
 * The logger interface of Bolt and the Slack clients on top of pino, so their lines are JSON in
 * the one stream. They log request and response bodies at debug; `libraryLine` keeps those out.
 */
export function slackLibraryLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const write = (at: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const line = libraryLine(at, args);
    if (line) log[at](line.err ? { err: line.err } : {}, line.msg);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
