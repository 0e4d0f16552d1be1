/**
 * The write rules (writes.ts) are written once, as generators that yield requests for a handful of
 * primitive reads and writes inside one transaction. Each adapter interprets them: SQLite synchronously
 * inside a better-sqlite3 transaction, Neo4j asynchronously inside a driver transaction. This keeps ETag
 * checks, ADT's reference rules and change-log entries identical on both stores.
 */
import type { PendingChange } from './changes';
import type { JsonObject, ModelRecord, Relationship, Twin } from './types';

export interface TwinRow {
  readonly twin: Twin;
  /** The twin's model and every model it extends (Neo4j labels, SQLite's model index). */
  readonly models: readonly string[];
  /** The stored twin this replaces, if any. */
  readonly previous?: Twin;
}

export interface RelationshipRow {
  readonly relationship: Relationship;
  readonly previous?: Relationship;
}

export interface PointRow {
  readonly twinId: string;
  readonly name: string;
  /** Epoch milliseconds. */
  readonly ts: number;
  readonly value: number | null;
  /** The JSON of a non-numeric value. */
  readonly json: string | null;
}

export interface NewModel {
  readonly record: ModelRecord;
  readonly definition: JsonObject;
}

/** `sourceId\nrelationshipId`: how relationship maps are keyed (ids cannot contain control characters). */
export function relationshipKey(sourceId: string, relationshipId: string): string {
  return `${sourceId}\n${relationshipId}`;
}

/** What a write transaction can ask the store for. Reads here lock what they read until the commit. */
export interface Primitives {
  models(ids: readonly string[]): Map<string, ModelRecord>;
  /** Models that reference this one through `extends` or a component. */
  modelDependents(id: string): string[];
  insertModels(models: readonly NewModel[]): void;
  /** The newest model's upload time (ISO), or null when there are no models. */
  newestModelUpload(): string | null;
  decommissionModel(id: string): void;
  deleteModel(id: string): void;
  twins(ids: readonly string[]): Map<string, Twin>;
  /** The model of each twin that exists (locked like `twins`, without reading the documents). */
  twinModels(ids: readonly string[]): Map<string, string>;
  writeTwins(rows: readonly TwinRow[]): void;
  /** Deletes twins and their metric points (their relationships are gone by then). */
  deleteTwins(ids: readonly string[]): void;
  /** Keyed by `relationshipKey`. */
  relationships(keys: readonly (readonly [sourceId: string, relationshipId: string])[]): Map<string, Relationship>;
  /** Outgoing and incoming relationships of a twin, at most `limit`. */
  relationshipsTouching(twinId: string, limit: number): Relationship[];
  writeRelationships(rows: readonly RelationshipRow[]): void;
  deleteRelationships(relationships: readonly Relationship[]): void;
  appendPoints(points: readonly PointRow[]): void;
  /** Numbers the changes (contiguous `seq`), stores them and, when the outbox is on, enqueues them; returns the seqs. */
  appendChanges(changes: readonly PendingChange[]): number[];
}

export type Request = {
  [K in keyof Primitives]: { readonly op: K; readonly args: Parameters<Primitives[K]> };
}[keyof Primitives];

export type Steps<T> = Generator<Request, T, unknown>;

/** Asks the store for one primitive; `yield* call('twins', ids)` evaluates to its result. */
export function* call<K extends keyof Primitives>(
  op: K,
  ...args: Parameters<Primitives[K]>
): Generator<Request, ReturnType<Primitives[K]>, unknown> {
  return (yield { op, args } as Request) as ReturnType<Primitives[K]>;
}

/** Runs write steps against synchronous primitives (inside the caller's transaction). */
export function runSync<T>(steps: Steps<T>, primitives: Primitives): T {
  let next = steps.next();
  while (!next.done) {
    const { op, args } = next.value;
    const result = (primitives[op] as (...a: unknown[]) => unknown)(...args);
    next = steps.next(result);
  }
  return next.value;
}

export type AsyncPrimitives = {
  [K in keyof Primitives]: (...args: Parameters<Primitives[K]>) => Promise<ReturnType<Primitives[K]>>;
};

/** Runs write steps against asynchronous primitives (inside the caller's transaction). */
export async function runAsync<T>(steps: Steps<T>, primitives: AsyncPrimitives): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const { op, args } = next.value;
    const result = await (primitives[op] as (...a: unknown[]) => Promise<unknown>)(...args);
    next = steps.next(result);
  }
  return next.value;
}
