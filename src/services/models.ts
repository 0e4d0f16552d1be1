/**
 * The model service: DTDL uploads, decommissions and deletes, and the schema that follows from them. Every
 * model change produces a new immutable snapshot (model set, compiled schema, payload validators) that is
 * swapped in whole; operations that started on the old snapshot finish on it.
 *
 * Model writes are serialized by the store, not by this process alone: each takes the store's model-write
 * lease (ModelStore.lockModels) and, holding it, brings its snapshot up to what the store holds before
 * validating and naming. Two replicas uploading at once so go one after the other, the second against the
 * models the first stored, and name them as every replica (and one started later) does from the store; one
 * that cannot get the lease in time is refused with a retryable StoreUnavailable, nothing written.
 */
import os from 'node:os';
import { validateSchema, type GraphQLSchema } from 'graphql';
import { compileSchema, type SchemaInfo, type SchemaPlugin } from '../graphql';
import { PayloadValidators } from '../graphql/generate/validators';
import { EMPTY_MODEL_SET, parseModels, type InterfaceModel, type ModelSet } from '../dtdl';
import { dtdlParserError, TwingraphError } from '../errors';
import type { ChangeFeed, ChangeSubscription } from '../events';
import type { ModelStore, WriteOptions } from '../store/port';
import type { ChangeEntry, JsonObject, ModelInput, ModelRecord } from '../store/types';

export interface ModelSnapshot {
  /** Increases with every model change this process saw. */
  readonly version: number;
  readonly models: ModelSet;
  /** Stored models, oldest upload first. */
  readonly records: readonly ModelRecord[];
  readonly schema: GraphQLSchema;
  readonly info: SchemaInfo;
  readonly validators: PayloadValidators;
  /** How long compiling the schema took, in milliseconds. */
  readonly compileMs: number;
}

/** The interface objects of uploaded documents, by @id (a document may hold one interface or an array). */
function interfacesOf(documents: readonly string[]): Map<string, JsonObject> {
  const found = new Map<string, JsonObject>();
  for (const text of documents) {
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      continue; // parseModels has reported it, with line and column.
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const id = (item as { '@id'?: unknown })?.['@id'];
      if (typeof id === 'string') found.set(id, item as JsonObject);
    }
  }
  return found;
}

/** What the store keeps about a model: its ancestors (twin labels) and direct references (delete rules). */
function modelInput(model: InterfaceModel, definition: JsonObject): ModelInput {
  const components = [...model.contents.values()]
    .filter((c) => c.kind === 'Component' && c.definedIn === model.id)
    .map((c) => (c as { schema: string }).schema);
  return {
    id: model.id,
    definition,
    ancestors: [...model.ancestors],
    dependencies: [...new Set([...model.extends, ...components])],
    ...(model.displayName && { displayName: { ...model.displayName } }),
    ...(model.description && { description: { ...model.description } }),
  };
}

/** How long the model-write lease runs unless renewed, and how long a model write waits for it. */
export interface ModelLockOptions {
  readonly leaseMs: number;
  readonly waitMs: number;
}

/**
 * A lease long enough that renewing it every third of it survives a slow store; a wait that covers a large
 * upload through another replica (RealEstateCore compiles in about half a second, Willow in about seven).
 */
const DEFAULT_LOCK: ModelLockOptions = { leaseMs: 30_000, waitMs: 30_000 };
/** Between two attempts at a lease another replica holds: short, jittered so that waiters do not march in step. */
const LOCK_RETRY_MS = [20, 60] as const;

/** Whether two lists of model records are the same models in the same state, in the same order. */
function sameRecords(a: readonly ModelRecord[], b: readonly ModelRecord[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.id === b[i].id && r.uploadTime === b[i].uploadTime && r.decommissioned === b[i].decommissioned)
  );
}

export class ModelService {
  /** The snapshot in place; until the first load, none (see `snapshot`). */
  private latest: ModelSnapshot | undefined;
  private readonly listeners = new Set<(snapshot: ModelSnapshot) => void | Promise<void>>();
  /**
   * This process's model writes and reloads run one at a time: each validates against, and replaces, the
   * snapshot before it (across processes, the store's lease does the same: see `locked`).
   */
  private queue: Promise<unknown> = Promise.resolve();

  private readonly plugins: readonly SchemaPlugin[];
  private readonly lock: ModelLockOptions;
  /** Who holds the model-write lease when this service does: unique per service, readable in the store. */
  private readonly holder = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

  /** `plugins`: the features' parts of the schema (see graphql/plugin.ts); none by default. */
  constructor(
    private readonly store: ModelStore,
    options: { readonly plugins?: readonly SchemaPlugin[]; readonly lock?: Partial<ModelLockOptions> } = {},
  ) {
    this.plugins = options.plugins ?? [];
    this.lock = { ...DEFAULT_LOCK, ...options.lock };
  }

