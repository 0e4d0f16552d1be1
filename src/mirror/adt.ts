/**
 * Azure Digital Twins as the mirror sees it: a small port (what the mirror, reconcile and import need) and its
 * one adapter over `@azure/digital-twins-core` 1.1.0, which smooths the SDK's quirks (see
 * ../shared/reference/ADT.md §5): `upsertDigitalTwin` takes a JSON string; errors are core-http `RestError`s
 * whose Retry-After hides in the response headers; and its pipeline retries by itself — throttled requests
 * three times after Retry-After, network errors three times after 3–90 s — out of sight of the mirror's own
 * rate limits and backoff. The adapter takes those retry policies out, so every request the SDK sends is one
 * the mirror decided to send.
 */
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import type { JsonObject, JsonPatch } from '../store/types';
import { NoAnswer } from './no-answer';
import { MirrorStopping } from './stopping';

export interface AdtModel {
  readonly id: string;
  readonly decommissioned: boolean;
  /** The DTDL definition (when asked for). */
  readonly model?: JsonObject;
}

/** A failed ADT call, normalized: HTTP status (absent for network errors), ADT's error code, Retry-After. */
export class AdtError extends Error {
  override readonly name = 'AdtError';
  constructor(
    message: string,
    readonly code: string,
    readonly status: number | undefined,
    /** From Retry-After, in milliseconds, when the response had one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }

  /** No response at all: the connection failed or was dropped. */
  get network(): boolean {
    return this.status === undefined;
  }

  /** `429 TooManyRequests: …`, `network NetworkError: …`: for logs, dead letters and command output. */
  describe(message = this.message): string {
    return `${this.status ?? 'network'} ${this.code}: ${message}`;
  }
}

export interface Adt {
  createModels(models: readonly JsonObject[]): Promise<void>;
  getModel(id: string): Promise<AdtModel | undefined>;
  listModels(options?: { includeDefinition?: boolean }): AsyncIterable<AdtModel>;
  decommissionModel(id: string): Promise<void>;
  deleteModel(id: string): Promise<void>;
  getTwin(id: string): Promise<JsonObject | undefined>;
  /** Creates or replaces the twin (ADT's PUT). */
  putTwin(id: string, twin: JsonObject): Promise<void>;
  patchTwin(id: string, patch: JsonPatch): Promise<void>;
  deleteTwin(id: string): Promise<void>;
  getRelationship(sourceId: string, relationshipId: string): Promise<JsonObject | undefined>;
  putRelationship(sourceId: string, relationshipId: string, relationship: JsonObject): Promise<void>;
  patchRelationship(sourceId: string, relationshipId: string, patch: JsonPatch): Promise<void>;
  deleteRelationship(sourceId: string, relationshipId: string): Promise<void>;
  listRelationships(sourceId: string): AsyncIterable<JsonObject>;
  listIncomingRelationships(
    targetId: string,
  ): AsyncIterable<{ readonly relationshipId: string; readonly sourceId: string }>;
  /** Every twin (`SELECT * FROM DIGITALTWINS`). */
  allTwins(): AsyncIterable<JsonObject>;
  /** Every relationship (`SELECT * FROM RELATIONSHIPS`). */
  allRelationships(): AsyncIterable<JsonObject>;
  /** Cancels the requests in flight (they fail as network errors); for a prompt stop. */
  cancelAll?(): void;
}

interface RestErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly response?: {
    readonly headers?: { get(name: string): string | undefined };
    readonly bodyAsText?: string | null;
    readonly status?: number;
  };
}

/** Retry-After in ms: delta-seconds or an HTTP date. */
function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export function toAdtError(error: unknown): AdtError {
  if (error instanceof AdtError) return error;
  // A request never sent (./client.ts asks at the last moment): no answer to read, and not a network failure
  // to retry; thrown on as it is, out of whatever was reading it, for the worker to give the operation back.
  if (error instanceof MirrorStopping) throw error;
  // Sent, and no answer in time: a network failure (retried), under a code of its own, as ADT may still apply it.
  if (error instanceof NoAnswer) return new AdtError(error.message, 'NoAnswer', undefined, undefined);
  const e = (error ?? {}) as RestErrorLike;
  const status =
    typeof e.statusCode === 'number' && e.statusCode > 0
      ? e.statusCode
      : e.response?.status && e.response.status > 0
        ? e.response.status
        : undefined;
  let code = typeof e.code === 'string' && e.code.length > 0 ? e.code : undefined;
  // core-http leaves `code` empty for some error bodies it could not map; the body has it.
  if ((!code || code === 'REQUEST_SEND_ERROR') && e.response?.bodyAsText) {
    try {
      const body = JSON.parse(e.response.bodyAsText) as { error?: { code?: string } };
      if (body.error?.code) code = body.error.code;
    } catch {
      // Not JSON: keep what we have.
    }
  }
  return new AdtError(
    e.message ?? String(error),
    code ?? (status === undefined ? 'NetworkError' : `Http${status}`),
    status,
    retryAfter(e.response?.headers?.get('retry-after')),
  );
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toAdtError(error);
  }
}

