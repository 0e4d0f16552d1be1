/**
 * The twin service: every write of twins, relationships, telemetry and commands is validated against the
 * model set before it reaches the store. A patch is validated on the state it will apply to: the service
 * applies it to the current twin, validates the result, and writes with that twin's ETag, retrying when
 * another writer got in between, so no unvalidated state is ever stored.
 *
 * The rules of a write are here, whoever asks for it (GraphQL's generic and per-model mutations alike): a twin
 * is updated or commanded through one of its models only if it is of that model (ADT's IS_OF_MODEL,
 * `ModelSet.isOf`), and every ETag condition is read one way (`requireIfMatch`).
 */
import { etagMismatch, preconditionFailed, twinNotFound, TwingraphError, type ErrorSubject } from '../errors';
import {
  etagMatches,
  patchRelationship as applyRelationshipPatch,
  patchTwin as applyTwinPatch,
} from '../store/documents';
import type {
  AppendMetricsResult,
  DeleteTwinOptions,
  IfMatch,
  IfNoneMatch,
  MetricStore,
  TwinReads,
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
  TwinInput,
} from '../store/types';
import type { ModelSnapshot } from './models';

/** How often a validated write is retried when another writer changes the twin in between. */
const MAX_ATTEMPTS = 5;

/**
 * The ETag rule, said once for every write: no `ifMatch` is no condition, `*` holds for any current state,
 * and any other value must equal the current ETag. An empty string is not "no condition": ADT's If-Match
 * takes an etag or `*` and holds only when one of the etags given matches, so an empty one matches no state
 * and the write is PreconditionFailed (as the store has it), never an overwrite the client did not ask for.
 * `current` is the ETag the service read; without it (deletes) the store compares in its transaction, and
 * only the empty value is refused here, so that it is refused with the same words.
 */
function requireIfMatch(
  ifMatch: string | undefined,
  current: string | undefined,
  what: string,
  subject: ErrorSubject,
): void {
  if (ifMatch === undefined || (current !== undefined && etagMatches(ifMatch, current))) return;
  if (ifMatch === '')
    throw preconditionFailed(
      `${what}: ifMatch is empty, and an empty ETag matches no state. Pass the ETag you read, '*' for any state, or no ifMatch to write unconditionally.`,
      subject,
    );
  if (current !== undefined) throw etagMismatch(what, ifMatch, current, subject);
}

/** Whether a failed write was another writer getting in between, and the write may be validated again. */
function lostRace(error: unknown, options: IfMatch, attempt: number): boolean {
  // A caller that pinned an ETag asked to fail rather than write over someone else's change.
  return (
    (error as TwingraphError).code === 'PreconditionFailed' && options.ifMatch === undefined && attempt < MAX_ATTEMPTS
  );
}

export class TwinService {
  constructor(
    private readonly store: TwinReads & TwinWrites & MetricStore,
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
  patch(id: string, patch: JsonPatch, options: IfMatch = {}): Promise<Twin> {
    return this.patchCurrent(id, () => patch, options, { skipEmpty: false });
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
      { skipEmpty: true },
    );
  }

  /**
   * Reads the twin, makes the patch from it, checks the ETag condition, validates the patched state and writes
   * it with the ETag read; when another writer got in between, all of it again on their state.
   */
  private async patchCurrent(
    id: string,
    makePatch: (current: Twin) => JsonPatch,
    options: IfMatch,
    { skipEmpty }: { skipEmpty: boolean },
  ): Promise<Twin> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.store.getTwin(id);
      // The condition first: a client holding a stale ETag hears that, whatever else is wrong with its write.
      requireIfMatch(options.ifMatch, current.$etag, `Twin '${id}'`, { twinId: id });
      const patch = makePatch(current);
      if (skipEmpty && patch.length === 0) return current;
      const { twin: next } = applyTwinPatch(current, patch, current.$metadata.$lastUpdateTime);
      this.snapshot().validators.validateTwin(next.$metadata.$model, next, id);
      try {
        return await this.store.patchTwin(id, patch, { ifMatch: current.$etag, actor: options.actor });
      } catch (error) {
        if (lostRace(error, options, attempt)) continue;
        throw error;
      }
    }
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
      requireIfMatch(options.ifMatch, current.$etag, `Relationship '${relationshipId}' of twin '${sourceId}'`, {
        twinId: sourceId,
        relationshipId,
      });
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
        return await this.store.patchRelationship(sourceId, relationshipId, patch, {
          ifMatch: current.$etag,
          actor: options.actor,
        });
      } catch (error) {
        if (lostRace(error, options, attempt)) continue;
        throw error;
      }
    }
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
