/**
 * Checks and shapes of read requests that both adapters share: traversals (which are relationship filters
 * read backwards), neighbour pages, metric ranges and windows.
 */
import { modelNotFound, TwingraphError } from '../errors';
import {
  checkFilter,
  checkOrderBy,
  checkRelationshipName,
  MAX_HOPS,
  MAX_PAGE_SIZE,
  type Filter,
  type Hop,
  type NeighborQuery,
  type OrderBy,
  type Traversal,
  type TwinQuery,
} from './query';
import type { MetricRange, MetricAggregation, PruneOptions } from './port';
import type { MetricBucket, ModelRecord } from './types';

export const MAX_IDS = 10_000;
export const MAX_WINDOWS = 100_000;

export function checkIds(ids: readonly string[]): void {
  if (!Array.isArray(ids)) throw new TwingraphError('InvalidArgument', 'Ids are given as a list.');
  if (ids.length > MAX_IDS) throw new TwingraphError('LimitExceeded', `At most ${MAX_IDS} ids at once.`);
}

function checkHop(hop: Hop): void {
  if (hop.direction !== 'out' && hop.direction !== 'in')
    throw new TwingraphError('InvalidArgument', "A hop's direction is 'out' or 'in'.");
  hop.names?.forEach(checkRelationshipName);
  if (hop.where) checkFilter(hop.where);
  if (hop.edge) checkFilter(hop.edge);
}

export function checkTraversal(traversal: Traversal): void {
  checkFilter(traversal.from);
  if (!Array.isArray(traversal.hops) || traversal.hops.length === 0 || traversal.hops.length > MAX_HOPS) {
    throw new TwingraphError('InvalidArgument', `A traversal has 1 to ${MAX_HOPS} hops.`);
  }
  traversal.hops.forEach(checkHop);
}

/** Twins one hop from twins matching `from`, that match the hop's own filter. */
export function hopFilter(hop: Hop, from: Filter): Filter {
  const reach: Filter = {
    related: {
      direction: hop.direction === 'out' ? 'in' : 'out',
      ...(hop.names && { names: hop.names }),
      quantifier: 'some',
      where: from,
      ...(hop.edge && { edge: hop.edge }),
    },
  };
  return hop.where ? { and: [reach, hop.where] } : reach;
}

/** A traversal as a plain query: the last hop's twins are those with a path back to the start set. */
export function traversalQuery(traversal: Traversal): TwinQuery {
  let reached: Filter = traversal.from;
  for (const hop of traversal.hops) reached = hopFilter(hop, reached);
  const { from: _from, hops: _hops, ...page } = traversal;
  return { ...page, where: traversal.where ? { and: [reached, traversal.where] } : reached };
}

export function checkNeighborQuery(query: NeighborQuery): readonly OrderBy[] {
  checkIds(query.ids);
  checkHop(query.hop);
  if (!Number.isInteger(query.first) || query.first < 0 || query.first > MAX_PAGE_SIZE) {
    throw new TwingraphError('InvalidArgument', `'first' is an integer from 0 to ${MAX_PAGE_SIZE}.`);
  }
  return checkOrderBy(query.orderBy);
}

function parseTime(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms))
    throw new TwingraphError('InvalidArgument', `'${name}' must be an ISO 8601 time; got ${JSON.stringify(value)}.`);
  return ms;
}

/** The range in epoch milliseconds: [from, to). */
export function checkMetricRange(range: MetricRange): { from: number; to: number } {
  const from = parseTime(range.from, 'from', -8.64e15);
  const to = parseTime(range.to, 'to', 8.64e15);
  if (range.limit !== undefined && (!Number.isInteger(range.limit) || range.limit < 1)) {
    throw new TwingraphError('InvalidArgument', "'limit' is a positive integer.");
  }
  return { from, to };
}

export function checkAggregation(request: MetricAggregation): { from: number; to: number; windowMs: number } {
  const from = parseTime(request.from, 'from', NaN);
  const to = parseTime(request.to, 'to', NaN);
  if (!(to > from)) throw new TwingraphError('InvalidArgument', "'to' must be later than 'from'.");
  const windowMs = request.windowMs ?? to - from;
  if (!Number.isInteger(windowMs) || windowMs < 1)
    throw new TwingraphError('InvalidArgument', 'A window is a whole, positive number of milliseconds.');
  if ((to - from) / windowMs > MAX_WINDOWS) {
    throw new TwingraphError(
      'LimitExceeded',
      `That range holds more than ${MAX_WINDOWS} windows: choose a longer window or a shorter range.`,
    );
  }
  if (!Array.isArray(request.series) || request.series.length > MAX_IDS)
    throw new TwingraphError('InvalidArgument', `Ask for 0 to ${MAX_IDS} series.`);
  return { from, to, windowMs };
}

export const metricWindows = {
  /** A window from an aggregate row (`b`, count, min, max, avg, sum, lastTs); `lastValue` reads the value at lastTs. */
  bucket(
    from: number,
    windowMs: number,
    row: Record<string, unknown>,
    lastValue: (ts: number) => number,
  ): MetricBucket {
    const lastTs = row.lastTs as number;
    return {
      start: new Date(from + (row.b as number) * windowMs).toISOString(),
      count: row.count as number,
      min: row.min as number,
      max: row.max as number,
      avg: row.avg as number,
      sum: row.sum as number,
      last: lastValue(lastTs),
      lastTime: new Date(lastTs).toISOString(),
    };
  },
};

/**
 * The first `seq` a prune keeps. Entries go only below both bounds (older than `before` and beyond the newest
 * `keepLast`), and never one still in the outbox: the mirror has yet to replay it.
 */
export function pruneCutoff(
  options: PruneOptions,
  state: { latest: number; firstSince: number | undefined; oldestInOutbox: number | undefined },
): number {
  const bounds: number[] = [];
  if (options.before !== undefined) bounds.push(state.firstSince ?? state.latest + 1);
  if (options.keepLast !== undefined) bounds.push(state.latest - options.keepLast + 1);
  const cutoff = bounds.length === 0 ? 0 : Math.min(...bounds);
  return state.oldestInOutbox === undefined ? cutoff : Math.min(cutoff, state.oldestInOutbox);
}

/** ADT's `dependenciesFor`: the given models and every model they reference, transitively, by id. */
export function dependencyClosure(
  ids: readonly string[],
  lookup: (id: string) => ModelRecord | undefined,
): ModelRecord[] {
  const wanted = new Map<string, ModelRecord>();
  const queue = [...ids];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (wanted.has(id)) continue;
    const model = lookup(id);
    if (!model) throw modelNotFound(id);
    wanted.set(id, model);
    queue.push(...model.dependencies);
  }
  return [...wanted.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
