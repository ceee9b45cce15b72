/**
 * Hygiene figures: pure maths over rows read from the database (figures.repository.ts). Every
 * figure is defined here once, in words and in code; the README's "Hygiene figures" repeats the
 * definitions. A period is half-open, [since, until), and nothing after `asOf` (now) is counted.
 */
import { SENSITIVITIES, type Sensitivity } from '../../catalog/policy.js';

const DAY_MS = 24 * 3600_000;
const HOUR_MS = 3600_000;

/** A grant that was (or is) held: it became active; a grant that never did (failed, still provisioning) is not read. */
export interface HeldGrantRow {
  id: string;
  datasetId: string;
  userId: string;
  /** When the target system had the access (the clock started). */
  startsAt: Date;
  /** When the target system no longer had it; null while it is held (active, or being removed). */
  endedAt: Date | null;
  /** expired | released | revoked, once it started ending. */
  endReason: string | null;
  /** Extensions it received, with or without approval (`grant.extended` audit events). */
  extensions: number;
}

/** A request decided by a person (approved or denied; not auto-approved, cancelled or expired). */
export interface DecidedRequestRow {
  datasetId: string;
  createdAt: Date;
  decidedAt: Date;
}

/** An item of an access review whose deadline fell in the period. */
export interface ReviewItemRow {
  datasetId: string;
  deadline: Date;
  decidedAt: Date | null;
  /** Decided by the dataset's policy at the deadline, not by a reviewer. */
  automatic: boolean;
}

/** A coaching: sensitive data seen in Slack and its poster coached privately (a finding only recorded is not one). */
export interface CoachingRow {
  fixedAt: Date | null;
}

export interface Percentiles {
  median: number | null;
  p90: number | null;
}

/** The figures of one scope (everything, a tier, a dataset) over one period. */
export interface Figures {
  /** Σ over grants of the overlap of [startsAt, endedAt ?? asOf) with the period, in days. */
  grantDays: number;
  /**
   * People holding data on an average day: for each person, the length of the union of their
   * grants' held intervals within the period (two grants at once count once), summed over people,
   * divided by the period's length in days.
   */
  peopleOnAverageDay: number;
  /** Grants held at some moment of the period. */
  grantsHeld: number;
  /** Grants whose access ended (endedAt) in the period: the figures below about grant outcomes are over these. */
  grantsEnded: number;
  /** Length of the grants ended in the period, endedAt − startsAt, in days. */
  grantLengthDays: Percentiles;
  /** Share of ended grants that their holder released (end reason `released`: given back before their end). */
  releasedEarly: number | null;
  /** Share of ended grants that ran to their end (end reason `expired`). */
  endedByExpiry: number | null;
  /** Share of ended grants taken away by an owner, an admin or an access review (end reason `revoked`). */
  endedByRevoke: number | null;
  /** Extensions received by the ended grants, divided by their number. */
  extensionsPerGrant: number | null;
  /** Requests (access and extension) decided by a person in the period. */
  decisions: number;
  /** Their time to decision, decidedAt − createdAt, in hours. */
  decisionHours: Percentiles;
  /** Items of the access reviews whose deadline fell in the period. */
  reviewItems: number;
  /** Share of those items decided by a reviewer by the deadline (not left to the policy). */
  reviewOnTime: number | null;
}

export interface Period {
  since: Date;
  until: Date;
  /** Now: a grant still held counts up to here, never beyond. */
  asOf: Date;
}

/**
 * The p-th percentile (0 ≤ p ≤ 1) by linear interpolation between the closest ranks: rank
 * h = (n − 1)·p over the sorted values (as Postgres' percentile_cont). Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function percentiles(values: readonly number[]): Percentiles {
  return { median: percentile(values, 0.5), p90: percentile(values, 0.9) };
}

/** The held interval of a grant clipped to the period, in ms (start, end), or undefined when they do not meet. */
function clipped(g: Pick<HeldGrantRow, 'startsAt' | 'endedAt'>, period: Period): [number, number] | undefined {
  const end = Math.min((g.endedAt ?? period.asOf).getTime(), period.until.getTime(), period.asOf.getTime());
  const start = Math.max(g.startsAt.getTime(), period.since.getTime());
  return end > start ? [start, end] : undefined;
}

