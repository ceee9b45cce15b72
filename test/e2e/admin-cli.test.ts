import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { provisionGrant, revokeGrant } from '../../src/modules/grants/provisioning.usecases.js';
import { expireGrant } from '../../src/modules/grants/grants.usecases.js';
import { addToOutbox } from '../../src/modules/notifications/notifications.repository.js';
import { outboxMessage } from '../../src/modules/notifications/messages/messages.js';
import { decideRequest } from '../../src/modules/requests/decisions.usecases.js';
import { createRequest } from '../../src/modules/requests/requests.usecases.js';
import { auditEvents, grants, reviewCampaigns } from '../../src/shared/db/schema.js';
import { jobIds } from '../../src/worker/queues.js';
import { buildProgram } from '../../src/cli/admin/admin.js';
import { runAdmin } from '../helpers/admin-cli.js';
import { USERS } from '../helpers/catalog.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

/** Each CLI run is its own process (node + tsx), several seconds each on a busy machine. */
const ACTOR = `cli:${userInfo().username}`;
const MISSING = '00000000-0000-4000-8000-000000000000';
let t: TestDeps;
let env: NodeJS.ProcessEnv;
let url: string;

/** The test catalog (test/helpers/catalog.ts) as a file, as the CLI reads it. */
const CATALOG = `admins: [${USERS.admin}]
datasets:
  - { id: crm-contacts, name: CRM contacts, sensitivity: restricted, owners: [${USERS.owner1}, ${USERS.owner2}], max_duration: 30d, default_duration: 7d }
  - { id: campaign-metrics, name: Campaign metrics, sensitivity: internal, owners: [${USERS.owner1}], max_duration: 14d, default_duration: 1d }
  - { id: web-analytics, name: Web analytics, sensitivity: public, owners: [${USERS.marketer}], max_duration: 90d, default_duration: 30d }
`;

/** An active grant made through the use cases: request, approval, provisioning. */
async function activeGrant(user: string, dataset: string, duration = '1d') {
  const r = await createRequest(t.deps, { requesterId: user, datasetId: dataset, duration, reason: 'quarterly campaign analysis', via: 'command' });
  await decideRequest(t.deps, r.id, USERS.admin, { kind: 'approve' });
  const [g] = await t.database.db.select().from(grants).where(eq(grants.requestId, r.id));
  expect(await provisionGrant(t.deps, g!.id, { finalAttempt: false })).toBe('done');
  return g!.id;
}

const grantRow = async (id: string) => (await t.database.db.select().from(grants).where(eq(grants.id, id)))[0]!;
const eventsBy = (actorId: string, action: string) =>
  t.database.db.select().from(auditEvents).where(and(eq(auditEvents.actorId, actorId), eq(auditEvents.action, action)));
const admin = (args: string[]) => runAdmin(args, url, env);

beforeAll(async () => {
  t = await createTestDeps();
  if (!t.database.url) throw new Error('these tests need a Postgres server (TEST_DATABASE_URL, or the one the test setup starts)');
  url = t.database.url;
  // the use cases' clock an hour behind the real one, which the CLI uses
  t.clock.advance(Date.now() - 3600_000 - t.clock.now().getTime());
  const dir = mkdtempSync(join(tmpdir(), 'dab-admin-cli-'));
  writeFileSync(join(dir, 'catalog.yml'), CATALOG);
  env = { CATALOG_PATH: join(dir, 'catalog.yml'), REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: t.queues.messages.opts.prefix };
});
afterAll(async () => {
  await t?.close();
});

describe('npm run admin -- --help', { timeout: 300_000 }, () => {
  const COMMANDS = [
    'grants list', 'grants revoke', 'grants stuck', 'grants resolve', 'requests list', 'messages resend',
    'review start', 'review report', 'catalog check', 'audit verify', 'audit export', 'audit verify-file',
  ];
  it('every command has help saying what it does, its options and exit codes', () => {
    const program = buildProgram();
    const leaves = program.commands.flatMap((g) => g.commands.map((c) => `${g.name()} ${c.name()}`));
    expect(leaves.sort()).toEqual([...COMMANDS].sort());
    for (const path of COMMANDS) {
      const [g, c] = path.split(' ');
      const command = program.commands.find((x) => x.name() === g)!.commands.find((x) => x.name() === c)!;
      let help = '';
      command.configureOutput({ writeOut: (s) => (help += s) }).outputHelp();
      expect(help, path).toContain(`Usage: admin ${path}`);
      expect(help, path).toMatch(/Exit codes: 0/);
    }
  });

  it('as a process: the top level lists every group; an unknown command or value is a usage error (2)', async () => {
    const r = await runAdmin(['--help'], undefined);
    expect(r.code, r.stderr).toBe(0);
    for (const g of ['grants', 'requests', 'messages', 'review', 'catalog', 'audit']) expect(r.stdout).toContain(`  ${g} `);
    const sub = await runAdmin(['grants', 'revoke', '--help'], undefined);
    expect(sub.stdout).toContain('Usage: admin grants revoke [options] <grant-id>');
    const bad = await runAdmin(['grants', 'frobnicate'], undefined);
    expect(bad.code).toBe(2);
    const badState = await runAdmin(['grants', 'list', '--state', 'sleeping'], url);
    expect(badState.code).toBe(2);
    expect(badState.stderr).toContain('expected one or more of provisioning, active');
  });
});