/** ADT's codes for "no such thing"; any other 404 (a wrong host: "Sub-Domain not found") is not an answer about the thing. */
const NOT_FOUND = new Set(['DigitalTwinNotFound', 'RelationshipNotFound', 'ModelNotFound']);

/** ADT said the twin, relationship or model does not exist. */
export function isNotFound(error: AdtError): boolean {
  return error.status === 404 && NOT_FOUND.has(error.code);
}

async function orUndefinedOn404<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call(run);
  } catch (error) {
    if (isNotFound(error as AdtError)) return undefined;
    throw error;
  }
}

async function* iterate<T>(source: () => AsyncIterable<T>): AsyncIterable<T> {
  try {
    for await (const item of source()) yield item;
  } catch (error) {
    throw toAdtError(error);
  }
}

const RETRY_POLICIES = ['ThrottlingRetryPolicy', 'SystemErrorRetryPolicy', 'ExponentialRetryPolicy'];

/**
 * Takes the SDK pipeline's own retry policies out (see the module comment). core-http builds the pipeline in
 * the client's constructor and keeps its factories on the generated client; each factory is recognized by the
 * class of the policy it creates.
 */
export function withoutSdkRetries(client: DigitalTwinsClient): DigitalTwinsClient {
  const inner = (
    client as unknown as {
      client?: { _requestPolicyFactories?: { create(next: unknown, options: unknown): object }[] };
    }
  ).client;
  const factories = inner?._requestPolicyFactories;
  if (!Array.isArray(factories))
    throw new Error(
      '@azure/digital-twins-core: unexpected client shape; cannot take its retry policies out (is it 1.1.0?)',
    );
  const probe = { sendRequest: () => Promise.reject(new Error('probe')) };
  const options = { log: () => undefined, shouldLog: () => false };
  const names = factories.map((f) => f.create(probe, options).constructor.name);
  const missing = RETRY_POLICIES.filter((p) => !names.includes(p));
  // A renamed policy would stay in silently and resend behind the mirror's back: refuse instead.
  if (missing.length > 0)
    throw new Error(
      `@azure/digital-twins-core: its pipeline lacks ${missing.join(', ')}; cannot take the SDK's retries out (is it 1.1.0 with @azure/core-http 2?)`,
    );
  inner!._requestPolicyFactories = factories.filter((_, i) => !RETRY_POLICIES.includes(names[i]));
  return client;
}

/** The port over an SDK client (whose retry policies this takes out). */
export function sdkAdt(sdk: DigitalTwinsClient, cancelAll?: () => void): Adt {
  const client = withoutSdkRetries(sdk);
  return {
    ...(cancelAll && { cancelAll }),
    createModels: (models) => call(async () => void (await client.createModels([...models]))),
    getModel: (id) =>
      orUndefinedOn404(async () => {
        const m = await client.getModel(id, true);
        return {
          id: m.id,
          decommissioned: m.decommissioned === true,
          ...(m.model && { model: m.model as JsonObject }),
        };
      }),
    listModels: (options = {}) =>
      iterate(async function* () {
        for await (const m of client.listModels(undefined, options.includeDefinition === true)) {
          yield {
            id: m.id,
            decommissioned: m.decommissioned === true,
            ...(m.model && { model: m.model as JsonObject }),
          };
        }
      }),
    decommissionModel: (id) => call(async () => void (await client.decomissionModel(id))),
    deleteModel: (id) => call(async () => void (await client.deleteModel(id))),
    getTwin: (id) => orUndefinedOn404(async () => (await client.getDigitalTwin(id)).body as JsonObject),
    putTwin: (id, twin) => call(async () => void (await client.upsertDigitalTwin(id, JSON.stringify(twin)))),
    patchTwin: (id, patch) => call(async () => void (await client.updateDigitalTwin(id, patch))),
    deleteTwin: (id) => call(async () => void (await client.deleteDigitalTwin(id))),
    getRelationship: (sourceId, relationshipId) =>
      orUndefinedOn404(async () => (await client.getRelationship(sourceId, relationshipId)).body as JsonObject),
    putRelationship: (sourceId, relationshipId, relationship) =>
      call(async () => void (await client.upsertRelationship(sourceId, relationshipId, relationship))),
    patchRelationship: (sourceId, relationshipId, patch) =>
      call(async () => void (await client.updateRelationship(sourceId, relationshipId, [...patch]))),
    deleteRelationship: (sourceId, relationshipId) =>
      call(async () => void (await client.deleteRelationship(sourceId, relationshipId))),
    listRelationships: (sourceId) => iterate(() => client.listRelationships(sourceId) as AsyncIterable<JsonObject>),
    listIncomingRelationships: (targetId) =>
      iterate(async function* () {
        for await (const r of client.listIncomingRelationships(targetId))
          yield { relationshipId: r.relationshipId!, sourceId: r.sourceId! };
      }),
    allTwins: () => iterate(() => client.queryTwins('SELECT * FROM DIGITALTWINS') as AsyncIterable<JsonObject>),
    allRelationships: () =>
      iterate(() => client.queryTwins('SELECT * FROM RELATIONSHIPS') as AsyncIterable<JsonObject>),
  };
}
