import { Option, type Command } from 'commander';
import { BOT_SETTINGS } from '../../config/settings.js';
import { readCatalogFile } from '../../catalog/catalog.loader.js';
import { hygieneFigures } from '../../modules/hygiene/figures.usecases.js';
import { systemClock } from '../../shared/clock.js';
import { hygieneCsv, hygieneMarkdown } from './report.format.js';
import { CliError, EXIT, isoDate, openAdminDatabase } from './context.js';

interface ReportOptions {
  since: Date;
  until?: Date;
  format: 'md' | 'csv';
  catalog?: string;
}

/** `admin report`: the hygiene figures of a period, in all, per tier and per dataset, for a quarterly review. */
export function registerReport(program: Command): Command {
  return program
    .command('report')
    .description('The hygiene figures of a period (standing access, grant lengths, releases, decisions, reviews, coachings), in all, per sensitivity tier and per dataset.')
    .requiredOption('--since <date>', 'the period starts at this ISO date/time (included)', isoDate)
    .option('--until <date>', 'the period ends at this ISO date/time (excluded); default now', isoDate)
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'csv']).default('md'))
    .option('--catalog <file>', 'the catalog, for each dataset\'s tier (default: CATALOG_PATH, else ./catalog.yml)')
    .addHelpText('after', '\nThe figures are defined in the README, "Hygiene figures".\nExit codes: 0 done, 2 usage, catalog or connection error.')
    .exitOverride()
    .action(async (opts: ReportOptions) => {
      const until = opts.until ?? systemClock.now();
      if (until <= opts.since) throw new CliError('--until must be after --since');
      const catalogFile = await readCatalogFile(opts.catalog ?? process.env.CATALOG_PATH?.trim() ?? BOT_SETTINGS.CATALOG_PATH.default).catch((err: unknown) => {
        throw new CliError(err instanceof Error ? err.message : String(err));
      });
      const database = await openAdminDatabase();
      try {
        const figures = await hygieneFigures({ db: database.db, clock: systemClock, catalog: catalogFile }, { since: opts.since, until });
        process.stdout.write(opts.format === 'csv' ? hygieneCsv(figures) : hygieneMarkdown(figures));
        process.exitCode = EXIT.ok;
      } finally {
        await database.close();
      }
    });
}
