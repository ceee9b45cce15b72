import type { Catalog, Dataset } from '../../catalog/catalog.js';
import type { Deps } from '../deps.js';
import { requestErrors } from './requests.errors.js';
import { planApprovers, type Standing } from './requests.rules.js';

/** Guests, deactivated accounts and bots are never asked; 'unknown' (Slack did not answer) is asked and checked on click. */
export const mayBeAsked = (standing: Standing) => standing === 'member' || standing === 'unknown';

async function standings(ids: string[], standing: (id: string) => Promise<Standing>): Promise<Map<string, Standing>> {
  const unique = [...new Set(ids)];
  const answers = await Promise.all(unique.map((id) => standing(id).catch(() => 'unknown' as const)));
  return new Map(unique.map((id, i) => [id, answers[i]!]));
}

/**
 * The people to ask about a request (or an extension): eligible owners, plus admins when they are
 * fewer than the policy requires. Refuses, before anything is stored, when even then there are not
 * enough distinct people who may decide.
 */
export async function chooseApprovers(deps: Pick<Deps, 'catalog' | 'people'>, dataset: Dataset, requesterId: string): Promise<{ approvers: string[]; required: number }> {
  const known = await standings([...dataset.owners, ...deps.catalog.admins], (id) => deps.people.standing(id));
  const plan = planApprovers(deps.catalog, dataset, requesterId, (id) => mayBeAsked(known.get(id) ?? 'unknown'));
  if (plan.approvers.length === 0) throw requestErrors.noApprovers(dataset.id);
  if (plan.approvers.length < plan.required) throw requestErrors.notEnoughApprovers(dataset.id, plan.required, plan.approvers.length);
  return plan;
}

/**
 * What start-up and `catalog:check` warn about: owners and admins who cannot decide (guests,
 * deactivated accounts, bots), and datasets whose `approvals_required` cannot be met by the
 * people who may decide, for everyone or for a request made by one of its owners.
 */
export async function approverWarnings(catalog: Catalog, standing: (id: string) => Promise<Standing>): Promise<string[]> {
  const known = await standings([...catalog.datasets.flatMap((d) => d.owners), ...catalog.admins], standing);
  const cannot = (id: string) => !mayBeAsked(known.get(id) ?? 'unknown');
  const warnings: string[] = [];
  for (const id of catalog.admins.filter(cannot)) warnings.push(`Catalog: admin ${id} is a Slack ${known.get(id)} account and cannot approve anything.`);
  for (const d of catalog.datasets) {
    for (const id of d.owners.filter(cannot)) {
      warnings.push(`Catalog: dataset "${d.id}": owner ${id} is a Slack ${known.get(id)} account; they will not be asked to approve.`);
    }
    if (d.policy.autoApprove) continue;
    const required = d.policy.approvalsRequired;
    const deciders = new Set([...d.owners, ...catalog.admins].filter((id) => !cannot(id)));
    if (deciders.size < required) {
      warnings.push(
        `Catalog: dataset "${d.id}": approvals_required is ${required} but only ${deciders.size} owner${deciders.size === 1 ? '' : 's'} and admins may approve; every request for it will be refused.`,
      );
    } else if (d.owners.some((id) => deciders.has(id)) && deciders.size - 1 < required) {
      warnings.push(
        `Catalog: dataset "${d.id}": approvals_required is ${required}; a request by one of its owners has only ${deciders.size - 1} other approver${deciders.size - 1 === 1 ? '' : 's'} and will be refused.`,
      );
    }
  }
  return warnings;
}
