import { Option, type Command } from 'commander';
import { reviewReport } from '../../modules/reviews/report.usecases.js';
import { isAppError } from '../../shared/errors.js';
import { reviewReportCsv, reviewReportMarkdown } from './review-report.format.js';
import { EXIT, fromDomainError, openAdminDatabase } from './context.js';

export function registerReviewReport(review: Command): void {
  review
    .command('report')
    .description('The evidence of an access review: every item, its decision, who decided and when, and what the deadline did.')
    .argument('<campaign>', 'the review\'s id, or `latest`')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'csv']).default('md'))
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 done, 2 usage or connection error, 3 unknown review.')
    .action(async (campaign: string, opts: { format: 'md' | 'csv'; json?: boolean }) => {
      const database = await openAdminDatabase();
      try {
        const report = await reviewReport(database.db, campaign).catch((err: unknown) => {
          throw isAppError(err) ? fromDomainError(err) : err;
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else process.stdout.write(opts.format === 'csv' ? reviewReportCsv(report) : reviewReportMarkdown(report));
        process.exitCode = EXIT.ok;
      } finally {
        await database.close();
      }
    });
}
