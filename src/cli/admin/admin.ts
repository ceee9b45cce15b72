/**
 * `npm run admin -- <command>`: the operators' tool. Each command lives in its own file and
 * calls the same use cases as Slack; exit codes are in EXIT (context.ts). State-changing commands
 * act as `cliActor()` (`cli:<os user>`), which the audit trail names.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isAppError } from '../../shared/errors.js';
import { registerAuditExport } from './audit-export.command.js';
import { registerAuditVerifyFile } from './audit-verify-file.command.js';
import { registerAuditVerify } from './audit-verify.command.js';
import { registerCatalogCheck } from './catalog-check.command.js';
import { CliError, EXIT, fromDomainError, printJson } from './context.js';
import { registerGrantsList } from './grants-list.command.js';
import { registerGrantsResolve } from './grants-resolve.command.js';
import { registerGrantsRevoke } from './grants-revoke.command.js';
import { registerGrantsStuck } from './grants-stuck.command.js';
import { group } from './groups.js';
import { registerMessagesResend } from './messages-resend.command.js';
import { registerRequestsList } from './requests-list.command.js';
import { registerReviewReport } from './review-report.command.js';
import { registerReport } from './report.command.js';
import { registerReviewStart } from './review-start.command.js';

/** Every command, in help order: adding one is one line here. */
const COMMANDS: Array<(program: Command) => void> = [
  (p) => registerGrantsList(group(p, 'grants')),
  (p) => registerGrantsRevoke(group(p, 'grants')),
  (p) => registerGrantsStuck(group(p, 'grants')),
  (p) => registerGrantsResolve(group(p, 'grants')),
  (p) => registerRequestsList(group(p, 'requests')),
  (p) => registerMessagesResend(group(p, 'messages')),
  (p) => registerReviewStart(group(p, 'review')),
  (p) => registerReviewReport(group(p, 'review')),
  (p) => registerCatalogCheck(group(p, 'catalog')),
  (p) => registerAuditVerify(group(p, 'audit')),
  (p) => registerAuditExport(group(p, 'audit')),
  (p) => registerAuditVerifyFile(group(p, 'audit')),
  (p) => registerReport(p),
];

export function buildProgram(): Command {
  const program = new Command('admin')
    .description('Data Access Bot administration. Uses DATABASE_URL, or the embedded database under DATA_DIR (stop the bot first).')
    .addHelpText(
      'after',
      '\nChanges are made through the same use cases as in Slack and audited as cli:<os user>.\n' +
        'Exit codes: 0 ok, 1 the action failed or was refused, 2 usage, configuration or connection error, 3 not found.',
    )
    .showHelpAfterError();
  for (const register of COMMANDS) register(program);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) c.exitOverride();
  return program;
}

export async function runAdmin(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const fail = (err: CliError) => {
    if (json) printJson({ ok: false, error: { code: err.code ?? (err.exitCode === EXIT.usage ? 'usage' : 'failed'), message: err.message } });
    console.error(`error: ${err.message}`);
    return err.exitCode;
  };
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors; everything else commander rejects is a usage error
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) return fail(err);
    if (isAppError(err)) return fail(fromDomainError(err));
    return fail(new CliError(err instanceof Error ? err.message : String(err)));
  }
}

/** Run as a program (not imported, as the tests do to read every command's help). */
const entry = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : undefined;
if (import.meta.url === entry) void runAdmin(process.argv.slice(2)).then((code) => process.exit(code));
