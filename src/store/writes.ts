/**
 * The write rules of the store, once for both adapters (see effects.ts): ETag preconditions, ADT's model and
 * reference rules, and the change-log entry each write records. Each function is the body of one transaction.
 */
import { compare } from 'fast-json-patch';
import { parseDtmi } from '../dtdl/dtmi';
import { etagMismatch, modelNotFound, relationshipNotFound, twinNotFound, TwingraphError } from '../errors';
import { idsOf, ItemErrors, refuseRepeats } from './batch-errors';
import {
  commandChange,
  commandOutcomeChange,
  isoTime,
  modelChange,
  relationshipChange,
  telemetryChange,
  twinChange,
  type PendingChange,
} from './changes';
import { requireIfMatch } from './conditions';
import {
  buildRelationship,
  buildTwin,
  checkId,
  diffTwins,
  etagMatches,
  patchRelationship as applyRelationshipPatch,
  patchTwin as applyTwinPatch,
  type DocumentLimits,
} from './documents';
import {
  call,
  relationshipKey,
  type NewModel,
  type PointRow,
  type RelationshipRow,
  type Steps,
  type TwinRow,
} from './effects';
import type {
  AppendMetricsOptions,
  AppendMetricsResult,
  DeleteTwinOptions,
  IfMatch,
  IfNoneMatch,
  PatchRelationshipOptions,
  PatchTwinOptions,
  RelationshipWrite,
  TwinPatchWrite,
  TwinWrite,
} from './port';
import { isName } from './query';
import type {
  ChangeEntry,
  CommandOutcomeRecord,
  JsonPatch,
  JsonValue,
  MetricPoint,
  ModelInput,
  ModelRecord,
  PatchOperation,
  Relationship,
  Twin,
  TwinInput,
} from './types';

export interface WriteContext {
  /** The transaction's time: every timestamp this write sets. */
  readonly time: string;
  readonly limits: DocumentLimits;
  /**
   * Serializes a document the write builds (a twin, for its size check): SQLite's keeps the text for the row
   * and its change-log entry, so each twin is serialized once. JSON.stringify when absent.
   */
  readonly json?: (document: object) => string;
}

/** A relationship deletion by cascade is bounded by ADT's own per-twin limits (50,000 each way). */
const MAX_CASCADE = 100_000;
/** How many relationship ids a RelationshipsNotDeleted error names. */
const NAMED_IN_ERROR = 10;

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** The index of the first value seen before (−1 if none): batches hold thousands, so not indexOf per item. */
function firstRepeat<T>(values: readonly T[]): number {
  const seen = new Set<T>();
  for (let i = 0; i < values.length; i++) {
    if (seen.has(values[i])) return i;
    seen.add(values[i]);
  }
  return -1;
}

// ── Models ────────────────────────────────────────────────────────────────────────────────────────

function checkModelInput(input: ModelInput): void {
  const dtmi = typeof input?.id === 'string' ? parseDtmi(input.id) : undefined;
  if (!dtmi || dtmi.fragment !== '' || input.id.length > 128) {
    throw new TwingraphError(
      'InvalidArgument',
      `${JSON.stringify(input?.id)} is not an interface DTMI (dtmi:<path>;<version>, at most 128 characters).`,
    );
  }
  if (input.definition === null || typeof input.definition !== 'object' || Array.isArray(input.definition)) {
    throw new TwingraphError('InvalidArgument', `The definition of model '${input.id}' must be its DTDL JSON object.`, {
      modelId: input.id,
    });
  }
  for (const list of [input.ancestors, input.dependencies]) {
    if (!Array.isArray(list) || list.some((m) => typeof m !== 'string' || !parseDtmi(m))) {
      throw new TwingraphError(
        'InvalidArgument',
        `The ancestors and dependencies of model '${input.id}' must be lists of DTMIs.`,
        { modelId: input.id },
      );
    }
  }
}

