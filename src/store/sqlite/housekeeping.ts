/**
 * Housekeeping in SQLite: expression indexes on twin properties, counts, the readiness ping, and closing
 * (which leaves the planner's statistics fresh for the next open).
 */
import { checkPath, type PropertyPath } from '../query';
import type { StoreCounts } from '../port';
import { firstSeq, latest } from './changes';
import type { Row, SqliteDb } from './db';
import { jsonValueExpr } from './sql-query';

/** Creates the missing property indexes, then refreshes the planner's statistics if it created any. */
export function createIndexes(db: SqliteDb, paths: readonly PropertyPath[]): void {
  let created = false;
  for (const p of paths) {
    checkPath(p);
    if (p[0].startsWith('$')) continue;
    const name = `twins_by_${p.join('__')}`;
    if (db.sql("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name)) continue;
    db.connection.exec(`CREATE INDEX "${name}" ON twins (${jsonValueExpr('twins', p).replace('twins.body', 'body')})`);
    created = true;
  }
  if (created) db.connection.exec('ANALYZE twins');
}

export async function ensurePropertyIndexes(db: SqliteDb, paths: readonly PropertyPath[]): Promise<void> {
  db.check();
  createIndexes(db, paths);
}

export async function counts(db: SqliteDb): Promise<StoreCounts> {
  db.check();
  const n = (sql: string): number => (db.sql(sql).get() as Row).n as number;
  const first = await firstSeq(db);
  return {
    models: n('SELECT count(*) AS n FROM models'),
    twins: n('SELECT count(*) AS n FROM twins'),
    relationships: n('SELECT count(*) AS n FROM relationships'),
    metricPoints: n('SELECT count(*) AS n FROM metric_points'),
    changes: latest(db) - first + 1,
  };
}

export async function ping(db: SqliteDb): Promise<void> {
  db.check();
  db.sql('SELECT 1').get();
}

/**
 * Closes the store: refuses new work at once, then waits for `released` (the checkpoint thread letting go
 * of the file, so that this last connection cleans up the log) before closing the connection.
 */
export async function close(db: SqliteDb, released?: Promise<void>): Promise<void> {
  if (db.closed) return;
  db.closed = true;
  db.listeners.clear();
  await released;
  try {
    db.connection.pragma('optimize');
  } finally {
    db.connection.close();
  }
}
