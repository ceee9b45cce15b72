import type { Command } from 'commander';
import { EXIT, printJson } from './context.js';
import { printCatalogCheck, runCatalogCheck } from './catalog-check.run.js';

export function registerCatalogCheck(catalog: Command): void {
  catalog
    .command('check')
    .description('Validate the catalog and test every connector\'s connection without granting anything (the same check as `npm run catalog:check`).')
    .argument('[path]', 'the catalog file (default CATALOG_PATH, else ./catalog.yml)')
    .option('--strict', 'fail on warnings too')
    .option('--json', 'print the findings as one JSON document')
    .addHelpText('after', '\nWith SLACK_BOT_TOKEN set, the catalog\'s people are looked up in Slack too.\nExit codes: 0 no errors, 1 errors (with --strict, or warnings), 2 usage error.')
    .action(async (path: string | undefined, opts: { strict?: boolean; json?: boolean }) => {
      const result = await runCatalogCheck({ path, strict: !!opts.strict });
      if (opts.json) printJson(result);
      else printCatalogCheck(result);
      process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
    });
}
