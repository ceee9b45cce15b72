import { z } from 'zod';

/**
 * Every environment setting, defined once: its variable name (the key), how it is parsed, its
 * default and what it is for. `loadConfig` and the sandbox parse with these, code that needs a
 * default reads it from here, and test/unit/settings.test.ts checks that the README's
 * configuration table and .env.example say the same.
 */
export interface Setting<S extends z.ZodType = z.ZodType> {
  /** Parses the variable's text; a defaulted setting yields `default` when the variable is unset. */
  schema: S;
  /** Undefined: no default (required, or "not set" means something). */
  default: z.output<S> | undefined;
  description: string;
}

export const BOT_MODES = ['all', 'web', 'worker'] as const;
export type BotMode = (typeof BOT_MODES)[number];

/**
 * Slack signing secrets are 32 lower-case hex characters. Anything else (a placeholder such as
 * `your-signing-secret`, a pasted token) would let anyone who knows it forge requests, so it is
 * refused; so is a run of one repeated character (`000…0`), which no real secret is.
 */
export function isSigningSecretShaped(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value) && !/^(.)\1+$/.test(value);
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function optional<S extends z.ZodType>(schema: S, description: string) {
  return { schema, default: undefined, description };
}

function defaulted<S extends z.ZodType, D extends NonNullable<z.output<S>>>(schema: S, fallback: D, description: string) {
  return { schema: schema.default(fallback as never) as z.ZodDefault<S>, default: fallback, description };
}

const port = () => z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535);
const count = (error: string, min: number, max: number) => z.coerce.number({ error }).int().min(min).max(max);
const hours = (max: number) => z.coerce.number({ error: 'must be a number of hours' }).min(0.01).max(max);

