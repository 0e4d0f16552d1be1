/**
 * The rules of twin and relationship documents, shared by every adapter: how a written body becomes a
 * stored twin (server fields dropped, `$metadata` kept per property and per component), how a JSON Patch
 * applies (ADT's subset, ADT's protected paths), and what a relationship looks like. Pure functions: the
 * adapters read the current state, call these, and write the result in one transaction.
 */
import { applyOperation, compare, JsonPatchError, type Operation } from 'fast-json-patch';
import { TwingraphError } from '../errors';
import { newEtag } from './etag';
import { checkRelationshipName } from './query';
import type {
  ComponentMetadata,
  JsonObject,
  JsonPatch,
  JsonValue,
  PatchOperation,
  PropertyMetadata,
  Relationship,
  RelationshipInput,
  Twin,
  TwinInput,
  TwinMetadata,
} from './types';

export interface DocumentLimits {
  /** Largest twin or relationship, as JSON without its metadata (ADT: 32 KB). */
  readonly maxDocumentBytes: number;
  /** Longest twin or relationship id. */
  readonly maxIdLength: number;
}

export const DEFAULT_LIMITS: DocumentLimits = { maxDocumentBytes: 32 * 1024, maxIdLength: 256 };

export { newEtag } from './etag';

/** `'*'` matches whatever exists; otherwise the ETags must be equal. */
export function etagMatches(ifMatch: string | undefined, current: string): boolean {
  return ifMatch === undefined || ifMatch === '*' || ifMatch === current;
}

export function checkId(
  id: unknown,
  what: 'twin' | 'relationship',
  limits: DocumentLimits = DEFAULT_LIMITS,
): asserts id is string {
  // Control characters would make ids unprintable in errors and logs; ADT rejects them too.
  // eslint-disable-next-line no-control-regex
  if (typeof id !== 'string' || id.length === 0 || id.length > limits.maxIdLength || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new TwingraphError(
      'InvalidArgument',
      `A ${what} id is a non-empty string of at most ${limits.maxIdLength} characters without control characters; got ${JSON.stringify(id)?.slice(0, 80)}.`,
    );
  }
}

/**
 * Own keys are walked with `for…in` and this check rather than Object.keys, which copies the keys into a new
 * array each call: a batch write walks some thirty objects an item (the body, its metadata, each level built,
 * each value checked). The same keys in the same order, for the plain objects JSON makes.
 */
const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Rejects what JSON cannot carry (undefined, NaN, functions, cycles…), which a JS caller could pass. */
function checkJson(value: unknown, at: string, depth = 0): void {
  if (depth > 32)
    throw new TwingraphError('ValidationFailed', `The value at '${at}' is nested more than 32 levels deep.`, {
      path: at,
    });
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TwingraphError('ValidationFailed', `The value at '${at}' is not a finite number.`, { path: at });
    return;
  }
  // The path of a value is only built to name it in an error (it was a string per value of every write).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJsonAt(value[i], at, i, depth + 1);
    return;
  }
  if (isPlainObject(value)) {
    for (const k in value) if (hasOwn.call(value, k)) checkJsonAt(value[k], at, k, depth + 1);
    return;
  }
  throw new TwingraphError('ValidationFailed', `The value at '${at}' is not JSON (${typeof value}).`, { path: at });
}

/**
 * The size limit of a built twin, from the twin's whole JSON text (`json`, which a store may keep for the row it
 * writes): its properties are part of that text, so a text that cannot reach the limit needs nothing more, and
 * only a large twin has its properties serialized on their own.
 */
function checkTwinSize(twin: Twin, id: string, limits: DocumentLimits, json: (document: object) => string): void {
  if (json(twin).length * 3 <= limits.maxDocumentBytes) return;
  checkSize(propertiesOf(twin), 'Twin', id, limits);
}

/** checkJson of a member: the path is made only when the value is refused. */
function checkJsonAt(value: unknown, at: string, key: string | number, depth: number): void {
  if (depth <= 32) {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
    if (typeof value === 'number' && Number.isFinite(value)) return;
  }
  checkJson(value, `${at}/${key}`, depth);
}

