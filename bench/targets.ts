/**
 * One line per target: what was measured, the floor measured in the same run, their ratio, the
 * limit on that ratio, and whether it passed. Every scenario of `npm run bench` returns these and
 * bench/run.ts prints them together at the end.
 */
export interface TargetResult {
  /** e.g. "/access help ack p99" */
  target: string;
  /** measured / floor */
  ratio: number;
  /** the target's limit on the ratio (e.g. 1.2) or on an absolute figure when `unit` says so */
  limit: number;
  pass: boolean;
  /** the raw numbers behind the ratio, e.g. "p99 38.1 ms vs bare Bolt 33.0 ms" */
  detail: string;
}

export function ratioTarget(target: string, measured: number, floor: number, limit: number, detail: string): TargetResult {
  const ratio = floor > 0 ? measured / floor : Number.POSITIVE_INFINITY;
  return { target, ratio, limit, pass: ratio <= limit, detail };
}

/** A target on an absolute figure (memory in MB, a duration against a fixed budget). */
export function absoluteTarget(target: string, measured: number, limit: number, detail: string): TargetResult {
  return { target, ratio: measured / limit, limit, pass: measured <= limit, detail };
}

export function printTargets(results: TargetResult[]): boolean {
  console.log('\ntargets');
  for (const r of results) {
    console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.target.padEnd(48)} ratio ${r.ratio.toFixed(2)} (${Number.isFinite(r.limit) ? `limit ${r.limit}` : 'for information'})  ${r.detail}`);
  }
  return results.every((r) => r.pass);
}

export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
}
