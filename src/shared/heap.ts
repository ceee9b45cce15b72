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

/**
 * The `node` flags each kind of process starts with: V8 sizes the young generation when the
 * process starts, and setFlagsFromString cannot change it afterwards, so these are in every way
 * of starting the bot (`npm start`, the image's CMD, compose.yaml, the benchmark), each checked by
 * test/unit/deploy-files.test.ts.
 *
 * - Worker and all-in-one processes: semi-spaces of 8 MB (V8's default is 16 on 64-bit), a young
 *   generation about 16 MB smaller. In the review scenario (all in one, 50,000 grants) the peak
 *   RSS was 180 MB against 188–203 MB with the default, 125 MB when ready against 139; in the
 *   expiry scenario (worker) 151–156 MB against 165–176, with the expiry targets still met.
 * - Web processes: V8's default. With 8 MB, each `/access request` cost 0.43 ms of CPU instead of
 *   0.38–0.40 (more scavenges) and throughput fell by a tenth, for 17 MB of RSS they have to spare.
 */
export const NODE_FLAGS = { all: ['--max-semi-space-size=8'], web: [], worker: ['--max-semi-space-size=8'] } as const satisfies Record<string, readonly string[]>;

/** The flags of `mode` (`all`, `web`, `worker`; anything else, or none, is all in one). */
export function nodeFlags(mode: string | undefined): readonly string[] {
  return mode === 'web' || mode === 'worker' ? NODE_FLAGS[mode] : NODE_FLAGS.all;
}
