/**
 * The `twingraph migrate` command's registration: its options and help, with the command itself (./migrate.ts,
 * which loads both store drivers) required only when it runs, as main.ts does for every command.
 */
import type { Command } from 'commander';

export function migrateCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('migrate')
    .description(
      'copy a SQLite store (models, twins, relationships, telemetry, the change log and its position, the mirror outbox, API keys) into an empty Neo4j database; ' +
        'NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE as for the server. Stop the servers using the file first. Run it again to resume an interrupted copy',
    )
    .requiredOption('--from <file>', 'the SQLite store file (what TWINGRAPH_DB names)')
    .requiredOption('--to <uri>', 'the Neo4j server (neo4j://host:7687, bolt://…, neo4j+s://… for Aura)')
    .action(async (opts: { from: string; to: string }) => {
      const { migrateCommand } = require('./migrate') as typeof import('./migrate');
      setExitCode(await migrateCommand(opts));
    });
}
