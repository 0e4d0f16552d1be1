/**
 * The store's query representation: one small tree that the GraphQL layer builds and each adapter
 * compiles (to SQL, to Cypher). Property names go into the compiled text only after `checkPath` has
 * proved them to be DTDL names; every value travels as a parameter.
 *
 * Semantics both adapters keep:
 * - a comparison on a property a twin does not have is false (so `ne` and `notIn` exclude it), and
 *   `not` is plain boolean negation of that two-valued result;
 * - comparisons are between values of the same JSON type: a string never equals, or orders against, a number;
 * - `orderBy` puts missing values last in ascending order and first in descending order, and ties are
 *   broken by `$dtId`, so that the order — and keyset cursors over it — is total and stable.
 */
import { createHash } from 'node:crypto';
import { TwingraphError } from '../errors';
import type { JsonPrimitive } from './types';

/** A property of a twin or relationship: `['temperature']`, `['address', 'city']`, `['$dtId']`. */
export type PropertyPath = readonly string[];

export type ComparisonOperator = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'contains' | 'startsWith' | 'endsWith';

export type Filter =
  | { readonly and: readonly Filter[] }
  | { readonly or: readonly Filter[] }
  | { readonly not: Filter }
  | { readonly path: PropertyPath; readonly op: ComparisonOperator; readonly value: JsonPrimitive }
  | { readonly path: PropertyPath; readonly op: 'in' | 'notIn'; readonly values: readonly JsonPrimitive[] }
  | { readonly path: PropertyPath; readonly op: 'exists'; readonly value: boolean }
  /** Twins of this model or (unless `exact`) of any model that extends it: ADT's IS_OF_MODEL. */
  | { readonly ofModel: string; readonly exact?: boolean }
  /** Twins related to twins matching `where` through relationships matching `name` and `edge`. */
  | { readonly related: RelatedFilter };

export interface RelatedFilter {
  /** `out`: relationships this twin has; `in`: relationships pointing at it. */
  readonly direction: 'out' | 'in';
  /** Relationship names; any name when absent. */
  readonly names?: readonly string[];
  /**
   * `some` related twin matches, `none` does, or `all` do (true when there are none). `names` and `edge` choose
   * the relationships that count; `where` is what the twins they lead to must match.
   */
  readonly quantifier: 'some' | 'none' | 'all';
  /** On the twin at the other end. */
  readonly where?: Filter;
  /** On the relationship's own properties (`$relationshipId` and `$relationshipName` included). */
  readonly edge?: Filter;
}

export interface OrderBy {
  readonly path: PropertyPath;
  readonly direction: 'asc' | 'desc';
}

/** Relay-style paging: `first`/`after` forward, `last`/`before` backward. */
export interface PageArgs {
  readonly first?: number;
  readonly after?: string;
  readonly last?: number;
  readonly before?: string;
}

export interface TwinQuery extends PageArgs {
  readonly where?: Filter;
  readonly orderBy?: readonly OrderBy[];
  /** Also count every twin the filter matches (ignores paging). */
  readonly totalCount?: boolean;
}

/** One hop of a traversal: follow relationships, keep the twins reached that match `where`. */
export interface Hop {
  readonly direction: 'out' | 'in';
  readonly names?: readonly string[];
  readonly where?: Filter;
  readonly edge?: Filter;
  /**
   * Neighbour reads only (NeighborQuery): `false` when the caller uses the twins alone, not the relationships
   * that lead to them (a connection whose edges nobody selected); an adapter may then leave each neighbour's
   * `relationship` undefined and spare reading it. Traversals and counts ignore it.
   */
  readonly withRelationships?: boolean;
}

/** Twins reached from `from` through `hops`, in order; the last hop's twins are paged like a query. */
export interface Traversal extends TwinQuery {
  readonly from: Filter;
  readonly hops: readonly Hop[];
}

/** Twins related to each of several twins, paged per twin (what a nested GraphQL field asks for). */
export interface NeighborQuery {
  readonly ids: readonly string[];
  readonly hop: Hop;
  readonly orderBy?: readonly OrderBy[];
  /** At most this many per twin. */
  readonly first: number;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  items: T[];
  /** One cursor per item, to page on from it. */
  cursors: string[];
  pageInfo: PageInfo;
  totalCount?: number;
}