export function* putModels(inputs: readonly ModelInput[], ctx: WriteContext): Steps<ModelRecord[]> {
  inputs.forEach(checkModelInput);
  const ids = inputs.map((m) => m.id);
  const repeat = firstRepeat(ids);
  if (repeat >= 0)
    throw new TwingraphError('InvalidArgument', `Model '${ids[repeat]}' appears twice in one upload.`, {
      modelId: ids[repeat],
    });
  const referenced = unique(inputs.flatMap((m) => [...m.ancestors, ...m.dependencies])).filter(
    (id) => !ids.includes(id),
  );
  const stored = yield* call('models', [...ids, ...referenced]);
  const existing = ids.filter((id) => stored.has(id));
  if (existing.length > 0) {
    throw new TwingraphError(
      'ModelAlreadyExists',
      `Model${existing.length > 1 ? 's' : ''} ${existing.join(', ')} already exist${existing.length > 1 ? '' : 's'}. Models are immutable: upload a new version (;2) instead.`,
      {
        modelId: existing[0],
        related: existing,
      },
    );
  }
  const missing = referenced.find((id) => !stored.has(id));
  if (missing) throw modelNotFound(missing);
  // Models are listed (and named) in upload order: an upload comes after the one before it even when the
  // replica taking it has a clock behind that one's (uploads are one at a time under the model-write lease).
  const newest = yield* call('newestModelUpload');
  const uploadTime = newest !== null && newest >= ctx.time ? isoTime(Date.parse(newest) + 1) : ctx.time;
  const models: NewModel[] = inputs.map((m) => ({
    record: {
      id: m.id,
      uploadTime,
      decommissioned: false,
      ancestors: [...m.ancestors],
      dependencies: [...m.dependencies],
      ...(m.displayName && { displayName: m.displayName }),
      ...(m.description && { description: m.description }),
    },
    definition: m.definition,
  }));
  yield* call('insertModels', models);
  yield* call(
    'appendChanges',
    models.map((m) => modelChange('Model.Create', { ...m.record, definition: m.definition }, ctx.time)),
  );
  return models.map((m) => m.record);
}

function* requireModel(id: string): Steps<ModelRecord> {
  const model = (yield* call('models', [id])).get(id);
  if (!model) throw modelNotFound(id);
  return model;
}

export function* decommissionModel(id: string, ctx: WriteContext): Steps<ModelRecord> {
  const model = yield* requireModel(id);
  if (model.decommissioned) return model;
  const record = { ...model, decommissioned: true };
  yield* call('decommissionModel', id);
  yield* call('appendChanges', [modelChange('Model.Decommission', record, ctx.time)]);
  return record;
}

export function* deleteModel(id: string, ctx: WriteContext): Steps<void> {
  const model = yield* requireModel(id);
  const dependents = yield* call('modelDependents', id);
  if (dependents.length > 0) {
    throw new TwingraphError(
      'ModelReferencesNotDeleted',
      `Model '${id}' is still referenced (extended or used as a component) by ${dependents.join(', ')}. Delete those models first.`,
      { modelId: id, related: dependents },
    );
  }
  yield* call('deleteModel', id);
  yield* call('appendChanges', [modelChange('Model.Delete', model, ctx.time)]);
}

// ── Twins ─────────────────────────────────────────────────────────────────────────────────────────

/** The model a twin is written with must exist, and a decommissioned one may not be given to a twin anew. */
function checkModelFor(
  twinId: string,
  modelId: string,
  models: Map<string, ModelRecord>,
  previousModel: string | undefined,
): ModelRecord {
  const model = models.get(modelId);
  if (!model) throw modelNotFound(modelId, { twinId });
  if (model.decommissioned && previousModel !== modelId) {
    throw new TwingraphError(
      'ModelDecommissioned',
      `Model '${modelId}' is decommissioned: no new twin may use it. Use a newer version of the model.`,
      { modelId, twinId },
    );
  }
  return model;
}

/** A model's id and ancestors (a twin row's `models`), made once per model record: every row of a batch shares it. */
const modelLabels = new WeakMap<ModelRecord, readonly string[]>();

function twinRow(twin: Twin, model: ModelRecord, previous?: Twin): TwinRow {
  let models = modelLabels.get(model);
  if (!models) modelLabels.set(model, (models = Object.freeze([model.id, ...model.ancestors])));
  return previous ? { twin, models, previous } : { twin, models };
}

