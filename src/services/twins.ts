/**
 * The twin service: every write of twins, relationships, telemetry and commands is validated against the
 * model set before it reaches the store. A patch is validated on the state it produces, inside the store's
 * transaction (./patch-check.ts): the store applies it once to the twin as it finds it and calls the
 * validation before writing, so no unvalidated state is ever stored and no other writer gets in between.
 *
 * The rules of a write are here, whoever asks for it (GraphQL's generic and per-model mutations alike): a twin
 * is updated or commanded through one of its models only if it is of that model (ADT's IS_OF_MODEL,
 * `ModelSet.isOf`), and every ETag condition is read one way (`requireIfMatch`, ../store/conditions.ts).
 */
import { twinNotFound, TwingraphError } from '../errors';
import type {
  AppendMetricsResult,
  DeleteTwinOptions,
  IfMatch,
  IfNoneMatch,
  MetricStore,
  RelationshipWrite,
  TwinPatchWrite,
  TwinReads,
  TwinWrite,
  TwinWrites,
  WriteOptions,
} from '../store/port';
import type {
  ChangeEntry,
  JsonObject,
  JsonPatch,
  JsonValue,
  MetricPoint,
  Relationship,
  RelationshipInput,
  Twin,
} from '../store/types';
import type { ModelSnapshot } from './models';
import { requireIfMatch } from '../store/conditions';
import { patchedTwinCheck } from './patch-check';
import { twinBody } from './twin-body';
import * as batches from './twin-batches';

export class TwinService {
  constructor(
    private readonly store: TwinReads & TwinWrites & MetricStore,
    /** The model snapshot to validate against (the current one). */
    private readonly snapshot: () => ModelSnapshot,
  ) {}

  /** Creates a twin of a model (or replaces it, unless ifNoneMatch). Components the body leaves out are created empty, as ADT requires them. */
  async create(id: string, modelId: string, body: JsonObject, options: IfNoneMatch = {}): Promise<Twin> {
    const { models, validators } = this.snapshot();
    const twin = twinBody(models, id, modelId, body);
    validators.validateTwin(modelId, twin, id);
    return this.store.createTwin(id, twin, options);
  }

  /**
   * Applies a JSON Patch, validating the resulting twin against its (possibly new) model inside the store's
   * transaction (./patch-check.ts): the patch is applied once, to the state it is stored over, and no other
   * writer can get in between, so there is nothing to read first and no race to retry.
   */
  async patch(id: string, patch: JsonPatch, options: IfMatch = {}): Promise<Twin> {
    return this.store.patchTwin(id, patch, {
      ...(options.ifMatch !== undefined && { ifMatch: options.ifMatch }),
      ...(options.actor !== undefined && { actor: options.actor }),
      check: patchedTwinCheck(this.snapshot().validators),
    });
  }

  /**
   * Updates a twin through `modelId`, its own model or one it extends: `makePatch` turns the current state
   * into a JSON Patch. A patch that changes nothing writes nothing (the ETag condition still holds or fails).
   */
  update(id: string, modelId: string, makePatch: (current: Twin) => JsonPatch, options: IfMatch = {}): Promise<Twin> {
    return this.patchCurrent(
      id,
      (current) => {
        const model = current.$metadata.$model;
        if (!this.snapshot().models.isOf(model, modelId)) {
          throw new TwingraphError(
            'InvalidArgument',
            `Twin '${id}' is a ${model}, not a ${modelId}: update it with its own type's mutation or patchTwin.`,
            { twinId: id, modelId: model },
          );
        }
        return makePatch(current);
      },
      options,
    );
  }

  /**
   * Makes the patch from the twin as the store's transaction finds it, after the ETag condition, and writes it
   * there, the patched state validated: no other writer can get in between, so a caller without an ETag never
   * loses a race it did not ask to lose (on Neo4j, many concurrent updates of one twin used to, after retries).
   */
  private patchCurrent(id: string, makePatch: (current: Twin) => JsonPatch, options: IfMatch): Promise<Twin> {
    return this.store.patchTwin(id, makePatch, {
      ...(options.ifMatch !== undefined && { ifMatch: options.ifMatch }),
      ...(options.actor !== undefined && { actor: options.actor }),
      check: patchedTwinCheck(this.snapshot().validators),
    });
  }

  /**
   * Batches (./twin-batches.ts): up to MAX_BATCH_ITEMS items in one transaction, each checked as its single
   * write would be, all written or, when any is refused, none (BatchFailed names every refused item).
   */
  patchTwins(items: readonly TwinPatchWrite[], options: WriteOptions = {}): Promise<Twin[]> {
    return batches.patchTwins(this.store, this.snapshot, items, options);
  }

