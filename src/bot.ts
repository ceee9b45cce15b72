import { WebClient } from '@slack/web-api';
import { CatalogError, resolveCatalog, readCatalogFile } from './catalog/catalog.loader.js';
import type { Catalog } from './catalog/catalog.js';
import type { Config } from './config/config.js';
import type { Deps } from './modules/deps.js';
import { buildConnectors, ConnectorConfigError, type Connectors } from './provisioners/registry.js';
import { ProvisionerError } from './provisioners/provisioner.js';
import { systemClock, type Clock } from './shared/clock.js';
import { openDatabase, type Database } from './shared/db/client.js';
import { createLogger, type Logger } from './shared/logger.js';
import { healthCheck, healthHandler, type Probe } from './shared/http/health.js';
import { startHttpServer, type HttpServer } from './shared/http/server.js';
import { startSlackWeb, type SlackWeb } from './slack/app.js';
import { checkSlackToken, describeDatabaseError } from './startup.checks.js';
import { slackNotifier } from './slack/notifier.js';
import { slackUserDirectory } from './slack/users.js';
import { bullJobScheduler, openQueues, type Queues } from './worker/queues.js';
import { startWorkers, type Workers } from './worker/workers.js';

async function loadCatalog(path: string, users: ReturnType<typeof slackUserDirectory>, logger: Logger): Promise<Catalog> {
  const file = await readCatalogFile(path);
  try {
    return await resolveCatalog(file, users.idByEmail, (m) => logger.warn(m));
  } catch (err) {
    if (err instanceof CatalogError) throw err;
    throw new Error(`cannot reach Slack to look up the catalog's email addresses (${err instanceof Error ? err.message : String(err)}). Check SLACK_BOT_TOKEN and the network.`);
  }
}

/**
 * Builds the connectors and tests each one. A missing variable or a dataset role the warehouse
 * does not have stops start-up (nothing could work); an unreachable target only warns, since
 * grants and revokes are retried until it is back.
 */
async function startConnectors(catalog: Catalog, env: NodeJS.ProcessEnv, logger: Logger): Promise<Connectors> {
  const connectors = buildConnectors(catalog, env, logger);
  for (const { datasetId, connector } of connectors.all()) {
    if (connector.kind !== 'postgres') continue;
    try {
      await connector.check();
    } catch (err) {
      if (err instanceof ProvisionerError && err.permanent) {
        await connectors.close();
        throw new ConnectorConfigError(`Connector configuration error: ${err.message}`);
      }
      logger.warn({ datasetId }, `connector check failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return connectors;
}

export interface BotOverrides {
  clock?: Clock;
  logger?: Logger;
  /** An already-open database (tests use a fresh one per file). */
  database?: Database;
  /** The catalog as parsed; when absent it is read from config.catalogPath. */
  catalog?: Catalog;
  /** Connectors per dataset; when absent they are built from the catalog and `env`. */
  connectors?: Connectors;
  /** Where connector secrets are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface RunningBot {
  deps: Deps;
  database: Database;
  queues: Queues;
  /** The port GET /healthz is served on (in `worker` mode, the worker health port). */
  port: number;
  /** Stops taking requests, finishes those received and the jobs running (each within `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Wires config → database → catalog → queues → Slack and workers. The one composition root. */
export async function startBot(config: Config, overrides: BotOverrides = {}): Promise<RunningBot> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const client = new WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl.endsWith('/') ? config.slack.apiUrl : `${config.slack.apiUrl}/` } : {}),
    // Few quick retries per call; the jobs' own backoff handles longer outages.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
  });
  const users = slackUserDirectory(client);
  // a wrong token is named first, whatever the catalog holds
  await checkSlackToken(client, config.slack.apiUrl);

  const database = overrides.database ?? (await openDatabase(config.database));
  try {
    await database.migrate();
  } catch (err) {
    if (!overrides.database) await database.close().catch(() => {});
    throw describeDatabaseError(err, config.database) ?? err;
  }
  const catalog = overrides.catalog ?? (await loadCatalog(config.catalogPath, users, logger));

  const connectors = overrides.connectors ?? (await startConnectors(catalog, overrides.env ?? process.env, logger));

  const queues = await openQueues(config.redisUrl, config.queuePrefix, (m) => logger.warn(m));
  const deps: Deps = {
    db: database.db,
    catalog,
    clock,
    jobs: bullJobScheduler(queues, clock, config.provisioning),
    notifier: slackNotifier(client, users),
    connectors,
    people: users,
    settings: {
      stuckRetrySeconds: config.provisioning.stuckRetrySeconds,
      approvalReminderWorkingHours: config.approvals.reminderWorkingHours,
      approvalEscalationWorkingHours: config.approvals.escalationWorkingHours,
      pendingRequestExpiryHours: config.approvals.pendingExpiryHours,
    },
    logger,
  };

  let web: SlackWeb | undefined;
  let workers: Workers | undefined;
  let workerHealth: HttpServer | undefined;
  const probes: Record<string, Probe> = {
    postgres: () => database.ping(),
    redis: async () => (await queues.redis.ping()) === 'PONG',
  };
  if (config.mode !== 'web') {
    workers = await startWorkers(deps, queues, {
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      reconcileIntervalSeconds: config.reconcileIntervalSeconds,
    });
    const running = workers;
    probes.workers = async () => running.running();
  }
  if (config.mode !== 'worker') {
    web = await startSlackWeb(config, deps, users, probes);
  } else {
    workerHealth = await startHttpServer(config.workerHealthPort, { '/healthz': { GET: healthHandler(healthCheck(probes)) } }, logger.child({ module: 'http' }));
  }
  logger.info({ mode: config.mode, port: web?.port ?? workerHealth?.port, datasets: catalog.datasets.length, database: database.kind }, 'data access bot started');

  return {
    deps,
    database,
    queues,
    port: web?.port ?? workerHealth?.port ?? 0,
    async stop(graceMs) {
      await web?.stop(graceMs);
      await workerHealth?.stop(graceMs);
      // waits for the jobs being processed
      await workers?.close();
      await queues.close();
      if (!overrides.connectors) await connectors.close();
      if (!overrides.database) await database.close();
    },
  };
}
