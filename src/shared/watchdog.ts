import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Runs `"$@"` and stops it (with `kill -<signal>`) once stdin reaches its end; exits with the
 * command's own exit code. An asynchronous list's stdin is /dev/null unless redirected, hence fd 3.
 */
const WATCHDOG = [
  'sig="$1"; shift',
  'exec 3<&0',
  '"$@" </dev/null & r=$!',
  '( while read -r _ <&3; do :; done; kill -"$sig" "$r" 2>/dev/null ) & w=$!',
  'wait "$r"; code=$?',
  'kill "$w" 2>/dev/null',
  'exit "$code"',
].join('\n');

export interface TiedChild {
  child: ChildProcess;
  /** Resolves with the command's exit code once it has exited. */
  exited: Promise<number | null>;
  /** Stops the command (with the signal given) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Starts a server process that cannot outlive this one: a small shell watches a pipe that only
 * this process holds, and stops the server when the pipe closes, however this process ended
 * (even SIGKILL). It runs in its own process group, so Ctrl-C reaches this process alone, which
 * then stops the server in its own time with `stop()`.
 */
export function spawnTiedToThisProcess(
  command: string,
  args: string[],
  opts: { signal?: 'TERM' | 'INT'; stderr?: 'pipe' | 'ignore' } & Pick<SpawnOptions, 'env' | 'uid' | 'gid'> = {},
): TiedChild {
  const { signal = 'TERM', stderr = 'ignore', ...spawnOpts } = opts;
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', signal, command, ...args], {
    ...spawnOpts,
    stdio: ['pipe', 'ignore', stderr],
    detached: true,
  });
  child.stdin!.on('error', () => {}); // the shell may be gone already
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      await exited;
    },
  };
}
