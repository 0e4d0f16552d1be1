/**
 * Import: seeds an empty Twingraph from an existing ADT instance — its models (validated by Twingraph's DTDL
 * engine like any upload), then its twins and relationships, validated against those models and written in
 * batches. What ADT holds is taken as it is; nothing is mirrored back.
 */
import { TwingraphError } from '../errors';
import type { ModelService } from '../services/models';
import type { RelationshipWrite, TwinStore, TwinWrite } from '../store/port';
import type { JsonObject, RelationshipInput, TwinInput } from '../store/types';
import type { Adt } from './adt';
import { adtRelationshipBody, adtTwinBody } from './plan';
import { dependencyOrder } from './reconcile';

export interface ImportProgress {
  readonly phase: 'models' | 'twins' | 'relationships';
  readonly done: number;
}

export interface ImportSummary {
  readonly models: number;
  readonly twins: number;
  readonly relationships: number;
  readonly ms: number;
}

const BATCH = 1000;

/**
 * Imports ADT's models, twins and relationships into an empty Twingraph. All or nothing: when something is
 * refused (a twin that does not validate, a store failure), what was written is taken out again — the
 * twins with their relationships, then the models, dependents first — and the error says so.
 */
export async function importFromAdt(store: TwinStore, models: ModelService, adt: Adt, progress: (p: ImportProgress) => void = () => undefined): Promise<ImportSummary> {
  const counts = await store.counts();
  if (counts.twins > 0 || counts.models > 0) {
    throw new TwingraphError('OperationNotAllowed', `Import seeds an empty Twingraph; this one has ${counts.models} models and ${counts.twins} twins. Use another database (TWINGRAPH_DB=<new file>).`);
  }
  const written: string[] = [];
  try {
    return await importAll(store, models, adt, progress, written);
  } catch (error) {
    try {
      for (const id of written) await store.deleteTwin(id, { cascade: true }).catch((e: unknown) => {
        if (!(e instanceof TwingraphError && e.code === 'DigitalTwinNotFound')) throw e;
      });
      for (const m of dependencyOrder(await store.listModels()).reverse()) await store.deleteModel(m.id);
      await models.load();
    } catch (undo) {
      throw new TwingraphError('OperationNotAllowed', `Import failed (${(error as Error).message}), and taking out what it had written failed too (${(undo as Error).message}): start over with another database (TWINGRAPH_DB=<new file>).`);
    }
    if (error instanceof TwingraphError) throw new TwingraphError(error.code, `${error.message} Nothing was imported.`, error.subject);
    throw error;
  }
}

async function importAll(store: TwinStore, models: ModelService, adt: Adt, progress: (p: ImportProgress) => void, written: string[]): Promise<ImportSummary> {
  const started = performance.now();

  const definitions: JsonObject[] = [];
  for await (const m of adt.listModels({ includeDefinition: true })) {
    if (!m.model) throw new TwingraphError('InvalidArgument', `ADT returned model ${m.id} without its definition.`, { modelId: m.id });
    definitions.push(m.model);
  }
  if (definitions.length > 0) await models.upload(definitions.map((d) => JSON.stringify(d)));
  progress({ phase: 'models', done: definitions.length });
  // Decommissioned in ADT, decommissioned here (after the twins: ADT's twins of such models exist already).
  const decommissioned: string[] = [];
  for await (const m of adt.listModels()) if (m.decommissioned) decommissioned.push(m.id);

  const { validators } = models.current;
  let twins = 0;
  let batch: TwinWrite[] = [];
  const modelOf = new Map<string, string>();
  const flushTwins = async (): Promise<void> => {
    if (batch.length === 0) return;
    written.push(...batch.map((t) => t.id));
    await store.createTwins(batch, { ifNoneMatch: '*' });
    twins += batch.length;
    batch = [];
    progress({ phase: 'twins', done: twins });
  };
  for await (const t of adt.allTwins()) {
    const id = t.$dtId as string;
    const twin = adtTwinBody(t) as unknown as TwinInput;
    validators.validateTwin(twin.$metadata.$model, twin, id);
    modelOf.set(id, twin.$metadata.$model);
    batch.push({ id, twin });
    if (batch.length >= BATCH) await flushTwins();
  }
  await flushTwins();

  let relationships = 0;
  let rels: RelationshipWrite[] = [];
  const flushRelationships = async (): Promise<void> => {
    if (rels.length === 0) return;
    await store.putRelationships(rels, { ifNoneMatch: '*' });
    relationships += rels.length;
    rels = [];
    progress({ phase: 'relationships', done: relationships });
  };
  for await (const r of adt.allRelationships()) {
    const sourceId = r.$sourceId as string;
    const relationshipId = r.$relationshipId as string;
    const relationship = adtRelationshipBody(r) as unknown as RelationshipInput;
    const source = modelOf.get(sourceId);
    if (source) validators.validateRelationship(source, r.$relationshipName as string, relationship, modelOf.get(r.$targetId as string), { twinId: sourceId, relationshipId });
    rels.push({ sourceId, relationshipId, relationship });
    if (rels.length >= BATCH) await flushRelationships();
  }
  await flushRelationships();
  for (const id of decommissioned) await models.decommission(id);
  return { models: definitions.length, twins, relationships, ms: performance.now() - started };
}
