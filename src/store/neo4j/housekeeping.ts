/**
 * Housekeeping in Neo4j: range indexes on twin properties, counts, the readiness ping, and closing (the
 * driver too, when the store owns it).
 */
import { checkPath, type PropertyPath } from '../query';
import type { StoreCounts } from '../port';
import { latest } from './changes';
import type { Neo4jDb } from './db';
import { quote } from './encoding';

export async function ensurePropertyIndexes(db: Neo4jDb, paths: readonly PropertyPath[]): Promise<void> {
  for (const path of paths) {
    checkPath(path);
    if (path[0].startsWith('$')) continue;
    const key = path.join('.');
    await db.session('WRITE', (tx) =>
      tx.run(
        `CREATE INDEX ${quote(`twin_property_${path.join('__')}`)} IF NOT EXISTS FOR (t:Twin) ON (t.${quote(key)})`,
      ),
    );
  }
}

export async function counts(db: Neo4jDb): Promise<StoreCounts> {
  return db.read(async (tx) => {
    const n = async (query: string): Promise<number> => Number((await tx.run(query)).records[0].get('n'));
    const first = (await tx.run('MATCH (c:Change) RETURN min(c.seq) AS seq')).records[0]?.get('seq');
    const newest = await latest(tx);
    return {
      models: await n('MATCH (m:Model) RETURN count(m) AS n'),
      twins: await n('MATCH (t:Twin) RETURN count(t) AS n'),
      // Every relationship in the database is a twin's: counted from the count store, where naming the end
      // nodes' labels would read every relationship (counts() runs at each start).
      relationships: await n('MATCH ()-[r]->() RETURN count(r) AS n'),
      metricPoints: await n('MATCH (p:MetricPoint) RETURN count(p) AS n'),
      changes: first == null ? 0 : newest - Number(first) + 1,
    };
  });
}

/** One attempt, no retries: a readiness probe wants to know whether Neo4j answers now. */
export async function ping(db: Neo4jDb): Promise<void> {
  await db.read((tx) => tx.run('RETURN 1 AS one'), { retry: false });
}

export async function close(db: Neo4jDb): Promise<void> {
  if (db.closed) return;
  db.closed = true;
  db.listeners.clear();
  if (db.ownsDriver) await db.driver.close();
}
