import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/modules/audit/audit.repository.js';
import { insertNewRequests } from '../../src/modules/requests/requests.repository.js';
import { openDatabase, resultRows, type Database } from '../../src/shared/db/client.js';
import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { storeNewRequest } from '../../src/modules/requests/request-batches.usecases.js';
import { outboxMessage } from '../../src/modules/notifications/messages/messages.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.usecases.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';

// DATABASE_POOL_SIZE and DATABASE_PREPARED_STATEMENTS, on a Postgres server
describe('a server database opened with its pool settings', () => {
  let server: TestDatabase;
  const opened: Database[] = [];
  beforeAll(async () => {
    server = await createTestDatabase();
  });
  afterAll(async () => {
    for (const d of opened) await d.close();
    await server?.destroy();
  });
  const open = async (poolSize: number, preparedStatements: boolean) => {
    const database = await openDatabase({ url: server.url!, poolSize, preparedStatements });
    opened.push(database);
    return database;
  };

  // the statements every request batch and audited transaction runs as prepared ones (executePrepared)
  const storeOne = async ({ db }: Database, who: string) => {
    const [row] = await insertNewRequests(db, [{ id: randomUUID(), requesterId: who, datasetId: 'campaign-metrics', durationMinutes: 60, createdAt: new Date() }]);
    await appendAudit(db, { at: new Date(), actorId: who, action: 'request.created', subjectType: 'request', subjectId: row!.id });
    return row!;
  };
  const preparedOnItsConnection = async ({ db }: Database) => resultRows<{ n: number }>(await db.execute(sql`select count(*)::int as n from pg_prepared_statements`))[0]!.n;

  it('prepares no statement with prepared statements off (a transaction-mode pooler), and stores all the same', async () => {
    // one connection each: pg_prepared_statements is that connection's own
    const off = await open(1, false);
    const stored = await storeOne(off, 'U0POOLOFF');
    expect(stored.requesterId).toBe('U0POOLOFF');
    expect(await preparedOnItsConnection(off)).toBe(0);
    // the same statements with them on are prepared: what the setting turns off
    const on = await open(1, true);
    await storeOne(on, 'U0POOLON');
    expect(await preparedOnItsConnection(on)).toBeGreaterThan(0);
  });

  it('keeps at most its pool size of connections, however many statements wait', async () => {
    const two = await open(2, true);
    const pids = await Promise.all(
      Array.from({ length: 6 }, async () => resultRows<{ pid: number }>(await two.db.execute(sql`select pg_backend_pid() as pid, pg_sleep(0.05)`))[0]!.pid),
    );
    expect(new Set(pids).size).toBe(2);
  });
});

// DATABASE_PREPARED_STATEMENTS=off behind PgBouncer in transaction mode (Debian's 1.18 keeps no
// prepared statements): a transaction-mode pool hands each transaction whichever server connection
describe('behind a transaction-mode pooler (PgBouncer), with prepared statements off', () => {
  let bouncer: PgBouncer;
  const name = `dab_test_pgbouncer_${randomBytes(4).toString('hex')}`;
  const serverUrl = process.env.TEST_DATABASE_URL!;
  beforeAll(async () => {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database "${name}"`);
    } finally {
      await admin.end();
    }
    bouncer = await startPgBouncer(serverUrl);
  });
  afterAll(async () => {
    await bouncer?.stop();
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.end();
    }
  });

  it('migrates (twice, two processes at once), stores requests in batches with their messages and audit events, and the chain verifies', async () => {
    const opened = await Promise.all([0, 1].map(() => openDatabase({ url: bouncer.url(name), poolSize: 4, preparedStatements: false })));
    try {
      // two processes starting together on an empty database: one migrates, the other waits and finds it done
      await Promise.all(opened.map((d) => d.migrate()));
      await opened[0]!.migrate();
      const { db } = opened[0]!;
      const at = new Date();
      const writes = Array.from({ length: 30 }, (_, i) => {
        const id = randomUUID();
        return storeNewRequest(db, {
          row: { id, requesterId: `U0BOUNCE${i}`, datasetId: 'campaign-metrics', durationMinutes: 60, createdAt: at, approvalsRequired: 1 },
          approverIds: ['U0OWNER'],
          messages: [outboxMessage('approval_request', { requestId: id, approverId: 'U0OWNER' })],
          audit: { at, actorId: `U0BOUNCE${i}`, action: 'request.created', subjectType: 'request', subjectId: id },
        });
      });
      const stored = await Promise.all(writes);
      expect(stored.every((s) => s.outboxIds.length === 1)).toBe(true);
      expect(new Set(stored.flatMap((s) => s.outboxIds)).size).toBe(30);
      const counts = resultRows<{ requests: number; events: number }>(
        await opened[1]!.db.execute(sql`select (select count(*)::int from access_requests) as requests, (select count(*)::int from audit_events) as events`),
      )[0]!;
      expect(counts).toEqual({ requests: 30, events: 30 });
      const chain = await verifyAuditChain(opened[1]!.db);
      expect(chain).toMatchObject({ ok: true, checked: 30 });
    } finally {
      for (const d of opened) await d.close();
    }
  });
});