function modelOfInput(input: TwinInput): string {
  const model = (input as { $metadata?: { $model?: unknown } })?.$metadata?.$model;
  return typeof model === 'string' ? model : '';
}

export function* createTwins(writes: readonly TwinWrite[], options: IfNoneMatch, ctx: WriteContext): Steps<Twin[]> {
  const ids = writes.map((w) => w.id);
  ids.forEach((id) => checkId(id, 'twin', ctx.limits));
  const repeat = firstRepeat(ids);
  if (repeat >= 0)
    throw new TwingraphError('InvalidArgument', `Twin '${ids[repeat]}' appears twice in one batch.`, {
      twinId: ids[repeat],
    });
  const existing = yield* call('twins', ids);
  const models = yield* call('models', unique(writes.map((w) => modelOfInput(w.twin)).filter((m) => m !== '')));
  const rows: TwinRow[] = [];
  const changes: PendingChange[] = [];
  for (const { id, twin: input, ifMatch, ifNoneMatch } of writes) {
    const previous = existing.get(id);
    if (previous && (options.ifNoneMatch === '*' || ifNoneMatch === '*')) {
      throw new TwingraphError(
        'PreconditionFailed',
        `A twin with id '${id}' already exists (If-None-Match: *). Choose another id, or update the twin instead.`,
        { twinId: id },
      );
    }
    if (ifMatch !== undefined) {
      if (!previous) throw twinNotFound(id);
      if (!etagMatches(ifMatch, previous.$etag))
        throw etagMismatch(`Twin '${id}'`, ifMatch, previous.$etag, { twinId: id });
    }
    const twin = buildTwin(id, input, ctx.time, previous, ctx.limits, ctx.json);
    const model = checkModelFor(id, twin.$metadata.$model, models, previous?.$metadata.$model);
    rows.push(twinRow(twin, model, previous));
    changes.push(
      previous
        ? twinChange('Twin.Update', twin, ctx.time, diffTwins(previous, twin))
        : twinChange('Twin.Create', twin, ctx.time),
    );
  }
  yield* call('writeTwins', rows);
  yield* call('appendChanges', changes);
  return rows.map((r) => r.twin);
}

/** The twin a write starts from, under the ETag rule every conditional write follows (./conditions.ts). */
function* requireTwin(id: string, ifMatch: string | undefined): Steps<Twin> {
  if (typeof id !== 'string') throw twinNotFound(String(id));
  const twin = (yield* call('twins', [id])).get(id);
  if (!twin) throw twinNotFound(id);
  requireIfMatch(ifMatch, twin.$etag, `Twin '${id}'`, { twinId: id });
  return twin;
}

export function* replaceTwin(id: string, input: TwinInput, options: IfMatch, ctx: WriteContext): Steps<Twin> {
  const previous = yield* requireTwin(id, options.ifMatch);
  const twin = buildTwin(id, input, ctx.time, previous, ctx.limits, ctx.json);
  const models = yield* call('models', [twin.$metadata.$model]);
  const model = checkModelFor(id, twin.$metadata.$model, models, previous.$metadata.$model);
  yield* call('writeTwins', [twinRow(twin, model, previous)]);
  yield* call('appendChanges', [twinChange('Twin.Update', twin, ctx.time, diffTwins(previous, twin))]);
  return twin;
}

/** The model a patched twin is written with: its previous one must still exist (ADT: such twins cannot be updated). */
function checkPatchedModel(previous: Twin, twin: Twin, models: Map<string, ModelRecord>): ModelRecord {
  const id = previous.$dtId;
  if (!models.has(previous.$metadata.$model)) {
    throw new TwingraphError(
      'ModelNotFound',
      `Twin '${id}' cannot be updated: its model '${previous.$metadata.$model}' was deleted. Move it to another model with a replace, or delete it.`,
      {
        twinId: id,
        modelId: previous.$metadata.$model,
      },
    );
  }
  return checkModelFor(id, twin.$metadata.$model, models, previous.$metadata.$model);
}