/** DTDL names (and ADT's `$`-prefixed system properties): safe to write into SQL and Cypher text. */
const NAME = /^(?:\$[A-Za-z]+|[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)$/;
/**
 * Deeper segments are object field names or map keys. DTDL allows any string as a map key, but only keys of
 * letters, digits, `_` and `-` can be filtered and sorted on: they go into SQL and Cypher text unescaped.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
export const MAX_PATH_DEPTH = 8;
export const MAX_PAGE_SIZE = 1000;

/** The page a list gets when it asks for neither `first` nor `last` (the store's and the API's). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_IN_VALUES = 1000;
export const MAX_FILTER_NODES = 200;
export const MAX_HOPS = 10;
export const MAX_ORDER_BY = 4;

/** The top-level segment of a path is a DTDL name (or a `$` system property); deeper ones are fields or map keys. */
export function checkPath(path: PropertyPath): void {
  if (!Array.isArray(path) || path.length === 0 || path.length > MAX_PATH_DEPTH) {
    throw new TwingraphError(
      'InvalidArgument',
      `A property path has 1 to ${MAX_PATH_DEPTH} segments; got ${JSON.stringify(path)}.`,
    );
  }
  if (typeof path[0] !== 'string' || !NAME.test(path[0])) {
    throw new TwingraphError(
      'InvalidArgument',
      `'${String(path[0])}' is not a property name: use the DTDL name of a property.`,
      { path: path.join('.') },
    );
  }
  for (const segment of path.slice(1)) {
    if (typeof segment !== 'string' || !SEGMENT.test(segment)) {
      throw new TwingraphError(
        'InvalidArgument',
        `Path segment ${JSON.stringify(segment)} cannot be filtered or sorted on: fields and map keys of letters, digits, '_' and '-' (up to 64) can.`,
        { path: path.join('.') },
      );
    }
  }
}

export function isName(value: string): boolean {
  return NAME.test(value);
}

/** Relationship names go into Cypher as relationship types: they must be DTDL names. */
export function checkRelationshipName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name) || name.startsWith('$')) {
    throw new TwingraphError(
      'InvalidArgument',
      `'${String(name)}' is not a relationship name: use the DTDL name of a relationship.`,
    );
  }
}

function checkPrimitive(value: unknown, where: string): void {
  const ok =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value));
  if (!ok)
    throw new TwingraphError(
      'InvalidArgument',
      `${where}: a filter value is a string, a finite number, a boolean or null.`,
    );
}

/** Checks a filter tree once, before any adapter compiles it, so that adapters may trust its shape. */
export function checkFilter(filter: Filter, budget = { nodes: MAX_FILTER_NODES }): void {
  if (--budget.nodes < 0)
    throw new TwingraphError(
      'LimitExceeded',
      `A filter has more than ${MAX_FILTER_NODES} conditions; split the query.`,
    );
  if (filter === null || typeof filter !== 'object')
    throw new TwingraphError('InvalidArgument', 'A filter is an object.');
  if ('and' in filter || 'or' in filter) {
    const parts = 'and' in filter ? filter.and : filter.or;
    if (!Array.isArray(parts)) throw new TwingraphError('InvalidArgument', '`and` and `or` take a list of filters.');
    for (const part of parts) checkFilter(part, budget);
    return;
  }
  if ('not' in filter) return checkFilter(filter.not, budget);
  if ('ofModel' in filter) {
    if (typeof filter.ofModel !== 'string' || filter.ofModel.length === 0)
      throw new TwingraphError('InvalidArgument', '`ofModel` takes a model id.');
    return;
  }
  if ('related' in filter) {
    const r = filter.related;
    if (r.direction !== 'out' && r.direction !== 'in')
      throw new TwingraphError('InvalidArgument', "A relationship filter's direction is 'out' or 'in'.");
    if (r.quantifier !== 'some' && r.quantifier !== 'none' && r.quantifier !== 'all') {
      throw new TwingraphError('InvalidArgument', "A relationship filter's quantifier is 'some', 'none' or 'all'.");
    }
    r.names?.forEach(checkRelationshipName);
    if (r.where) checkFilter(r.where, budget);
    if (r.edge) checkFilter(r.edge, budget);
    return;
  }
  if ('path' in filter) {
    checkPath(filter.path);
    const where = `Filter on '${filter.path.join('.')}'`;
    switch (filter.op) {
      case 'in':
      case 'notIn':
        if (!Array.isArray(filter.values))
          throw new TwingraphError('InvalidArgument', `${where}: '${filter.op}' takes a list.`);
        if (filter.values.length > MAX_IN_VALUES)
          throw new TwingraphError('LimitExceeded', `${where}: at most ${MAX_IN_VALUES} values in '${filter.op}'.`);
        filter.values.forEach((v) => checkPrimitive(v, where));
        return;
      case 'exists':
        if (typeof filter.value !== 'boolean')
          throw new TwingraphError('InvalidArgument', `${where}: 'exists' takes true or false.`);
        return;
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (typeof filter.value !== 'string')
          throw new TwingraphError('InvalidArgument', `${where}: '${filter.op}' takes a string.`);
        return;
      case 'eq':
      case 'ne':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        checkPrimitive(filter.value, where);
        if (filter.value === null)
          throw new TwingraphError(
            'InvalidArgument',
            `${where}: compare with a value, or use 'exists' to test for a missing property.`,
          );
        return;
      default:
        throw new TwingraphError(
          'InvalidArgument',
          `${where}: unknown operator '${String((filter as { op: unknown }).op)}'.`,
        );
    }
  }
  throw new TwingraphError('InvalidArgument', `Unknown filter: ${JSON.stringify(filter).slice(0, 200)}`);
}

