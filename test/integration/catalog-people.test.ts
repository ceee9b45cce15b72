import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot.js';
import { createLogger } from '../../src/shared/logger.js';
import { testConfig } from '../helpers/bot.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { FakeSlack } from '../helpers/fake-slack.js';

/**
 * The catalog's people are checked with Slack at start-up and by `npm run catalog:check`, and
 * both classify what they find the same way: an unknown user id is an error, an unknown email a
 * warning (the address is skipped).
 */
let slack: FakeSlack;
let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  slack.users.set('U0ADMIN1', { email: 'admin@acme.test' });
  slack.users.set('U0OWNER1', { email: 'olaf@acme.test' });
  database = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'catalog-people-'));
});
afterAll(async () => {
  await database?.destroy();
  await slack?.stop();
});

const catalogWith = (owners: string, admins = '[U0ADMIN1]') => `admins: ${admins}
datasets:
  - id: crm-contacts
    name: CRM contacts
    sensitivity: internal
    owners: ${owners}
`;

async function write(name: string, text: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

function catalogCheck(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'src/cli/catalog-check.ts', file],
      { env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-fake', SLACK_API_URL: slack.apiUrl, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

async function startUp(file: string, warnings: string[] = []) {
  const logger = createLogger('warn', { write: (line: string) => void warnings.push(String(JSON.parse(line).msg)) });
  return startBot(testConfig(slack, { catalogPath: file }), { database, env: {}, logger });
}

describe('connector checks, classified alike', () => {
  it('an unreachable warehouse is a warning in both: the bot starts, and catalog:check passes and says so', async () => {
    const file = await write(
      'unreachable.yml',
      catalogWith('[U0OWNER1]') + '    provisioner: { type: postgres, connection_env: WAREHOUSE_URL, role: crm_read, email_domains: [acme.test] }\n',
    );
    const warehouse = 'postgres://nobody@127.0.0.1:1/x';
    const warnings: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void warnings.push(String(JSON.parse(line).msg)) });
    const bot = await startBot(testConfig(slack, { catalogPath: file }), { database, env: { WAREHOUSE_URL: warehouse }, logger });
    await bot.stop();
    expect(warnings.some((w) => w.includes('dataset "crm-contacts": cannot reach the warehouse'))).toBe(true);
    const checked = await catalogCheck(file, { WAREHOUSE_URL: warehouse });
    expect(checked.out).toMatch(/warning: dataset "crm-contacts": cannot reach the warehouse/);
    expect(checked.code).toBe(0);
  });
});

describe("the catalog's people, checked with Slack", () => {
  it('an owner or admin id Slack does not know stops start-up and fails catalog:check, with the same line', async () => {
    const owner = await write('unknown-owner.yml', catalogWith('[U0OWNER1, U0NOSUCH]'));
    await expect(startUp(owner)).rejects.toThrow('dataset "crm-contacts" owners: no Slack user has the id U0NOSUCH');
    const checked = await catalogCheck(owner);
    expect(checked.code).toBe(1);
    expect(checked.out).toContain('error: dataset "crm-contacts" owners: no Slack user has the id U0NOSUCH');

    const admin = await write('unknown-admin.yml', catalogWith('[U0OWNER1]', '[W0GONE]'));
    await expect(startUp(admin)).rejects.toThrow('admins: no Slack user has the id W0GONE');
    expect((await catalogCheck(admin)).out).toContain('error: admins: no Slack user has the id W0GONE');
  });

  it('an email Slack does not know is a warning in both: the bot starts, and catalog:check passes and says so', async () => {
    const file = await write('unknown-email.yml', catalogWith('[olaf@acme.test, gone@acme.test]'));
    const warnings: string[] = [];
    const bot = await startUp(file, warnings);
    try {
      expect(bot.deps.catalog.datasets[0]!.owners).toEqual(['U0OWNER1']);
      expect(warnings).toContain('Catalog: dataset "crm-contacts" owners: no Slack user has the email gone@acme.test; skipped');
    } finally {
      await bot.stop();
    }
    const checked = await catalogCheck(file);
    expect(checked.out).toContain('warning: dataset "crm-contacts" owners: no Slack user has the email gone@acme.test; skipped');
    expect(checked.out).toContain('no errors, 1 warning');
    expect(checked.code).toBe(0);
  });
});
