import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { CatalogError, resolveCatalog, readCatalogFile } from './catalog/catalog.loader.js';
import type { Catalog } from './catalog/catalog.js';
import type { Config } from './config/config.js';
import { BOT_SETTINGS } from './config/settings.js';
import type { Deps } from './modules/deps.js';
import { approverWarnings } from './modules/requests/approvers.usecases.js';
import { closeExtensionsOfGrants } from './modules/requests/closures.usecases.js';
import { sortFindings } from './catalog/catalog.findings.js';
import { buildConnectors, ConnectorConfigError, connectorFindings, type Connectors } from './provisioners/registry.js';
import { systemClock, type Clock } from './shared/clock.js';
import { openDatabase, type Database } from './shared/db/client.js';
import { createLogger, type Logger } from './shared/logger.js';
import { routeConsoleTo, summarisedErrors } from './shared/log-summary.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './shared/redis-embedded.js';
import { healthCheck, healthHandler, livenessHandler, type Probe } from './shared/http/health.js';
import { startHttpServer, type HttpServer } from './shared/http/server.js';
import { startSlackWeb, type SlackWeb } from './slack/app.js';
import { slackApiCalls } from './slack/api-calls.js';
import { operations, warnAboutRedis } from './operations.js';
import { slackLibraryLogger } from './slack/library-logger.js';
import { checkSlackToken, describeDatabaseError } from './startup.checks.js';
import { slackMessenger } from './slack/messenger.js';
import { slackUserDirectory } from './slack/users.js';
import { bullJobScheduler, openQueues, type Queues } from './worker/queues.js';
import { startWorkers, type Workers } from './worker/workers.js';

async function loadCatalog(path: string, users: ReturnType<typeof slackUserDirectory>, logger: Logger): Promise<Catalog> {
  const file = await readCatalogFile(path);
  try {
    return await resolveCatalog(file, users, (m) => logger.warn(m));
  } catch (err) {
    if (err instanceof CatalogError) throw err;
    throw new Error(`cannot reach Slack to look up the catalog's people (${err instanceof Error ? err.message : String(err)}). Check SLACK_BOT_TOKEN and the network.`);
  }
}

/**
 * Builds the connectors and tests each one. A missing variable or a dataset role the warehouse
 * does not have stops start-up (nothing could work); an unreachable target only warns, since
 * grants and revokes are retried until it is back.
 */
async function startConnectors(catalog: Catalog, env: NodeJS.ProcessEnv, logger: Logger): Promise<Connectors> {
  const connectors = buildConnectors(catalog, env, logger);
  const { errors, warnings } = sortFindings(await connectorFindings(connectors, ['postgres']));
  for (const w of warnings) logger.warn(`connector check failed: ${w}`);
  if (errors.length) {
    await connectors.close();
    throw new ConnectorConfigError(`Connector configuration error: ${errors.join('; ')}`);
  }
  return connectors;
}

/** The embedded database takes a while to create on the first start: say so rather than stay silent. */
async function openDatabaseWithProgress(target: Config['database'], logger: Logger): Promise<Database> {
  if (!('dataDir' in target)) return openDatabase(target);
  const first = !existsSync(join(target.dataDir, 'PG_VERSION'));
  logger.info(
    { dataDir: target.dataDir },
    first ? `Preparing the embedded database in ${target.dataDir} (the first start takes ~20 s)…` : `Opening the embedded database in ${target.dataDir}…`,
  );
  const started = Date.now();
  const database = await openDatabase(target);
  await database.migrate();
  logger.info({ seconds: Math.round((Date.now() - started) / 100) / 10 }, 'embedded database ready');
  return database;
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
  /** Resolves once the work started by the Slack requests received so far has finished. */
  settled(): Promise<void>;
  /** Resolves once the first walk of the Slack directory has ended, filled or failed (at once in `worker` mode). */
  directoryWarmed(): Promise<void>;
}

