import { inject } from 'vitest';
import { startBot, type RunningBot } from '../../src/bot.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import type { Config } from '../../src/config/config.js';
import type { Connectors } from '../../src/provisioners/registry.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { testCatalog, USERS } from './catalog.js';
import { fakeSlackConfig } from './config.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { FAKE_APP_TOKEN, FakeSlack } from './fake-slack.js';
import { removeQueueKeys } from './queues.js';
import { blockActionPayload, commandBody, eventBody, interactionBody, postSigned, viewSubmissionPayload, type PostOptions } from './slack-requests.js';

export interface TestBot {
  bot: RunningBot;
  slack: FakeSlack;
  database: TestDatabase;
  baseUrl: string;
  command(userId: string, text: string, opts?: PostOptions): Promise<{ status: number; body: any }>;
  click(userId: string, actionId: string, value: string, where?: { channelId: string; ts: string }): Promise<Response>;
  submitView(payload: Parameters<typeof viewSubmissionPayload>[0]): Promise<{ status: number; body: any }>;
  openHome(userId: string): Promise<Response>;
  /** Delivers an Events API event (`user_change`, `team_join`…) as Slack signs it. */
  event(event: Record<string, unknown>): Promise<Response>;
  stop(): Promise<void>;
}

export function testConfig(slack: FakeSlack, overrides: Partial<Config> = {}): Config {
  return fakeSlackConfig(slack.apiUrl, inject('redisUrl'), overrides);
}

/** The whole bot on a free port, a fresh database and its own queues, talking to a fake Slack. */
export async function startTestBot(
  opts: {
    catalog?: Catalog;
    clock?: Clock;
    config?: Partial<Config>;
    /** environment for connector secrets (WAREHOUSE_URL, webhook secrets) */
    env?: NodeJS.ProcessEnv;
    /** a second replica: same Slack, database and queues */
    replicaOf?: TestBot;
    /** a fake Slack already started (the test stops it) */
    slack?: FakeSlack;
    /** a database already open (its destroy() is called on stop) */
    database?: TestDatabase;
    /** receives every log line the bot writes (at debug level), to check what is never logged */
    logSink?: (line: string) => void;
    /** connectors per dataset instead of those the catalog describes */
    connectors?: Connectors;
    /** Slack profiles known before the bot starts (start-up checks read them) */
    slackUsers?: Record<string, { tz?: string; email?: string; deleted?: boolean; guest?: boolean; bot?: boolean }>;
    /** Socket Mode (an app token) instead of HTTP: drive it through `slack.socketMode` */
    socketMode?: boolean;
  } = {},
): Promise<TestBot> {
  const replicaOf = opts.replicaOf;
  const slack = replicaOf?.slack ?? opts.slack ?? (await new FakeSlack().start());
  for (const id of Object.values(USERS)) slack.users.set(id, { tz: 'Europe/Berlin', email: `${id.toLowerCase()}@acme.test` });
  for (const [id, profile] of Object.entries(opts.slackUsers ?? {})) slack.users.set(id, profile);
  const database = replicaOf?.database ?? opts.database ?? (await createTestDatabase());
  const config = testConfig(slack, { ...(replicaOf ? { queuePrefix: replicaOf.bot.queues.expiry.opts.prefix } : {}), ...opts.config });
  if (opts.socketMode) config.slack = { ...config.slack, appToken: FAKE_APP_TOKEN };
  const bot = await startBot(config, {
    database,
    catalog: opts.catalog ?? testCatalog(),
    clock: opts.clock,
    env: opts.env ?? {},
    connectors: opts.connectors,
    logger: opts.logSink ? createLogger('debug', { write: opts.logSink }) : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  // the directory's first walk has ended: profiles Slack gets from now on are asked with users.info
  await bot.directoryWarmed();
  const baseUrl = `http://127.0.0.1:${bot.port}`;
  const events = `${baseUrl}/slack/events`;
  return {
    bot,
    slack,
    database,
    baseUrl,
    async command(userId, text, postOpts) {
      const res = await postSigned(events, commandBody({ text, userId, responseUrl: `${slack.url}/respond/${userId}` }), 'application/x-www-form-urlencoded', postOpts);
      const raw = await res.text();
      return { status: res.status, body: raw ? safeJson(raw) : undefined };
    },
    async click(userId, actionId, value, where = { channelId: `D${userId}`, ts: '1.0' }) {
      const payload = blockActionPayload({ userId, actionId, value, channelId: where.channelId, messageTs: where.ts, responseUrl: `${slack.url}/respond/${userId}` });
      return postSigned(events, interactionBody(payload), 'application/x-www-form-urlencoded');
    },
    async openHome(userId) {
      return postSigned(events, eventBody({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: `${Date.now() / 1000}` }), 'application/json');
    },
    async event(event) {
      return postSigned(events, eventBody({ event_ts: `${Date.now() / 1000}`, ...event }), 'application/json');
    },
    async submitView(payload) {
      const res = await postSigned(events, interactionBody(viewSubmissionPayload(payload)), 'application/x-www-form-urlencoded');
      const raw = await res.text();
      return { status: res.status, body: raw ? safeJson(raw) : undefined };
    },
    async stop() {
      await bot.stop();
      if (replicaOf) return; // the first replica owns Slack, the database and the queues
      if (!opts.slack) await slack.stop();
      await database.destroy();
      await removeQueueKeys(config.redisUrl!, config.queuePrefix);
    },
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
