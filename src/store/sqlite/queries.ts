/**
 * queryTwins in SQLite: a filter, an order and a keyset page over `twins`, compiled to one SELECT by
 * sql-query.ts (and a count when asked). Traversals end here too (graph.ts turns one into a query). Pages are
 * kept as derived reads (db.ts) until the next write of twins, relationships or models.
 */
import {
  checkCursorFits,
  checkFilter,
  checkOrderBy,
  planPage,
  toPage,
  valueAt,
  type Filter,
  type Page,
  type TwinQuery,
} from '../query';
import type { Twin } from '../types';
import type { Row, SqliteDb } from './db';
import { compileFilter, keysetCondition, orderByClause, SqlParams } from './sql-query';
import { twinOfRow } from './twins';

/**
 * A list of one model's twins (each model's root list, `clients(first: 10)`) as `model = ?` when no other model
 * extends it: SQLite then walks the (model, id) index in page order and stops at the page's end. Written as
 * the usual `model IN (SELECT … model_ancestors …)`, the planner cannot see that the set has one member and
 * scans every twin in id order until the page is full: the other models' twins before the first of this one.
 */
function narrowed(
  db: SqliteDb,
  where: Filter | undefined,
  kept: ReadonlyMap<string, unknown> | undefined,
): Filter | undefined {
  if (!where || !('ofModel' in where) || where.exact) return where;
  // A derived read (db.ts): the models only change with a model upload.
  const key = `narrowed\n${where.ofModel}`;
  let alone = kept?.get(key) as boolean | undefined;
  if (alone === undefined) {
    alone = (db.sql('SELECT model FROM model_ancestors WHERE ancestor = ?').all(where.ofModel) as Row[]).length <= 1;
    db.keepDerived(key, alone);
  }
  return alone ? { ofModel: where.ofModel, exact: true } : where;
}

export async function queryTwins(db: SqliteDb, query: TwinQuery): Promise<Page<Twin>> {
  db.check();
  if (query.where) checkFilter(query.where);
  const orderBy = checkOrderBy(query.orderBy);
  const plan = planPage(query);
  checkCursorFits(plan.cursor, orderBy);
  const params = new SqlParams();
  // One check of the derived reads for the whole query (it costs a read lock).
  const kept = db.derivedReads();
  const filter = narrowed(db, query.where, kept);
  const where = filter ? compileFilter(filter, { kind: 'twin', alias: 't' }, params) : '1';
  const keyset = plan.cursor ? ` AND ${keysetCondition('t', orderBy, plan.cursor, plan.backward, params)}` : '';
  const text = `SELECT t.id, t.etag, t.body FROM twins t WHERE ${where}${keyset} ORDER BY ${orderByClause('t', orderBy, plan.backward)} LIMIT ${plan.limit + 1}`;
  // A page read again (the same statement, the same values) is a derived read (db.ts): kept until a write.
  const key = `query\n${text}\n${JSON.stringify(params.values)}`;
  let twins = kept?.get(key) as readonly Twin[] | undefined;
  if (!twins) {
    // Raw rows (arrays): no object per row; a twin already parsed at this etag is not parsed again.
    const rows = db.rawSql(text).all(params.values) as [string, string, string][];
    twins = Object.freeze(rows.map(([id, etag, body]) => twinOfRow(db, id, etag, body)));
    if (kept) db.keepDerived(key, twins);
  }
  const page = toPage(
    // A copy: the page may reverse it.
    twins.slice(),
    plan,
    (t) => [...orderBy.map((o) => valueAt(t, o.path)), t.$dtId],
    plan.cursor !== undefined,
  );
  if (query.totalCount) {
    const countParams = new SqlParams();
    const countWhere = filter ? compileFilter(filter, { kind: 'twin', alias: 't' }, countParams) : '1';
    page.totalCount = (db.sql(`SELECT count(*) AS n FROM twins t WHERE ${countWhere}`).get(countParams.values) as Row)
      .n as number;
  }
  return page;
}
