import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { z } from 'zod';
import { catalogError, catalogWarning, sortFindings, type CatalogFinding } from './catalog.findings.js';
import { closestKey, knownKeysAt } from './catalog.rules.js';
import { catalogFileSchema, type CatalogFile } from './catalog.schema.js';
import type { PeopleDirectory } from '../shared/people.ports.js';
import type { Catalog } from './catalog.js';
import { resolvePolicy, type PolicyOverrides } from './policy.js';
import type { PolicyOverridesFile } from './catalog.schema.js';

function policyFrom(o: PolicyOverridesFile | undefined): PolicyOverrides | undefined {
  if (!o) return undefined;
  return {
    maxDurationMinutes: o.max_duration,
    defaultDurationMinutes: o.default_duration,
    maxTotalMinutes: o.max_total_duration,
    approvalsRequired: o.approvals_required,
    reasonRequired: o.reason_required,
    reasonMinLength: o.reason_min_length,
    autoApprove: o.auto_approve,
    selfExtendMinutes: o.self_extend_up_to,
    reviewDefault: o.review_default,
  };
}

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** Reads and validates catalog.yml; every mistake is reported with file, dataset and key. */
export async function readCatalogFile(path: string): Promise<CatalogFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CatalogError(`Catalog error: cannot read ${path}. Copy catalog.example.yml to ${path} or set CATALOG_PATH.`);
  }
  return parseCatalog(text, path);
}

export function parseCatalog(text: string, file = 'catalog.yml'): CatalogFile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new CatalogError(`Catalog error in ${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = catalogFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${describePath(raw, issue.path)}: ${describeIssue(issue, raw)}`);
    throw new CatalogError(`Catalog error in ${file}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(catalogFileSchema, raw, issue.path);
    const keys = issue.keys.map((key) => {
      const near = closestKey(key, known);
      return near ? `${key} (did you mean ${near}?)` : key;
    });
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
  }
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

function describePath(raw: unknown, path: PropertyKey[]): string {
  if (path.length === 0) return 'top level';
  const [first, index, ...rest] = path;
  if (first === 'datasets' && typeof index === 'number') {
    const list = (raw as { datasets?: Array<{ id?: unknown } | null> })?.datasets ?? [];
    const id = list[index]?.id;
    const twice = list.filter((d) => d?.id === id).length > 1;
    const label = typeof id === 'string' ? `dataset "${id}"${twice ? ` (#${index + 1})` : ''}` : `dataset #${index + 1}`;
    return rest.length ? `${label}, key ${rest.join('.')}` : label;
  }
  return `key ${path.map(String).join('.')}`;
}

/** How the catalog's people are checked: the bot's one people directory, or a stand-in with these two methods. */
export type PeopleLookup = Pick<PeopleDirectory, 'idByEmail' | 'exists'>;

/**
 * Resolves the catalog's people to Slack user ids and reports what it found, without throwing
 * for any finding (errors are only thrown when Slack cannot be asked at all). An email Slack does
 * not know is a warning and left out, so one departed owner does not stop the bot; a user id
 * Slack does not know is an error (a typo, or another workspace's id); so is a dataset left with
 * no owner and no admins, because nobody could approve it.
 */
export async function checkCatalog(file: CatalogFile, slack: PeopleLookup): Promise<{ catalog: Catalog; findings: CatalogFinding[] }> {
  const findings: CatalogFinding[] = [];
  const byEmail = new Map<string, string | undefined>();
  const known = new Map<string, boolean>();
  const resolvePeople = async (list: string[], where: string): Promise<string[]> => {
    const ids: string[] = [];
    for (const person of list) {
      if (!person.includes('@')) {
        if (!known.has(person)) known.set(person, await slack.exists(person));
        if (known.get(person)) ids.push(person);
        else findings.push(catalogError(`${where}: no Slack user has the id ${person}`));
        continue;
      }
      const key = person.toLowerCase();
      if (!byEmail.has(key)) byEmail.set(key, await slack.idByEmail(key));
      const id = byEmail.get(key);
      if (id) ids.push(id);
      else findings.push(catalogWarning(`${where}: no Slack user has the email ${person}; skipped`));
    }
    return [...new Set(ids)];
  };
  const admins = await resolvePeople(file.admins, 'admins');
  const datasets = [];
  for (const d of file.datasets) {
    const owners = await resolvePeople(d.owners, `dataset "${d.id}" owners`);
    if (owners.length === 0 && admins.length === 0) {
      findings.push(catalogError(`dataset "${d.id}" has no owner Slack knows, and there are no admins to approve it`));
    }
    const policy = resolvePolicy(d.sensitivity, policyFrom(file.policies[d.sensitivity]), policyFrom({ ...d.policy, max_duration: d.max_duration, default_duration: d.default_duration }));
    datasets.push({
      id: d.id,
      name: d.name,
      description: d.description,
      sensitivity: d.sensitivity,
      owners,
      maxDurationMinutes: policy.maxDurationMinutes,
      defaultDurationMinutes: policy.defaultDurationMinutes,
      policy,
      provisioner: d.provisioner,
    });
  }
  const people = Object.fromEntries(Object.entries(file.people).map(([id, p]) => [id, { postgresRole: p.postgres_role }]));
  const sd = file.sensitive_data;
  const sensitiveData = { enabled: sd.enabled, excludeChannels: sd.exclude_channels, alertChannel: sd.alert_channel, maxNudgesPerHour: sd.max_nudges_per_hour };
  const hp = file.handling_policy;
  const handlingPolicy = hp
    ? { version: hp.version, text: hp.text, link: hp.link, reacknowledgeAfterDays: hp.reacknowledge_after_days, tips: hp.tips }
    : undefined;
  const r = file.review;
  const review = { enabled: r.enabled, schedule: r.schedule, timeZone: r.timezone, deadlineDays: r.deadline_days, reminderHoursBefore: r.reminder_hours_before, channel: r.channel };
  const hygieneTips = { enabled: file.hygiene_tips.enabled, schedule: file.hygiene_tips.schedule, timeZone: file.hygiene_tips.timezone };
  return { catalog: { admins, datasets, people, sensitiveData, handlingPolicy, review, hygieneTips }, findings };
}

/** For start-up: the resolved catalog; warnings go to `warn`, and any error stops with all of them listed. */
export async function resolveCatalog(file: CatalogFile, people: PeopleLookup, warn: (message: string) => void): Promise<Catalog> {
  const { catalog, findings } = await checkCatalog(file, people);
  const { errors, warnings } = sortFindings(findings);
  for (const w of warnings) warn(`Catalog: ${w}`);
  if (errors.length) throw new CatalogError(`Catalog error:\n  - ${errors.join('\n  - ')}`);
  return catalog;
}
