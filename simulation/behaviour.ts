/**
 * The people of the synthetic organisation. They act only through the bot's use cases, and they
 * react to what the bot tells them, as people would: an owner answers the approval request in
 * their DMs, a marketer whose access is ready releases it when done (some do), extends it when the
 * expiry reminder comes and the work is not finished, asks again when it ended too early, and
 * owners answer (or ignore) the weekly review digest.
 */
import { findDataset } from '../src/catalog/catalog.js';
import type { Deps } from '../src/modules/deps.js';
import { releaseGrantById } from '../src/modules/grants/endings.usecases.js';
import type { Content, Destination, MessageRef, Messenger } from '../src/modules/notifications/notifications.ports.js';
import { decideRequest } from '../src/modules/requests/decisions.usecases.js';
import { requestExtension } from '../src/modules/requests/extensions.usecases.js';
import { listMyAccess } from '../src/modules/requests/requests.usecases.js';
import { submitHeldRequest, submitRequest } from '../src/modules/requests/submissions.usecases.js';
import { decideReviewDataset, decideReviewItem, myOpenReviewItems } from '../src/modules/reviews/reviews.usecases.js';
import { isAppError } from '../src/shared/errors.js';
import { BEHAVIOUR, TIME, type Need } from './organisation.js';
import type { Random } from './random.js';
import type { Timeline } from './timeline.js';

/** One person's ongoing need of one dataset (overlapping needs of the same dataset merge into one). */
export interface NeedRecord {
  userId: string;
  datasetId: string;
  start: Date;
  end: Date;
  releasesEarly: boolean;
  /** The owners said no; the person gives up on this need. */
  denied: boolean;
}

const REASON = 'Campaign analysis for the quarterly marketing plan';
const key = (userId: string, datasetId: string) => `${userId}|${datasetId}`;