/**
 * A patch, applied once to the twin as the transaction finds it; `options.check` (the services' validation)
 * sees the patched twin before anything is written. The ETag condition is read as every write reads it
 * (requireIfMatch: an empty one matches nothing, in the same words). A patch made from the twin (`patch` a
 * function) is made here, after the condition; made empty, nothing is written.
 */
export function* patchTwin(
  id: string,
  patch: JsonPatch | ((current: Twin) => JsonPatch),
  options: PatchTwinOptions,
  ctx: WriteContext,
): Steps<Twin> {
  const previous = yield* requireTwin(id, options.ifMatch);
  const operations = typeof patch === 'function' ? patch(previous) : patch;
  if (typeof patch === 'function' && operations.length === 0) return previous;
  const { twin, patch: applied } = applyTwinPatch(previous, operations, ctx.time, ctx.limits, ctx.json);
  const models = yield* call('models', unique([previous.$metadata.$model, twin.$metadata.$model]));
  const model = checkPatchedModel(previous, twin, models);
  options.check?.(twin);
  yield* call('writeTwins', [twinRow(twin, model, previous)]);
  yield* call('appendChanges', [twinChange('Twin.Update', twin, ctx.time, applied)]);
  return twin;
}

/**
 * Several patches in one transaction, each as patchTwin would apply it alone (its own ifMatch, its own
 * change-log entry), read and written in one round each, and checked by `check` (the services' validation)
 * before anything is written. Every item is checked: a refusal names each refused item (BatchFailed), and
 * then nothing is written. A twin appears at most once: two patches of one twin in a batch would make the
 * second one's ifMatch meaningless.
 */
export function* patchTwins(
  patches: readonly TwinPatchWrite[],
  ctx: WriteContext,
  check?: (twin: Twin, index: number) => void,
): Steps<Twin[]> {
  if (!Array.isArray(patches)) throw new TwingraphError('InvalidArgument', 'Patches are written as a list.');
  const errors = new ItemErrors('patches');
  const ids = patches.map((p, index) =>
    errors.check(index, () => {
      if (p === null || typeof p !== 'object')
        throw new TwingraphError('InvalidArgument', `Item ${index} is not a twin patch.`);
      checkId(p.id, 'twin', ctx.limits);
      return p.id;
    }),
  );
  refuseRepeats(
    ids,
    errors,
    (index, first) =>
      new TwingraphError(
        'InvalidArgument',
        `Twin '${ids[index]}' appears twice in one batch (items ${first} and ${index}): give each twin one patch with all its operations.`,
        { twinId: ids[index] },
      ),
  );
  const wanted = ids.filter((id, index): id is string => id !== undefined && !errors.has(index));
  if (wanted.length === 0) {
    errors.throwIfAny(patches.length);
    return [];
  }
  const existing = yield* call('twins', wanted);
  const patched = patches.map((item, index) =>
    errors.check(
      index,
      () => {
        const { id, patch, ifMatch } = item;
        const previous = existing.get(id);
        if (!previous) throw twinNotFound(id);
        requireIfMatch(ifMatch, previous.$etag, `Twin '${id}'`, { twinId: id });
        const applied = applyTwinPatch(previous, patch, ctx.time, ctx.limits, ctx.json);
        return { previous, twin: applied.twin, patch: applied.patch };
      },
      () => idsOf(ids[index]),
    ),
  );
  const modelIds = new Set<string>();
  for (const p of patched) if (p) modelIds.add(p.previous.$metadata.$model).add(p.twin.$metadata.$model);
  const models = yield* call('models', [...modelIds]);
  const rows = patched.map((p, index) =>
    errors.check(
      index,
      () => {
        const row = twinRow(p!.twin, checkPatchedModel(p!.previous, p!.twin, models), p!.previous);
        check?.(p!.twin, index);
        return row;
      },
      () => idsOf(p?.twin.$dtId),
    ),
  );
  errors.throwIfAny(patches.length);
  yield* call('writeTwins', rows as TwinRow[]);
  yield* call(
    'appendChanges',
    patched.map((p) => twinChange('Twin.Update', p!.twin, ctx.time, p!.patch)),
  );
  return (rows as TwinRow[]).map((r) => r.twin);
}

