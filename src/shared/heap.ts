import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again. V8's own factor is dynamic, up to 4× on a machine with memory to spare.
 *
 * - Worker and all-in-one processes: 30 %. Their live heap grows with the work (a review over
 *   50,000 grants, an expiry pass of thousands), and under load V8's own factor let the old
 *   generation fill with garbage to ~140 MB and the process peak at 270+ MB RSS, against the
 *   200 MB target of issue #12. At 1.3× it peaks near 170–195 MB in the same scenarios.
 * - Web processes: 60 %. Their live heap is small and steady (about 30 MB), and at 30 % they ran
 *   a full collection every 0.3–1 s under load, 2.5× as many as a bare Bolt app, each pausing every
 *   request in flight for 3–12 ms: the bulk of the bot's extra `/access help` latency at p99. At
 *   100 % they ran as few as bare Bolt but peaked at 188 MB RSS in the ack bench; at 60 %, 171 MB
 *   (README "Performance").
 *
 * Unlike `--max-old-space-size` this is no ceiling: a bigger live heap only makes collections
 * more frequent; it never ends the process.
 */
export const HEAP_GROWING_PERCENT = { web: 60, other: 30 } as const;

/**
 * Applies the heap policy to this process (`web`, `worker`, or undefined: all in one). A growing
 * factor is read by V8 each time it sets the next collection's limit, so setting it at start-up
 * (rather than as a `node` flag) is enough, and every way of starting the bot (`npm start`, the
 * image's `node dist/src/main.js`, the benchmark) gets the same policy.
 */
export function limitHeapGrowth(mode: string | undefined): void {
  setFlagsFromString(`--heap-growing-percent=${mode === 'web' ? HEAP_GROWING_PERCENT.web : HEAP_GROWING_PERCENT.other}`);
}
