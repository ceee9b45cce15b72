import type { ProvisionerConfig, Sensitivity } from './catalog.schema.js';
import { editDistance } from './catalog.rules.js';
import type { Policy } from './policy.js';

export interface Dataset {
  id: string;
  name: string;
  description: string;
  sensitivity: Sensitivity;
  /** Slack user ids, after emails were resolved. */
  owners: string[];
  /** Same as policy.maxDurationMinutes / defaultDurationMinutes, kept at hand. */
  maxDurationMinutes: number;
  defaultDurationMinutes: number;
  policy: Policy;
  provisioner: ProvisionerConfig;
}

export interface PersonSettings {
  postgresRole?: string;
}

/** The catalog as the rest of the bot sees it: people are Slack user ids. */
export interface SensitiveDataSettings {
  enabled: boolean;
  excludeChannels: string[];
  /** Post a short alert with a link to the message here (e.g. the security channel). */
  alertChannel?: string;
  maxNudgesPerHour: number;
}

export interface HandlingPolicy {
  version: string;
  text: string;
  link?: string;
  reacknowledgeAfterDays: number;
  /** Short, concrete practices for the periodic hygiene tip. */
  tips: string[];
}

export interface ReviewSettings {
  enabled: boolean;
  /** Cron pattern and time zone of the weekly start. */
  schedule: string;
  timeZone: string;
  deadlineDays: number;
  reminderHoursBefore: number;
  /** Security channel for each review's summary. */
  channel?: string;
}

export interface HygieneTipSettings {
  enabled: boolean;
  schedule: string;
  timeZone: string;
}

export const DEFAULT_REVIEW: ReviewSettings = { enabled: true, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 5, reminderHoursBefore: 24 };

export interface Catalog {
  admins: string[];
  datasets: Dataset[];
  people?: Record<string, PersonSettings>;
  sensitiveData?: SensitiveDataSettings;
  handlingPolicy?: HandlingPolicy;
  review?: ReviewSettings;
  hygieneTips?: HygieneTipSettings;
}

/** Who is told about a dataset's operational problems: its owners and the admins. */
export function ownersAndAdmins(catalog: Catalog, datasetId: string): string[] {
  return [...new Set([...(findDataset(catalog, datasetId)?.owners ?? []), ...catalog.admins])];
}

export function findDataset(catalog: Catalog, id: string): Dataset | undefined {
  const wanted = id.trim().toLowerCase();
  return catalog.datasets.find((d) => d.id === wanted);
}

export function reasonRequired(dataset: Dataset): boolean {
  return dataset.policy.reasonRequired;
}

/** Confidential and restricted data: guests may not ask for it. */
export function isSensitive(dataset: Pick<Dataset, 'sensitivity'>): boolean {
  return dataset.sensitivity === 'confidential' || dataset.sensitivity === 'restricted';
}

/** Up to three catalog ids closest to what was typed, for "did you mean…". */
export function suggestDatasetIds(catalog: Catalog, typed: string, limit = 3): string[] {
  const input = typed.trim().toLowerCase();
  if (!input) return [];
  return catalog.datasets
    .map((d) => {
      const containment = d.id.includes(input) || input.includes(d.id) || d.name.toLowerCase().includes(input);
      return { id: d.id, score: containment ? 0 : editDistance(input, d.id) };
    })
    .filter((c) => c.score <= Math.max(2, Math.floor(input.length / 3)))
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((c) => c.id);
}
