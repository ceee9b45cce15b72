import { readFileSync } from 'node:fs';

/** Resident set size of a process in MB (Linux /proc), or undefined once it has gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

export interface RssSampler {
  /** Stops sampling; the highest RSS seen, in MB. */
  stop(): number;
}

/** Samples a process's RSS every `everyMs` (default: this process) and keeps the peak. */
export function sampleRss(pid = process.pid, everyMs = 100): RssSampler {
  let peak = rssMb(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0);
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssMb(pid) ?? 0);
      return peak;
    },
  };
}