export class People implements Messenger {
  /** Every need record, in the order they began. */
  readonly records: NeedRecord[] = [];
  /** Domain errors people met (an old button, a request refused), by code: part of the run's story. */
  readonly refusals = new Map<string, number>();
  private current = new Map<string, NeedRecord>();
  private triedExtending = new Set<string>();
  private deps?: Deps;
  private ts = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly random: Random,
  ) {}

  attach(deps: Deps) {
    this.deps = deps;
  }

  private get now() {
    return this.timeline.clock.now();
  }
  private later(hours: number, run: () => Promise<void>) {
    this.timeline.at(this.now.getTime() + hours * TIME.HOUR, run);
  }
  private open(record: NeedRecord | undefined): record is NeedRecord {
    return !!record && !record.denied && record.end > this.now;
  }

  /** Runs a person's action; a coded refusal is what a person would see and shrug at, anything else stops the run. */
  private async attempt(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (err) {
      if (!isAppError(err)) throw err;
      this.refusals.set(err.code, (this.refusals.get(err.code) ?? 0) + 1);
    }
  }

  /** A need arrives: it extends the same person's ongoing need of that dataset, or starts a new one. */
  async needArrives(need: Need): Promise<void> {
    const existing = this.current.get(key(need.userId, need.datasetId));
    if (this.open(existing)) {
      if (need.end > existing.end) existing.end = need.end;
      return;
    }
    const record: NeedRecord = { ...need, releasesEarly: this.random.chance(BEHAVIOUR.releasesEarly), denied: false };
    this.records.push(record);
    this.current.set(key(need.userId, need.datasetId), record);
    await this.askForAccess(record);
  }

  /** `/access request` unless the person already holds the dataset or is waiting for an answer. */
  private async askForAccess(record: NeedRecord): Promise<void> {
    if (!this.open(record) || this.current.get(key(record.userId, record.datasetId)) !== record) return;
    const deps = this.deps!;
    const mine = await listMyAccess(deps, record.userId);
    if (mine.pending.some((r) => r.dataset.id === record.datasetId)) return;
    const held = mine.active.find((g) => g.datasetId === record.datasetId);
    if (held) {
      // being set up or taken away right now: look again a little later
      if (held.status !== 'active') this.later(1, () => this.askForAccess(record));
      return;
    }
    await this.attempt(async () => {
      const submitted = await submitRequest(deps, {
        requesterId: record.userId,
        datasetId: record.datasetId,
        duration: this.chooseDuration(record),
        reason: REASON,
        via: 'command',
      });
      // a first sensitive request opens the data-handling policy: the person reads it and accepts
      if (submitted.kind === 'needs_acknowledgement') await submitHeldRequest(deps, record.userId, submitted.draftId);
    });
  }

  /** The dataset's default, or the person's estimate of the need rounded up to a usual duration. */
  private chooseDuration(record: NeedRecord): string | undefined {
    if (this.random.chance(BEHAVIOUR.takesDefaultDuration)) return undefined;
    const dataset = findDataset(this.deps!.catalog, record.datasetId)!;
    const maxDays = Math.floor(dataset.maxDurationMinutes / (24 * 60));
    const wanted = ((record.end.getTime() - this.now.getTime()) / TIME.DAY) * BEHAVIOUR.estimateSlack;
    const days = BEHAVIOUR.durationChoicesDays.find((d) => d >= wanted && d <= maxDays) ?? maxDays;
    return `${days}d`;
  }

  // ---- the Messenger port: what the bot tells people, and what they do about it ----

  async post(to: Destination, content: Content): Promise<MessageRef[]> {
    const who = 'dm' in to ? to.dm : 'channel' in to ? to.channel : to.privately.user;
    this.react(who, content);
    return 'dm' in to ? [{ channelId: `D${who}`, ts: String(++this.ts) }] : [];
  }

  async update(): Promise<void> {}

  /** The weekly chart: nobody in the simulation looks at it. */
  async upload(): Promise<void> {}

  private react(who: string, content: Content): void {
    const deps = this.deps!;
    switch (content.look) {
      case 'approval_request': {
        const request = content.data;
        if (request.status !== 'pending') return;
        const deny = this.random.chance(BEHAVIOUR.denyShare[request.dataset.sensitivity]);
        this.later(this.random.exponential(BEHAVIOUR.decisionMeanHours), () =>
          this.attempt(() => decideRequest(deps, request.id, who, deny ? { kind: 'deny', reason: 'Not needed for this purpose' } : { kind: 'approve' })),
        );
        return;
      }
      case 'decision': {
        const { request } = content.data;
        const record = this.current.get(key(request.requesterId, request.dataset.id));
        // a refused extension: the person works until the access ends, then asks again
        if (request.status === 'denied' && request.kind === 'access' && this.open(record)) record.denied = true;
        return;
      }
      case 'request_expired': {
        const record = this.current.get(key(content.data.requesterId, content.data.dataset.id));
        if (this.open(record)) this.later(this.askAgainDelay(), () => this.askForAccess(record));
        return;
      }
      case 'access_ready': {
        const { grant } = content.data;
        const record = this.current.get(key(grant.userId, grant.dataset.id));
        if (record?.releasesEarly && !record.denied) this.releaseWhenDone(record, grant.id);
        return;
      }
      case 'expiry_reminder': {
        const { grant } = content.data;
        const record = this.current.get(key(grant.userId, grant.dataset.id));
        const attemptId = `${grant.id}|${grant.endsAt.getTime()}`;
        if (!this.open(record) || record.end <= grant.endsAt || this.triedExtending.has(attemptId)) return;
        this.triedExtending.add(attemptId);
        if (!this.random.chance(BEHAVIOUR.extendsWhenReminded)) return;
        const maxDays = Math.floor(findDataset(deps.catalog, grant.dataset.id)!.maxDurationMinutes / (24 * 60));
        const days = Math.min(maxDays, Math.max(1, Math.ceil((record.end.getTime() - grant.endsAt.getTime()) / TIME.DAY)));
        this.later(0, () => this.attempt(() => requestExtension(deps, { userId: grant.userId, datasetId: grant.dataset.id, grantId: grant.id, duration: `${days}d`, reason: REASON })));
        return;
      }
      case 'grant_expired': {
        // access ended (expired, released, revoked): if the work goes on, the person asks again
        const grant = content.data;
        const record = this.current.get(key(grant.userId, grant.dataset.id));
        if (this.open(record) && record.end.getTime() > this.now.getTime() + TIME.HOUR) this.later(this.askAgainDelay(), () => this.askForAccess(record));
        return;
      }
      case 'digest': {
        if (!this.random.chance(BEHAVIOUR.answersReview)) return;
        const [from, to] = BEHAVIOUR.reviewAnswerHours;
        this.later(this.random.uniform(from, to), () => this.answerReview(who));
        return;
      }
      default:
        return;
    }
  }

  private askAgainDelay() {
    const [from, to] = BEHAVIOUR.askAgainHours;
    return this.random.uniform(from, to);
  }

  /** At the end of the need (plus a little), `/access release` — unless the need grew meanwhile. */
  private releaseWhenDone(record: NeedRecord, grantId: string): void {
    const [from, to] = BEHAVIOUR.releaseDelayHours;
    const end = record.end.getTime();
    this.timeline.at(end + this.random.uniform(from, to) * TIME.HOUR, async () => {
      if (record.end.getTime() !== end) return this.releaseWhenDone(record, grantId);
      await this.attempt(() => releaseGrantById(this.deps!, record.userId, grantId));
    });
  }

  /**
   * An owner goes through their open review items: keep what is still needed, mostly revoke the
   * rest. When every item of a dataset gets the same answer, they click Keep all / Revoke all.
   */
  private async answerReview(ownerId: string): Promise<void> {
    const deps = this.deps!;
    const digest = await myOpenReviewItems(deps, ownerId);
    for (const dataset of digest?.datasets ?? []) {
      const decisions = dataset.items.map((item) => {
        const needed = this.open(this.current.get(key(item.userId, dataset.id)));
        return { item, decision: needed || !this.random.chance(BEHAVIOUR.revokesUnneeded) ? ('keep' as const) : ('revoke' as const) };
      });
      const [one] = decisions;
      if (one && decisions.every((d) => d.decision === one.decision)) {
        await this.attempt(() => decideReviewDataset(deps, digest!.campaignId, dataset.id, ownerId, one.decision));
        continue;
      }
      for (const { item, decision } of decisions) await this.attempt(() => decideReviewItem(deps, item.id, ownerId, decision));
    }
  }
}