function checkSize(doc: object, what: string, id: string, limits: DocumentLimits): void {
  const json = JSON.stringify(doc);
  // No character takes more than 3 bytes of UTF-8 per UTF-16 unit: most documents need no count.
  if (json.length * 3 <= limits.maxDocumentBytes) return;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > limits.maxDocumentBytes) {
    throw new TwingraphError(
      'LimitExceeded',
      `${what} '${id}' would be ${bytes} bytes; the limit is ${limits.maxDocumentBytes}.`,
      { twinId: id },
    );
  }
}

function checkSourceTime(value: unknown, at: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new TwingraphError(
      'ValidationFailed',
      `'${at}' must be an ISO 8601 date and time, such as 2024-05-31T12:00:00Z.`,
      { path: at },
    );
  }
  return value;
}

/** A component is a top-level object that carries its own `$metadata` (ADT's convention). */
export function isComponent(value: unknown): value is JsonObject & { $metadata: ComponentMetadata } {
  return isPlainObject(value) && isPlainObject(value.$metadata);
}

/**
 * Properties of one level (the twin, or one component): values kept (nulls dropped: absent and null are the
 * same to DTDL), metadata rebuilt. `touched` says which properties this write set, so they get `time`;
 * others keep their previous metadata. The values go into `values` and the entries into `metadata`, the
 * objects being built (a level's own objects copied into them was a third of a twin's allocations); at the
 * twin's level (`top`) components are left out, each is a level of its own.
 */
function buildLevel(
  input: Record<string, unknown>,
  inputMetadata: Record<string, unknown> | undefined,
  previousMetadata: Record<string, unknown> | undefined,
  touched: (name: string) => boolean,
  time: string,
  at: string,
  values: Record<string, unknown>,
  metadata: Record<string, unknown>,
  top: boolean,
): void {
  for (const name in input) {
    if (!hasOwn.call(input, name)) continue;
    const value = input[name];
    if (name.startsWith('$') || value === null || value === undefined || (top && isComponent(value))) continue;
    // An own property so named would set the prototype of the object built (in a copy, as before, it was lost).
    if (name === '__proto__') continue;
    values[name] = value as JsonValue;
    const previous = previousMetadata?.[name] as PropertyMetadata | undefined;
    const given = inputMetadata?.[name];
    const written = touched(name);
    // Untouched, and its metadata given as it was or not at all: the entry is the previous one, as it is.
    if (previous !== undefined && (given === previous || given === undefined) && !written) {
      metadata[name] = previous;
      continue;
    }
    const lastUpdateTime = written || !previous ? time : previous.lastUpdateTime;
    // A metadata entry given for the property says its sourceTime (none when it has none: a patch that
    // removed it); without an entry the previous sourceTime stays.
    let sourceTime = isPlainObject(given) ? undefined : previous?.sourceTime;
    if (isPlainObject(given) && 'sourceTime' in given) {
      sourceTime =
        given.sourceTime === null ? undefined : checkSourceTime(given.sourceTime, `${at}/$metadata/${name}/sourceTime`);
    }
    metadata[name] =
      sourceTime !== undefined
        ? { lastUpdateTime, sourceTime }
        : lastUpdateTime === time
          ? stampedAt(time)
          : { lastUpdateTime };
  }
  if (inputMetadata) {
    for (const name in inputMetadata) {
      if (!hasOwn.call(inputMetadata, name)) continue;
      const given = inputMetadata[name];
      if (name.startsWith('$') || given === previousMetadata?.[name]) continue;
      if (!isPlainObject(given))
        throw new TwingraphError(
          'ValidationFailed',
          `'${at}/$metadata/${name}' must be an object (with an optional sourceTime).`,
          { path: `${at}/$metadata/${name}` },
        );
      for (const key of Object.keys(given)) {
        if (key !== 'sourceTime' && key !== 'lastUpdateTime') {
          throw new TwingraphError(
            'ValidationFailed',
            `'${at}/$metadata/${name}/${key}' is not settable: property metadata holds only sourceTime.`,
            { path: `${at}/$metadata/${name}/${key}` },
          );
        }
      }
    }
  }
}

