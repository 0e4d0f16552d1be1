/**
 * Compiles the store's query representation (../query.ts) to Cypher 5 over the encoding in encoding.ts.
 * Values are parameters; property keys, relationship types and model labels are written into the text only
 * after the representation's checks (DTDL names, checked path segments, DTMIs), always between backticks.
 * Every predicate is two-valued, as query.ts defines: a comparison with a missing value is false, not null.
 * Only where that matters is it written `coalesce(…, false)`, under a negation (NOT null is null, NOT false is
 * true). Elsewhere null and false exclude a row alike, and the comparison is left bare, because Neo4j uses an
 * index only for a bare one: `coalesce(t.name = $p, false)` scans every twin even where `name` has an index.
 */
import { parseDtmi } from '../../dtdl/dtmi';
import { TwingraphError } from '../../errors';
import {
  keysetPredicate,
  type CursorKey,
  type Filter,
  type Hop,
  type OrderBy,
  type PropertyPath,
  type RelatedFilter,
  type Traversal,
} from '../query';
import type { JsonPrimitive } from '../types';
import { propertyKey, quote, typedPath } from './encoding';

export class CypherParams {
  readonly values: Record<string, unknown> = {};
  private next = 0;
  private variables = 0;

  constructor(private readonly integer: (n: number) => unknown) {}

  bind(value: unknown): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `$${name}`;
  }

  /** An INTEGER parameter (LIMIT, list slices). */
  bindInteger(value: number): string {
    return this.bind(this.integer(value));
  }

  /** A variable name unique within the statement. */
  variable(prefix: string): string {
    return `${prefix}${this.variables++}`;
  }
}

type Subject = { kind: 'twin'; variable: string } | { kind: 'edge'; variable: string };

/**
 * Whether a predicate stands under a negation (an odd number of NOTs within its WHERE): there a null must be
 * made false. Otherwise a null excludes the row as false would, whatever AND, OR and double negations lie
 * between (Kleene's logic is monotone in each positive operand), and a bare comparison is index-able.
 */
type Negated = boolean;

function twoValued(predicate: string, negated: Negated): string {
  return negated ? `coalesce(${predicate}, false)` : predicate;
}

/** A model label: a DTMI, checked so that it can stand between backticks. */
export function modelLabel(modelId: string): string {
  const dtmi = parseDtmi(modelId);
  if (!dtmi || dtmi.fragment !== '')
    throw new TwingraphError('InvalidArgument', `'${modelId}' is not a model id.`, { modelId });
  return quote(modelId);
}

export function relationshipTypes(names: readonly string[] | undefined): string {
  return names && names.length > 0 ? `:${names.map(quote).join('|')}` : '';
}

function systemValue(subject: Subject, name: string): string {
  const v = subject.variable;
  const values: Record<string, string> =
    subject.kind === 'twin'
      ? { $dtId: `${v}.\`$dtId\``, $etag: `${v}._etag` }
      : {
          $relationshipId: `${v}.\`$relationshipId\``,
          $sourceId: `startNode(${v}).\`$dtId\``,
          $targetId: `endNode(${v}).\`$dtId\``,
          $relationshipName: `type(${v})`,
          $etag: `${v}._etag`,
        };
  const value = values[name];
  if (!value) {
    throw new TwingraphError(
      'InvalidArgument',
      `'${name}' is not a ${subject.kind === 'twin' ? 'twin' : 'relationship'} property that can be filtered or sorted on.`,
    );
  }
  return value;
}

interface PathValue {
  readonly value: string;
  /** Whether the path is present at all. */
  readonly present: string;
  /** Whether the value is a scalar of the JSON type of `sample`. */
  readonly isTypeOf: (sample: JsonPrimitive) => string;
}

/**
 * Cypher for the value at a path. Comparisons are guarded by the stored leaf type (`_types`), so that they
 * never cross JSON types whatever the engine's coercions (Neo4j's are already strict; the guard costs a list
 * lookup on rows an index has found).
 */
