import { getPriority, setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority (its `nice` value, 0 to 19; higher yields more) and returns
 * the value it runs at. A worker process does it at start (WORKER_NICE): on a machine it shares
 * with a web process, the web process answering Slack (within Slack's 3 s, at p99 within a few
 * times a bare Bolt app, issue #12) is then scheduled first, and the worker's jobs (deliveries,
 * expiry, reviews), which no one waits on by the millisecond, use what CPU is left. On a machine
 * of its own the worker loses nothing: a nice value only matters when processes compete.
 *
 * It never raises the priority (that needs privileges): a process already started lower, e.g.
 * under `nice -n 15`, keeps its own.
 */
export function lowerCpuPriority(nice: number): { nice: number; error?: string } {
  try {
    if (nice > getPriority()) setPriority(nice);
    return { nice: getPriority() };
  } catch (err) {
    // a platform or sandbox that forbids it: the worker runs as it was started
    return { nice: safePriority(), error: err instanceof Error ? err.message : String(err) };
  }
}

function safePriority(): number {
  try {
    return getPriority();
  } catch {
    return 0;
  }
}
