/**
 * The store's reads for one operation, each refused once the operation's deadline has passed
 * (TWINGRAPH_OPERATION_TIMEOUT_MS): the fields still to resolve then fail fast with OPERATION_TIMEOUT instead of
 * holding the store. A read already running, or a resolver computing, runs to its end.
 *
 * A class over the reads an operation's context makes (./request-context.ts), rather than a Proxy around the
 * whole store: every query and mutation gets one, and a Proxy's trap made a new function at every read.
 */
import { TwingraphError } from '../errors';
import type {
  ChangeLog,
  MetricAggregation,
  MetricRange,
  MetricStore,
  ModelStore,
  ReadChangesOptions,
  TwinReads,
} from '../store/port';
import type { Hop, NeighborQuery, Page, Traversal, TwinQuery } from '../store/query';
import type {
  ChangeEntry,
  MetricBucket,
  MetricPoint,
  MetricSeriesKey,
  ModelRecord,
  Relationship,
  Twin,
} from '../store/types';

/** The reads a context makes: the store itself when there is no deadline. */
export type ContextReads = Pick<
  TwinReads & MetricStore & ModelStore & ChangeLog,
  | 'getTwins'
  | 'queryTwins'
  | 'traverse'
  | 'neighbors'
  | 'neighborCounts'
  | 'getRelationship'
  | 'latestMetrics'
  | 'readMetrics'
  | 'aggregateMetrics'
  | 'getModel'
  | 'readChanges'
>;

type Reads = ContextReads;

class ReadsUntil implements Reads {
  constructor(
    private readonly store: Reads,
    private readonly deadline: number,
  ) {}

  /** A rejection once the deadline has passed, else undefined. */
  private late(): Promise<never> | undefined {
    if (Date.now() <= this.deadline) return undefined;
    return Promise.reject(
      new TwingraphError(
        'OPERATION_TIMEOUT',
        'The operation ran out of time (TWINGRAPH_OPERATION_TIMEOUT_MS): ask for less, or page through it.',
      ),
    );
  }

  getTwins(ids: readonly string[]): Promise<(Twin | undefined)[]> {
    return this.late() ?? this.store.getTwins(ids);
  }
  queryTwins(query: TwinQuery): Promise<Page<Twin>> {
    return this.late() ?? this.store.queryTwins(query);
  }
  traverse(traversal: Traversal): Promise<Page<Twin>> {
    return this.late() ?? this.store.traverse(traversal);
  }
  neighbors(query: NeighborQuery): Promise<{ twin: Twin; relationship: Relationship }[][]> {
    return this.late() ?? this.store.neighbors(query);
  }
  neighborCounts(ids: readonly string[], hop: Hop): Promise<number[]> {
    return this.late() ?? this.store.neighborCounts(ids, hop);
  }
  getRelationship(sourceId: string, relationshipId: string): Promise<Relationship> {
    return this.late() ?? this.store.getRelationship(sourceId, relationshipId);
  }
  latestMetrics(series: readonly MetricSeriesKey[]): Promise<(MetricPoint | undefined)[]> {
    return this.late() ?? this.store.latestMetrics(series);
  }
  readMetrics(range: MetricRange): Promise<MetricPoint[]> {
    return this.late() ?? this.store.readMetrics(range);
  }
  aggregateMetrics(request: MetricAggregation): Promise<MetricBucket[][]> {
    return this.late() ?? this.store.aggregateMetrics(request);
  }
  getModel(id: string, options?: { includeDefinition?: boolean }): Promise<ModelRecord> {
    return this.late() ?? this.store.getModel(id, options);
  }
  readChanges(options: ReadChangesOptions): Promise<ChangeEntry[]> {
    return this.late() ?? this.store.readChanges(options);
  }
}

/** `store`'s reads, refused after `deadline` (epoch ms); the store itself when the deadline is infinite. */
export function readsUntil(store: Reads, deadline: number): Reads {
  return deadline === Number.POSITIVE_INFINITY ? store : new ReadsUntil(store, deadline);
}
