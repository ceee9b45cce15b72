import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { spawnTiedToThisProcess, type TiedChild } from '../../src/shared/watchdog.js';
import { freePort } from './ports.js';
import { postgresUser } from './postgres-server.js';

export interface PgBouncer {
  /** The same database as `serverUrl` names, through the pooler. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * A PgBouncer in front of the tests' Postgres server (`serverUrl`), in transaction mode: each
 * transaction, or each statement outside one, may run on a different server connection, so a
 * prepared statement or a session's lock does not outlive it (PgBouncer before 1.21 keeps no
 * prepared statements at all). Debian's `pgbouncer` package (.ci/run installs it). It refuses to
 * run as root: as root it runs as the `postgres` OS user.
 */
export async function startPgBouncer(serverUrl: string): Promise<PgBouncer> {
  const bin = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));
  if (!bin) throw new Error('pgbouncer is not installed: apt-get install pgbouncer (.ci/run installs it)');
  const server = new URL(serverUrl);
  const dir = await mkdtemp(join(tmpdir(), 'dab-test-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432} user=${decodeURIComponent(server.username || 'postgres')}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      'default_pool_size = 4',
      'max_client_conn = 200',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
  );
  const ids: { uid?: number; gid?: number } = userInfo().uid === 0 ? postgresUser() : {};
  if (ids.uid !== undefined && ids.gid !== undefined) {
    await chmod(dir, 0o755);
    await chown(dir, ids.uid, ids.gid);
    await chown(ini, ids.uid, ids.gid);
  }
  const child: TiedChild = spawnTiedToThisProcess(bin, [ini], { ...ids, stderr: 'pipe' });
  let stderr = '';
  child.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.child.exitCode !== null || Date.now() > deadline) {
      await child.stop();
      throw new Error(`pgbouncer did not start: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: (database) => `postgres://${server.username || 'postgres'}@127.0.0.1:${port}/${database}`,
    async stop() {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
