/**
 * The SQLite side of `twingraph migrate`: a store file read as it is on disk, table by table, in key order and
 * in batches from a cursor, all inside one read transaction, so that one run copies one point in time even if
 * something writes meanwhile (WAL keeps readers on their snapshot). It reads the adapter's tables directly
 * (src/store/sqlite/schema.ts) rather than through the store port, which has no way to list metric series or
 * the outbox as they are, nor to read ETags and times without rewriting them.
 *
 * The fingerprint names the state a migration started from (the newest seq, the outbox, the API keys), so that
 * a resumed migration can tell that the file has not changed since.
 */
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import { openSqliteStore } from '../store/sqlite/store';
import type { ApiKeyRecord } from '../store/port';
import type { ChangeRow, ModelRow } from '../store/rows';
import type { Relationship, Twin } from '../store/types';

type Row = Record<string, unknown>;

export interface SourceTwin {
  readonly twin: Twin;
  /** Its model and every model that one extends, as the store keeps them (twins of deleted models included). */
  readonly models: readonly string[];
}

export interface SourcePoint {
  readonly twinId: string;
  readonly name: string;
  /** Epoch ms. */
  readonly ts: number;
  readonly value: number | null;
  /** JSON text of a value that is not a number. */
  readonly json: string | null;
}

export interface SourceOutboxEntry {
  readonly seq: number;
  readonly partition: string;
  readonly status: string;
  readonly attempts: number;
  readonly availableAt: number;
  readonly lastError: string | null;
  readonly barrier: boolean;
  readonly resync: boolean;
  readonly head: boolean;
}

export interface SourceCounts {
  readonly models: number;
  readonly twins: number;
  readonly relationships: number;
  readonly metricPoints: number;
  readonly changes: number;
  readonly outbox: number;
  readonly apiKeys: number;
  /** The newest seq ever handed out (pruned or not): where the change log goes on from. */
  readonly latestSeq: number;
}

/** A batch and the cursor after it (undefined: nothing more). */
export interface Batch<T, C> {
  readonly rows: readonly T[];
  readonly next: C | undefined;
}

export class SqliteSource {
  private constructor(private readonly db: Database.Database) {}

  /**
   * Opens the file: first through the store, which brings its schema up to date as any Twingraph start would,
   * then read-only, in one read transaction held until close().
   */
  static async open(file: string): Promise<SqliteSource> {
    await (await openSqliteStore({ path: file })).close();
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.exec('BEGIN');
    // The snapshot is taken at the first read, not at BEGIN: take it now.
    db.prepare('SELECT count(*) FROM models').get();
    return new SqliteSource(db);
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }

