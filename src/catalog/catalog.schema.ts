import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';
import { catalogDuration } from './catalog.rules.js';
import { SENSITIVITIES, TIER_DEFAULTS } from './policy.js';

export type { Sensitivity } from './policy.js';

/** A Slack user id (U…/W…) or an email address to be looked up in Slack. */
const person = z
  .string()
  .trim()
  .refine((v) => /^[UW][A-Z0-9]{2,}$/.test(v) || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), {
    message: 'must be a Slack user id (like U0123ABC) or an email address',
  });

const duration = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, { message: 'must be a duration like 30m, 4h, 7d or 2w' })
  .transform((v) => parseDuration(v)!);

/** A Postgres identifier we are willing to put into GRANT/REVOKE (quoted as well). */
export const PG_IDENTIFIER = /^[a-z_][a-z0-9_$]{0,62}$/;
const pgIdentifier = z.string().regex(PG_IDENTIFIER, 'must be a lower-case Postgres role name (letters, digits, _; at most 63)');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable, like WAREHOUSE_URL');

/** How access is given and taken in the target system. Secrets stay in the environment, named here. */
export const provisionerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('postgres'),
      connection_env: envName,
      // predefined pg_* roles carry server-level powers (run programs, read server files, …)
      role: pgIdentifier.refine((r) => !r.startsWith('pg_'), 'must not be a predefined pg_* role: those carry server-level powers'),
      // how a person's login role is named: {email_local} (default) and {slack_id} are filled in
      login_role_template: z
        .string()
        .regex(/^[a-z0-9_{}]+$/, 'may hold lower-case letters, digits, _ and {email_local} or {slack_id}')
        .default('{email_local}'),
      // only addresses at these domains name a login by their local part ({email_local})
      email_domains: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain like acme.com')).min(1).optional(),
    }),
    z.strictObject({
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
      secret_env: envName,
    }),
    z.strictObject({ type: z.literal('manual') }),
    z.strictObject({ type: z.literal('record') }),
  ],
  { error: 'type must be one of postgres, webhook, manual, record' },
);
export type ProvisionerConfig = z.infer<typeof provisionerSchema>;

/** Policy keys, usable per tier (`policies:`) and per dataset (`policy:`). */
const policyOverridesSchema = z.strictObject({
  max_duration: duration.optional(),
  default_duration: duration.optional(),
  max_total_duration: duration.optional(),
  approvals_required: z.number().int().min(1).max(5).optional(),
  reason_required: z.boolean().optional(),
  reason_min_length: z.number().int().min(0).max(500).optional(),
  auto_approve: z.boolean().optional(),
  self_extend_up_to: z.union([z.literal(0), duration]).optional(),
  review_default: z.enum(['keep', 'revoke']).optional(),
});
export type PolicyOverridesFile = z.infer<typeof policyOverridesSchema>;

const datasetSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (what people type after /access request)'),
    name: z.string().trim().min(1).max(75),
    description: z.string().trim().max(500).default(''),
    sensitivity: z.enum(SENSITIVITIES, { error: `must be one of ${SENSITIVITIES.join(', ')}` }),
    owners: z.array(person).min(1, 'needs at least one owner'),
    max_duration: duration.optional(),
    default_duration: duration.optional(),
    policy: policyOverridesSchema.omit({ max_duration: true, default_duration: true }).optional(),
    provisioner: provisionerSchema.default({ type: 'record' }),
  })
  .refine((d) => d.default_duration === undefined || d.max_duration === undefined || d.default_duration <= d.max_duration, {
    message: 'default_duration must not be longer than max_duration',
    path: ['default_duration'],
  })
  .refine((d) => d.provisioner.type !== 'postgres' || !d.provisioner.login_role_template.includes('{email_local}') || d.provisioner.email_domains, {
    message: 'email_domains is required with {email_local}: the domains whose addresses name a login (mia@acme.com → mia); people elsewhere are named under people:',
    path: ['provisioner', 'email_domains'],
  });

const channelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id, like C0123ABC');

const sensitiveDataSchema = z.strictObject({
  enabled: z.boolean().default(true),
  exclude_channels: z.array(channelId).default([]),
  alert_channel: channelId.optional(),
  max_nudges_per_hour: z.number().int().min(1).max(60).default(1),
});

/** A cron pattern of five fields (minute hour day month weekday). */
const cron = z.string().trim().regex(/^(\S+\s+){4}\S+$/, 'must be a cron pattern like "0 9 * * 1" (minute hour day month weekday)');
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone like Europe/Berlin');

const reviewSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    schedule: cron.default('0 9 * * 1'),
    timezone: timeZone.default('UTC'),
    deadline_days: z.number().int().min(1).max(30).default(5),
    reminder_hours_before: z.number().int().min(1).max(240).default(24),
    channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id, like C0123ABC').optional(),
  })
  // the reminder must come after the digests went out, or it would greet owners with the review itself
  .refine((r) => r.reminder_hours_before < r.deadline_days * 24, {
    path: ['reminder_hours_before'],
    error: (issue) => {
      const r = issue.input as { deadline_days: number; reminder_hours_before: number };
      return `must be less than the review's length (deadline_days ${r.deadline_days}, that is ${r.deadline_days * 24} hours): with ${r.reminder_hours_before}, the reminder would go out with the digest, before anyone could answer`;
    },
  });

const hygieneTipsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  schedule: cron.default('0 10 1 * *'),
  timezone: timeZone.default('UTC'),
});

const handlingPolicySchema = z.strictObject({
  version: z.string().trim().min(1).max(40),
  text: z.string().trim().min(1).max(2500),
  link: z.url({ protocol: /^https?$/ }).optional(),
  reacknowledge_after_days: z.number().int().min(1).max(3650).default(365),
  tips: z.array(z.string().trim().min(1).max(300)).default([]),
});

const personSettings = z.strictObject({ postgres_role: pgIdentifier.optional() });

export const catalogFileSchema = z.strictObject({
  admins: z.array(person).default([]),
  // per-person overrides, keyed by Slack user id
  // the weekly access review: when, how long owners have, where the summary goes
  review: reviewSchema.default({ enabled: true, schedule: '0 9 * * 1', timezone: 'UTC', deadline_days: 5, reminder_hours_before: 24 }),
  // a short practice from handling_policy.tips to everyone holding sensitive access
  hygiene_tips: hygieneTipsSchema.default({ enabled: false, schedule: '0 10 1 * *', timezone: 'UTC' }),
  // shown, and accepted, before a first request for confidential or restricted data
  handling_policy: handlingPolicySchema.optional(),
  // coaching when sensitive data is posted in channels the bot is in
  sensitive_data: sensitiveDataSchema.default({ enabled: true, exclude_channels: [], max_nudges_per_hour: 1 }),
  // defaults per sensitivity tier, over the built-in ones
  policies: z.partialRecord(z.enum(SENSITIVITIES), policyOverridesSchema).default({}),
  people: z
    .record(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'keys must be Slack user ids'), personSettings)
    .superRefine((people, ctx) => {
      // one warehouse login, one person: otherwise each would hold the other's access
      const seen = new Map<string, string>();
      for (const [id, p] of Object.entries(people)) {
        if (!p.postgres_role) continue;
        const first = seen.get(p.postgres_role);
        if (first) ctx.addIssue({ code: 'custom', path: [id, 'postgres_role'], message: `${p.postgres_role} is already the login of ${first}; each person needs their own` });
        else seen.set(p.postgres_role, id);
      }
    })
    .default({}),
  datasets: z
    .array(datasetSchema)
    .min(1, 'must list at least one dataset')
    .superRefine((list, ctx) => {
      list.forEach((d, i) => {
        const first = list.findIndex((other) => other.id === d.id);
        if (first < i) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${d.id}" is already the id of dataset #${first + 1}; dataset ids must be unique` });
      });
    }),
}).superRefine((file, ctx) => {
  for (const issue of durationContradictions(file)) ctx.addIssue({ code: 'custom', ...issue });
});

export type CatalogFile = z.infer<typeof catalogFileSchema>;

type FileShape = Pick<CatalogFile, 'policies'> & { datasets: Array<Pick<CatalogFile['datasets'][number], 'sensitivity' | 'max_duration' | 'policy'>> };

/**
 * `max_total_duration` shorter than `max_duration` is a contradiction (no grant could last one
 * full request), reported at the key that causes it: a tier's `policies:` entry, or the dataset
 * that sets one of the two itself. Values come from the dataset, then its tier, then the built-ins.
 */
function durationContradictions(file: FileShape): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const describe = (total: [number, string], max: [number, string]) =>
    `max_total_duration (${catalogDuration(total[0])}${total[1]}) must not be shorter than max_duration (${catalogDuration(max[0])}${max[1]})`;
  for (const tier of SENSITIVITIES) {
    const t = file.policies[tier];
    if (t?.max_duration === undefined && t?.max_total_duration === undefined) continue;
    const builtIn = `, the built-in default for ${tier}`;
    const max: [number, string] = t.max_duration !== undefined ? [t.max_duration, ''] : [TIER_DEFAULTS[tier].maxDurationMinutes, builtIn];
    const total: [number, string] = t.max_total_duration !== undefined ? [t.max_total_duration, ''] : [TIER_DEFAULTS[tier].maxTotalMinutes, builtIn];
    if (total[0] < max[0]) issues.push({ path: ['policies', tier, t.max_total_duration !== undefined ? 'max_total_duration' : 'max_duration'], message: describe(total, max) });
  }
  file.datasets.forEach((d, i) => {
    const ownTotal = d.policy?.max_total_duration;
    if (d.max_duration === undefined && ownTotal === undefined) return;
    const tier = file.policies[d.sensitivity];
    const inherited = (fromTier: number | undefined, builtIn: number): [number, string] =>
      fromTier !== undefined ? [fromTier, `, from policies.${d.sensitivity}`] : [builtIn, `, the built-in default for ${d.sensitivity}`];
    const max = d.max_duration !== undefined ? ([d.max_duration, ''] as [number, string]) : inherited(tier?.max_duration, TIER_DEFAULTS[d.sensitivity].maxDurationMinutes);
    const total = ownTotal !== undefined ? ([ownTotal, ''] as [number, string]) : inherited(tier?.max_total_duration, TIER_DEFAULTS[d.sensitivity].maxTotalMinutes);
    if (total[0] < max[0]) issues.push({ path: ['datasets', i, ...(ownTotal !== undefined ? ['policy', 'max_total_duration'] : ['max_duration'])], message: describe(total, max) });
  });
  return issues;
}