/** Overlap of a grant's held interval [startsAt, endedAt ?? asOf) with the period, in days. */
export function grantDaysIn(g: Pick<HeldGrantRow, 'startsAt' | 'endedAt'>, period: Period): number {
  const c = clipped(g, period);
  return c ? (c[1] - c[0]) / DAY_MS : 0;
}

/** Length of the union of intervals, in ms. */
function unionMs(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [s, e] of sorted) {
    if (current && s <= current[1]) current[1] = Math.max(current[1], e);
    else {
      if (current) total += current[1] - current[0];
      current = [s, e];
    }
  }
  return total + (current ? current[1] - current[0] : 0);
}

/** Person-days within the period (union per person) divided by the period's days. */
export function peopleOnAverageDay(grants: ReadonlyArray<Pick<HeldGrantRow, 'userId' | 'startsAt' | 'endedAt'>>, period: Period): number {
  const days = periodDays(period);
  if (days <= 0) return 0;
  const byPerson = new Map<string, Array<[number, number]>>();
  for (const g of grants) {
    const c = clipped(g, period);
    if (c) byPerson.set(g.userId, [...(byPerson.get(g.userId) ?? []), c]);
  }
  let personMs = 0;
  for (const intervals of byPerson.values()) personMs += unionMs(intervals);
  return personMs / DAY_MS / days;
}

/** The period's length in days; a period reaching past now is counted up to now. */
export function periodDays(period: Period): number {
  return Math.max(0, Math.min(period.until.getTime(), period.asOf.getTime()) - period.since.getTime()) / DAY_MS;
}

const share = (n: number, of: number) => (of === 0 ? null : n / of);
const inPeriod = (d: Date | null, period: Period) => !!d && d >= period.since && d < period.until;

/** Every figure of one scope; the rows are those of that scope (already filtered by dataset or tier). */
export function computeFigures(rows: { grants: readonly HeldGrantRow[]; requests: readonly DecidedRequestRow[]; reviewItems: readonly ReviewItemRow[] }, period: Period): Figures {
  const held = rows.grants.filter((g) => clipped(g, period));
  const ended = rows.grants.filter((g) => inPeriod(g.endedAt, period));
  const count = (reason: string) => ended.filter((g) => g.endReason === reason).length;
  const onTime = rows.reviewItems.filter((i) => !i.automatic && i.decidedAt && i.decidedAt <= i.deadline).length;
  return {
    grantDays: held.reduce((sum, g) => sum + grantDaysIn(g, period), 0),
    peopleOnAverageDay: peopleOnAverageDay(held, period),
    grantsHeld: held.length,
    grantsEnded: ended.length,
    grantLengthDays: percentiles(ended.map((g) => (g.endedAt!.getTime() - g.startsAt.getTime()) / DAY_MS)),
    releasedEarly: share(count('released'), ended.length),
    endedByExpiry: share(count('expired'), ended.length),
    endedByRevoke: share(count('revoked'), ended.length),
    extensionsPerGrant: share(
      ended.reduce((sum, g) => sum + g.extensions, 0),
      ended.length,
    ),
    decisions: rows.requests.length,
    decisionHours: percentiles(rows.requests.map((r) => (r.decidedAt.getTime() - r.createdAt.getTime()) / HOUR_MS)),
    reviewItems: rows.reviewItems.length,
    reviewOnTime: share(onTime, rows.reviewItems.length),
  };
}

/** Standing grant-days of each tier in one week (a 7-day period). */
export interface StandingWeekFigures {
  since: Date;
  until: Date;
  byTier: Record<Sensitivity, number>;
}

