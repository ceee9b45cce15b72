import { describe, expect, it } from 'vitest';
import { approverWarnings } from '../../src/modules/requests/approvers.usecases.js';
import type { Standing } from '../../src/modules/requests/requests.rules.js';
import { makeDataset, USERS } from '../helpers/catalog.js';

const standing = (who: Record<string, Standing>) => async (id: string) => who[id] ?? 'member';

describe('catalog warnings about approvers (start-up and catalog:check)', () => {
  it('names guests, deactivated owners and admins, and policies nobody can meet', async () => {
    const catalog = {
      admins: [USERS.admin, 'U0GONEADMIN'],
      datasets: [
        makeDataset({ id: 'fine', owners: [USERS.owner1, USERS.owner2] }),
        makeDataset({ id: 'guest-owned', owners: ['U0GUEST', USERS.owner1] }),
        makeDataset({ id: 'needs-three', owners: [USERS.owner1], policy: { approvalsRequired: 3 } }),
        makeDataset({ id: 'two-of-two', owners: [USERS.owner1], policy: { approvalsRequired: 2 } }),
        makeDataset({ id: 'auto', owners: [USERS.owner1], policy: { approvalsRequired: 5, autoApprove: true } }),
      ],
    };
    const warnings = await approverWarnings(catalog, standing({ U0GUEST: 'guest', U0GONEADMIN: 'deactivated' }));
    expect(warnings).toEqual([
      'Catalog: admin U0GONEADMIN is a Slack deactivated account and cannot approve anything.',
      'Catalog: dataset "guest-owned": owner U0GUEST is a Slack guest account; they will not be asked to approve.',
      'Catalog: dataset "needs-three": approvals_required is 3 but only 2 owners and admins may approve; every request for it will be refused.',
      'Catalog: dataset "two-of-two": approvals_required is 2; a request by one of its owners has only 1 other approver and will be refused.',
    ]);
  });
});
