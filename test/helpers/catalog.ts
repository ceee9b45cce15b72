import type { Catalog } from '../../src/catalog/catalog.js';

export const USERS = {
  admin: 'U0ADMIN1',
  owner1: 'U0OWNER1',
  owner2: 'U0OWNER2',
  marketer: 'U0MKT1',
  marketer2: 'U0MKT2',
  stranger: 'U0STRANGER',
} as const;

/** A small catalog covering each approval path; ids are already Slack user ids. */
export function testCatalog(): Catalog {
  return {
    admins: [USERS.admin],
    datasets: [
      {
        id: 'crm-contacts',
        name: 'CRM contacts',
        description: 'Customer contact records from the CRM',
        sensitivity: 'restricted',
        owners: [USERS.owner1, USERS.owner2],
        maxDurationMinutes: 30 * 24 * 60,
        defaultDurationMinutes: 7 * 24 * 60,
        provisioner: { type: 'record' },
      },
      {
        id: 'campaign-metrics',
        name: 'Campaign metrics',
        description: 'Daily spend and conversions per campaign',
        sensitivity: 'internal',
        owners: [USERS.owner1],
        maxDurationMinutes: 14 * 24 * 60,
        defaultDurationMinutes: 24 * 60,
        provisioner: { type: 'record' },
      },
      {
        id: 'web-analytics',
        name: 'Web analytics',
        description: 'GA4 export',
        sensitivity: 'public',
        owners: [USERS.marketer],
        maxDurationMinutes: 90 * 24 * 60,
        defaultDurationMinutes: 30 * 24 * 60,
        provisioner: { type: 'record' },
      },
    ],
  };
}