/**
 * One component of a twin being built: its values and metadata as one level of their own, its
 * `$lastUpdateTime` the given one (a patch keeps an untouched component's).
 */
function buildComponent(
  name: string,
  component: Record<string, unknown>,
  before: unknown,
  touched: (name: string) => boolean,
  time: string,
  lastUpdateTime: string,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = { $lastUpdateTime: lastUpdateTime };
  buildLevel(
    component,
    component.$metadata as Record<string, unknown>,
    isComponent(before) ? (before.$metadata as Record<string, unknown>) : undefined,
    touched,
    time,
    `/${name}`,
    values,
    metadata,
    false,
  );
  values.$metadata = metadata;
  return values;
}

/** The last entry `stampedAt` made, and its time. */
let stamp: PropertyMetadata = Object.freeze({ lastUpdateTime: '' });

/**
 * The metadata entry of a property written at `time` without a sourceTime: one frozen object for every such
 * property of every twin a transaction writes (they share its time), instead of one each. Stored twins are
 * frozen and shared by readers anyway, so sharing an entry between them changes nothing anyone can see, and
 * every twin in the cache holds a few such entries fewer (with one freeze fewer each when it is cached).
 */
function stampedAt(time: string): PropertyMetadata {
  if (stamp.lastUpdateTime !== time) stamp = Object.freeze({ lastUpdateTime: time });
  return stamp;
}

/**
 * A value written again as it was (its JSON the same): a replace keeps such a property's metadata. Primitives
 * compare as they are (JSON text equal exactly when they are equal: checkJson lets no NaN or Infinity in);
 * only objects and arrays are serialized, which a replace of a thousand twins did for every property.
 */
function unchanged(value: unknown, before: unknown): boolean {
  if (before === undefined) return false;
  if (value === null || typeof value !== 'object' || before === null || typeof before !== 'object')
    return value === before;
  return JSON.stringify(value) === JSON.stringify(before);
}

/**
 * Builds the stored twin from what a caller wrote. With `previous` (a replace), properties whose value did
 * not change keep their metadata; everything else is stamped with `time`. `json` serializes the twin for its
 * size check (a store passes one that keeps the text for the row it writes).
 */
export function buildTwin(
  id: string,
  input: TwinInput,
  time: string,
  previous?: Twin,
  limits: DocumentLimits = DEFAULT_LIMITS,
  json: (document: object) => string = JSON.stringify,
): Twin {
  checkId(id, 'twin', limits);
  if (!isPlainObject(input))
    throw new TwingraphError('ValidationFailed', `The body of twin '${id}' must be a JSON object.`, { twinId: id });
  checkJson(input, '');
  const inputMetadata = input.$metadata;
  if (!isPlainObject(inputMetadata) || typeof inputMetadata.$model !== 'string' || inputMetadata.$model.length === 0) {
    throw new TwingraphError('ValidationFailed', `Twin '${id}' must say its model in $metadata.$model.`, {
      twinId: id,
      path: '/$metadata/$model',
    });
  }
  for (const key in input) {
    if (!hasOwn.call(input, key)) continue;
    if (key.startsWith('$') && key !== '$metadata' && key !== '$dtId' && key !== '$etag') {
      throw new TwingraphError(
        'ValidationFailed',
        `'${key}' is not a twin property: the only $-fields of a twin are $dtId, $etag and $metadata.`,
        { twinId: id, path: `/${key}` },
      );
    }
  }
  const components: string[] = [];
  for (const name in input) {
    if (!hasOwn.call(input, name)) continue;
    const value = input[name];
    if (isComponent(value)) {
      checkMetadataTargets(value, value.$metadata, id, `/${name}`);
      components.push(name);
    }
  }
  checkMetadataTargets(input, inputMetadata, id, '');
  const twin = { $dtId: id, $etag: newEtag() } as Twin;
  const metadata: Record<string, unknown> = { $model: inputMetadata.$model, $lastUpdateTime: time };
  buildLevel(
    input,
    inputMetadata,
    previous?.$metadata as Record<string, unknown> | undefined,
    (n) => !unchanged(input[n], previous?.[n]),
    time,
    '',
    twin,
    metadata,
    true,
  );
  for (const name of components) {
    const component = input[name] as Record<string, unknown>;
    const before = previous?.[name];
    (twin as Record<string, unknown>)[name] = buildComponent(
      name,
      component,
      before,
      (n) => !unchanged(component[n], isComponent(before) ? before[n] : undefined),
      time,
      time,
    );
  }
  twin.$metadata = metadata as TwinMetadata;
  checkTwinSize(twin, id, limits, json);
  return twin;
}

