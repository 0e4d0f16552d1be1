/**
 * One open SQLite database as every part of the embedded adapter shares it: the connection, its prepared
 * statements, the caches (parsed twins and relationships, metric series ids, model records, reads derived from
 * the graph) and the commit listeners. The parts (models.ts, twins.ts, … housekeeping.ts) are functions over
 * this one object and store.ts assembles them, so that a read costs the same single call it did when all of it
 * was one class, and every part sees the same caches: a write in twins.ts evicts the twin that a later read in
 * twins.ts would otherwise serve stale.
 */
import type Database from 'better-sqlite3';
import { TwingraphError } from '../../errors';
import type { DocumentLimits } from '../documents';
import type { ChangeRow } from '../rows';
import type { CommitListener } from '../port';
import type { PendingChange } from '../changes';
import type { ModelRecord, Relationship, Twin } from '../types';

export type Row = Record<string, unknown>;

/**
 * A change-log row as this connection wrote it, with the change it was made from when that is a twin's or a
 * relationship's (its body and patch the objects the write made, and serialized into the row): the change
 * feed reads every commit right after it, and gets the entry without parsing what was just serialized.
 */
export interface CommittedRow extends ChangeRow {
  readonly written?: PendingChange;
}

const STATEMENT_CACHE_SIZE = 512;
/** Derived reads kept (neighbour pages are one per anchor twin and hop). */
const DERIVED_CACHE_SIZE = 50_000;

/** What one write transaction gathers for after its commit. */
export interface WriteTx {
  /** The newest `seq` it wrote (0: none), for the commit listeners. */
  lastSeq: number;
  /** Metric series it created, `twin\nname` → id: cached only once committed (a rolled-back id may be reused). */
  readonly newSeries: Map<string, number>;
  /** Rows written, towards the next `PRAGMA optimize`. */
  rows: number;
  /** The change-log rows it wrote, as written (for `SqliteDb.recentChanges` once committed). */
  readonly changes: CommittedRow[];
  /**
   * The twins it wrote (or deleted: undefined), in order: once committed they are the stored state, and join
   * the cache of parsed twins as they are (twins.ts: rememberWritten), so that the next read of a twin just
   * written (the next patch's) parses nothing.
   */
  readonly twins: [string, Twin | undefined][];
  /** Who asked for the write running now (in a group commit, each write in turn): its entries record it. */
  actor: string | undefined;
  /** It has written models: the model records kept for writes (models.ts) are not used until it ends. */
  modelsWritten: boolean;
}

export class SqliteDb {
  private readonly statements = new Map<string, Database.Statement>();
  /** Called after each commit that wrote change-log entries (changes.ts). */
  readonly listeners = new Set<CommitListener>();
  /** Metric series ids by `twin\nname`; only committed ones (metrics.ts). */
  readonly seriesIds = new Map<string, number>();
  /**
   * JSON text of documents this write already serialized, so the change log does not serialize them again;
   * emptied when the write ends (store.ts: commit). A Map rather than a WeakMap: it lives one transaction, and
   * a WeakMap's entries are ephemerons, which every young-generation collection during a batch write (a
   * thousand twins, a few collections) has to trace apart.
   */
  readonly serialized = new Map<object, string>();
  /** Parsed, frozen twins for point reads, and the data version they were read at (twins.ts). */
  readonly twinCache = new Map<string, Twin>();
  cacheVersion = -1;
  cacheCheckedAt = -Infinity;
  /**
   * Parsed, frozen relationships for neighbour reads, by `source\nid` (graph.ts). Each is used only while the
   * row's etag is still its own (every write of a relationship gives it a new one), so no write has to evict.
   */
  readonly relationshipCache = new Map<string, Relationship>();
  /**
   * The change-log rows this connection committed last, contiguous in seq and the newest in the file while
   * PRAGMA data_version is still `recentVersion` (changes.ts): the change feed reads each commit right after
   * it, and gets it from here instead of from the file.
   */
  recentChanges: CommittedRow[] = [];
  recentVersion = -1;
  /**
   * Reads derived from twins, relationships and models (pages of neighbours, graph.ts; the models a query's
   * model stands for, queries.ts), kept while nothing they were read from has changed: this process's writes of
   * those forget them all (`forgetDerived`, from the write primitives), and another process's commit empties
   * the cache before its next use (PRAGMA data_version, checked on every use: exact, unlike the twin cache's
   * periodic check). Bounded: the oldest entry goes first.
   */
  private readonly derived = new Map<string, unknown>();
  private derivedVersion = -1;
  /** Model records for the writes, and the data version they were read at (models.ts). */
  readonly modelRecords = new Map<string, ModelRecord>();
  modelRecordsVersion = -1;
  readonly dataVersion: Database.Statement;
  closed = false;
  /** The store's write transaction is running (`beginWrite`…`endWrite`), and its data version once read. */
  private writing = false;
  private writingVersion: number | undefined;

