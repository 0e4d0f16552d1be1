/**
 * Batch writes for integrations and imports: many twin patches, twin upserts or relationship upserts in one
 * call, written in one store transaction, all or nothing. Every item is checked the way its single write would
 * be (shape, ETag conditions, the model's validators, ADT's model rules), and every refused item is reported
 * at once, by index, with its own code (../store/batch-errors.ts); nothing is written while any item is
 * refused. Upserts are validated here, before the store's transaction, which checks the conditions again
 * (another writer may get in between); patches are validated inside it, on the state they produce from the
 * state they find (`check`), so a patch batch never races and never applies a patch twice.
 *
 * The checks that need no store (`prepareTwinUpserts`, `prepareRelationshipUpserts`) take the rules to check
 * against as an argument, so that `twingraph import` checks a whole file against the models it brings before
 * writing anything.
 */
import { isTwingraphError, twinNotFound, TwingraphError } from '../errors';
import { buildRelationship, checkId } from '../store/documents';
import { relationshipKey } from '../store/effects';
import type { RelationshipWrite, TwinPatchWrite, TwinReads, TwinWrite, TwinWrites, WriteOptions } from '../store/port';
import type { ModelRecord, Relationship, Twin } from '../store/types';
import { BatchFailed, idsOf, ItemErrors, refuseRepeats } from '../store/batch-errors';
import { requireIfMatch } from '../store/conditions';
import { checkBatchSize } from './batch-limits';
import type { ModelSnapshot } from './models';
import { patchedTwinCheck } from './patch-check';
import { twinBody } from './twin-body';

/** What items are checked against: the model set, its validators and the stored models' records. */
export type BatchRules = Pick<ModelSnapshot, 'models' | 'validators' | 'records'>;

/** The store a batch reads and writes. */
export type BatchStore = TwinReads & TwinWrites;

// ── Twin upserts ──────────────────────────────────────────────────────────────────────────────────

/**
 * Checks twin upserts against `rules`, recording each refused item in `errors`: the id, the body (with its
 * model's missing components added, as a create adds them), the model (known, and not decommissioned for a
 * twin new to it), the validators, a twin named twice, and each item's conditions against `current` (the
 * stored twins by id; absent from the map means not stored). `current` needs only the twins `twinsToRead`
 * names: the others' checks do not depend on what is stored (the store checks conditions again in its
 * transaction). Returns the writes to make, by index (undefined where refused).
 */
export function prepareTwinUpserts(
  items: readonly TwinWrite[],
  rules: BatchRules,
  current: ReadonlyMap<string, Twin>,
  errors: ItemErrors,
): (TwinWrite | undefined)[] {
  const decommissioned = decommissionedModels(rules.records);
  const writes = items.map((item, index) =>
    errors.check(
      index,
      (): TwinWrite => {
        if (item === null || typeof item !== 'object')
          throw new TwingraphError('InvalidArgument', `Item ${index} is not a twin write.`);
        checkId(item.id, 'twin');
        if (item.twin === null || typeof item.twin !== 'object' || Array.isArray(item.twin))
          throw new TwingraphError('ValidationFailed', `The properties of twin '${item.id}' must be a JSON object.`, {
            twinId: item.id,
          });
        const modelId = (item.twin as { $metadata?: { $model?: unknown } } | null)?.$metadata?.$model;
        if (typeof modelId !== 'string' || modelId === '')
          throw new TwingraphError('ValidationFailed', `Twin '${item.id}' must say its model in $metadata.$model.`, {
            twinId: item.id,
            path: '/$metadata/$model',
          });
        const twin = twinBody(rules.models, item.id, modelId, item.twin);
        const previous = current.get(item.id);
        checkConditions(item, previous);
        if (decommissioned.has(modelId) && previous?.$metadata.$model !== modelId)
          throw new TwingraphError(
            'ModelDecommissioned',
            `Model '${modelId}' is decommissioned: no new twin may use it. Use a newer version of the model.`,
            { modelId, twinId: item.id },
          );
        rules.validators.validateTwin(modelId, twin, item.id);
        return {
          id: item.id,
          twin,
          ...(item.ifMatch !== undefined && { ifMatch: item.ifMatch }),
          ...(item.ifNoneMatch !== undefined && { ifNoneMatch: item.ifNoneMatch }),
        };
      },
      () => idsOf(item?.id),
    ),
  );
  refuseRepeats(
    items.map((item, index) => (writes[index] ? item.id : undefined)),
    errors,
    (index, first) =>
      new TwingraphError(
        'InvalidArgument',
        `Twin '${items[index].id}' appears twice in one batch (items ${first} and ${index}): write each twin once.`,
        { twinId: items[index].id },
      ),
  );
  return writes;
}

