import { testQueuePrefix } from './queues.js';
import type { Config } from '../../src/config/config.js';
import { SIGNING_SECRET } from './slack-requests.js';

/**
 * A complete config for a bot that talks to `slackApiUrl` (the fake Slack): its own queue prefix,
 * a fast reconciler and short retries, so tests see time-based behaviour without long waits.
 */
export function fakeSlackConfig(slackApiUrl: string, redisUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    mode: 'all',
    slack: { botToken: 'xoxb-fake', signingSecret: SIGNING_SECRET, apiUrl: slackApiUrl },
    port: 0,
    workerHealthPort: 0,
    database: { dataDir: 'unused' },
    redisUrl,
    catalogPath: 'unused',
    queuePrefix: testQueuePrefix(),
    reconcileIntervalSeconds: 1,
    // applied by src/main.ts only (a bot started in a test's process leaves its priority alone)
    workerNice: 10,
    // the fake Slack has no limits to respect; tests of pacing set their own
    messagesPerSecond: 200,
    provisioning: { attempts: 3, backoffMs: 500, stuckRetrySeconds: 2 },
    approvals: { reminderWorkingHours: 4, escalationWorkingHours: 8, pendingExpiryHours: 168 },
    logLevel: 'silent',
    ...overrides,
  };
}

