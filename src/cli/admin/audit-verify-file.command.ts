import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ChainWalker, type ChainProblem } from '../../modules/audit/verify.rules.js';
import { fromJsonLine } from './audit-export.format.js';
import { CliError, EXIT } from './context.js';

export function registerAuditVerifyFile(audit: Command): void {
  audit
    .command('verify-file')
    .description('Verify a JSONL export offline, from the file alone: each event\'s own hash, and the chain links between consecutive events.')
    .argument('<export.jsonl>', 'a file written by `audit export --format jsonl`')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nNeeds no database. Exit codes: 0 the file verifies, 1 an event does not, 2 usage or unreadable file.')
    .action(async (file: string, opts: { json?: boolean }) => {
      const walker = new ChainWalker(false);
      let problem: ChainProblem | undefined;
      let lineNo = 0;
      const input = createReadStream(file, 'utf8');
      const opened = new Promise<void>((resolve, reject) => {
        input.once('open', () => resolve());
        input.once('error', reject);
      });
      await opened.catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`Cannot read ${file}: ${err.code ?? err.message}`);
      });
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        lineNo++;
        if (!line.trim()) continue;
        let event;
        try {
          event = fromJsonLine(line);
        } catch (err) {
          throw new CliError(`${file}:${lineNo}: ${(err as Error).message}`);
        }
        problem = walker.next(event);
        if (problem) {
          problem = { ...problem, message: `line ${lineNo}: ${problem.message}` };
          break;
        }
      }
      input.destroy();
      const result = { ok: !problem, events: walker.checked, linksChecked: walker.links, gaps: walker.gaps, problem };
      if (opts.json) console.log(JSON.stringify(result));
      else if (problem) console.log(`BROKEN (${problem.kind}): ${problem.message}`);
      else console.log(`OK: ${walker.checked} events, each matching its hash; ${walker.links} links checked, ${walker.gaps} gaps where the export is filtered`);
      process.exitCode = problem ? EXIT.failed : EXIT.ok;
    });
}
