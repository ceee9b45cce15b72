import { join } from 'node:path';
import type { z } from 'zod';
import type { DatabaseTarget as AnyDatabaseTarget } from '../shared/db/client.js';
import { BOT_SETTINGS, settingsSchema, type BotMode } from './settings.js';

/** Where the bot's data is: a Postgres server (with its pool's settings) or the embedded database's directory. */
export type DatabaseTarget = Exclude<AnyDatabaseTarget, { memory: true }>;

const envSchema = settingsSchema(BOT_SETTINGS);

/** Every environment variable the bot reads as a setting (connector secrets are named by the catalog). */
export const SETTING_NAMES: readonly string[] = Object.keys(BOT_SETTINGS);

export interface Config {
  mode: BotMode;
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  port: number;
  /** Where `worker` mode answers GET /healthz (the other modes use `port`). */
  workerHealthPort: number;
  database: DatabaseTarget;
  /** Unset: the bot starts its own redis-server as `embeddedRedis` says, and uses that. */
  redisUrl?: string;
  /** Where the private redis-server keeps its files, and its port (0: any free one). */
  embeddedRedis?: { dir: string; port: number };
  catalogPath: string;
  queuePrefix: string;
  reconcileIntervalSeconds: number;
  /** The CPU priority (nice, 0–19) a `worker` process lowers itself to at start (src/main.ts). */
  workerNice: number;
  /** Pace of posting to Slack (SLACK_MESSAGES_PER_SECOND); unset: its default. */
  messagesPerSecond?: number;
  provisioning: { attempts: number; backoffMs: number; stuckRetrySeconds: number };
  approvals: { reminderWorkingHours: number; escalationWorkingHours: number; pendingExpiryHours: number };
  logLevel: string;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once. Throws a ConfigError whose message is one line naming the
 * variable at fault; values are never echoed, so a mistyped secret cannot leak into logs.
 */
export function loadConfig(env: NodeJS.ProcessEnv, modeArg?: string): Config {
  // `NAME=` in a .env file means "not set": defaults apply and required ones say they are required
  const given = givenValues(env);
  const parsed = envSchema.safeParse({ ...given, BOT_MODE: modeArg ?? given.BOT_MODE });
  if (!parsed.success) throw configError(parsed.error, modeArg);
  const e = parsed.data;
  if (!e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET && e.BOT_MODE !== 'worker') {
    throw new ConfigError(
      'Configuration error: SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode). See .env.example.',
    );
  }
  if (!e.DATABASE_URL && e.BOT_MODE !== 'all') {
    throw new ConfigError(
      `Configuration error: DATABASE_URL is required to run "${e.BOT_MODE}" alone; the embedded database serves one process only. See .env.example.`,
    );
  }
  if (!e.REDIS_URL && e.BOT_MODE !== 'all') {
    throw new ConfigError(
      `Configuration error: REDIS_URL is required to run "${e.BOT_MODE}" alone; the embedded Redis serves one process only. See .env.example.`,
    );
  }
  return {
    mode: e.BOT_MODE,
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    port: e.PORT,
    workerHealthPort: e.WORKER_HEALTH_PORT,
    database: databaseTarget(e),
    redisUrl: e.REDIS_URL,
    ...(e.REDIS_URL ? {} : { embeddedRedis: { dir: join(e.DATA_DIR, 'redis'), port: e.EMBEDDED_REDIS_PORT } }),
    catalogPath: e.CATALOG_PATH,
    queuePrefix: e.QUEUE_PREFIX,
    reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
    workerNice: e.WORKER_NICE,
    messagesPerSecond: e.SLACK_MESSAGES_PER_SECOND,
    approvals: {
      reminderWorkingHours: e.APPROVAL_REMINDER_WORKING_HOURS,
      escalationWorkingHours: e.APPROVAL_ESCALATION_WORKING_HOURS,
      pendingExpiryHours: e.PENDING_REQUEST_EXPIRY_HOURS,
    },
    provisioning: { attempts: e.PROVISION_ATTEMPTS, backoffMs: e.PROVISION_BACKOFF_MS, stuckRetrySeconds: e.STUCK_REVOKE_RETRY_SECONDS },
    logLevel: e.LOG_LEVEL,
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
  };
}

/** Only where the database is (`npm run migrate` needs nothing else). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv): Config['database'] {
  const parsed = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true, DATABASE_POOL_SIZE: true, DATABASE_PREPARED_STATEMENTS: true }).safeParse(givenValues(env));
  if (!parsed.success) throw configError(parsed.error);
  return databaseTarget(parsed.data);
}

/** A server with its pool's settings, or the embedded database's directory. */
function databaseTarget(e: { DATABASE_URL?: string; DATA_DIR: string; DATABASE_POOL_SIZE: number; DATABASE_PREPARED_STATEMENTS: 'on' | 'off' }): DatabaseTarget {
  if (!e.DATABASE_URL) return { dataDir: e.DATA_DIR };
  return { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, preparedStatements: e.DATABASE_PREPARED_STATEMENTS === 'on' };
}

function givenValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''));
}

function configError(error: z.ZodError, modeArg?: string): ConfigError {
  const issue = error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  const label = name === 'BOT_MODE' && modeArg !== undefined ? `start mode "${modeArg}"` : name;
  return new ConfigError(`Configuration error: ${label} ${issue.message}. See .env.example.`);
}
