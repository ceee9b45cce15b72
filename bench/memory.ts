import { readFileSync, writeFileSync } from 'node:fs';

/** VmRSS (resident now) and VmHWM (the kernel's record of the highest resident) in MB; undefined once the process has gone. */
function residentMb(pid: number): { now: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const now = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    const peak = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return now === undefined ? undefined : { now: Number(now) / 1024, peak: Number(peak ?? now) / 1024 };
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB (Linux /proc), or undefined once it has gone. */
export function rssMb(pid: number): number | undefined {
  return residentMb(pid)?.now;
}

/** Restarts the kernel's peak-RSS record of a process (Linux 4.0+: `5` to clear_refs); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface RssSampler {
  /** Stops sampling; the highest RSS since sampling began, in MB. */
  stop(): number;
}

/**
 * The peak RSS of a process (default: this process) from now until stop(). The kernel keeps the
 * exact peak (VmHWM), which no sampling interval can miss: its record is restarted here and read
 * every `everyMs` (so it is known even if the process exits before stop()), as is VmRSS, the only
 * source where the record cannot be restarted.
 */
export function sampleRss(pid = process.pid, everyMs = 100): RssSampler {
  const exact = resetPeak(pid);
  let peak = 0;
  const sample = () => {
    const r = residentMb(pid);
    if (r) peak = Math.max(peak, r.now, exact ? r.peak : 0);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
