/**
 * The store port: what the services, the change feed, the mirror and the API depend on, kept by the embedded
 * SQLite adapter and the Neo4j adapter alike (test/store/contract holds the suite both pass). It is cut into
 * roles, one interface each, so that a consumer names only the part it uses (the change feed a ChangeLog, the
 * mirror's worker an Outbox and the reads its repairs need); TwinStore is all of them, which is what an adapter
 * implements and what opening a store gives.
 *
 * Rules every adapter keeps:
 * - Every write is one transaction with its change-log entries (contiguous `seq`) and, when the store was
 *   opened with `outbox: true`, its outbox entries. A failure leaves nothing behind.
 * - `ifMatch` is compared with the current `$etag` inside that transaction; a mismatch is
 *   `PreconditionFailed` and changes nothing. `'*'` matches any existing entity.
 * - Ids and values are parameters, never spliced into SQL or Cypher.
 * - Payloads were validated against their model before they got here (by the services); the store checks
 *   only what it must to stay consistent: shapes, references, ETags and ADT's model rules.
 */
import type { Hop, NeighborQuery, Page, PropertyPath, Traversal, TwinQuery } from './query';
import type {
  ChangeEntry,
  CommandOutcomeRecord,
  JsonPatch,
  JsonValue,
  MetricBucket,
  MetricPoint,
  MetricSeriesKey,
  ModelInput,
  ModelRecord,
  OutboxEntry,
  OutboxStats,
  Relationship,
  RelationshipInput,
  Twin,
  TwinInput,
} from './types';

/**
 * Who asks for a write: an API key's name, a token's subject, a device. The change-log entries the write
 * makes record it. Passed along explicitly from the transport (the GraphQL context, the MQTT gateway):
 * AsyncLocalStorage would carry it implicitly, but on Node 20 its async hook taxes every promise of the
 * process, about a tenth of a small request's time.
 */
export interface WriteOptions {
  readonly actor?: string;
}

export interface IfMatch extends WriteOptions {
  /** The `$etag` the caller last read, or `'*'`: the write happens only if it still matches. */
  readonly ifMatch?: string;
}

export interface IfNoneMatch extends WriteOptions {
  /** `'*'`: create only; an existing entity is `PreconditionFailed`. */
  readonly ifNoneMatch?: '*';
}

export interface DeleteTwinOptions extends IfMatch {
  /** Delete the twin's incoming and outgoing relationships too, instead of refusing with `RelationshipsNotDeleted`. */
  readonly cascade?: boolean;
}

/**
 * A twin of a batch write. `ifMatch` and `ifNoneMatch` are this item's own conditions, checked like the
 * options of a single write (inside the transaction), beside the batch's options: both must hold.
 */
export interface TwinWrite {
  readonly id: string;
  readonly twin: TwinInput;
  /** Replace only the twin with this `$etag` (`'*'`: any existing twin); a missing twin is `DigitalTwinNotFound`. */
  readonly ifMatch?: string;
  /** `'*'`: create only; an existing twin is `PreconditionFailed`. */
  readonly ifNoneMatch?: '*';
}

/** A JSON Patch of a batch, with its own `ifMatch` (checked in the transaction, as patchTwin's). */
export interface TwinPatchWrite {
  readonly id: string;
  readonly patch: JsonPatch;
  readonly ifMatch?: string;
}

export interface PatchTwinOptions extends IfMatch {
  /**
   * Called inside the transaction with the patched twin, before it is written: what it throws refuses the
   * write. The services validate there the very state that will be stored (as PatchTwinsOptions' `check`).
   */
  readonly check?: (twin: Twin) => void;
}

export interface PatchRelationshipOptions extends IfMatch {
  /**
   * Called inside the transaction with the patched relationship and its ends' models (the target's undefined
   * when it is gone), before it is written: what it throws refuses the write. The services validate there.
   */
  readonly check?: (relationship: Relationship, sourceModel: string, targetModel: string | undefined) => void;
}

export interface PatchTwinsOptions extends WriteOptions {
  /**
   * Called inside the transaction with each patched twin, before anything is written: what it throws refuses
   * that item. The services validate there the very state that will be stored, against its model, so that
   * no other writer can get in between (the store itself knows no validators).
   */
  readonly check?: (twin: Twin, index: number) => void;
}

/** A relationship of a batch write, with its own conditions (as TwinWrite's). */
export interface RelationshipWrite {
  readonly sourceId: string;
  readonly relationshipId: string;
  readonly relationship: RelationshipInput;
  /** Replace only the relationship with this `$etag` (`'*'`: any); a missing one is `RelationshipNotFound`. */
  readonly ifMatch?: string;
  /** `'*'`: create only; an existing relationship is `PreconditionFailed`. */
  readonly ifNoneMatch?: '*';
}

