import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority (its `nice` value, 0 to 19; higher yields more) and returns
 * the value it runs at. A worker process does it at start (WORKER_NICE): where it competes for the
 * same cores with a web process (one machine, one cgroup), the web process answering Slack (within
 * Slack's 3 s, at p99 within a few times a bare Bolt app, issue #12) gets the larger share (at 5, a
 * worker weighs about a third of a process at 0), and the worker's jobs (deliveries, expiry,
 * reviews), which no one waits on by the millisecond, use the rest. Without competition nothing
 * changes. Processes in different cgroups (separate containers) are weighed by their cgroups' CPU
 * weights instead, which this does not touch.
 *
 * On Linux a nice value belongs to each thread, and a thread takes its creator's when it starts:
 * the threads Node started before this ran (V8's garbage-collection and compiler helpers, libuv's
 * pool) are lowered one by one, and threads started later inherit the main thread's value.
 *
 * It never raises a priority (that needs privileges): a process already started lower, e.g. under
 * `nice -n 15`, keeps its own.
 */
export function lowerCpuPriority(nice: number): { nice: number; threads: number; error?: string } {
  try {
    const threads = threadIds();
    for (const tid of threads) {
      try {
        if (nice > getPriority(tid)) setPriority(tid, nice);
      } catch (err) {
        // a thread that ended meanwhile
        if ((err as { code?: string }).code !== 'ESRCH') throw err;
      }
    }
    return { nice: getPriority(), threads: threads.length };
  } catch (err) {
    // a platform or sandbox that forbids it: the worker runs as it was started
    return { nice: safePriority(), threads: 0, error: err instanceof Error ? err.message : String(err) };
  }
}

/** This process's threads (Linux: /proc/self/task), else the process alone (0: the caller). */
function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return [0];
  }
}

function safePriority(): number {
  try {
    return getPriority();
  } catch {
    return 0;
  }
}
