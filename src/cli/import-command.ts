/**
 * The `twingraph import` command's registration: its options and help, with the command itself (./import.ts,
 * which loads the store, the DTDL engine and the services) required only when it runs, as main.ts does for
 * every command.
 */
import type { Command } from 'commander';

export function importCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('import')
    .description(
      "import an NDJSON file in the format of Azure Digital Twins' Import Jobs API (Header, Models, Twins, Relationships sections) " +
        'into the configured store, through the same validation, change log and outbox as every write. The whole file is checked first: ' +
        'any problem is reported with its line number, and nothing is written; then models are uploaded and twins and relationships ' +
        'written in batches (one transaction each). Exit 0 when imported (or checked, with --dry-run), 1 on problems, 2 on usage errors',
    )
    .argument('<file>', 'the .ndjson file')
    .option('--dry-run', 'check the whole file against the models and the store, and write nothing')
    .option('--batch-size <n>', 'twins or relationships per transaction, 1 to 1000 (default 1000)')
    .option('--create-only', "refuse twins and relationships that exist already (ADT's If-None-Match: * on each)")
    .option(
      '--job-id <id>',
      'the id of the job in the log, recorded as the actor of its changes (default: import-<time>)',
    )
    .option(
      '--log <file>',
      "write a log of ADT's import-log shape (NDJSON: timestamp, jobId, jobType, logType, details)",
    )
    .action(
      async (
        file: string,
        opts: { dryRun?: boolean; batchSize?: string; createOnly?: boolean; jobId?: string; log?: string },
      ) => {
        const { importCommand } = require('./import') as typeof import('./import');
        setExitCode(await importCommand(file, opts));
      },
    );
}
