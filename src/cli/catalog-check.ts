/**
 * `npm run catalog:check [path] [--strict]`: validates the catalog and tests each connector's
 * connection without granting anything. With SLACK_BOT_TOKEN set, it also checks that Slack knows
 * every person in the catalog (emails and user ids), and that no two people in the
 * workspace would share one warehouse login (an error: such a grant is refused). It reports the same errors and warnings as
 * start-up (one shared classification): exit 1 when there is an error (or, with --strict, a warning).
 */
import { WebClient } from '@slack/web-api';
import { catalogError, catalogWarning, sortFindings, type CatalogFinding } from '../catalog/catalog.findings.js';
import { CatalogError, checkCatalog, readCatalogFile, type PeopleLookup } from '../catalog/catalog.loader.js';
import type { Catalog } from '../catalog/catalog.js';
import { approverWarnings } from '../modules/requests/approvers.usecases.js';
import { buildConnectors, connectorFindings, ConnectorConfigError } from '../provisioners/registry.js';
import { BOT_SETTINGS } from '../config/settings.js';
import { createLogger } from '../shared/logger.js';
import type { PeopleDirectory } from '../shared/people.ports.js';
import { slackUserDirectory } from '../slack/users.js';
import { sharedLogins } from '../provisioners/postgres.rules.js';

// without a token, people are taken on trust
const trusting: PeopleLookup = { idByEmail: async () => 'U0UNCHECKED', exists: async () => true };

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const strict = args.includes('--strict');
  const path = args.find((a) => !a.startsWith('--')) ?? process.env.CATALOG_PATH ?? BOT_SETTINGS.CATALOG_PATH.default;
  const findings: CatalogFinding[] = [];
  let catalog: Catalog;
  let users: PeopleDirectory | undefined;
  try {
    const file = await readCatalogFile(path);
    const token = process.env.SLACK_BOT_TOKEN;
    users = token ? slackUserDirectory(new WebClient(token, process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {})) : undefined;
    const checked = await checkCatalog(file, users ?? trusting);
    catalog = checked.catalog;
    findings.push(...checked.findings);
    if (users) findings.push(...(await loginCollisions(catalog, await users.everyone())).map(catalogError));
    if (!token) console.log('note: SLACK_BOT_TOKEN is not set, so the catalog\'s people were not looked up in Slack');
    // the same approver warnings as at start-up: they do not fail the check (unless --strict)
    const standing = users ? users.standing : async () => 'member' as const;
    findings.push(...(await approverWarnings(catalog, standing)).map(catalogWarning));
  } catch (err) {
    console.error(err instanceof CatalogError ? err.message : `Catalog error: ${(err as Error).message}`);
    return 1;
  }
  let connectors;
  try {
    connectors = buildConnectors(catalog, process.env, createLogger('silent'));
  } catch (err) {
    if (err instanceof ConnectorConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  try {
    findings.push(...(await connectorFindings(connectors)));
  } finally {
    await connectors.close();
  }
  for (const { datasetId, connector } of connectors.all()) console.log(`  ${datasetId}: ${connector.kind}`);
  const { errors, warnings } = sortFindings(findings);
  for (const w of warnings) console.error(`warning: ${w}`);
  for (const e of errors) console.error(`error: ${e}`);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (errors.length || (strict && warnings.length)) {
    console.error(`${path}: ${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}.`);
    return 1;
  }
  console.log(`${path}: ${count(catalog.datasets.length, 'dataset')}, ${warnings.length ? `no errors, ${count(warnings.length, 'warning')}` : 'all connectors answered'}.`);
  return 0;
}

/** One line per warehouse login that two Slack users would share under a postgres dataset's rule. */
async function loginCollisions(catalog: Catalog, everyone: Array<{ id: string; email?: string }>): Promise<string[]> {
  const overrides = Object.fromEntries(Object.entries(catalog.people ?? {}).map(([id, p]) => [id, p.postgresRole]));
  const lines: string[] = [];
  for (const d of catalog.datasets) {
    if (d.provisioner.type !== 'postgres') continue;
    const rule = { template: d.provisioner.login_role_template, emailDomains: d.provisioner.email_domains };
    for (const [login, ids] of sharedLogins(rule, everyone, overrides)) {
      lines.push(`dataset "${d.id}": warehouse login ${login} would be shared by ${ids.join(', ')}; name each person's login under people:`);
    }
  }
  return lines;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`catalog:check failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