export interface ListModelsOptions {
  /** Only these models and the models they depend on, transitively (ADT's `dependenciesFor`). */
  readonly dependenciesFor?: readonly string[];
  readonly includeDefinition?: boolean;
}

export interface MetricRange extends MetricSeriesKey {
  /** Inclusive start, ISO time. */
  readonly from?: string;
  /** Exclusive end, ISO time. */
  readonly to?: string;
  /** Newest first when true. */
  readonly descending?: boolean;
  readonly limit?: number;
}

export interface MetricAggregation {
  readonly series: readonly MetricSeriesKey[];
  readonly from: string;
  readonly to: string;
  /** Window length in milliseconds; windows start at `from`. One window spanning the range when absent. */
  readonly windowMs?: number;
}

export interface AppendMetricsOptions extends WriteOptions {
  /**
   * Whether each change-log entry lists the points (the default). Backfills of history (seeding, imports)
   * pass false: the entry then says how many points arrived and their time span, which keeps the log small.
   */
  readonly logPoints?: boolean;
}

export interface AppendMetricsResult {
  readonly points: number;
  /** The change-log entries written: one per twin in the batch. */
  readonly changes: number;
}

export interface ReadChangesOptions {
  /** Entries with a larger `seq` than this (0: from the first one kept). */
  readonly after: number;
  readonly limit?: number;
}

export interface ClaimOptions {
  readonly limit: number;
  /** How long the claim holds before another worker may take the entries again. */
  readonly leaseMs: number;
}

export interface FailOptions {
  readonly error: string;
  /** Park the entry in the dead-letter list instead of retrying it. */
  readonly dead?: boolean;
  /** When to retry (default: now). */
  readonly retryAfterMs?: number;
}

export interface PruneOptions {
  /** Remove entries older than this ISO time… */
  readonly before?: string;
  /**
   * …and beyond the newest `keepLast` entries: with both, an entry goes only when it is older and not among
   * the newest `keepLast`; with one, that one decides. Entries still in the outbox are kept.
   */
  readonly keepLast?: number;
}

export interface StoreCounts {
  readonly models: number;
  readonly twins: number;
  readonly relationships: number;
  readonly metricPoints: number;
  readonly changes: number;
}

export type CommitListener = (lastSeq: number) => void;

