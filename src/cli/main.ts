/** The `twingraph` command line. Each sub-command is a thin shell around a library function. */
import { Command, CommanderError } from 'commander';
import { UsageError, validateFiles } from './dtdl-validate';

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('twingraph')
    .description('GraphQL API server for digital-twin graphs modelled in DTDL')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const dtdl = program.command('dtdl').description('work with DTDL models');
  dtdl
    .command('validate')
    .description('validate DTDL files (the whole set together); exit 0 when valid, 1 when invalid, 2 on usage errors')
    .argument('<paths...>', 'files or directories of .json/.jsonld documents')
    .option('--json', 'print the structured result as JSON')
    .action((paths: string[], opts: { json?: boolean }) => {
      const out = validateFiles(paths, opts.json === true);
      process.stdout.write(out.text + '\n');
      exitCode = out.exitCode;
    });

  program
    .command('start')
    .description('start the Twingraph server')
    .action(() => {
      // The API server arrives with the store and GraphQL stages; until then say what exists.
      process.stdout.write(
        'Twingraph: the DTDL engine is ready (try `npx twingraph dtdl validate <folder of DTDL models>`).\n' +
          'The GraphQL server, store and seeded demo are not built yet; `npm start` will serve them once they are.\n',
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      process.stderr.write(`twingraph: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
