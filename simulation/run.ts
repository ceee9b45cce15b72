/**
 * `npm run simulate [-- --seed N --weeks N --marketers N --out DIR]`: runs the bot's use cases over
 * simulated weeks for a synthetic organisation and prints standing access with the bot against
 * "grant once, keep forever". With `--out DIR` it also writes DIR/simulation.md, DIR/simulation.csv and
 * DIR/simulation-chart.png (the weekly summary's chart of the bot's standing grant-days per tier).
 * The database is an in-memory PGlite, or a throwaway database on TEST_DATABASE_URL's server when set.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderStandingChart } from '../src/shared/chart/standing.chart.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { DEFAULT_CONFIG, type SimulationConfig } from './organisation.js';
import { toCsv, toMarkdown } from './report.js';
import { runSimulation } from './simulate.js';

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

async function main() {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, weeks: { type: 'string' }, marketers: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const config: SimulationConfig = {
    ...DEFAULT_CONFIG,
    seed: positiveInt('seed', values.seed, DEFAULT_CONFIG.seed),
    weeks: positiveInt('weeks', values.weeks, DEFAULT_CONFIG.weeks),
    marketers: positiveInt('marketers', values.marketers, DEFAULT_CONFIG.marketers),
  };
  const started = performance.now();
  const database = await createTestDatabase();
  try {
    const result = await runSimulation(config, database);
    const markdown = toMarkdown(result);
    process.stdout.write(markdown);
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      writeFileSync(join(values.out, 'simulation.md'), markdown);
      writeFileSync(join(values.out, 'simulation.csv'), toCsv(result));
      // the bot's standing access, drawn by the same chart the weekly security summary carries
      writeFileSync(join(values.out, 'simulation-chart.png'), await renderStandingChart(result.figures, 'Simulation: standing grant-days per tier, with the bot'));
    }
  } finally {
    await database.destroy();
  }
  // to stderr, so the output stays byte-identical from run to run
  process.stderr.write(`simulated ${config.weeks} weeks in ${((performance.now() - started) / 1000).toFixed(1)} s (${database.kind})\n`);
}

main().catch((err) => {
  process.stderr.write(`simulation failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
