/**
 * Compiles the store's query representation (../query.ts) to SQLite SQL over the `twins` and
 * `relationships` tables. Values are bound parameters; property paths become JSON path literals only
 * after `checkPath` (they are DTDL names), so that expression indexes on `json_extract(body, '$.name')`
 * match the text the queries use.
 */
import { TwingraphError } from '../../errors';
import type { JsonPrimitive } from '../types';
import {
  keysetPredicate,
  type CursorKey,
  type Filter,
  type OrderBy,
  type PropertyPath,
  type RelatedFilter,
} from '../query';

/** Collects bound parameters while SQL text is generated. */
export class SqlParams {
  readonly values: Record<string, unknown> = {};
  private next = 0;
  private aliases = 0;

  /** A table alias unique within the statement (nested relationship filters each need their own). */
  alias(prefix: string): string {
    return `${prefix}${this.aliases++}`;
  }

  bind(value: unknown): string {
    const name = `p${this.next++}`;
    this.values[name] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    return `@${name}`;
  }
}

/** The table a filter is about: a twin (alias with `id`, `body`) or a relationship (`source`, `id`, `name`, `target`, `body`). */
type Subject = { kind: 'twin'; alias: string } | { kind: 'edge'; alias: string };

/** The JSON path literal SQLite's JSON functions take; segments are checked names. */
export function jsonPathLiteral(path: PropertyPath): string {
  return `'$.${path.join('.')}'`;
}

export function jsonValueExpr(alias: string, path: PropertyPath): string {
  return `json_extract(${alias}.body, ${jsonPathLiteral(path)})`;
}

/** Columns that hold a system property directly; other `$` paths do not exist. */
function systemColumn(subject: Subject, name: string): string {
  const columns: Record<string, string> =
    subject.kind === 'twin'
      ? { $dtId: 'id', $etag: 'etag' }
      : { $relationshipId: 'id', $sourceId: 'source', $targetId: 'target', $relationshipName: 'name', $etag: 'etag' };
  const column = columns[name];
  if (!column) {
    throw new TwingraphError(
      'InvalidArgument',
      `'${name}' is not a ${subject.kind === 'twin' ? 'twin' : 'relationship'} property that can be filtered or sorted on.`,
    );
  }
  return `${subject.alias}.${column}`;
}

/** SQL for the value at a path, and for its JSON type ('text', 'integer', 'real', 'true', 'false', …). */
function valueOf(subject: Subject, path: PropertyPath): { value: string; type: string } {
  if (path[0].startsWith('$')) {
    if (path.length > 1) throw new TwingraphError('InvalidArgument', `'${path.join('.')}' has no fields.`);
    const column = systemColumn(subject, path[0]);
    return { value: column, type: `'text'` };
  }
  const literal = jsonPathLiteral(path);
  return {
    value: `json_extract(${subject.alias}.body, ${literal})`,
    type: `json_type(${subject.alias}.body, ${literal})`,
  };
}

/** Never NULL: json_type is NULL for a missing property, and a NULL here would make `not` three-valued. */
function typeGuard(type: string, value: JsonPrimitive): string {
  if (typeof value === 'string') return `coalesce(${type} = 'text', 0)`;
  if (typeof value === 'number') return `coalesce(${type} IN ('integer','real'), 0)`;
  return `coalesce(${type} IN ('true','false'), 0)`;
}

function present(type: string): string {
  return `coalesce(${type} <> 'null', 0)`;
}

const ORDERING: Record<string, string> = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' };

function comparison(subject: Subject, filter: Extract<Filter, { path: PropertyPath }>, params: SqlParams): string {
  const { value: x, type } = valueOf(subject, filter.path);
  switch (filter.op) {
    case 'exists':
      return filter.value ? present(type) : `NOT ${present(type)}`;
    case 'eq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return `(${typeGuard(type, filter.value)} AND ${x} ${ORDERING[filter.op]} ${params.bind(filter.value)})`;
    case 'ne':
      return `(${present(type)} AND NOT (${typeGuard(type, filter.value)} AND ${x} = ${params.bind(filter.value)}))`;
    case 'contains':
      return `(${typeGuard(type, filter.value)} AND instr(${x}, ${params.bind(filter.value)}) > 0)`;
    case 'startsWith': {
      // The range lets an expression index narrow the scan; substr makes it exact.
      const p = params.bind(filter.value);
      return `(${typeGuard(type, filter.value)} AND ${x} >= ${p} AND substr(${x}, 1, length(${p})) = ${p})`;
    }
    case 'endsWith': {
      const p = params.bind(filter.value);
      return `(${typeGuard(type, filter.value)} AND length(${x}) >= length(${p}) AND substr(${x}, -length(${p})) = ${p})`;
    }
    case 'in':
    case 'notIn': {
      const byType = new Map<string, JsonPrimitive[]>();
      for (const v of filter.values) {
        if (v === null) continue;
        const key = typeof v;
        if (!byType.has(key)) byType.set(key, []);
        byType.get(key)!.push(v);
      }
      const parts = [...byType.values()].map(
        (values) =>
          `(${typeGuard(type, values[0])} AND ${x} IN (SELECT value FROM json_each(${params.bind(JSON.stringify(values.map((v) => (typeof v === 'boolean' ? Number(v) : v))))})))`,
      );
      const inSet = parts.length === 0 ? '0' : `(${parts.join(' OR ')})`;
      return filter.op === 'in' ? inSet : `(${present(type)} AND NOT ${inSet})`;
    }
  }
}

