import { Gauge, Registry } from 'prom-client';

/** What Postgres says at scrape time (read by the metrics module's use case). */
export interface DatabaseState {
  /** Open requests by state (only `pending`: finished ones grow without bound and are not counted). */
  requests: Record<string, number>;
  /** Grants the target systems hold or may hold, by state: provisioning, active, revoking. */
  grants: Record<string, number>;
  /** Automated revokes whose tries ran out: people were alerted, the target may still hold the access. */
  stuckRevokes: number;
  outboxBacklog: number;
  /** Age of the oldest undelivered message, 0 when there is none. */
  outboxOldestAgeSeconds: number;
  /** Review items nobody decided, in a review whose deadline has passed. */
  reviewItemsOverdue: number;
}

/** One BullMQ queue's job counts by state (waiting, prioritized, active, delayed, failed). */
export interface QueueState {
  queue: string;
  counts: Record<string, number>;
}

export interface StateSources {
  database(): Promise<DatabaseState>;
  queues(): Promise<QueueState[]>;
}

/** A scrape answers in time even when Postgres or Redis hangs; what was not read is left out. */
export const STATE_READ_TIMEOUT_MS = 2_000;

/**
 * The gauges read from Postgres and Redis at scrape time. Each scrape reads both sources within
 * `timeoutMs`; a source that fails or is late contributes no samples (never stale or zero values)
 * and `dab_state_source_up{source}` says 0. A read still running from an earlier scrape is joined,
 * not started again, so a hung dependency does not pile up queries.
 */
export function stateGauges(sources: StateSources, timeoutMs = STATE_READ_TIMEOUT_MS): { render(): Promise<string> } {
  const running = new Map<string, Promise<unknown>>();
  const readOnce = <T>(name: keyof StateSources, read: () => Promise<T>): Promise<T | undefined> => {
    let p = running.get(name) as Promise<T | undefined> | undefined;
    if (!p) {
      p = read()
        .catch(() => undefined)
        .finally(() => running.delete(name));
      running.set(name, p);
    }
    return p;
  };

  return {
    async render() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      const [db, queues] = await Promise.all([
        Promise.race([readOnce('database', sources.database), late]),
        Promise.race([readOnce('queues', sources.queues), late]),
      ]);
      clearTimeout(timer);
      return renderState(db, queues);
    },
  };
}

function renderState(db: DatabaseState | undefined, queues: QueueState[] | undefined): Promise<string> {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });

  const up = gauge('dab_state_source_up', 'Whether this scrape read the state gauges from the source (postgres, redis) in time', ['source']);
  up.set({ source: 'postgres' }, db ? 1 : 0);
  up.set({ source: 'redis' }, queues ? 1 : 0);

  if (db) {
    const requests = gauge('dab_requests', 'Access requests by state (open states only)', ['state']);
    for (const [state, n] of Object.entries(db.requests)) requests.set({ state }, n);
    const grants = gauge('dab_grants', 'Grants the target systems hold or may hold, by state', ['state']);
    for (const [state, n] of Object.entries(db.grants)) grants.set({ state }, n);
    gauge('dab_stuck_revokes', 'Revokes whose tries ran out (people were alerted); the target system may still hold the access').set(db.stuckRevokes);
    gauge('dab_outbox_backlog', 'Messages written to the outbox and not yet delivered').set(db.outboxBacklog);
    gauge('dab_outbox_oldest_age_seconds', 'Age of the oldest undelivered outbox message (0 when none), in seconds').set(db.outboxOldestAgeSeconds);
    gauge('dab_review_items_overdue', 'Access-review items still undecided after their review’s deadline').set(db.reviewItemsOverdue);
  }
  if (queues) {
    const jobs = gauge('dab_queue_jobs', 'BullMQ jobs by queue and state (waiting, prioritized, active, delayed, failed)', ['queue', 'state']);
    for (const q of queues) for (const [state, n] of Object.entries(q.counts)) jobs.set({ queue: q.queue, state }, n);
  }
  return registry.metrics();
}
