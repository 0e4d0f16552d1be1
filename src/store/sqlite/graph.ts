/**
 * The graph reads in SQLite: traversals (multi-hop, as one query whose filter walks the hops: see
 * ../reads.ts) and one-hop neighbours of many twins at once, each anchor's page cut by a window function, so
 * that a nested GraphQL level is one statement however many twins it starts from.
 */
import type { Hop, NeighborQuery, Page, Traversal } from '../query';
import { checkNeighborQuery, checkTraversal, traversalQuery } from '../reads';
import type { Relationship, Twin } from '../types';
import type { Row, SqliteDb } from './db';
import { queryTwins } from './queries';
import { compileFilter, orderByClause, SqlParams } from './sql-query';

export async function traverse(db: SqliteDb, traversal: Traversal): Promise<Page<Twin>> {
  checkTraversal(traversal);
  return queryTwins(db, traversalQuery(traversal));
}

/** FROM and WHERE of one hop from a set of anchor twins: `r` the relationship, `o` the twin reached. */
function hopFrom(ids: readonly string[], hop: Hop, params: SqlParams): { near: string; from: string } {
  const [near, far] = hop.direction === 'out' ? ['source', 'target'] : ['target', 'source'];
  const conditions = [`r.${near} IN (SELECT value FROM json_each(${params.bind(JSON.stringify([...new Set(ids)]))}))`];
  if (hop.names?.length)
    conditions.push(`r.name IN (SELECT value FROM json_each(${params.bind(JSON.stringify(hop.names))}))`);
  if (hop.edge) conditions.push(compileFilter(hop.edge, { kind: 'edge', alias: 'r' }, params));
  if (hop.where) conditions.push(compileFilter(hop.where, { kind: 'twin', alias: 'o' }, params));
  return { near, from: `FROM relationships r JOIN twins o ON o.id = r.${far} WHERE ${conditions.join(' AND ')}` };
}

export async function neighbors(
  db: SqliteDb,
  query: NeighborQuery,
): Promise<{ twin: Twin; relationship: Relationship }[][]> {
  db.check();
  const orderBy = checkNeighborQuery(query);
  const params = new SqlParams();
  const { near, from } = hopFrom(query.ids, query.hop, params);
  const text =
    `SELECT anchor, rbody, obody FROM (SELECT r.${near} AS anchor, r.body AS rbody, o.body AS obody, ` +
    `ROW_NUMBER() OVER (PARTITION BY r.${near} ORDER BY ${orderByClause('o', orderBy, false)}, r.source, r.id) AS rn ` +
    `${from}) WHERE rn <= ${params.bind(query.first)} ORDER BY anchor, rn`;
  const byAnchor = new Map<string, { twin: Twin; relationship: Relationship }[]>();
  for (const row of db.sql(text).all(params.values) as Row[]) {
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

export async function neighborCounts(db: SqliteDb, ids: readonly string[], hop: Hop): Promise<number[]> {
  db.check();
  checkNeighborQuery({ ids, hop, first: 0 });
  const params = new SqlParams();
  const { near, from } = hopFrom(ids, hop, params);
  const counts = new Map<string, number>();
  for (const row of db
    .sql(`SELECT r.${near} AS anchor, count(*) AS n ${from} GROUP BY r.${near}`)
    .all(params.values) as Row[]) {
    counts.set(row.anchor as string, row.n as number);
  }
  return ids.map((id) => counts.get(id) ?? 0);
}
