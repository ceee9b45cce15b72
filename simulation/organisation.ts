/**
 * The synthetic organisation and how its people behave. Every number that shapes the result is
 * here, named and commented; the README's "Simulation" section lists them.
 */
import type { Catalog, Dataset } from '../src/catalog/catalog.js';
import { resolvePolicy, SENSITIVITIES, type Sensitivity } from '../src/catalog/policy.js';
import type { Random } from './random.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export interface SimulationConfig {
  seed: number;
  weeks: number;
  marketers: number;
  owners: number;
  admins: number;
}

export const DEFAULT_CONFIG: SimulationConfig = { seed: 20260105, weeks: 12, marketers: 200, owners: 10, admins: 2 };

/** The simulation starts on a Monday at midnight UTC; weeks run Monday to Monday. */
export const SIMULATION_START = new Date('2026-01-05T00:00:00Z');

/** Behaviour parameters: how often people need data and for how long, and how they act. */
export const BEHAVIOUR = {
  /** Datasets a marketer works with (drawn uniformly in this range), picked with these weights per tier. */
  datasetsPerMarketer: [2, 5] as const,
  affinityWeight: { public: 3, internal: 3, confidential: 1.5, restricted: 1 } satisfies Record<Sensitivity, number>,
  /** Needs per week for each dataset a marketer works with (Poisson arrivals), by tier. */
  needsPerWeek: { public: 0.06, internal: 0.08, confidential: 0.05, restricted: 0.03 } satisfies Record<Sensitivity, number>,
  /** A need starts on a working day (Monday to Friday) between these hours, UTC. */
  workingHours: [8, 18] as const,
  /** How long a need lasts, in days (weights): median 2 days, about 1 in 12 more than a week. */
  needDays: [
    [0.25, 10],
    [0.5, 15],
    [1, 25],
    [2, 20],
    [3, 12],
    [5, 10],
    [10, 6],
    [20, 2],
  ] as ReadonlyArray<readonly [number, number]>,
  /** Share of requests that take the dataset's default duration; the others ask for their estimate of the need, rounded up. */
  takesDefaultDuration: 0.5,
  /** Durations people pick when they estimate (days); the smallest that covers the need × 1.5, within the dataset's maximum. */
  durationChoicesDays: [1, 2, 3, 7, 14, 30, 60, 90],
  estimateSlack: 1.5,
  /** Share of needs whose holder releases the access when done, and how long after (hours, uniform). */
  releasesEarly: 0.3,
  releaseDelayHours: [0, 4] as const,
  /** When an expiry reminder arrives before the need is over: share who extend (the rest ask again after it ends). */
  extendsWhenReminded: 0.85,
  /** After access ended or a request expired while the need goes on: hours until they ask again (uniform). */
  askAgainHours: [1, 12] as const,
  /** Owners (and admins asked after an escalation): mean hours to answer an approval request (exponential). */
  decisionMeanHours: 4,
  /** Share of requests an owner denies, by tier. */
  denyShare: { public: 0.02, internal: 0.03, confidential: 0.08, restricted: 0.12 } satisfies Record<Sensitivity, number>,
  /** Share of weekly review digests an owner answers, and when (hours after it arrives, uniform). */
  answersReview: 0.7,
  reviewAnswerHours: [1, 96] as const,
  /** An owner keeps a grant whose holder still needs it; otherwise revokes it with this probability. */
  revokesUnneeded: 0.85,
} as const;

