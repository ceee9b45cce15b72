import { WebClient } from '@slack/web-api';
import { CatalogError, readCatalogFile, resolveCatalog, type PeopleLookup } from '../../catalog/catalog.loader.js';
import type { Catalog } from '../../catalog/catalog.js';
import { BOT_SETTINGS } from '../../config/settings.js';
import type { Deps, JobScheduler } from '../../modules/deps.js';
import { closeExtensionsOfGrants } from '../../modules/requests/closures.usecases.js';
import { connectorKinds } from '../../provisioners/registry.js';
import { systemClock } from '../../shared/clock.js';
import type { Database } from '../../shared/db/client.js';
import { createLogger } from '../../shared/logger.js';
import { slackUserDirectory } from '../../slack/users.js';
import { bullJobScheduler, openQueues, type Queues } from '../../worker/queues.js';
import { CliError, openAdminDatabase } from './context.js';

/** What the state-changing commands hand to the use cases: the bot's own ports, minus Slack. */
export type OperatorDeps = Pick<Deps, 'db' | 'catalog' | 'clock' | 'jobs' | 'connectors' | 'logger' | 'onGrantEnding'>;

export interface OperatorSession {
  deps: OperatorDeps;
  /** false without REDIS_URL: jobs are left to the bot's reconciler, which rebuilds them from Postgres */
  queued: boolean;
  close(): Promise<void>;
}

/** Without a token, the catalog's user ids are taken as written and its emails cannot be looked up. */
const idsOnly: PeopleLookup = { idByEmail: async () => undefined, exists: async () => true };

async function loadCatalog(env: NodeJS.ProcessEnv): Promise<Catalog> {
  const path = env.CATALOG_PATH?.trim() || BOT_SETTINGS.CATALOG_PATH.default;
  const token = env.SLACK_BOT_TOKEN?.trim();
  const people = token ? slackUserDirectory(new WebClient(token, env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {})) : idsOnly;
  try {
    const file = await readCatalogFile(path);
    if (!token && [...file.admins, ...file.datasets.flatMap((d) => d.owners)].some((p) => p.includes('@'))) {
      process.stderr.write('warning: SLACK_BOT_TOKEN is not set, so the catalog\'s people named by email are left out\n');
    }
    return await resolveCatalog(file, people, (m) => process.stderr.write(`warning: ${m}\n`));
  } catch (err) {
    throw new CliError(err instanceof CatalogError ? err.message : `Cannot read the catalog: ${(err as Error).message}`);
  }
}

/** Jobs the reconciler (every RECONCILE_INTERVAL_SECONDS) enqueues itself from Postgres. */
const leftToReconciler: JobScheduler = {
  scheduleExpiry: async () => {},
  scheduleExpiries: async () => {},
  enqueueDeliveries: async () => {},
  enqueueNewDeliveries: async () => {},
  enqueueProvision: async () => {},
  enqueueRevoke: async () => {},
  enqueueRevokes: async () => {},
};

/**
 * The database, the catalog (CATALOG_PATH) and, with REDIS_URL, the bot's queues (QUEUE_PREFIX):
 * what a use case needs to change state exactly as it does when called from Slack.
 */
export async function openOperatorSession(opts: { redis: 'required' | 'if_set' | 'none' }, env: NodeJS.ProcessEnv = process.env): Promise<OperatorSession> {
  const redisUrl = env.REDIS_URL?.trim();
  if (!redisUrl && opts.redis === 'required') throw new CliError('This command needs the bot\'s Redis: set REDIS_URL (and QUEUE_PREFIX if the bot uses one).');
  const catalog = await loadCatalog(env);
  const database: Database = await openAdminDatabase(env);
  let queues: Queues | undefined;
  if (redisUrl && opts.redis !== 'none') {
    try {
      queues = await openQueues(redisUrl, env.QUEUE_PREFIX?.trim() || BOT_SETTINGS.QUEUE_PREFIX.default);
    } catch (err) {
      await database.close();
      throw new CliError(`Cannot use Redis: ${(err as Error).message}`);
    }
  }
  const clock = systemClock;
  return {
    deps: {
      db: database.db,
      catalog,
      clock,
      jobs: queues ? bullJobScheduler(queues, clock) : leftToReconciler,
      connectors: connectorKinds(catalog),
      logger: createLogger('warn', process.stderr),
      onGrantEnding: closeExtensionsOfGrants,
    },
    queued: !!queues,
    async close() {
      await queues?.close();
      await database.close();
    },
  };
}

export const RECONCILER_NOTE = 'note: REDIS_URL is not set, so the bot\'s reconciler picks this up from the database within a minute';
