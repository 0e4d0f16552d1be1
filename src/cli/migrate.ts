/**
 * `twingraph migrate --from <sqlite file> --to <neo4j uri>`: moves a SQLite store into an empty Neo4j database,
 * everything a running deployment needs — models (decommissioned ones too), twins and relationships with their
 * ETags and times, telemetry, the change log with its seqs and where it goes on from (so clients' `since`
 * tokens and the mirror's position stay valid), the mirror's outbox with its dead letters, and the API keys
 * (their hashes). Then it checks the target against the source, table by table.
 *
 * One command rather than `export` and `import` through a file: a store's telemetry is most of it (7.2 million
 * points for the demo), and copying straight from one store to the other needs no file as large as the store,
 * no format to keep in step with both adapters, and reads the source inside one snapshot. It is resumable: an
 * interrupted run (Ctrl-C, a lost connection) goes on where it stopped when run again with the same arguments,
 * and refuses to if the source file changed meanwhile. The target is a store only once the command says done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import { connectNeo4j } from '../store/neo4j/driver';
import { SqliteSource, type Batch, type SourceCounts } from './migrate-source';
import { Neo4jTarget, nextPhase, PHASES, type Phase } from './migrate-target';

export interface MigrateOptions {
  readonly from: string;
  readonly to: string;
}

export interface MigrateIo {
  /** NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE are read from here (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The summary (default: stdout). */
  readonly out?: (text: string) => void;
  /** Progress lines (default: stderr). */
  readonly log?: (text: string) => void;
  /** Rows per transaction, by phase (tests use small batches to cross many batch boundaries). */
  readonly batchSize?: Partial<Record<'twins' | 'relationships' | 'points' | 'changes' | 'outbox', number>>;
  /** Told after each batch has committed (with its progress), how many rows it copied. */
  readonly onBatch?: (phase: Phase, rows: number) => void;
}

const BATCH = { twins: 500, relationships: 1000, points: 20_000, changes: 2000, outbox: 2000 };
const NEO4J_URI = /^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\/\S+$/;

/** The figures both sides must agree on once done. */
const CHECKED: readonly (keyof SourceCounts)[] = [
  'models',
  'twins',
  'relationships',
  'metricPoints',
  'changes',
  'outbox',
  'apiKeys',
  'latestSeq',
];