export function* deleteTwin(id: string, options: DeleteTwinOptions, ctx: WriteContext): Steps<void> {
  const twin = yield* requireTwin(id, options.ifMatch);
  const touching = yield* call('relationshipsTouching', id, options.cascade ? MAX_CASCADE + 1 : NAMED_IN_ERROR);
  const changes: PendingChange[] = [];
  if (touching.length > 0) {
    if (!options.cascade) {
      const names = touching.map((r) => `${r.$sourceId}/${r.$relationshipId}`);
      throw new TwingraphError(
        'RelationshipsNotDeleted',
        `Twin '${id}' has relationships (${names.join(', ')}${touching.length >= NAMED_IN_ERROR ? ', …' : ''}). Delete them first, or delete with cascade.`,
        { twinId: id, related: names },
      );
    }
    if (touching.length > MAX_CASCADE) {
      throw new TwingraphError(
        'LimitExceeded',
        `Twin '${id}' has more than ${MAX_CASCADE} relationships: delete some of them before a cascading delete.`,
        { twinId: id },
      );
    }
    const sourceModels = yield* call('twinModels', unique(touching.map((r) => r.$sourceId)));
    yield* call('deleteRelationships', touching);
    for (const r of touching)
      changes.push(relationshipChange('Relationship.Delete', r, sourceModels.get(r.$sourceId), ctx.time));
  }
  yield* call('deleteTwins', [id]);
  changes.push(twinChange('Twin.Delete', twin, ctx.time));
  yield* call('appendChanges', changes);
}

// ── Relationships ─────────────────────────────────────────────────────────────────────────────────

/** What a replace changed, for the change log: properties, target and name. */
function diffRelationships(before: Relationship, after: Relationship): PatchOperation[] {
  const strip = (r: Relationship): Record<string, unknown> => {
    const { $etag: _e, $sourceId: _s, $relationshipId: _i, ...rest } = r;
    return rest;
  };
  return compare(strip(before), strip(after)) as PatchOperation[];
}

export function* putRelationships(
  writes: readonly RelationshipWrite[],
  options: IfNoneMatch,
  ctx: WriteContext,
): Steps<Relationship[]> {
  const relationships = writes.map((w) => buildRelationship(w.sourceId, w.relationshipId, w.relationship, ctx.limits));
  const keys = relationships.map((r) => relationshipKey(r.$sourceId, r.$relationshipId));
  const repeat = firstRepeat(keys);
  if (repeat >= 0) {
    const r = relationships[repeat];
    throw new TwingraphError(
      'InvalidArgument',
      `Relationship '${r.$relationshipId}' of twin '${r.$sourceId}' appears twice in one batch.`,
      { twinId: r.$sourceId, relationshipId: r.$relationshipId },
    );
  }
  const twinModels = yield* call('twinModels', unique(relationships.flatMap((r) => [r.$sourceId, r.$targetId])));
  const sourceModels = yield* call(
    'models',
    unique(relationships.map((r) => twinModels.get(r.$sourceId) ?? '').filter((m) => m !== '')),
  );
  const existing = yield* call(
    'relationships',
    relationships.map((r) => [r.$sourceId, r.$relationshipId] as const),
  );
  const rows: RelationshipRow[] = [];
  const changes: PendingChange[] = [];
  for (const [index, relationship] of relationships.entries()) {
    const { $sourceId: sourceId, $relationshipId: id, $targetId: targetId } = relationship;
    const sourceModel = twinModels.get(sourceId);
    if (sourceModel === undefined) throw twinNotFound(sourceId);
    if (!twinModels.has(targetId)) {
      throw new TwingraphError(
        'TargetTwinNotFound',
        `Relationship '${id}' points at twin '${targetId}', which does not exist. Create the target twin first.`,
        { twinId: targetId, relationshipId: id },
      );
    }
    if (!sourceModels.has(sourceModel)) {
      throw new TwingraphError(
        'ModelNotFound',
        `Twin '${sourceId}' cannot get new relationships: its model '${sourceModel}' was deleted.`,
        { twinId: sourceId, modelId: sourceModel },
      );
    }
    const previous = existing.get(relationshipKey(sourceId, id));
    const { ifMatch, ifNoneMatch } = writes[index];
    if (previous && (options.ifNoneMatch === '*' || ifNoneMatch === '*')) {
      throw new TwingraphError(
        'PreconditionFailed',
        `Twin '${sourceId}' already has a relationship '${id}' (If-None-Match: *). Choose another id, or update it instead.`,
        { twinId: sourceId, relationshipId: id },
      );
    }
    if (ifMatch !== undefined) {
      if (!previous) throw relationshipNotFound(sourceId, id);
      if (!etagMatches(ifMatch, previous.$etag))
        throw etagMismatch(`Relationship '${id}' of twin '${sourceId}'`, ifMatch, previous.$etag, {
          twinId: sourceId,
          relationshipId: id,
        });
    }
    rows.push({ relationship, ...(previous && { previous }) });
    changes.push(
      previous
        ? relationshipChange(
            'Relationship.Update',
            relationship,
            sourceModel,
            ctx.time,
            diffRelationships(previous, relationship),
          )
        : relationshipChange('Relationship.Create', relationship, sourceModel, ctx.time),
    );
  }
  yield* call('writeRelationships', rows);
  yield* call('appendChanges', changes);
  return relationships;
}

