/**
 * `npm run migrate`: applies pending migrations to the bot's database (DATABASE_URL, or the
 * embedded one in DATA_DIR) and exits; for a release step before the new version starts. The bot
 * also applies them at start-up, under the same advisory lock, so running both is harmless.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadDatabaseConfig } from '../config/config.js';
import { openDatabase } from '../shared/db/client.js';
import { describeDatabaseError } from '../startup.checks.js';

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let target;
  try {
    target = loadDatabaseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const database = await openDatabase(target);
  try {
    await database.migrate();
    console.log(`migrations applied (${database.kind})`);
    return 0;
  } catch (err) {
    const known = describeDatabaseError(err, target);
    console.error(known ? known.message.replace('Start-up failed', 'Migration failed') : `Migration failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 1;
  } finally {
    await database.close().catch(() => {});
  }
}

main().then((code) => process.exit(code));
