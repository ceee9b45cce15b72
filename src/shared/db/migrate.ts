import { fileURLToPath } from 'node:url';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url));

// Any constant works; it only has to be the same for every process of the bot.
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Applies pending migrations on a Postgres server, as drizzle's migrator does (the same files, the
 * same record in `drizzle.__drizzle_migrations`), but all in one transaction that first takes a
 * transaction-level advisory lock: two processes that start together (web + worker) queue on it,
 * and it holds behind a transaction-mode pooler too (a session lock there could be taken on one
 * server connection and released on another, and a pooled connection keep it for ever).
 * `preparedStatements: false` prepares nothing (DATABASE_PREPARED_STATEMENTS=off).
 */
export async function migratePostgres(url: string, opts: { preparedStatements?: boolean } = {}): Promise<void> {
  const { default: postgres } = await import('postgres');
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const client = postgres(url, { max: 1, prepare: opts.preparedStatements ?? true, onnotice: () => {} });
  try {
    await client.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
      await tx.unsafe('create schema if not exists "drizzle"');
      await tx.unsafe('create table if not exists "drizzle"."__drizzle_migrations" (id serial primary key, hash text not null, created_at bigint)');
      const [last] = await tx<Array<{ created_at: string }>>`select created_at from "drizzle"."__drizzle_migrations" order by created_at desc limit 1`;
      for (const migration of migrations) {
        if (last && Number(last.created_at) >= migration.folderMillis) continue;
        for (const statement of migration.sql) await tx.unsafe(statement);
        await tx`insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values (${migration.hash}, ${migration.folderMillis})`;
      }
    });
  } finally {
    await client.end({ timeout: 5 });
  }
}