export function checkOrderBy(orderBy: readonly OrderBy[] | undefined): readonly OrderBy[] {
  const list = orderBy ?? [];
  if (list.length > MAX_ORDER_BY) throw new TwingraphError('LimitExceeded', `At most ${MAX_ORDER_BY} sort keys.`);
  for (const o of list) {
    checkPath(o.path);
    if (o.direction !== 'asc' && o.direction !== 'desc')
      throw new TwingraphError('InvalidArgument', "A sort direction is 'asc' or 'desc'.");
  }
  return list;
}

/** The paging request, normalized: which way to read, how many, and from which cursor. */
export interface PagePlan {
  readonly backward: boolean;
  readonly limit: number;
  readonly cursor?: CursorKey;
  /** Which ordering the cursors are for (see `orderingOf`). */
  readonly ordering: string;
}

/** A cursor decoded: the sort values of the row it points at, then its `$dtId`. */
export type CursorKey = readonly JsonPrimitive[];

/**
 * A short fingerprint of an ordering, carried in its cursors: keyset values only mean something in the ordering
 * they were read in, and two orderings with as many keys (score asc, score desc) would otherwise take each
 * other's cursors and page wrongly without a word.
 */
export function orderingOf(orderBy: readonly OrderBy[] | undefined): string {
  if (!orderBy || orderBy.length === 0) return UNORDERED;
  const text = JSON.stringify(orderBy.map((o) => [o.path, o.direction]));
  let fingerprint = fingerprints.get(text);
  if (fingerprint === undefined) {
    fingerprint = fingerprintOf(text);
    // Orderings are few (the sort keys clients use); the bound only stops a client inventing new ones for ever.
    if (fingerprints.size >= MAX_FINGERPRINTS) fingerprints.clear();
    fingerprints.set(text, fingerprint);
  }
  return fingerprint;
}

function fingerprintOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 8);
}

/**
 * Fingerprints already computed, by the ordering's JSON: every related connection of a nested page asks for
 * one, and a SHA-256 per connection was a visible share of a traversal's time.
 */
const fingerprints = new Map<string, string>();
const MAX_FINGERPRINTS = 1000;
/** The fingerprint of the default ordering (by `$dtId` alone), the one nearly every list uses. */
const UNORDERED = fingerprintOf('[]');

/** `first` or `last` as a page takes it: an integer from 0 to MAX_PAGE_SIZE. */
export function checkPageSize(name: 'first' | 'last', n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE)
    throw new TwingraphError('InvalidArgument', `'${name}' is an integer from 0 to ${MAX_PAGE_SIZE}.`);
}

/** Plans a page of a query; its `orderBy` (when it has one) decides which cursors it takes. */
export function planPage(
  args: PageArgs & { readonly orderBy?: readonly OrderBy[] },
  defaultSize = DEFAULT_PAGE_SIZE,
): PagePlan {
  const { first, last, after, before } = args;
  if (first !== undefined && last !== undefined)
    throw new TwingraphError('InvalidArgument', "Use 'first' or 'last', not both.");
  if (first !== undefined) checkPageSize('first', first);
  if (last !== undefined) checkPageSize('last', last);
  const backward = last !== undefined || (before !== undefined && first === undefined);
  const limit = (backward ? last : first) ?? defaultSize;
  const cursorText = backward ? before : after;
  const ordering = orderingOf(args.orderBy);
  return { backward, limit, ordering, ...(cursorText !== undefined && { cursor: decodeCursor(cursorText, ordering) }) };
}

