/**
 * Import: seeds an empty Twingraph from an existing ADT instance — its models (validated by Twingraph's DTDL
 * engine like any upload), then its twins and relationships, validated against those models and written in
 * batches. What ADT holds is taken as it is; nothing is mirrored back.
 *
 * ADT keeps twins whose model was deleted: those cannot be validated (nor written) here, so they are left
 * out, with the relationships from and to them, and named in the summary. Every ADT call that fails
 * transiently (no answer, 408, 429, 5xx) is retried (./retry.ts).
 *
 * Twins and relationships stream: each batch is written as its pages arrive, so memory holds a batch and the
 * ids seen (not ADT's up to 2M twins). ADT's listings cannot resume, so one that fails transiently part-way is
 * started over (retry.ts forEachListed) and what was taken already — by twin id, by source and relationship
 * id — is passed over.
 */
import { TwingraphError } from '../errors';
import type { ModelService } from '../services/models';
import type { Housekeeping, ModelStore, RelationshipWrite, TwinWrite, TwinWrites } from '../store/port';
import type { JsonObject, RelationshipInput, TwinInput } from '../store/types';
import type { Adt } from './adt';
import { adtRelationshipBody, adtTwinBody } from './plan';
import { dependencyOrder } from './reconcile';
import { collect, DEFAULT_RETRY, forEachListed, type RetryOptions, type RetryPolicy } from './retry';

export interface ImportProgress {
  readonly phase: 'models' | 'twins' | 'relationships';
  readonly done: number;
}

export interface ImportSummary {
  readonly models: number;
  readonly twins: number;
  readonly relationships: number;
  readonly ms: number;
  /** Left out: twins whose model ADT no longer has, and the relationships from or to them. */
  readonly skipped: {
    readonly twins: readonly { readonly id: string; readonly model: string }[];
    readonly relationships: readonly {
      readonly sourceId: string;
      readonly relationshipId: string;
      readonly twinId: string;
    }[];
  };
}

export interface ImportOptions {
  /** Retries of transient ADT failures (default DEFAULT_RETRY; tests pass small backoffs). */
  readonly retry?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
  /** Twins or relationships written per store call (default 1,000; tests pass small ones). */
  readonly batchSize?: number;
}

const BATCH = 1000;

/**
 * Imports ADT's models, twins and relationships into an empty Twingraph. All or nothing: when something is
 * refused (a twin that does not validate, a store failure), what was written is taken out again — the
 * twins with their relationships, then the models, dependents first — and the error says so.
 */
export async function importFromAdt(
  store: TwinWrites & ModelStore & Housekeeping,
  models: ModelService,
  adt: Adt,
  progress: (p: ImportProgress) => void = () => undefined,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const counts = await store.counts();
  if (counts.twins > 0 || counts.models > 0) {
    throw new TwingraphError(
      'OperationNotAllowed',
      `Import seeds an empty Twingraph; this one has ${counts.models} models and ${counts.twins} twins. Use another database (TWINGRAPH_DB=<new file>).`,
    );
  }
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry, ...(options.signal && { signal: options.signal }) };
  const written: string[] = [];
  try {
    return await importAll(store, models, adt, progress, written, retry, Math.max(1, options.batchSize ?? BATCH));
  } catch (error) {
    try {
      for (const id of written)
        await store.deleteTwin(id, { cascade: true }).catch((e: unknown) => {
          if (!(e instanceof TwingraphError && e.code === 'DigitalTwinNotFound')) throw e;
        });
      for (const m of dependencyOrder(await store.listModels()).reverse()) await store.deleteModel(m.id);
      await models.load();
    } catch (undo) {
      throw new TwingraphError(
        'OperationNotAllowed',
        `Import failed (${(error as Error).message}), and taking out what it had written failed too (${(undo as Error).message}): start over with another database (TWINGRAPH_DB=<new file>).`,
      );
    }
    if (error instanceof TwingraphError)
      throw new TwingraphError(error.code, `${error.message} Nothing was imported.`, error.subject);
    throw error;
  }
}

