/**
 * Runs bench/load.ts's closed-loop load generator in a child process (bench/load-child.ts), one
 * run at a time. In the bench's own process it shared its event loop and heap with the fake Slack
 * Web API, whose record of every call grows through a run: that process's collections and stalls
 * (its event-loop delay p99 reached 14–21 ms in some phases against 7 in others) fell on
 * whichever phase was measuring, floor or bot, and were counted as their latency.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, TSX_LOADER } from '../test/helpers/process.js';
import type { LoadResult } from './load.js';

/** One run, with every request's body built by the parent (signed in the child, before its clock starts). */
export interface LoadRun {
  target: string;
  secret: string;
  total: number;
  concurrency: number;
  leadIn: number;
  keepBodies: boolean;
  bodies: string[];
}

export interface GeneratorRun extends LoadResult {
  /** Share of a core the generator used, and the p99 of how late its event loop was (ms). */
  generator: { cpu: number; loopDelayP99: number };
}

type Answer = { ready: true } | { result: LoadResult; cpu: number; loopDelayP99: number } | { error: string };

export interface LoadProcess {
  pid: number;
  drive(target: string, secret: string, opts: { total: number; concurrency: number; body: (i: number) => string; keepBodies?: boolean; leadIn?: number }): Promise<GeneratorRun>;
  stop(): Promise<void>;
}

export async function startLoadProcess(): Promise<LoadProcess> {
  const child: ChildProcess = fork(join(REPO_ROOT, 'bench/load-child.ts'), [], { execArgv: ['--import', TSX_LOADER], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let pending: { resolve(a: Answer): void; reject(e: Error): void } | undefined;
  let failed: Error | undefined;
  // a child that could not start, or whose channel closed, fails the run waiting (or the next one)
  child.on('error', (err) => {
    failed = err;
    pending?.reject(err);
  });
  child.on('message', (a: Answer) => {
    const p = pending;
    pending = undefined;
    p?.resolve(a);
  });
  void exited.then(() => {
    failed ??= new Error('the load generator exited');
    pending?.reject(failed);
  });
  const next = () => new Promise<Answer>((resolve, reject) => (pending = { resolve, reject }));
  const ready = await next();
  if (!('ready' in ready)) throw new Error('the load generator did not start');
  return {
    pid: child.pid!,
    async drive(target, secret, opts) {
      const leadIn = opts.leadIn ?? 0;
      const bodies = Array.from({ length: leadIn + opts.total }, (_, i) => opts.body(i));
      if (failed || child.exitCode !== null || !child.connected) throw new Error(`load generator: ${failed?.message ?? 'not running'}`);
      const answer = next();
      child.send({ target, secret, total: opts.total, concurrency: opts.concurrency, leadIn, keepBodies: Boolean(opts.keepBodies), bodies } satisfies LoadRun, (err) => {
        if (err) pending?.reject(err);
      });
      const a = await answer;
      if ('error' in a) throw new Error(`load generator: ${a.error}`);
      if (!('result' in a)) throw new Error('load generator: unexpected answer');
      return { ...a.result, generator: { cpu: a.cpu, loopDelayP99: a.loopDelayP99 } };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
