/**
 * Loads the demo firm into an empty store: the models of dtdl/ (unless they are there already), then the
 * twins and relationships, validated against the models like any write, then 30 days of telemetry.
 * Telemetry is backfilled (`logPoints: false`): each batch leaves one change entry per twin saying how many
 * points arrived, not seven million entries.
 */
import { DEMO_MODELS } from './models';
import { TwingraphError } from '../errors';
import type { ModelService } from '../services/models';
import type { Housekeeping, MetricStore, ModelStore, TwinWrites } from '../store/port';

/** What loading the demo writes and checks. */
type DemoStore = ModelStore & TwinWrites & MetricStore & Housekeeping;
import type { JsonValue, MetricPoint } from '../store/types';
import type { Catalogue } from './catalogue';
import { currentHour, planFirm, type Firm } from './firm';
import { telemetryBatches } from './telemetry';

export type SeedPhase = 'models' | 'twins' | 'relationships' | 'telemetry';

export interface SeedProgress {
  readonly phase: SeedPhase;
  readonly done: number;
  readonly total: number;
}

export interface SeedOptions {
  readonly catalogue: Catalogue;
  /** The DTDL documents of the demo models (the files of dtdl/). */
  readonly documents: readonly { readonly name: string; readonly text: string }[];
  /** The time the data ends at, a whole hour (default: the start of the current hour). */
  readonly asOf?: number;
  readonly progress?: (progress: SeedProgress) => void;
}

export interface SeedSummary {
  readonly asOf: string;
  readonly models: number;
  readonly twins: number;
  readonly relationships: number;
  readonly metricPoints: number;
  readonly ms: number;
  readonly firm: Firm;
}

const TWINS_PER_WRITE = 1000;
const RELATIONSHIPS_PER_WRITE = 2000;

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * Uploads the demo documents the store does not have; refuses when it holds a different definition of one
 * (models are immutable, and data generated for today's models would not fit yesterday's).
 */
async function ensureModels(
  store: DemoStore,
  models: ModelService,
  documents: SeedOptions['documents'],
): Promise<number> {
  const stored = new Map((await store.listModels({ includeDefinition: true })).map((m) => [m.id, m.definition]));
  const missing: string[] = [];
  for (const doc of documents) {
    const parsed = JSON.parse(doc.text) as { '@id'?: unknown };
    const id = typeof parsed['@id'] === 'string' ? parsed['@id'] : undefined;
    if (id === undefined || !stored.has(id)) {
      missing.push(doc.text);
      continue;
    }
    if (canonical(stored.get(id)) !== canonical(parsed)) {
      throw new TwingraphError(
        'ModelAlreadyExists',
        `The store holds a different definition of ${id} than ${doc.name}: the demo data needs the models in dtdl/. Start from an empty store (TWINGRAPH_DB=<new file>), or delete that model first.`,
        { modelId: id },
      );
    }
  }
  if (missing.length > 0) await models.upload(missing);
  for (const id of Object.values(DEMO_MODELS)) {
    if (!models.current.models.interfaces.has(id))
      throw new TwingraphError(
        'ModelNotFound',
        `The demo needs model ${id}, which the DTDL documents given do not define.`,
        { modelId: id },
      );
  }
  return missing.length;
}

/** Every telemetry value is validated, numbers once per series and batch (they are all numbers of one schema). */
function validateBatch(
  points: readonly MetricPoint[],
  modelOf: (twinId: string) => string,
  models: ModelService,
): void {
  const { validators } = models.current;
  const checked = new Map<string, Set<string>>();
  for (const p of points) {
    if (typeof p.value === 'number') {
      let names = checked.get(p.twinId);
      if (!names) checked.set(p.twinId, (names = new Set()));
      if (names.has(p.name)) continue;
      names.add(p.name);
    }
    validators.validateTelemetry(modelOf(p.twinId), p.name, p.value as JsonValue, p.twinId);
  }
}

export async function loadDemo(store: DemoStore, models: ModelService, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const report = options.progress ?? (() => undefined);
  const counts = await store.counts();
  if (counts.twins > 0) {
    throw new TwingraphError(
      'OperationNotAllowed',
      `The demo data loads into an empty store; this one has ${counts.twins} twins. Use another database (TWINGRAPH_DB=<new file>) or delete the twins first.`,
    );
  }
  report({ phase: 'models', done: 0, total: options.documents.length });
  const uploaded = await ensureModels(store, models, options.documents);
  report({ phase: 'models', done: options.documents.length, total: options.documents.length });

  const firm = planFirm(options.catalogue, options.asOf ?? currentHour());
  const { validators } = models.current;
  const modelOf = new Map(firm.twins.map((t) => [t.id, t.twin.$metadata.$model]));
  for (const { id, twin } of firm.twins) validators.validateTwin(twin.$metadata.$model, twin, id);
  for (const { sourceId, relationshipId, relationship } of firm.relationships) {
    validators.validateRelationship(
      modelOf.get(sourceId)!,
      relationship.$relationshipName as string,
      relationship,
      modelOf.get(relationship.$targetId as string),
      { twinId: sourceId, relationshipId },
    );
  }

  for (let i = 0; i < firm.twins.length; i += TWINS_PER_WRITE) {
    await store.createTwins(firm.twins.slice(i, i + TWINS_PER_WRITE), { ifNoneMatch: '*' });
    report({ phase: 'twins', done: Math.min(firm.twins.length, i + TWINS_PER_WRITE), total: firm.twins.length });
  }
  for (let i = 0; i < firm.relationships.length; i += RELATIONSHIPS_PER_WRITE) {
    await store.putRelationships(firm.relationships.slice(i, i + RELATIONSHIPS_PER_WRITE), { ifNoneMatch: '*' });
    report({
      phase: 'relationships',
      done: Math.min(firm.relationships.length, i + RELATIONSHIPS_PER_WRITE),
      total: firm.relationships.length,
    });
  }

  const hours = options.catalogue.telemetryDays * 24;
  const total =
    firm.devices.length * 3 * hours +
    firm.truth.devices.reduce((n, d) => n + d.stateChanges, 0) +
    firm.engagements.length * 2 * hours;
  let points = 0;
  for (const batch of telemetryBatches(firm, options.catalogue)) {
    validateBatch(batch, (id) => modelOf.get(id)!, models);
    points += (await store.appendMetrics(batch, { logPoints: false })).points;
    report({ phase: 'telemetry', done: points, total });
  }
  return {
    asOf: new Date(firm.asOf).toISOString(),
    models: uploaded,
    twins: firm.twins.length,
    relationships: firm.relationships.length,
    metricPoints: points,
    ms: performance.now() - started,
    firm,
  };
}
