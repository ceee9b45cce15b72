import type { Sql } from 'postgres';
import { PostgresJsSession, PostgresJsTransaction } from 'drizzle-orm/postgres-js/session';
import type { Db, Tx } from './client.js';

/**
 * A transaction in two round trips on a server database: BEGIN goes out with the first step's
 * statements and COMMIT with the second step's, where `db.transaction` waits for BEGIN and for
 * COMMIT in round trips of their own (four in all). On a busy process every round trip also
 * waits for the event loop to come back to the database's answer, so this halves the time a
 * transaction holds its locks and keeps whoever waits behind it waiting.
 *
 * `second` must issue every one of its statements before it awaits anything, since COMMIT is
 * sent right after it is called: through executePrepared or a builder's `.execute()`, which issue
 * the statement at once (a builder that is only awaited issues it a step later). A statement
 * issued after COMMIT is refused (its promise rejects), never run on its own. `first` has no such rule.
 *
 * If a statement of the second step fails, the server turns the COMMIT into a rollback; the
 * step's error is thrown. PGlite (one connection, no pipelining) runs both steps in an ordinary
 * transaction.
 */
export async function twoTripTransaction<A, B>(db: Db, first: (tx: Tx) => Promise<A>, second: (tx: Tx, a: A) => Promise<B>): Promise<B> {
  const client = (db as unknown as { $client?: Partial<Sql> }).$client;
  if (typeof client?.reserve !== 'function') return db.transaction(async (tx) => second(tx, await first(tx)));

  const conn = await client.reserve();
  let committed = false;
  // every statement goes out in the order it was issued: postgres-js sends a query only when it is
  // awaited (drizzle awaits one or two steps after it issues it), so each is set off at once here
  const send = (text: string, params?: unknown[], options?: object) => {
    if (committed) throw new Error('a statement was issued after COMMIT was sent; it was not run (see twoTripTransaction)');
    return conn.unsafe(text, params as never, options as never).execute();
  };
  const tx = transactionOn(db, { unsafe: send });
  try {
    const begin = send('begin');
    const [begun, firstDone] = await Promise.allSettled([begin, first(tx)]);
    if (begun.status === 'rejected') throw begun.reason;
    if (firstDone.status === 'rejected') throw firstDone.reason;
    const secondDone = second(tx, firstDone.value);
    const commit = send('commit');
    committed = true;
    const [done, ended] = await Promise.allSettled([secondDone, commit]);
    if (done.status === 'rejected') throw done.reason;
    if (ended.status === 'rejected') throw ended.reason;
    // a transaction a statement aborted answers COMMIT with ROLLBACK, not with an error
    if ((ended.value as { command?: string }).command !== 'COMMIT') throw new Error(`the transaction was not committed (${(ended.value as { command?: string }).command})`);
    return done.value;
  } catch (err) {
    // ends the transaction whatever state it is in (a warning only if it had ended); the
    // connection goes back to the pool either way
    if (!committed) await conn.unsafe('rollback').catch(() => {});
    throw err;
  } finally {
    conn.release();
  }
}

/** drizzle's transaction object over a reserved connection, as drizzle builds one in `db.transaction`. */
function transactionOn(db: Db, client: { unsafe: (...args: never[]) => unknown }): Tx {
  const { dialect, session } = db as unknown as { dialect: never; session: { schema: never; options: never } };
  const txSession = new PostgresJsSession(client as never, dialect, session.schema, session.options);
  return new PostgresJsTransaction(dialect, txSession, session.schema) as unknown as Tx;
}
