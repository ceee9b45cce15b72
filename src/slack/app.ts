import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config/config.js';
import type { Deps } from '../modules/deps.js';
import { healthCheck, healthHandler, livenessHandler, type Probe } from '../shared/http/health.js';
import { startHttpServer, type Routes } from '../shared/http/server.js';
import type { SlackApiCalls } from './api-calls.js';
import { registerListeners } from './listeners/listeners.register.js';
import { errorReply } from './listeners/respond.js';
import { listenerRouter } from './listeners/router.js';
import { slackLibraryLogger } from './library-logger.js';

export interface SlackWeb {
  app: App;
  /** The port the HTTP server listens on. */
  port: number;
  /** Stops taking requests, finishes those received and the work they started (up to `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Resolves once the work started by the requests received so far has finished. */
  settled(): Promise<void>;
}

/** What the operations endpoints need: /readyz's checks, other routes (/metrics), the Web API's watcher. */
export interface Operations {
  readyProbes: Record<string, Probe>;
  routes: Routes;
  slackCalls: SlackApiCalls;
}

/**
 * Starts the Slack side: Bolt with signature verification at POST /slack/events (HTTP mode) or
 * Socket Mode, plus GET /healthz (`probes`, and in Socket Mode whether its connection is open),
 * GET /readyz (`ops.readyProbes`, its `slack` check also requiring the Socket Mode connection) and
 * `ops.routes`. Listeners are registered here and nowhere else.
 */
export async function startSlackWeb(config: Config, deps: Deps, probes: Record<string, Probe>, ops: Operations): Promise<SlackWeb> {
  const logger = slackLibraryLogger(deps.logger.child({ module: 'bolt' }));
  // Bolt's Web API client (the listeners' `client`) is watched like the bot's own
  const clientOptions = { ...(config.slack.apiUrl ? { slackApiUrl: withSlash(config.slack.apiUrl) } : {}), fetch: ops.slackCalls.fetch };
  const socketMode = Boolean(config.slack.appToken);
  // no conversation state is kept in Slack's middleware (convoStore: false): Bolt's default
  // in-memory store looks every event up and builds an Error with a stack trace for each miss

  let receiver: HTTPReceiver | undefined;
  let app: App;
  let socketOpen = false;
  if (socketMode) {
    const socket = new SocketModeReceiver({ appToken: config.slack.appToken!, logger, installerOptions: { clientOptions } });
    socket.client.on('connected', () => (socketOpen = true));
    for (const state of ['disconnected', 'reconnecting', 'connecting']) socket.client.on(state, () => (socketOpen = false));
    app = new App({ token: config.slack.botToken, receiver: socket, logger, clientOptions, convoStore: false });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret!,
      endpoints: '/slack/events',
      logger,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_900,
    });
    app = new App({ token: config.slack.botToken, receiver, logger, clientOptions, convoStore: false });
  }

  // work a request started after its acknowledgement is finished before shutting down
  const inFlight = new Set<Promise<unknown>>();
  app.use(async ({ next }) => {
    const work = next();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });

  // every listener is found by a map lookup behind one middleware, not tried one by one by Bolt
  const router = listenerRouter();
  app.use(router.middleware);
  registerListeners(router.registry, app.client, deps);
  app.error(async (err) => {
    // Last resort: listeners answer their own errors; this only logs what escaped them.
    errorReply(err.original ?? err, deps.logger.child({ module: 'bolt' }));
  });

  const health = healthCheck(socketMode ? { ...probes, slack: async () => socketOpen } : probes);
  const slackReady = ops.readyProbes.slack;
  const ready = healthCheck(
    socketMode && slackReady ? { ...ops.readyProbes, slack: async () => socketOpen && (await slackReady()) } : ops.readyProbes,
  );
  const routes: Routes = { ...ops.routes, '/healthz': { GET: healthHandler(health) }, '/readyz': { GET: healthHandler(ready) }, '/livez': { GET: livenessHandler } };
  if (receiver) routes['/slack/events'] = { POST: receiver.requestListener };
  const server = await startHttpServer(config.port, routes, deps.logger.child({ module: 'http' }));
  if (socketMode) await app.start();

  return {
    app,
    port: server.port,
    async settled() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async stop(graceMs = 5_000) {
      if (socketMode) await app.stop();
      await server.stop(graceMs);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), late]);
      clearTimeout(timer);
    },
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
