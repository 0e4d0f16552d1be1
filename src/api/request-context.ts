/**
 * The per-operation GraphContext: DataLoaders over the store, so that every level of a nested query is one
 * batched store call whatever the number of twins (N+1 avoided), and the services for writes.
 */
import DataLoader from 'dataloader';
import { actorOf, OPEN_ACCESS, type Identity } from '../access/identity';
import type { GraphContext } from '../graphql/graph-context';
import { TwingraphError } from '../errors';
import type { ChangeFeed } from '../events';
import type { ModelService, ModelSnapshot } from '../services/models';
import type { TwinService } from '../services/twins';
import type { MetricStore, TwinStore } from '../store/port';
import type { Hop, OrderBy } from '../store/query';
import type { MetricSeriesKey, ModelRecord, Relationship, Twin } from '../store/types';
import { readsUntil, type ContextReads } from './deadline-reads';
import { scopedContext } from './scope';

export interface Services {
  readonly store: TwinStore;
  readonly models: ModelService;
  readonly twins: TwinService;
  readonly feed: ChangeFeed;
  /** The running features' per-request services, by name (GraphContext.features). */
  readonly features: Readonly<Record<string, unknown>>;
  /** The features' own health (a lost MQTT broker, say), for /readyz; ready when absent. */
  readonly featureHealth?: () => { readonly ready: boolean; readonly features: Readonly<Record<string, unknown>> };
  /** The NATS commit bus's health, when replicas share one (TWINGRAPH_NATS_URL), for /readyz. */
  readonly busHealth?: () => { readonly connected: boolean; readonly disconnectedSince?: number };
}

/** The most change-log entries one `changes` read returns (the store's limit per readChanges). */
const MAX_CHANGES_READ = 10_000;

/** Neighbour lists fetched for the relationship listings (relationships / incomingRelationships fields). */
const LISTING_LIMIT = 1000;
const NO_ORDER: readonly OrderBy[] = Object.freeze([]);

/** Groups keys that share everything but the twin id into one store call per group. */
function batchedByGroup<K extends { id: string; group: string }, V>(
  load: (ids: string[], sample: K) => Promise<V[]>,
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const groups = new Map<string, K[]>();
      for (const key of keys) {
        if (!groups.has(key.group)) groups.set(key.group, []);
        groups.get(key.group)!.push(key);
      }
      const results = new Map<K, V>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const values = await load(
            group.map((k) => k.id),
            group[0],
          );
          group.forEach((k, i) => results.set(k, values[i]));
        }),
      );
      return keys.map((k) => results.get(k)!);
    },
    { cacheKeyFn: (k) => `${k.group}\n${k.id}`, maxBatchSize: 5000 },
  );
}

/**
 * The JSON of hops and orders the schema froze (a connection's plain hops, made once per field, and a filtered
 * or ordered one's, once per operation: ../graphql/generate/relationships.ts), by object: a traversal page asks
 * its hop once per parent twin, and each ask needs its batch's group key.
 */
const frozenKeys = new WeakMap<object, string>();
function keyOf(value: object): string {
  if (!Object.isFrozen(value)) return JSON.stringify(value);
  let key = frozenKeys.get(value);
  if (key === undefined) frozenKeys.set(value, (key = JSON.stringify(value)));
  return key;
}

/** What a neighbour page's batch shares besides the twin id: its hop, size and order. */
function neighborGroup(hop: Hop, first: number, orderBy: readonly OrderBy[]): string {
  return `${keyOf(hop)}\n${first}\n${orderBy.length === 0 ? '' : keyOf(orderBy)}`;
}

/** Model records by id, built once per snapshot (RealEstateCore has 767 of them; requests are many). */
const recordMaps = new WeakMap<ModelSnapshot, ReadonlyMap<string, ModelRecord>>();
function recordsById(snapshot: ModelSnapshot): ReadonlyMap<string, ModelRecord> {
  let map = recordMaps.get(snapshot);
  if (!map) recordMaps.set(snapshot, (map = new Map(snapshot.records.map((r) => [r.id, r]))));
  return map;
}

/**
 * The context of one operation run by `identity`: narrowed to its models when it has a scope (./scope.ts).
 */
export function createContext(
  services: Services,
  identity: Identity = OPEN_ACCESS,
  deadline: number = Number.POSITIVE_INFINITY,
): GraphContext {
  const context = unscopedContext(services, identity, deadline);
  return identity.models ? scopedContext(context, identity.models, services.models.current.models) : context;
}

/** A neighbour page's key: everything but the twin id goes into `group` (see batchedByGroup). */
type NeighborKey = { id: string; group: string; hop: Hop; first: number; orderBy: readonly OrderBy[] };
type CountKey = { id: string; group: string; hop: Hop };
type LatestPoint = ReturnType<MetricStore['latestMetrics']> extends Promise<(infer P)[]> ? P : never;

/**
 * The DataLoaders of one operation, each made when first used: most operations read through one of them (a
 * twin by id, through `twins`) and some through none, while every operation gets a context.
 */
class OperationLoaders {
  private twinLoader: DataLoader<string, Twin | undefined> | undefined;
  private neighborLoader: DataLoader<NeighborKey, { twin: Twin; relationship: Relationship }[], string> | undefined;
  private countLoader: DataLoader<CountKey, number, string> | undefined;
  private latestLoader: DataLoader<MetricSeriesKey, LatestPoint, string> | undefined;

  constructor(private readonly store: ContextReads) {}

  get twins(): DataLoader<string, Twin | undefined> {
    return (this.twinLoader ??= new DataLoader<string, Twin | undefined>((ids) => this.store.getTwins(ids), {
      maxBatchSize: 5000,
    }));
  }

