import type { Config } from './config/config.js';
import type { Deps } from './modules/deps.js';
import { readDatabaseState } from './modules/metrics/metrics.usecases.js';
import type { Probe } from './shared/http/health.js';
import { metricsHandler } from './shared/http/metrics.js';
import type { Logger } from './shared/logger.js';
import { stateGauges } from './shared/metrics/state-gauges.js';
import { durabilityWarnings, readRedisDurability, type RedisSettingsReader } from './shared/redis-durability.js';
import type { Operations } from './slack/app.js';
import type { SlackApiCalls } from './slack/api-calls.js';
import { queueStates } from './worker/queue-metrics.js';
import type { Queues } from './worker/queues.js';

/**
 * The operations endpoints of either process: GET /metrics (the process's counters and
 * histograms, and gauges read from Postgres and Redis at scrape time) and the checks of GET
 * /readyz: those of /healthz, and whether Slack's Web API is usable (see SlackApiCalls).
 */
export function operations(config: Config, deps: Deps, queues: Queues, probes: Record<string, Probe>, slackCalls: SlackApiCalls): Operations {
  const state = stateGauges({ database: () => readDatabaseState(deps), queues: () => queueStates(queues) });
  return {
    readyProbes: { ...probes, slack: async () => slackCalls.usable() },
    routes: { '/metrics': { GET: metricsHandler(() => state.render(), config.metricsToken) } },
    slackCalls,
  };
}

/** One warning line for each way this Redis may lose BullMQ's jobs (the bot's private one is set up right). */
export async function warnAboutRedis(redis: RedisSettingsReader, logger: Logger): Promise<void> {
  for (const warning of durabilityWarnings(await readRedisDurability(redis))) logger.warn({ module: 'redis' }, warning);
}