/** A cursor: the ordering's fingerprint, then the key (`[ordering, ...key]` as base64url JSON). */
export function encodeCursor(key: CursorKey, ordering = UNORDERED): string {
  return Buffer.from(JSON.stringify([ordering, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, ordering?: string): CursorKey {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const key = Array.isArray(value) && typeof value[0] === 'string' ? value.slice(1) : undefined;
  const valid =
    key !== undefined &&
    key.length > 0 &&
    typeof key[key.length - 1] === 'string' &&
    key.every((v) => v === null || typeof v !== 'object');
  if (!valid)
    throw new TwingraphError(
      'InvalidCursor',
      `'${String(cursor).slice(0, 80)}' is not a cursor this query returned; start again without it.`,
    );
  if (ordering !== undefined && (value as unknown[])[0] !== ordering) {
    throw new TwingraphError('InvalidCursor', 'The cursor was made for a different ordering; start again without it.');
  }
  return key as CursorKey;
}

/** Checks that a cursor has one value per sort key plus the id, i.e. that it came from the same ordering. */
export function checkCursorFits(cursor: CursorKey | undefined, orderBy: readonly OrderBy[]): void {
  if (cursor && cursor.length !== orderBy.length + 1) {
    throw new TwingraphError('InvalidCursor', 'The cursor was made for a different ordering; start again without it.');
  }
}

/** Reads the value at a path of a JSON document as the compilers see it: primitives only, null when missing. */
export function valueAt(doc: unknown, path: PropertyPath): JsonPrimitive {
  let v: unknown = doc;
  for (const segment of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    v = (v as Record<string, unknown>)[segment];
  }
  return v === undefined || (v !== null && typeof v === 'object') ? null : (v as JsonPrimitive);
}

/**
 * Builds the page result from rows read with one extra row (to know whether more exist). The cursors are
 * encoded when first read (`cursors`, `startCursor`, `endCursor` are getters): most pages are shown, not
 * paged on, and a cursor is a JSON text and a base64 encoding per item.
 */
export function toPage<T>(rows: T[], plan: PagePlan, keyOf: (item: T) => CursorKey, hadCursor: boolean): Page<T> {
  const more = rows.length > plan.limit;
  const items = more ? rows.slice(0, plan.limit) : rows;
  if (plan.backward) items.reverse();
  let cursors: string[] | undefined;
  const cursorAt = (i: number): string | null =>
    cursors ? (cursors[i] ?? null) : i >= 0 && i < items.length ? encodeCursor(keyOf(items[i]), plan.ordering) : null;
  return {
    items,
    get cursors(): string[] {
      return (cursors ??= items.map((item) => encodeCursor(keyOf(item), plan.ordering)));
    },
    set cursors(value: string[]) {
      cursors = value;
    },
    pageInfo: {
      hasNextPage: plan.backward ? hadCursor : more,
      hasPreviousPage: plan.backward ? more : hadCursor,
      get startCursor(): string | null {
        return cursorAt(0);
      },
      get endCursor(): string | null {
        return cursorAt(items.length - 1);
      },
    },
  };
}

/** How one query language writes the comparisons a keyset condition is made of. */
export interface KeysetDialect {
  readonly compare: (expr: string, op: '<' | '>' | '=', param: string) => string;
  readonly falseValue: string;
}

/**
 * The condition for rows strictly past a cursor, in the (possibly reversed) ordering. A missing value counts
 * as greater than every value, which is what "last ascending, first descending" means. `keys` are the sort
 * expressions with their directions, `$dtId`'s last; `bind` turns a cursor value into a parameter.
 */
export function keysetPredicate(
  keys: readonly { readonly expr: string; readonly ascending: boolean }[],
  cursor: CursorKey,
  bind: (value: JsonPrimitive) => string,
  dialect: KeysetDialect,
): string {
  const alternatives: string[] = [];
  const equalSoFar: string[] = [];
  keys.forEach(({ expr, ascending }, i) => {
    const value = cursor[i];
    const c = value === null ? undefined : bind(value);
    // The last key is `$dtId`, which every twin has: no "missing" alternative, which would also keep an index
    // on the id from serving the range (SQLite then reads every twin of the model up to the cursor).
    const neverMissing = i === keys.length - 1;
    let after: string | undefined;
    if (ascending)
      after =
        c === undefined
          ? undefined
          : neverMissing
            ? dialect.compare(expr, '>', c)
            : `(${dialect.compare(expr, '>', c)} OR ${expr} IS NULL)`;
    else after = c === undefined ? `${expr} IS NOT NULL` : dialect.compare(expr, '<', c);
    if (after) alternatives.push([...equalSoFar, after].join(' AND '));
    equalSoFar.push(c === undefined ? `${expr} IS NULL` : dialect.compare(expr, '=', c));
  });
  return alternatives.length === 0 ? dialect.falseValue : `(${alternatives.map((a) => `(${a})`).join(' OR ')})`;
}