describe('grants and requests list', { timeout: 300_000 }, () => {
  it('filters by person, dataset, state and end, as one JSON document', async () => {
    const a = await activeGrant('U0LIST1', 'campaign-metrics', '1d');
    const b = await activeGrant('U0LIST1', 'crm-contacts', '10d');
    await activeGrant('U0LIST2', 'campaign-metrics', '1d');
    const mine = JSON.parse((await admin(['grants', 'list', '--person', '<@U0LIST1|mia>', '--json'])).stdout);
    expect(mine.grants.map((g: { id: string }) => g.id)).toEqual([a, b]);
    const soon = JSON.parse((await admin(['grants', 'list', '--person', 'U0LIST1', '--state', 'active', '--ending-before', '2d', '--json'])).stdout);
    expect(soon).toMatchObject({ count: 1, grants: [{ id: a, datasetId: 'campaign-metrics', userId: 'U0LIST1', status: 'active' }] });
    const byDataset = JSON.parse((await admin(['grants', 'list', '--dataset', 'campaign-metrics', '--state', 'active', '--json'])).stdout);
    expect(byDataset.grants.map((g: { userId: string }) => g.userId)).toEqual(expect.arrayContaining(['U0LIST1', 'U0LIST2']));
    const text = await admin(['grants', 'list', '--person', 'U0LIST1']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^grant\s+dataset\s+person\s+state\s+ends/);
    expect(text.stdout).toContain(a);

    await createRequest(t.deps, { requesterId: 'U0LIST1', datasetId: 'web-analytics', duration: '1d', reason: 'look at traffic', via: 'command' });
    const requests = JSON.parse((await admin(['requests', 'list', '--person', 'U0LIST1', '--json'])).stdout);
    expect(requests.count).toBe(3);
    const approved = JSON.parse((await admin(['requests', 'list', '--person', 'U0LIST1', '--state', 'approved', '--dataset', 'crm-contacts', '--json'])).stdout);
    expect(approved).toMatchObject({ count: 1, requests: [{ datasetId: 'crm-contacts', status: 'approved', decidedBy: USERS.admin }] });
  });
});

