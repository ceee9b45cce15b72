import { and, asc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../shared/db/client.js';
import type { Grant } from './grants.repository.js';
import { grants } from './grants.table.js';

// The reconciler's reads and marks over many grants, each a bounded page.

/**
 * One page of active grants' ends (of those ending by `endsBy`, when given), in id order after
 * `afterId` (keyset on the primary key, so a page costs the same wherever it starts): the
 * reconciler walks the active grants this way.
 */
export async function listActiveEndsPage(db: DbOrTx, endsBy: Date | undefined, afterId: string | undefined, limit: number): Promise<Array<{ id: string; endsAt: Date }>> {
  return db
    .select({ id: grants.id, endsAt: grants.endsAt })
    .from(grants)
    .where(and(eq(grants.status, 'active'), endsBy ? lte(grants.endsAt, endsBy) : undefined, afterId ? gt(grants.id, afterId) : undefined))
    .orderBy(asc(grants.id))
    .limit(limit);
}

/** A page, in id order after `afterId`, of revoking grants whose next attempt (after retries ran out) is due. */
export async function listRevokesDue(db: DbOrTx, now: Date, afterId: string | undefined, limit: number): Promise<Grant[]> {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.status, 'revoking'), or(isNull(grants.nextAttemptAt), lte(grants.nextAttemptAt, now)), afterId ? gt(grants.id, afterId) : undefined))
    .orderBy(asc(grants.id))
    .limit(limit);
}

export type ReminderLead = '24h' | '1h';

/**
 * A page of active grants whose expiry reminder is due and not yet sent for their current end,
 * soonest first after `after`: the 1-hour one when an hour or less is left of a grant longer than
 * an hour, else the 24-hour one when a day or less (but more than an hour) is left of a grant
 * longer than a day. Grants already reminded are not read (the range index finds the day's ends).
 */
export async function listRemindersDue(db: DbOrTx, now: Date, after: { endsAt: Date; id: string } | undefined, limit: number): Promise<Array<{ id: string; endsAt: Date; lead: ReminderLead }>> {
  const hour = new Date(now.getTime() + 3600_000);
  const day = new Date(now.getTime() + 24 * 3600_000);
  const rows = await db
    .select({ id: grants.id, endsAt: grants.endsAt, oneHour: sql<boolean>`${grants.endsAt} <= ${hour.toISOString()}::timestamptz` })
    .from(grants)
    .where(
      and(
        eq(grants.status, 'active'),
        gt(grants.endsAt, now),
        lte(grants.endsAt, day),
        after ? sql`(${grants.endsAt}, ${grants.id}) > (${after.endsAt.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
        sql`(
          (${grants.endsAt} <= ${hour.toISOString()}::timestamptz and ${grants.endsAt} - ${grants.startsAt} > interval '1 hour' and ${grants.reminded1hFor} is distinct from ${grants.endsAt})
          or (${grants.endsAt} > ${hour.toISOString()}::timestamptz and ${grants.endsAt} - ${grants.startsAt} > interval '24 hours' and ${grants.reminded24hFor} is distinct from ${grants.endsAt}))`,
      ),
    )
    .orderBy(asc(grants.endsAt), asc(grants.id))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, endsAt: r.endsAt, lead: r.oneHour ? '1h' : '24h' }));
}

/**
 * Records that these grants' reminders are sent for the end they were listed with (the 1-hour one
 * stands for the 24-hour one too), those still active with that end: a grant extended meanwhile is
 * left for its new end's reminders. Returns the ones it marked, with their lead.
 */
export async function markRemindedMany(
  db: DbOrTx,
  due: Array<{ id: string; endsAt: Date; lead: ReminderLead }>,
): Promise<Array<{ id: string; lead: ReminderLead }>> {
  const mark = async (lead: ReminderLead) => {
    const list = due.filter((d) => d.lead === lead);
    if (list.length === 0) return [];
    const pairs = JSON.stringify(list.map((d) => ({ id: d.id, ends_at: d.endsAt.toISOString() })));
    const listed = sql`(${grants.id}, ${grants.endsAt}) in (select p.id, p.ends_at from jsonb_to_recordset(${pairs}::jsonb) as p(id uuid, ends_at timestamptz))`;
    const rows = await db
      .update(grants)
      .set(lead === '1h' ? { reminded1hFor: sql`${grants.endsAt}`, reminded24hFor: sql`${grants.endsAt}` } : { reminded24hFor: sql`${grants.endsAt}` })
      .where(and(listed, eq(grants.status, 'active')))
      .returning({ id: grants.id });
    return rows.map((r) => ({ id: r.id, lead }));
  };
  const [oneHour, oneDay] = await Promise.all([mark('1h'), mark('24h')]);
  return [...oneHour, ...oneDay];
}