function checkConditions(item: TwinWrite, previous: Twin | undefined): void {
  const what = `Twin '${item.id}'`;
  if (item.ifNoneMatch === '*' && previous)
    throw new TwingraphError(
      'PreconditionFailed',
      `A twin with id '${item.id}' already exists (If-None-Match: *). Choose another id, or update the twin instead.`,
      { twinId: item.id },
    );
  if (item.ifMatch === undefined) return;
  if (!previous && item.ifMatch !== '') throw twinNotFound(item.id);
  requireIfMatch(item.ifMatch, previous?.$etag, what, { twinId: item.id });
}

/**
 * The ids of the upserts whose checks read the stored twin: those with a condition, and those of a
 * decommissioned model (which a twin may keep, but not take anew). Bulk loads have neither, and read nothing.
 */
export function twinsToRead(items: readonly TwinWrite[], rules: BatchRules): string[] {
  const decommissioned = decommissionedModels(rules.records);
  const ids: string[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || !isId(item.id)) continue;
    const model = (item.twin as { $metadata?: { $model?: unknown } } | null)?.$metadata?.$model;
    if (
      item.ifMatch !== undefined ||
      item.ifNoneMatch !== undefined ||
      (typeof model === 'string' && decommissioned.has(model))
    )
      ids.push(item.id);
  }
  return ids;
}

const decommissionedOf = new WeakMap<readonly ModelRecord[], ReadonlySet<string>>();
function decommissionedModels(records: readonly ModelRecord[]): ReadonlySet<string> {
  let found = decommissionedOf.get(records);
  if (!found)
    decommissionedOf.set(records, (found = new Set(records.filter((r) => r.decommissioned).map((r) => r.id))));
  return found;
}

/** Upserts twins (ADT's PUT, each with its own conditions) in one transaction, after checking every one. */
export async function upsertTwins(
  store: BatchStore,
  rules: () => BatchRules,
  items: readonly TwinWrite[],
  options: WriteOptions = {},
): Promise<Twin[]> {
  checkBatchSize(items, 'twins');
  if (items.length === 0) return [];
  const errors = new ItemErrors('twins');
  const snapshot = rules();
  const current = await readTwins(store, twinsToRead(items, snapshot), (id) => id);
  const writes = prepareTwinUpserts(items, snapshot, current, errors);
  errors.throwIfAny(items.length);
  const indexes = new Map(items.map((item, index) => [item.id, index]));
  try {
    return await store.createTwins(writes as TwinWrite[], { actor: options.actor });
  } catch (error) {
    throw asItemError(error, 'twins', items.length, (e) => indexes.get(e.subject.twinId ?? ''));
  }
}

// ── Twin patches ──────────────────────────────────────────────────────────────────────────────────

/**
 * Applies JSON Patches to twins in one transaction. The store applies each patch to the twin's current state
 * and checks its ifMatch; the patched twin is validated against its (possibly new) model there, inside the
 * transaction (`check`), so that what is validated is what is stored, with no other writer in between and no
 * second application of the patch. Every refused item is named (BatchFailed), and then nothing is written.
 */
export async function patchTwins(
  store: BatchStore,
  rules: () => BatchRules,
  items: readonly TwinPatchWrite[],
  options: WriteOptions = {},
): Promise<Twin[]> {
  checkBatchSize(items, 'patches');
  if (items.length === 0) return [];
  return store.patchTwins(items, {
    ...(options.actor !== undefined && { actor: options.actor }),
    check: patchedTwinCheck(rules().validators),
  });
}

// ── Relationship upserts ──────────────────────────────────────────────────────────────────────────

/**
 * Checks relationship upserts against `rules`, recording each refused item in `errors`: the shape (ids,
 * `$targetId`, `$relationshipName`, no relationship to itself, size), both ends existing (`modelOf` gives a
 * twin's model, undefined for none), the relationship against its source's model and its target's, and a
 * relationship named twice. Returns the writes to make, by index (undefined where refused).
 */
export function prepareRelationshipUpserts(
  items: readonly RelationshipWrite[],
  rules: BatchRules,
  modelOf: (twinId: string) => string | undefined,
  errors: ItemErrors,
): (RelationshipWrite | undefined)[] {
  const writes = items.map((item, index) =>
    errors.check(
      index,
      (): RelationshipWrite => {
        if (item === null || typeof item !== 'object')
          throw new TwingraphError('InvalidArgument', `Item ${index} is not a relationship write.`);
        const { sourceId, relationshipId, relationship } = item;
        // The store's own shape rules, with its words (the relationship it builds is thrown away).
        const built = buildRelationship(sourceId, relationshipId, relationship);
        const sourceModel = modelOf(sourceId);
        if (sourceModel === undefined) throw twinNotFound(sourceId);
        const targetModel = modelOf(built.$targetId);
        if (targetModel === undefined)
          throw new TwingraphError(
            'TargetTwinNotFound',
            `Relationship '${relationshipId}' points at twin '${built.$targetId}', which does not exist. Create the target twin first.`,
            { twinId: built.$targetId, relationshipId },
          );
        rules.validators.validateRelationship(sourceModel, built.$relationshipName, relationship, targetModel, {
          twinId: sourceId,
          relationshipId,
        });
        return item;
      },
      () => idsOf(item?.sourceId, item?.relationshipId),
    ),
  );
  refuseRepeats(
    items.map((item, index) => (writes[index] ? relationshipKey(item.sourceId, item.relationshipId) : undefined)),
    errors,
    (index, first) =>
      new TwingraphError(
        'InvalidArgument',
        `Relationship '${items[index].relationshipId}' of twin '${items[index].sourceId}' appears twice in one batch (items ${first} and ${index}): write each relationship once.`,
        { twinId: items[index].sourceId, relationshipId: items[index].relationshipId },
      ),
  );
  return writes;
}

