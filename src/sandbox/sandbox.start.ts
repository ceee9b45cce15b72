import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBot, type BotOverrides, type RunningBot } from '../bot.js';
import { readCatalogFile } from '../catalog/catalog.loader.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { BOT_SETTINGS, SANDBOX_SETTINGS, settingsSchema } from '../config/settings.js';
import { SandboxSlack } from './sandbox.interactions.js';
import { sandboxPeople } from './sandbox.people.js';
import { startSandboxServer } from './sandbox.server.js';
import { newSigningSecret } from './sandbox.signing.js';
import { SandboxStore } from './sandbox.store.js';
import { SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN } from './sandbox.web-api.js';

const SLACK_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const;
export const EXAMPLE_CATALOG = fileURLToPath(new URL('../../catalog.example.yml', import.meta.url));

/**
 * The sandbox runs only when no Slack variable is set, so it never runs beside a real Slack
 * configuration. A partial configuration is a mistake to name, not a reason to fall back to it.
 */
export function sandboxWanted(env: NodeJS.ProcessEnv): { sandbox: boolean; error?: string } {
  const set = SLACK_VARIABLES.filter((name) => env[name]?.trim());
  if (set.length === 0) return { sandbox: true };
  if (set.includes('SLACK_BOT_TOKEN')) return { sandbox: false };
  return {
    sandbox: false,
    error: `Configuration error: SLACK_BOT_TOKEN is required, since ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set for a real Slack workspace. Unset the SLACK_ variables to try the local sandbox instead. See .env.example.`,
  };
}

const sandboxEnv = settingsSchema(SANDBOX_SETTINGS);

export interface RunningSandbox extends RunningBot {
  /** The page's address, e.g. http://localhost:3000/ */
  url: string;
  store: SandboxStore;
  slack: SandboxSlack;
  signingSecret: string;
}

const DEFAULT_CATALOG = './catalog.yml';

/**
 * The catalog the sandbox uses: CATALOG_PATH when set, else ./catalog.yml, else the example
 * catalog. A CATALOG_PATH naming the default ./catalog.yml that does not exist (a .env copied from
 * .env.example) also gets the example catalog; any other missing file is an error.
 */
export function sandboxCatalogPath(env: NodeJS.ProcessEnv): string {
  const configured = env.CATALOG_PATH?.trim();
  if (configured && (existsSync(configured) || resolve(configured) !== resolve(DEFAULT_CATALOG))) return configured;
  return existsSync(DEFAULT_CATALOG) ? DEFAULT_CATALOG : EXAMPLE_CATALOG;
}

/**
 * `npm start` without Slack: the real bot (Bolt over signed HTTP, or Socket Mode with
 * SANDBOX_SOCKET_MODE=1; database; BullMQ worker) with a local Slack stand-in and its page. The
 * bot cannot tell: it gets tokens, a signing secret and a Web API URL like any other configuration.
 */
export async function startSandbox(env: NodeJS.ProcessEnv, modeArg?: string, overrides: BotOverrides = {}): Promise<RunningSandbox> {
  const parsed = sandboxEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v?.trim())));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Configuration error: ${String(issue.path[0])} ${issue.message}. See .env.example.`);
  }
  if (modeArg && modeArg !== 'all') throw new ConfigError(`Configuration error: the local sandbox runs everything in one process; start it without "${modeArg}".`);
  const catalogPath = sandboxCatalogPath(env);
  const store = new SandboxStore(sandboxPeople(await readCatalogFile(catalogPath)));
  const signingSecret = newSigningSecret();
  let eventsUrl = '';
  let slack: SandboxSlack | undefined;
  const socketMode = ['1', 'true'].includes(parsed.data.SANDBOX_SOCKET_MODE);
  const server = await startSandboxServer({ store, slack: () => slack!, host: parsed.data.SANDBOX_HOST, port: parsed.data.SANDBOX_PORT, socketMode }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new ConfigError(`Configuration error: SANDBOX_PORT ${parsed.data.SANDBOX_PORT} is in use; set SANDBOX_PORT to a free port. See .env.example.`);
    throw err;
  });
  slack = new SandboxSlack(store, { eventsUrl: () => eventsUrl, signingSecret, publicUrl: () => server.internalUrl, socketMode: server.socketMode });

  let bot: RunningBot | undefined;
  try {
    const config = loadConfig(
      {
        ...env,
        SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_APP_TOKEN: socketMode ? SANDBOX_APP_TOKEN : '',
        SLACK_API_URL: `${server.internalUrl}/api/`,
        PORT: '0', // the bot's own /slack/events, on a free port only the stand-in uses
        CATALOG_PATH: catalogPath,
        DATA_DIR: join(env.DATA_DIR?.trim() || BOT_SETTINGS.DATA_DIR.default, 'sandbox'),
        QUEUE_PREFIX: env.QUEUE_PREFIX?.trim() || 'dab-sandbox',
        LOG_LEVEL: env.LOG_LEVEL?.trim() || 'warn',
      },
      'all',
    );
    // the sandbox logs only warnings by default: say in plain words why the first start takes a while
    if (!overrides.database && 'dataDir' in config.database && !existsSync(join(config.database.dataDir, 'PG_VERSION'))) {
      console.log(`Preparing the embedded database in ${config.database.dataDir} (first start only, about 20 s)…`);
    }
    bot = await startBot(config, overrides);
    await server.socketMode?.waitForConnection(30_000);
  } catch (err) {
    await bot?.stop();
    await server.stop();
    throw err;
  }
  const running = bot;
  eventsUrl = `http://127.0.0.1:${running.port}/slack/events`;
  return {
    ...running,
    url: server.url,
    store,
    slack,
    signingSecret,
    async stop(graceMs?: number) {
      await running.stop(graceMs);
      await server.stop();
    },
  };
}