/** Wires config → database → catalog → queues → Slack and workers. The one composition root. */
export async function startBot(config: Config, overrides: BotOverrides = {}): Promise<RunningBot> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const redisErrors = summarisedErrors(logger.child({ module: 'redis' }), 'Redis connection error');
  const clock = overrides.clock ?? systemClock;
  // counts every Web API call and tells /readyz whether Slack is usable
  const slackCalls = slackApiCalls(config.slack.apiUrl);
  const webClient = (opts: { rejectRateLimitedCalls: boolean }) =>
    new WebClient(config.slack.botToken, {
      fetch: slackCalls.fetch,
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl.endsWith('/') ? config.slack.apiUrl : `${config.slack.apiUrl}/` } : {}),
      // Few quick retries per call; the jobs' own backoff handles longer outages.
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
      logger: slackLibraryLogger(logger.child({ module: 'slack-web-api' })),
      ...opts,
    });
  const client = webClient({ rejectRateLimitedCalls: false });
  // Messages get a client of their own that hands a 429 straight back: the messages queue then
  // waits as long as Slack asks (once, for every replica), instead of the client sleeping inside a
  // job and pausing the lookups the Slack listeners make on the same client.
  const messagesClient = webClient({ rejectRateLimitedCalls: true });
  // users.list walks hand a 429 back at once too (the walk is tried again later) rather than pause
  // the client the listeners' lookups go through
  const users = slackUserDirectory(client, { listClient: webClient({ rejectRateLimitedCalls: true }) });
  // a wrong token is named first, whatever the catalog holds
  await checkSlackToken(client, config.slack.apiUrl);

  // first, so that a missing redis-server is said at once, not after the database is ready
  let embeddedRedis: EmbeddedRedis | undefined;
  if (!config.redisUrl) {
    embeddedRedis = await startEmbeddedRedis(config.embeddedRedis ?? { dir: join(BOT_SETTINGS.DATA_DIR.default, 'redis'), port: BOT_SETTINGS.EMBEDDED_REDIS_PORT.default });
    logger.info({ dir: config.embeddedRedis?.dir }, 'started a private redis-server (REDIS_URL is not set)');
  }
  const redisUrl = config.redisUrl ?? embeddedRedis!.url;

  const database = overrides.database ?? (await openDatabaseWithProgress(config.database, logger));
  try {
    await database.migrate();
  } catch (err) {
    if (!overrides.database) await database.close().catch(() => {});
    await embeddedRedis?.stop();
    throw describeDatabaseError(err, config.database) ?? err;
  }
  const catalog = overrides.catalog ?? (await loadCatalog(config.catalogPath, users, logger));
  for (const warning of await approverWarnings(catalog, users.standing)) logger.warn(warning);

  const connectors = overrides.connectors ?? (await startConnectors(catalog, overrides.env ?? process.env, logger));

  const queues = await openQueues(redisUrl, config.queuePrefix, redisErrors);
  if (!embeddedRedis) await warnAboutRedis(queues.redis, logger);
  const deps: Deps = {
    db: database.db,
    catalog,
    clock,
    jobs: bullJobScheduler(queues, clock, config.provisioning),
    messenger: slackMessenger(messagesClient),
    connectors,
    people: users,
    settings: {
      stuckRetrySeconds: config.provisioning.stuckRetrySeconds,
      approvalReminderWorkingHours: config.approvals.reminderWorkingHours,
      approvalEscalationWorkingHours: config.approvals.escalationWorkingHours,
      pendingRequestExpiryHours: config.approvals.pendingExpiryHours,
    },
    logger,
    onGrantEnding: closeExtensionsOfGrants,
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
      redisUrl,
      prefix: config.queuePrefix,
      reconcileIntervalSeconds: config.reconcileIntervalSeconds,
      messagesPerSecond: config.messagesPerSecond ?? BOT_SETTINGS.SLACK_MESSAGES_PER_SECOND.default,
      onRedisError: redisErrors,
    });
    const running = workers;
    probes.workers = async () => running.running();
  }
  const ops = operations(config, deps, queues, probes, slackCalls);
  let directory: ReturnType<typeof users.keepWarm> | undefined;
  if (config.mode !== 'worker') {
    web = await startSlackWeb(config, deps, probes, ops);
    // profiles from users.list, so that requests need no users.info on their acknowledgement path;
    // in the background: neither start-up nor readiness waits for it
    directory = users.keepWarm(logger);
  } else {
    const routes = { ...ops.routes, '/healthz': { GET: healthHandler(healthCheck(probes)) }, '/readyz': { GET: healthHandler(healthCheck(ops.readyProbes)) }, '/livez': { GET: livenessHandler } };
    workerHealth = await startHttpServer(config.workerHealthPort, routes, logger.child({ module: 'http' }));
  }
  const stopSlackProbe = slackCalls.probe(client);
  // once started, every line is JSON whatever a library prints (tests pass their own logger)
  const restoreConsole = overrides.logger ? () => {} : routeConsoleTo(logger.child({ module: 'console' }));
  logger.info({ mode: config.mode, port: web?.port ?? workerHealth?.port, datasets: catalog.datasets.length, database: database.kind }, 'data access bot started');

  return {
    deps,
    database,
    queues,
    port: web?.port ?? workerHealth?.port ?? 0,
    settled: async () => web?.settled(),
    directoryWarmed: async () => directory?.warmed,
    async stop(graceMs) {
      stopSlackProbe();
      // the walk under way ends alongside, not before the server stops taking requests
      await Promise.all([directory?.stop(), web?.stop(graceMs)]);
      await workerHealth?.stop(graceMs);
      // waits for the jobs being processed
      await workers?.close();
      await queues.close();
      if (!overrides.connectors) await connectors.close();
      if (!overrides.database) await database.close();
      redisErrors.stop();
      restoreConsole();
      await embeddedRedis?.stop();
    },
  };
}
