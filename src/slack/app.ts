import { createServer, type Server } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';
import type { Config } from '../config/config.js';
import type { Deps } from '../modules/deps.js';
import { registerCommandListener } from './listeners/command.listener.js';
import { registerDecisionListeners } from './listeners/decision.listener.js';
import { registerFormListener } from './listeners/form.listener.js';
import { registerHomeListeners } from './listeners/home.listener.js';
import { registerTaskListener } from './listeners/task.listener.js';
import { registerMessageListeners } from './listeners/messages.listener.js';
import { registerAcknowledgementListener } from './listeners/acknowledgement.listener.js';
import { registerReviewListeners } from './listeners/review.listener.js';
import { errorReply } from './listeners/respond.js';
import { slackLibraryLogger } from './library-logger.js';
import type { UserDirectory } from './users.js';

export interface SlackWeb {
  app: App;
  /** The port the HTTP server listens on (0 in Socket Mode without a health port). */
  port: number;
  stop(): Promise<void>;
}

export type HealthCheck = () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;

/**
 * Starts the Slack side: Bolt with signature verification at POST /slack/events (HTTP mode) or
 * Socket Mode, plus GET /healthz. Listeners are registered here and nowhere else.
 */
export async function startSlackWeb(config: Config, deps: Deps, users: UserDirectory, health: HealthCheck): Promise<SlackWeb> {
  const logger = slackLibraryLogger(deps.logger.child({ module: 'bolt' }));
  const clientOptions = config.slack.apiUrl ? { slackApiUrl: withSlash(config.slack.apiUrl) } : {};
  const socketMode = Boolean(config.slack.appToken);

  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (socketMode) {
    app = new App({ token: config.slack.botToken, appToken: config.slack.appToken, socketMode: true, logger, clientOptions });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret!,
      endpoints: '/slack/events',
      logger,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_900,
    });
    app = new App({ token: config.slack.botToken, receiver, logger, clientOptions });
  }

  const refreshHome = registerHomeListeners(app, deps, users);
  registerCommandListener(app, deps, users);
  registerDecisionListeners(app, deps, refreshHome);
  registerFormListener(app, deps);
  registerTaskListener(app, deps);
  registerMessageListeners(app, deps);
  registerAcknowledgementListener(app, deps);
  registerReviewListeners(app, deps, refreshHome);
  app.error(async (err) => {
    // Last resort: listeners answer their own errors; this only logs what escaped them.
    errorReply(err.original ?? err, deps.logger.child({ module: 'bolt' }));
  });

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      health().then(
        (h) => {
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(h));
        },
        () => {
          res.writeHead(503).end();
        },
      );
      return;
    }
    if (receiver) return receiver.requestListener(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (socketMode) await app.start();

  return {
    app,
    port,
    async stop() {
      if (socketMode) await app.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // idle keep-alive connections would otherwise hold the server open
      server.closeIdleConnections();
      await closed;
    },
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
