/**
 * The load generator in a process of its own (bench/load-process.ts starts it): it holds nothing
 * but the requests of the run under way, so its own garbage collections are short and its event
 * loop is not shared with the fake Slack Web API, whose record of every call grows through a run.
 * Each message from the parent is one run of `drive` (bench/load.ts); the answer is its result,
 * with the CPU this process used and how late its event loop ran meanwhile.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { drive } from './load.js';
import type { LoadRun } from './load-process.js';

const RESOLUTION_MS = 5;

process.on('message', (run: LoadRun) => {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const before = process.cpuUsage();
  const started = performance.now();
  delay.enable();
  drive(run.target, run.secret, { total: run.total, concurrency: run.concurrency, leadIn: run.leadIn, keepBodies: run.keepBodies, body: (i) => run.bodies[i]! }).then(
    (result) => {
      delay.disable();
      const used = process.cpuUsage(before);
      const seconds = (performance.now() - started) / 1000;
      process.send!({ result, cpu: (used.user + used.system) / 1e6 / seconds, loopDelayP99: Math.max(0, delay.percentile(99) / 1e6 - RESOLUTION_MS) });
    },
    (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }),
  );
});
process.send!({ ready: true });