  constructor(
    readonly connection: Database.Database,
    /** Enqueue every mirrored change in the outbox. */
    readonly outbox: boolean,
    readonly limits: DocumentLimits,
    /** The clock (epoch ms). */
    readonly now: () => number,
  ) {
    this.dataVersion = connection.prepare('PRAGMA data_version').pluck();
  }

  /** The store's write transaction starts (store.ts: commit), or has ended. */
  beginWrite(): void {
    this.writing = true;
    this.writingVersion = undefined;
  }

  endWrite(): void {
    this.writing = false;
    this.writingVersion = undefined;
  }

  /**
   * PRAGMA data_version as the write transaction in progress sees it: read once per transaction, as no other
   * connection can commit while it holds the write lock (every twin and model lookup of a write asked again,
   * two statements a write). Outside the store's write, read each time.
   */
  writeVersion(): number {
    if (!this.writing) return this.dataVersion.get() as number;
    return (this.writingVersion ??= this.dataVersion.get() as number);
  }

  /** A prepared statement for this text, prepared once (the cache is emptied when full, not grown). */
  sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      statement = this.connection.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * The derived reads (see `derived`), emptied first if another process has committed since they were read;
   * none inside a transaction, whose reads must see its own writes. Whatever is read right after this call
   * may be kept in it (`keepDerived`): it is at least as new as the state the check found.
   */
  derivedReads(): ReadonlyMap<string, unknown> | undefined {
    if (this.connection.inTransaction) return undefined;
    const version = this.dataVersion.get() as number;
    if (version !== this.derivedVersion) {
      this.derived.clear();
      this.derivedVersion = version;
    }
    // The parsed twins a derived read is made of are checked now too, not at the twin cache's next periodic
    // check: a derived read kept with a twin read stale would stay stale until the next commit.
    if (version !== this.cacheVersion) {
      this.twinCache.clear();
      this.cacheVersion = version;
      this.cacheCheckedAt = Date.now();
    }
    return this.derived;
  }

  keepDerived(key: string, value: unknown): void {
    if (this.connection.inTransaction) return;
    if (this.derived.size >= DERIVED_CACHE_SIZE) this.derived.delete(this.derived.keys().next().value as string);
    this.derived.set(key, value);
  }

  /** Forgets every derived read: twins, relationships or models are being written. */
  forgetDerived(): void {
    this.derived.clear();
  }

  /**
   * The same, returning rows as arrays (no object per row, for the hot reads): kept apart from `sql`'s, as
   * raw mode is a setting of the statement.
   */
  rawSql(text: string): Database.Statement {
    const key = `raw:${text}`;
    let statement = this.statements.get(key);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      statement = this.connection.prepare(text).raw();
      this.statements.set(key, statement);
    }
    return statement;
  }

  json(value: object): string {
    let text = this.serialized.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      this.serialized.set(value, text);
    }
    return text;
  }

  check(): void {
    if (this.closed) throw new TwingraphError('StoreUnavailable', 'The store is closed.');
  }
}
