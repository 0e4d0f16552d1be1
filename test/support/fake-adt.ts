/**
 * An in-memory Azure Digital Twins behind the mirror's Adt port, for specifications of the worker: it keeps
 * models, twins and relationships as ADT would (refusing what ADT refuses: a relationship whose source or
 * target is missing, a delete of a twin that still has relationships, a model that exists already), logs every
 * call, and answers calls from a per-call script: an AdtError to throw, 'hang' until cancelAll(), 'pass' to
 * answer normally, or a function run first (it may wait, write to Twingraph, or return an error to throw).
 */
import { applyPatch, deepClone } from 'fast-json-patch';
import { AdtError, type Adt, type AdtModel } from '../../src/mirror/adt';
import type { JsonObject, JsonPatch } from '../../src/store/types';

export type Method =
  | 'createModels'
  | 'getModel'
  | 'decommissionModel'
  | 'deleteModel'
  | 'getTwin'
  | 'putTwin'
  | 'patchTwin'
  | 'deleteTwin'
  | 'getRelationship'
  | 'putRelationship'
  | 'patchRelationship'
  | 'deleteRelationship';

export interface Call {
  readonly n: number;
  readonly method: Method;
  /** The twin id, `source/relationshipId`, or the model id(s) (comma-separated). */
  readonly key: string;
  readonly body?: unknown;
  readonly start: number;
  end?: number;
  /** Absent while in flight; 'ok', or the error's code ('Cancelled' for a hang ended by cancelAll). */
  outcome?: string;
}

export type Step = AdtError | 'hang' | 'pass' | ((call: Call) => Promise<AdtError | void> | AdtError | void);

/** ADT's answers, as the port's adapter throws them. */
export const adtErrors = {
  throttled: (retryAfterMs?: number): AdtError =>
    new AdtError('Too many requests.', 'TooManyRequests', 429, retryAfterMs),
  unavailable: (retryAfterMs?: number): AdtError =>
    new AdtError('Service unavailable.', 'ServiceUnavailable', 503, retryAfterMs),
  invalid: (message = 'Invalid twin.'): AdtError => new AdtError(message, 'ValidationFailed', 400, undefined),
  targetNotFound: (id: string): AdtError =>
    new AdtError(
      `The target digital twin is invalid or does not exist. Target twin id: ${id}.`,
      'TargetTwinNotFound',
      404,
      undefined,
    ),
  twinNotFound: (id: string): AdtError =>
    new AdtError(
      `There is no digital twin instance that exists with the ID ${id}.`,
      'DigitalTwinNotFound',
      404,
      undefined,
    ),
  network: (): AdtError => new AdtError('socket hang up', 'NetworkError', undefined, undefined),
};

const clone = <T>(value: T): T => deepClone(value) as T;

export class FakeAdt implements Adt {
  readonly models = new Map<string, { model: JsonObject; decommissioned: boolean }>();
  readonly twins = new Map<string, JsonObject>();
  /** By source twin, then relationship id. */
  readonly relationships = new Map<string, Map<string, JsonObject>>();
  readonly calls: Call[] = [];
  cancelAllCalls = 0;
  /** Each call waits a random 0..latencyMs first (0: answers at once, though never synchronously). */
  latencyMs = 0;
  /** Called with each successful write (after it is applied). */
  onWrite: ((call: Call) => void) | undefined;

  private readonly scripts = new Map<string, Step[]>();
  private readonly always = new Map<string, Step>();
  private readonly hanging = new Set<(error: AdtError) => void>();

  /** The next calls of `method` on `key` take these steps, one each, in order; then calls answer normally. */
  script(method: Method, key: string, ...steps: Step[]): this {
    const k = `${method} ${key}`;
    this.scripts.set(k, [...(this.scripts.get(k) ?? []), ...steps]);
    return this;
  }

  /** Every call of `method` on `key` takes this step (after any scripted steps). */
  forever(method: Method, key: string, step: Step): this {
    this.always.set(`${method} ${key}`, step);
    return this;
  }

  callsOf(method: Method, key?: string): Call[] {
    return this.calls.filter((c) => c.method === method && (key === undefined || c.key === key));
  }

