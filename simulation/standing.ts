/**
 * Standing access, week by week: grant-days per sensitivity tier, and how many people hold
 * confidential or restricted data on an average day. One pure function computes it from held
 * intervals, for the bot's grants (read from the database) and for the keep-forever baseline
 * alike, so both are measured the same way.
 *
 * (The hygiene module of issue #13 computes the same figures for the bot itself; this small,
 * self-contained version is here so the simulation does not depend on it.)
 */
import { inArray } from 'drizzle-orm';
import type { Catalog } from '../src/catalog/catalog.js';
import type { Sensitivity } from '../src/catalog/policy.js';
import type { Db } from '../src/shared/db/client.js';
import { grants } from '../src/shared/db/schema.js';
import type { NeedRecord } from './behaviour.js';
import { TIERS, TIME } from './organisation.js';

/** Someone holding a dataset of a tier from `from` to `to` (ms since the epoch). */
export interface Holding {
  userId: string;
  tier: Sensitivity;
  from: number;
  to: number;
}

export interface WeekStanding {
  week: number;
  grantDays: Record<Sensitivity, number>;
  totalGrantDays: number;
  /** People holding confidential or restricted data on an average day of the week. */
  sensitiveHolders: number;
}

const SENSITIVE: ReadonlySet<Sensitivity> = new Set(['confidential', 'restricted']);

export function weeklyStanding(holdings: Holding[], start: Date, weeks: number): WeekStanding[] {
  const out: WeekStanding[] = [];
  for (let week = 0; week < weeks; week++) {
    const from = start.getTime() + week * TIME.WEEK;
    const to = from + TIME.WEEK;
    const grantDays = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Sensitivity, number>;
    const sensitiveByPerson = new Map<string, Array<[number, number]>>();
    for (const h of holdings) {
      const a = Math.max(h.from, from);
      const b = Math.min(h.to, to);
      if (b <= a) continue;
      grantDays[h.tier] += (b - a) / TIME.DAY;
      if (SENSITIVE.has(h.tier)) sensitiveByPerson.set(h.userId, [...(sensitiveByPerson.get(h.userId) ?? []), [a, b]]);
    }
    // a person holding two sensitive datasets at once counts once: measure the union of their intervals
    let personDays = 0;
    for (const intervals of sensitiveByPerson.values()) personDays += unionLength(intervals) / TIME.DAY;
    out.push({ week: week + 1, grantDays, totalGrantDays: TIERS.reduce((s, t) => s + grantDays[t], 0), sensitiveHolders: personDays / 7 });
  }
  return out;
}

function unionLength(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [curA, curB] = sorted[0]!;
  for (const [a, b] of sorted.slice(1)) {
    if (a > curB) {
      total += curB - curA;
      [curA, curB] = [a, b];
    } else curB = Math.max(curB, b);
  }
  return total + (curB - curA);
}

/**
 * The bot's holdings, from the grants table: from activation (`starts_at`) until the target system
 * no longer had the access (`ended_at`), or to the end of the run for grants still held.
 */
export async function botHoldings(db: Db, catalog: Catalog, end: Date): Promise<Holding[]> {
  const rows = await db
    .select({ userId: grants.userId, datasetId: grants.datasetId, status: grants.status, startsAt: grants.startsAt, endedAt: grants.endedAt })
    .from(grants)
    .where(inArray(grants.status, ['active', 'revoking', 'expired', 'revoked']));
  const tierOf = new Map(catalog.datasets.map((d) => [d.id, d.sensitivity]));
  return rows.map((r) => ({ userId: r.userId, tier: tierOf.get(r.datasetId)!, from: r.startsAt.getTime(), to: (r.endedAt ?? end).getTime() }));
}

/**
 * "Grant once, keep forever": a person gets a dataset at their first need of it (one the owners
 * did not refuse) and keeps it to the end of the run.
 */
export function keepForeverHoldings(records: NeedRecord[], catalog: Catalog, end: Date): Holding[] {
  const tierOf = new Map(catalog.datasets.map((d) => [d.id, d.sensitivity]));
  const first = new Map<string, NeedRecord>();
  for (const r of records) {
    const k = `${r.userId}|${r.datasetId}`;
    const seen = first.get(k);
    if (!r.denied && (!seen || r.start < seen.start)) first.set(k, r);
  }
  return [...first.values()].map((r) => ({ userId: r.userId, tier: tierOf.get(r.datasetId)!, from: r.start.getTime(), to: end.getTime() }));
}