/** Models: ADT's model upload, listing, decommission and delete, with its reference rules. */
export interface ModelStore {
  putModels(models: readonly ModelInput[], options?: WriteOptions): Promise<ModelRecord[]>;
  listModels(options?: ListModelsOptions): Promise<ModelRecord[]>;
  getModel(id: string, options?: { includeDefinition?: boolean }): Promise<ModelRecord>;
  decommissionModel(id: string, options?: WriteOptions): Promise<ModelRecord>;
  deleteModel(id: string, options?: WriteOptions): Promise<void>;
  /**
   * The model-write lease, one for the whole store: ModelService takes it around each upload, decommission
   * and delete, so that replicas sharing the store change models one at a time, each against the models the
   * one before left (and names them in the order the store keeps). Takes it for `holder` until `leaseMs` from
   * now when no other holder's lease is running, or extends it when `holder` has it; resolves whether `holder`
   * holds it now. A holder that dies loses it when the lease runs out.
   */
  lockModels(holder: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease back early, if `holder` holds it. */
  unlockModels(holder: string): Promise<void>;
}

/** Reads of the twin graph: twins and relationships by id, queries, traversals and one-hop neighbours. */
export interface TwinReads {
  getTwin(id: string): Promise<Twin>;
  /** Twins by id, in the order asked, `undefined` for those that do not exist. */
  getTwins(ids: readonly string[]): Promise<(Twin | undefined)[]>;
  getRelationship(sourceId: string, relationshipId: string): Promise<Relationship>;
  /** Outgoing relationships of a twin, optionally of one name. */
  listRelationships(sourceId: string, options?: { name?: string }): Promise<Relationship[]>;
  /** Relationships pointing at a twin, optionally of one name. */
  listIncomingRelationships(targetId: string, options?: { name?: string }): Promise<Relationship[]>;
  queryTwins(query: TwinQuery): Promise<Page<Twin>>;
  traverse(traversal: Traversal): Promise<Page<Twin>>;
  /** For each id, in order, the twins one hop away (at most `first`), with the relationship that leads there. */
  neighbors(query: NeighborQuery): Promise<{ twin: Twin; relationship: Relationship }[][]>;
  /** For each id, in order, how many twins one hop away match the hop (relationships counted, as `neighbors` lists them). */
  neighborCounts(ids: readonly string[], hop: Hop): Promise<number[]>;
}

/** Writes of the twin graph: twins, relationships, and the record of a command invoked on a twin. */
export interface TwinWrites {
  /** ADT's PUT: creates the twin, or replaces it when it exists (unless `ifNoneMatch: '*'`). */
  createTwin(id: string, twin: TwinInput, options?: IfNoneMatch): Promise<Twin>;
  /** Several creates in one transaction: all or none. */
  createTwins(twins: readonly TwinWrite[], options?: IfNoneMatch): Promise<Twin[]>;
  replaceTwin(id: string, twin: TwinInput, options?: IfMatch): Promise<Twin>;
  /**
   * A JSON Patch, or a function making one from the twin as the transaction finds it (locked, after the ETag
   * condition): a read-modify-write with no window for another writer, so nothing to retry. A made patch that
   * is empty writes nothing and returns the twin as it is.
   */
  patchTwin(id: string, patch: JsonPatch | ((current: Twin) => JsonPatch), options?: PatchTwinOptions): Promise<Twin>;
  /**
   * Several patches (of distinct twins, each with its own ifMatch) in one transaction: all or none. When any is
   * refused, nothing is written and the error (BatchFailed, ./batch-errors.ts) names every refused item.
   */
  patchTwins(patches: readonly TwinPatchWrite[], options?: PatchTwinsOptions): Promise<Twin[]>;
  deleteTwin(id: string, options?: DeleteTwinOptions): Promise<void>;
  /** ADT's PUT: creates the relationship, or replaces it (unless `ifNoneMatch: '*'`). */
  putRelationship(
    sourceId: string,
    relationshipId: string,
    relationship: RelationshipInput,
    options?: IfNoneMatch,
  ): Promise<Relationship>;
  /** Several puts in one transaction: all or none. */
  putRelationships(relationships: readonly RelationshipWrite[], options?: IfNoneMatch): Promise<Relationship[]>;
  patchRelationship(
    sourceId: string,
    relationshipId: string,
    patch: JsonPatch,
    options?: PatchRelationshipOptions,
  ): Promise<Relationship>;
  deleteRelationship(sourceId: string, relationshipId: string, options?: IfMatch): Promise<void>;
  /** Records that a command of the twin was invoked (a `Command.Invoke` change carrying the request). */
  recordCommand(twinId: string, command: string, request?: JsonValue, options?: WriteOptions): Promise<ChangeEntry>;
  /**
   * Records how a command invocation ended (`Command.Response`, `Command.Timeout`, `Command.Failed`), as a
   * change of the twin after its Command.Invoke; DigitalTwinNotFound when the twin is gone.
   */
  recordCommandOutcome(twinId: string, outcome: CommandOutcomeRecord, options?: WriteOptions): Promise<ChangeEntry>;
}

/** Telemetry: points appended per twin and name, read back as ranges, windows and latest values. */
export interface MetricStore {
  appendMetrics(points: readonly MetricPoint[], options?: AppendMetricsOptions): Promise<AppendMetricsResult>;
  readMetrics(range: MetricRange): Promise<MetricPoint[]>;
  /** One list of windows per series, in the order asked; windows without points are left out. */
  aggregateMetrics(request: MetricAggregation): Promise<MetricBucket[][]>;
  /** The newest point of each series, in the order asked. */
  latestMetrics(series: readonly MetricSeriesKey[]): Promise<(MetricPoint | undefined)[]>;
}

/** The change log every write appends to: read in `seq` order, pruned, and announced after each commit. */
export interface ChangeLog {
  readChanges(options: ReadChangesOptions): Promise<ChangeEntry[]>;
  /** The newest `seq` (0 when the log is empty and has never been written). */
  latestSeq(): Promise<number>;
  /** The oldest `seq` still kept (latestSeq() + 1 when none is). */
  firstSeq(): Promise<number>;
  pruneChanges(options: PruneOptions): Promise<number>;
  /** Called after every commit that wrote change-log entries, with the newest `seq`. */
  onCommit(listener: CommitListener): () => void;
}

/** The mirror's queue: change-log entries to replay in ADT, claimed under a lease, acknowledged or parked. */
export interface Outbox {
  /** Whether writes also enqueue outbox entries for the mirror. */
  readonly outbox: boolean;
  /**
   * Claims the oldest `limit` claimable entries in `seq` order: never one whose partition has an earlier entry
   * in flight or waiting to retry, and a model decommission or delete only as the oldest entry pending (until
   * then its partition waits behind it). Blocked partitions are passed over however many entries they hold,
   * so that one busy partition waiting on its first entry never holds up the others. A claim's cost is bounded
   * by the partitions it looks at plus `limit`, not by the backlog: it looks at no more than
   * outboxHeadsToExamine(limit) partitions (in the order of their first pending entry), so when more than that
   * many are blocked it may return fewer entries than are claimable.
   */
  claimOutbox(options: ClaimOptions): Promise<OutboxEntry[]>;
  /**
   * Extends the leases of claimed entries to `leaseMs` from now (a heartbeat for long operations): only entries
   * still pending and leased; released, acknowledged and dead ones are left as they are.
   */
  renewOutbox(seqs: readonly number[], leaseMs: number): Promise<void>;
  ackOutbox(seqs: readonly number[]): Promise<void>;
  /** Gives claimed entries back unprocessed, claimable at once, without counting an attempt (a worker that will not get to them). */
  releaseOutbox(seqs: readonly number[]): Promise<void>;
  failOutbox(seq: number, options: FailOptions): Promise<void>;
  /**
   * Whether any of `partitions` still holds an entry pending (in line, leased or waiting to retry; not parked)
   * before `seq`: what tells a change ADT refused for a missing dependency (its model, its target twin) whether
   * that dependency is still on its way, or will never come.
   */
  pendingBefore(seq: number, partitions: readonly string[]): Promise<boolean>;
  outboxStats(): Promise<OutboxStats>;
  listDeadLetters(options?: { limit?: number }): Promise<OutboxEntry[]>;
  /** Puts dead letters back in line (all when no seqs are given), marked `resync`; returns how many. */
  retryDeadLetters(seqs?: readonly number[]): Promise<number>;
  /** Removes dead letters for good (all when no seqs are given); returns how many. */
  dropDeadLetters(seqs?: readonly number[]): Promise<number>;
}

/**
 * Named leases for work that only one process of many sharing the store may do at a time (the mirror: ADT's
 * rate limits are the instance's, so one replica sends while the others stand by).
 */
export interface Leases {
  /**
   * Takes the lease `name` for `holder` until `leaseMs` from now when no other holder's lease is running, or
   * extends it when `holder` has it. Resolves null when another holder has it; otherwise how long ago another
   * holder's lease ended, in ms (`Infinity` when `holder` already had it or no one ever did), so that a new
   * holder can let the last one's work settle. Times are the store's own clock (the one machine's for SQLite,
   * the server's for Neo4j), never a comparison of two replicas' clocks.
   */
  takeLease(name: string, holder: string, leaseMs: number): Promise<LeaseTaken | null>;
  /** Ends `holder`'s lease now, if it holds it; the next holder may take it at once. */
  giveLease(name: string, holder: string): Promise<void>;
}

export interface LeaseTaken {
  /** How long ago another holder's lease ended (`Infinity`: the taker held it, or nobody ever did). */
  readonly sincePreviousMs: number;
}

/** The store as a whole: which adapter, how much it holds, whether it answers, its indexes, and closing it. */
export interface Housekeeping {
  /** `sqlite` or `neo4j`. */
  readonly kind: string;
  /** Indexes twin properties that queries filter or sort on often (idempotent). */
  ensurePropertyIndexes(paths: readonly PropertyPath[]): Promise<void>;
  counts(): Promise<StoreCounts>;
  /** Resolves when the store answers; for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An API key as stored: never the key itself, only its SHA-256 (hex). `role` and `models` are the API's
 * business (roles, scopes); the store keeps them as given.
 */
export interface ApiKeyRecord {
  readonly name: string;
  readonly role: string;
  /** The models (with their subtypes) whose twins the key may see; absent: all. */
  readonly models?: readonly string[];
  readonly hash: string;
  readonly created: string;
  readonly expires?: string;
  readonly revoked?: string;
}

/** The API keys partners and services authenticate with. */
export interface KeyStore {
  /** Stores a new key: `KeyAlreadyExists` when its name is taken (by a revoked key too: names are never reused). */
  createKey(key: ApiKeyRecord): Promise<void>;
  /** Every key, revoked ones included, by name. */
  listKeys(): Promise<ApiKeyRecord[]>;
  /** The key with this hash, revoked or expired or not (the caller decides). */
  findKey(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Marks a key revoked at `time`: false when there is no key of that name or it was revoked already. */
  revokeKey(name: string, time: string): Promise<boolean>;
}

/** Every role: what an adapter implements and what opening a store gives. */
export interface TwinStore
  extends ModelStore, TwinReads, TwinWrites, MetricStore, ChangeLog, Outbox, Leases, Housekeeping, KeyStore {}