  /** ADT's PUT of many twins: each created or replaced (as its conditions allow), validated against its model. */
  upsertTwins(items: readonly TwinWrite[], options: WriteOptions = {}): Promise<Twin[]> {
    return batches.upsertTwins(this.store, this.snapshot, items, options);
  }

  /** ADT's PUT of many relationships, each validated against its source's and target's models. */
  upsertRelationships(items: readonly RelationshipWrite[], options: WriteOptions = {}): Promise<Relationship[]> {
    return batches.upsertRelationships(this.store, this.snapshot, items, options);
  }

  async delete(id: string, options: DeleteTwinOptions = {}): Promise<void> {
    requireIfMatch(options.ifMatch, undefined, `Twin '${id}'`, { twinId: id });
    return this.store.deleteTwin(id, options);
  }

  async putRelationship(
    sourceId: string,
    relationshipId: string,
    input: RelationshipInput,
    options: IfNoneMatch = {},
  ): Promise<Relationship> {
    if (input === null || typeof input !== 'object')
      throw new TwingraphError(
        'InvalidRelationship',
        `The body of relationship '${relationshipId}' must be a JSON object.`,
        { twinId: sourceId, relationshipId },
      );
    const [source, target] = await this.store.getTwins([
      sourceId,
      typeof input.$targetId === 'string' ? input.$targetId : '',
    ]);
    if (!source) throw twinNotFound(sourceId);
    if (typeof input.$relationshipName === 'string') {
      this.snapshot().validators.validateRelationship(
        source.$metadata.$model,
        input.$relationshipName,
        input,
        target?.$metadata.$model,
        { twinId: sourceId, relationshipId },
      );
    }
    return this.store.putRelationship(sourceId, relationshipId, input, options);
  }

  /**
   * Applies a JSON Patch to a relationship, validating the result against its ends' models inside the store's
   * transaction: no other writer can get in between, so there is nothing to read first and no race to retry.
   */
  patchRelationship(
    sourceId: string,
    relationshipId: string,
    patch: JsonPatch,
    options: IfMatch = {},
  ): Promise<Relationship> {
    return this.store.patchRelationship(sourceId, relationshipId, patch, {
      ...(options.ifMatch !== undefined && { ifMatch: options.ifMatch }),
      ...(options.actor !== undefined && { actor: options.actor }),
      check: (next, sourceModel, targetModel) =>
        this.snapshot().validators.validateRelationship(sourceModel, next.$relationshipName, next, targetModel, {
          twinId: sourceId,
          relationshipId,
        }),
    });
  }

  async deleteRelationship(sourceId: string, relationshipId: string, options: IfMatch = {}): Promise<void> {
    requireIfMatch(options.ifMatch, undefined, `Relationship '${relationshipId}' of twin '${sourceId}'`, {
      twinId: sourceId,
      relationshipId,
    });
    return this.store.deleteRelationship(sourceId, relationshipId, options);
  }

  /** Validates every point against its twin's telemetry, then appends the batch (all or nothing). */
  async recordMetrics(points: readonly MetricPoint[], options: WriteOptions = {}): Promise<AppendMetricsResult> {
    if (!Array.isArray(points))
      throw new TwingraphError('InvalidArgument', 'Metrics are recorded as a list of points.');
    const ids = [...new Set(points.map((p) => p?.twinId))];
    const twins = await this.store.getTwins(ids.filter((id): id is string => typeof id === 'string'));
    const models = new Map(twins.filter((t): t is Twin => t !== undefined).map((t) => [t.$dtId, t.$metadata.$model]));
    const { validators } = this.snapshot();
    for (const point of points) {
      const model = models.get(point?.twinId);
      if (!model) throw twinNotFound(String(point?.twinId));
      validators.validateTelemetry(model, point.name, point.value, point.twinId);
    }
    return this.store.appendMetrics(points, { actor: options.actor });
  }

  /** Records a command of `modelId` on a twin of it (or of a model that extends it), its request validated. */
  async invokeCommand(
    twinId: string,
    modelId: string,
    command: string,
    request: JsonValue | undefined,
    options: WriteOptions = {},
  ): Promise<ChangeEntry> {
    const twin = await this.store.getTwin(twinId);
    const { models, validators } = this.snapshot();
    const model = twin.$metadata.$model;
    if (!models.isOf(model, modelId)) {
      throw new TwingraphError(
        'InvalidArgument',
        `Twin '${twinId}' is a ${model}: it has no command '${command}' of ${modelId}.`,
        { twinId },
      );
    }
    validators.validateCommand(model, command, request, twinId);
    return this.store.recordCommand(twinId, command, request, options);
  }
}