async function importAll(
  store: TwinWrites,
  models: ModelService,
  adt: Adt,
  progress: (p: ImportProgress) => void,
  written: string[],
  retry: RetryOptions,
  batchSize: number,
): Promise<ImportSummary> {
  const started = performance.now();

  // The models are read whole (at most 10k in ADT): they are uploaded together, before any twin.
  const listed = await collect(() => adt.listModels({ includeDefinition: true }), retry);
  const definitions: JsonObject[] = [];
  for (const m of listed) {
    if (!m.model)
      throw new TwingraphError('InvalidArgument', `ADT returned model ${m.id} without its definition.`, {
        modelId: m.id,
      });
    definitions.push(m.model);
  }
  if (definitions.length > 0) await models.upload(definitions.map((d) => JSON.stringify(d)));
  progress({ phase: 'models', done: definitions.length });
  // Decommissioned in ADT, decommissioned here (after the twins: ADT's twins of such models exist already).
  const decommissioned = listed.filter((m) => m.decommissioned).map((m) => m.id);
  // Model id → that same string: each twin's model is kept as one shared string, not one copy a twin.
  const inAdt = new Map(listed.map((m) => [m.id, m.id]));

  const { validators } = models.current;
  let twins = 0;
  let batch: TwinWrite[] = [];
  // Twins taken (written, or in the batch): id → model. With skippedIds, what a restarted listing passes over.
  const modelOf = new Map<string, string>();
  const skippedTwins: { id: string; model: string }[] = [];
  const skippedIds = new Set<string>();
  const flushTwins = async (): Promise<void> => {
    if (batch.length === 0) return;
    written.push(...batch.map((t) => t.id));
    await store.createTwins(batch, { ifNoneMatch: '*' });
    twins += batch.length;
    batch = [];
    progress({ phase: 'twins', done: twins });
  };
  await forEachListed(
    () => adt.allTwins(),
    async (t) => {
      const id = t.$dtId as string;
      if (modelOf.has(id) || skippedIds.has(id)) return false;
      const twin = adtTwinBody(t) as unknown as TwinInput;
      const model = inAdt.get(twin.$metadata.$model);
      if (model === undefined) {
        // ADT deleted the model and kept the twin: there is nothing to validate it against.
        skippedTwins.push({ id, model: twin.$metadata.$model });
        skippedIds.add(id);
        return true;
      }
      validators.validateTwin(model, twin, id);
      modelOf.set(id, model);
      batch.push({ id, twin });
      if (batch.length >= batchSize) await flushTwins();
      return true;
    },
    retry,
  );
  await flushTwins();

  let relationships = 0;
  let rels: RelationshipWrite[] = [];
  const skippedRelationships: { sourceId: string; relationshipId: string; twinId: string }[] = [];
  // Relationships taken or skipped ("source\nrelationship id"): what a restarted listing passes over.
  const seen = new Set<string>();
  const flushRelationships = async (): Promise<void> => {
    if (rels.length === 0) return;
    await store.putRelationships(rels, { ifNoneMatch: '*' });
    relationships += rels.length;
    rels = [];
    progress({ phase: 'relationships', done: relationships });
  };
  await forEachListed(
    () => adt.allRelationships(),
    async (r) => {
      const sourceId = r.$sourceId as string;
      const relationshipId = r.$relationshipId as string;
      const key = `${sourceId}\n${relationshipId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      const targetId = r.$targetId as string;
      const left = skippedIds.has(sourceId) ? sourceId : skippedIds.has(targetId) ? targetId : undefined;
      if (left !== undefined) {
        skippedRelationships.push({ sourceId, relationshipId, twinId: left });
        return true;
      }
      const relationship = adtRelationshipBody(r) as unknown as RelationshipInput;
      const source = modelOf.get(sourceId);
      if (source)
        validators.validateRelationship(source, r.$relationshipName as string, relationship, modelOf.get(targetId), {
          twinId: sourceId,
          relationshipId,
        });
      rels.push({ sourceId, relationshipId, relationship });
      if (rels.length >= batchSize) await flushRelationships();
      return true;
    },
    retry,
  );
  await flushRelationships();
  for (const id of decommissioned) await models.decommission(id);
  return {
    models: definitions.length,
    twins,
    relationships,
    ms: performance.now() - started,
    skipped: { twins: skippedTwins, relationships: skippedRelationships },
  };
}
