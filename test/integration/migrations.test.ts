import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { openDatabase } from '../../src/shared/db/client.js';
import { MIGRATIONS_FOLDER, migratePostgres } from '../../src/shared/db/migrate.js';
import { createTestDatabase } from '../helpers/db.js';

const TABLES = [
  'access_requests',
  'audit_chain_head',
  'audit_events',
  'grants',
  'outbox',
  'policy_acknowledgements',
  'provisioning_tasks',
  'request_approvals',
  'request_approvers',
  'request_drafts',
  'review_campaigns',
  'review_items',
  'review_messages',
  'scheduled_job_failures',
  'sensitive_data_nudges',
];

async function tableNames(db: Awaited<ReturnType<typeof openDatabase>>['db']): Promise<string[]> {
  const result: any = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
  const rows: Array<{ table_name: string }> = Array.isArray(result) ? result : result.rows;
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  it('apply to the embedded PGlite, twice without harm', async () => {
    const db = await openDatabase({ memory: true });
    await db.migrate();
    await db.migrate();
    expect(await tableNames(db.db)).toEqual(TABLES);
    await db.close();
  });

  it('on a server, find a database that drizzle\'s own migrator brought up to date (an earlier release) up to date, and apply nothing again', async () => {
    const serverUrl = process.env.TEST_DATABASE_URL!;
    const name = `dab_test_${randomBytes(6).toString('hex')}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      const recorded = async () => (await client`select hash, created_at from drizzle.__drizzle_migrations order by id`).map((r) => `${r.hash}@${r.created_at}`);
      const before = await recorded();
      expect(before.length).toBeGreaterThan(0);
      await migratePostgres(url.toString());
      await migratePostgres(url.toString(), { preparedStatements: false });
      expect(await recorded()).toEqual(before);
    } finally {
      await client.end();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });

  it('apply to a real Postgres server (TEST_DATABASE_URL, or the one the tests start when unset)', async () => {
    const db = await createTestDatabase();
    expect(db.kind).toBe('postgres');
    await db.migrate(); // already applied once by the helper: idempotent
    expect(await tableNames(db.db)).toEqual(TABLES);
    await db.destroy();
  });
});
