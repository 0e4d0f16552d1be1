/**
 * Twins in SQLite: the write primitives the twin rules (../writes.ts) run on, and the reads by id. A twin is a
 * row of `twins` holding its ADT JSON in `body`. Point reads go through a cache of parsed documents (the
 * state is the SqliteDb's, so that the writes here evict what they change).
 */
import { twinNotFound } from '../../errors';
import { deepFreeze } from '../../freeze';
import type { Primitives } from '../effects';
import { checkIds } from '../reads';
import type { Twin } from '../types';
import type { Row, SqliteDb, WriteTx } from './db';

/** Parsed twins kept for point reads (oldest evicted first). */
const TWIN_CACHE_SIZE = 50_000;
/** How stale a cached twin may be after another process commits to the same file. */
const DATA_VERSION_CHECK_MS = 20;

export function twinPrimitives(
  db: SqliteDb,
  tx: WriteTx,
): Pick<Primitives, 'twins' | 'twinModels' | 'writeTwins' | 'deleteTwins'> {
  return {
    twins: (ids) => readTwins(db, ids),
    twinModels: (ids) => {
      const rows = db
        .sql('SELECT id, model FROM twins WHERE id IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(ids)) as Row[];
      return new Map(rows.map((r) => [r.id as string, r.model as string]));
    },
    writeTwins: (rows) => {
      const upsert = db.sql(
        'INSERT INTO twins (id, model, etag, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET model = excluded.model, etag = excluded.etag, body = excluded.body',
      );
      // A twin that keeps its model (nearly every update) changes no indexed column: an UPDATE of etag and
      // body leaves the (model, id) index alone, which the upsert rewrites (about half a write's row cost).
      const update = db.sql('UPDATE twins SET etag = ?, body = ? WHERE id = ?');
      db.forgetDerived();
      for (const { twin, previous } of rows) {
        const body = db.json(twin);
        const kept = previous !== undefined && previous.$metadata.$model === twin.$metadata.$model;
        if (!kept || update.run(twin.$etag, body, twin.$dtId).changes !== 1)
          upsert.run(twin.$dtId, twin.$metadata.$model, twin.$etag, body);
        db.twinCache.delete(twin.$dtId);
        tx.twins.push([twin.$dtId, twin]);
      }
      tx.rows += rows.length;
    },
    deleteTwins: (ids) => {
      const points = db.sql('DELETE FROM metric_points WHERE series IN (SELECT id FROM metric_series WHERE twin = ?)');
      const twin = db.sql('DELETE FROM twins WHERE id = ?');
      db.forgetDerived();
      for (const id of ids) {
        points.run(id);
        twin.run(id);
        db.twinCache.delete(id);
        tx.twins.push([id, undefined]);
      }
    },
  };
}

/**
 * Twins by id, through a cache of parsed, frozen documents: a point read is mostly JSON parsing, and the
 * API reads the same twins again and again. This process's writes evict what they change. Commits by other
 * connections to the file (PRAGMA data_version moves) empty the cache; that is checked at most every
 * DATA_VERSION_CHECK_MS, so another process's commit shows within that time. Inside a write transaction the
 * cache is not filled, and used only when data_version says it is exact: ETag checks always see the
 * committed state.
 */
export function readTwins(db: SqliteDb, ids: readonly string[]): Map<string, Twin> {
  const found = new Map<string, Twin>();
  const inWrite = db.connection.inTransaction;
  // Inside a write, the cached twins are the committed state when no other connection has committed since
  // the cache was last checked (the write holds the lock now, so none can until it ends); this process's
  // writes, earlier ones in the same transaction included, evicted what they changed.
  let cached = true;
  if (inWrite) {
    const version = db.writeVersion();
    if (version !== db.cacheVersion) {
      // Another process committed since the cache was checked: what this write found stale, later reads must
      // not find again (a service retrying a lost race would read the same stale twin every time). Emptying
      // the cache is safe mid-write: it holds only committed state.
      cached = false;
      db.twinCache.clear();
      db.cacheVersion = version;
      db.cacheCheckedAt = Date.now();
    }
  } else {
    const now = Date.now();
    if (now - db.cacheCheckedAt >= DATA_VERSION_CHECK_MS) {
      db.cacheCheckedAt = now;
      const version = db.dataVersion.get() as number;
      if (version !== db.cacheVersion) {
        db.twinCache.clear();
        db.cacheVersion = version;
      }
    }
  }
  const missing: string[] = [];
  for (const id of ids) {
    const twin = cached ? db.twinCache.get(id) : undefined;
    if (twin) found.set(id, twin);
    else missing.push(id);
  }
  if (missing.length === 0) return found;
  const remember = !inWrite;
  const evict = evictor(db.twinCache);
  const keep = (id: string, body: string): void => {
    const twin = JSON.parse(body) as Twin;
    found.set(id, twin);
    if (remember) {
      evict();
      db.twinCache.set(id, deepFreeze(twin));
    }
  };
  if (missing.length === 1) {
    const row = db.sql('SELECT body FROM twins WHERE id = ?').get(missing[0]) as Row | undefined;
    if (row) keep(missing[0], row.body as string);
  } else {
    const rows = db
      .sql('SELECT id, body FROM twins WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(missing)) as Row[];
    for (const row of rows) keep(row.id as string, row.body as string);
  }
  return found;
}

/**
 * After a commit: the twins it wrote are the stored state, and join the cache as they are (frozen now, as
 * every cached twin is), so that reading one again parses nothing; the ones it deleted stay out. In the
 * order written, so that a twin written twice in one group commit keeps its last state.
 */
export function rememberWritten(db: SqliteDb, written: readonly [string, Twin | undefined][]): void {
  const cache = db.twinCache;
  const evict = evictor(cache);
  for (const [id, twin] of written) {
    // The write evicted each twin it wrote or deleted (writeTwins, deleteTwins), and nothing cached them since
    // (a transaction's reads are not kept): a written twin is set anew, at the end, without another delete (a
    // lookup in a cache of 50,000 that cost a scattered batch about a microsecond a twin). Setting a twin
    // written twice in one group commit again keeps its last state.
    if (!twin) {
      cache.delete(id);
      continue;
    }
    evict();
    cache.set(id, deepFreeze(twin));
  }
}

/**
 * Makes room for one more twin in a full cache by dropping its oldest, for a run of additions: one iterator
 * for the run. A Map keeps the slots of deleted entries until it is rebuilt, and a new iterator walks past
 * all of them to find the oldest live one: once the cache was full, each twin written anew or read cost a walk
 * over thousands of empty slots (3.3 µs a twin in a cache of 50,000, against 0.26 with one iterator).
 */
export function evictor<T>(cache: Map<string, T>, size = TWIN_CACHE_SIZE): () => void {
  let oldest: IterableIterator<string> | undefined;
  return () => {
    if (cache.size >= size) cache.delete((oldest ??= cache.keys()).next().value as string);
  };
}

/**
 * A twin from a row a query read (its id, etag and body): the cached, parsed twin when it holds this very
 * version (every write gives a twin a new etag), else the body parsed, and remembered outside a transaction.
 * Exact whatever other processes have committed, so that a query's twins always match what it filtered on.
 */
export function twinOfRow(db: SqliteDb, id: string, etag: string, body: string): Twin {
  const cached = db.twinCache.get(id);
  if (cached && cached.$etag === etag) return cached;
  const twin = JSON.parse(body) as Twin;
  if (db.connection.inTransaction) return twin;
  if (!cached && db.twinCache.size >= TWIN_CACHE_SIZE) db.twinCache.delete(db.twinCache.keys().next().value as string);
  db.twinCache.set(id, deepFreeze(twin));
  return twin;
}

export async function getTwin(db: SqliteDb, id: string): Promise<Twin> {
  db.check();
  const twin = typeof id === 'string' ? readTwins(db, [id]).get(id) : undefined;
  if (!twin) throw twinNotFound(String(id));
  return twin;
}

export async function getTwins(db: SqliteDb, ids: readonly string[]): Promise<(Twin | undefined)[]> {
  db.check();
  checkIds(ids);
  const found = readTwins(db, ids);
  return ids.map((id) => found.get(id));
}

/** DigitalTwinNotFound unless the twin exists: the reads of a twin's relationships and metrics start here. */
export function requireTwinExists(db: SqliteDb, id: string): void {
  if (typeof id !== 'string' || !db.sql('SELECT 1 FROM twins WHERE id = ?').get(id)) throw twinNotFound(String(id));
}
