import { CatalogError } from './catalog/catalog.loader.js';
import { ConfigError, loadConfig } from './config/config.js';
import { startBot } from './bot.js';
import { ConnectorConfigError } from './provisioners/registry.js';

// `npm start` → everything in one process; `npm start -- web` or `-- worker` → one half.
async function main() {
  let config;
  try {
    config = loadConfig(process.env, process.argv[2]);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  let bot;
  try {
    bot = await startBot(config);
  } catch (err) {
    if (err instanceof CatalogError || err instanceof ConnectorConfigError) {
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
