import { describe, expect, it } from 'vitest';
import { assignedReviewers, mayReview, unansweredReviewers } from '../../src/modules/reviews/reviews.rules.js';
import { testCatalog, USERS } from '../helpers/catalog.js';

const catalog = testCatalog(); // crm-contacts: owner1 + owner2; campaign-metrics: owner1; admin: admin

describe('who reviews a grant', () => {
  it("asks the dataset's other owners, or the admins when the grantee is its only owner", () => {
    expect(assignedReviewers(catalog, { datasetId: 'crm-contacts', userId: USERS.marketer })).toEqual([USERS.owner1, USERS.owner2]);
    expect(assignedReviewers(catalog, { datasetId: 'crm-contacts', userId: USERS.owner1 })).toEqual([USERS.owner2]);
    expect(assignedReviewers(catalog, { datasetId: 'campaign-metrics', userId: USERS.owner1 })).toEqual([USERS.admin]);
    expect(assignedReviewers(catalog, { datasetId: 'gone-from-catalog', userId: USERS.marketer })).toEqual([USERS.admin]);
  });

  it('never lets anyone, admins included, review their own grant', () => {
    expect(mayReview(catalog, { datasetId: 'crm-contacts', userId: USERS.owner1 }, USERS.owner1)).toBe(false);
    expect(mayReview(catalog, { datasetId: 'crm-contacts', userId: USERS.admin }, USERS.admin)).toBe(false);
    expect(mayReview(catalog, { datasetId: 'crm-contacts', userId: USERS.owner1 }, USERS.admin)).toBe(true);
    expect(mayReview(catalog, { datasetId: 'campaign-metrics', userId: USERS.marketer }, USERS.owner2)).toBe(false);
  });

  it('counts, per reviewer, what they left to the deadline', () => {
    const item = (userId: string, decision: 'keep' | null, decidedBy: string | null = null, automatic = false) => ({ datasetId: 'crm-contacts', userId, decision, decidedBy, automatic });
    const result = unansweredReviewers(catalog, [
      item('U0A', 'keep', USERS.owner1),
      item('U0B', 'keep', 'system', true),
      item('U0C', null),
      item(USERS.owner1, null), // only owner2 was asked about this one
    ]);
    expect(result).toEqual({ silent: [USERS.owner2], partial: [{ userId: USERS.owner1, undecided: 2 }] });
  });
});
