import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/helpers/process.js';

let built: number | undefined;

/** `npm run build` once per bench run (the scenarios that start the compiled bot share it); its time in s. */
export function buildOnce(): number {
  if (built === undefined) {
    const started = performance.now();
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, stdio: 'ignore' });
    built = (performance.now() - started) / 1000;
  }
  return built;
}
