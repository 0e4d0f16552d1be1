/**
 * The graph reads in SQLite: traversals (multi-hop, as one query whose filter walks the hops: see
 * ../reads.ts) and one-hop neighbours of many twins at once, each anchor's page cut by a window function, so
 * that a nested GraphQL level is one statement however many twins it starts from.
 */
import type { Hop, NeighborQuery, Page, Traversal } from '../query';
import { checkNeighborQuery, checkTraversal, traversalQuery } from '../reads';
import type { Relationship, Twin } from '../types';
import { deepFreeze } from '../../freeze';
import type { Row, SqliteDb } from './db';
import { queryTwins } from './queries';
import { readTwins } from './twins';
import { compileFilter, orderByClause, SqlParams } from './sql-query';

export async function traverse(db: SqliteDb, traversal: Traversal): Promise<Page<Twin>> {
  checkTraversal(traversal);
  return queryTwins(db, traversalQuery(traversal));
}

/** FROM and WHERE of one hop from a set of anchor twins: `r` the relationship, `o` the twin reached. */
function hopFrom(ids: readonly string[], hop: Hop, params: SqlParams): { near: string; far: string; from: string } {
  const [near, far] = hop.direction === 'out' ? ['source', 'target'] : ['target', 'source'];
  const conditions = [`r.${near} IN (SELECT value FROM json_each(${params.bind(JSON.stringify([...new Set(ids)]))}))`];
  if (hop.names?.length === 1) conditions.push(`r.name = ${params.bind(hop.names[0])}`);
  else if (hop.names?.length)
    conditions.push(`r.name IN (SELECT value FROM json_each(${params.bind(JSON.stringify(hop.names))}))`);
  if (hop.edge) conditions.push(compileFilter(hop.edge, { kind: 'edge', alias: 'r' }, params));
  if (hop.where) conditions.push(compileFilter(hop.where, { kind: 'twin', alias: 'o' }, params));
  // CROSS JOIN: the anchors (a few ids, through the relationship indexes) are always where to start. Left to
  // itself, the planner may start from the twins instead, through the (model, id) index when the hop names a
  // model (every twin of that model, then their relationships): fifty times slower for a page of ten.
  return {
    near,
    far,
    from: `FROM relationships r CROSS JOIN twins o ON o.id = r.${far} WHERE ${conditions.join(' AND ')}`,
  };
}

/** Parsed relationships kept for neighbour reads (oldest evicted first). */
const RELATIONSHIP_CACHE_SIZE = 50_000;

/**
 * Relationships by (source, id), each served from the cache while its etag is the row's, the others read in
 * one statement, parsed and cached.
 */
function readRelationships(
  db: SqliteDb,
  keys: { source: string; id: string; etag: string }[],
): Map<string, Relationship> {
  const found = new Map<string, Relationship>();
  const missing: string[][] = [];
  for (const { source, id, etag } of keys) {
    const key = `${source}\n${id}`;
    const cached = db.relationshipCache.get(key);
    if (cached && cached.$etag === etag) found.set(key, cached);
    else missing.push([source, id]);
  }
  if (missing.length === 0) return found;
  const rows = db
    .sql(
      'SELECT source, id, body FROM relationships WHERE (source, id) IN ' +
        "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
    )
    .all(JSON.stringify(missing)) as Row[];
  const cache = db.relationshipCache;
  for (const row of rows) {
    const key = `${row.source as string}\n${row.id as string}`;
    const relationship = deepFreeze(JSON.parse(row.body as string) as Relationship);
    found.set(key, relationship);
    cache.delete(key);
    if (cache.size >= RELATIONSHIP_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, relationship);
  }
  return found;
}

type Neighbor = { twin: Twin; relationship: Relationship };

/**
 * Each anchor's first page of related twins with their relationships. The statement that pages (a window
 * function per anchor) reads keys only, no bodies: the twins then come through the cache of parsed twins
 * (twins.ts) and the relationships through their own (above), so that a nested GraphQL level parses nothing it
 * has parsed before, and the sort SQLite does for the window carries ids rather than documents. A hop that
 * asks for the twins alone (`withRelationships: false`) reads no relationship beyond the index, which then
 * covers the whole read. Each anchor's page is kept as a derived read (db.ts: forgotten at any write of twins,
 * relationships or models, here or in another process), frozen, so that the pages a client reads again cost
 * no statement.
 */
export async function neighbors(db: SqliteDb, query: NeighborQuery): Promise<Neighbor[][]> {
  db.check();
  const orderBy = checkNeighborQuery(query);
  const withRelationships = query.hop.withRelationships !== false;
  const group = `neighbors\n${JSON.stringify([query.hop, query.first, orderBy])}\n`;
  const kept = db.derivedReads();
  const pages = new Map<string, Neighbor[]>();
  const missing: string[] = [];
  for (const id of query.ids) {
    if (pages.has(id)) continue;
    const page = kept?.get(group + id) as Neighbor[] | undefined;
    if (page) pages.set(id, page);
    else {
      pages.set(id, NONE);
      missing.push(id);
    }
  }
  if (missing.length === 0) return query.ids.map((id) => pages.get(id)!);
  const params = new SqlParams();
  const { near, far, from } = hopFrom(missing, query.hop, params);
  // Within one anchor `r.${near}` is fixed and the twin's id is `r.${far}`: ordered by the twin's id, then the
  // relationship's key, without reading the twin for it.
  const order = orderBy.length === 0 ? `r.${far}, r.id` : `${orderByClause('o', orderBy, false)}, r.source, r.id`;
  const columns = withRelationships ? `r.${near}, r.${far}, r.source, r.id, r.etag` : `r.${near}, r.${far}`;
  const text =
    `SELECT * FROM (SELECT ${columns}, ROW_NUMBER() OVER (PARTITION BY r.${near} ORDER BY ${order}) AS rn ` +
    `${from}) WHERE rn <= ${params.bind(query.first)} ORDER BY 1, rn`;
  // [anchor, twin id, relationship source, id, etag] (the last three when asked for).
  const rows = db.rawSql(text).all(params.values) as [string, string, string?, string?, string?][];
  const twins = readTwins(
    db,
    rows.map((r) => r[1]),
  );
  const relationships = withRelationships
    ? readRelationships(
        db,
        rows.map((r) => ({ source: r[2]!, id: r[3]!, etag: r[4]! })),
      )
    : undefined;
  // Rows come anchor by anchor (ORDER BY 1, rn).
  let anchor: string | undefined;
  let page: Neighbor[] = [];
  for (const row of rows) {
    const twin = twins.get(row[1]);
    const relationship = relationships?.get(`${row[2]}\n${row[3]}`);
    // Gone between the two reads (another process deleted it): as if read a moment later.
    if (!twin || (relationships && !relationship)) continue;
    if (row[0] !== anchor) {
      anchor = row[0];
      pages.set(anchor, (page = []));
    }
    page.push(Object.freeze({ twin, relationship: relationship as Relationship }));
  }
  for (const id of missing) {
    const found = Object.freeze(pages.get(id)!);
    if (kept) db.keepDerived(group + id, found);
  }
  return query.ids.map((id) => pages.get(id)!);
}

const NONE: Neighbor[] = Object.freeze([]) as unknown as Neighbor[];

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
