import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { exportAuditEvents } from '../../modules/audit/audit.usecases.js';
import { readChainHead } from '../../modules/audit/audit.repository.js';
import { CSV_COLUMNS, csvLine, toRecord } from './audit-export.format.js';
import { EXIT, isoDate, openAdminDatabase, progressReporter } from './context.js';

interface ExportOptions {
  since?: Date;
  until?: Date;
  dataset?: string;
  person?: string;
  format: 'jsonl' | 'csv';
  out?: string;
  quiet?: boolean;
}

export function registerAuditExport(audit: Command): void {
  audit
    .command('export')
    .description('Stream audit events in chain order, with each event\'s hash and the previous one\'s, for offline verification.')
    .option('--since <date>', 'events at or after this ISO date/time', isoDate)
    .option('--until <date>', 'events before this ISO date/time', isoDate)
    .option('--dataset <id>', 'only events about this dataset (its requests, grants and events naming it)')
    .option('--person <slack-id>', 'only events by or about this person (their requests and grants)')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', '\nCheck a JSONL export offline with `audit verify-file <file>`.\nExit codes: 0 done, 2 usage or connection error.')
    .action(async (opts: ExportOptions) => {
      const database = await openAdminDatabase();
      const out: Writable = opts.out ? createWriteStream(opts.out) : process.stdout;
      try {
        const head = await readChainHead(database.db);
        const progress = progressReporter(!opts.quiet);
        const write = async (line: string) => {
          if (!out.write(`${line}\n`)) await once(out, 'drain');
        };
        if (opts.format === 'csv') await write(CSV_COLUMNS.join(','));
        let count = 0;
        const filter = { since: opts.since, until: opts.until, datasetId: opts.dataset, personId: opts.person };
        for await (const e of exportAuditEvents(database.db, filter)) {
          const record = toRecord(e);
          await write(opts.format === 'csv' ? csvLine(record) : JSON.stringify(record));
          count++;
          progress(`exported ${count} events (at #${record.seq} of #${head?.seq ?? 0})`);
        }
        progress(`exported ${count} events`, true);
        process.exitCode = EXIT.ok;
      } finally {
        if (out !== process.stdout) {
          out.end();
          await once(out, 'finish');
        }
        await database.close();
      }
    });
}