function* requireRelationship(
  sourceId: string,
  id: string,
  ifMatch: string | undefined,
): Steps<{ relationship: Relationship; source: Twin }> {
  const source = yield* requireTwin(sourceId, undefined);
  const relationship = (yield* call('relationships', [[sourceId, id]])).get(relationshipKey(sourceId, id));
  if (!relationship) throw relationshipNotFound(sourceId, id);
  requireIfMatch(ifMatch, relationship.$etag, `Relationship '${id}' of twin '${sourceId}'`, {
    twinId: sourceId,
    relationshipId: id,
  });
  return { relationship, source };
}

/**
 * A patch of a relationship, applied to it as the transaction finds it; `options.check` (the services'
 * validation) sees the patched relationship and its ends' models before anything is written.
 */
export function* patchRelationship(
  sourceId: string,
  id: string,
  patch: JsonPatch,
  options: PatchRelationshipOptions,
  ctx: WriteContext,
): Steps<Relationship> {
  const { relationship: previous, source } = yield* requireRelationship(sourceId, id, options.ifMatch);
  const { relationship, patch: applied } = applyRelationshipPatch(previous, patch, ctx.limits);
  if (options.check) {
    const target = relationship.$targetId;
    options.check(relationship, source.$metadata.$model, (yield* call('twinModels', [target])).get(target));
  }
  yield* call('writeRelationships', [{ relationship, previous }]);
  yield* call('appendChanges', [
    relationshipChange('Relationship.Update', relationship, source.$metadata.$model, ctx.time, applied),
  ]);
  return relationship;
}

export function* deleteRelationship(sourceId: string, id: string, options: IfMatch, ctx: WriteContext): Steps<void> {
  const { relationship, source } = yield* requireRelationship(sourceId, id, options.ifMatch);
  yield* call('deleteRelationships', [relationship]);
  yield* call('appendChanges', [
    relationshipChange('Relationship.Delete', relationship, source.$metadata.$model, ctx.time),
  ]);
}

// ── Metrics ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Parses a point's time, remembering the last one: points come in runs sharing a time (every series of a
 * batch at one instant), and parsing 7 million ISO strings is a second of a seed load.
 */
const parseTime = (() => {
  let lastText: string | undefined;
  let lastTs = NaN;
  return (text: unknown): number => {
    if (text === lastText) return lastTs;
    const ts = typeof text === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
    if (typeof text === 'string') {
      lastText = text;
      lastTs = ts;
    }
    return ts;
  };
})();

