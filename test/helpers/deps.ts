import { testQueuePrefix } from './queues.js';
import { inject } from 'vitest';
import { DEFAULT_SETTINGS, type Deps, type PeopleDirectory } from '../../src/modules/deps.js';
import type { Standing } from '../../src/modules/requests/requests.rules.js';
import type { PersonProfile } from '../../src/shared/people.ports.js';
import { closeExtensionsOfGrants } from '../../src/modules/requests/closures.usecases.js';
import type { Content, Destination, DigestView, FileContent, MessageRef, Messenger, PartProgress, ReviewSummary } from '../../src/modules/notifications/notifications.ports.js';
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

/** Records what the messages said, by look; the Slack messenger itself is covered end to end. */
export class RecordingMessenger implements Messenger {
  readonly sent: Array<{ kind: string; to: string; requestId?: string; grantId?: string }> = [];
  readonly digests: DigestView[] = [];
  readonly summaries: ReviewSummary[] = [];
  readonly files: Array<{ to: string } & FileContent> = [];
  private ts = 0;

  async post(to: Destination, content: Content, progress?: PartProgress): Promise<MessageRef[]> {
    if (progress && progress.fromPart > 0) return []; // its one part was posted by an earlier attempt
    const who = 'dm' in to ? to.dm : 'channel' in to ? to.channel : to.privately.user;
    const record = (kind: string, ids: { requestId?: string; grantId?: string } = {}) => this.sent.push({ kind, to: who, ...ids });
    switch (content.look) {
      case 'approval_request': record('ask', { requestId: content.data.id }); break;
      case 'request_received': record('received', { requestId: content.data.id }); break;
      case 'decision': record('decision', { requestId: content.data.request.id }); break;
      case 'approver_reminder': record('approval_reminder', { requestId: content.data.id }); break;
      case 'request_expired': record('request_expired', { requestId: content.data.id }); break;
      case 'grant_expired': record('expired', { grantId: content.data.id }); break;
      case 'access_ready': record('ready', { grantId: content.data.grant.id }); break;
      case 'grant_extended': record('extended', { grantId: content.data.grant.id }); break;
      case 'expiry_reminder': record(`expiry_${content.data.lead}`, { grantId: content.data.grant.id }); break;
      case 'provision_failed': record('provision_failed', { grantId: content.data.grant.id }); break;
      case 'revoke_stuck': record('revoke_stuck', { grantId: content.data.id }); break;
      case 'task': record(`${content.data.reminder ? 'remind' : 'task'}_${content.data.task.step}`, { grantId: content.data.task.grant.id }); break;
      case 'coaching': record('coach'); break;
      case 'security_alert': record('security_alert'); break;
      case 'digest': this.digests.push(content.data); record('digest'); break;
      case 'review_reminder': record('review_reminder'); break;
      case 'review_summary': this.summaries.push(content.data); record('review_summary'); break;
      case 'tip': record(`tip:${content.data.text}`); break;
      case 'scheduled_job_failed': record(`job_failed:${content.data.job}:${content.data.code}`); break;
    }
    if (!('dm' in to)) return [];
    const ref = { channelId: `D${who}`, ts: String(++this.ts) };
    await progress?.onPosted(0, ref);
    return [ref];
  }

  async upload(to: { channel: string }, file: FileContent): Promise<void> {
    this.files.push({ to: to.channel, ...file });
    this.sent.push({ kind: file.look, to: to.channel });
  }

  async update(refs: MessageRef[], content: Content): Promise<void> {
    if (content.look === 'digest') {
      this.digests.push(content.data);
      this.sent.push({ kind: 'digest_update', to: content.data.ownerId });
      return;
    }
    for (const ref of refs) {
      if (content.look === 'approval_request') this.sent.push({ kind: 'update', to: ref.channelId, requestId: content.data.id });
      else if (content.look === 'task') this.sent.push({ kind: `task_${content.data.task.step}_done`, to: ref.channelId, grantId: content.data.task.grant.id });
      else throw new Error(`the messages never update a ${content.look} message`);
    }
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
  async idByEmail(email: string) {
    return email.split('@')[0]?.toUpperCase();
  }
  async exists() {
    return true;
  }
  changed(person: PersonProfile) {
    this.standings.set(person.id, person.standing);
    if (person.tz) this.zones.set(person.id, person.tz);
  }
}

export interface TestDeps {
  deps: Deps;
  clock: TestClock;
  /** The messenger double (named for what the tests read from it: what was said). */
  notifier: RecordingMessenger;
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
  const notifier = new RecordingMessenger();
  const provisioner = new RecordingProvisioner();
  const catalog = testCatalog();
  const people = new TestPeople();
  const deps: Deps = {
    db: database.db,
    catalog,
    clock,
    jobs: bullJobScheduler(queues, clock),
    messenger: notifier,
    connectors: singleConnector(catalog, provisioner),
    people,
    settings: { ...DEFAULT_SETTINGS },
    logger: createLogger('silent'),
    onGrantEnding: closeExtensionsOfGrants,
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
