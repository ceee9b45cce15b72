import { pino, type Logger } from 'pino';
import { safeError } from './log-safety.js';

export type { Logger };

/**
 * Structured logs. Never log tokens, secrets, reasons typed by users, or dataset contents:
 * ids and codes are enough to follow a request. The redact list is a second line of defence.
 * Anything logged as `err` (or `error`) goes through `safeError`: database errors keep their code
 * and constraint but never the query's parameters, Slack errors never their response body.
 */
export function createLogger(level = 'info', destination?: { write(line: string): void }): Logger {
  const options = {
    level,
    base: { service: 'data-access-bot' },
    serializers: { err: safeErrorOrText, error: safeErrorOrText },
    redact: {
      paths: ['token', 'botToken', 'appToken', 'signingSecret', '*.token', '*.botToken', '*.signingSecret', 'headers.authorization', 'reason'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

function safeErrorOrText(value: unknown): unknown {
  return typeof value === 'string' ? value : safeError(value);
}
