/**
 * `npm run catalog:check [path]`: validates the catalog and tests each connector's connection
 * without granting anything. Exits 1 with one line per problem. With SLACK_BOT_TOKEN set, it
 * also checks that Slack knows every email in the catalog, and that no two people in the
 * workspace would share one warehouse login.
 */
import { WebClient } from '@slack/web-api';
import { CatalogError, readCatalogFile, resolveCatalog } from '../catalog/catalog.loader.js';
import type { Catalog } from '../catalog/catalog.js';
import { buildConnectors, checkConnectors, ConnectorConfigError } from '../provisioners/registry.js';
import { createLogger } from '../shared/logger.js';
import { slackUserDirectory, type UserDirectory } from '../slack/users.js';
import { sharedLogins } from '../provisioners/postgres.rules.js';

async function main(): Promise<number> {
  const path = process.argv[2] ?? process.env.CATALOG_PATH ?? './catalog.yml';
  const problems: string[] = [];
  let catalog: Catalog;
  let users: UserDirectory | undefined;
  try {
    const file = await readCatalogFile(path);
    const token = process.env.SLACK_BOT_TOKEN;
    users = token ? slackUserDirectory(new WebClient(token, process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {})) : undefined;
    const lookup = users ? users.idByEmail : async () => 'U0UNCHECKED'; // without a token, emails are taken on trust
    catalog = await resolveCatalog(file, lookup, (m) => problems.push(m));
    if (users) problems.push(...(await loginCollisions(catalog, await users.everyone())));
    if (!token) console.log('note: SLACK_BOT_TOKEN is not set, so emails were not looked up in Slack');
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
    problems.push(...(await checkConnectors(connectors)));
  } finally {
    await connectors.close();
  }
  for (const { datasetId, connector } of connectors.all()) console.log(`  ${datasetId}: ${connector.kind}`);
  if (problems.length) {
    console.error(`${path}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  - ${problems.join('\n  - ')}`);
    return 1;
  }
  console.log(`${path}: ${catalog.datasets.length} datasets, all connectors answered.`);
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