  inFlight(): Call[] {
    return this.calls.filter((c) => c.outcome === undefined);
  }

  cancelAll(): void {
    this.cancelAllCalls++;
    for (const cancel of [...this.hanging])
      cancel(new AdtError('The request was cancelled.', 'NetworkError', undefined, undefined));
  }

  private async run<T>(method: Method, key: string, body: unknown, answer: () => T): Promise<T> {
    const call: Call = {
      n: this.calls.length,
      method,
      key,
      ...(body !== undefined && { body: clone(body) }),
      start: Date.now(),
    };
    this.calls.push(call);
    // cancelAll() ends every call in flight, including one still before its answer is chosen (a real request
    // cancelled while its bytes are on the way): a hang that starts after a cancel is cancelled at once.
    const cancelsAtStart = this.cancelAllCalls;
    try {
      await new Promise((r) => setTimeout(r, this.latencyMs > 0 ? Math.random() * this.latencyMs : 0));
      const k = `${method} ${key}`;
      const queue = this.scripts.get(k);
      const step = queue && queue.length > 0 ? queue.shift()! : this.always.get(k);
      if (step === 'hang') {
        await new Promise<never>((_, reject) => {
          const cancel = (error: AdtError): void => {
            this.hanging.delete(cancel);
            reject(error);
          };
          if (this.cancelAllCalls !== cancelsAtStart)
            cancel(new AdtError('The request was cancelled.', 'NetworkError', undefined, undefined));
          else this.hanging.add(cancel);
        });
      } else if (step instanceof AdtError) {
        throw step;
      } else if (typeof step === 'function') {
        const error = await step(call);
        if (error) throw error;
      }
      const result = answer();
      call.outcome = 'ok';
      if (!method.startsWith('get')) this.onWrite?.(call);
      return result;
    } catch (error) {
      call.outcome =
        error instanceof AdtError
          ? error.code === 'NetworkError' && this.cancelAllCalls > 0
            ? 'Cancelled'
            : error.code
          : 'Error';
      throw error;
    } finally {
      call.end = Date.now();
    }
  }

  private twin(id: string): JsonObject {
    const twin = this.twins.get(id);
    if (!twin) throw adtErrors.twinNotFound(id);
    return twin;
  }

  private relationship(sourceId: string, relationshipId: string): JsonObject {
    const r = this.relationships.get(sourceId)?.get(relationshipId);
    if (!r)
      throw new AdtError(
        `There is no relationship with the ID ${relationshipId}.`,
        'RelationshipNotFound',
        404,
        undefined,
      );
    return r;
  }

  private hasRelationships(twinId: string): boolean {
    if ((this.relationships.get(twinId)?.size ?? 0) > 0) return true;
    for (const rels of this.relationships.values())
      for (const r of rels.values()) if (r.$targetId === twinId) return true;
    return false;
  }

  // ── Models ────────────────────────────────────────────────────────────────────────────────────

  createModels(models: readonly JsonObject[]): Promise<void> {
    const key = models.map((m) => m['@id'] as string).join(',');
    return this.run('createModels', key, models, () => {
      const existing = models.filter((m) => this.models.has(m['@id'] as string));
      if (existing.length > 0) throw new AdtError('Model(s) already exist.', 'ModelAlreadyExists', 409, undefined);
      for (const m of models) this.models.set(m['@id'] as string, { model: clone(m), decommissioned: false });
    });
  }

  getModel(id: string): Promise<AdtModel | undefined> {
    return this.run('getModel', id, undefined, () => {
      const m = this.models.get(id);
      return m && { id, decommissioned: m.decommissioned, model: clone(m.model) };
    });
  }

  async *listModels(): AsyncIterable<AdtModel> {
    for (const [id, m] of this.models) yield { id, decommissioned: m.decommissioned, model: clone(m.model) };
  }

  decommissionModel(id: string): Promise<void> {
    return this.run('decommissionModel', id, undefined, () => {
      const m = this.models.get(id);
      if (!m) throw new AdtError(`Model ${id} not found.`, 'ModelNotFound', 404, undefined);
      m.decommissioned = true;
    });
  }

