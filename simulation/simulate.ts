/**
 * The simulation: the bot's real use cases, on a real (embedded or throwaway) database, with an
 * injected clock moved through the weeks. Needs arrive as drawn up front; people react to the
 * bot's messages (behaviour.ts); the bot's own timers run as its worker runs them: jobs when due
 * (timeline.ts), the maintenance round (reconciler, pending-request and review follow-ups) every
 * 4 hours, and the access review every Monday at 09:00.
 */
import { weeklyStandingByTier } from '../src/modules/hygiene/figures.usecases.js';
import type { StandingWeekFigures } from '../src/modules/hygiene/figures.rules.js';
import { count } from 'drizzle-orm';
import type { Deps } from '../src/modules/deps.js';
import { DEFAULT_SETTINGS } from '../src/modules/deps.js';
import { reconcile } from '../src/modules/grants/grants.usecases.js';
import { closeExtensionsOfGrants } from '../src/modules/requests/closures.usecases.js';
import { followUpPendingRequests } from '../src/modules/requests/followups.usecases.js';
import { followUpReviews } from '../src/modules/reviews/followups.usecases.js';
import { startReview } from '../src/modules/reviews/reviews.usecases.js';
import { buildConnectors } from '../src/provisioners/registry.js';
import type { Database } from '../src/shared/db/client.js';
import { auditEvents } from '../src/shared/db/schema.js';
import { createLogger } from '../src/shared/logger.js';
import type { PeopleDirectory } from '../src/shared/people.ports.js';
import { People } from './behaviour.js';
import { buildOrganisation, drawNeeds, SIMULATION_START, TIME, type SimulationConfig } from './organisation.js';
import { Random } from './random.js';
import { botHoldings, keepForeverHoldings, weeklyStanding, type WeekStanding } from './standing.js';
import { SimClock, Timeline, TimelineJobs } from './timeline.js';

/** Everyone is a full member of the workspace, in UTC. */
const directory: PeopleDirectory = {
  timeZone: async () => 'UTC',
  idByEmail: async (email) => email.split('@')[0]?.toUpperCase(),
  exists: async () => true,
  email: async (id) => `${id.toLowerCase()}@example.com`,
  standing: async () => 'member',
  everyone: async () => [],
  changed: () => {},
};

export interface SimulationResult {
  config: SimulationConfig;
  needs: number;
  bot: WeekStanding[];
  keepForever: WeekStanding[];
  /** Audit events by action: what the bot did, from its own trail. */
  actions: Array<{ action: string; count: number }>;
  refusals: Array<{ code: string; count: number }>;
  /** The bot's weeks as the hygiene module reports them (the weekly summary's chart): the same grant-days, computed by the product. */
  figures: StandingWeekFigures[];
}

/**
 * The bot runs its maintenance round (reconciler, pending-request and review follow-ups) every
 * minute; here every 4 hours, which is what the simulation's time scale needs (expiry reminders
 * 24 hours ahead, review reminders and deadlines, approval reminders) at a quarter of the cost
 * of hourly rounds.
 */
const MAINTENANCE_EVERY = 4 * TIME.HOUR;
const MAINTENANCE_OFFSET = TIME.HOUR;
const REVIEW_HOUR = 9;

export async function runSimulation(config: SimulationConfig, database: Database): Promise<SimulationResult> {
  const random = new Random(config.seed);
  const org = buildOrganisation(config, random.fork());
  const needs = drawNeeds(org, config, random.fork());
  const behaviour = random.fork();
  const end = new Date(SIMULATION_START.getTime() + config.weeks * TIME.WEEK);

  const clock = new SimClock(SIMULATION_START);
  const timeline = new Timeline(clock);
  const jobs = new TimelineJobs(timeline);
  const people = new People(timeline, behaviour);
  const logger = createLogger('silent');
  const deps: Deps = {
    db: database.db,
    catalog: org.catalog,
    clock,
    jobs,
    messenger: people,
    connectors: buildConnectors(org.catalog, {}, logger),
    people: directory,
    settings: { ...DEFAULT_SETTINGS },
    logger,
    onGrantEnding: closeExtensionsOfGrants,
  };
  jobs.attach(deps);
  people.attach(deps);

  for (const need of needs) timeline.at(need.start, () => people.needArrives(need));
  // the maintenance round at 01:00, 05:00, 09:00…: a review's deadline (09:00, like its start) is met on time
  for (let t = SIMULATION_START.getTime() + MAINTENANCE_OFFSET; t < end.getTime(); t += MAINTENANCE_EVERY) {
    timeline.at(t, async () => {
      await reconcile(deps);
      await followUpPendingRequests(deps);
      await followUpReviews(deps);
    });
  }
  for (let week = 0; week < config.weeks; week++) {
    timeline.at(SIMULATION_START.getTime() + week * TIME.WEEK + REVIEW_HOUR * TIME.HOUR, async () => {
      await startReview(deps, 'system');
    });
  }
  await timeline.runUntil(end);

  const actions = await database.db.select({ action: auditEvents.action, count: count() }).from(auditEvents).groupBy(auditEvents.action).orderBy(auditEvents.action);
  return {
    config,
    needs: needs.length,
    bot: weeklyStanding(await botHoldings(database.db, org.catalog, end), SIMULATION_START, config.weeks),
    keepForever: weeklyStanding(keepForeverHoldings(people.records, org.catalog, end), SIMULATION_START, config.weeks),
    actions: actions.map((a) => ({ action: a.action, count: Number(a.count) })),
    figures: await weeklyStandingByTier(deps, { weeks: config.weeks, until: end }),
    refusals: [...people.refusals].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => ({ code, count: n })),
  };
}