function valueOf(subject: Subject, path: PropertyPath, params?: CypherParams): PathValue {
  if (path[0].startsWith('$')) {
    if (path.length > 1) throw new TwingraphError('InvalidArgument', `'${path.join('.')}' has no fields.`);
    return {
      value: systemValue(subject, path[0]),
      present: 'true',
      isTypeOf: (sample) => (typeof sample === 'string' ? 'true' : 'false'),
    };
  }
  const key = propertyKey(path);
  const v = subject.variable;
  return {
    value: `${v}.${quote(key)}`,
    present: params ? `coalesce(${params.bind(key)} IN ${v}._paths, false)` : 'true',
    isTypeOf: (sample) =>
      params
        ? `coalesce(${params.bind(typedPath(key, sample as string | number | boolean))} IN ${v}._types, false)`
        : 'true',
  };
}

const OPERATORS: Record<string, string> = {
  eq: '=',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
  contains: 'CONTAINS',
  startsWith: 'STARTS WITH',
  endsWith: 'ENDS WITH',
};

/** `x IN values`, split by JSON type so that each part is guarded by its own type. */
function inSet(at: PathValue, values: readonly JsonPrimitive[], params: CypherParams, negated: Negated): string {
  const byType = new Map<string, JsonPrimitive[]>();
  for (const v of values) {
    if (v === null) continue;
    if (!byType.has(typeof v)) byType.set(typeof v, []);
    byType.get(typeof v)!.push(v);
  }
  const parts = [...byType.values()].map(
    (list) => `(${at.isTypeOf(list[0])} AND ${twoValued(`${at.value} IN ${params.bind(list)}`, negated)})`,
  );
  return parts.length === 0 ? 'false' : `(${parts.join(' OR ')})`;
}

function comparison(
  subject: Subject,
  filter: Extract<Filter, { path: PropertyPath }>,
  params: CypherParams,
  negated: Negated,
): string {
  const at = valueOf(subject, filter.path, params);
  switch (filter.op) {
    case 'exists':
      return filter.value ? at.present : `NOT ${at.present}`;
    case 'ne':
      return `(${at.present} AND NOT (${at.isTypeOf(filter.value)} AND ${twoValued(`${at.value} = ${params.bind(filter.value)}`, !negated)}))`;
    case 'in':
      return inSet(at, filter.values, params, negated);
    case 'notIn':
      return `(${at.present} AND NOT ${inSet(at, filter.values, params, !negated)})`;
    default:
      return `(${at.isTypeOf(filter.value)} AND ${twoValued(`${at.value} ${OPERATORS[filter.op]} ${params.bind(filter.value)}`, negated)})`;
  }
}

function related(subject: Subject, filter: RelatedFilter, params: CypherParams): string {
  const r = params.variable('r');
  const o = params.variable('o');
  const pattern =
    filter.direction === 'out'
      ? `(${subject.variable})-[${r}${relationshipTypes(filter.names)}]->(${o}:Twin)`
      : `(${subject.variable})<-[${r}${relationshipTypes(filter.names)}]-(${o}:Twin)`;
  // The subquery's WHERE is a context of its own: EXISTS is never null, whatever its negations outside.
  const conditions: string[] = [];
  if (filter.edge) conditions.push(compileFilter(filter.edge, { kind: 'edge', variable: r }, params));
  if (filter.where) {
    const all = filter.quantifier === 'all';
    const where = compileFilter(filter.where, { kind: 'twin', variable: o }, params, all);
    conditions.push(all ? `NOT ${where}` : where);
  } else if (filter.quantifier === 'all') return 'true';
  const exists = `EXISTS { MATCH ${pattern}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} }`;
  return filter.quantifier === 'some' ? exists : `NOT ${exists}`;
}

