/**
 * queryTwins in Neo4j: a filter, an order and a keyset page over `Twin` nodes, compiled to Cypher by
 * cypher-query.ts (and a count when asked). `pageTwins` pages the twins any MATCH binds, which is how
 * traversals (graph.ts) end as well.
 */
import {
  checkCursorFits,
  checkFilter,
  checkOrderBy,
  planPage,
  toPage,
  valueAt,
  type Page,
  type TwinQuery,
} from '../query';
import type { Twin } from '../types';
import { compileFilter, CypherParams, keysetCondition, orderByClause } from './cypher-query';
import { parseJson, TWIN_ID, type Neo4jDb } from './db';

/** Pages twins bound to `t` by `match` (a MATCH … ending with `t` in scope). */
export async function pageTwins(
  db: Neo4jDb,
  query: TwinQuery,
  match: (params: CypherParams) => string,
): Promise<Page<Twin>> {
  if (query.where) checkFilter(query.where);
  const orderBy = checkOrderBy(query.orderBy);
  const plan = planPage(query);
  checkCursorFits(plan.cursor, orderBy);
  const params = new CypherParams((n) => db.int(n));
  const conditions: string[] = [];
  const head = match(params);
  // Always true; it lets the unique index on `$dtId` hand twins over in id order, so that a page of a query
  // sorted by id alone reads a page of twins, not all of them.
  if (orderBy.length === 0) conditions.push(`t.${TWIN_ID} IS NOT NULL`);
  if (query.where) conditions.push(compileFilter(query.where, { kind: 'twin', variable: 't' }, params));
  if (plan.cursor) conditions.push(keysetCondition('t', orderBy, plan.cursor, plan.backward, params));
  const where = conditions.length ? ` WITH t WHERE ${conditions.join(' AND ')}` : '';
  const text = `${head}${where} WITH t ORDER BY ${orderByClause('t', orderBy, plan.backward)} LIMIT ${params.bindInteger(plan.limit + 1)} RETURN t._body AS body`;
  const countParams = new CypherParams((n) => db.int(n));
  const countHead = query.totalCount ? match(countParams) : '';
  const countWhere =
    query.totalCount && query.where
      ? ` WITH t WHERE ${compileFilter(query.where, { kind: 'twin', variable: 't' }, countParams)}`
      : '';
  const { twins, total } = await db.read(async (tx) => {
    const records = (await tx.run(text, params.values)).records;
    const n = query.totalCount
      ? Number((await tx.run(`${countHead}${countWhere} RETURN count(t) AS n`, countParams.values)).records[0].get('n'))
      : undefined;
    return { twins: records.map((r) => parseJson<Twin>(r.get('body'))), total: n };
  });
  const page = toPage(
    twins,
    plan,
    (t) => [...orderBy.map((o) => valueAt(t, o.path)), t.$dtId],
    plan.cursor !== undefined,
  );
  if (total !== undefined) page.totalCount = total;
  return page;
}

export async function queryTwins(db: Neo4jDb, query: TwinQuery): Promise<Page<Twin>> {
  return pageTwins(db, query, () => 'MATCH (t:Twin)');
}
