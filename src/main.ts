import { CatalogError } from './catalog/catalog.loader.js';
import { ConfigError, loadConfig } from './config/config.js';
import { startBot } from './bot.js';
import { ConnectorConfigError } from './provisioners/registry.js';
import { sandboxWanted, startSandbox } from './sandbox/sandbox.start.js';

// `npm start` → everything in one process; `npm start -- web` or `-- worker` → one half.
async function main() {
  // no Slack variables at all: the local sandbox (a Slack stand-in and its page) instead of Slack
  const wanted = sandboxWanted(process.env);
  if (wanted.error) {
    console.error(wanted.error);
    process.exit(1);
  }
  let config;
  try {
    if (!wanted.sandbox) config = loadConfig(process.env, process.argv[2]);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  let bot;
  try {
    if (config) bot = await startBot(config);
    else {
      const sandbox = await startSandbox(process.env, process.argv[2]);
      console.log(`Local sandbox (no Slack workspace connected): ${sandbox.url}`);
      bot = sandbox;
    }
  } catch (err) {
    if (err instanceof CatalogError || err instanceof ConnectorConfigError || err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    console.error(`Start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bot.deps.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