  private all(sql: string, ...params: unknown[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  private one(sql: string, ...params: unknown[]): Row {
    return this.db.prepare(sql).get(...params) as Row;
  }

  latestSeq(): number {
    return this.one("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS seq")
      .seq as number;
  }

  counts(): SourceCounts {
    const n = (table: string): number => this.one(`SELECT count(*) AS n FROM ${table}`).n as number;
    return {
      models: n('models'),
      twins: n('twins'),
      relationships: n('relationships'),
      metricPoints: n('metric_points'),
      changes: n('changes'),
      outbox: n('outbox'),
      apiKeys: n('api_keys'),
      latestSeq: this.latestSeq(),
    };
  }

  /** What a resumed migration checks the file against: any write, ack or key change alters it. */
  fingerprint(): string {
    const hash = crypto.createHash('sha256').update(String(this.latestSeq()));
    for (const r of this.all('SELECT seq, status, attempts, available_at FROM outbox ORDER BY seq'))
      hash.update(`${r.seq},${r.status},${r.attempts},${r.available_at};`);
    for (const r of this.all('SELECT name, revoked FROM api_keys ORDER BY name'))
      hash.update(`${r.name},${r.revoked};`);
    return hash.digest('hex').slice(0, 32);
  }

  /** Every model, oldest upload first (a handful to thousands: one batch). */
  models(): ModelRow[] {
    return this.all('SELECT * FROM models ORDER BY upload_time, id') as unknown as ModelRow[];
  }

  twins(after: string | undefined, limit: number): Batch<SourceTwin, string> {
    const rows = this.all('SELECT id, model, body FROM twins WHERE id > ? ORDER BY id LIMIT ?', after ?? '', limit);
    const lines = new Map<string, string[]>();
    const lineOf = (model: string): string[] => {
      let line = lines.get(model);
      if (!line) {
        const ancestors = this.all('SELECT ancestor FROM model_ancestors WHERE model = ? ORDER BY ancestor', model);
        line = [model, ...ancestors.map((a) => a.ancestor as string).filter((a) => a !== model)];
        lines.set(model, line);
      }
      return line;
    };
    return {
      rows: rows.map((r) => ({ twin: JSON.parse(r.body as string) as Twin, models: lineOf(r.model as string) })),
      next: rows.length === limit ? (rows[rows.length - 1].id as string) : undefined,
    };
  }

  relationships(after: [string, string] | undefined, limit: number): Batch<Relationship, [string, string]> {
    const [source, id] = after ?? ['', ''];
    const rows = this.all(
      'SELECT source, id, body FROM relationships WHERE (source, id) > (?, ?) ORDER BY source, id LIMIT ?',
      source,
      id,
      limit,
    );
    const last = rows[rows.length - 1];
    return {
      rows: rows.map((r) => JSON.parse(r.body as string) as Relationship),
      next: rows.length === limit ? [last.source as string, last.id as string] : undefined,
    };
  }

  /** Points in (series, ts) order, the primary key's: a range scan from the cursor. */
  points(after: [number, number] | undefined, limit: number): Batch<SourcePoint, [number, number]> {
    // Series ids start at 1: (0, anything) is before every point.
    const [series, ts] = after ?? [0, 0];
    const rows = this.all(
      'SELECT p.series, p.ts, p.value, p.json, s.twin, s.name FROM metric_points p JOIN metric_series s ON s.id = p.series ' +
        'WHERE (p.series, p.ts) > (?, ?) ORDER BY p.series, p.ts LIMIT ?',
      series,
      ts,
      limit,
    );
    const last = rows[rows.length - 1];
    return {
      rows: rows.map((r) => ({
        twinId: r.twin as string,
        name: r.name as string,
        ts: r.ts as number,
        value: (r.value as number | null) ?? null,
        json: (r.json as string | null) ?? null,
      })),
      next: rows.length === limit ? [last.series as number, last.ts as number] : undefined,
    };
  }

  changes(after: number | undefined, limit: number): Batch<ChangeRow, number> {
    const rows = this.all('SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?', after ?? 0, limit);
    return {
      rows: rows as unknown as ChangeRow[],
      next: rows.length === limit ? (rows[rows.length - 1].seq as number) : undefined,
    };
  }

  outbox(after: number | undefined, limit: number): Batch<SourceOutboxEntry, number> {
    const rows = this.all('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?', after ?? 0, limit);
    return {
      rows: rows.map((r) => ({
        seq: r.seq as number,
        partition: r.partition as string,
        status: r.status as string,
        attempts: r.attempts as number,
        availableAt: r.available_at as number,
        lastError: (r.last_error as string | null) ?? null,
        barrier: r.barrier === 1,
        resync: r.resync === 1,
        head: r.head === 1,
      })),
      next: rows.length === limit ? (rows[rows.length - 1].seq as number) : undefined,
    };
  }

  apiKeys(): ApiKeyRecord[] {
    return this.all('SELECT * FROM api_keys ORDER BY name').map((r) => ({
      name: r.name as string,
      role: r.role as string,
      ...(r.models != null && { models: JSON.parse(r.models as string) as string[] }),
      hash: r.hash as string,
      created: r.created as string,
      ...(r.expires != null && { expires: r.expires as string }),
      ...(r.revoked != null && { revoked: r.revoked as string }),
    }));
  }
}
