/**
 * One open SQLite database as every part of the embedded adapter shares it: the connection, its prepared
 * statements, the caches (parsed twins, metric series ids) and the commit listeners. The parts (models.ts,
 * twins.ts, … housekeeping.ts) are functions over this one object and store.ts assembles them, so that a read
 * costs the same single call it did when all of it was one class, and every part sees the same caches: a write
 * in twins.ts evicts the twin that a later read in twins.ts would otherwise serve stale.
 */
import type Database from 'better-sqlite3';
import { TwingraphError } from '../../errors';
import type { DocumentLimits } from '../documents';
import type { ChangeRow } from '../rows';
import type { CommitListener } from '../port';
import type { Relationship, Twin } from '../types';

export type Row = Record<string, unknown>;

const STATEMENT_CACHE_SIZE = 512;

/** What one write transaction gathers for after its commit. */
export interface WriteTx {
  /** The newest `seq` it wrote (0: none), for the commit listeners. */
  lastSeq: number;
  /** Metric series it created, `twin\nname` → id: cached only once committed (a rolled-back id may be reused). */
  readonly newSeries: Map<string, number>;
  /** Rows written, towards the next `PRAGMA optimize`. */
  rows: number;
  /** The change-log rows it wrote, as written (for `SqliteDb.recentChanges` once committed). */
  readonly changes: ChangeRow[];
  /** Who asked for the write running now (in a group commit, each write in turn): its entries record it. */
  actor: string | undefined;
}

export class SqliteDb {
  private readonly statements = new Map<string, Database.Statement>();
  /** Called after each commit that wrote change-log entries (changes.ts). */
  readonly listeners = new Set<CommitListener>();
  /** Metric series ids by `twin\nname`; only committed ones (metrics.ts). */
  readonly seriesIds = new Map<string, number>();
  /** JSON text of documents this write already serialized, so the change log does not serialize them again. */
  serialized = new WeakMap<object, string>();
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
  recentChanges: ChangeRow[] = [];
  recentVersion = -1;
  readonly dataVersion: Database.Statement;
  closed = false;

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