/** What `npm start` reads (src/config/config.ts turns it into a Config). */
export const BOT_SETTINGS = {
  SLACK_BOT_TOKEN: optional(
    z.string({ error: 'is required' }).trim().regex(/^xoxb-\S+$/, 'must be a bot token starting with xoxb-'),
    'bot token (xoxb-…); required with Slack',
  ),
  SLACK_SIGNING_SECRET: optional(
    optionalString.refine((v) => v === undefined || isSigningSecretShaped(v), {
      message: 'must be the signing secret from your Slack app’s Basic Information page (32 lower-case hex characters), not a placeholder',
    }),
    'verifies every request from Slack; required in HTTP mode',
  ),
  SLACK_APP_TOKEN: optional(
    optionalString.refine((v) => v === undefined || /^xapp-\S+$/.test(v), 'must be an app-level token starting with xapp-'),
    'app-level token (xapp-…); when set, Socket Mode',
  ),
  SLACK_API_URL: optional(
    optionalString.refine((v) => v === undefined || URL.canParse(v), 'must be a URL such as https://slack.com/api/'),
    'base URL of the Slack Web API (proxies, tests)',
  ),
  PORT: defaulted(port(), 3000, 'HTTP port for /slack/events, /healthz, /readyz, /livez and /metrics'),
  WORKER_HEALTH_PORT: defaulted(port(), 3001, 'HTTP port for /healthz, /readyz, /livez and /metrics in worker mode'),
  DATABASE_URL: optional(
    optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://'),
    'Postgres URL; unset means the embedded PGlite in DATA_DIR',
  ),
  DATABASE_POOL_SIZE: defaulted(count('must be a whole number from 1 to 100', 1, 100), 10, 'connections each process keeps to Postgres at most (DATABASE_URL only)'),
  DATABASE_PREPARED_STATEMENTS: defaulted(
    z.enum(['on', 'off'], { error: 'must be on or off' }),
    'on',
    'off: no prepared statements, for a transaction-mode pooler that does not track them (DATABASE_URL only)',
  ),
  DATA_DIR: defaulted(z.string().trim().min(1), './data', 'where the embedded database (and private Redis) keep their files'),
  REDIS_URL: optional(
    optionalString.refine((v) => v === undefined || /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://'),
    'Redis for BullMQ; unset means a private redis-server',
  ),
  EMBEDDED_REDIS_PORT: defaulted(port(), 0, 'port of the private redis-server (0: any free port)'),
  CATALOG_PATH: defaulted(z.string().trim().min(1), './catalog.yml', 'the catalog file'),
  BOT_MODE: defaulted(z.enum(BOT_MODES, { error: `must be one of ${BOT_MODES.join(', ')}` }), 'all', 'all, web or worker'),
  QUEUE_PREFIX: defaulted(z.string().trim().regex(/^[A-Za-z0-9_-]+$/, 'may hold letters, digits, _ and - only'), 'dab', 'prefix of the bot’s Redis keys'),
  RECONCILE_INTERVAL_SECONDS: defaulted(count('must be a number of seconds', 1, 3600), 60, 'how often the reconciler runs'),
  WORKER_NICE: defaulted(
    count('must be a whole number from 0 to 19', 0, 19),
    10,
    'CPU priority (nice) a worker process lowers itself to, so that a web process competing for the same cores gets the larger share (0: as started)',
  ),
  PROVISION_ATTEMPTS: defaulted(count('must be a whole number', 1, 50), 5, 'tries for each grant or revoke in a target system'),
  PROVISION_BACKOFF_MS: defaulted(count('must be a number of milliseconds', 100, 3_600_000), 5_000, 'first backoff between those tries'),
  STUCK_REVOKE_RETRY_SECONDS: defaulted(count('must be a number of seconds', 1, 86_400), 3_600, 'when to retry and alert again after a revoke’s tries ran out'),
  APPROVAL_REMINDER_WORKING_HOURS: defaulted(hours(200), 4, 'working hours before a slow approver is reminded'),
  APPROVAL_ESCALATION_WORKING_HOURS: defaulted(hours(400), 8, 'further working hours before the admins are asked too'),
  PENDING_REQUEST_EXPIRY_HOURS: defaulted(hours(24 * 90), 168, 'hours after which an undecided request expires'),
  METRICS_TOKEN: optional(
    optionalString.refine((v) => v === undefined || /^\S{16,}$/.test(v), 'must be at least 16 characters without spaces (e.g. from openssl rand -hex 32)'),
    'when set, GET /metrics requires Authorization: Bearer <this token>',
  ),
  SLACK_MESSAGES_PER_SECOND: defaulted(count('must be a whole number', 1, 1000), 10, 'messages posted to Slack per second at most, all replicas together (a 429 also pauses them)'),
  LOG_LEVEL: defaulted(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info', 'pino log level'),
} satisfies Record<string, Setting>;

/** What the local sandbox reads besides the bot's settings (src/sandbox/sandbox.start.ts). */
export const SANDBOX_SETTINGS = {
  SANDBOX_PORT: defaulted(port(), 3000, 'where the local sandbox’s page listens'),
  SANDBOX_HOST: defaulted(z.string().trim().min(1), '127.0.0.1', 'the address the sandbox’s page listens on'),
  SANDBOX_SOCKET_MODE: {
    schema: z
      .enum(['0', '1', 'true', 'false'], { error: 'must be 1 (Socket Mode) or 0 (signed HTTP)' })
      .default('0'),
    default: '0',
    description: '1: the local sandbox runs the bot in Socket Mode instead of signed HTTP',
  },
} satisfies Record<string, Setting>;

export const ALL_SETTINGS: Record<string, Setting> = { ...BOT_SETTINGS, ...SANDBOX_SETTINGS };

/** A zod object parsing the given settings, with their defaults. */
export function settingsSchema<T extends Record<string, Setting>>(settings: T): z.ZodObject<{ [K in keyof T]: T[K]['schema'] }> {
  return z.object(Object.fromEntries(Object.entries(settings).map(([name, s]) => [name, s.schema])) as { [K in keyof T]: T[K]['schema'] });
}
