/**
 * The data shapes the store keeps and returns. Twins and relationships are exactly Azure Digital Twins'
 * JSON, so that ADT tooling, the ADT SDK and the mirror see the same documents on both sides.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Per-property metadata: when Twingraph last wrote it, and when the source says it was measured. */
export interface PropertyMetadata {
  lastUpdateTime: string;
  sourceTime?: string;
}

export interface TwinMetadata {
  $model: string;
  $lastUpdateTime: string;
  [property: string]: PropertyMetadata | string;
}

/** A component's own metadata (components carry no `$model`). */
export interface ComponentMetadata {
  $lastUpdateTime: string;
  [property: string]: PropertyMetadata | string;
}

/** A digital twin as ADT returns it: `$dtId`, `$etag`, `$metadata`, properties and components. */
export interface Twin {
  $dtId: string;
  $etag: string;
  $metadata: TwinMetadata;
  [property: string]: JsonValue | TwinMetadata;
}

/**
 * What a caller writes: properties and components, with `$metadata.$model`. A component is a top-level
 * object carrying its own `$metadata` (ADT's convention), which is how the store tells it from an
 * object-valued property without knowing the model. Server-kept fields (`$dtId`, `$etag`,
 * `lastUpdateTime`s) are ignored when present, so that a twin read with GET can be written back.
 */
export interface TwinInput {
  $metadata: { $model: string; [property: string]: JsonValue };
  [property: string]: JsonValue;
}

/** A relationship as ADT returns it. */
export interface Relationship {
  $relationshipId: string;
  $sourceId: string;
  $targetId: string;
  $relationshipName: string;
  $etag: string;
  [property: string]: JsonValue;
}

/** What a caller writes for a relationship: its target, its name and its properties. */
export interface RelationshipInput {
  $targetId: string;
  $relationshipName: string;
  [property: string]: JsonValue;
}

/** RFC 6902 JSON Patch, restricted as ADT restricts it. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: JsonValue;
}
export type JsonPatch = PatchOperation[];

/** A stored DTDL interface: its definition and what the store needs to enforce ADT's model rules. */
export interface ModelInput {
  /** The interface's DTMI. */
  id: string;
  /** The DTDL JSON of the interface, as uploaded. */
  definition: JsonObject;
  /** Every interface it extends, directly or not (its twins are also twins of these). */
  ancestors: readonly string[];
  /** Models it references through `extends` or a component: a referenced model cannot be deleted. */
  dependencies: readonly string[];
  displayName?: Record<string, string>;
  description?: Record<string, string>;
}

export interface ModelRecord {
  id: string;
  uploadTime: string;
  decommissioned: boolean;
  ancestors: string[];
  dependencies: string[];
  displayName?: Record<string, string>;
  description?: Record<string, string>;
  /** Present when asked for (`includeDefinition`). */
  definition?: JsonObject;
}

/** Change types, named after ADT's CloudEvents types (`Microsoft.DigitalTwins.Twin.Create`, …). */
export type ChangeType =
  | 'Twin.Create'
  | 'Twin.Update'
  | 'Twin.Delete'
  | 'Relationship.Create'
  | 'Relationship.Update'
  | 'Relationship.Delete'
  | 'Telemetry'
  | 'Command.Invoke'
  | 'Command.Response'
  | 'Command.Timeout'
  | 'Command.Failed'
  | 'Model.Create'
  | 'Model.Decommission'
  | 'Model.Delete';

/**
 * One committed change. `seq` is contiguous: every committed write takes the next number in the same
 * transaction as the write, so a reader that has seen `seq` n has seen everything up to n.
 */
export interface ChangeEntry {
  seq: number;
  time: string;
  type: ChangeType;
  /** `twinId`, `twinId/relationships/relationshipId`, or a model id. */
  subject: string;
  /** The twin's model (for relationships: the source twin's model); the model itself for model changes. */
  modelId?: string;
  twinId?: string;
  relationshipId?: string;
  /** Updates: what changed, as JSON Patch against the previous state. */
  patch?: JsonPatch;
  /** The state after the change; for deletes, the last state before it; for telemetry, the points. */
  body: JsonValue;
  /** Who made it: an API key's name, a token's subject (see actor.ts); absent for the server's own work. */
  actor?: string;
}

export interface MetricPoint {
  twinId: string;
  /** The telemetry name (a DTDL Telemetry content's name). */
  name: string;
  /** ISO 8601 time, kept to the millisecond. */
  time: string;
  /** A number, or any JSON value for non-numeric telemetry (aggregates use numbers only). */
  value: JsonValue;
}

export interface MetricSeriesKey {
  twinId: string;
  name: string;
}

export type Aggregate = 'min' | 'max' | 'avg' | 'sum' | 'count' | 'last';

export interface MetricBucket {
  /** Start of the window (ISO time). */
  start: string;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  sum: number | null;
  last: number | null;
  /** Time of the last numeric point in the window. */
  lastTime: string | null;
}

/** An outbox entry: a committed change still to be mirrored. */
export interface OutboxEntry {
  seq: number;
  /** Changes of one partition (a twin and its outgoing relationships, or a model) are replayed in order. */
  partition: string;
  change: ChangeEntry;
  attempts: number;
  status: 'pending' | 'dead';
  /** Earliest time the entry may be claimed again. */
  availableAt: string;
  lastError?: string;
  /**
   * True on an entry put back in line from the dead letters by retryDeadLetters, until it is acknowledged
   * (failing it again keeps the mark); absent otherwise. Later changes of its subject have usually been
   * mirrored since it died, so replaying this change could overwrite newer state: the mirror resyncs the
   * subject from the store's current state instead.
   */
  readonly resync?: boolean;
}

export interface OutboxStats {
  pending: number;
  dead: number;
  /** Time of the oldest pending change (the first pending in seq order), if any. */
  oldestPendingTime?: string;
}

/**
 * How a command invocation ended, recorded by whoever carried it (the devices feature) as the change after
 * its Command.Invoke: `Command.Response` (answered, answered from a cache, or sent when no answer is
 * declared), `Command.Timeout`, `Command.Failed`. The rest is the change's body.
 */
export interface CommandOutcomeRecord {
  readonly type: 'Command.Response' | 'Command.Timeout' | 'Command.Failed';
  /** The seq of the Command.Invoke change it ends. */
  readonly invocation: number;
  readonly command: string;
  readonly status: string;
  readonly response?: JsonValue;
  readonly message?: string;
  readonly attempts: number;
}
