import type { Catalog } from '../catalog/catalog.js';
import { catalogError, catalogWarning, type CatalogFinding } from '../catalog/catalog.findings.js';
import type { Logger } from '../shared/logger.js';
import { postgresProvisioner } from './postgres.js';
import { ProvisionerError, type Connector, type Provisioner } from './provisioner.js';
import { recordOnlyProvisioner } from './record-only.js';
import { webhookProvisioner } from './webhook.js';

export class ConnectorConfigError extends Error {
  override name = 'ConnectorConfigError';
}

export interface Connectors {
  forDataset(datasetId: string): Connector;
  all(): Array<{ datasetId: string; connector: Connector }>;
  close(): Promise<void>;
}

/**
 * Builds each dataset's connector from the catalog. Missing environment variables are
 * configuration errors naming the dataset and the variable (never its value).
 */
export function buildConnectors(catalog: Catalog, env: NodeJS.ProcessEnv, logger: Logger): Connectors {
  const byDataset = new Map<string, Connector>();
  const problems: string[] = [];
  const need = (datasetId: string, name: string) => {
    const value = env[name]?.trim();
    if (!value) problems.push(`dataset "${datasetId}": environment variable ${name} is not set`);
    return value ?? '';
  };
  for (const d of catalog.datasets) {
    const p = d.provisioner;
    if (p.type === 'postgres') byDataset.set(d.id, postgresProvisioner(d.id, p, need(d.id, p.connection_env)));
    else if (p.type === 'webhook') byDataset.set(d.id, webhookProvisioner(d.id, p, need(d.id, p.secret_env)));
    else if (p.type === 'manual') byDataset.set(d.id, { kind: 'manual' });
    else byDataset.set(d.id, recordOnlyProvisioner(logger));
  }
  if (problems.length) throw new ConnectorConfigError(`Connector configuration error:\n  - ${problems.join('\n  - ')}`);
  return fromMap(byDataset);
}

/**
 * Each dataset's kind of connector and nothing more, for a process that never talks to a target
 * system itself (the admin CLI: the grants and revokes it starts are carried out by the worker).
 * Needs no connector secrets; calling a target from here throws.
 */
export function connectorKinds(catalog: Catalog): Connectors {
  const elsewhere = (kind: Provisioner['kind']): Provisioner => {
    const refuse = (): never => {
      throw new Error(`the ${kind} connector is called by the bot's worker, not by this process`);
    };
    return { kind, identify: refuse, grant: async () => refuse(), revoke: async () => refuse(), check: async () => refuse() };
  };
  return fromMap(new Map(catalog.datasets.map((d) => [d.id, d.provisioner.type === 'manual' ? { kind: 'manual' as const } : elsewhere(d.provisioner.type)])));
}

/** Every dataset uses the same connector (tests, or a single-system install). */
export function singleConnector(catalog: Catalog, connector: Connector): Connectors {
  return fromMap(new Map(catalog.datasets.map((d) => [d.id, connector])));
}

function fromMap(byDataset: Map<string, Connector>): Connectors {
  return {
    // a dataset removed from the catalog keeps being revoked by hand: the safe default
    forDataset: (datasetId) => byDataset.get(datasetId) ?? { kind: 'manual' },
    all: () => [...byDataset].map(([datasetId, connector]) => ({ datasetId, connector })),
    async close() {
      const closing = new Set<Provisioner>();
      for (const c of byDataset.values()) if (c.kind !== 'manual') closing.add(c);
      await Promise.all([...closing].map((c) => c.close?.()));
    },
  };
}

/**
 * Tests each connector's connection (of these kinds, or all) without granting anything. A
 * permanent failure (a dataset role the warehouse does not have) is an error; anything else (an
 * unreachable target) is a warning, since grants and revokes are retried until it is back.
 * Start-up and `catalog:check` both use this, so they agree.
 */
export async function connectorFindings(connectors: Connectors, kinds?: Array<Connector['kind']>): Promise<CatalogFinding[]> {
  const findings: CatalogFinding[] = [];
  for (const { datasetId, connector } of connectors.all()) {
    if (connector.kind === 'manual' || (kinds && !kinds.includes(connector.kind))) continue;
    try {
      await connector.check();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const line = message.includes(datasetId) ? message : `dataset "${datasetId}": ${message}`;
      findings.push(err instanceof ProvisionerError && err.permanent ? catalogError(line) : catalogWarning(line));
    }
  }
  return findings;
}

/** Tests each connector's connection without granting anything; returns one line per problem. */
export async function checkConnectors(connectors: Connectors): Promise<string[]> {
  return (await connectorFindings(connectors)).map((f) => f.message);
}
