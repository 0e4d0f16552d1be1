/**
 * queryTwins in SQLite: a filter, an order and a keyset page over `twins`, compiled to one SELECT by
 * sql-query.ts (and a count when asked). Traversals end here too (graph.ts turns one into a query).
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
import type { Row, SqliteDb } from './db';
import { compileFilter, keysetCondition, orderByClause, SqlParams } from './sql-query';

export async function queryTwins(db: SqliteDb, query: TwinQuery): Promise<Page<Twin>> {
  db.check();
  if (query.where) checkFilter(query.where);
  const orderBy = checkOrderBy(query.orderBy);
  const plan = planPage(query);
  checkCursorFits(plan.cursor, orderBy);
  const params = new SqlParams();
  const where = query.where ? compileFilter(query.where, { kind: 'twin', alias: 't' }, params) : '1';
  const keyset = plan.cursor ? ` AND ${keysetCondition('t', orderBy, plan.cursor, plan.backward, params)}` : '';
  const text = `SELECT t.body FROM twins t WHERE ${where}${keyset} ORDER BY ${orderByClause('t', orderBy, plan.backward)} LIMIT ${plan.limit + 1}`;
  const rows = db.sql(text).all(params.values) as Row[];
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
    page.totalCount = (db.sql(`SELECT count(*) AS n FROM twins t WHERE ${countWhere}`).get(countParams.values) as Row)
      .n as number;
  }
  return page;
}