  get neighbors(): DataLoader<NeighborKey, { twin: Twin; relationship: Relationship }[], string> {
    return (this.neighborLoader ??= batchedByGroup<NeighborKey, { twin: Twin; relationship: Relationship }[]>(
      (ids, k) => this.store.neighbors({ ids, hop: k.hop, first: k.first, orderBy: k.orderBy }),
    ));
  }

  get counts(): DataLoader<CountKey, number, string> {
    return (this.countLoader ??= batchedByGroup<CountKey, number>((ids, k) => this.store.neighborCounts(ids, k.hop)));
  }

  get latest(): DataLoader<MetricSeriesKey, LatestPoint, string> {
    return (this.latestLoader ??= new DataLoader<MetricSeriesKey, LatestPoint, string>(
      (keys) => this.store.latestMetrics(keys),
      { cacheKeyFn: (k) => `${k.twinId}\n${k.name}` },
    ));
  }

  /** Forgets everything read (after a write), in the loaders made so far. */
  clearAll(): void {
    this.twinLoader?.clearAll();
    this.neighborLoader?.clearAll();
    this.countLoader?.clearAll();
    this.latestLoader?.clearAll();
  }
}

function unscopedContext(services: Services, identity: Identity, deadline: number): GraphContext {
  // Reads only: every write goes through the services, which validate it.
  const store = readsUntil(services.store, deadline);
  const loaders = new OperationLoaders(store);
  const written = async <T>(write: Promise<T>): Promise<T> => {
    try {
      return await write;
    } finally {
      loaders.clearAll();
    }
  };
  const snapshot = services.models.current;
  const modelsById = recordsById(snapshot);
  const actor = actorOf(identity);
  return {
    identity,
    twins: {
      get: (id) => loaders.twins.load(id),
      query: (query) => store.queryTwins(query),
      traverse: (traversal) => store.traverse(traversal),
      neighbors: (id, hop, first, orderBy) =>
        loaders.neighbors.load({ id, group: neighborGroup(hop, first, orderBy), hop, first, orderBy }),
      neighborCount: (id, hop) => loaders.counts.load({ id, group: keyOf(hop), hop }),
      relationship: (sourceId, relationshipId) =>
        store
          .getRelationship(sourceId, relationshipId)
          .catch((e) =>
            e.code === 'RelationshipNotFound' || e.code === 'DigitalTwinNotFound' ? undefined : Promise.reject(e),
          ),
      relationships: async (twinId, direction, name) => {
        const hop: Hop = { direction, ...(name && { names: [name] }) };
        const found = await loaders.neighbors.load({
          id: twinId,
          group: neighborGroup(hop, LISTING_LIMIT, NO_ORDER),
          hop,
          first: LISTING_LIMIT,
          orderBy: NO_ORDER,
        });
        return found.map((n) => n.relationship);
      },
    },
    metrics: {
      latest: (key) => loaders.latest.load(key),
      range: (key, options) => store.readMetrics({ ...key, ...options }),
      aggregate: async (key, options) => (await store.aggregateMetrics({ series: [key], ...options }))[0],
    },
    models: {
      newestInfo: () => services.models.current.info,
      list: async () => snapshot.records.slice(),
      get: async (id) => {
        if (!modelsById.has(id)) return undefined;
        return store
          .getModel(id, { includeDefinition: true })
          .catch((e) => (e.code === 'ModelNotFound' ? undefined : Promise.reject(e)));
      },
    },
    changes: {
      // The store clamps a read to 1…10,000 entries; a client asking for 0, or for more than one read gives, is told.
      read: async (after, first) => {
        if (!Number.isSafeInteger(first) || first < 0 || first > MAX_CHANGES_READ)
          throw new TwingraphError('InvalidArgument', `'first' is an integer from 0 to ${MAX_CHANGES_READ}.`);
        return first === 0 ? [] : store.readChanges({ after, limit: first });
      },
      subscribe: async ({ since, filter }) => {
        const subscription = services.feed.subscribe({ ...(since !== undefined && { since }), filter });
        await subscription.ready();
        return subscription;
      },
    },
    // Writes forget what this operation has read, so that fields after a mutation see its effect; each
    // records this operation's caller as its actor in the change log.
    write: {
      create: (id, modelId, body, options) => written(services.twins.create(id, modelId, body, { ...options, actor })),
      patch: (id, patch, options) => written(services.twins.patch(id, patch, { ...options, actor })),
      update: (id, modelId, makePatch, options) =>
        written(services.twins.update(id, modelId, makePatch, { ...options, actor })),
      delete: (id, options) => written(services.twins.delete(id, { ...options, actor })),
      putRelationship: (sourceId, id, relationship, options) =>
        written(services.twins.putRelationship(sourceId, id, relationship, { ...options, actor })),
      patchRelationship: (sourceId, id, patch, options) =>
        written(services.twins.patchRelationship(sourceId, id, patch, { ...options, actor })),
      deleteRelationship: (sourceId, id, options) =>
        written(services.twins.deleteRelationship(sourceId, id, { ...options, actor })),
      patchTwins: (items) => written(services.twins.patchTwins(items, { actor })),
      upsertTwins: (items) => written(services.twins.upsertTwins(items, { actor })),
      upsertRelationships: (items) => written(services.twins.upsertRelationships(items, { actor })),
      recordMetrics: (points) => written(services.twins.recordMetrics(points, { actor })),
      invokeCommand: (twinId, modelId, command, request) =>
        services.twins.invokeCommand(twinId, modelId, command, request, { actor }),
    },
    modelAdmin: {
      upload: (documents) =>
        services.models.upload(
          documents.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))),
          { actor },
        ),
      decommission: (id) => services.models.decommission(id, { actor }),
      delete: (id) => services.models.delete(id, { actor }),
    },
    features: services.features,
  };
}
