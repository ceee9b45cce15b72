import { findDataset } from '../../catalog/catalog.js';
import { othersOnLogin } from '../../provisioners/postgres.rules.js';
import { ProvisionerError, type GrantTarget, type Provisioner } from '../../provisioners/provisioner.js';
import type { Deps } from '../deps.js';
import * as repo from './grants.repository.js';
import type { Grant } from './grants.repository.js';

/**
 * Who the connector gives access to for this grant. Named once, before the first attempt, from the
 * person's Slack profile and the catalog, and recorded on the grant: every later attempt, and the
 * revoke, act on exactly that record. A login another Slack user would share is refused.
 */
export async function identityForGrant(deps: Pick<Deps, 'db' | 'catalog' | 'people'>, grant: Grant, connector: Provisioner): Promise<GrantTarget> {
  if (grant.target) return grant.target;
  const postgresRole = deps.catalog.people?.[grant.userId]?.postgresRole;
  // a connector that changes nothing elsewhere never waits for Slack; the others must name the person
  const email = connector.kind === 'record' ? await deps.people.email(grant.userId).catch(() => undefined) : await askSlack(() => deps.people.email(grant.userId));
  const identity = connector.identify({ userId: grant.userId, email, postgresRole });
  if (identity.login && !postgresRole) await refuseSharedLogin(deps, grant, identity.login);
  return (await repo.recordTarget(deps.db, grant.id, identity)) ?? identity;
}

/**
 * Who the revoke takes access away from: what was recorded when it was granted. Grants made
 * before identities were recorded fall back to naming the person now. Undefined when nothing
 * can have been given (a grant that failed before its first attempt).
 */
export async function identityForRevoke(deps: Pick<Deps, 'catalog' | 'people'>, grant: Grant, connector: Provisioner): Promise<GrantTarget | undefined> {
  if (grant.target) return grant.target;
  const person = async () => ({
    userId: grant.userId,
    email: await deps.people.email(grant.userId).catch(() => undefined),
    postgresRole: deps.catalog.people?.[grant.userId]?.postgresRole,
  });
  if (grant.endReason === 'provision_failed') {
    try {
      return connector.identify(await person());
    } catch {
      return undefined;
    }
  }
  return connector.identify(await person());
}

async function refuseSharedLogin(deps: Pick<Deps, 'db' | 'catalog' | 'people'>, grant: Grant, login: string) {
  const p = findDataset(deps.catalog, grant.datasetId)?.provisioner;
  const rule = p?.type === 'postgres' ? { template: p.login_role_template, emailDomains: p.email_domains } : undefined;
  const overrides = Object.fromEntries(Object.entries(deps.catalog.people ?? {}).map(([id, s]) => [id, s.postgresRole]));
  const everyone = rule ? await askSlack(() => deps.people.everyone()) : [];
  const others = new Set([
    ...(rule ? othersOnLogin(rule, login, grant.userId, everyone, overrides) : []),
    ...(await repo.otherUsersOnLogin(deps.db, login, grant.userId)),
  ]);
  if (others.size === 0) return;
  throw new ProvisionerError(
    `the warehouse login ${login} would be shared by ${grant.userId} and ${[...others].join(', ')}, so it was not granted; an admin names each person's login under people: in the catalog`,
    true,
  );
}

async function askSlack<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch {
    throw new ProvisionerError('Slack did not answer, so the person cannot be named in the target system yet');
  }
}
