import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { executePrepared, openDatabase, resultRows, type Database, type DbOrTx } from '../../src/shared/db/client.js';
import { twoTripTransaction } from '../../src/shared/db/two-trip-transaction.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * A TCP proxy that counts round trips: how many times the client spoke again after the server had
 * answered. Each time the client waits for an answer before sending more is one.
 */
class TurnCounter {
  private server?: Server;
  private sockets = new Set<Socket>();
  private last: 'client' | 'server' | undefined;
  turns = 0;
  port = 0;

  constructor(private readonly target: URL) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => (client.destroy(), upstream.destroy()));
      }
      client.on('data', (d) => {
        if (this.last !== 'client') this.turns++;
        this.last = 'client';
        upstream.write(d);
      });
      upstream.on('data', (d) => {
        this.last = 'server';
        client.write(d);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Counts from zero, what the client sends next included. */
  reset(): void {
    this.turns = 0;
    this.last = 'server';
  }

  url(): string {
    const u = new URL(this.target);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const notesTable = pgTable('two_trip_notes', { id: serial('id').primaryKey(), note: text('note').notNull() });
// issued at once (executePrepared), as the second step asks
const insertNote = (db: DbOrTx, note: string) => executePrepared(db.insert(notesTable).values({ note }), 'test.insertNote');

/** What a promise failed with, its cause's message included (drizzle wraps the driver's errors). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return `${e.message} | ${e.cause?.message ?? ''}`;
  }
  throw new Error('it did not fail');
}

async function notes(db: DbOrTx): Promise<string[]> {
  return resultRows<{ note: string }>(await db.execute(sql`select note from two_trip_notes order by id`)).map((r) => r.note);
}

describe('a transaction in two round trips, on a Postgres server', () => {
  let owner: TestDatabase;
  let counter: TurnCounter;
  let database: Database;

  beforeAll(async () => {
    owner = await createTestDatabase();
    if (!owner.url) throw new Error('this file needs TEST_DATABASE_URL (a Postgres server)');
    await owner.db.execute(sql`create table two_trip_notes (id serial primary key, note text not null check (note <> 'refused'))`);
    counter = await new TurnCounter(new URL(owner.url)).start();
    // one connection: every transaction below runs on the same one, one after another
    database = await openDatabase({ url: counter.url(), poolSize: 1 });
  });
  afterAll(async () => {
    await database?.close();
    await counter?.stop();
    await owner?.destroy();
  });

  const steps = (tag: string) =>
    [
      (tx: DbOrTx) => Promise.all([insertNote(tx, `${tag} first a`), insertNote(tx, `${tag} first b`)]),
      (tx: DbOrTx, firsts: unknown[]) => Promise.all([insertNote(tx, `${tag} second`), Promise.resolve(firsts.length)]).then(([, n]) => n),
    ] as const;

  it('writes both steps in one transaction in two round trips, where db.transaction takes four', async () => {
    const { db } = database;
    // the statements are prepared on this connection first (a statement's first use waits for its description)
    await twoTripTransaction(db, ...steps('warm-up'));
    await db.execute(sql`delete from two_trip_notes`);

    counter.reset();
    const result = await twoTripTransaction(db, ...steps('two'));
    const twoTrips = counter.turns;

    counter.reset();
    const [first] = steps('four');
    await db.transaction(async (tx) => {
      await first(tx);
      await insertNote(tx, 'four second');
    });
    const fourTrips = counter.turns;

    expect(result).toBe(2);
    expect(twoTrips).toBe(2);
    // the counter tells them apart: BEGIN and COMMIT each wait for an answer of their own there
    expect(fourTrips).toBe(4);
    expect(await notes(owner.db)).toEqual(['two first a', 'two first b', 'two second', 'four first a', 'four first b', 'four second']);
  });

  it('keeps nothing when a statement of the second step fails, throws its error, and the connection serves the next one', async () => {
    const { db } = database;
    await db.execute(sql`delete from two_trip_notes`);
    const failing = twoTripTransaction(db, (tx) => insertNote(tx, 'kept?'), (tx) => Promise.all([insertNote(tx, 'before'), insertNote(tx, 'refused'), insertNote(tx, 'after')]));
    expect(await failure(failing)).toMatch(/two_trip_notes_note_check/);
    expect(await notes(owner.db)).toEqual([]);
    // the one connection was given back, out of the transaction
    await twoTripTransaction(db, ...steps('next'));
    expect(await notes(owner.db)).toEqual(['next first a', 'next first b', 'next second']);
  });

  it('keeps nothing when the first step fails, and never runs the second', async () => {
    const { db } = database;
    await db.execute(sql`delete from two_trip_notes`);
    let secondRan = false;
    const failing = twoTripTransaction(
      db,
      (tx) => Promise.all([insertNote(tx, 'first'), insertNote(tx, 'refused')]),
      async (tx) => {
        secondRan = true;
        await insertNote(tx, 'second');
      },
    );
    expect(await failure(failing)).toMatch(/two_trip_notes_note_check/);
    expect(secondRan).toBe(false);
    expect(await notes(owner.db)).toEqual([]);
  });

  it('refuses, and never runs, a statement the second step issues after awaiting something (COMMIT was sent)', async () => {
    const { db } = database;
    await db.execute(sql`delete from two_trip_notes`);
    const late = twoTripTransaction(
      db,
      (tx) => insertNote(tx, 'first'),
      async (tx) => {
        await insertNote(tx, 'second');
        await insertNote(tx, 'late');
      },
    );
    expect(await failure(late)).toMatch(/issued after COMMIT/);
    expect(await notes(owner.db)).toEqual(['first', 'second']);
  });

  it('refuses a statement that is only awaited (a builder issues its statement a step later), before COMMIT runs it alone', async () => {
    const { db } = database;
    await db.execute(sql`delete from two_trip_notes`);
    const awaitedBuilder = twoTripTransaction(
      db,
      (tx) => insertNote(tx, 'first'),
      async (tx) => {
        await tx.execute(sql`insert into two_trip_notes (note) values ('awaited')`);
      },
    );
    expect(await failure(awaitedBuilder)).toMatch(/issued after COMMIT/);
    expect(await notes(owner.db)).toEqual(['first']);
  });
});

describe('a transaction in two round trips, on PGlite', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await database.migrate();
    await database.db.execute(sql`create table two_trip_notes (id serial primary key, note text not null check (note <> 'refused'))`);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('runs both steps as an ordinary transaction: all of it, or none of it when a statement fails', async () => {
    const { db } = database;
    const result = await twoTripTransaction(
      db,
      (tx) => insertNote(tx, 'first'),
      async (tx) => {
        await insertNote(tx, 'second');
        return 'done';
      },
    );
    expect(result).toBe('done');
    await expect(twoTripTransaction(db, (tx) => insertNote(tx, 'kept?'), (tx) => insertNote(tx, 'refused'))).rejects.toThrow();
    expect(await notes(db)).toEqual(['first', 'second']);
  });
});
