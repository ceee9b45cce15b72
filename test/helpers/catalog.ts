import type { Catalog, Dataset } from '../../src/catalog/catalog.js';
import { resolvePolicy, type PolicyOverrides } from '../../src/catalog/policy.js';

export const USERS = {
  admin: 'U0ADMIN1',
  owner1: 'U0OWNER1',
  owner2: 'U0OWNER2',
  marketer: 'U0MKT1',
  marketer2: 'U0MKT2',
  stranger: 'U0STRANGER',
} as const;

/** A dataset as the loader would resolve it; the policy comes from its tier plus `policy`. */
export function makeDataset(d: Partial<Omit<Dataset, 'policy'>> & Pick<Dataset, 'id'> & { policy?: PolicyOverrides }): Dataset {
  const sensitivity = d.sensitivity ?? 'internal';
  const policy = resolvePolicy(sensitivity, { maxDurationMinutes: d.maxDurationMinutes, defaultDurationMinutes: d.defaultDurationMinutes, ...d.policy });
  return {
    name: d.id,
    description: '',
    owners: [USERS.owner1],
    provisioner: { type: 'record' },
    ...d,
    sensitivity,
    maxDurationMinutes: policy.maxDurationMinutes,
    defaultDurationMinutes: policy.defaultDurationMinutes,
    policy,
  };
}

/** A small catalog covering each approval path; ids are already Slack user ids. */
export function testCatalog(): Catalog {
  return {
    admins: [USERS.admin],
    datasets: [
      makeDataset({
        id: 'crm-contacts',
        name: 'CRM contacts',
        description: 'Customer contact records from the CRM',
        sensitivity: 'restricted',
        owners: [USERS.owner1, USERS.owner2],
        maxDurationMinutes: 30 * 24 * 60,
        defaultDurationMinutes: 7 * 24 * 60,
      }),
      makeDataset({
        id: 'campaign-metrics',
        name: 'Campaign metrics',
        description: 'Daily spend and conversions per campaign',
        sensitivity: 'internal',
        owners: [USERS.owner1],
        maxDurationMinutes: 14 * 24 * 60,
        defaultDurationMinutes: 24 * 60,
      }),
      makeDataset({
        id: 'web-analytics',
        name: 'Web analytics',
        description: 'GA4 export',
        sensitivity: 'public',
        owners: [USERS.marketer],
        maxDurationMinutes: 90 * 24 * 60,
        defaultDurationMinutes: 30 * 24 * 60,
      }),
    ],
  };
}

/**
 * A catalog file with one internal dataset owned by owner1, and admin as the admin: ids only, so
 * start-up needs no email look-ups. For tests and benches that run the bot as its own process.
 */
export const ONE_DATASET_CATALOG = `admins: [${USERS.admin}]
datasets:
  - id: campaign-metrics
    name: Campaign metrics
    sensitivity: internal
    owners: [${USERS.owner1}]
`;
