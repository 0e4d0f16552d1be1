/**
 * What the compiled schema's resolvers need from the layers below, per request: batched queries (DataLoaders,
 * so that a nested query costs a fixed number of store round trips) and the services' writes. The API stage
 * builds one of these per operation; the graphql stage depends only on this interface. Feature plugins find
 * their own per-request services under `features` (plugin.ts).
 */
import type { Identity } from '../access/identity';
import type { SchemaInfo } from './schema-info';
import type {
  AppendMetricsResult,
  DeleteTwinOptions,
  IfMatch,
  IfNoneMatch,
  RelationshipWrite,
  TwinPatchWrite,
  TwinWrite,
} from '../store/port';
import type { Hop, OrderBy, Page, Traversal, TwinQuery } from '../store/query';
import type {
  ChangeEntry,
  JsonObject,
  JsonPatch,
  JsonValue,
  MetricBucket,
  MetricPoint,
  MetricSeriesKey,
  ModelRecord,
  Relationship,
  RelationshipInput,
  Twin,
} from '../store/types';

export interface TwinQueries {
  /** One twin by id (batched per request); undefined when it does not exist. */
  get(id: string): Promise<Twin | undefined>;
  query(query: TwinQuery): Promise<Page<Twin>>;
  traverse(traversal: Traversal): Promise<Page<Twin>>;
  /**
   * The first `first` twins one hop from `id` (batched with every other twin asking the same hop); each one's
   * relationship may be left undefined when the hop says `withRelationships: false`.
   */
  neighbors(
    id: string,
    hop: Hop,
    first: number,
    orderBy: readonly OrderBy[],
  ): Promise<{ twin: Twin; relationship: Relationship }[]>;
  /** How many twins one hop from `id` (batched). */
  neighborCount(id: string, hop: Hop): Promise<number>;
  relationship(sourceId: string, relationshipId: string): Promise<Relationship | undefined>;
  relationships(twinId: string, direction: 'out' | 'in', name?: string): Promise<Relationship[]>;
}

export interface MetricQueries {
  /** The newest point of a series (batched). */
  latest(key: MetricSeriesKey): Promise<MetricPoint | undefined>;
  range(
    key: MetricSeriesKey,
    options: { from?: string; to?: string; limit?: number; descending?: boolean },
  ): Promise<MetricPoint[]>;
  aggregate(key: MetricSeriesKey, options: { from: string; to: string; windowMs?: number }): Promise<MetricBucket[]>;
}

export interface ModelQueries {
  list(options?: { includeDefinition?: boolean }): Promise<ModelRecord[]>;
  get(id: string): Promise<ModelRecord | undefined>;
  /** The info of the newest schema (which may be newer than the one running the operation). */
  newestInfo(): SchemaInfo | undefined;
}

export interface TwinCommands {
  /** Creates (or, without ifNoneMatch, replaces) a twin of a model, validating its body against the model. */
  create(id: string, modelId: string, body: JsonObject, options?: IfNoneMatch): Promise<Twin>;
  /** Applies a JSON Patch, validating the result against the twin's model. */
  patch(id: string, patch: JsonPatch, options?: IfMatch): Promise<Twin>;
  /**
   * Updates a twin through one of its models (its own or one it extends): `makePatch` turns the current state
   * into the JSON Patch to apply; an empty patch writes nothing and answers the current state.
   */
  update(id: string, modelId: string, makePatch: (current: Twin) => JsonPatch, options?: IfMatch): Promise<Twin>;
  delete(id: string, options?: DeleteTwinOptions): Promise<void>;
  putRelationship(
    sourceId: string,
    relationshipId: string,
    relationship: RelationshipInput,
    options?: IfNoneMatch,
  ): Promise<Relationship>;
  patchRelationship(
    sourceId: string,
    relationshipId: string,
    patch: JsonPatch,
    options?: IfMatch,
  ): Promise<Relationship>;
  deleteRelationship(sourceId: string, relationshipId: string, options?: IfMatch): Promise<void>;
  /**
   * Batches for integrations and imports, each one transaction: every item checked as its single write would
   * be, then all written, or none when any is refused (the error lists every refused item by index).
   */
  patchTwins(items: readonly TwinPatchWrite[]): Promise<Twin[]>;
  /** ADT's PUT of many twins (the model in each body's $metadata.$model), each with its own conditions. */
  upsertTwins(items: readonly TwinWrite[]): Promise<Twin[]>;
  upsertRelationships(items: readonly RelationshipWrite[]): Promise<Relationship[]>;
  recordMetrics(points: readonly MetricPoint[]): Promise<AppendMetricsResult>;
  /** Records a command of `modelId` (which the twin's model is or extends) as a Command.Invoke change. */
  invokeCommand(twinId: string, modelId: string, command: string, request: JsonValue | undefined): Promise<ChangeEntry>;
}

export interface ModelCommands {
  /** Validates DTDL documents against the models already known, stores them, and swaps in the new schema. */
  upload(documents: readonly (string | JsonObject)[]): Promise<ModelRecord[]>;
  decommission(id: string): Promise<ModelRecord>;
  delete(id: string): Promise<void>;
}

export interface ChangeQueries {
  read(after: number, first: number): Promise<ChangeEntry[]>;
  /**
   * Committed changes that pass `filter`, after `since` (replayed from the log) or from now, then live. Rejects
   * (ChangesPruned, InvalidArgument) before anything is delivered when `since` cannot be served.
   */
  subscribe(options: { since?: number; filter: (change: ChangeEntry) => boolean }): Promise<AsyncIterable<ChangeEntry>>;
}

export interface GraphContext {
  /** Who runs the operation (OPEN_ACCESS when authentication is off). */
  readonly identity: Identity;
  readonly twins: TwinQueries;
  readonly changes: ChangeQueries;
  readonly metrics: MetricQueries;
  readonly models: ModelQueries;
  readonly write: TwinCommands;
  readonly modelAdmin: ModelCommands;
  /** Each running feature's per-request services, by plugin name (see plugin.ts: featureContext). */
  readonly features: Readonly<Record<string, unknown>>;
}
