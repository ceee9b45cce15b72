/**
 * `npm run catalog:check [path]`: validates the catalog and tests each connector's connection
 * without granting anything. Exits 1 with one line per problem. With SLACK_BOT_TOKEN set, it
 * also checks that Slack knows every email in the catalog.
 */
import { WebClient } from '@slack/web-api';
import { CatalogError, readCatalogFile, resolveCatalog } from '../catalog/catalog.loader.js';
import type { Catalog } from '../catalog/catalog.js';
import { approverWarnings } from '../modules/requests/approvers.usecases.js';
import { buildConnectors, checkConnectors, ConnectorConfigError } from '../provisioners/registry.js';
import { createLogger } from '../shared/logger.js';
import { slackUserDirectory } from '../slack/users.js';

async function main(): Promise<number> {
  const path = process.argv[2] ?? process.env.CATALOG_PATH ?? './catalog.yml';
  const problems: string[] = [];
  let catalog: Catalog;
  try {
    const file = await readCatalogFile(path);
    const token = process.env.SLACK_BOT_TOKEN;
    const directory = token ? slackUserDirectory(new WebClient(token, process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {})) : undefined;
    const lookup = directory ? directory.idByEmail : async () => 'U0UNCHECKED'; // without a token, emails are taken on trust
    catalog = await resolveCatalog(file, lookup, (m) => problems.push(m));
    if (!token) console.log('note: SLACK_BOT_TOKEN is not set, so emails were not looked up in Slack');
    // the same warnings as at start-up: they do not fail the check
    const standing = directory ? directory.standing : async () => 'member' as const;
    for (const warning of await approverWarnings(catalog, standing)) console.warn(`warning: ${warning}`);
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

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`catalog:check failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
