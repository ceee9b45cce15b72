import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Catalog } from '../../src/catalog/catalog.js';
import { listAuditFor } from '../../src/modules/audit/audit.repository.js';
import { expireDueGrants } from '../../src/modules/grants/expiry.usecases.js';
import { findGrant } from '../../src/modules/grants/grants.repository.js';
import { provisionGrant, revokeGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { buildConnectors, type Connectors } from '../../src/provisioners/registry.js';
import { createLogger } from '../../src/shared/logger.js';
import { grants } from '../../src/shared/db/schema.js';
import { makeDataset, USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { Warehouse } from '../helpers/warehouse.js';

/**
 * Grants on a real warehouse falling due together: one REVOKE names every login of the batch,
 * then each login is checked with pg_has_role, which is true for membership by any path (granted
 * directly, or through another role the login belongs to). Only grants whose login no longer has
 * the role end; the others stay `revoking` with a revoke job of their own (retries, then alerts).
 */
const warehouse = Warehouse.fromEnv();
const team = `${warehouse.prefix}_team`;
const PEOPLE = ['U0PG1', 'U0PG2', 'U0PG3', 'U0PG4'];
const login = (userId: string) => `${warehouse.prefix}_${userId.toLowerCase()}`;

beforeAll(async () => {
  await warehouse.setUp();
  for (const p of PEOPLE) await warehouse.createLogin(login(p));
  await warehouse.createRole(team);
});
afterAll(async () => {
  await warehouse.tearDown();
});

let t: TestDeps;
let connectors: Connectors;
beforeEach(async () => {
  t = await createTestDeps();
  const catalog: Catalog = {
    admins: [USERS.admin],
    datasets: [
      makeDataset({
        id: 'campaign-metrics',
        owners: [USERS.owner1],
        provisioner: { type: 'postgres', connection_env: 'WAREHOUSE_URL', role: warehouse.datasetRole, login_role_template: `${warehouse.prefix}_{email_local}`, email_domains: ['acme.test'] },
      }),
    ],
  };
  connectors = buildConnectors(catalog, { WAREHOUSE_URL: warehouse.adminUrl }, createLogger('silent'));
  t.deps.catalog = catalog;
  t.deps.connectors = connectors;
});
afterEach(async () => {
  await connectors?.close();
  await t?.close();
});

async function activeGrant(userId: string) {
  const request = await createRequest(t.deps, { requesterId: userId, datasetId: 'campaign-metrics', duration: '1h', reason: 'batch', via: 'command' });
  await decideRequest(t.deps, request.id, USERS.owner1, { kind: 'approve' });
  const [grant] = await t.database.db.select().from(grants).where(eq(grants.requestId, request.id));
  expect(await provisionGrant(t.deps, grant!.id, { finalAttempt: false })).toBe('done');
  return (await findGrant(t.deps.db, grant!.id))!;
}

describe('batched REVOKE on a Postgres warehouse', () => {
  it('ends exactly the grants whose login no longer has the role; one still holding it through another role stays revoking', async () => {
    const [g1, g2, g3] = [await activeGrant('U0PG1'), await activeGrant('U0PG2'), await activeGrant('U0PG3')];
    for (const p of ['U0PG1', 'U0PG2', 'U0PG3']) expect(await warehouse.canSelect(login(p))).toBe(true);
    // U0PG3 also holds the dataset role through a team role the warehouse's admin gave them: the
    // bot's REVOKE cannot take that away, so the access has not ended
    await warehouse.grantRole(warehouse.datasetRole, team);
    await warehouse.grantRole(team, login('U0PG3'));

    t.clock.advance(3600_000);
    expect(await expireDueGrants(t.deps)).toEqual({ started: 3, ended: 2, handedOff: 1 });

    for (const [g, p] of [[g1!, 'U0PG1'], [g2!, 'U0PG2']] as const) {
      expect(await warehouse.canSelect(login(p))).toBe(false);
      expect((await findGrant(t.deps.db, g.id))!.status).toBe('expired');
      const ended = (await listAuditFor(t.deps.db, 'grant', g.id)).at(-1)!;
      expect(ended).toMatchObject({ action: 'grant.expired', details: { connector: 'postgres' } });
    }
    expect(await warehouse.hasRole(login('U0PG3'))).toBe(true);
    expect((await findGrant(t.deps.db, g3!.id))!).toMatchObject({ status: 'revoking', endedAt: null });
    expect((await listAuditFor(t.deps.db, 'grant', g3!.id)).map((e) => e.action)).not.toContain('grant.expired');
    expect(await t.queues.provisioning.getJob(`revoke-grant-${g3!.id}`)).toBeTruthy();
    // its own revoke job fails the same way until the other path is removed, then ends it
    expect(await revokeGrant(t.deps, g3!.id, { finalAttempt: false })).toBe('retry');
    await warehouse.revokeRole(team, login('U0PG3'));
    expect(await revokeGrant(t.deps, g3!.id, { finalAttempt: false })).toBe('done');
    expect((await findGrant(t.deps.db, g3!.id))!.status).toBe('expired');
    await warehouse.revokeRole(warehouse.datasetRole, team);
  });

  it('a login dropped from the warehouse holds nothing: its grant ends with the others', async () => {
    const [g4, g1] = [await activeGrant('U0PG4'), await activeGrant('U0PG1')];
    const admin = (await import('postgres')).default(warehouse.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop role "${login('U0PG4')}"`);
    await admin.end();
    t.clock.advance(3600_000);
    expect(await expireDueGrants(t.deps)).toEqual({ started: 2, ended: 2, handedOff: 0 });
    expect((await findGrant(t.deps.db, g4!.id))!.status).toBe('expired');
    expect((await findGrant(t.deps.db, g1!.id))!.status).toBe('expired');
    expect(await warehouse.canSelect(login('U0PG1'))).toBe(false);
  });
});
