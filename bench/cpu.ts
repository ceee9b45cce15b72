import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** CPU seconds (user + system) a process has used so far (Linux /proc), or undefined once it has gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    // fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Jiffies the whole machine has spent busy and in total so far (Linux /proc/stat). */
function machineJiffies(): { busy: number; total: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
    const idle = cpu[3]! + (cpu[4] ?? 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

const RESOLUTION_MS = 5;

export interface Busy {
  /** Share of one core the process used (1 = a whole core). */
  cpu: number;
  /** This process only: the p99 of how late its event loop ran a timer, in ms (how late the load generator itself was). */
  loopDelayP99?: number;
}

/**
 * Starts measuring this process: the share of a core it uses and how late its event loop runs
 * timers. `stop()` reads both (the bench's own process, and the load generator's in its child).
 */
export function ownBusy(): { stop(): Busy } {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const started = performance.now();
  const before = process.cpuUsage();
  return {
    stop() {
      const used = process.cpuUsage(before);
      const seconds = (performance.now() - started) / 1000;
      delay.disable();
      return { cpu: (used.user + used.system) / 1e6 / seconds, loopDelayP99: Math.max(0, delay.percentile(99) / 1e6 - RESOLUTION_MS) };
    },
  };
}

/**
 * How busy the processes were while `work` ran: the bench process itself (the fake Slack) and the
 * process under measurement. A bench process near a whole core, or a large event-loop delay, means
 * the latencies measured include its own queueing, not only the target's.
 */
export async function measureBusy<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; bench: Busy; target: Busy; machine: number }> {
  const bench = ownBusy();
  const started = performance.now();
  const targetBefore = cpuSeconds(pid) ?? 0;
  const machineBefore = machineJiffies();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const target = ((cpuSeconds(pid) ?? targetBefore) - targetBefore) / seconds;
  const machineAfter = machineJiffies();
  const machine = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
  return { result, machine, bench: bench.stop(), target: { cpu: target } };
}

export function busyText(generator: Busy, target: Busy): string {
  return `load generator ${(generator.cpu * 100).toFixed(0)}% CPU (event-loop delay p99 ${generator.loopDelayP99?.toFixed(0)} ms), target ${(target.cpu * 100).toFixed(0)}% CPU`;
}

/**
 * Waits until the processes have finished what earlier phases left them (the bot queueing and
 * sending messages after its answers): until, over `windowMs`, they use under `idleShare` of a
 * core together, or `maxMs` has passed. Measuring the next phase (the floor's, say) while the bot
 * is still busy would slow that phase down with work that is not its own. Returns the wait, ms.
 */
export async function settle(pids: number[], opts: { idleShare?: number; windowMs?: number; maxMs?: number } = {}): Promise<number> {
  const { idleShare = 0.1, windowMs = 250, maxMs = 10_000 } = opts;
  const started = performance.now();
  const used = () => pids.reduce((a, pid) => a + (cpuSeconds(pid) ?? 0), 0);
  for (;;) {
    const before = used();
    await new Promise((r) => setTimeout(r, windowMs));
    if ((used() - before) / (windowMs / 1000) < idleShare || performance.now() - started > maxMs) return performance.now() - started;
  }
}
