import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { MIGRATIONS_FOLDER, migratePostgres } from './migrate.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** Both drivers (postgres-js and PGlite) give a PgDatabase; the app only uses this common surface. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** The rows of a raw `db.execute(sql…)`: postgres-js gives an array of them, PGlite `{ rows }`. */
export function resultRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Runs a query builder's statement as a prepared one, for statements whose text never varies
 * (the rows, keys or pairs as one JSON parameter rather than one parameter each). drizzle asks
 * postgres-js to prepare only a named statement; unnamed, postgres-js sends each statement with
 * parameters as Parse + Describe, waits for the parameter types, and only then binds and runs it:
 * a round trip and a socket write more, every time. Prepared, it is parsed once per connection
 * and then only bound and run. postgres-js keeps a connection's prepared statements for its life
 * (keyed by their text): never use this for text that varies. The name is for the reader (neither
 * driver sends it); PGlite runs the statement as any other, and so does a server database opened
 * with `preparedStatements: false` (DATABASE_PREPARED_STATEMENTS=off, behind a transaction-mode pooler).
 */
export function executePrepared<R>(query: { prepare(name: string): { execute(): Promise<R> } }, name: string): Promise<R> {
  return query.prepare(name).execute();
}

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  ping(): Promise<boolean>;
  /** Applies pending migrations from ./migrations. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | {
      url: string;
      /** Connections kept at most (10). */
      poolSize?: number;
      /**
       * False: no statement is prepared (executePrepared runs it unnamed), for a transaction-mode
       * pooler that does not keep prepared statements from one transaction to the next.
       */
      preparedStatements?: boolean;
    }
  | { dataDir: string }
  | { memory: true };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if ('url' in target) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    // prepare: false also overrides the statements drizzle asks to prepare (executePrepared)
    const client = postgres(target.url, { max: target.poolSize ?? 10, prepare: target.preparedStatements ?? true, onnotice: () => {} });
    const db = drizzle(client, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      ping: () => pingDb(db),
      migrate: () => migratePostgres(target.url, { preparedStatements: target.preparedStatements }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let client: InstanceType<typeof PGlite>;
  if ('dataDir' in target) {
    mkdirSync(target.dataDir, { recursive: true });
    const release = claimDataDir(target.dataDir);
    client = new PGlite(target.dataDir);
    const close = client.close.bind(client);
    client.close = async () => {
      try {
        await close();
      } finally {
        release();
      }
    };
  } else {
    client = new PGlite();
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  const migrate = async () => {
    const { migrate: run } = await import('drizzle-orm/pglite/migrator');
    await run(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  };
  return { db, kind: 'pglite', ping: () => pingDb(db), migrate, close: () => client.close() };
}

export class DatabaseInUseError extends Error {}

/**
 * PGlite serves one process: a second one opening the same directory would corrupt it. The
 * opener writes its pid to `<dataDir>/dab.pid`; another live process's pid there is refused.
 */
function claimDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'dab.pid');
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    holder = undefined;
  }
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new DatabaseInUseError(
      `The embedded database in ${dataDir} is in use by process ${holder} (the bot?): it serves one process at a time. Stop that process, or use a Postgres server (DATABASE_URL).`,
    );
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
