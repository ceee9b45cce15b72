/**
 * The catalog check shared by `npm run catalog:check` and `npm run admin -- catalog check`: it
 * validates the catalog and tests each connector's connection without granting anything. With
 * SLACK_BOT_TOKEN set, it also checks that Slack knows every person in the catalog (emails and user
 * ids), and that no two people in the workspace would share one warehouse login (an error: such a
 * grant is refused). It reports the same errors and warnings as start-up (one shared
 * classification): it fails on an error (or, with `strict`, a warning).
 */
import { WebClient } from '@slack/web-api';
import { catalogError, catalogWarning, sortFindings, type CatalogFinding } from '../../catalog/catalog.findings.js';
import { CatalogError, checkCatalog, readCatalogFile, type PeopleLookup } from '../../catalog/catalog.loader.js';
import type { Catalog } from '../../catalog/catalog.js';
import { approverWarnings } from '../../modules/requests/approvers.usecases.js';
import { buildConnectors, connectorFindings, ConnectorConfigError } from '../../provisioners/registry.js';
import { BOT_SETTINGS } from '../../config/settings.js';
import { createLogger } from '../../shared/logger.js';
import type { PeopleDirectory } from '../../shared/people.ports.js';
import { slackUserDirectory } from '../../slack/users.js';
import { sharedLogins } from '../../provisioners/postgres.rules.js';

// without a token, people are taken on trust
const trusting: PeopleLookup = { idByEmail: async () => 'U0UNCHECKED', exists: async () => true };

export interface CatalogCheckResult {
  ok: boolean;
  path: string;
  datasets: number;
  connectors: Array<{ datasetId: string; kind: string }>;
  errors: string[];
  warnings: string[];
  notes: string[];
  /** the catalog could not be read or its connectors not built: one message says why */
  fatal?: string;
}

export async function runCatalogCheck(opts: { path?: string; strict: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<CatalogCheckResult> {
  const path = opts.path ?? env.CATALOG_PATH ?? BOT_SETTINGS.CATALOG_PATH.default;
  const result: CatalogCheckResult = { ok: false, path, datasets: 0, connectors: [], errors: [], warnings: [], notes: [] };
  const findings: CatalogFinding[] = [];
  let catalog: Catalog;
  let users: PeopleDirectory | undefined;
  try {
    const file = await readCatalogFile(path);
    const token = env.SLACK_BOT_TOKEN;
    users = token ? slackUserDirectory(new WebClient(token, env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {})) : undefined;
    const checked = await checkCatalog(file, users ?? trusting);
    catalog = checked.catalog;
    findings.push(...checked.findings);
    if (users) findings.push(...(await loginCollisions(catalog, await users.everyone())).map(catalogError));
    if (!token) result.notes.push('SLACK_BOT_TOKEN is not set, so the catalog\'s people were not looked up in Slack');
    // the same approver warnings as at start-up: they do not fail the check (unless strict)
    const standing = users ? users.standing : async () => 'member' as const;
    findings.push(...(await approverWarnings(catalog, standing)).map(catalogWarning));
  } catch (err) {
    return { ...result, fatal: err instanceof CatalogError ? err.message : `Catalog error: ${(err as Error).message}` };
  }
  result.datasets = catalog.datasets.length;
  let connectors;
  try {
    connectors = buildConnectors(catalog, env, createLogger('silent'));
  } catch (err) {
    if (err instanceof ConnectorConfigError) return { ...result, fatal: err.message };
    throw err;
  }
  try {
    findings.push(...(await connectorFindings(connectors)));
  } finally {
    await connectors.close();
  }
  result.connectors = connectors.all().map(({ datasetId, connector }) => ({ datasetId, kind: connector.kind }));
  const { errors, warnings } = sortFindings(findings);
  result.errors = errors;
  result.warnings = warnings;
  result.ok = errors.length === 0 && !(opts.strict && warnings.length > 0);
  return result;
}

/** The check's report as lines: data on stdout, warnings and errors on stderr (as `catalog:check` always printed it). */
export function printCatalogCheck(r: CatalogCheckResult): void {
  for (const n of r.notes) console.log(`note: ${n}`);
  if (r.fatal) {
    console.error(r.fatal);
    return;
  }
  for (const c of r.connectors) console.log(`  ${c.datasetId}: ${c.kind}`);
  for (const w of r.warnings) console.error(`warning: ${w}`);
  for (const e of r.errors) console.error(`error: ${e}`);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (!r.ok) console.error(`${r.path}: ${count(r.errors.length, 'error')}, ${count(r.warnings.length, 'warning')}.`);
  else console.log(`${r.path}: ${count(r.datasets, 'dataset')}, ${r.warnings.length ? `no errors, ${count(r.warnings.length, 'warning')}` : 'all connectors answered'}.`);
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