/** Metadata may only be given for properties the body has. */
function checkMetadataTargets(
  values: Record<string, unknown>,
  metadata: Record<string, unknown>,
  id: string,
  at: string,
): void {
  for (const name in metadata) {
    if (!hasOwn.call(metadata, name) || name.startsWith('$')) continue;
    if (values[name] === undefined || values[name] === null || isComponent(values[name])) {
      throw new TwingraphError(
        'ValidationFailed',
        `'${at}/$metadata/${name}' describes a property the body does not have.`,
        { twinId: id, path: `${at}/$metadata/${name}` },
      );
    }
  }
}

/** The twin without `$dtId`, `$etag` and `$metadata` (components keep theirs): what a size limit measures. */
function propertiesOf(twin: Twin): JsonObject {
  const { $dtId: _id, $etag: _etag, $metadata: _metadata, ...rest } = twin;
  return rest as JsonObject;
}

/** The last pointer decoded, and its segments: a patch reads each of its paths four times, a batch mostly one. */
let lastPointer: string | undefined;
let lastSegments: readonly string[] = [];

/** A JSON Pointer's segments, unescaped (shared between callers: never changed). */
function decodePointer(path: string): readonly string[] {
  if (path === lastPointer) return lastSegments;
  const segments = path.split('/').slice(1);
  for (let i = 0; i < segments.length; i++)
    if (segments[i].includes('~')) segments[i] = segments[i].replace(/~1/g, '/').replace(/~0/g, '~');
  lastPointer = path;
  lastSegments = segments;
  return segments;
}

function invalidPatch(message: string, id: string, path?: string): TwingraphError {
  return new TwingraphError('JsonPatchInvalid', message, { twinId: id, ...(path !== undefined && { path }) });
}

