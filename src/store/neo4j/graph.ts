/**
 * The graph reads in Neo4j: traversals (multi-hop, as one MATCH along the hops, paged like a query) and
 * one-hop neighbours of many twins at once, each anchor's page cut from its collected list, so that a nested
 * GraphQL level is one statement however many twins it starts from. A hop that asks for the twins alone
 * (`withRelationships: false`: nobody selected the edges) neither returns nor parses the relationships.
 */
import type { Hop, NeighborQuery, Page, Traversal } from '../query';
import { checkNeighborQuery, checkTraversal } from '../reads';
import type { Relationship, Twin } from '../types';
import { compileFilter, CypherParams, orderByClause, relationshipTypes, traversalMatch } from './cypher-query';
import { parseJson, RELATIONSHIP_ID, TWIN_ID, type Neo4jDb } from './db';
import { pageTwins } from './queries';

export async function traverse(db: Neo4jDb, traversal: Traversal): Promise<Page<Twin>> {
  checkTraversal(traversal);
  return pageTwins(db, traversal, (params) => traversalMatch(traversal, params));
}

/** MATCH … WHERE of one hop from a set of anchor twins: `anchorId`, `r` the relationship, `o` the twin reached. */
function hopMatch(ids: readonly string[], hop: Hop, params: CypherParams): string {
  const arrow =
    hop.direction === 'out' ? `-[r${relationshipTypes(hop.names)}]->` : `<-[r${relationshipTypes(hop.names)}]-`;
  const conditions: string[] = [];
  if (hop.edge) conditions.push(compileFilter(hop.edge, { kind: 'edge', variable: 'r' }, params));
  if (hop.where) conditions.push(compileFilter(hop.where, { kind: 'twin', variable: 'o' }, params));
  return (
    `UNWIND ${params.bind([...new Set(ids)])} AS anchorId MATCH (a:Twin {${TWIN_ID}: anchorId})${arrow}(o:Twin)` +
    (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '')
  );
}

export async function neighbors(
  db: Neo4jDb,
  query: NeighborQuery,
): Promise<{ twin: Twin; relationship: Relationship }[][]> {
  const orderBy = checkNeighborQuery(query);
  const withRelationships = query.hop.withRelationships !== false;
  const params = new CypherParams((n) => db.int(n));
  const text =
    `${hopMatch(query.ids, query.hop, params)} ` +
    `WITH anchorId, r, o ORDER BY anchorId, ${orderByClause('o', orderBy, false)}, startNode(r).${TWIN_ID}, r.${RELATIONSHIP_ID} ` +
    `WITH anchorId, collect(${withRelationships ? '{r: r._body, o: o._body}' : '{o: o._body}'}) AS found ` +
    `WITH anchorId, found[0..${params.bindInteger(query.first)}] AS items UNWIND items AS item ` +
    `RETURN anchorId, ${withRelationships ? 'item.r AS r, ' : ''}item.o AS o`;
  const byAnchor = new Map<string, { twin: Twin; relationship: Relationship }[]>();
  for (const record of await db.read(async (tx) => (await tx.run(text, params.values)).records)) {
    const anchor = record.get('anchorId') as string;
    if (!byAnchor.has(anchor)) byAnchor.set(anchor, []);
    // Left undefined for a hop of twins alone, as the port allows (NeighborQuery's Hop.withRelationships).
    const relationship = withRelationships ? parseJson<Relationship>(record.get('r')) : (undefined as never);
    byAnchor.get(anchor)!.push({ twin: parseJson<Twin>(record.get('o')), relationship });
  }
  return query.ids.map((id) => byAnchor.get(id) ?? []);
}

export async function neighborCounts(db: Neo4jDb, ids: readonly string[], hop: Hop): Promise<number[]> {
  checkNeighborQuery({ ids, hop, first: 0 });
  const params = new CypherParams((n) => db.int(n));
  const text = `${hopMatch(ids, hop, params)} RETURN anchorId, count(*) AS n`;
  const counts = new Map<string, number>();
  for (const record of await db.read(async (tx) => (await tx.run(text, params.values)).records))
    counts.set(record.get('anchorId') as string, Number(record.get('n')));
  return ids.map((id) => counts.get(id) ?? 0);
}
