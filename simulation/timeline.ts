/**
 * Simulated time: a clock the simulation sets, a timeline of things due (kept in time order, ties
 * in the order they were added), and a JobScheduler that puts the bot's jobs on that timeline
 * instead of in Redis, run as the worker would run them when their time comes.
 */
import type { Deps, JobScheduler } from '../src/modules/deps.js';
import { expireGrant } from '../src/modules/grants/grants.usecases.js';
import { provisionGrant, revokeGrant } from '../src/modules/grants/provisioning.usecases.js';
import { deliverMessage } from '../src/modules/notifications/notifications.usecases.js';
import type { Clock } from '../src/shared/clock.js';

export class SimClock implements Clock {
  private current: number;
  constructor(start: Date) {
    this.current = start.getTime();
  }
  now() {
    return new Date(this.current);
  }
  set(at: number) {
    if (at < this.current) throw new Error(`simulated time never goes back (${new Date(at).toISOString()} < ${new Date(this.current).toISOString()})`);
    this.current = at;
  }
}

interface Entry {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/** A binary heap of what is due, by time then by order of addition (so the run is deterministic). */
export class Timeline {
  private heap: Entry[] = [];
  private seq = 0;
  constructor(readonly clock: SimClock) {}

  at(when: Date | number, run: () => Promise<void>): void {
    // whole milliseconds, as a Date holds them
    const at = Math.max(Math.round(typeof when === 'number' ? when : when.getTime()), this.clock.now().getTime());
    this.heap.push({ at, seq: this.seq++, run });
    this.up(this.heap.length - 1);
  }

  /** Runs everything due before `end`, one at a time, moving the clock to each one's time. */
  async runUntil(end: Date): Promise<void> {
    while (this.heap.length && this.heap[0]!.at < end.getTime()) {
      const next = this.pop();
      this.clock.set(next.at);
      await next.run();
    }
    this.clock.set(end.getTime());
  }

  private less(a: Entry, b: Entry) {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  private up(i: number) {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  private pop(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The bot's jobs on the timeline, with BullMQ's semantics where they matter: a job id already
 * waiting is not added twice, an expiry job woken before its grant is due sleeps until the new
 * end (as src/worker/workers.ts does), and provisioning steps, revokes and messages run at once.
 * The record connector never fails, so no retries are needed.
 */
export class TimelineJobs implements JobScheduler {
  private waiting = new Set<string>();
  private deps?: Deps;
  constructor(private readonly timeline: Timeline) {}

  /** The use cases the jobs run need the deps, which need this scheduler: wired once both exist. */
  attach(deps: Deps) {
    this.deps = deps;
  }

  private add(id: string, when: Date | number, run: (deps: Deps) => Promise<void>) {
    if (this.waiting.has(id)) return;
    this.waiting.add(id);
    this.timeline.at(when, async () => {
      this.waiting.delete(id);
      await run(this.deps!);
    });
  }

  async scheduleExpiry(grantId: string, endsAt: Date) {
    this.add(`expire-grant-${grantId}`, endsAt, async (deps) => {
      const outcome = await expireGrant(deps, grantId);
      if (outcome.kind === 'not_due') await this.scheduleExpiry(grantId, outcome.endsAt);
    });
  }
  async scheduleExpiries(grants: Array<{ id: string; endsAt: Date }>) {
    for (const g of grants) await this.scheduleExpiry(g.id, g.endsAt);
  }
  async enqueueDeliveries(outboxIds: number[]) {
    for (const id of outboxIds) {
      this.add(`deliver-${id}`, this.timeline.clock.now(), async (deps) => {
        await deliverMessage(deps, id);
      });
    }
  }
  async enqueueNewDeliveries(outboxIds: number[]) {
    await this.enqueueDeliveries(outboxIds);
  }
  async enqueueProvision(grantId: string) {
    this.add(`provision-grant-${grantId}`, this.timeline.clock.now(), async (deps) => {
      await provisionGrant(deps, grantId, { finalAttempt: true });
    });
  }
  async enqueueRevoke(grantId: string) {
    this.add(`revoke-grant-${grantId}`, this.timeline.clock.now(), async (deps) => {
      await revokeGrant(deps, grantId, { finalAttempt: true });
    });
  }
  async enqueueRevokes(grantIds: string[]) {
    for (const grantId of grantIds) await this.enqueueRevoke(grantId);
  }
}