function relationshipNames(alias: string, names: readonly string[] | undefined, params: SqlParams): string[] {
  if (!names || names.length === 0) return [];
  if (names.length === 1) return [`${alias}.name = ${params.bind(names[0])}`];
  return [`${alias}.name IN (SELECT value FROM json_each(${params.bind(JSON.stringify(names))}))`];
}

/**
 * Twins related to the subject twin: a semi-join on the twin's id (`id IN (…)`), which SQLite evaluates by
 * materializing the related ids once rather than probing per row.
 */
function related(subject: Subject, filter: RelatedFilter, params: SqlParams): string {
  const r = params.alias('r');
  const o = params.alias('o');
  const [near, far] = filter.direction === 'out' ? ['source', 'target'] : ['target', 'source'];
  const conditions = [...relationshipNames(r, filter.names, params)];
  if (filter.edge) conditions.push(compileFilter(filter.edge, { kind: 'edge', alias: r }, params));
  let where = filter.where ? compileFilter(filter.where, { kind: 'twin', alias: o }, params) : undefined;
  if (filter.quantifier === 'all') {
    if (!where) return '1';
    where = `NOT (${where})`;
  }
  const join = where ? ` JOIN twins ${o} ON ${o}.id = ${r}.${far}` : '';
  if (where) conditions.push(where);
  const set = `SELECT ${r}.${near} FROM relationships ${r}${join}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
  return filter.quantifier === 'some' ? `${subject.alias}.id IN (${set})` : `${subject.alias}.id NOT IN (${set})`;
}

/** A boolean SQL expression that is never NULL: two-valued, as ../query.ts defines. */
export function compileFilter(filter: Filter, subject: Subject, params: SqlParams): string {
  if ('and' in filter)
    return filter.and.length === 0
      ? '1'
      : `(${filter.and.map((f) => compileFilter(f, subject, params)).join(' AND ')})`;
  if ('or' in filter)
    return filter.or.length === 0 ? '0' : `(${filter.or.map((f) => compileFilter(f, subject, params)).join(' OR ')})`;
  if ('not' in filter) return `NOT ${compileFilter(filter.not, subject, params)}`;
  if ('ofModel' in filter) {
    if (subject.kind !== 'twin')
      throw new TwingraphError('InvalidArgument', '`ofModel` filters twins, not relationships.');
    return filter.exact
      ? `${subject.alias}.model = ${params.bind(filter.ofModel)}`
      : `${subject.alias}.model IN (SELECT model FROM model_ancestors WHERE ancestor = ${params.bind(filter.ofModel)})`;
  }
  if ('related' in filter) {
    if (subject.kind !== 'twin')
      throw new TwingraphError('InvalidArgument', 'Relationship filters apply to twins, not to relationships.');
    return related(subject, filter.related, params);
  }
  return comparison(subject, filter, params);
}

/** ORDER BY for a sort (missing values last ascending, first descending), then `$dtId`. */
export function orderByClause(alias: string, orderBy: readonly OrderBy[], backward: boolean): string {
  const keys = orderBy.map((o) => {
    const ascending = (o.direction === 'asc') !== backward;
    const { value } = valueOf({ kind: 'twin', alias }, o.path);
    return `${value} ${ascending ? 'ASC NULLS LAST' : 'DESC NULLS FIRST'}`;
  });
  keys.push(`${alias}.id ${backward ? 'DESC' : 'ASC'}`);
  return keys.join(', ');
}

/** Rows strictly past the cursor in the (possibly reversed) ordering (see keysetPredicate). */
export function keysetCondition(
  alias: string,
  orderBy: readonly OrderBy[],
  cursor: CursorKey,
  backward: boolean,
  params: SqlParams,
): string {
  const keys = [
    ...orderBy.map((o) => ({
      expr: valueOf({ kind: 'twin', alias }, o.path).value,
      ascending: (o.direction === 'asc') !== backward,
    })),
    { expr: `${alias}.id`, ascending: !backward },
  ];
  return keysetPredicate(keys, cursor, (v) => params.bind(v), {
    compare: (expr, op, param) => `${expr} ${op} ${param}`,
    falseValue: '0',
  });
}
