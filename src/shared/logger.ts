import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Never log tokens, secrets, reasons typed by users, or dataset contents:
 * ids and codes are enough to follow a request. The redact list is a second line of defence.
 */
export function createLogger(level = 'info', destination?: { write(line: string): void }): Logger {
  const options = {
    level,
    base: { service: 'data-access-bot' },
    redact: {
      paths: ['token', 'botToken', 'appToken', 'signingSecret', '*.token', '*.botToken', '*.signingSecret', 'headers.authorization', 'reason'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
