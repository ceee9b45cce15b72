import { SENSITIVITIES, type Sensitivity } from '../../catalog/policy.js';
import type { Dataset } from '../../catalog/catalog.js';
import type { Clock } from '../../shared/clock.js';
import type { DbOrTx } from '../../shared/db/client.js';
import { domainError } from '../../shared/errors.js';
import * as repo from './figures.repository.js';
import { computeFigures, headlines, peopleOnAverageDay, periodDays, weeklyStanding, type Headline, type HygieneFigures, type StandingWeekFigures } from './figures.rules.js';

const DAY_MS = 24 * 3600_000;
const WEEK_MS = 7 * DAY_MS;

/** What the figures need: the database, now, and each dataset's tier (the catalog, or its file for the CLI). */
export interface FiguresDeps {
  db: DbOrTx;
  clock: Clock;
  catalog: { datasets: ReadonlyArray<Pick<Dataset, 'id' | 'sensitivity'>> };
}

export const hygieneErrors = {
  adminsOnly: () => domainError('hygiene.admins_only', {}, 'Only access admins can read the hygiene report.'),
};

function tierLookup(deps: FiguresDeps): (datasetId: string) => Sensitivity | undefined {
  const tiers = new Map(deps.catalog.datasets.map((d) => [d.id, d.sensitivity]));
  return (id) => tiers.get(id);
}

const SENSITIVE: ReadonlySet<Sensitivity> = new Set(['confidential', 'restricted']);

/**
 * Every hygiene figure for [since, until), in all, per tier and per dataset (definitions in
 * figures.rules.ts). Grants still held count up to now.
 */
export async function hygieneFigures(deps: FiguresDeps, range: { since: Date; until: Date }): Promise<HygieneFigures> {
  const period = { ...range, asOf: deps.clock.now() };
  const [grants, requests, reviewItems, coachings] = await Promise.all([
    repo.heldGrantsBetween(deps.db, range.since, range.until),
    repo.requestsDecidedBetween(deps.db, range.since, range.until),
    repo.reviewItemsDueBetween(deps.db, range.since, range.until),
    repo.coachingsBetween(deps.db, range.since, range.until),
  ]);
  const tierOf = tierLookup(deps);
  const scope = (keep: (datasetId: string) => boolean) =>
    computeFigures(
      { grants: grants.filter((g) => keep(g.datasetId)), requests: requests.filter((r) => keep(r.datasetId)), reviewItems: reviewItems.filter((i) => keep(i.datasetId)) },
      period,
    );
  const datasetIds = [...new Set([...deps.catalog.datasets.map((d) => d.id), ...grants.map((g) => g.datasetId), ...requests.map((r) => r.datasetId), ...reviewItems.map((i) => i.datasetId)])].sort();
  return {
    since: range.since,
    until: range.until,
    days: periodDays(period),
    total: scope(() => true),
    sensitivePeopleOnAverageDay: peopleOnAverageDay(
      grants.filter((g) => SENSITIVE.has(tierOf(g.datasetId)!)),
      period,
    ),
    byTier: Object.fromEntries(SENSITIVITIES.map((tier) => [tier, scope((id) => tierOf(id) === tier)])) as HygieneFigures['byTier'],
    byDataset: datasetIds.map((datasetId) => ({ datasetId, tier: tierOf(datasetId) ?? null, figures: scope((id) => id === datasetId) })),
    coachings: { sent: coachings.length, fixed: coachings.filter((c) => c.fixedAt).length },
  };
}

/** Standing grant-days per tier in each of the `weeks` 7-day periods ending at `until` (for the chart), oldest first. */
export async function weeklyStandingByTier(deps: FiguresDeps, opts: { weeks: number; until: Date }): Promise<StandingWeekFigures[]> {
  const since = new Date(opts.until.getTime() - opts.weeks * WEEK_MS);
  const grants = await repo.heldGrantsBetween(deps.db, since, opts.until);
  return weeklyStanding(grants, tierLookup(deps), opts.weeks, opts.until, deps.clock.now());
}

/** The last 7 days before `until` against the four weeks before them (taken together). */
export interface HygieneComparison {
  current: HygieneFigures;
  previous: HygieneFigures;
  headlines: Headline[];
}

export async function hygieneComparison(deps: FiguresDeps, until: Date): Promise<HygieneComparison> {
  const weekAgo = new Date(until.getTime() - WEEK_MS);
  const [current, previous] = await Promise.all([
    hygieneFigures(deps, { since: weekAgo, until }),
    hygieneFigures(deps, { since: new Date(weekAgo.getTime() - 4 * WEEK_MS), until: weekAgo }),
  ]);
  return { current, previous, headlines: headlines(current, previous) };
}

/** `/access report`: admins only; this week (the last 7 days) against the previous four. */
export async function hygieneReport(deps: FiguresDeps & { catalog: { admins: readonly string[] } }, actorId: string): Promise<HygieneComparison> {
  if (!deps.catalog.admins.includes(actorId)) throw hygieneErrors.adminsOnly();
  return hygieneComparison(deps, deps.clock.now());
}
