import { findDataset, type Catalog } from '../../catalog/catalog.js';

/** What the rules need to know about a review item: whose grant, on which dataset. */
export interface ReviewedGrant {
  datasetId: string;
  userId: string;
}

/**
 * Who is asked to review a grant: the dataset's owners, except the grantee (nobody reviews their
 * own access). When no other owner is left, the admins (again, except the grantee) are asked.
 * Empty when nobody else could decide: the dataset's `review_default` applies at the deadline.
 */
export function assignedReviewers(catalog: Catalog, item: ReviewedGrant): string[] {
  const owners = (findDataset(catalog, item.datasetId)?.owners ?? []).filter((id) => id !== item.userId);
  if (owners.length) return owners;
  return catalog.admins.filter((id) => id !== item.userId);
}

/**
 * `assignedReviewers` for many items: the catalog is searched once per dataset, not once per item
 * (a review of 50,000 grants asks this 50,000 times). Treat the returned arrays as read-only.
 */
export function reviewersLookup(catalog: Catalog): (item: ReviewedGrant) => readonly string[] {
  const ownersByDataset = new Map<string, readonly string[]>();
  const admins = catalog.admins;
  return (item) => {
    let owners = ownersByDataset.get(item.datasetId);
    if (!owners) {
      owners = findDataset(catalog, item.datasetId)?.owners ?? [];
      ownersByDataset.set(item.datasetId, owners);
    }
    const others = owners.includes(item.userId) ? owners.filter((id) => id !== item.userId) : owners;
    if (others.length) return others;
    return admins.includes(item.userId) ? admins.filter((id) => id !== item.userId) : admins;
  };
}

/** Whether `userId` may keep or revoke this grant: its assigned reviewers, and any admin, never the grantee. */
export function mayReview(catalog: Catalog, item: ReviewedGrant, userId: string): boolean {
  if (userId === item.userId) return false;
  return catalog.admins.includes(userId) || assignedReviewers(catalog, item).includes(userId);
}

/** Everyone asked to review at least one of these items, sorted (one digest, reminder or update each). */
export function reviewersOfItems(catalog: Catalog, items: ReviewedGrant[]): string[] {
  const reviewersOf = reviewersLookup(catalog);
  const all = new Set<string>();
  for (const item of items) for (const id of reviewersOf(item)) all.add(id);
  return [...all].sort();
}

/**
 * Reviewers who left some of their items to the deadline: those who decided none of the items
 * they were asked about, and those who decided part of them (with how many they left).
 */
export function unansweredReviewers(
  catalog: Catalog,
  items: Array<ReviewedGrant & { decision: string | null; decidedBy: string | null; automatic: boolean }>,
): { silent: string[]; partial: Array<{ userId: string; undecided: number }> } {
  const tally = new Map<string, { undecided: number; answered: number }>();
  const reviewersOf = reviewersLookup(catalog);
  for (const item of items) {
    const byPerson = item.decision !== null && !item.automatic;
    for (const reviewer of reviewersOf(item)) {
      const t = tally.get(reviewer) ?? { undecided: 0, answered: 0 };
      if (!byPerson) t.undecided++;
      else if (item.decidedBy === reviewer) t.answered++;
      tally.set(reviewer, t);
    }
  }
  const silent: string[] = [];
  const partial: Array<{ userId: string; undecided: number }> = [];
  for (const [userId, t] of [...tally].sort(([a], [b]) => a.localeCompare(b))) {
    if (t.undecided === 0) continue;
    if (t.answered > 0) partial.push({ userId, undecided: t.undecided });
    else silent.push(userId);
  }
  return { silent, partial };
}