/** A filter as a Cypher predicate; `negated` when it stands under a NOT of the same WHERE (see Negated). */
export function compileFilter(
  filter: Filter,
  subject: Subject,
  params: CypherParams,
  negated: Negated = false,
): string {
  if ('and' in filter)
    return filter.and.length === 0
      ? 'true'
      : `(${filter.and.map((f) => compileFilter(f, subject, params, negated)).join(' AND ')})`;
  if ('or' in filter)
    return filter.or.length === 0
      ? 'false'
      : `(${filter.or.map((f) => compileFilter(f, subject, params, negated)).join(' OR ')})`;
  if ('not' in filter) return `NOT ${compileFilter(filter.not, subject, params, !negated)}`;
  if ('ofModel' in filter) {
    if (subject.kind !== 'twin')
      throw new TwingraphError('InvalidArgument', '`ofModel` filters twins, not relationships.');
    return filter.exact
      ? `${subject.variable}._model = ${params.bind(filter.ofModel)}`
      : `${subject.variable}:${modelLabel(filter.ofModel)}`;
  }
  if ('related' in filter) {
    if (subject.kind !== 'twin')
      throw new TwingraphError('InvalidArgument', 'Relationship filters apply to twins, not to relationships.');
    return related(subject, filter.related, params);
  }
  return comparison(subject, filter, params, negated);
}

/** ORDER BY keys: Cypher already puts nulls last ascending and first descending, as query.ts wants. */
export function orderByClause(variable: string, orderBy: readonly OrderBy[], backward: boolean): string {
  const keys = orderBy.map(
    (o) =>
      `${valueOf({ kind: 'twin', variable }, o.path).value} ${(o.direction === 'asc') !== backward ? 'ASC' : 'DESC'}`,
  );
  keys.push(`${variable}.\`$dtId\` ${backward ? 'DESC' : 'ASC'}`);
  return keys.join(', ');
}

/** Rows strictly past the cursor (see keysetPredicate); never negated, so its comparisons stay bare. */
export function keysetCondition(
  variable: string,
  orderBy: readonly OrderBy[],
  cursor: CursorKey,
  backward: boolean,
  params: CypherParams,
): string {
  const keys = [
    ...orderBy.map((o) => ({
      expr: valueOf({ kind: 'twin', variable }, o.path).value,
      ascending: (o.direction === 'asc') !== backward,
    })),
    { expr: `${variable}.\`$dtId\``, ascending: !backward },
  ];
  return keysetPredicate(keys, cursor, (v) => params.bind(v), {
    compare: (expr, op, param) => `${expr} ${op} ${param}`,
    falseValue: 'false',
  });
}

/**
 * A traversal as a chain of MATCHes from the start set, with DISTINCT between hops so that paths do not
 * multiply; ends with the last hop's twins bound to `t`.
 */
export function traversalMatch(traversal: Traversal, params: CypherParams): string {
  const clauses = [
    `MATCH (s0:Twin) WHERE ${compileFilter(traversal.from, { kind: 'twin', variable: 's0' }, params)}`,
    'WITH DISTINCT s0',
  ];
  traversal.hops.forEach((hop: Hop, i) => {
    const from = `s${i}`;
    const to = i === traversal.hops.length - 1 ? 't' : `s${i + 1}`;
    const r = `h${i}`;
    const arrow =
      hop.direction === 'out' ? `-[${r}${relationshipTypes(hop.names)}]->` : `<-[${r}${relationshipTypes(hop.names)}]-`;
    const conditions: string[] = [];
    if (hop.edge) conditions.push(compileFilter(hop.edge, { kind: 'edge', variable: r }, params));
    if (hop.where) conditions.push(compileFilter(hop.where, { kind: 'twin', variable: to }, params));
    clauses.push(
      `MATCH (${from})${arrow}(${to}:Twin)${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`,
      `WITH DISTINCT ${to}`,
    );
  });
  return clauses.join(' ');
}