export async function migrateCommand(options: MigrateOptions, io: MigrateIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const out = io.out ?? ((s) => process.stdout.write(s));
  const log = io.log ?? ((s) => process.stderr.write(s));
  const batch = { ...BATCH, ...io.batchSize };
  const from = path.resolve(options.from);
  if (!fs.existsSync(from) || !fs.statSync(from).isFile())
    throw new UsageError(`--from must be a Twingraph SQLite file (TWINGRAPH_DB); '${options.from}' is not a file.`);
  if (!NEO4J_URI.test(options.to))
    throw new UsageError(
      `--to must be a neo4j:// or bolt:// URI (for example neo4j://localhost:7687); got '${options.to}'.`,
    );

  const source = await SqliteSource.open(from);
  const driver = connectNeo4j({
    uri: options.to,
    ...(env.NEO4J_USER !== undefined && { user: env.NEO4J_USER }),
    ...(env.NEO4J_PASSWORD !== undefined && { password: env.NEO4J_PASSWORD }),
  });
  let target: Neo4jTarget | undefined;
  try {
    target = await Neo4jTarget.open(driver, env.NEO4J_DATABASE || undefined);
    const fingerprint = source.fingerprint();
    const progress = await target.progress();
    let phase: Phase;
    let cursor: unknown;
    if (!progress) {
      const labels = await target.dataLabels();
      if (labels.length > 0)
        throw new UsageError(
          `The Neo4j database at ${options.to} already holds Twingraph data (${labels.join(', ')} nodes): migrate copies into an empty database only. ` +
            'Point --to (or NEO4J_DATABASE) at an empty one.',
        );
      await target.begin(from, fingerprint);
      phase = PHASES[0];
      log(`twingraph migrate: copying ${from} into ${options.to}\n`);
    } else if (progress.phase === 'done') {
      if (progress.source !== from)
        throw new UsageError(
          `The Neo4j database at ${options.to} holds a finished migration from ${progress.source}, not from ${from}.`,
        );
      out(`${from} was migrated into ${options.to} already; nothing to do.\n`);
      return 0;
    } else if (progress.source !== from || progress.fingerprint !== fingerprint) {
      throw new UsageError(
        progress.source !== from
          ? `The Neo4j database at ${options.to} holds an unfinished migration from ${progress.source}, not from ${from}: finish that one, or empty the database and start again.`
          : `${from} has changed since the unfinished migration into ${options.to} began (stop every Twingraph server using it before migrating): empty the Neo4j database and start again.`,
      );
    } else {
      phase = progress.phase;
      cursor = progress.cursor;
      log(`twingraph migrate: resuming the copy of ${from} at ${phase}\n`);
    }

    const copy = async <T, C>(
      name: Phase,
      limit: number,
      read: (after: C | undefined, limit: number) => Batch<T, C>,
      write: (rows: readonly T[], phase: Phase, cursor: unknown) => Promise<void>,
    ): Promise<void> => {
      const started = Date.now();
      let copied = 0;
      let reported = started;
      let after = cursor as C | undefined;
      for (;;) {
        const { rows, next } = read(after, limit);
        if (rows.length > 0) await write(rows, next === undefined ? nextPhase(name) : name, next);
        else await target!.advance(name);
        io.onBatch?.(name, rows.length);
        copied += rows.length;
        if (next === undefined || Date.now() - reported > 10_000) {
          const seconds = (Date.now() - started) / 1000;
          log(
            `  ${name}: ${copied.toLocaleString('en-US')}${next === undefined ? '' : ' so far'} in ${seconds.toFixed(1)} s\n`,
          );
          reported = Date.now();
        }
        if (next === undefined) return;
        after = next;
      }
    };

    const run: Record<(typeof PHASES)[number], () => Promise<void>> = {
      models: () => target!.writeModels(source.models(), nextPhase('models')),
      twins: () =>
        copy(
          'twins',
          batch.twins,
          (a: string | undefined, n) => source.twins(a, n),
          (r, p, c) => target!.writeTwins(r, p, c),
        ),
      relationships: () =>
        copy(
          'relationships',
          batch.relationships,
          (a: [string, string] | undefined, n) => source.relationships(a, n),
          (r, p, c) => target!.writeRelationships(r, p, c),
        ),
      points: () =>
        copy(
          'points',
          batch.points,
          (a: [number, number] | undefined, n) => source.points(a, n),
          (r, p, c) => target!.writePoints(r, p, c),
        ),
      changes: () =>
        copy(
          'changes',
          batch.changes,
          (a: number | undefined, n) => source.changes(a, n),
          (r, p, c) => target!.writeChanges(r, p, c),
        ),
      outbox: () =>
        copy(
          'outbox',
          batch.outbox,
          (a: number | undefined, n) => source.outbox(a, n),
          (r, p, c) => target!.writeOutbox(r, p, c),
        ),
      keys: () => target!.writeKeys(source.apiKeys(), nextPhase('keys')),
      counters: () => target!.finish(source.latestSeq()),
    };
    for (let i = PHASES.indexOf(phase as (typeof PHASES)[number]); i < PHASES.length; i++) {
      await run[PHASES[i]]();
      cursor = undefined;
    }

    const expected = source.counts();
    const found = await target.counts();
    const differences = CHECKED.filter((k) => found[k] !== expected[k]).map(
      (k) => `${k}: ${expected[k]} in the source, ${found[k]} in Neo4j`,
    );
    if (differences.length > 0) {
      log(`twingraph migrate: the copy differs from the source: ${differences.join('; ')}\n`);
      return 1;
    }
    out(
      `Migrated ${from} into ${options.to}: ${expected.models} models, ${expected.twins} twins, ${expected.relationships} relationships, ` +
        `${expected.metricPoints} telemetry points, ${expected.changes} change-log entries (the next seq is ${expected.latestSeq + 1}), ` +
        `${expected.outbox} outbox entries, ${expected.apiKeys} API keys. Point NEO4J_URI at it and start Twingraph.\n`,
    );
    return 0;
  } finally {
    await target?.close();
    await driver.close();
    source.close();
  }
}