function toPointRow(point: MetricPoint, index: number): PointRow {
  const at = `Point ${index}`;
  if (point === null || typeof point !== 'object')
    throw new TwingraphError('InvalidArgument', `${at} is not an object.`);
  if (typeof point.twinId !== 'string' || point.twinId.length === 0)
    throw new TwingraphError('InvalidArgument', `${at} has no twinId.`);
  if (typeof point.name !== 'string' || !isName(point.name) || point.name.startsWith('$')) {
    throw new TwingraphError(
      'InvalidArgument',
      `${at}: '${String(point.name)}' is not a telemetry name (a DTDL name).`,
      { twinId: point.twinId },
    );
  }
  const ts = parseTime(point.time);
  if (!Number.isFinite(ts)) {
    throw new TwingraphError(
      'InvalidArgument',
      `${at}: time ${JSON.stringify(point.time)} is not an ISO 8601 date and time.`,
      { twinId: point.twinId },
    );
  }
  const value = point.value;
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) {
    throw new TwingraphError('InvalidArgument', `${at}: the value must be a finite number or other JSON value.`, {
      twinId: point.twinId,
    });
  }
  return typeof value === 'number'
    ? { twinId: point.twinId, name: point.name, ts, value, json: null }
    : { twinId: point.twinId, name: point.name, ts, value: null, json: JSON.stringify(value) };
}

export function* appendMetrics(
  points: readonly MetricPoint[],
  options: AppendMetricsOptions,
  ctx: WriteContext,
): Steps<AppendMetricsResult> {
  if (!Array.isArray(points)) throw new TwingraphError('InvalidArgument', 'Metrics are appended as a list of points.');
  const rows = points.map(toPointRow);
  if (rows.length === 0) return { points: 0, changes: 0 };
  const models = yield* call('twinModels', unique(rows.map((r) => r.twinId)));
  const byTwin = new Map<string, PointRow[]>();
  for (const row of rows) {
    if (!models.has(row.twinId)) throw twinNotFound(row.twinId);
    let list = byTwin.get(row.twinId);
    if (!list) byTwin.set(row.twinId, (list = []));
    list.push(row);
  }
  yield* call('appendPoints', rows);
  const changes = [...byTwin].map(([twinId, list]) => {
    if (options.logPoints === false) {
      let from = Infinity;
      let to = -Infinity;
      for (const r of list) {
        if (r.ts < from) from = r.ts;
        if (r.ts > to) to = r.ts;
      }
      return telemetryChange(
        twinId,
        models.get(twinId),
        { count: list.length, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
        ctx.time,
      );
    }
    const logged = list.map((r) => ({
      name: r.name,
      time: new Date(r.ts).toISOString(),
      value: r.json === null ? r.value : (JSON.parse(r.json) as JsonValue),
    }));
    return telemetryChange(twinId, models.get(twinId), { points: logged }, ctx.time);
  });
  yield* call('appendChanges', changes);
  return { points: rows.length, changes: changes.length };
}

// ── Commands ──────────────────────────────────────────────────────────────────────────────────────

export function* recordCommand(
  twinId: string,
  command: string,
  request: JsonValue | undefined,
  ctx: WriteContext,
): Steps<ChangeEntry> {
  if (typeof command !== 'string' || !isName(command) || command.startsWith('$')) {
    throw new TwingraphError('InvalidArgument', `'${String(command)}' is not a command name (a DTDL name).`, {
      twinId,
    });
  }
  const model = (yield* call('twinModels', [twinId])).get(twinId);
  if (model === undefined) throw twinNotFound(twinId);
  const change = commandChange(twinId, model, command, request, ctx.time);
  const [seq] = yield* call('appendChanges', [change]);
  return { seq, ...change };
}

/** Records how a command invocation ended, as a change of its twin. */
export function* recordCommandOutcome(
  twinId: string,
  outcome: CommandOutcomeRecord,
  ctx: WriteContext,
): Steps<ChangeEntry> {
  const model = (yield* call('twinModels', [twinId])).get(twinId);
  if (model === undefined) throw twinNotFound(twinId);
  const change = commandOutcomeChange(twinId, model, outcome, ctx.time);
  const [seq] = yield* call('appendChanges', [change]);
  return { seq, ...change };
}