/** Checks one operation's shape and path against what ADT lets a patch touch. */
function checkOperation(op: unknown, index: number, id: string, kind: 'twin' | 'relationship'): PatchOperation {
  if (!isPlainObject(op)) throw invalidPatch(`Patch operation ${index} is not an object.`, id);
  if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'remove') {
    throw invalidPatch(
      `Patch operation ${index}: '${String(op.op)}' is not supported; use add, replace or remove.`,
      id,
    );
  }
  if (typeof op.path !== 'string' || !op.path.startsWith('/')) {
    throw invalidPatch(
      `Patch operation ${index}: path ${JSON.stringify(op.path)} is not a JSON Pointer below the root.`,
      id,
    );
  }
  if (op.op !== 'remove' && !('value' in op))
    throw invalidPatch(`Patch operation ${index} (${op.op} ${op.path}) needs a value.`, id, op.path);
  const segments = decodePointer(op.path);
  // No twin or relationship property is named so; a path through them would reach an object's prototype.
  if (segments.some((s, i) => s === '__proto__' || (s === 'constructor' && segments[i + 1] === 'prototype')))
    throw invalidPatch(
      `Patch operation ${index}: '${op.path}' goes through an object's prototype; no property has that name.`,
      id,
      op.path,
    );
  const protectedPath = (): never => {
    throw invalidPatch(
      `Patch operation ${index}: '${op.path}' is kept by Twingraph and cannot be patched.`,
      id,
      op.path as string,
    );
  };
  if (kind === 'relationship') {
    if (segments[0].startsWith('$')) protectedPath();
  } else {
    // Metadata paths: $model may be replaced; per-property sourceTime may be set or removed; nothing else.
    const metadataAt = segments[0] === '$metadata' ? 0 : segments[1] === '$metadata' ? 1 : -1;
    if (metadataAt >= 0) {
      const rest = segments.slice(metadataAt + 1);
      const isModel = metadataAt === 0 && rest.length === 1 && rest[0] === '$model';
      const isSourceTime = rest.length === 2 && !rest[0].startsWith('$') && rest[1] === 'sourceTime';
      if (isModel) {
        if (op.op === 'remove' || typeof op.value !== 'string' || op.value.length === 0) {
          throw invalidPatch(
            `Patch operation ${index}: $metadata/$model can only be replaced, with a model id.`,
            id,
            op.path,
          );
        }
      } else if (isSourceTime) {
        if (op.op !== 'remove') checkSourceTime(op.value, op.path);
      } else protectedPath();
    } else if (segments[0].startsWith('$')) protectedPath();
  }
  if (!('value' in op)) return { op: op.op, path: op.path };
  checkJson(op.value, op.path);
  return { op: op.op, path: op.path, value: op.value as JsonValue };
}

/**
 * Applies a patch to a copy of `document` and returns the copy, turning the library's errors into ADT's. The
 * copy shares with `document` whatever the patch does not touch: before each operation, the objects and
 * arrays on its path are copied (once each), so that it changes only copies. Stored twins are frozen and
 * shared by readers, and copying a whole twin for a one-property patch was most of what the patch cost.
 */
function applyOperations(
  document: Record<string, unknown>,
  patch: PatchOperation[],
  id: string,
): Record<string, unknown> {
  const root: Record<string, unknown> = { ...document };
  // Made for the first path below the root (most patches set a top-level property, and need none).
  let copies: Set<unknown> | undefined;
  try {
    patch.forEach((op, index) => {
      const segments = decodePointer(op.path);
      let parent: Record<string, unknown> | unknown[] = root;
      for (let i = 0; i < segments.length - 1; i++) {
        const key = segments[i];
        const child: unknown = Object.prototype.hasOwnProperty.call(parent, key)
          ? (parent as Record<string, unknown>)[key]
          : undefined;
        // A path through nothing, or through a value, fails in applyOperation with the library's words.
        if (child === null || typeof child !== 'object') break;
        if (!(copies ??= new Set<unknown>([root])).has(child)) {
          const copy: Record<string, unknown> | unknown[] = Array.isArray(child)
            ? [...(child as unknown[])]
            : { ...(child as Record<string, unknown>) };
          copies.add(copy);
          (parent as Record<string, unknown>)[key] = copy;
          parent = copy;
        } else parent = child as Record<string, unknown>;
      }
      applyOperation(root, op as Operation, true, true, true, index);
    });
    return root;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      const op = patch[error.index ?? 0];
      const why =
        error.name === 'OPERATION_PATH_UNRESOLVABLE'
          ? `'${op?.path}' does not exist`
          : error.name === 'OPERATION_PATH_CANNOT_ADD'
            ? `the parent of '${op?.path}' does not exist`
            : error.message.split('\n')[0];
      throw invalidPatch(`Patch operation ${error.index ?? 0} (${op?.op} ${op?.path}): ${why}.`, id, op?.path);
    }
    throw error;
  }
}

export function checkPatch(patch: unknown, id: string, kind: 'twin' | 'relationship'): PatchOperation[] {
  if (!Array.isArray(patch)) throw invalidPatch('A JSON Patch is a list of operations.', id);
  if (patch.length === 0) throw invalidPatch('The JSON Patch has no operations.', id);
  return patch.map((op, i) => checkOperation(op, i, id, kind));
}

