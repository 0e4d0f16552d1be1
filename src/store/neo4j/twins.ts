/**
 * Twins in Neo4j: the write primitives the twin rules (../writes.ts) run on, and the reads by id. A twin is
 * a `Twin` node labelled with its model's line, its document in `_body` and flattened beside it (see
 * encoding.ts). Reads inside a write lock what they read (`SET t._lock = true REMOVE t._lock`), so that ETag
 * checks cannot race under read committed.
 */
import { twinNotFound } from '../../errors';
import type { AsyncPrimitives } from '../effects';
import { checkIds } from '../reads';
import type { Twin } from '../types';
import { modelLabel } from './cypher-query';
import { parseJson, records, TWIN_ID, type Neo4jDb, type Props } from './db';
import type { CypherRunner } from './driver';
import { storedProperties } from './encoding';

export function twinPrimitives(
  tx: CypherRunner,
): Pick<AsyncPrimitives, 'twins' | 'twinModels' | 'writeTwins' | 'deleteTwins'> {
  return {
    twins: async (ids) => {
      const found = new Map<string, Twin>();
      if (ids.length === 0) return found;
      // Sorted, so that two writers lock shared twins in the same order.
      const locked = await records(
        tx,
        `MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids WITH t ORDER BY t.${TWIN_ID} SET t._lock = true REMOVE t._lock RETURN t._body AS body`,
        { ids: [...ids] },
      );
      for (const r of locked) {
        const twin = parseJson<Twin>(r.get('body'));
        found.set(twin.$dtId, twin);
      }
      return found;
    },
    twinModels: async (ids) => {
      const found = new Map<string, string>();
      if (ids.length === 0) return found;
      const locked = await records(
        tx,
        `MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids WITH t ORDER BY t.${TWIN_ID} SET t._lock = true REMOVE t._lock RETURN t.${TWIN_ID} AS id, t._model AS model`,
        { ids: [...ids] },
      );
      for (const r of locked) found.set(r.get('id') as string, r.get('model') as string);
      return found;
    },
    writeTwins: async (twinRows) => {
      // A twin that moves to another model loses the labels of its old model's line.
      for (const row of twinRows) {
        if (!row.previous || row.previous.$metadata.$model === row.twin.$metadata.$model) continue;
        const current = (
          await records(tx, `MATCH (t:Twin {${TWIN_ID}: $id}) RETURN labels(t) AS labels`, { id: row.twin.$dtId })
        )[0]?.get('labels') as string[] | undefined;
        const stale = (current ?? []).filter((l) => l !== 'Twin' && !row.models.includes(l));
        if (stale.length > 0)
          await records(
            tx,
            `MATCH (t:Twin {${TWIN_ID}: $id}) REMOVE t${stale.map((l) => `:${modelLabel(l)}`).join('')}`,
            {
              id: row.twin.$dtId,
            },
          );
      }
      // New twins are CREATEd, not MERGEd: two writers creating one id then collide on the uniqueness
      // constraint, and the loser's transaction is run again (see transact in store.ts), where it finds the twin.
      const groups = new Map<string, { models: readonly string[]; exists: boolean; rows: Props[] }>();
      for (const row of twinRows) {
        const key = `${row.previous ? 'replace' : 'create'}\n${row.models.join('\n')}`;
        if (!groups.has(key)) groups.set(key, { models: row.models, exists: row.previous !== undefined, rows: [] });
        const { $dtId: id, $etag: etag, $metadata: metadata } = row.twin;
        groups
          .get(key)!
          .rows.push({ id, props: storedProperties(row.twin, { $dtId: id, _etag: etag, _model: metadata.$model }) });
      }
      for (const { models, exists, rows: group } of groups.values()) {
        const labels = models.map((m) => `:${modelLabel(m)}`).join('');
        await records(
          tx,
          exists
            ? `UNWIND $rows AS row MATCH (t:Twin {${TWIN_ID}: row.id}) SET t = row.props SET t${labels}`
            : `UNWIND $rows AS row CREATE (t:Twin${labels}) SET t = row.props`,
          { rows: group },
        );
      }
    },
    deleteTwins: async (ids) => {
      // The IS NOT NULLs (always true) let metric_point (twin, name, ts) find the points: a composite index
      // is used only with a predicate on each of its properties, and without them Neo4j scans every point.
      await records(
        tx,
        'MATCH (p:MetricPoint) WHERE p.twin IN $ids AND p.name IS NOT NULL AND p.ts IS NOT NULL DELETE p',
        {
          ids: [...ids],
        },
      );
      await records(tx, `MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids DELETE t`, { ids: [...ids] });
    },
  };
}

async function readTwins(tx: CypherRunner, ids: readonly string[]): Promise<Map<string, Twin>> {
  const found = new Map<string, Twin>();
  if (ids.length === 0) return found;
  for (const r of (await tx.run(`MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids RETURN t._body AS body`, { ids: [...ids] }))
    .records) {
    const twin = parseJson<Twin>(r.get('body'));
    found.set(twin.$dtId, twin);
  }
  return found;
}

export async function getTwin(db: Neo4jDb, id: string): Promise<Twin> {
  const twin = typeof id === 'string' ? (await db.read((tx) => readTwins(tx, [id]))).get(id) : undefined;
  if (!twin) throw twinNotFound(String(id));
  return twin;
}

export async function getTwins(db: Neo4jDb, ids: readonly string[]): Promise<(Twin | undefined)[]> {
  checkIds(ids);
  const found = await db.read((tx) => readTwins(tx, ids));
  return ids.map((id) => found.get(id));
}

/** DigitalTwinNotFound unless the twin exists: the reads of a twin's relationships and metrics start here. */
export async function requireTwinExists(tx: CypherRunner, id: string): Promise<void> {
  const exists =
    typeof id === 'string' &&
    (await tx.run(`MATCH (t:Twin {${TWIN_ID}: $id}) RETURN count(t) AS n`, { id })).records[0].get('n');
  if (!exists) throw twinNotFound(String(id));
}