  deleteModel(id: string): Promise<void> {
    return this.run('deleteModel', id, undefined, () => {
      if (!this.models.delete(id)) throw new AdtError(`Model ${id} not found.`, 'ModelNotFound', 404, undefined);
    });
  }

  // ── Twins ─────────────────────────────────────────────────────────────────────────────────────

  getTwin(id: string): Promise<JsonObject | undefined> {
    return this.run('getTwin', id, undefined, () => {
      const twin = this.twins.get(id);
      return twin && clone(twin);
    });
  }

  putTwin(id: string, twin: JsonObject): Promise<void> {
    return this.run('putTwin', id, twin, () => void this.twins.set(id, { ...clone(twin), $dtId: id }));
  }

  patchTwin(id: string, patch: JsonPatch): Promise<void> {
    return this.run('patchTwin', id, patch, () => {
      const twin = clone(this.twin(id));
      try {
        applyPatch(twin, clone(patch) as never, true, true);
      } catch (error) {
        throw new AdtError((error as Error).message, 'JsonPatchInvalid', 400, undefined);
      }
      this.twins.set(id, twin);
    });
  }

  deleteTwin(id: string): Promise<void> {
    return this.run('deleteTwin', id, undefined, () => {
      this.twin(id);
      if (this.hasRelationships(id))
        throw new AdtError(`Twin ${id} has active relationships.`, 'RelationshipsNotDeleted', 400, undefined);
      this.twins.delete(id);
    });
  }

  // ── Relationships ─────────────────────────────────────────────────────────────────────────────

  getRelationship(sourceId: string, relationshipId: string): Promise<JsonObject | undefined> {
    return this.run('getRelationship', `${sourceId}/${relationshipId}`, undefined, () => {
      const r = this.relationships.get(sourceId)?.get(relationshipId);
      return r && clone(r);
    });
  }

  putRelationship(sourceId: string, relationshipId: string, relationship: JsonObject): Promise<void> {
    const key = `${sourceId}/${relationshipId}`;
    return this.run('putRelationship', key, relationship, () => {
      this.twin(sourceId);
      const targetId = relationship.$targetId as string;
      if (!this.twins.has(targetId)) throw adtErrors.targetNotFound(targetId);
      const rels = this.relationships.get(sourceId) ?? new Map<string, JsonObject>();
      rels.set(relationshipId, { ...clone(relationship), $sourceId: sourceId, $relationshipId: relationshipId });
      this.relationships.set(sourceId, rels);
    });
  }

  patchRelationship(sourceId: string, relationshipId: string, patch: JsonPatch): Promise<void> {
    const key = `${sourceId}/${relationshipId}`;
    return this.run('patchRelationship', key, patch, () => {
      const r = clone(this.relationship(sourceId, relationshipId));
      try {
        applyPatch(r, clone(patch) as never, true, true);
      } catch (error) {
        throw new AdtError((error as Error).message, 'JsonPatchInvalid', 400, undefined);
      }
      this.relationships.get(sourceId)!.set(relationshipId, r);
    });
  }

  deleteRelationship(sourceId: string, relationshipId: string): Promise<void> {
    const key = `${sourceId}/${relationshipId}`;
    return this.run('deleteRelationship', key, undefined, () => {
      this.relationship(sourceId, relationshipId);
      this.relationships.get(sourceId)!.delete(relationshipId);
    });
  }

  async *listRelationships(sourceId: string): AsyncIterable<JsonObject> {
    for (const r of this.relationships.get(sourceId)?.values() ?? []) yield clone(r);
  }

  async *listIncomingRelationships(
    targetId: string,
  ): AsyncIterable<{ readonly relationshipId: string; readonly sourceId: string }> {
    for (const [sourceId, rels] of this.relationships)
      for (const [relationshipId, r] of rels) if (r.$targetId === targetId) yield { relationshipId, sourceId };
  }

  async *allTwins(): AsyncIterable<JsonObject> {
    for (const t of this.twins.values()) yield clone(t);
  }

  async *allRelationships(): AsyncIterable<JsonObject> {
    for (const rels of this.relationships.values()) for (const r of rels.values()) yield clone(r);
  }
}
