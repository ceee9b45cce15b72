/**
 * The load generator in a process of its own (bench/load-process.ts starts it): it holds nothing
 * but the requests of the run under way, so its own garbage collections are short and its event
 * loop is not shared with the fake Slack Web API, whose record of every call grows through a run.
 * Each message from the parent is one run of `drive` (bench/load.ts); the answer is its result,
 * with the CPU this process used and how late its event loop ran meanwhile.
 */
import { ownBusy } from './cpu.js';
import { drive } from './load.js';
import type { LoadRun } from './load-process.js';

process.on('message', (run: LoadRun) => {
  const busy = ownBusy();
  drive(run.target, run.secret, { total: run.total, concurrency: run.concurrency, leadIn: run.leadIn, keepBodies: run.keepBodies, body: (i) => run.bodies[i]! }).then(
    (result) => {
      const { cpu, loopDelayP99 } = busy.stop();
      process.send!({ result, cpu, loopDelayP99: loopDelayP99 ?? 0 });
    },
    (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }),
  );
});
process.send!({ ready: true });