/** The catalog's datasets: 20, across the four tiers. */
const DATASETS: ReadonlyArray<readonly [string, string, Sensitivity]> = [
  ['web-analytics', 'Web analytics', 'public'],
  ['social-reach', 'Social reach', 'public'],
  ['brand-survey', 'Brand survey results', 'public'],
  ['press-mentions', 'Press mentions', 'public'],
  ['seo-rankings', 'SEO rankings', 'public'],
  ['campaign-metrics', 'Campaign metrics', 'internal'],
  ['email-engagement', 'Email engagement', 'internal'],
  ['ad-spend', 'Ad spend', 'internal'],
  ['web-funnel', 'Web funnel', 'internal'],
  ['content-stats', 'Content statistics', 'internal'],
  ['partner-referrals', 'Partner referrals', 'internal'],
  ['app-usage', 'App usage', 'internal'],
  ['crm-accounts', 'CRM accounts', 'confidential'],
  ['customer-segments', 'Customer segments', 'confidential'],
  ['loyalty-members', 'Loyalty members', 'confidential'],
  ['event-attendees', 'Event attendees', 'confidential'],
  ['lead-scores', 'Lead scores', 'confidential'],
  ['customer-pii', 'Customer contact details', 'restricted'],
  ['payment-history', 'Payment history', 'restricted'],
  ['support-transcripts', 'Support transcripts', 'restricted'],
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface Organisation {
  catalog: Catalog;
  marketers: string[];
  owners: string[];
  admins: string[];
  /** Each marketer's datasets. */
  affinities: Map<string, Dataset[]>;
}

/**
 * The catalog as the loader would resolve it (built-in tier policies; public and internal data
 * may be self-extended by up to 7 days), with a data-handling policy and a security channel.
 * Each dataset has two owners; every connector is `record` (the audit trail is the effect).
 */
export function buildOrganisation(config: SimulationConfig, random: Random): Organisation {
  const owners = Array.from({ length: config.owners }, (_, i) => `U0OWN${pad(i + 1, 2)}`);
  const admins = Array.from({ length: config.admins }, (_, i) => `U0ADM${pad(i + 1, 2)}`);
  const marketers = Array.from({ length: config.marketers }, (_, i) => `U0MKT${pad(i + 1, 3)}`);
  const datasets: Dataset[] = DATASETS.map(([id, name, sensitivity], i) => {
    const policy = resolvePolicy(sensitivity, sensitivity === 'public' || sensitivity === 'internal' ? { selfExtendMinutes: 7 * 24 * 60 } : undefined);
    const two = [owners[i % owners.length]!, owners[(i + 3) % owners.length]!];
    return {
      id,
      name,
      description: `${name} (synthetic)`,
      sensitivity,
      owners: [...new Set(two)],
      maxDurationMinutes: policy.maxDurationMinutes,
      defaultDurationMinutes: policy.defaultDurationMinutes,
      policy,
      provisioner: { type: 'record' },
    };
  });
  const catalog: Catalog = {
    admins,
    datasets,
    handlingPolicy: { version: '2026-01', text: 'Use customer data only for the stated purpose.', reacknowledgeAfterDays: 365, tips: [] },
    review: { enabled: true, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 5, reminderHoursBefore: 24, channel: 'C0SECURITY' },
  };
  const [least, most] = BEHAVIOUR.datasetsPerMarketer;
  const affinities = new Map(
    marketers.map((m) => [m, random.sampleWeighted(datasets, (d) => BEHAVIOUR.affinityWeight[d.sensitivity], least + random.int(most - least + 1))] as const),
  );
  return { catalog, marketers, owners, admins, affinities };
}

/** One person's need of one dataset: from `start` for `days`. */
export interface Need {
  userId: string;
  datasetId: string;
  start: Date;
  end: Date;
}

/**
 * Every need of the whole run, drawn up front from its own random stream, so the demand is the
 * same whatever the bot does with it (and the keep-forever baseline serves exactly these needs).
 */
export function drawNeeds(org: Organisation, config: SimulationConfig, random: Random): Need[] {
  const needs: Need[] = [];
  const [fromHour, toHour] = BEHAVIOUR.workingHours;
  for (let week = 0; week < config.weeks; week++) {
    for (const userId of org.marketers) {
      for (const dataset of org.affinities.get(userId)!) {
        const count = random.poisson(BEHAVIOUR.needsPerWeek[dataset.sensitivity]);
        for (let k = 0; k < count; k++) {
          const day = week * 7 + random.int(5);
          const start = new Date(SIMULATION_START.getTime() + day * DAY + Math.round(random.uniform(fromHour, toHour) * 60) * 60_000);
          const end = new Date(start.getTime() + random.weighted(BEHAVIOUR.needDays) * DAY);
          needs.push({ userId, datasetId: dataset.id, start, end });
        }
      }
    }
  }
  return needs.sort((a, b) => a.start.getTime() - b.start.getTime() || a.userId.localeCompare(b.userId) || a.datasetId.localeCompare(b.datasetId));
}

export const TIERS = SENSITIVITIES;
export const TIME = { HOUR, DAY, WEEK: 7 * DAY };
