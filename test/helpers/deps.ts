import { testQueuePrefix } from './queues.js';
import { inject } from 'vitest';
import { DEFAULT_SETTINGS, type Deps, type PeopleDirectory } from '../../src/modules/deps.js';
import type { Standing } from '../../src/modules/requests/requests.rules.js';
import { closeExtensionsOfGrant } from '../../src/modules/requests/closures.usecases.js';
import type { DigestView, GrantView, MessageRef, Notifier, NudgeView, RequestView, ReviewSummary, TaskView } from '../../src/modules/notifications/notifications.ports.js';
import type { Person, Provisioner, ProvisionTarget } from '../../src/provisioners/provisioner.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { singleConnector } from '../../src/provisioners/registry.js';
import { bullJobScheduler, openQueues, type Queues } from '../../src/worker/queues.js';
import { testCatalog } from './catalog.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { removeQueueKeys } from './queues.js';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-03-02T09:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Records what the use cases asked to say; the Slack notifier itself is covered end to end. */
export class RecordingNotifier implements Notifier {
  readonly sent: Array<{ kind: string; to: string; requestId?: string; grantId?: string }> = [];
  private ts = 0;
  async askApprover(approverId: string, r: RequestView): Promise<MessageRef> {
    this.sent.push({ kind: 'ask', to: approverId, requestId: r.id });
    return { channelId: `D${approverId}`, ts: String(++this.ts) };
  }
  async updateApproverMessage(ref: MessageRef, r: RequestView) {
    this.sent.push({ kind: 'update', to: ref.channelId, requestId: r.id });
  }
  async confirmRequestReceived(r: RequestView) {
    this.sent.push({ kind: 'received', to: r.requesterId, requestId: r.id });
  }
  async tellRequesterOfDecision(r: RequestView) {
    this.sent.push({ kind: 'decision', to: r.requesterId, requestId: r.id });
  }
  async tellGrantExpired(g: GrantView) {
    this.sent.push({ kind: 'expired', to: g.userId, grantId: g.id });
  }
  async tellAccessReady(g: GrantView) {
    this.sent.push({ kind: 'ready', to: g.userId, grantId: g.id });
  }
  async tellProvisioningFailed(to: string, g: GrantView) {
    this.sent.push({ kind: 'provision_failed', to, grantId: g.id });
  }
  async askForTask(to: string, t: TaskView): Promise<MessageRef> {
    this.sent.push({ kind: `task_${t.step}`, to, grantId: t.grant.id });
    return { channelId: `D${to}`, ts: String(++this.ts) };
  }
  async updateTaskMessage(ref: MessageRef, t: TaskView) {
    this.sent.push({ kind: `task_${t.step}_done`, to: ref.channelId, grantId: t.grant.id });
  }
  async alertRevokeStuck(to: string, g: GrantView) {
    this.sent.push({ kind: 'revoke_stuck', to, grantId: g.id });
  }
  async remindTask(to: string, t: TaskView) {
    this.sent.push({ kind: `remind_${t.step}`, to, grantId: t.grant.id });
  }
  async remindApprover(to: string, r: RequestView) {
    this.sent.push({ kind: 'approval_reminder', to, requestId: r.id });
  }
  async tellRequestExpired(r: RequestView) {
    this.sent.push({ kind: 'request_expired', to: r.requesterId, requestId: r.id });
  }
  async tellGrantExtended(g: GrantView) {
    this.sent.push({ kind: 'extended', to: g.userId, grantId: g.id });
  }
  async remindExpiry(g: GrantView, lead: '24h' | '1h') {
    this.sent.push({ kind: `expiry_${lead}`, to: g.userId, grantId: g.id });
  }
  async coachPoster(n: NudgeView) {
    this.sent.push({ kind: 'coach', to: n.userId });
  }
  async alertSecurity(channelId: string, _n: NudgeView) {
    this.sent.push({ kind: 'security_alert', to: channelId });
  }
  readonly digests: DigestView[] = [];
  readonly summaries: ReviewSummary[] = [];
  async sendDigest(d: DigestView): Promise<MessageRef[]> {
    this.digests.push(d);
    this.sent.push({ kind: 'digest', to: d.ownerId });
    return [{ channelId: `D${d.ownerId}`, ts: String(++this.ts) }];
  }
  async updateDigest(_refs: MessageRef[], d: DigestView) {
    this.digests.push(d);
    this.sent.push({ kind: 'digest_update', to: d.ownerId });
  }
  async sendTip(to: string, tip: string) {
    this.sent.push({ kind: `tip:${tip}`, to });
  }
  async remindReview(d: DigestView) {
    this.sent.push({ kind: 'review_reminder', to: d.ownerId });
  }
  async postReviewSummary(channelId: string, s: ReviewSummary) {
    this.summaries.push(s);
    this.sent.push({ kind: 'review_summary', to: channelId });
  }
}

/** A connector that records calls, and fails on demand (`failNext`), for use-case tests. */
export class RecordingProvisioner implements Provisioner {
  readonly kind = 'record' as const;
  readonly calls: Array<{ op: 'grant' | 'revoke'; target: ProvisionTarget }> = [];
  failures = 0;
  async check() {}
  identify(p: Person) {
    return { email: p.email ?? null };
  }
  async grant(target: ProvisionTarget) {
    this.calls.push({ op: 'grant', target });
    this.maybeFail();
  }
  async revoke(target: ProvisionTarget) {
    this.calls.push({ op: 'revoke', target });
    this.maybeFail();
  }
  private maybeFail() {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('target system unavailable');
    }
  }
}

/** Slack profiles as the use cases see them; tests set standings and zones per person. */
export class TestPeople implements PeopleDirectory {
  readonly standings = new Map<string, Standing>();
  readonly zones = new Map<string, string>();
  async email(id: string) {
    return `${id.toLowerCase()}@acme.test`;
  }
  async standing(id: string) {
    return this.standings.get(id) ?? 'member';
  }
  async timeZone(id: string) {
    return this.zones.get(id) ?? 'UTC';
  }
  async everyone() {
    return [];
  }
}

export interface TestDeps {
  deps: Deps;
  clock: TestClock;
  notifier: RecordingNotifier;
  provisioner: RecordingProvisioner;
  people: TestPeople;
  database: TestDatabase;
  queues: Queues;
  close(): Promise<void>;
}

/** Real Postgres (or PGlite) and real Redis queues, with a hand-moved clock and no workers running. */
export async function createTestDeps(): Promise<TestDeps> {
  const database = await createTestDatabase();
  const clock = new TestClock();
  const queuePrefix = testQueuePrefix();
  const queues = await openQueues(inject('redisUrl'), queuePrefix);
  const notifier = new RecordingNotifier();
  const provisioner = new RecordingProvisioner();
  const catalog = testCatalog();
  const people = new TestPeople();
  const deps: Deps = {
    db: database.db,
    catalog,
    clock,
    jobs: bullJobScheduler(queues, clock),
    notifier,
    connectors: singleConnector(catalog, provisioner),
    people,
    settings: { ...DEFAULT_SETTINGS },
    logger: createLogger('silent'),
    onGrantEnding: closeExtensionsOfGrant,
  };
  return {
    deps,
    clock,
    notifier,
    provisioner,
    people,
    database,
    queues,
    async close() {
      await queues.close();
      await database.destroy();
      await removeQueueKeys(inject('redisUrl'), queuePrefix);
    },
  };
}
