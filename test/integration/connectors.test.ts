import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { buildConnectors, checkConnectors } from '../../src/provisioners/registry.js';
import { createLogger } from '../../src/shared/logger.js';
import { testConfig } from '../helpers/bot.js';
import { testCatalog } from '../helpers/catalog.js';
import { createTestDatabase } from '../helpers/db.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { Warehouse } from '../helpers/warehouse.js';

/** What `npm run catalog:check` relies on: each connector is tested without granting anything. */
const warehouse = Warehouse.fromEnv();
let hook: Server;
let hookUrl = '';
const pings: string[] = [];

beforeAll(async () => {
  await warehouse.setUp();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      pings.push(body);
      res.writeHead(req.url === '/broken' ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}`;
});
afterAll(async () => {
  hook?.close();
  await warehouse.tearDown();
});

function catalogWith(role: string, hookPath: string): Catalog {
  const c = testCatalog();
  c.datasets[0]!.provisioner = { type: 'postgres', connection_env: 'WAREHOUSE_URL', role, login_role_template: '{email_local}', email_domains: ['acme.test'] };
  c.datasets[1]!.provisioner = { type: 'webhook', url: `${hookUrl}${hookPath}`, secret_env: 'HOOK_SECRET' };
  c.datasets[2]!.provisioner = { type: 'manual' };
  return c;
}

describe('connector checks', () => {
  it('pass when the role exists and the webhook answers, granting nothing', async () => {
    const connectors = buildConnectors(catalogWith(warehouse.datasetRole, '/ok'), { WAREHOUSE_URL: warehouse.adminUrl, HOOK_SECRET: 's' }, createLogger('silent'));
    expect(await checkConnectors(connectors)).toEqual([]);
    await connectors.close();
    expect(JSON.parse(pings.at(-1)!)).toEqual({ event: 'ping', dataset: 'campaign-metrics' });
  });

  it('name the dataset for an unknown role, an unreachable warehouse and a failing webhook', async () => {
    const unknownRole = buildConnectors(catalogWith('no_such_role_xyz', '/broken'), { WAREHOUSE_URL: warehouse.adminUrl, HOOK_SECRET: 's' }, createLogger('silent'));
    expect(await checkConnectors(unknownRole)).toEqual([
      'dataset "crm-contacts": role no_such_role_xyz does not exist in the warehouse (WAREHOUSE_URL)',
      'dataset "campaign-metrics": webhook answered HTTP 503',
    ]);
    await unknownRole.close();

    const down = buildConnectors(catalogWith(warehouse.datasetRole, '/ok'), { WAREHOUSE_URL: 'postgres://nobody:secretpw@127.0.0.1:1/x', HOOK_SECRET: 's' }, createLogger('silent'));
    const problems = await checkConnectors(down);
    await down.close();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^dataset "crm-contacts": cannot reach the warehouse/);
    expect(problems[0]).not.toContain('secretpw');
  });
});

describe('dataset roles with server-level powers', () => {
  it('are refused, directly or through roles they belong to, naming the power', async () => {
    const p = warehouse.prefix;
    await warehouse.createRole(`${p}_runs_programs`);
    await warehouse.grantRole('pg_execute_server_program', `${p}_runs_programs`);
    await warehouse.createRole(`${p}_makes_roles`, 'nologin createrole');
    await warehouse.createRole(`${p}_super`, 'nologin superuser');
    await warehouse.createRole(`${p}_via_super`); // harmless itself, but may SET ROLE to a superuser
    await warehouse.grantRole(`${p}_super`, `${p}_via_super`);
    await warehouse.createRole(`${p}_skips_rls`, 'nologin bypassrls');
    const problems = async (role: string) => {
      const connectors = buildConnectors(catalogWith(role, '/ok'), { WAREHOUSE_URL: warehouse.adminUrl, HOOK_SECRET: 's' }, createLogger('silent'));
      try {
        return await checkConnectors(connectors);
      } finally {
        await connectors.close();
      }
    };
    expect(await problems(`${p}_runs_programs`)).toEqual([
      `dataset "crm-contacts": role ${p}_runs_programs carries server-level powers (member of pg_execute_server_program); give the dataset a role with table privileges only`,
    ]);
    expect(await problems(`${p}_makes_roles`)).toEqual([expect.stringContaining(`role ${p}_makes_roles carries server-level powers (CREATEROLE)`)]);
    expect(await problems(`${p}_via_super`)).toEqual([expect.stringContaining(`(member of ${p}_super (SUPERUSER))`)]);
    expect(await problems(`${p}_skips_rls`)).toEqual([expect.stringContaining('(BYPASSRLS)')]);
    expect(await problems(warehouse.datasetRole)).toEqual([]);

    // and the bot does not start with one
    const slack = await new FakeSlack().start();
    const database = await createTestDatabase();
    try {
      const start = startBot(testConfig(slack), {
        database,
        catalog: catalogWith(`${p}_runs_programs`, '/ok'),
        env: { WAREHOUSE_URL: warehouse.adminUrl, HOOK_SECRET: 's' },
        logger: createLogger('silent'),
      });
      await expect(start).rejects.toThrow(/dataset "crm-contacts": role \S+_runs_programs carries server-level powers/);
    } finally {
      await database.destroy();
      await slack.stop();
    }
  });
});

describe('start-up and the catalog:check command', () => {
  it('start-up stops with a line naming the dataset when a connector cannot work', async () => {
    const slack = await new FakeSlack().start();
    const database = await createTestDatabase();
    try {
      const start = (env: NodeJS.ProcessEnv) =>
        startBot(testConfig(slack), { database, catalog: catalogWith('no_such_role_xyz', '/ok'), env, logger: createLogger('silent') });
      await expect(start({})).rejects.toThrow(/dataset "crm-contacts": environment variable WAREHOUSE_URL is not set/);
      await expect(start({ WAREHOUSE_URL: warehouse.adminUrl, HOOK_SECRET: 's' })).rejects.toThrow(
        /dataset "crm-contacts": role no_such_role_xyz does not exist in the warehouse/,
      );
    } finally {
      await database.destroy();
      await slack.stop();
    }
  });

  it('npm run catalog:check reports problems with exit 1, and passes a good catalog', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    const yaml = (role: string) => `admins: [U0ADMIN1]
datasets:
  - id: crm-contacts
    name: CRM contacts
    sensitivity: restricted
    owners: [U0OWNER1]
    max_duration: 30d
    default_duration: 7d
    provisioner: { type: postgres, connection_env: WAREHOUSE_URL, role: ${role}, email_domains: [acme.test] }
`;
    const run = (file: string) => catalogCheck(file, { WAREHOUSE_URL: warehouse.adminUrl });
    await writeFile(join(dir, 'bad.yml'), yaml('no_such_role_xyz'));
    await writeFile(join(dir, 'good.yml'), yaml(warehouse.datasetRole));
    const bad = await run(join(dir, 'bad.yml'));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('role no_such_role_xyz does not exist');
    const good = await run(join(dir, 'good.yml'));
    expect(good.out).toContain('all connectors answered');
    expect(good.code).toBe(0);
  });
});

function catalogCheck(file: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile('npx', ['tsx', 'src/cli/catalog-check.ts', file], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe('catalog:check and warehouse logins', () => {
  it('reports a login two Slack users would share, until people: names one of them', async () => {
    const slack = await new FakeSlack().start();
    slack.users.set('U0OWNER1', { email: 'olaf@acme.test' });
    slack.users.set('U0OBRIEN1', { email: "o'brien@acme.test" });
    slack.users.set('U0OBRIEN2', { email: 'o.brien@acme.test' });
    slack.users.set('U0MIA', { email: 'mia@partner.example' }); // another domain: no login from it, so no collision
    slack.users.set('U0MIA2', { email: 'mia@acme.test' });
    slack.users.set('U0ADMIN2', { email: 'ada@acme.test' }); // a second approver, so an owner's own request can be decided
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    const yaml = (people: string) => `admins: [U0OWNER1, U0ADMIN2]
${people}datasets:
  - id: crm-contacts
    name: CRM contacts
    sensitivity: restricted
    owners: [U0OWNER1]
    provisioner: { type: postgres, connection_env: WAREHOUSE_URL, role: ${warehouse.datasetRole}, email_domains: [acme.test] }
`;
    await writeFile(join(dir, 'shared.yml'), yaml(''));
    await writeFile(join(dir, 'fixed.yml'), yaml('people:\n  U0OBRIEN2: { postgres_role: obrien2 }\n'));
    const env = { WAREHOUSE_URL: warehouse.adminUrl, SLACK_BOT_TOKEN: 'xoxb-fake', SLACK_API_URL: slack.apiUrl };
    try {
      const shared = await catalogCheck(join(dir, 'shared.yml'), env);
      expect(shared.out).toContain('dataset "crm-contacts": warehouse login o_brien would be shared by U0OBRIEN1, U0OBRIEN2; name each person\'s login under people:');
      expect(shared.out).not.toContain('login mia');
      expect(shared.code).toBe(1);
      const fixed = await catalogCheck(join(dir, 'fixed.yml'), env);
      expect(fixed.out).toContain('all connectors answered');
      expect(fixed.code).toBe(0);
    } finally {
      await slack.stop();
    }
  });
});
