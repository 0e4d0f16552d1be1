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
import type { ChangeLog, MetricStore, ModelStore, TwinReads, TwinStore } from '../store/port';
import type { Hop, OrderBy } from '../store/query';
import type { MetricSeriesKey, ModelRecord, Relationship, Twin } from '../store/types';
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

/**
 * The store's reads for one operation, each refused once the operation's deadline has passed
 * (TWINGRAPH_OPERATION_TIMEOUT_MS): the fields still to resolve then fail fast with OPERATION_TIMEOUT
 * instead of holding the store. A read already running, or a resolver computing, runs to its end.
 */
function withDeadline<S extends object>(store: S, deadline: number): S {
  if (deadline === Number.POSITIVE_INFINITY) return store;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (Date.now() > deadline)
          return Promise.reject(
            new TwingraphError(
              'OPERATION_TIMEOUT',
              'The operation ran out of time (TWINGRAPH_OPERATION_TIMEOUT_MS): ask for less, or page through it.',
            ),
          );
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function unscopedContext(services: Services, identity: Identity, deadline: number): GraphContext {
  // Reads only: every write goes through the services, which validate it.
  const store: TwinReads & MetricStore & ModelStore & ChangeLog = withDeadline(services.store, deadline);
  const twins = new DataLoader<string, Twin | undefined>((ids) => store.getTwins(ids), { maxBatchSize: 5000 });
  type NeighborKey = { id: string; group: string; hop: Hop; first: number; orderBy: readonly OrderBy[] };
  const neighbors = batchedByGroup<NeighborKey, { twin: Twin; relationship: Relationship }[]>((ids, k) =>
    store.neighbors({ ids, hop: k.hop, first: k.first, orderBy: k.orderBy }),
  );
  type CountKey = { id: string; group: string; hop: Hop };
  const counts = batchedByGroup<CountKey, number>((ids, k) => store.neighborCounts(ids, k.hop));
  const latest = new DataLoader<
    MetricSeriesKey,
    ReturnType<MetricStore['latestMetrics']> extends Promise<(infer P)[]> ? P : never,
    string
  >((keys) => store.latestMetrics(keys), {
    cacheKeyFn: (k) => `${k.twinId}\n${k.name}`,
  });
  const written = async <T>(write: Promise<T>): Promise<T> => {
    try {
      return await write;
    } finally {
      twins.clearAll();
      neighbors.clearAll();
      counts.clearAll();
      latest.clearAll();
    }
  };
  const snapshot = services.models.current;
  const modelsById = recordsById(snapshot);
  const actor = actorOf(identity);
  return {
    identity,
    twins: {
      get: (id) => twins.load(id),
      query: (query) => store.queryTwins(query),
      traverse: (traversal) => store.traverse(traversal),
      neighbors: (id, hop, first, orderBy) =>
        neighbors.load({ id, group: JSON.stringify([hop, first, orderBy]), hop, first, orderBy }),
      neighborCount: (id, hop) => counts.load({ id, group: JSON.stringify(hop), hop }),
      relationship: (sourceId, relationshipId) =>
        store
          .getRelationship(sourceId, relationshipId)
          .catch((e) =>
            e.code === 'RelationshipNotFound' || e.code === 'DigitalTwinNotFound' ? undefined : Promise.reject(e),
          ),
      relationships: async (twinId, direction, name) => {
        const hop: Hop = { direction, ...(name && { names: [name] }) };
        const found = await neighbors.load({
          id: twinId,
          group: JSON.stringify([hop, LISTING_LIMIT, []]),
          hop,
          first: LISTING_LIMIT,
          orderBy: [],
        });
        return found.map((n) => n.relationship);
      },
    },
    metrics: {
      latest: (key) => latest.load(key),
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
