/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode, one file. It is the default, so that
 * `npm start` needs nothing installed. better-sqlite3 is synchronous, so each write runs its rules
 * (../writes.ts) inside one IMMEDIATE transaction without yielding to the event loop: no other request can
 * interleave with it, and a crash at any point leaves the previous committed state.
 *
 * This file opens the database and assembles the adapter: SqliteStore is the TwinStore, its writes are
 * RulesStore's run through `transact` here, and every other method is a call of the part that holds it, one
 * file per role (models.ts, twins.ts, relationships.ts, queries.ts, graph.ts, metrics.ts, changes.ts,
 * outbox.ts, housekeeping.ts), over the one SqliteDb they share (db.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isoTime } from '../changes';
import { DEFAULT_LIMITS, type DocumentLimits } from '../documents';
import { runSync, type Primitives, type Steps } from '../effects';
import type {
  ApiKeyRecord,
  ClaimOptions,
  CommitListener,
  FailOptions,
  LeaseTaken,
  ListModelsOptions,
  MetricAggregation,
  MetricRange,
  PruneOptions,
  ReadChangesOptions,
  StoreCounts,
  TwinStore,
} from '../port';
import type { Hop, NeighborQuery, Page, PropertyPath, Traversal, TwinQuery } from '../query';
import { RulesStore } from '../rules-store';
import type {
  ChangeEntry,
  MetricBucket,
  MetricPoint,
  MetricSeriesKey,
  ModelRecord,
  OutboxEntry,
  OutboxStats,
  Relationship,
  Twin,
} from '../types';
import type { WriteContext } from '../writes';
import * as changes from './changes';
import { Checkpointer } from './checkpointer';
import { SqliteDb, type WriteTx } from './db';
import * as graph from './graph';
import * as housekeeping from './housekeeping';
import * as keys from './keys';
import * as leases from './leases';
import * as metrics from './metrics';
import * as models from './models';
import * as outbox from './outbox';
import * as queries from './queries';
import * as relationships from './relationships';
import { migrate } from './schema';
import * as twins from './twins';

export interface SqliteStoreOptions {
  /** The database file (created with its folder if missing), or ':memory:'. */
  readonly path: string;
  /** Enqueue every mirrored change in the outbox (turn on when the ADT mirror is configured). */
  readonly outbox?: boolean;
  /**
   * `NORMAL` (default) survives a crash of the process, which is what WAL guarantees; `FULL` also survives
   * the machine losing power, at some cost per commit.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  readonly limits?: Partial<DocumentLimits>;
  /** The clock (epoch ms); tests set it. */
  readonly now?: () => number;
  /** Twin properties to index from the start. */
  readonly indexedProperties?: readonly PropertyPath[];
}

const ANALYSIS_LIMIT = 1000;
/** Rows written between two `PRAGMA optimize` runs. */
const OPTIMIZE_EVERY_ROWS = 50_000;
/**
 * How long after the open its `PRAGMA optimize` runs. Statistics are stale on open only when the last
 * connection did not close (a crash) or another process wrote much: the bounded ANALYZE then takes tens to a
 * couple of hundred milliseconds on the event loop, which a start would otherwise spend before its first
 * answer. Until it runs, queries are planned with the statistics the file has, as they were before.
 */
const OPTIMIZE_AFTER_OPEN_MS = 2000;

