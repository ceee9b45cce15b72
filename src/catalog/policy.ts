/** The sensitivity tiers, least to most sensitive; each has its own default policy. */
export const SENSITIVITIES = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** The rules a dataset's requests follow, after tier defaults and per-dataset overrides are applied. */
export interface Policy {
  maxDurationMinutes: number;
  defaultDurationMinutes: number;
  /** How long a grant may last in all, counting extensions, from when it started. */
  maxTotalMinutes: number;
  /** Distinct people who must approve. */
  approvalsRequired: number;
  reasonRequired: boolean;
  reasonMinLength: number;
  /** Granted at once without asking anyone (still audited). */
  autoApprove: boolean;
  /** A holder may extend by up to this much without approval (0: every extension is approved). */
  selfExtendMinutes: number;
  /** What happens to a grant nobody reviewed by the review's deadline. */
  reviewDefault: 'keep' | 'revoke';
}

const DAY = 24 * 60;

/** Built-in defaults per sensitivity tier; the catalog's `policies:` and each dataset override them. */
export const TIER_DEFAULTS: Record<Sensitivity, Policy> = {
  public: { reviewDefault: 'keep', maxDurationMinutes: 90 * DAY, defaultDurationMinutes: 30 * DAY, maxTotalMinutes: 180 * DAY, approvalsRequired: 1, reasonRequired: false, reasonMinLength: 0, autoApprove: false, selfExtendMinutes: 0 },
  internal: { reviewDefault: 'keep', maxDurationMinutes: 30 * DAY, defaultDurationMinutes: 7 * DAY, maxTotalMinutes: 90 * DAY, approvalsRequired: 1, reasonRequired: false, reasonMinLength: 0, autoApprove: false, selfExtendMinutes: 0 },
  confidential: { reviewDefault: 'keep', maxDurationMinutes: 30 * DAY, defaultDurationMinutes: 7 * DAY, maxTotalMinutes: 60 * DAY, approvalsRequired: 1, reasonRequired: true, reasonMinLength: 10, autoApprove: false, selfExtendMinutes: 0 },
  restricted: { reviewDefault: 'revoke', maxDurationMinutes: 30 * DAY, defaultDurationMinutes: 7 * DAY, maxTotalMinutes: 30 * DAY, approvalsRequired: 1, reasonRequired: true, reasonMinLength: 10, autoApprove: false, selfExtendMinutes: 0 },
};

export type PolicyOverrides = Partial<Policy>;

/** Applies overrides in order (tier from the catalog, then the dataset's own) to the built-in tier defaults. */
export function resolvePolicy(sensitivity: Sensitivity, ...overrides: Array<PolicyOverrides | undefined>): Policy {
  const policy = { ...TIER_DEFAULTS[sensitivity] };
  for (const o of overrides) {
    if (!o) continue;
    for (const [key, value] of Object.entries(o) as Array<[keyof Policy, Policy[keyof Policy] | undefined]>) {
      if (value !== undefined) (policy as Record<keyof Policy, unknown>)[key] = value;
    }
  }
  if (policy.defaultDurationMinutes > policy.maxDurationMinutes) policy.defaultDurationMinutes = policy.maxDurationMinutes;
  if (policy.maxTotalMinutes < policy.maxDurationMinutes) policy.maxTotalMinutes = policy.maxDurationMinutes;
  if (policy.reasonMinLength > 0) policy.reasonRequired = true;
  return policy;
}
