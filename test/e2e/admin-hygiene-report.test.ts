import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { releaseGrant } from '../../src/modules/grants/endings.usecases.js';
import { expireGrant } from '../../src/modules/grants/grants.usecases.js';
import { provisionGrant, revokeGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { grants } from '../../src/shared/db/schema.js';
import { ONE_DATASET_CATALOG, USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { runAdmin } from '../helpers/admin-cli.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let t: TestDeps;
let url: string;
let dir: string;
let catalogPath: string;
let since: string;
let until: string;

async function grantAfterAnHour(user: string, dataset: string, duration: string) {
  const r = await createRequest(t.deps, { requesterId: user, datasetId: dataset, duration, reason: 'quarterly planning', via: 'command' });
  t.clock.advance(HOUR);
  await decideRequest(t.deps, r.id, USERS.admin, { kind: 'approve' });
  const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
  await provisionGrant(t.deps, g!.id, { finalAttempt: false });
  return g!.id;
}

/*
 * From T0 (the test clock's start): the marketer's crm-contacts (restricted) grant is active at
 * T0+1h and released at T0+2d1h (2 days); marketer2's campaign-metrics (internal) grant is active
 * at T0+1d1h and expires at T0+2d1h (1 day). Each request was decided an hour after it was made.
 */
beforeAll(async () => {
  t = await createTestDeps();
  if (!t.database.url) throw new Error('these tests need a Postgres server (TEST_DATABASE_URL, or the one the test setup starts)');
  url = t.database.url;
  const T0 = t.clock.now().getTime();
  since = new Date(T0).toISOString();
  until = new Date(T0 + 7 * DAY).toISOString();
  await grantAfterAnHour(USERS.marketer, 'crm-contacts', '14d');
  t.clock.advance(23 * HOUR);
  const second = await grantAfterAnHour(USERS.marketer2, 'campaign-metrics', '1d');
  t.clock.advance(DAY);
  await expireGrant(t.deps, second);
  expect(await revokeGrant(t.deps, second, { finalAttempt: false })).toBe('done');
  const released = await releaseGrant(t.deps, USERS.marketer, 'crm-contacts');
  expect(await revokeGrant(t.deps, released.id, { finalAttempt: false })).toBe('done');
  dir = mkdtempSync(join(tmpdir(), 'dab-hygiene-'));
  catalogPath = join(dir, 'catalog.yml');
  writeFileSync(catalogPath, `${ONE_DATASET_CATALOG}  - id: crm-contacts\n    name: CRM contacts\n    sensitivity: restricted\n    owners: [${USERS.owner1}]\n`);
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run admin -- report', () => {
  it('writes the figures in all, per tier and per dataset as CSV', async () => {
    const r = await runAdmin(['report', '--since', since, '--until', until, '--format', 'csv'], url, { CATALOG_PATH: catalogPath });
    expect(r.code, r.stderr).toBe(0);
    const [header, ...lines] = r.stdout.trim().split('\n');
    const columns = header!.split(',');
    expect(columns.slice(0, 7)).toEqual(['since', 'until', 'scope', 'id', 'tier', 'grant_days', 'people_on_average_day']);
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, v])));
    expect(rows.map((x) => `${x.scope}:${x.id}`)).toEqual(['total:', 'tier:public', 'tier:internal', 'tier:confidential', 'tier:restricted', 'dataset:campaign-metrics', 'dataset:crm-contacts']);
    // grant-days 2 + 1; lengths [1, 2] days: median 1.5, p90 1 + 0.9 = 1.9; one released, one expired
    expect(rows[0]).toMatchObject({
      since,
      until,
      grant_days: '3',
      people_on_average_day: String(Math.round((3 / 7) * 1000) / 1000),
      grants_held: '2',
      grants_ended: '2',
      grant_length_median_days: '1.5',
      grant_length_p90_days: '1.9',
      released_early_share: '0.5',
      ended_by_expiry_share: '0.5',
      ended_by_revoke_share: '0',
      extensions_per_grant: '0',
      decisions: '2',
      decision_median_hours: '1',
      review_items: '0',
      review_on_time_share: '',
      sensitive_people_on_average_day: String(Math.round((2 / 7) * 1000) / 1000),
      coachings_sent: '0',
    });
    expect(rows[4]).toMatchObject({ tier: 'restricted', grant_days: '2', released_early_share: '1', grant_length_median_days: '2' });
    expect(rows[2]).toMatchObject({ tier: 'internal', grant_days: '1', ended_by_expiry_share: '1' });
    expect(rows[1]).toMatchObject({ grant_days: '0', grants_held: '0', grant_length_median_days: '' });
  });

  it('writes a Markdown summary with a table per tier and per dataset', async () => {
    const r = await runAdmin(['report', '--since', since, '--until', until], url, { CATALOG_PATH: catalogPath });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`# Access hygiene ${since} – ${until}`);
    expect(r.stdout).toContain('- Standing access: 3 grant-days; 0.4 people holding data on an average day, 0.3 of them restricted or confidential data');
    expect(r.stdout).toContain('- Grants: 2 held, 2 ended (released early 50%, expired 50%, revoked 0%; 0 extensions per grant)');
    expect(r.stdout).toContain('| all | 3 | 0.4 | 1.5 / 1.9 | 50% | 50% / 0% | 0 | 1 / 1 | — |');
    expect(r.stdout).toContain('| crm-contacts (restricted) | 2 |');
  });

  it('refuses a period that ends before it starts, and an unreadable catalog, with exit code 2', async () => {
    const backwards = await runAdmin(['report', '--since', until, '--until', since], url, { CATALOG_PATH: catalogPath });
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--until must be after --since');
    const noCatalog = await runAdmin(['report', '--since', since], url, { CATALOG_PATH: join(dir, 'missing.yml') });
    expect(noCatalog.code).toBe(2);
    expect(noCatalog.stderr).toContain('cannot read');
  });
});