/** `weeks` consecutive 7-day periods ending at `until`, oldest first, with the grant-days of each tier. */
export function weeklyStanding(grants: readonly HeldGrantRow[], tierOf: (datasetId: string) => Sensitivity | undefined, weeks: number, until: Date, asOf: Date): StandingWeekFigures[] {
  const out: StandingWeekFigures[] = [];
  for (let i = weeks; i >= 1; i--) {
    const period = { since: new Date(until.getTime() - i * 7 * DAY_MS), until: new Date(until.getTime() - (i - 1) * 7 * DAY_MS), asOf };
    const byTier = Object.fromEntries(SENSITIVITIES.map((t) => [t, 0])) as Record<Sensitivity, number>;
    for (const g of grants) {
      const tier = tierOf(g.datasetId);
      if (tier) byTier[tier] += grantDaysIn(g, period);
    }
    out.push({ since: period.since, until: period.until, byTier });
  }
  return out;
}

export type Better = 'lower' | 'higher';
export type Direction = 'up' | 'down' | 'flat' | 'none';
export type Verdict = 'better' | 'worse' | 'same' | 'unknown';

/** Changes within 5% of the earlier value (or both zero) count as flat. */
const FLAT = 0.05;

/** Which way a number moved against its earlier value, and whether that is good. */
export function direction(current: number | null, previous: number | null, better: Better): { direction: Direction; verdict: Verdict } {
  if (current === null || previous === null) return { direction: 'none', verdict: 'unknown' };
  const delta = current - previous;
  if (Math.abs(delta) <= FLAT * Math.abs(previous) || (current === 0 && previous === 0)) return { direction: 'flat', verdict: 'same' };
  const up = delta > 0;
  return { direction: up ? 'up' : 'down', verdict: up === (better === 'higher') ? 'better' : 'worse' };
}

/** Every figure of a period: in all, per sensitivity tier and per dataset. */
export interface HygieneFigures {
  since: Date;
  until: Date;
  /** The period's length in days (up to now when it reaches past now). */
  days: number;
  total: Figures;
  /** People holding restricted or confidential data on an average day (each person once, whatever they hold). */
  sensitivePeopleOnAverageDay: number;
  /** By the dataset's tier in the catalog as it is now; datasets no longer in it count only in `total` and `byDataset`. */
  byTier: Record<Sensitivity, Figures>;
  byDataset: Array<{ datasetId: string; tier: Sensitivity | null; figures: Figures }>;
  /** Coachings about sensitive data posted in Slack: sent, and how many the person marked "I've fixed it". */
  coachings: { sent: number; fixed: number };
}

export const HEADLINE_KEYS = ['standing_grant_days', 'sensitive_people', 'median_grant_days', 'released_early', 'median_decision_hours', 'review_on_time', 'coachings_fixed'] as const;
export type HeadlineKey = (typeof HEADLINE_KEYS)[number];

/** One of the few numbers that matter, now and before, and which way it went. */
export interface Headline {
  key: HeadlineKey;
  current: number | null;
  previous: number | null;
  better: Better;
  direction: Direction;
  verdict: Verdict;
}

/** Grant-days per 7 days, so a week compares with a longer period. */
const perWeek = (f: HygieneFigures) => (f.days > 0 ? (f.total.grantDays * 7) / f.days : 0);

/** The headline numbers of `current` against `previous` (grant-days per week, so periods of any length compare). */
export function headlines(current: HygieneFigures, previous: HygieneFigures): Headline[] {
  const pick: Record<HeadlineKey, [(f: HygieneFigures) => number | null, Better]> = {
    standing_grant_days: [perWeek, 'lower'],
    sensitive_people: [(f) => f.sensitivePeopleOnAverageDay, 'lower'],
    median_grant_days: [(f) => f.total.grantLengthDays.median, 'lower'],
    released_early: [(f) => f.total.releasedEarly, 'higher'],
    median_decision_hours: [(f) => f.total.decisionHours.median, 'lower'],
    review_on_time: [(f) => f.total.reviewOnTime, 'higher'],
    coachings_fixed: [(f) => share(f.coachings.fixed, f.coachings.sent), 'higher'],
  };
  return HEADLINE_KEYS.map((key) => {
    const [value, better] = pick[key];
    const c = value(current);
    const p = value(previous);
    return { key, current: c, previous: p, better, ...direction(c, p, better) };
  });
}
