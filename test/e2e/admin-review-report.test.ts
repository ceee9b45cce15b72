import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { provisionGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { followUpReviews } from '../../src/modules/reviews/followups.usecases.js';
import { decideReviewItem, startReview } from '../../src/modules/reviews/reviews.usecases.js';
import { grants, reviewItems } from '../../src/shared/db/schema.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { runAdmin } from '../helpers/admin-cli.js';

const DAY = 24 * 3600_000;
let t: TestDeps;
let url: string;
let campaignId: string;

beforeAll(async () => {
  t = await createTestDeps();
  if (!t.database.url) throw new Error('these tests need a Postgres server (TEST_DATABASE_URL, or the one the test setup starts)');
  url = t.database.url;
  t.deps.catalog.review = { enabled: true, schedule: '0 9 * * 1', timeZone: 'UTC', deadlineDays: 5, reminderHoursBefore: 24 };
  for (const [user, dataset] of [
    ['U0A', 'crm-contacts'],
    ['U0B', 'crm-contacts'],
    ['U0C', 'campaign-metrics'],
    ['U0D', 'campaign-metrics'],
  ] as const) {
    const r = await createRequest(t.deps, { requesterId: user, datasetId: dataset, duration: '14d', reason: 'quarterly planning', via: 'command' });
    await decideRequest(t.deps, r.id, USERS.admin, { kind: 'approve' });
    const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
    await provisionGrant(t.deps, g!.id, { finalAttempt: false });
  }
  const { campaign } = await startReview(t.deps, USERS.admin);
  campaignId = campaign.id;
  const items = await t.database.db.select().from(reviewItems).where(eq(reviewItems.campaignId, campaignId));
  const itemOf = (user: string) => items.find((i) => i.userId === user)!.id;
  t.clock.advance(DAY);
  await decideReviewItem(t.deps, itemOf('U0A'), USERS.owner1, 'keep');
  await decideReviewItem(t.deps, itemOf('U0C'), USERS.owner1, 'revoke');
  // nobody reviews U0B (restricted: revoked at the deadline) nor U0D (internal: kept)
  t.clock.advance(5 * DAY);
  await followUpReviews(t.deps);
});
afterAll(async () => {
  await t?.close();
});

describe('npm run admin -- review report', () => {
  it('writes every item, its decision, who decided and when, and what the deadline did, as CSV', async () => {
    const r = await runAdmin(['review', 'report', campaignId, '--format', 'csv'], url);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...lines] = r.stdout.trim().split('\n');
    expect(header).toBe('campaign_id,item_id,grant_id,dataset,person,decision,decided_by,decided_at,outcome,deadline,grant_status,grant_ended_at');
    const byPerson = Object.fromEntries(lines.map((l) => l.split(',')).map((f) => [f[4], f]));
    expect(Object.keys(byPerson).sort()).toEqual(['U0A', 'U0B', 'U0C', 'U0D']);
    const decidedAt = new Date('2026-03-03T09:00:00.000Z').toISOString();
    const deadlineAt = new Date('2026-03-07T09:00:00.000Z').toISOString();
    expect(byPerson.U0A!.slice(3, 9)).toEqual(['crm-contacts', 'U0A', 'keep', USERS.owner1, decidedAt, 'kept_by_reviewer']);
    expect(byPerson.U0C!.slice(3, 9)).toEqual(['campaign-metrics', 'U0C', 'revoke', USERS.owner1, decidedAt, 'revoked_by_reviewer']);
    expect(byPerson.U0B!.slice(5, 9)).toEqual(['revoke', 'system', expect.any(String), 'revoked_at_deadline']);
    expect(byPerson.U0D!.slice(5, 9)).toEqual(['keep', 'system', expect.any(String), 'kept_at_deadline']);
    expect(byPerson.U0A![9]).toBe(deadlineAt);
    expect(byPerson.U0C![10]).not.toBe('active'); // the revoke went through the connector's path
  });

  it('writes a readable Markdown summary for the latest review', async () => {
    const r = await runAdmin(['review', 'report', 'latest'], url);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`# Access review ${campaignId}`);
    expect(r.stdout).toContain(`- Started: 2026-03-02T09:00:00.000Z by ${USERS.admin}`);
    expect(r.stdout).toContain('- Status: closed');
    expect(r.stdout).toContain('- Grants under review: 4');
    expect(r.stdout).toContain('- Kept by reviewers: 1; revoked by reviewers: 1');
    expect(r.stdout).toContain('- At the deadline, by policy: kept 1, revoked 1');
    expect(r.stdout).toMatch(/\| crm-contacts \| U0A \| keep \| U0OWNER1 \| 2026-03-03T09:00:00\.000Z \| kept by reviewer \| active \|/);
    expect(r.stdout).toMatch(/\| crm-contacts \| U0B \| revoke \| system \| .* \| revoked at the deadline \(policy\) \|/);
    const json = await runAdmin(['review', 'report', 'latest', '--json'], url);
    expect(JSON.parse(json.stdout)).toMatchObject({ campaign: { id: campaignId }, counts: { kept_by_reviewer: 1, revoked_by_reviewer: 1, kept_at_deadline: 1, revoked_at_deadline: 1 } });
  });

  it('says so, with exit code 3, for a review that does not exist', async () => {
    const r = await runAdmin(['review', 'report', '00000000-0000-0000-0000-000000000000'], url);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: There is no access review with id 00000000-0000-0000-0000-000000000000.');
  });
});
