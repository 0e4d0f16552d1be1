/**
 * `twingraph mirror status | reconcile | import` as the command line sees them: their names, options and help,
 * with the implementation (./cli.ts, which loads the Azure SDK) required only when one of them runs, so that
 * `twingraph dtdl validate` and `--help` start without it.
 */
import type { Command } from 'commander';

type MirrorCli = typeof import('./cli');
const cli = (): MirrorCli => require('./cli') as MirrorCli;

export function mirrorCommands(program: Command, exit: (code: number) => void): void {
  const mirror = program.command('mirror').description('the mirror to Azure Digital Twins (ADT_ENDPOINT)');
  mirror
    .command('status')
    .description('changes waiting to reach ADT, and the dead letters ADT refused')
    .option('--json', 'print it as JSON')
    .action(async (opts: { json?: boolean }) => exit(await cli().mirrorStatusCommand(opts)));
  mirror
    .command('reconcile')
    .description(
      'compare ADT with Twingraph (models, twins, relationships) and repair ADT to match, printing each repair; exit 1 when one failed',
    )
    .option('--dry-run', 'only report what would be repaired')
    .action(async (opts: { dryRun?: boolean }) => exit(await cli().mirrorReconcileCommand(opts)));
  mirror
    .command('import')
    .description('seed an empty Twingraph from the ADT instance: its models, twins and relationships')
    .action(async () => exit(await cli().mirrorImportCommand()));
}
