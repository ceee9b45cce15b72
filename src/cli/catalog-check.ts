/**
 * `npm run catalog:check [path] [--strict]`: validates the catalog and tests each connector's
 * connection without granting anything (see ./admin/catalog-check.run.ts, shared with
 * `npm run admin -- catalog check`). Exit 1 when there is an error (or, with --strict, a warning).
 */
import { printCatalogCheck, runCatalogCheck } from './admin/catalog-check.run.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const result = await runCatalogCheck({ path: args.find((a) => !a.startsWith('--')), strict: args.includes('--strict') });
  printCatalogCheck(result);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`catalog:check failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
