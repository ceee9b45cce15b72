import { existsSync } from 'node:fs';
import { CatalogError } from './catalog/catalog.loader.js';
import { ConfigError, loadConfig } from './config/config.js';
import { startBot, type RunningBot } from './bot.js';
import { ConnectorConfigError } from './provisioners/registry.js';
import { sandboxWanted, startSandbox } from './sandbox/sandbox.start.js';
import { lowerCpuPriority } from './shared/cpu-priority.js';
import { limitHeapGrowth } from './shared/heap.js';
import { StartupError } from './startup.checks.js';

/** Requests and jobs already started get this long to finish on SIGTERM (docker stop waits 10 s). */
const SHUTDOWN_GRACE_MS = 7_000;

// `npm start` → everything in one process; `npm start -- web` or `-- worker` → one half.
async function main() {
  // ./.env when present; variables already set in the environment win
  if (existsSync('.env')) process.loadEnvFile('.env');
  // resident memory under 200 MB under load, and few full collections where Slack is answered
  // (issue #12): see src/shared/heap.ts
  limitHeapGrowth(process.argv[2] ?? process.env.BOT_MODE);
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
  // a worker yields the CPU to a web process on the same machine (WORKER_NICE, src/shared/cpu-priority.ts)
  const priority = config?.mode === 'worker' ? lowerCpuPriority(config.workerNice) : undefined;
  let bot: RunningBot;
  try {
    if (config) bot = await startBot(config);
    else {
      const sandbox = await startSandbox(process.env, process.argv[2]);
      // straight to stdout: once started, console.log is routed into the (quiet, JSON) log
      process.stdout.write(`Local sandbox (no Slack workspace connected): ${sandbox.url}\n`);
      bot = sandbox;
    }
  } catch (err) {
    if (err instanceof CatalogError || err instanceof ConnectorConfigError || err instanceof ConfigError || err instanceof StartupError) {
      console.error(err.message);
      process.exit(1);
    }
    console.error(`Start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  if (priority?.error) bot.deps.logger.warn(priority, 'could not lower the worker’s CPU priority (WORKER_NICE)');
  else if (priority) bot.deps.logger.info(priority, 'worker CPU priority (WORKER_NICE)');
  // A library's promise nobody awaits (Bolt reads `body.ssl_check` of a signed JSON `null`) must
  // not end the process: it is logged, without its text, and the bot keeps serving.
  process.on('unhandledRejection', (err) => bot.deps.logger.error({ err }, 'unhandled rejection; still running'));
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    bot.deps.logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 2_000);
    force.unref();
    bot.stop(SHUTDOWN_GRACE_MS).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  watchParent(() => shutdown('parent process exited'));
}

/**
 * The bot must not outlive whatever started it (npm, a supervisor): when its parent goes away and
 * it is re-parented, it shuts down as on SIGTERM. A bot started by init (pid 1) has nothing to watch.
 */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, 1_000);
  timer.unref();
}

void main();
