/**
 * The twin service: every write of twins, relationships, telemetry and commands is validated against the
 * model set before it reaches the store. A patch is validated on the state it will apply to: the service
 * applies it to the current twin, validates the result, and writes with that twin's ETag, retrying when
 * another writer got in between, so no unvalidated state is ever stored.
 */
import { TwingraphError } from '../errors';
import { patchRelationship as applyRelationshipPatch, patchTwin as applyTwinPatch } from '../store/documents';
import type { AppendMetricsResult, DeleteTwinOptions, IfMatch, IfNoneMatch, TwinStore } from '../store/port';
import type {
  ChangeEntry,
  JsonObject,
  JsonPatch,
  JsonValue,
  MetricPoint,
  Relationship,
  RelationshipInput,
  Twin,
  TwinInput,
} from '../store/types';
import type { ModelSnapshot } from './models';

/** How often a validated write is retried when another writer changes the twin in between. */
const MAX_ATTEMPTS = 5;

export class TwinService {
  constructor(
    private readonly store: TwinStore,
    /** The model snapshot to validate against (the current one). */
    private readonly snapshot: () => ModelSnapshot,
  ) {}

  /** Creates a twin of a model (or replaces it, unless ifNoneMatch). Components the body leaves out are created empty, as ADT requires them. */
  async create(id: string, modelId: string, body: JsonObject, options: IfNoneMatch = {}): Promise<Twin> {
    const { models, validators } = this.snapshot();
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new TwingraphError('ValidationFailed', `The properties of twin '${id}' must be a JSON object.`, {
        twinId: id,
      });
    const metadata =
      body.$metadata && typeof body.$metadata === 'object' && !Array.isArray(body.$metadata)
        ? (body.$metadata as JsonObject)
        : {};
    const twin: TwinInput = { ...body, $metadata: { ...metadata, $model: modelId } };
    const model = models.interfaces.get(modelId);
    for (const content of model?.contents.values() ?? []) {
      if (content.kind === 'Component' && twin[content.name] === undefined) twin[content.name] = { $metadata: {} };
    }
    validators.validateTwin(modelId, twin, id);
    return this.store.createTwin(id, twin, options);
  }

  /** Applies a JSON Patch, validating the resulting twin against its (possibly new) model. */
  async patch(id: string, patch: JsonPatch, options: IfMatch = {}): Promise<Twin> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.store.getTwin(id);
      if (options.ifMatch && options.ifMatch !== '*' && options.ifMatch !== current.$etag) {
        throw new TwingraphError(
          'PreconditionFailed',
          `Twin '${id}' has changed since ETag ${options.ifMatch} was read (it is now ${current.$etag}). Read it again and retry with the new ETag.`,
          { twinId: id },
        );
      }
      const { twin: next } = applyTwinPatch(current, patch, current.$metadata.$lastUpdateTime);
      this.snapshot().validators.validateTwin(next.$metadata.$model, next, id);
      try {
        return await this.store.patchTwin(id, patch, { ifMatch: current.$etag });
      } catch (error) {
        // Someone wrote in between: validate again on their state, unless the caller pinned an ETag.
        if ((error as TwingraphError).code === 'PreconditionFailed' && !options.ifMatch && attempt < MAX_ATTEMPTS)
          continue;
        throw error;
      }
    }
  }

  delete(id: string, options: DeleteTwinOptions = {}): Promise<void> {
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
    if (!source)
      throw new TwingraphError('DigitalTwinNotFound', `There is no digital twin with id '${sourceId}'.`, {
        twinId: sourceId,
      });
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

  async patchRelationship(
    sourceId: string,
    relationshipId: string,
    patch: JsonPatch,
    options: IfMatch = {},
  ): Promise<Relationship> {
    for (let attempt = 1; ; attempt++) {
      const [source, current] = await Promise.all([
        this.store.getTwin(sourceId),
        this.store.getRelationship(sourceId, relationshipId),
      ]);
      if (options.ifMatch && options.ifMatch !== '*' && options.ifMatch !== current.$etag) {
        throw new TwingraphError(
          'PreconditionFailed',
          `Relationship '${relationshipId}' of twin '${sourceId}' has changed since ETag ${options.ifMatch} was read (it is now ${current.$etag}).`,
          {
            twinId: sourceId,
            relationshipId,
          },
        );
      }
      const { relationship: next } = applyRelationshipPatch(current, patch);
      const target = await this.store.getTwins([next.$targetId]);
      this.snapshot().validators.validateRelationship(
        source.$metadata.$model,
        next.$relationshipName,
        next,
        target[0]?.$metadata.$model,
        { twinId: sourceId, relationshipId },
      );
      try {
        return await this.store.patchRelationship(sourceId, relationshipId, patch, { ifMatch: current.$etag });
      } catch (error) {
        if ((error as TwingraphError).code === 'PreconditionFailed' && !options.ifMatch && attempt < MAX_ATTEMPTS)
          continue;
        throw error;
      }
    }
  }

  deleteRelationship(sourceId: string, relationshipId: string, options: IfMatch = {}): Promise<void> {
    return this.store.deleteRelationship(sourceId, relationshipId, options);
  }

  /** Validates every point against its twin's telemetry, then appends the batch (all or nothing). */
  async recordMetrics(points: readonly MetricPoint[]): Promise<AppendMetricsResult> {
    if (!Array.isArray(points))
      throw new TwingraphError('InvalidArgument', 'Metrics are recorded as a list of points.');
    const ids = [...new Set(points.map((p) => p?.twinId))];
    const twins = await this.store.getTwins(ids.filter((id): id is string => typeof id === 'string'));
    const models = new Map(twins.filter((t): t is Twin => t !== undefined).map((t) => [t.$dtId, t.$metadata.$model]));
    const { validators } = this.snapshot();
    for (const point of points) {
      const model = models.get(point?.twinId);
      if (!model)
        throw new TwingraphError(
          'DigitalTwinNotFound',
          `There is no digital twin with id '${String(point?.twinId)}'.`,
          { twinId: String(point?.twinId) },
        );
      validators.validateTelemetry(model, point.name, point.value, point.twinId);
    }
    return this.store.appendMetrics(points);
  }

  async invokeCommand(twinId: string, command: string, request: JsonValue | undefined): Promise<ChangeEntry> {
    const twin = await this.store.getTwin(twinId);
    this.snapshot().validators.validateCommand(twin.$metadata.$model, command, request, twinId);
    return this.store.recordCommand(twinId, command, request);
  }
}