/** Opens the file (or memory) with the adapter's settings and brings its schema up to date. */
function openDatabase(options: SqliteStoreOptions): Database.Database {
  if (options.path !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  const connection = new Database(options.path);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  connection.pragma('busy_timeout = 5000');
  connection.pragma('cache_size = -65536');
  connection.pragma('temp_store = MEMORY');
  try {
    migrate(connection);
  } catch (error) {
    // Nobody gets a store to close: let go of the file here (a newer schema, a failed migration).
    connection.close();
    throw error;
  }
  // The planner needs statistics to prefer a property index over the model index (300× on a 100k-twin
  // range query): bounded ANALYZE runs soon after the open (the store's constructor), after index creation,
  // after bulk writes, and at close.
  connection.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
  return connection;
}

/** A write waiting for its turn's group commit. */
interface QueuedWrite {
  readonly rules: (ctx: WriteContext) => Steps<unknown>;
  /** Who asked for it (its change-log entries record them). */
  readonly actor: string | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The outcome of a write its rules refused, inside a group commit (its savepoint rolled back). */
class Refused {
  constructor(readonly error: unknown) {}
}

export class SqliteStore extends RulesStore implements TwinStore {
  readonly kind = 'sqlite';
  readonly outbox: boolean;
  protected readonly limits: DocumentLimits;
  private readonly db: SqliteDb;
  /** The write in progress (writes never overlap: each runs synchronously inside its transaction). */
  private readonly tx: WriteTx = {
    lastSeq: 0,
    newSeries: new Map(),
    rows: 0,
    changes: [],
    twins: [],
    actor: undefined,
    modelsWritten: false,
  };
  /** Every write primitive, over `db` and `tx`: built once, as the write in progress is always `tx`. */
  private readonly primitives: Primitives;
  private rowsSinceOptimize = 0;
  /** A write has run in this turn of the event loop: later ones queue for the turn's end (see `transact`). */
  private turnStarted = false;
  /** The last turn's end committed a group: the store is busy, and a turn's first write joins its group too. */
  private grouping = false;
  /** WAL checkpoints off the event loop, for a file (./checkpointer.ts). */
  private readonly checkpoints: Checkpointer | undefined;
  /** The open's `PRAGMA optimize`, due OPTIMIZE_AFTER_OPEN_MS after it. */
  private readonly optimizeAfterOpen: NodeJS.Timeout;
  private readonly queued: QueuedWrite[] = [];
  /**
   * The transaction functions `commit` runs, made once: better-sqlite3 builds four wrappers and their
   * properties for each `transaction()` call, which was a measurable part of a one-write commit.
   */
  private readonly transactions: {
    /** One write alone, in an IMMEDIATE transaction (its failure rolls it back). */
    readonly one: (write: QueuedWrite) => unknown;
    /** A group, in an IMMEDIATE transaction, each write in a savepoint (a refused one yields Refused). */
    readonly group: (batch: readonly QueuedWrite[]) => unknown[];
  };

  constructor(options: SqliteStoreOptions) {
    super();
    this.db = new SqliteDb(
      openDatabase(options),
      options.outbox ?? false,
      { ...DEFAULT_LIMITS, ...options.limits },
      options.now ?? Date.now,
    );
    this.outbox = this.db.outbox;
    this.limits = this.db.limits;
    this.checkpoints =
      options.path === ':memory:' || options.path === ''
        ? undefined
        : new Checkpointer(path.resolve(options.path), (pages) => {
            if (!this.db.closed) this.db.connection.pragma(`wal_autocheckpoint = ${pages}`);
          });
    this.primitives = {
      ...models.modelPrimitives(this.db, this.tx),
      ...twins.twinPrimitives(this.db, this.tx),
      ...relationships.relationshipPrimitives(this.db, this.tx),
      ...metrics.metricPrimitives(this.db, this.tx),
      ...changes.changePrimitives(this.db, this.tx),
    };
    if (options.indexedProperties?.length) housekeeping.createIndexes(this.db, options.indexedProperties);
    // SQLite's advice for long-lived connections, `optimize = 0x10002` on open (every table, not only those
    // this connection used), after the start rather than in it.
    this.optimizeAfterOpen = setTimeout(() => {
      try {
        if (!this.db.closed) this.db.connection.pragma('optimize = 0x10002');
      } catch {
        // Statistics only help the planner: a busy or failing file shows itself on the next real statement.
      }
    }, OPTIMIZE_AFTER_OPEN_MS).unref();
    const { connection } = this.db;
    const tx = this.tx;
    // The ISO text of the clock's last reading: writes of one group commit mostly share a millisecond.
    let lastMs = NaN;
    let lastTime = '';
    // A twin's text made for its size check is the one its row and change-log entry store (db.json).
    const json = (document: object): string => this.db.json(document);
    const run = (write: QueuedWrite): unknown => {
      tx.actor = write.actor;
      const ms = this.db.now();
      if (ms !== lastMs) [lastMs, lastTime] = [ms, isoTime(ms)];
      return runSync(write.rules({ time: lastTime, limits: this.db.limits, json }), this.primitives);
    };
    // Inside the group's transaction, the same function opens a savepoint.
    const inSavepoint = connection.transaction(run);
    const group = connection.transaction((batch: readonly QueuedWrite[]) =>
      batch.map((write) => {
        const before = {
          changes: tx.changes.length,
          twins: tx.twins.length,
          series: tx.newSeries.size,
          lastSeq: tx.lastSeq,
        };
        try {
          return inSavepoint(write);
        } catch (error) {
          // Rolled back to its savepoint: what it gathered for after the commit goes too.
          tx.changes.length = before.changes;
          tx.twins.length = before.twins;
          tx.lastSeq = before.lastSeq;
          [...tx.newSeries.keys()].slice(before.series).forEach((key) => tx.newSeries.delete(key));
          return new Refused(error);
        }
      }),
    );
    this.transactions = { one: inSavepoint.immediate, group: group.immediate };
  }

  /**
   * Runs one write's rules in an IMMEDIATE transaction and tells the listeners after the commit; resolves
   * once it has committed. Group commit: a write that finds no other in this turn of the event loop runs at
   * once, within this call, as before; the writes that come after it in the same turn (concurrent requests)
   * wait for the turn's end and then commit together, each in its own savepoint, so that one refused write
   * leaves the others be, and the commit's cost (the WAL append) is paid once for all of them. While the
   * store is busy (the last turn's end committed a group of writes), a turn's first write waits for its group
   * too: one commit a turn instead of two, each commit's shared pages (the change log's, its index's)
   * written once; when the writes thin out to one a turn, the first runs at once again.
   */
  protected transact<T>(rules: (ctx: WriteContext) => Steps<T>, actor: string | undefined): Promise<T> {
    try {
      this.db.check();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.turnStarted || this.grouping) {
      if (!this.turnStarted) {
        this.turnStarted = true;
        setImmediate(() => this.flush());
      }
      return new Promise<T>((resolve, reject) =>
        this.queued.push({ rules, actor, resolve: resolve as (value: unknown) => void, reject }),
      );
    }
    this.turnStarted = true;
    setImmediate(() => this.flush());
    return this.commit([{ rules, actor, resolve: () => undefined, reject: () => undefined }]).then(
      (outcomes) => outcomes[0] as T,
    );
  }

  /** Commits the writes queued in this turn, if any, and lets the next write run at once again. */
  private flush(): void {
    this.turnStarted = false;
    const batch = this.queued.splice(0);
    this.grouping = batch.length > 1;
    if (batch.length === 0) return;
    this.commit(batch).then(
      (outcomes) => batch.forEach((w, i) => w.resolve(outcomes[i])),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
  }

  /**
   * One transaction for `batch`: a lone write as it always ran (its failure rolls the transaction back), more
   * than one each in a savepoint. Resolves with each write's result, or rejects when the commit itself fails;
   * a write its rules refused yields its error, rejected through `settled` by the caller.
   */
  private async commit(batch: readonly QueuedWrite[]): Promise<unknown[]> {
    const { db, tx } = this;
    db.check();
    tx.lastSeq = 0;
    tx.newSeries.clear();
    tx.rows = 0;
    tx.changes.length = 0;
    tx.twins.length = 0;
    tx.modelsWritten = false;
    let outcomes: unknown[];
    db.beginWrite();
    try {
      outcomes = batch.length === 1 ? [this.transactions.one(batch[0])] : this.transactions.group(batch);
    } finally {
      db.endWrite();
      db.serialized.clear();
    }
    this.checkpoints?.committed(tx.rows);
    twins.rememberWritten(db, tx.twins);
    changes.rememberCommitted(db, tx.changes);
    for (const [key, id] of tx.newSeries) db.seriesIds.set(key, id);
    this.rowsSinceOptimize += tx.rows;
    if (this.rowsSinceOptimize >= OPTIMIZE_EVERY_ROWS) {
      this.rowsSinceOptimize = 0;
      db.connection.pragma('optimize');
    }
    if (tx.lastSeq > 0) changes.notifyCommit(db, tx.lastSeq);
    // The queued writes' promises settle from here: a refused one rejects with its own error.
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof Refused) write.reject(outcome.error);
    });
    return outcomes;
  }

  // ── Models (the writes are RulesStore's) ───────────────────────────────────────────────────────

  listModels(options?: ListModelsOptions): Promise<ModelRecord[]> {
    return models.listModels(this.db, options);
  }

  getModel(id: string, options?: { includeDefinition?: boolean }): Promise<ModelRecord> {
    return models.getModel(this.db, id, options);
  }

  lockModels(holder: string, leaseMs: number): Promise<boolean> {
    return models.lockModels(this.db, holder, leaseMs);
  }

  unlockModels(holder: string): Promise<void> {
    return models.unlockModels(this.db, holder);
  }

  // ── Leases ──────────────────────────────────────────────────────────────────────────────────────

  takeLease(name: string, holder: string, leaseMs: number): Promise<LeaseTaken | null> {
    return leases.takeLease(this.db, name, holder, leaseMs);
  }

  giveLease(name: string, holder: string): Promise<void> {
    return leases.giveLease(this.db, name, holder);
  }

  // ── Twin and relationship reads ─────────────────────────────────────────────────────────────────

  getTwin(id: string): Promise<Twin> {
    return twins.getTwin(this.db, id);
  }

  getTwins(ids: readonly string[]): Promise<(Twin | undefined)[]> {
    return twins.getTwins(this.db, ids);
  }

  getRelationship(sourceId: string, relationshipId: string): Promise<Relationship> {
    return relationships.getRelationship(this.db, sourceId, relationshipId);
  }

  listRelationships(sourceId: string, options?: { name?: string }): Promise<Relationship[]> {
    return relationships.listRelationships(this.db, sourceId, options);
  }

  listIncomingRelationships(targetId: string, options?: { name?: string }): Promise<Relationship[]> {
    return relationships.listIncomingRelationships(this.db, targetId, options);
  }

  queryTwins(query: TwinQuery): Promise<Page<Twin>> {
    return queries.queryTwins(this.db, query);
  }

  traverse(traversal: Traversal): Promise<Page<Twin>> {
    return graph.traverse(this.db, traversal);
  }

  neighbors(query: NeighborQuery): Promise<{ twin: Twin; relationship: Relationship }[][]> {
    return graph.neighbors(this.db, query);
  }

  neighborCounts(ids: readonly string[], hop: Hop): Promise<number[]> {
    return graph.neighborCounts(this.db, ids, hop);
  }

  // ── Metrics (appendMetrics is RulesStore's) ─────────────────────────────────────────────────────

  readMetrics(range: MetricRange): Promise<MetricPoint[]> {
    return metrics.readMetrics(this.db, range);
  }

  aggregateMetrics(request: MetricAggregation): Promise<MetricBucket[][]> {
    return metrics.aggregateMetrics(this.db, request);
  }

  latestMetrics(series: readonly MetricSeriesKey[]): Promise<(MetricPoint | undefined)[]> {
    return metrics.latestMetrics(this.db, series);
  }

  // ── Change log ──────────────────────────────────────────────────────────────────────────────────

  readChanges(options: ReadChangesOptions): Promise<ChangeEntry[]> {
    return changes.readChanges(this.db, options);
  }

  latestSeq(): Promise<number> {
    return changes.latestSeq(this.db);
  }

  firstSeq(): Promise<number> {
    return changes.firstSeq(this.db);
  }

  pruneChanges(options: PruneOptions): Promise<number> {
    return changes.pruneChanges(this.db, options);
  }

  onCommit(listener: CommitListener): () => void {
    return changes.onCommit(this.db, listener);
  }

  // ── Outbox ──────────────────────────────────────────────────────────────────────────────────────

  claimOutbox(options: ClaimOptions): Promise<OutboxEntry[]> {
    return outbox.claimOutbox(this.db, options);
  }

  renewOutbox(seqs: readonly number[], leaseMs: number): Promise<void> {
    return outbox.renewOutbox(this.db, seqs, leaseMs);
  }

  ackOutbox(seqs: readonly number[]): Promise<void> {
    return outbox.ackOutbox(this.db, seqs);
  }

  releaseOutbox(seqs: readonly number[]): Promise<void> {
    return outbox.releaseOutbox(this.db, seqs);
  }

  failOutbox(seq: number, options: FailOptions): Promise<void> {
    return outbox.failOutbox(this.db, seq, options);
  }

  pendingBefore(seq: number, partitions: readonly string[]): Promise<boolean> {
    return outbox.pendingBefore(this.db, seq, partitions);
  }

  outboxStats(): Promise<OutboxStats> {
    return outbox.outboxStats(this.db);
  }

  listDeadLetters(options?: { limit?: number }): Promise<OutboxEntry[]> {
    return outbox.listDeadLetters(this.db, options);
  }

  retryDeadLetters(seqs?: readonly number[]): Promise<number> {
    return outbox.retryDeadLetters(this.db, seqs);
  }

  dropDeadLetters(seqs?: readonly number[]): Promise<number> {
    return outbox.dropDeadLetters(this.db, seqs);
  }

  // ── Housekeeping ────────────────────────────────────────────────────────────────────────────────

  ensurePropertyIndexes(paths: readonly PropertyPath[]): Promise<void> {
    return housekeeping.ensurePropertyIndexes(this.db, paths);
  }

  counts(): Promise<StoreCounts> {
    return housekeeping.counts(this.db);
  }

  ping(): Promise<void> {
    return housekeeping.ping(this.db);
  }

  close(): Promise<void> {
    clearTimeout(this.optimizeAfterOpen);
    // Writes queued in this turn commit first: they were asked for before the close.
    if (this.db.closed) return housekeeping.close(this.db);
    this.flush();
    return housekeeping.close(this.db, this.checkpoints?.close());
  }

  // ── API keys ────────────────────────────────────────────────────────────────────────────────────

  createKey(key: ApiKeyRecord): Promise<void> {
    return keys.createKey(this.db, key);
  }

  listKeys(): Promise<ApiKeyRecord[]> {
    return keys.listKeys(this.db);
  }

  findKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return keys.findKey(this.db, hash);
  }

  revokeKey(name: string, time: string): Promise<boolean> {
    return keys.revokeKey(this.db, name, time);
  }
}

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
