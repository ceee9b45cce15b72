import postgres from 'postgres';
import type { ProvisionerConfig } from '../catalog/catalog.schema.js';
import { loginRoleFor } from './postgres.rules.js';
import { ProvisionerError, type Provisioner } from './provisioner.js';

type PostgresConfig = Extract<ProvisionerConfig, { type: 'postgres' }>;

/**
 * GRANT <dataset role> TO <login role> / REVOKE … FROM …, on a Postgres warehouse. Role names
 * are validated and passed as quoted identifiers; nothing typed in Slack reaches the SQL.
 * The connection string comes from the environment variable the catalog names.
 */
export function postgresProvisioner(datasetId: string, config: PostgresConfig, connectionString: string): Provisioner {
  let client: postgres.Sql | undefined;
  const sql = () => (client ??= postgres(connectionString, { max: 2, connect_timeout: 5, idle_timeout: 30, onnotice: () => {} }));

  const run = async <T>(what: string, fn: (db: postgres.Sql) => Promise<T>): Promise<T> => {
    try {
      return await fn(sql());
    } catch (err) {
      throw describe(err, what, datasetId);
    }
  };

  return {
    kind: 'postgres',
    async grant(t) {
      const login = loginRoleFor({ template: config.login_role_template, slackId: t.userId, email: t.userEmail, override: t.postgresRole });
      await run(`grant ${config.role} to ${login}`, (db) => db`GRANT ${db(config.role)} TO ${db(login)}`);
    },
    async revoke(t) {
      const login = loginRoleFor({ template: config.login_role_template, slackId: t.userId, email: t.userEmail, override: t.postgresRole });
      await run(`revoke ${config.role} from ${login}`, async (db) => {
        const [exists] = await db`select 1 as ok from pg_roles where rolname = ${login}`;
        if (!exists) return; // no login role: nothing can be held
        await db`REVOKE ${db(config.role)} FROM ${db(login)}`;
      });
    },
    async check() {
      const [row] = await run('check the connection', (db) => db`select 1 as ok from pg_roles where rolname = ${config.role}`);
      if (!row) throw new ProvisionerError(`dataset "${datasetId}": role ${config.role} does not exist in the warehouse (${config.connection_env})`, true);
    },
    async close() {
      await client?.end({ timeout: 5 });
      client = undefined;
    },
  };
}

function describe(err: unknown, what: string, datasetId: string): ProvisionerError {
  if (err instanceof ProvisionerError) return err;
  const e = err as { code?: string; message?: string };
  // Postgres error messages name roles, never passwords; connection errors are reduced to their code.
  if (e.code === '42704') return new ProvisionerError(`dataset "${datasetId}": cannot ${what}: ${e.message}`, true);
  if (e.code && /^[0-9A-Z]{5}$/.test(e.code)) return new ProvisionerError(`dataset "${datasetId}": cannot ${what}: ${e.message}`);
  return new ProvisionerError(`dataset "${datasetId}": cannot reach the warehouse to ${what} (${e.code ?? 'connection error'})`);
}
