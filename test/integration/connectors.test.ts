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
  c.datasets[0]!.provisioner = { type: 'postgres', connection_env: 'WAREHOUSE_URL', role, login_role_template: '{email_local}' };
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
    provisioner: { type: postgres, connection_env: WAREHOUSE_URL, role: ${role} }
`;
    const run = (file: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          'npx',
          ['tsx', 'src/cli/catalog-check.ts', file],
          { env: { PATH: process.env.PATH, WAREHOUSE_URL: warehouse.adminUrl } },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
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
