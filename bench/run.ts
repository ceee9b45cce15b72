/**
 * `npm run bench` runs every scenario and prints one line per target at the end (bench/targets.ts);
 * `npm run bench -- ack startup` runs those only. It exits non-zero when a target is missed.
 * Each scenario measures its own floor in the same run (the numbers on a shared machine move
 * with its load, which is printed), and cleans up its database and Redis keys.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench
 *
 * Adding a scenario: a file exporting `async function benchX(): Promise<TargetResult[]>`, plus one
 * import and one entry in SCENARIOS.
 */
import { availableParallelism, loadavg } from 'node:os';
import { benchAck } from './ack.js';
import { benchExpiry } from './expiry.js';
import { benchReviews } from './reviews.js';
import { benchScan } from './scan.js';
import { benchStartup } from './startup.js';
import { printTargets, type TargetResult } from './targets.js';

interface Scenario {
  name: string;
  /** Each scenario runs the bot as its own process and reports that process's RSS itself. */
  run: () => Promise<TargetResult[]>;
}

const SCENARIOS: Scenario[] = [
  { name: 'scan', run: benchScan },
  { name: 'startup', run: benchStartup },
  { name: 'ack', run: benchAck },
  { name: 'expiry', run: benchExpiry },
  { name: 'reviews', run: benchReviews },
];

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const results: TargetResult[] = [];
  for (const scenario of SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
    console.log(`\n== ${scenario.name} (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`);
    try {
      results.push(...(await scenario.run()));
    } catch (err) {
      console.error(err);
      results.push({ target: `${scenario.name}: the scenario ran to its end`, ratio: Number.NaN, limit: 1, pass: false, detail: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
    }
  }
  const ok = printTargets(results);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  process.exitCode = ok ? 0 : 1;
}

// a benchmark is a script: leave once it has reported, whatever timers a client library still holds
main().finally(() => process.exit(process.exitCode ?? 0));
