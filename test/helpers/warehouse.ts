import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import postgres from 'postgres';

/**
 * A throwaway "warehouse" on the test Postgres server: a database with a table, a dataset role
 * that may SELECT from it, and login roles for people. Roles are cluster-wide, so every name
 * carries a random prefix and everything is dropped afterwards.
 */
export class Warehouse {
  readonly prefix = `t${randomBytes(4).toString('hex')}`;
  readonly dbName = `dab_wh_${randomBytes(5).toString('hex')}`;
  readonly datasetRole = `${this.prefix}_contacts_read`;
  private readonly roles: string[] = [];
  private admin!: postgres.Sql;

  constructor(private readonly serverUrl: string) {}

  static fromEnv(): Warehouse {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) {
      throw new Error('The warehouse tests need a Postgres server: set TEST_DATABASE_URL (they create roles and log in as them, which the embedded database cannot do).');
    }
    return new Warehouse(url);
  }

  urlFor(database: string, user?: string, port?: number): string {
    const u = new URL(this.serverUrl);
    u.pathname = `/${database}`;
    if (user) {
      u.username = user;
      u.password = '';
    }
    if (port) u.port = String(port);
    return u.toString();
  }

  get adminUrl(): string {
    return this.urlFor(this.dbName);
  }

  async setUp(): Promise<void> {
    const server = postgres(this.serverUrl, { max: 1, onnotice: () => {} });
    await server.unsafe(`create database "${this.dbName}"`);
    await server.end();
    this.admin = postgres(this.adminUrl, { max: 2, onnotice: () => {} });
    await this.admin.unsafe(`create table contacts (id int primary key, email text not null)`);
    await this.admin.unsafe(`insert into contacts values (1, 'ada@example.test'), (2, 'grace@example.test')`);
    await this.admin.unsafe(`create role "${this.datasetRole}" nologin`);
    this.roles.push(this.datasetRole);
    await this.admin.unsafe(`grant select on contacts to "${this.datasetRole}"`);
  }

  async createLogin(name: string): Promise<void> {
    await this.admin.unsafe(`create role "${name}" login`);
    this.roles.push(name);
  }

  /** Any other role (name prefixed by the test), e.g. `createRole('x_admin', 'nologin createrole')`. */
  async createRole(name: string, attributes = 'nologin'): Promise<void> {
    await this.admin.unsafe(`create role "${name}" ${attributes}`);
    this.roles.push(name);
  }

  /** `grant <role> to <member>`, as the warehouse's own admin (not the bot). */
  async grantRole(role: string, member: string): Promise<void> {
    await this.admin.unsafe(`grant "${role}" to "${member}"`);
  }

  async revokeRole(role: string, member: string): Promise<void> {
    await this.admin.unsafe(`revoke "${role}" from "${member}"`);
  }

  async hasRole(login: string): Promise<boolean> {
    const [row] = await this.admin`select pg_has_role(${login}, ${this.datasetRole}, 'member') as member`;
    return row!.member as boolean;
  }

  /** Logs in as the person and reads the table: the real test of access. */
  async canSelect(login: string): Promise<boolean> {
    const sql = postgres(this.urlFor(this.dbName, login), { max: 1, onnotice: () => {} });
    try {
      const rows = await sql`select count(*)::int as n from contacts`;
      return rows[0]!.n === 2;
    } catch (err) {
      if ((err as { code?: string }).code === '42501') return false; // permission denied
      throw err;
    } finally {
      await sql.end();
    }
  }

  async tearDown(): Promise<void> {
    await this.admin?.end();
    const server = postgres(this.serverUrl, { max: 1, onnotice: () => {} });
    try {
      await server.unsafe(`drop database if exists "${this.dbName}" with (force)`);
      for (const role of this.roles.reverse()) await server.unsafe(`drop role if exists "${role}"`);
    } finally {
      await server.end();
    }
  }
}

/** A TCP proxy in front of the warehouse that the test can take down and bring back. */
export class ToggleProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

/** Real time plus an offset the test moves: jobs and timers run for real, while "now" can jump ahead. */
export class OffsetClock {
  private offset = 0;
  now() {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number) {
    this.offset += ms;
  }
}
