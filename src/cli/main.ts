/**
 * The `twingraph` command line. Each sub-command is a thin shell around a library function, required when the
 * command runs: `twingraph dtdl validate` and `--help` load the DTDL engine and commander, not the server, its
 * store drivers, Apollo or the Azure SDK (together most of a second); `twingraph start` loads the server and
 * not commander.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isTwingraphError, UsageError } from '../errors';
import { simulateCommands } from '../devices/commands';
import { mirrorCommands } from '../mirror/commands';
import { validateFiles } from './dtdl-validate';
import { migrateCommands } from './migrate-command';
import { importCommands } from './import-command';

/** Where dtdl/ and seeds/ ship, from src/cli or dist/cli. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Each feature's commands, from their command modules (the features' own modules load the whole server). Every
 * feature's, whether or not TWINGRAPH_PLUGINS turns it on in the server: an operator may need `mirror status` on a
 * store whose server runs without the mirror, and reading the configuration here would make every command fail
 * on a wrong variable it does not use.
 */
const FEATURE_COMMANDS = [mirrorCommands, simulateCommands];

const lazy = <T>(module: string): T => require(module) as T;

/** `twingraph start`, required when it runs: the server and everything under it. */
const start = (): Promise<number> => lazy<typeof import('./serve')>('./serve').serve();

export async function main(argv: readonly string[]): Promise<number> {
  try {
    // `twingraph start` as such, how every server starts: straight to it, without building the whole command
    // line (commander and every command's registration) only to find `start` in it. Anything else, `start
    // --help` included, goes through commander.
    if (argv.length === 1 && argv[0] === 'start') return await start();
    return await runCommandLine(argv);
  } catch (err) {
    // ConfigError by name: config.ts (and valibot) is loaded only by the commands that read the configuration.
    if (err instanceof UsageError || (err instanceof Error && err.name === 'ConfigError')) {
      process.stderr.write(`twingraph: ${err.message}\n`);
      return 2;
    }
    // A refusal with a code of ours (a key name taken, the store unavailable): the message says it all.
    if (isTwingraphError(err)) {
      process.stderr.write(`twingraph: ${err.message} (${err.code})\n`);
      return 1;
    }
    throw err;
  }
}

async function runCommandLine(argv: readonly string[]): Promise<number> {
  const { Command, CommanderError } = lazy<typeof import('commander')>('commander');
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
    .description('start the Twingraph server (configuration from environment variables; see the README)')
    .action(async () => {
      exitCode = await start();
    });

  program
    .command('seed')
    .description(
      'load the demo firm (seeds/firm.json) and its telemetry into the configured store, which must have no twins; adds the models of dtdl/ if missing',
    )
    .option('--as-of <time>', 'the whole hour the data ends at (default: TWINGRAPH_SEED_AS_OF or the current hour)')
    .option('--catalogue <file>', 'another catalogue than seeds/firm.json')
    .option(
      '--scale <factor>',
      'multiply the numbers of clients, employees, engagements and assets (e.g. 0.1 for a quick demo)',
    )
    .action(async (opts: { asOf?: string; catalogue?: string; scale?: string }) => {
      exitCode = await lazy<typeof import('./seed')>('./seed').seedCommand(opts);
    });

  const keys = program.command('keys').description('API keys for partners and services (kept in the store, hashed)');
  keys
    .command('create')
    .description('create an API key and print it (once: only its hash is kept)')
    .requiredOption('--name <name>', "the key's name: recorded as the actor of its changes, used to revoke it")
    .requiredOption('--role <role>', 'reader, writer, modeler or admin')
    .option('--models <dtmis>', 'limit the key to twins of these models (and their subtypes), comma-separated')
    .option(
      '--expires <when>',
      'an ISO 8601 duration (P90D) or instant (2027-01-01T00:00:00Z) after which it stops working',
    )
    .option('--json', 'print {"name","role","key","expires"} as JSON')
    .action(async (opts: { name: string; role: string; models?: string; expires?: string; json?: boolean }) => {
      exitCode = await lazy<typeof import('./keys')>('./keys').createKeyCommand(opts);
    });
  keys
    .command('list')
    .description('list the API keys (never the keys themselves)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      exitCode = await lazy<typeof import('./keys')>('./keys').listKeysCommand(opts);
    });
  keys
    .command('revoke')
    .description('revoke an API key: it stops working on every server within seconds')
    .argument('<name>', "the key's name")
    .action(async (name: string) => {
      exitCode = await lazy<typeof import('./keys')>('./keys').revokeKeyCommand(name);
    });

  migrateCommands(program, (code) => (exitCode = code));
  importCommands(program, (code) => (exitCode = code));

  for (const commands of FEATURE_COMMANDS)
    commands(program, (code) => {
      exitCode = code;
    });

  const schema = program.command('schema').description('the GraphQL schema');
  schema
    .command('print')
    .description('print the GraphQL schema the models in the given DTDL folders compile to (default: dtdl/)')
    .argument('[paths...]', 'DTDL files or folders')
    .option('-o, --output <file>', 'write the schema to this file instead of standard output')
    .action((paths: string[], opts: { output?: string }) => {
      const { printSchemaOf } = lazy<typeof import('./schema-print')>('./schema-print');
      const out = printSchemaOf(paths.length > 0 ? paths : [path.join(PACKAGE_ROOT, 'dtdl')]);
      if (out.exitCode !== 0) {
        process.stderr.write(out.text + '\n');
      } else if (opts.output) {
        fs.writeFileSync(opts.output, out.text);
        process.stderr.write(`wrote ${opts.output}\n`);
      } else process.stdout.write(out.text);
      exitCode = out.exitCode;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
}