/**
 * Applies a JSON Patch to a twin. Properties the patch touches get `time` as their lastUpdateTime (ADT stamps
 * a write even when the value does not change); removed properties lose their metadata.
 */
export function patchTwin(
  twin: Twin,
  patch: JsonPatch,
  time: string,
  limits: DocumentLimits = DEFAULT_LIMITS,
  json: (document: object) => string = JSON.stringify,
): { twin: Twin; patch: PatchOperation[] } {
  const id = twin.$dtId;
  const operations = checkPatch(patch, id, 'twin');
  // The copy keeps $dtId and $etag, which no patch may touch and no level reads (they start with $).
  const document = applyOperations(twin, operations, id);
  if (!isPlainObject(document.$metadata) || typeof document.$metadata.$model !== 'string') {
    throw invalidPatch('The patch would leave the twin without $metadata.$model.', id);
  }
  // A sourceTime may only be set on a property the twin has once patched.
  for (const op of operations) {
    const segments = decodePointer(op.path);
    if (op.op === 'remove' || segments[segments.length - 1] !== 'sourceTime') continue;
    const owner =
      segments[0] === '$metadata' ? document : (document[segments[0]] as Record<string, unknown> | undefined);
    const property = segments[segments.length - 2];
    if (!isPlainObject(owner) || owner[property] === undefined || owner[property] === null) {
      throw invalidPatch(
        `'${op.path}' sets the sourceTime of property '${property}', which the twin does not have.`,
        id,
        op.path,
      );
    }
  }
  // Which properties (and component properties) the patch wrote.
  const touchedTop = new Set<string>();
  let touchedIn: Map<string, Set<string>> | undefined;
  for (const op of operations) {
    const [first, second] = decodePointer(op.path);
    if (first === '$metadata') continue;
    touchedTop.add(first);
    if (second !== undefined && second !== '$metadata') {
      touchedIn ??= new Map();
      if (!touchedIn.has(first)) touchedIn.set(first, new Set());
      touchedIn.get(first)!.add(second);
    }
  }
  const next = { $dtId: id, $etag: newEtag() } as Twin;
  const metadata: Record<string, unknown> = { $model: document.$metadata.$model, $lastUpdateTime: time };
  buildLevel(
    document,
    document.$metadata,
    twin.$metadata as Record<string, unknown>,
    (n) => touchedTop.has(n),
    time,
    '',
    next,
    metadata,
    true,
  );
  for (const name in document) {
    if (!hasOwn.call(document, name)) continue;
    const component = document[name];
    if (name === '$metadata' || !isComponent(component)) continue;
    const before = twin[name];
    const touchedHere = touchedIn?.get(name);
    const replacedWhole = touchedTop.has(name) && !touchedHere;
    const touched = (n: string): boolean => replacedWhole || (touchedHere?.has(n) ?? false);
    const wasTouched = touchedTop.has(name) || !isComponent(before);
    const componentTime = wasTouched ? time : (before as { $metadata: ComponentMetadata }).$metadata.$lastUpdateTime;
    (next as Record<string, unknown>)[name] = buildComponent(name, component, before, touched, time, componentTime);
  }
  next.$metadata = metadata as TwinMetadata;
  checkTwinSize(next, id, limits, json);
  return { twin: next, patch: operations };
}

/** What changed from one twin to another, as JSON Patch over properties, components and the model. */
export function diffTwins(before: Twin, after: Twin): PatchOperation[] {
  const strip = (t: Twin): Record<string, unknown> => {
    const out: Record<string, unknown> = { $metadata: { $model: t.$metadata.$model } };
    for (const [k, v] of Object.entries(t)) {
      if (k.startsWith('$')) continue;
      if (isComponent(v)) {
        const { $metadata: _m, ...values } = v;
        out[k] = values;
      } else out[k] = v;
    }
    return out;
  };
  return compare(strip(before), strip(after)) as PatchOperation[];
}

