import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/shared/db/client.js';
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

  it('apply to a real Postgres server (TEST_DATABASE_URL, or the one the tests start when unset)', async () => {
    const db = await createTestDatabase();
    expect(db.kind).toBe('postgres');
    await db.migrate(); // already applied once by the helper: idempotent
    expect(await tableNames(db.db)).toEqual(TABLES);
    await db.destroy();
  });
});
