import { scanText } from '../src/modules/nudges/nudges.rules.js';
import { SCAN_INPUT_LENGTH, WORST_CASE_SHAPES } from './scan-shapes.js';
import { absoluteTarget, type TargetResult } from './targets.js';

export const SCAN_LIMIT_MS = 20;
const RUNS = 7;

/** The cheapest honest pass over the same input: read every character once. */
function floorPass(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + text.charCodeAt(i)) | 0;
  return sum;
}

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/**
 * Times the scan of each worst-case shape: the first (cold) run, and the median of RUNS. Passes
 * when every median is under the limit; the ratio to the floor shows the work is linear.
 */
export async function benchScan(): Promise<TargetResult[]> {
  console.log(`sensitive-data scan, ${SCAN_INPUT_LENGTH} characters per message, target < ${SCAN_LIMIT_MS} ms (median of ${RUNS})`);
  let worst = 0;
  let worstName = '';
  for (const [name, text] of Object.entries(WORST_CASE_SHAPES)) {
    const first = time(() => scanText(text));
    const runs = Array.from({ length: RUNS }, () => time(() => scanText(text)));
    const floor = median(Array.from({ length: RUNS }, () => time(() => floorPass(text))));
    const ms = median(runs);
    if (ms >= worst) [worst, worstName] = [ms, name];
    const ratio = floor > 0 ? `${(ms / floor).toFixed(0)}x floor` : 'floor < timer resolution';
    console.log(`  ${name.padEnd(30)} ${ms.toFixed(2).padStart(7)} ms  first ${first.toFixed(2).padStart(7)} ms  ${ratio.padStart(12)}  ${ms < SCAN_LIMIT_MS ? 'ok' : 'FAIL'}`);
  }
  return [absoluteTarget('sensitive-data scan, slowest shape (ms)', worst, SCAN_LIMIT_MS, `${worstName}, median of ${RUNS}, ${SCAN_INPUT_LENGTH} characters`)];
}