/** Builds a stored relationship from what a caller wrote. */
export function buildRelationship(
  sourceId: string,
  relationshipId: string,
  input: RelationshipInput,
  limits: DocumentLimits = DEFAULT_LIMITS,
): Relationship {
  checkId(sourceId, 'twin', limits);
  checkId(relationshipId, 'relationship', limits);
  if (!isPlainObject(input))
    throw new TwingraphError(
      'InvalidRelationship',
      `The body of relationship '${relationshipId}' must be a JSON object.`,
      { twinId: sourceId, relationshipId },
    );
  checkJson(input, '');
  const targetId = input.$targetId;
  if (typeof targetId !== 'string' || targetId.length === 0) {
    throw new TwingraphError(
      'InvalidRelationship',
      `Relationship '${relationshipId}' needs $targetId, the id of the twin it points at.`,
      { twinId: sourceId, relationshipId, path: '/$targetId' },
    );
  }
  const name = input.$relationshipName;
  if (typeof name !== 'string') {
    throw new TwingraphError(
      'InvalidRelationship',
      `Relationship '${relationshipId}' needs $relationshipName, the DTDL name of the relationship.`,
      { twinId: sourceId, relationshipId, path: '/$relationshipName' },
    );
  }
  try {
    checkRelationshipName(name);
  } catch {
    throw new TwingraphError(
      'InvalidRelationship',
      `'${name}' is not a relationship name: use the DTDL name of one of the model's relationships.`,
      { twinId: sourceId, relationshipId, path: '/$relationshipName' },
    );
  }
  if (targetId === sourceId) {
    // ADT refuses a relationship from a twin to itself, and the mirror must be able to replay every write.
    throw new TwingraphError(
      'OperationNotAllowed',
      `Relationship '${relationshipId}' would point from twin '${sourceId}' to itself, which Azure Digital Twins does not allow.`,
      { twinId: sourceId, relationshipId },
    );
  }
  const relationship: Relationship = {
    $relationshipId: relationshipId,
    $sourceId: sourceId,
    $targetId: targetId,
    $relationshipName: name,
    $etag: newEtag(),
  };
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('$')) {
      if (['$targetId', '$relationshipName', '$relationshipId', '$sourceId', '$etag'].includes(key)) continue;
      throw new TwingraphError('InvalidRelationship', `'${key}' is not a relationship property.`, {
        twinId: sourceId,
        relationshipId,
        path: `/${key}`,
      });
    }
    if (value !== null) relationship[key] = value;
  }
  checkSize(relationshipProperties(relationship), 'Relationship', relationshipId, limits);
  return relationship;
}

export function relationshipProperties(relationship: Relationship): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(relationship)) if (!k.startsWith('$')) out[k] = v;
  return out;
}

/** Applies a JSON Patch to a relationship's properties (its `$` fields cannot be patched). */
export function patchRelationship(
  relationship: Relationship,
  patch: JsonPatch,
  limits: DocumentLimits = DEFAULT_LIMITS,
): { relationship: Relationship; patch: PatchOperation[] } {
  const operations = checkPatch(patch, relationship.$sourceId, 'relationship');
  const document = applyOperations(
    relationshipProperties(relationship) as Record<string, unknown>,
    operations,
    relationship.$sourceId,
  );
  const next: Relationship = {
    $relationshipId: relationship.$relationshipId,
    $sourceId: relationship.$sourceId,
    $targetId: relationship.$targetId,
    $relationshipName: relationship.$relationshipName,
    $etag: newEtag(),
  };
  for (const [k, v] of Object.entries(document)) if (v !== null && v !== undefined) next[k] = v as JsonValue;
  checkSize(relationshipProperties(next), 'Relationship', relationship.$relationshipId, limits);
  return { relationship: next, patch: operations };
}

/** The outgoing-relationship subject ADT uses in its events. */
export function relationshipSubject(sourceId: string, relationshipId: string): string {
  return `${sourceId}/relationships/${relationshipId}`;
}
