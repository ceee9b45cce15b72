/**
 * `npm run admin -- <command>`: the operators' tool. Each command lives in its own file and
 * calls the same use cases as Slack; exit codes are 0 (ok), 1 (a check failed), 2 (usage or
 * connection error). State-changing commands act as `cliActor()` (`cli:<os user>`).
 */
import { Command, CommanderError } from 'commander';
import { registerAuditExport } from './audit-export.command.js';
import { registerAuditVerifyFile } from './audit-verify-file.command.js';
import { registerAuditVerify } from './audit-verify.command.js';
import { CliError, EXIT } from './context.js';
import { registerReviewReport } from './review-report.command.js';
import { registerReport } from './report.command.js';

export function buildProgram(): Command {
  const program = new Command('admin')
    .description('Data Access Bot administration. Uses DATABASE_URL, or the embedded database under DATA_DIR (stop the bot first).')
    .showHelpAfterError()
    .exitOverride();
  const audit = program.command('audit').description('The tamper-evident audit trail: verify it, export it, verify an export.').exitOverride();
  registerAuditVerify(audit);
  registerAuditExport(audit);
  registerAuditVerifyFile(audit);
  const review = program.command('review').description('Access reviews.').exitOverride();
  registerReviewReport(review);
  for (const c of [...audit.commands, ...review.commands]) c.exitOverride();
  registerReport(program);
  return program;
}

export async function runAdmin(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors; everything else commander rejects is a usage error
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      console.error(`error: ${err.message}`);
      return err.exitCode;
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.usage;
  }
}

runAdmin(process.argv.slice(2)).then((code) => process.exit(code));