  /**
   * The snapshot in place: before the first load, the empty model set's, built only when read (a start loads
   * the stored models at once, and compiling a schema it would replace cost every start a core schema build).
   */
  private get snapshot(): ModelSnapshot {
    return (this.latest ??= { ...this.build(0, EMPTY_MODEL_SET, []), records: [] });
  }

  private set snapshot(snapshot: ModelSnapshot) {
    this.latest = snapshot;
  }

  get current(): ModelSnapshot {
    return this.snapshot;
  }

  /** Called with each new snapshot, after it is in place; the model write that made it waits for the listeners. */
  onChange(listener: (snapshot: ModelSnapshot) => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Compiles a snapshot and checks the schema is valid GraphQL, so that no upload can swap in a schema that
   * would fail every operation. Models uploaded together (one upload time) form one batch.
   */
  private build(
    version: number,
    models: ModelSet,
    records: readonly { id: string; uploadTime: string }[],
  ): Omit<ModelSnapshot, 'records'> {
    const started = performance.now();
    const times = [...new Set(records.map((r) => r.uploadTime))].sort();
    const batchOf = new Map(records.map((r) => [r.id, times.indexOf(r.uploadTime)]));
    const compiled = compileSchema(
      models,
      records.map((r) => r.id),
      { uploadBatch: (id) => batchOf.get(id) ?? 0, plugins: this.plugins },
    );
    const problems = validateSchema(compiled.schema);
    if (problems.length > 0) {
      throw new TwingraphError(
        'InvalidArgument',
        `The models are valid DTDL but Twingraph cannot turn them into a valid GraphQL schema: ${problems
          .slice(0, 3)
          .map((p) => p.message)
          .join(' | ')}. Nothing was stored; please report this with the models.`,
      );
    }
    return {
      version,
      models,
      schema: compiled.schema,
      info: compiled.info,
      validators: new PayloadValidators(models),
      compileMs: performance.now() - started,
    };
  }

  private async install(
    snapshot: Omit<ModelSnapshot, 'records'>,
    records: readonly ModelRecord[],
  ): Promise<ModelSnapshot> {
    this.snapshot = { ...snapshot, records };
    await Promise.all([...this.listeners].map((listener) => listener(this.snapshot)));
    return this.snapshot;
  }

  private swap(models: ModelSet, records: readonly ModelRecord[]): Promise<ModelSnapshot> {
    return this.install(this.build((this.latest?.version ?? 0) + 1, models, records), records);
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs a model write holding the store's model-write lease (renewed while it runs), after bringing the
   * snapshot up to the store's models: what another replica stored just before is validated against and
   * named first, here as on every replica.
   */
  private locked<T>(work: () => Promise<T>): Promise<T> {
    return this.serialized(async () => {
      const { leaseMs, waitMs } = this.lock;
      const deadline = Date.now() + waitMs;
      while (!(await this.store.lockModels(this.holder, leaseMs))) {
        if (Date.now() >= deadline)
          throw new TwingraphError(
            'StoreUnavailable',
            `Another Twingraph replica has been changing models for over ${Math.round(waitMs / 1000)} s (model changes go one at a time across replicas). Nothing was changed: retry in a moment.`,
          );
        const [low, high] = LOCK_RETRY_MS;
        await new Promise((resolve) => setTimeout(resolve, low + Math.random() * (high - low)));
      }
      const renew = setInterval(
        () => void this.store.lockModels(this.holder, leaseMs).catch(() => undefined),
        Math.max(100, Math.floor(leaseMs / 3)),
      );
      renew.unref();
      try {
        const stored = await this.store.listModels();
        if (!sameRecords(stored, this.snapshot.records)) await this.reload();
        return await work();
      } finally {
        clearInterval(renew);
        // A lease not given back (the store unreachable) runs out by itself.
        await this.store.unlockModels(this.holder).catch(() => undefined);
      }
    });
  }

  /**
   * Follows the model changes in the shared change log, so that an upload, decommission or delete made through
   * another replica of the same store reaches this one's schema too (same names, same order: the snapshot is
   * rebuilt from the store, as at start). Changes this process made are already in its snapshot and cost
   * nothing. Returns a function that stops following.
   */
  follow(feed: ChangeFeed, onError: (error: unknown) => void = () => undefined): () => Promise<void> {
    const RETRY_FOLLOW_MS = 1000;
    let stopped = false;
    let subscription: ChangeSubscription | undefined;
    const run = async (): Promise<void> => {
      while (!stopped) {
        // Rebuilding the schema takes a while: writes need not wait for it (holdsWriters).
        subscription = feed.subscribe({ filter: (c) => c.type.startsWith('Model.'), holdsWriters: false });
        try {
          for await (const change of subscription) await this.catchUp(change);
          // Ended without an error: stopped, or the feed closed.
          return;
        } catch (error) {
          // Fell behind (SlowConsumer) or the store failed: rebuild from the store, and follow again — after a
          // pause, so that a store that keeps failing is not asked again and again in a tight loop.
          onError(error);
          await new Promise((resolve) => setTimeout(resolve, RETRY_FOLLOW_MS).unref());
          if (!stopped) await this.load().catch(onError);
        }
      }
    };
    const running = run();
    return async () => {
      stopped = true;
      await subscription?.return();
      await running;
    };
  }

  /** Rebuilds the snapshot from the store when `change` is not in it yet (made through another replica). */
  private catchUp(change: ChangeEntry): Promise<unknown> {
    return this.serialized(async () => {
      if (this.reflects(change)) return;
      await this.reload();
    });
  }

  private reflects(change: ChangeEntry): boolean {
    const record = this.snapshot.records.find((r) => r.id === change.subject);
    switch (change.type) {
      case 'Model.Create':
        return record !== undefined;
      case 'Model.Decommission':
        return record?.decommissioned === true;
      case 'Model.Delete':
        return record === undefined;
      default:
        return true;
    }
  }

  /** Re-reads every stored model and rebuilds the snapshot from them. */
  async load(): Promise<ModelSnapshot> {
    return this.serialized(() => this.reload());
  }

  private async reload(): Promise<ModelSnapshot> {
    const records = await this.store.listModels({ includeDefinition: true });
    const result = parseModels(records.map((r) => ({ name: r.id, text: JSON.stringify(r.definition) })));
    if (!result.valid) {
      // Stored models passed validation when uploaded; a failure here means a DTDL engine change, which must not brick the server.
      throw dtdlParserError(result.errors);
    }
    return this.swap(
      result.models,
      records.map(({ definition: _d, ...r }) => r),
    );
  }

  /**
   * Validates DTDL documents against the models already known (they may extend or use them), stores the new
   * interfaces, and swaps in a schema with their types.
   */
  async upload(documents: readonly string[], options: WriteOptions = {}): Promise<ModelRecord[]> {
    if (!Array.isArray(documents) || documents.length === 0)
      throw new TwingraphError('InvalidArgument', 'Upload at least one DTDL document.');
    return this.locked(async () => {
      const known = this.snapshot.models;
      const result = parseModels(
        documents.map((text, i) => ({ name: `document ${i + 1}`, text })),
        { known },
      );
      const redefined = result.defined.filter(
        (id) => known.interfaces.has(id) && this.snapshot.records.some((r) => r.id === id),
      );
      if (redefined.length > 0) {
        throw new TwingraphError(
          'ModelAlreadyExists',
          `Model${redefined.length > 1 ? 's' : ''} ${redefined.join(', ')} already exist${redefined.length > 1 ? '' : 's'}. Models are immutable: upload a new version (;2), or delete the model first.`,
          {
            modelId: redefined[0],
            related: redefined,
          },
        );
      }
      if (!result.valid) throw dtdlParserError(result.errors);
      const definitions = interfacesOf(documents);
      const inputs = result.defined.map((id) =>
        modelInput(result.models.interfaces.get(id)!, definitions.get(id) ?? { '@id': id }),
      );
      // Models uploaded together share an upload time, and the store lists them by id: keep that order here
      // too, so that names given now are the names given after a restart. Compile (and check) before storing.
      const ids = [...result.defined].sort();
      const pending = ids.map((id) => ({ id, uploadTime: '\uffff' }));
      const next = this.build(this.snapshot.version + 1, result.models, [...this.snapshot.records, ...pending]);
      const stored = await this.store.putModels(inputs, options);
      const byId = new Map(stored.map((r) => [r.id, r]));
      await this.install(next, [...this.snapshot.records, ...ids.map((id) => byId.get(id)!)]);
      return stored;
    });
  }

  async decommission(id: string, options: WriteOptions = {}): Promise<ModelRecord> {
    return this.locked(async () => {
      const record = await this.store.decommissionModel(id, options);
      await this.swap(
        this.snapshot.models,
        this.snapshot.records.map((r) => (r.id === id ? record : r)),
      );
      return record;
    });
  }

  async delete(id: string, options: WriteOptions = {}): Promise<void> {
    return this.locked(async () => {
      await this.store.deleteModel(id, options);
      const records = this.snapshot.records.filter((r) => r.id !== id);
      const stored = await this.store.listModels({ includeDefinition: true });
      const result = parseModels(stored.map((r) => ({ name: r.id, text: JSON.stringify(r.definition) })));
      if (!result.valid) throw dtdlParserError(result.errors);
      await this.swap(result.models, records);
    });
  }
}