/** Upserts relationships (ADT's PUT, each with its own conditions) in one transaction, after checking every one. */
export async function upsertRelationships(
  store: BatchStore,
  rules: () => BatchRules,
  items: readonly RelationshipWrite[],
  options: WriteOptions = {},
): Promise<Relationship[]> {
  checkBatchSize(items, 'relationships');
  if (items.length === 0) return [];
  const errors = new ItemErrors('relationships');
  const twins = await readTwins(
    store,
    items,
    (item) => item?.sourceId,
    (item) => item?.relationship?.$targetId,
  );
  const writes = prepareRelationshipUpserts(items, rules(), (id) => twins.get(id)?.$metadata.$model, errors);
  await checkRelationshipConditions(store, items, writes, errors);
  errors.throwIfAny(items.length);
  const indexes = new Map(items.map((item, index) => [relationshipKey(item.sourceId, item.relationshipId), index]));
  try {
    return await store.putRelationships(writes as RelationshipWrite[], { actor: options.actor });
  } catch (error) {
    throw asItemError(error, 'relationships', items.length, (e) =>
      indexes.get(relationshipKey(e.subject.twinId ?? '', e.subject.relationshipId ?? '')),
    );
  }
}

/** The conditions of the items that have one, against the stored relationships (read for those items only). */
async function checkRelationshipConditions(
  store: BatchStore,
  items: readonly RelationshipWrite[],
  writes: readonly (RelationshipWrite | undefined)[],
  errors: ItemErrors,
): Promise<void> {
  const conditioned = items.flatMap((item, index) =>
    writes[index] && (item.ifMatch !== undefined || item.ifNoneMatch !== undefined) ? [index] : [],
  );
  const stored = await Promise.all(
    conditioned.map((index) =>
      store
        .getRelationship(items[index].sourceId, items[index].relationshipId)
        .catch((e) => (isTwingraphError(e, 'RelationshipNotFound') ? undefined : Promise.reject(e))),
    ),
  );
  conditioned.forEach((index, i) =>
    errors.check(index, () => {
      const { sourceId, relationshipId, ifMatch, ifNoneMatch } = items[index];
      const subject = { twinId: sourceId, relationshipId };
      const previous = stored[i];
      if (ifNoneMatch === '*' && previous)
        throw new TwingraphError(
          'PreconditionFailed',
          `Twin '${sourceId}' already has a relationship '${relationshipId}' (If-None-Match: *). Choose another id, or update it instead.`,
          subject,
        );
      if (ifMatch === undefined) return;
      if (!previous && ifMatch !== '')
        throw new TwingraphError(
          'RelationshipNotFound',
          `Twin '${sourceId}' has no relationship with id '${relationshipId}'. Check both ids.`,
          subject,
        );
      requireIfMatch(ifMatch, previous?.$etag, `Relationship '${relationshipId}' of twin '${sourceId}'`, subject);
    }),
  );
}

// ── Shared ────────────────────────────────────────────────────────────────────────────────────────

/** The stored twins the items name (through `keys`), by id, read in one call; ids that are not ids are skipped. */
async function readTwins<T>(
  store: BatchStore,
  items: readonly T[],
  ...keys: ((item: T, index: number) => unknown)[]
): Promise<Map<string, Twin>> {
  const ids = new Set<string>();
  items.forEach((item, index) => {
    for (const key of keys) {
      const id = key(item, index);
      if (isId(id)) ids.add(id);
    }
  });
  const list = [...ids];
  const found = list.length === 0 ? [] : await store.getTwins(list);
  const byId = new Map<string, Twin>();
  list.forEach((id, i) => found[i] && byId.set(id, found[i]));
  return byId;
}

function isId(value: unknown): value is string {
  try {
    checkId(value, 'twin');
    return true;
  } catch {
    return false;
  }
}

/**
 * A store's refusal of a batch that passed every check (another writer got in between; a model deleted
 * meanwhile) as the refusal of the item it names, when it names one.
 */
function asItemError(
  error: unknown,
  what: string,
  total: number,
  indexOf: (error: TwingraphError) => number | undefined,
): unknown {
  if (!isTwingraphError(error) || error instanceof BatchFailed) return error;
  const index = indexOf(error);
  if (index === undefined) return error;
  const errors = new ItemErrors(what);
  errors.add(index, error);
  return errors.failure(total);
}
