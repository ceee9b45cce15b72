import { addMinutes } from 'date-fns';
import type { Catalog, Dataset } from '../../catalog/catalog.js';

/**
 * Who is asked to decide: the dataset's owners, minus the requester. When the requester is the
 * only owner, the catalog's admins are asked instead (never the requester themself).
 */
export function approversFor(catalog: Catalog, dataset: Dataset, requesterId: string): string[] {
  const owners = dataset.owners.filter((id) => id !== requesterId);
  if (owners.length > 0) return owners;
  return catalog.admins.filter((id) => id !== requesterId);
}

export type DecisionRefusal = 'own_request' | 'not_an_approver';

/** Server-side check for a decision: owners and admins may decide, nobody decides their own request. */
export function checkDecider(
  catalog: Catalog,
  dataset: Dataset | undefined,
  request: { requesterId: string },
  deciderId: string,
): DecisionRefusal | undefined {
  if (deciderId === request.requesterId) return 'own_request';
  if (catalog.admins.includes(deciderId)) return undefined;
  if (dataset?.owners.includes(deciderId)) return undefined;
  return 'not_an_approver';
}

export function grantEnd(start: Date, durationMinutes: number): Date {
  return addMinutes(start, durationMinutes);
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

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

export const REASON_MAX_LENGTH = 1000;
