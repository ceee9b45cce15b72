import postgres from 'postgres';
import type { ProvisionerConfig } from '../catalog/catalog.schema.js';
import { loginRoleFor } from './postgres.rules.js';
import { ProvisionerError, type Provisioner, type ProvisionTarget } from './provisioner.js';

type PostgresConfig = Extract<ProvisionerConfig, { type: 'postgres' }>;

/** Logins named in one `REVOKE role FROM a, b, c` (one statement per chunk). */
const REVOKE_CHUNK = 1000;

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

  const rule = { template: config.login_role_template, emailDomains: config.email_domains };
  const loginOf = (t: ProvisionTarget) => {
    if (!t.identity.login) throw new ProvisionerError(`dataset "${datasetId}": no warehouse login was recorded for this grant`, true);
    return t.identity.login;
  };

  return {
    kind: 'postgres',
    identify: (p) => ({ login: loginRoleFor(rule, { slackId: p.userId, email: p.email, override: p.postgresRole }) }),
    async grant(t) {
      const login = loginOf(t);
      await run(`grant ${config.role} to ${login}`, async (db) => {
        const [role] = await db`select rolcanlogin as login from pg_roles where rolname = ${login}`;
        // only a person's own login role: a group role would hand the access to all its members
        if (!role) throw new ProvisionerError(`dataset "${datasetId}": the warehouse has no login role ${login}; an admin creates it, or names the person's login under people: in the catalog`, true);
        if (!role.login) throw new ProvisionerError(`dataset "${datasetId}": ${login} is not a LOGIN role, so it is nobody's own login; an admin names the person's login under people: in the catalog`, true);
        await db`GRANT ${db(config.role)} TO ${db(login)}`;
      });
    },
    async revoke(t) {
      const login = loginOf(t);
      await run(`revoke ${config.role} from ${login}`, async (db) => {
        const [exists] = await db`select 1 as ok from pg_roles where rolname = ${login}`;
        if (!exists) return; // no login role: nothing can be held
        await db`REVOKE ${db(config.role)} FROM ${db(login)}`;
        // REVOKE succeeds without removing a membership someone else granted, or one held
        // through another role: the access has ended only if the login no longer has the role
        const [still] = await db`select pg_has_role(${login}, ${config.role}, 'MEMBER') as member`;
        if (still?.member) {
          throw new ProvisionerError(`dataset "${datasetId}": ${login} still holds ${config.role} after REVOKE (granted by another role, or through another role it belongs to)`);
        }
      });
    },
    async revokeMany(targets) {
      const noLogin = targets.filter((t) => !t.identity.login);
      const withLogin = targets.filter((t) => t.identity.login);
      const logins = [...new Set(withLogin.map((t) => t.identity.login!))];
      const still = new Set<string>();
      for (let i = 0; i < logins.length; i += REVOKE_CHUNK) {
        const chunk = logins.slice(i, i + REVOKE_CHUNK);
        await run(`revoke ${config.role} from ${chunk.length} logins`, async (db) => {
          // a login that does not exist holds nothing; naming it would fail the whole statement
          const rows = await db`select rolname from pg_roles where rolname = any(${chunk})`;
          const existing = rows.map((r) => r.rolname as string);
          if (existing.length === 0) return;
          await db`REVOKE ${db(config.role)} FROM ${db(existing)}`;
          // as for one revoke: ended only where the login no longer has the role by any path
          const held = await db`
            select l.login from unnest(${existing}::text[]) as l(login)
            where pg_has_role(l.login::name, ${config.role}::name, 'MEMBER')`;
          for (const r of held) still.add(r.login as string);
        });
      }
      return [
        ...noLogin.map((t) => ({ grantId: t.grantId, error: `dataset "${datasetId}": no warehouse login was recorded for this grant` })),
        ...withLogin.map((t) =>
          still.has(t.identity.login!)
            ? { grantId: t.grantId, error: `dataset "${datasetId}": ${t.identity.login} still holds ${config.role} after REVOKE (granted by another role, or through another role it belongs to)` }
            : { grantId: t.grantId },
        ),
      ];
    },
    async check() {
      const [row] = await run('check the connection', (db) => db`select 1 as ok from pg_roles where rolname = ${config.role}`);
      if (!row) throw new ProvisionerError(`dataset "${datasetId}": role ${config.role} does not exist in the warehouse (${config.connection_env})`, true);
      const powerful = await run('check the role', (db) => db`
        with recursive up(oid) as (
          select oid from pg_roles where rolname = ${config.role}
          union
          select m.roleid from pg_auth_members m join up on m.member = up.oid
        )
        select r.rolname as name, r.rolsuper as superuser, r.rolcreaterole as createrole, r.rolcreatedb as createdb,
               r.rolbypassrls as bypassrls, r.rolreplication as replication
        from pg_roles r join up on r.oid = up.oid
        where r.rolsuper or r.rolcreaterole or r.rolcreatedb or r.rolbypassrls or r.rolreplication or left(r.rolname, 3) = 'pg_'
        order by r.rolname`);
      if (powerful.length) throw new ProvisionerError(`dataset "${datasetId}": role ${config.role} carries server-level powers (${describePowers(config.role, powerful)}); give the dataset a role with table privileges only`, true);
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

const POWERS = ['superuser', 'createrole', 'createdb', 'bypassrls', 'replication'] as const;

/** "SUPERUSER", or "member of pg_execute_server_program", for each role that carries a power. */
function describePowers(role: string, rows: Array<Record<string, unknown>>): string {
  return rows
    .map((r) => {
      const attrs = POWERS.filter((p) => r[p]).map((p) => p.toUpperCase());
      const what = attrs.length ? attrs.join(', ') : 'a predefined role';
      return r.name === role ? what : `member of ${String(r.name)}${attrs.length ? ` (${what})` : ''}`;
    })
    .join('; ');
}
