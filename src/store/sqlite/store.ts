/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode, one file. It is the default, so that
 * `npm start` needs nothing installed. better-sqlite3 is synchronous, so each write runs its rules
 * (../writes.ts) inside one IMMEDIATE transaction without yielding to the event loop: no other request can
 * interleave with it, and a crash at any point leaves the previous committed state.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TwingraphError } from '../../errors';
import {
  isMirrored,
  isOutboxBarrier,
  isoTime,
  outboxHeadsToExamine,
  outboxPartition,
  type PendingChange,
} from '../changes';
import { DEFAULT_LIMITS, type DocumentLimits } from '../documents';
import { relationshipKey, runSync, type Primitives, type Steps } from '../effects';
import type {
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
import {
  checkCursorFits,
  checkFilter,
  checkOrderBy,
  checkPath,
  planPage,
  toPage,
  valueAt,
  type Hop,
  type NeighborQuery,
  type Page,
  type PropertyPath,
  type Traversal,
  type TwinQuery,
} from '../query';
import {
  checkAggregation,
  checkIds,
  dependencyClosure,
  checkMetricRange,
  checkNeighborQuery,
  checkTraversal,
  metricWindows,
  pruneCutoff,
  traversalQuery,
} from '../reads';
import type {
  ChangeEntry,
  JsonPatch,
  MetricBucket,
  MetricPoint,
  MetricSeriesKey,
  ModelRecord,
  OutboxEntry,
  OutboxStats,
  Relationship,
  Twin,
} from '../types';
import { RulesStore } from '../rules-store';
import type { WriteContext } from '../writes';
import { compileFilter, jsonValueExpr, keysetCondition, orderByClause, SqlParams } from './compile';
import { migrate } from './schema';
import { deepFreeze } from '../../freeze';

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

type Row = Record<string, unknown>;

const DEFAULT_METRIC_LIMIT = 10_000;
const MAX_METRIC_LIMIT = 100_000;
const STATEMENT_CACHE_SIZE = 512;
/** Parsed twins kept for point reads (oldest evicted first). */
const TWIN_CACHE_SIZE = 50_000;
/** How stale a cached twin may be after another process commits to the same file. */
const DATA_VERSION_CHECK_MS = 20;
const ANALYSIS_LIMIT = 1000;
/** Rows written between two `PRAGMA optimize` runs. */
const OPTIMIZE_EVERY_ROWS = 50_000;

function modelFromRow(row: Row, includeDefinition: boolean): ModelRecord {
  return {
    id: row.id as string,
    uploadTime: row.upload_time as string,
    decommissioned: row.decommissioned === 1,
    ancestors: JSON.parse(row.ancestors as string) as string[],
    dependencies: JSON.parse(row.dependencies as string) as string[],
    ...(row.display_name != null && { displayName: JSON.parse(row.display_name as string) as Record<string, string> }),
    ...(row.description != null && { description: JSON.parse(row.description as string) as Record<string, string> }),
    ...(includeDefinition && { definition: JSON.parse(row.definition as string) }),
  };
}

function changeFromRow(row: Row): ChangeEntry {
  return {
    seq: row.seq as number,
    time: row.time as string,
    type: row.type as ChangeEntry['type'],
    subject: row.subject as string,
    ...(row.model != null && { modelId: row.model as string }),
    ...(row.twin != null && { twinId: row.twin as string }),
    ...(row.relationship != null && { relationshipId: row.relationship as string }),
    ...(row.patch != null && { patch: JSON.parse(row.patch as string) as JsonPatch }),
    body: JSON.parse(row.body as string),
  };
}

function outboxFromRow(row: Row): OutboxEntry {
  return {
    seq: row.seq as number,
    partition: row.partition as string,
    change: changeFromRow(row),
    attempts: row.attempts as number,
    status: row.status as OutboxEntry['status'],
    availableAt: isoTime(row.available_at as number),
    ...(row.last_error != null && { lastError: row.last_error as string }),
    ...(row.resync === 1 && { resync: true }),
  };
}

/** Metric points per INSERT statement (4 parameters each, far below SQLite's 32,766). */
const POINTS_PER_STATEMENT = 64;

function pointFromRow(twinId: string, name: string, row: Row): MetricPoint {
  return {
    twinId,
    name,
    time: isoTime(row.ts as number),
    value: row.json != null ? JSON.parse(row.json as string) : (row.value as number),
  };
}

export class SqliteStore extends RulesStore implements TwinStore {
  readonly kind = 'sqlite';
  readonly outbox: boolean;
  private readonly db: Database.Database;
  protected readonly limits: DocumentLimits;
  private readonly now: () => number;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly listeners = new Set<CommitListener>();
  /** Metric series ids by `twin\nname`; only committed ones (a rolled-back id may be reused). */
  private readonly seriesIds = new Map<string, number>();
  /** JSON text of documents this write already serialized, so the change log does not serialize them again. */
  private serialized = new WeakMap<object, string>();
  private rowsSinceOptimize = 0;
  private readonly twinCache = new Map<string, Twin>();
  private cacheVersion = -1;
  private cacheCheckedAt = -Infinity;
  private readonly dataVersion: Database.Statement;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    super();
    if (options.path !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    try {
      migrate(this.db);
    } catch (error) {
      // Nobody gets a store to close: let go of the file here (a newer schema, a failed migration).
      this.db.close();
      throw error;
    }
    // The planner needs statistics to prefer a property index over the model index (300× on a 100k-twin
    // range query): bounded ANALYZE runs on open, after index creation, and after bulk writes.
    this.db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
    this.db.pragma('optimize = 0x10002');
    this.dataVersion = this.db.prepare('PRAGMA data_version').pluck();
    this.outbox = options.outbox ?? false;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    if (options.indexedProperties?.length) this.createIndexes(options.indexedProperties);
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private json(value: object): string {
    let text = this.serialized.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      this.serialized.set(value, text);
    }
    return text;
  }

  private check(): void {
    if (this.closed) throw new TwingraphError('StoreUnavailable', 'The store is closed.');
  }

  // ── Writes ──────────────────────────────────────────────────────────────────────────────────────

  /** Runs one write's rules in an IMMEDIATE transaction; tells listeners after the commit. */
  protected async transact<T>(rules: (ctx: WriteContext) => Steps<T>): Promise<T> {
    this.check();
    const ctx = { time: isoTime(this.now()), limits: this.limits };
    const tx = { lastSeq: 0, newSeries: new Map<string, number>(), rows: 0 };
    const result = this.db.transaction(() => runSync(rules(ctx), this.primitives(tx))).immediate();
    for (const [key, id] of tx.newSeries) this.seriesIds.set(key, id);
    this.serialized = new WeakMap();
    this.rowsSinceOptimize += tx.rows;
    if (this.rowsSinceOptimize >= OPTIMIZE_EVERY_ROWS) {
      this.rowsSinceOptimize = 0;
      this.db.pragma('optimize');
    }
    if (tx.lastSeq > 0) this.notify(tx.lastSeq);
    return result;
  }

  private notify(seq: number): void {
    for (const listener of this.listeners) {
      try {
        listener(seq);
      } catch {
        // A listener's failure is its own; the write has committed.
      }
    }
  }

  private primitives(tx: { lastSeq: number; newSeries: Map<string, number>; rows: number }): Primitives {
    return {
      models: (ids) => {
        const found = new Map<string, ModelRecord>();
        if (ids.length === 0) return found;
        const rows = this.sql('SELECT * FROM models WHERE id IN (SELECT value FROM json_each(?))').all(
          JSON.stringify(ids),
        ) as Row[];
        for (const row of rows) found.set(row.id as string, modelFromRow(row, false));
        return found;
      },
      modelDependents: (id) =>
        (
          this.sql(
            'SELECT d.model FROM model_dependencies d JOIN models m ON m.id = d.model WHERE d.dependency = ? ORDER BY d.model',
          ).all(id) as Row[]
        ).map((r) => r.model as string),
      insertModels: (models) => {
        const insert = this.sql(
          'INSERT INTO models (id, upload_time, decommissioned, ancestors, dependencies, display_name, description, definition) VALUES (?, ?, 0, ?, ?, ?, ?, ?)',
        );
        const clearAncestors = this.sql('DELETE FROM model_ancestors WHERE model = ?');
        const ancestor = this.sql('INSERT OR IGNORE INTO model_ancestors (ancestor, model) VALUES (?, ?)');
        const dependency = this.sql('INSERT OR IGNORE INTO model_dependencies (dependency, model) VALUES (?, ?)');
        for (const { record, definition } of models) {
          insert.run(
            record.id,
            record.uploadTime,
            JSON.stringify(record.ancestors),
            JSON.stringify(record.dependencies),
            record.displayName ? JSON.stringify(record.displayName) : null,
            record.description ? JSON.stringify(record.description) : null,
            this.json(definition),
          );
          clearAncestors.run(record.id);
          for (const a of [record.id, ...record.ancestors]) ancestor.run(a, record.id);
          for (const d of record.dependencies) dependency.run(d, record.id);
        }
      },
      decommissionModel: (id) => void this.sql('UPDATE models SET decommissioned = 1 WHERE id = ?').run(id),
      deleteModel: (id) => {
        this.sql('DELETE FROM models WHERE id = ?').run(id);
        this.sql('DELETE FROM model_dependencies WHERE model = ?').run(id);
      },
      twins: (ids) => this.readTwins(ids),
      twinModels: (ids) => {
        const rows = this.sql('SELECT id, model FROM twins WHERE id IN (SELECT value FROM json_each(?))').all(
          JSON.stringify(ids),
        ) as Row[];
        return new Map(rows.map((r) => [r.id as string, r.model as string]));
      },
      writeTwins: (rows) => {
        const upsert = this.sql(
          'INSERT INTO twins (id, model, etag, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET model = excluded.model, etag = excluded.etag, body = excluded.body',
        );
        for (const { twin } of rows) {
          upsert.run(twin.$dtId, twin.$metadata.$model, twin.$etag, this.json(twin));
          this.twinCache.delete(twin.$dtId);
        }
        tx.rows += rows.length;
      },
      deleteTwins: (ids) => {
        const points = this.sql(
          'DELETE FROM metric_points WHERE series IN (SELECT id FROM metric_series WHERE twin = ?)',
        );
        const twin = this.sql('DELETE FROM twins WHERE id = ?');
        for (const id of ids) {
          points.run(id);
          twin.run(id);
          this.twinCache.delete(id);
        }
      },
      relationships: (keys) => {
        const found = new Map<string, Relationship>();
        const get = this.sql('SELECT body FROM relationships WHERE source = ? AND id = ?');
        for (const [source, id] of keys) {
          const row = get.get(source, id) as Row | undefined;
          if (row) found.set(relationshipKey(source, id), JSON.parse(row.body as string) as Relationship);
        }
        return found;
      },
      relationshipsTouching: (twinId, limit) =>
        (
          this.sql(
            'SELECT body FROM (SELECT body FROM relationships WHERE source = @id UNION ALL SELECT body FROM relationships WHERE target = @id) LIMIT @limit',
          ).all({
            id: twinId,
            limit,
          }) as Row[]
        ).map((r) => JSON.parse(r.body as string) as Relationship),
      writeRelationships: (rows) => {
        const upsert = this.sql(
          'INSERT INTO relationships (source, id, name, target, etag, body) VALUES (?, ?, ?, ?, ?, ?) ' +
            'ON CONFLICT (source, id) DO UPDATE SET name = excluded.name, target = excluded.target, etag = excluded.etag, body = excluded.body',
        );
        for (const { relationship: r } of rows)
          upsert.run(r.$sourceId, r.$relationshipId, r.$relationshipName, r.$targetId, r.$etag, this.json(r));
        tx.rows += rows.length;
      },
      deleteRelationships: (relationships) => {
        const remove = this.sql('DELETE FROM relationships WHERE source = ? AND id = ?');
        for (const r of relationships) remove.run(r.$sourceId, r.$relationshipId);
      },
      appendPoints: (points) => {
        // Resolve each series once per call (points of one series come many at a time), then insert in
        // (series, time) order: the primary key's order, so rows append to the B-tree instead of landing
        // all over it. The sort is stable, so of two points with one time the later still wins.
        const byTwin = new Map<string, Map<string, number>>();
        const series = new Float64Array(points.length);
        for (let i = 0; i < points.length; i++) {
          const p = points[i];
          let names = byTwin.get(p.twinId);
          if (!names) byTwin.set(p.twinId, (names = new Map()));
          let id = names.get(p.name);
          if (id === undefined) names.set(p.name, (id = this.seriesId(p.twinId, p.name, tx.newSeries)));
          series[i] = id;
        }
        const order = Array.from(points.keys()).sort((a, b) => series[a] - series[b] || points[a].ts - points[b].ts);
        // Rows go in POINTS_PER_STATEMENT at a time: one statement step per row costs about twice as much.
        const many = this.sql(
          `INSERT OR REPLACE INTO metric_points (series, ts, value, json) VALUES ${'(?, ?, ?, ?), '.repeat(POINTS_PER_STATEMENT - 1)}(?, ?, ?, ?)`,
        );
        const one = this.sql('INSERT OR REPLACE INTO metric_points (series, ts, value, json) VALUES (?, ?, ?, ?)');
        const args: unknown[] = new Array(POINTS_PER_STATEMENT * 4);
        let i = 0;
        for (; i + POINTS_PER_STATEMENT <= order.length; i += POINTS_PER_STATEMENT) {
          for (let j = 0; j < POINTS_PER_STATEMENT; j++) {
            const k = order[i + j];
            const p = points[k];
            args[j * 4] = series[k];
            args[j * 4 + 1] = p.ts;
            args[j * 4 + 2] = p.value;
            args[j * 4 + 3] = p.json;
          }
          many.run(args);
        }
        for (; i < order.length; i++) {
          const p = points[order[i]];
          one.run(series[order[i]], p.ts, p.value, p.json);
        }
        tx.rows += points.length;
      },
      appendChanges: (changes) => {
        const insert = this.sql(
          'INSERT INTO changes (time, type, subject, model, twin, relationship, patch, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        );
        const enqueue = this.sql('INSERT INTO outbox (seq, partition, available_at, barrier) VALUES (?, ?, ?, ?)');
        const now = this.now();
        return changes.map((change) => {
          const seq = Number(insert.run(...this.changeColumns(change)).lastInsertRowid);
          if (this.outbox && isMirrored(change.type))
            enqueue.run(seq, outboxPartition(change), now, isOutboxBarrier(change.type) ? 1 : 0);
          tx.lastSeq = seq;
          return seq;
        });
      },
    };
  }

  private changeColumns(change: PendingChange): unknown[] {
    return [
      change.time,
      change.type,
      change.subject,
      change.modelId ?? null,
      change.twinId ?? null,
      change.relationshipId ?? null,
      change.patch ? JSON.stringify(change.patch) : null,
      typeof change.body === 'object' && change.body !== null ? this.json(change.body) : JSON.stringify(change.body),
    ];
  }

  private seriesId(twinId: string, name: string, newSeries: Map<string, number>): number {
    const key = `${twinId}\n${name}`;
    let id = this.seriesIds.get(key) ?? newSeries.get(key);
    if (id === undefined) {
      const row = this.sql('SELECT id FROM metric_series WHERE twin = ? AND name = ?').get(twinId, name) as
        Row | undefined;
      id = row
        ? (row.id as number)
        : Number(this.sql('INSERT INTO metric_series (twin, name) VALUES (?, ?)').run(twinId, name).lastInsertRowid);
      newSeries.set(key, id);
    }
    return id;
  }

  // ── Model and twin reads ────────────────────────────────────────────────────────────────────────

  async listModels(options: ListModelsOptions = {}): Promise<ModelRecord[]> {
    this.check();
    const include = options.includeDefinition ?? false;
    if (!options.dependenciesFor) {
      return (this.sql('SELECT * FROM models ORDER BY upload_time, id').all() as Row[]).map((r) =>
        modelFromRow(r, include),
      );
    }
    const get = this.sql('SELECT * FROM models WHERE id = ?');
    return dependencyClosure(options.dependenciesFor, (id) => {
      const row = get.get(id) as Row | undefined;
      return row ? modelFromRow(row, include) : undefined;
    });
  }

  async getModel(id: string, options: { includeDefinition?: boolean } = {}): Promise<ModelRecord> {
    this.check();
    const row = this.sql('SELECT * FROM models WHERE id = ?').get(id) as Row | undefined;
    if (!row)
      throw new TwingraphError('ModelNotFound', `There is no model '${id}'. Check the id, or upload the model.`, {
        modelId: id,
      });
    return modelFromRow(row, options.includeDefinition ?? false);
  }

  /**
   * Twins by id, through a cache of parsed, frozen documents: a point read is mostly JSON parsing, and the
   * API reads the same twins again and again. This process's writes evict what they change. Commits by other
   * connections to the file (PRAGMA data_version moves) empty the cache; that is checked at most every
   * DATA_VERSION_CHECK_MS, so another process's commit shows within that time. Inside a write transaction the
   * cache is neither used nor filled: ETag checks always see the committed state.
   */
  private readTwins(ids: readonly string[]): Map<string, Twin> {
    const found = new Map<string, Twin>();
    const cached = !this.db.inTransaction;
    if (cached) {
      const now = Date.now();
      if (now - this.cacheCheckedAt >= DATA_VERSION_CHECK_MS) {
        this.cacheCheckedAt = now;
        const version = this.dataVersion.get() as number;
        if (version !== this.cacheVersion) {
          this.twinCache.clear();
          this.cacheVersion = version;
        }
      }
    }
    const missing: string[] = [];
    for (const id of ids) {
      const twin = cached ? this.twinCache.get(id) : undefined;
      if (twin) found.set(id, twin);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const remember = cached;
    const keep = (id: string, body: string): void => {
      const twin = JSON.parse(body) as Twin;
      found.set(id, twin);
      if (remember) {
        if (this.twinCache.size >= TWIN_CACHE_SIZE) this.twinCache.delete(this.twinCache.keys().next().value as string);
        this.twinCache.set(id, deepFreeze(twin));
      }
    };
    if (missing.length === 1) {
      const row = this.sql('SELECT body FROM twins WHERE id = ?').get(missing[0]) as Row | undefined;
      if (row) keep(missing[0], row.body as string);
    } else {
      const rows = this.sql('SELECT id, body FROM twins WHERE id IN (SELECT value FROM json_each(?))').all(
        JSON.stringify(missing),
      ) as Row[];
      for (const row of rows) keep(row.id as string, row.body as string);
    }
    return found;
  }

  async getTwin(id: string): Promise<Twin> {
    this.check();
    const twin = typeof id === 'string' ? this.readTwins([id]).get(id) : undefined;
    if (!twin)
      throw new TwingraphError('DigitalTwinNotFound', `There is no digital twin with id '${id}'.`, {
        twinId: String(id),
      });
    return twin;
  }

  async getTwins(ids: readonly string[]): Promise<(Twin | undefined)[]> {
    this.check();
    checkIds(ids);
    const found = this.readTwins(ids);
    return ids.map((id) => found.get(id));
  }

  private requireTwinExists(id: string): void {
    if (typeof id !== 'string' || !this.sql('SELECT 1 FROM twins WHERE id = ?').get(id)) {
      throw new TwingraphError('DigitalTwinNotFound', `There is no digital twin with id '${id}'.`, {
        twinId: String(id),
      });
    }
  }

  async getRelationship(sourceId: string, relationshipId: string): Promise<Relationship> {
    this.check();
    this.requireTwinExists(sourceId);
    const row = this.sql('SELECT body FROM relationships WHERE source = ? AND id = ?').get(sourceId, relationshipId) as
      Row | undefined;
    if (!row) {
      throw new TwingraphError(
        'RelationshipNotFound',
        `Twin '${sourceId}' has no relationship with id '${relationshipId}'.`,
        { twinId: sourceId, relationshipId },
      );
    }
    return JSON.parse(row.body as string) as Relationship;
  }

  async listRelationships(sourceId: string, options: { name?: string } = {}): Promise<Relationship[]> {
    this.check();
    this.requireTwinExists(sourceId);
    const rows = (
      options.name === undefined
        ? this.sql('SELECT body FROM relationships WHERE source = ? ORDER BY id').all(sourceId)
        : this.sql('SELECT body FROM relationships WHERE source = ? AND name = ? ORDER BY id').all(
            sourceId,
            options.name,
          )
    ) as Row[];
    return rows.map((r) => JSON.parse(r.body as string) as Relationship);
  }

  async listIncomingRelationships(targetId: string, options: { name?: string } = {}): Promise<Relationship[]> {
    this.check();
    this.requireTwinExists(targetId);
    const rows = (
      options.name === undefined
        ? this.sql('SELECT body FROM relationships WHERE target = ? ORDER BY source, id').all(targetId)
        : this.sql('SELECT body FROM relationships WHERE target = ? AND name = ? ORDER BY source, id').all(
            targetId,
            options.name,
          )
    ) as Row[];
    return rows.map((r) => JSON.parse(r.body as string) as Relationship);
  }

  // ── Queries ─────────────────────────────────────────────────────────────────────────────────────

  async queryTwins(query: TwinQuery): Promise<Page<Twin>> {
    this.check();
    if (query.where) checkFilter(query.where);
    const orderBy = checkOrderBy(query.orderBy);
    const plan = planPage(query);
    checkCursorFits(plan.cursor, orderBy);
    const params = new SqlParams();
    const where = query.where ? compileFilter(query.where, { kind: 'twin', alias: 't' }, params) : '1';
    const keyset = plan.cursor ? ` AND ${keysetCondition('t', orderBy, plan.cursor, plan.backward, params)}` : '';
    const text = `SELECT t.body FROM twins t WHERE ${where}${keyset} ORDER BY ${orderByClause('t', orderBy, plan.backward)} LIMIT ${plan.limit + 1}`;
    const rows = this.sql(text).all(params.values) as Row[];
    const twins = rows.map((r) => JSON.parse(r.body as string) as Twin);
    const page = toPage(
      twins,
      plan,
      (t) => [...orderBy.map((o) => valueAt(t, o.path)), t.$dtId],
      plan.cursor !== undefined,
    );
    if (query.totalCount) {
      const countParams = new SqlParams();
      const countWhere = query.where ? compileFilter(query.where, { kind: 'twin', alias: 't' }, countParams) : '1';
      page.totalCount = (
        this.sql(`SELECT count(*) AS n FROM twins t WHERE ${countWhere}`).get(countParams.values) as Row
      ).n as number;
    }
    return page;
  }

  async traverse(traversal: Traversal): Promise<Page<Twin>> {
    checkTraversal(traversal);
    return this.queryTwins(traversalQuery(traversal));
  }

  /** FROM and WHERE of one hop from a set of anchor twins: `r` the relationship, `o` the twin reached. */
  private hopFrom(ids: readonly string[], hop: Hop, params: SqlParams): { near: string; from: string } {
    const [near, far] = hop.direction === 'out' ? ['source', 'target'] : ['target', 'source'];
    const conditions = [
      `r.${near} IN (SELECT value FROM json_each(${params.bind(JSON.stringify([...new Set(ids)]))}))`,
    ];
    if (hop.names?.length)
      conditions.push(`r.name IN (SELECT value FROM json_each(${params.bind(JSON.stringify(hop.names))}))`);
    if (hop.edge) conditions.push(compileFilter(hop.edge, { kind: 'edge', alias: 'r' }, params));
    if (hop.where) conditions.push(compileFilter(hop.where, { kind: 'twin', alias: 'o' }, params));
    return { near, from: `FROM relationships r JOIN twins o ON o.id = r.${far} WHERE ${conditions.join(' AND ')}` };
  }

  async neighbors(query: NeighborQuery): Promise<{ twin: Twin; relationship: Relationship }[][]> {
    this.check();
    const orderBy = checkNeighborQuery(query);
    const params = new SqlParams();
    const { near, from } = this.hopFrom(query.ids, query.hop, params);
    const text =
      `SELECT anchor, rbody, obody FROM (SELECT r.${near} AS anchor, r.body AS rbody, o.body AS obody, ` +
      `ROW_NUMBER() OVER (PARTITION BY r.${near} ORDER BY ${orderByClause('o', orderBy, false)}, r.source, r.id) AS rn ` +
      `${from}) WHERE rn <= ${params.bind(query.first)} ORDER BY anchor, rn`;
    const byAnchor = new Map<string, { twin: Twin; relationship: Relationship }[]>();
    for (const row of this.sql(text).all(params.values) as Row[]) {
      const anchor = row.anchor as string;
      let list = byAnchor.get(anchor);
      if (!list) byAnchor.set(anchor, (list = []));
      list.push({
        twin: JSON.parse(row.obody as string) as Twin,
        relationship: JSON.parse(row.rbody as string) as Relationship,
      });
    }
    return query.ids.map((id) => byAnchor.get(id) ?? []);
  }

  async neighborCounts(ids: readonly string[], hop: Hop): Promise<number[]> {
    this.check();
    checkNeighborQuery({ ids, hop, first: 0 });
    const params = new SqlParams();
    const { near, from } = this.hopFrom(ids, hop, params);
    const counts = new Map<string, number>();
    for (const row of this.sql(`SELECT r.${near} AS anchor, count(*) AS n ${from} GROUP BY r.${near}`).all(
      params.values,
    ) as Row[]) {
      counts.set(row.anchor as string, row.n as number);
    }
    return ids.map((id) => counts.get(id) ?? 0);
  }

  // ── Metrics ─────────────────────────────────────────────────────────────────────────────────────

  private existingSeries(key: MetricSeriesKey): number | undefined {
    const cached = this.seriesIds.get(`${key.twinId}\n${key.name}`);
    if (cached !== undefined) return cached;
    const row = this.sql('SELECT id FROM metric_series WHERE twin = ? AND name = ?').get(key.twinId, key.name) as
      Row | undefined;
    return row?.id as number | undefined;
  }

  async readMetrics(range: MetricRange): Promise<MetricPoint[]> {
    this.check();
    const { from, to } = checkMetricRange(range);
    this.requireTwinExists(range.twinId);
    const series = this.existingSeries(range);
    if (series === undefined) return [];
    const limit = Math.min(range.limit ?? DEFAULT_METRIC_LIMIT, MAX_METRIC_LIMIT);
    const rows = this.sql(
      `SELECT ts, value, json FROM metric_points WHERE series = ? AND ts >= ? AND ts < ? ORDER BY ts ${range.descending ? 'DESC' : 'ASC'} LIMIT ?`,
    ).all(series, from, to, limit) as Row[];
    return rows.map((r) => pointFromRow(range.twinId, range.name, r));
  }

  async aggregateMetrics(request: MetricAggregation): Promise<MetricBucket[][]> {
    this.check();
    const { from, to, windowMs } = checkAggregation(request);
    const aggregate = this.sql(
      'SELECT CAST((ts - @from) / @w AS INTEGER) AS b, count(*) AS count, min(value) AS min, max(value) AS max, avg(value) AS avg, sum(value) AS sum, max(ts) AS lastTs ' +
        'FROM metric_points WHERE series = @series AND ts >= @from AND ts < @to AND value IS NOT NULL GROUP BY b ORDER BY b',
    );
    const valueAtTime = this.sql('SELECT value FROM metric_points WHERE series = ? AND ts = ?');
    return request.series.map((key) => {
      const series = this.existingSeries(key);
      if (series === undefined) return [];
      return (aggregate.all({ series, from, to, w: windowMs }) as Row[]).map((row) =>
        metricWindows.bucket(from, windowMs, row, (ts) => (valueAtTime.get(series, ts) as Row).value as number),
      );
    });
  }

  async latestMetrics(series: readonly MetricSeriesKey[]): Promise<(MetricPoint | undefined)[]> {
    this.check();
    const latest = this.sql('SELECT ts, value, json FROM metric_points WHERE series = ? ORDER BY ts DESC LIMIT 1');
    return series.map((key) => {
      const id = this.existingSeries(key);
      const row = id === undefined ? undefined : (latest.get(id) as Row | undefined);
      return row ? pointFromRow(key.twinId, key.name, row) : undefined;
    });
  }

  // ── Change log ──────────────────────────────────────────────────────────────────────────────────

  async readChanges(options: ReadChangesOptions): Promise<ChangeEntry[]> {
    this.check();
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 10_000);
    return (
      this.sql('SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?').all(options.after, limit) as Row[]
    ).map(changeFromRow);
  }

  private latest(): number {
    const row = this.sql("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").get() as Row | undefined;
    return (row?.seq as number | undefined) ?? 0;
  }

  async latestSeq(): Promise<number> {
    this.check();
    return this.latest();
  }

  async firstSeq(): Promise<number> {
    this.check();
    const row = this.sql('SELECT min(seq) AS seq FROM changes').get() as Row;
    return (row.seq as number | null) ?? this.latest() + 1;
  }

  async pruneChanges(options: PruneOptions): Promise<number> {
    this.check();
    return this.db
      .transaction(() => {
        const since =
          options.before === undefined
            ? undefined
            : (this.sql('SELECT min(seq) AS seq FROM changes WHERE time >= ?').get(options.before) as Row).seq;
        const pending = (this.sql('SELECT min(seq) AS seq FROM outbox').get() as Row).seq;
        const cutoff = pruneCutoff(options, {
          latest: this.latest(),
          firstSince: (since as number | null) ?? undefined,
          oldestInOutbox: (pending as number | null) ?? undefined,
        });
        return this.sql('DELETE FROM changes WHERE seq < ?').run(cutoff).changes;
      })
      .immediate();
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── Outbox ──────────────────────────────────────────────────────────────────────────────────────

  async claimOutbox(options: ClaimOptions): Promise<OutboxEntry[]> {
    this.check();
    const now = this.now();
    return this.db
      .transaction(() => {
        // A partition's claimable entries are its pending ones before the first that is waiting to retry,
        // leased, or a barrier not the oldest entry pending (a barrier goes only as the oldest of all): none
        // when its head (first pending entry) is blocked. So the claim looks at heads in seq order (at most
        // outboxHeadsToExamine, blocked ones included), and merges the unblocked partitions' runs in seq order
        // through a recursive CTE whose queue is ordered by seq: it takes the lowest entry queued, queues the
        // next pending entry of its partition if that one is claimable, and stops at `limit`. Its cost is the
        // heads examined plus `limit` index lookups, however long the backlog of a blocked partition.
        const rows = this.sql(
          'WITH RECURSIVE ' +
            'heads AS (SELECT seq, partition, available_at, claimed_until, barrier FROM outbox INDEXED BY outbox_heads WHERE head = 1 ORDER BY seq LIMIT @examine), ' +
            'open AS (SELECT seq, partition FROM heads WHERE available_at <= @now AND coalesce(claimed_until, 0) <= @now AND (barrier = 0 OR seq = (SELECT min(seq) FROM heads)) ORDER BY seq LIMIT @limit), ' +
            'walk(seq, partition) AS (SELECT seq, partition FROM open UNION ALL ' +
            'SELECT n.seq, n.partition FROM walk w CROSS JOIN outbox n ON n.seq = (' +
            "SELECT o.seq FROM outbox o INDEXED BY outbox_partition WHERE o.partition = w.partition AND o.status = 'pending' AND o.seq > w.seq ORDER BY o.seq LIMIT 1) " +
            'WHERE n.available_at <= @now AND coalesce(n.claimed_until, 0) <= @now AND n.barrier = 0 ' +
            'ORDER BY 1 LIMIT @limit) ' +
            // CROSS JOIN keeps walk the outer loop (SQLite would rather scan the outbox and look walk up).
            'SELECT o.seq, o.partition, o.status, o.attempts, o.available_at, o.last_error, o.resync, c.* FROM walk w CROSS JOIN outbox o ON o.seq = w.seq CROSS JOIN changes c ON c.seq = w.seq ORDER BY w.seq',
        ).all({ now, limit: options.limit, examine: outboxHeadsToExamine(options.limit) }) as Row[];
        const lease = this.sql('UPDATE outbox SET claimed_until = ? WHERE seq = ?');
        for (const row of rows) lease.run(now + options.leaseMs, row.seq);
        return rows.map(outboxFromRow);
      })
      .immediate();
  }

  async renewOutbox(seqs: readonly number[], leaseMs: number): Promise<void> {
    this.check();
    this.sql(
      "UPDATE outbox SET claimed_until = ? WHERE status = 'pending' AND claimed_until IS NOT NULL AND seq IN (SELECT value FROM json_each(?))",
    ).run(this.now() + leaseMs, JSON.stringify(seqs));
  }

  async ackOutbox(seqs: readonly number[]): Promise<void> {
    this.check();
    this.sql('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))').run(JSON.stringify(seqs));
  }

  async releaseOutbox(seqs: readonly number[]): Promise<void> {
    this.check();
    this.sql(
      "UPDATE outbox SET claimed_until = NULL WHERE status = 'pending' AND seq IN (SELECT value FROM json_each(?))",
    ).run(JSON.stringify(seqs));
  }

  async failOutbox(seq: number, options: FailOptions): Promise<void> {
    this.check();
    this.sql(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, status = ?, available_at = ?, claimed_until = NULL WHERE seq = ?',
    ).run(options.error, options.dead ? 'dead' : 'pending', this.now() + (options.retryAfterMs ?? 0), seq);
  }

  async outboxStats(): Promise<OutboxStats> {
    this.check();
    // Counts from the indexes alone; the oldest pending change is the first partition head.
    const row = this.sql(
      "SELECT (SELECT count(*) FROM outbox INDEXED BY outbox_partition WHERE status = 'pending') AS pending, (SELECT count(*) FROM outbox INDEXED BY outbox_by_status WHERE status = 'dead') AS dead, " +
        '(SELECT c.time FROM outbox o INDEXED BY outbox_heads JOIN changes c ON c.seq = o.seq WHERE o.head = 1 ORDER BY o.seq LIMIT 1) AS oldest',
    ).get() as Row;
    return {
      pending: row.pending as number,
      dead: row.dead as number,
      ...(row.oldest != null && { oldestPendingTime: row.oldest as string }),
    };
  }

  async listDeadLetters(options: { limit?: number } = {}): Promise<OutboxEntry[]> {
    this.check();
    return (
      this.sql(
        "SELECT o.seq, o.partition, o.status, o.attempts, o.available_at, o.last_error, o.resync, c.* FROM outbox o JOIN changes c ON c.seq = o.seq WHERE o.status = 'dead' ORDER BY o.seq LIMIT ?",
      ).all(options.limit ?? 100) as Row[]
    ).map(outboxFromRow);
  }

  async retryDeadLetters(seqs?: readonly number[]): Promise<number> {
    this.check();
    const only = seqs ? ' AND seq IN (SELECT value FROM json_each(@seqs))' : '';
    return this.sql(
      `UPDATE outbox SET status = 'pending', attempts = 0, available_at = @now, claimed_until = NULL, resync = 1 WHERE status = 'dead'${only}`,
    ).run({
      now: this.now(),
      ...(seqs && { seqs: JSON.stringify(seqs) }),
    }).changes;
  }

  async dropDeadLetters(seqs?: readonly number[]): Promise<number> {
    this.check();
    const only = seqs ? ' AND seq IN (SELECT value FROM json_each(@seqs))' : '';
    return this.sql(`DELETE FROM outbox WHERE status = 'dead'${only}`).run(seqs ? { seqs: JSON.stringify(seqs) } : {})
      .changes;
  }

  // ── Housekeeping ────────────────────────────────────────────────────────────────────────────────

  private createIndexes(paths: readonly PropertyPath[]): void {
    let created = false;
    for (const p of paths) {
      checkPath(p);
      if (p[0].startsWith('$')) continue;
      const name = `twins_by_${p.join('__')}`;
      if (this.sql("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name)) continue;
      this.db.exec(`CREATE INDEX "${name}" ON twins (${jsonValueExpr('twins', p).replace('twins.body', 'body')})`);
      created = true;
    }
    if (created) this.db.exec('ANALYZE twins');
  }

  async ensurePropertyIndexes(paths: readonly PropertyPath[]): Promise<void> {
    this.check();
    this.createIndexes(paths);
  }

  async counts(): Promise<StoreCounts> {
    this.check();
    const n = (sql: string): number => (this.sql(sql).get() as Row).n as number;
    const first = await this.firstSeq();
    return {
      models: n('SELECT count(*) AS n FROM models'),
      twins: n('SELECT count(*) AS n FROM twins'),
      relationships: n('SELECT count(*) AS n FROM relationships'),
      metricPoints: n('SELECT count(*) AS n FROM metric_points'),
      changes: this.latest() - first + 1,
    };
  }

  async ping(): Promise<void> {
    this.check();
    this.sql('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }
}

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
