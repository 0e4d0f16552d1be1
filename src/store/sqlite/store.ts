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
import { SqliteDb, type WriteTx } from './db';
import * as graph from './graph';
import * as housekeeping from './housekeeping';
import * as keys from './keys';
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
  // range query): bounded ANALYZE runs on open, after index creation, and after bulk writes.
  connection.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
  connection.pragma('optimize = 0x10002');
  return connection;
}

export class SqliteStore extends RulesStore implements TwinStore {
  readonly kind = 'sqlite';
  readonly outbox: boolean;
  protected readonly limits: DocumentLimits;
  private readonly db: SqliteDb;
  /** The write in progress (writes never overlap: each runs synchronously inside its transaction). */
  private readonly tx: WriteTx = { lastSeq: 0, newSeries: new Map(), rows: 0 };
  /** Every write primitive, over `db` and `tx`: built once, as the write in progress is always `tx`. */
  private readonly primitives: Primitives;
  private rowsSinceOptimize = 0;

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
    this.primitives = {
      ...models.modelPrimitives(this.db),
      ...twins.twinPrimitives(this.db, this.tx),
      ...relationships.relationshipPrimitives(this.db, this.tx),
      ...metrics.metricPrimitives(this.db, this.tx),
      ...changes.changePrimitives(this.db, this.tx),
    };
    if (options.indexedProperties?.length) housekeeping.createIndexes(this.db, options.indexedProperties);
  }

  /** Runs one write's rules in an IMMEDIATE transaction; tells listeners after the commit. */
  protected async transact<T>(rules: (ctx: WriteContext) => Steps<T>): Promise<T> {
    const { db, tx } = this;
    db.check();
    const ctx = { time: isoTime(db.now()), limits: db.limits };
    tx.lastSeq = 0;
    tx.newSeries.clear();
    tx.rows = 0;
    const result = db.connection.transaction(() => runSync(rules(ctx), this.primitives)).immediate();
    for (const [key, id] of tx.newSeries) db.seriesIds.set(key, id);
    db.serialized = new WeakMap();
    this.rowsSinceOptimize += tx.rows;
    if (this.rowsSinceOptimize >= OPTIMIZE_EVERY_ROWS) {
      this.rowsSinceOptimize = 0;
      db.connection.pragma('optimize');
    }
    if (tx.lastSeq > 0) changes.notifyCommit(db, tx.lastSeq);
    return result;
  }

  // ── Models (the writes are RulesStore's) ───────────────────────────────────────────────────────

  listModels(options?: ListModelsOptions): Promise<ModelRecord[]> {
    return models.listModels(this.db, options);
  }

  getModel(id: string, options?: { includeDefinition?: boolean }): Promise<ModelRecord> {
    return models.getModel(this.db, id, options);
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
    return housekeeping.close(this.db);
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