describe('grants revoke', { timeout: 300_000 }, () => {
  it('revokes through the use case, as cli:<os user>, queues the revoke and audits it', async () => {
    const id = await activeGrant('U0REV1', 'campaign-metrics');
    const r = await admin(['grants', 'revoke', id, '--reason', 'left the team', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, grantId: id, status: 'revoking', actor: ACTOR });
    const g = await grantRow(id);
    expect(g).toMatchObject({ status: 'revoking', endReason: 'revoked', endedBy: ACTOR, endNote: 'left the team' });
    // other tests of this file (shuffled) revoke as the same actor: look for this grant's event
    const events = (await eventsBy(ACTOR, 'grant.revoke_started')).filter((e) => e.subjectId === id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ subjectId: id, details: { reason: 'revoked', datasetId: 'campaign-metrics' } });
    expect(await t.queues.provisioning.getJob(jobIds.revoke(id))).toBeTruthy();

    // once it is no longer active: refused, exit 1, nothing changed
    const again = await admin(['grants', 'revoke', id, '--reason', 'again']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error: This access to campaign-metrics is revoking, not active, so there is nothing to revoke.');
  });

  it('an unknown grant: exit code 3 and a message, also as JSON', async () => {
    const r = await admin(['grants', 'revoke', MISSING, '--reason', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: There is no access grant with id ${MISSING}.`);
    const json = await admin(['grants', 'revoke', 'not-a-uuid', '--reason', 'x', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { code: 'grants.unknown_grant', message: 'There is no access grant with id not-a-uuid.' } });
    const noReason = await admin(['grants', 'revoke', MISSING]);
    expect(noReason.code).toBe(2);
  });
});

describe('grants stuck and resolve', { timeout: 300_000 }, () => {
  it('lists a revoke whose retries ran out and resolves it as removed by hand, as cli:<os user>', async () => {
    const id = await activeGrant('U0STUCK', 'crm-contacts', '1h');
    t.clock.advance(3600_000 + 1000);
    expect((await expireGrant(t.deps, id)).kind).toBe('expired');
    t.provisioner.failures = 1;
    expect(await revokeGrant(t.deps, id, { finalAttempt: true })).toBe('gave_up');

    const stuck = JSON.parse((await admin(['grants', 'stuck', '--json'])).stdout);
    expect(stuck.grants).toContainEqual(expect.objectContaining({ id, trouble: 'stuck_revoke', datasetId: 'crm-contacts', lastError: 'target system unavailable' }));

    const r = await admin(['grants', 'resolve', id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, grantId: id, actor: ACTOR });
    expect((await grantRow(id)).status).toBe('expired');
    const [event] = (await eventsBy(ACTOR, 'grant.expired')).filter((e) => e.subjectId === id);
    expect(event).toMatchObject({ subjectId: id, details: { connector: 'resolved_by_hand' } });
    const after = JSON.parse((await admin(['grants', 'stuck', '--json'])).stdout);
    expect(after.grants.map((g: { id: string }) => g.id)).not.toContain(id);
  });

  it('refuses a revoke that is not stuck (exit 1), and an unknown grant (exit 3)', async () => {
    const id = await activeGrant('U0NOTSTUCK', 'crm-contacts');
    // an active grant: nothing to resolve, and the CLI says what to run instead
    const active = await admin(['grants', 'resolve', id]);
    expect(active.code).toBe(1);
    expect(active.stderr).toContain(`grants revoke ${id}`);
    expect((await grantRow(id)).status).toBe('active');
    await admin(['grants', 'revoke', id, '--reason', 'audit finding']);
    const r = await admin(['grants', 'resolve', id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not stuck');
    expect((await grantRow(id)).status).toBe('revoking');
    expect((await admin(['grants', 'resolve', MISSING])).code).toBe(3);
  });
});

describe('messages resend', { timeout: 300_000 }, () => {
  it('queues undelivered messages again and audits it', async () => {
    const id = await activeGrant('U0MSG', 'campaign-metrics');
    const [outboxId] = await addToOutbox(t.deps.db, new Date(Date.now() - 3600_000), [outboxMessage('access_ready', { grantId: id })]);
    const r = await admin(['messages', 'resend', '--older-than', '30m', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ ok: true, actor: ACTOR });
    expect(result.outboxIds).toContain(outboxId);
    expect(await t.queues.messages.getJob(jobIds.deliver(outboxId!))).toBeTruthy();
    const events = await eventsBy(ACTOR, 'messages.resent');
    expect(events.at(-1)).toMatchObject({ subjectType: 'outbox', details: { requeued: result.requeued, olderThanSeconds: 1800 } });
    // nothing that recent
    expect(JSON.parse((await admin(['messages', 'resend', '--older-than', '2h', '--json'])).stdout).outboxIds).not.toContain(outboxId);
  });

  it('needs REDIS_URL, and says so', async () => {
    const r = await runAdmin(['messages', 'resend'], url, { ...env, REDIS_URL: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set REDIS_URL');
  });
});

describe('review start', { timeout: 300_000 }, () => {
  it('starts a review through the use case as cli:<os user>; a second start changes nothing', async () => {
    await activeGrant('U0REVIEW', 'campaign-metrics', '7d');
    const r = await admin(['review', 'start', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout);
    expect(first).toMatchObject({ ok: true, created: true, startedBy: ACTOR });
    const [campaign] = await t.database.db.select().from(reviewCampaigns).where(eq(reviewCampaigns.id, first.campaignId));
    expect(campaign).toMatchObject({ startedBy: ACTOR, status: 'open' });
    expect((await eventsBy(ACTOR, 'review.started')).map((e) => e.subjectId)).toContain(first.campaignId);
    const again = JSON.parse((await admin(['review', 'start', '--json'])).stdout);
    expect(again).toMatchObject({ created: false, campaignId: first.campaignId });
  });
});

describe('catalog check', { timeout: 300_000 }, () => {
  it('checks the catalog as catalog:check does, as JSON', async () => {
    const r = await admin(['catalog', 'check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, datasets: 3, errors: [], connectors: expect.arrayContaining([{ datasetId: 'crm-contacts', kind: 'record' }]) });
    const missing = await admin(['catalog', 'check', '/nonexistent/catalog.yml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read /nonexistent/catalog.yml');
  });
});
