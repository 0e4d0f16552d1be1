/**
 * From claimed outbox entries to ADT operations (pure). Consecutive changes of one subject in a partition
 * collapse into one request: a create followed by updates is one PUT of the final state, updates are one
 * JSON Patch, anything followed by a delete is the delete. ADT allows 10 writes a second per twin; a busy twin
 * thus costs one request per batch, not one per change.
 *
 * Each operation says which keys it reads and writes, so the worker runs it only after every earlier operation
 * of the batch it conflicts with: models before the twins that use them (twin writes read `models`), twins
 * before relationships to them and relationship deletes before twin deletes (relationship writes read both
 * ends), and a partition in order (every operation writes its partition).
 */
import { MODELS_PARTITION } from '../store/changes';
import type { ChangeEntry, JsonObject, JsonPatch, OutboxEntry, PatchOperation } from '../store/types';

export type RateClass = 'models' | 'createDelete' | 'patch';

interface OpBase {
  /** The outbox entries the operation carries out, in seq order (acknowledged together). */
  readonly seqs: readonly number[];
  readonly partition: string;
  /** Keys it must not overtake earlier writers of. */
  readonly reads: readonly string[];
  /** Keys later operations must not overtake it on. */
  readonly writes: readonly string[];
  /** Twins the request counts against for ADT's per-twin limit (a relationship counts against both ends). */
  readonly twins: readonly string[];
  readonly rate: RateClass;
}

export type MirrorOp =
  | (OpBase & { readonly kind: 'createModels'; readonly models: readonly JsonObject[] })
  | (OpBase & { readonly kind: 'decommissionModel' | 'deleteModel'; readonly modelId: string })
  | (OpBase & { readonly kind: 'putTwin'; readonly twinId: string; readonly twin: JsonObject })
  | (OpBase & { readonly kind: 'patchTwin'; readonly twinId: string; readonly patch: JsonPatch })
  | (OpBase & { readonly kind: 'deleteTwin'; readonly twinId: string })
  | (OpBase & {
      readonly kind: 'putRelationship';
      readonly sourceId: string;
      readonly relationshipId: string;
      readonly relationship: JsonObject;
    })
  | (OpBase & {
      readonly kind: 'patchRelationship';
      readonly sourceId: string;
      readonly relationshipId: string;
      readonly patch: JsonPatch;
    })
  | (OpBase & { readonly kind: 'deleteRelationship'; readonly sourceId: string; readonly relationshipId: string })
  /** A retried dead letter: ADT gets the subject as Twingraph has it now (the old change may be long overtaken). */
  | (OpBase & { readonly kind: 'syncTwin'; readonly twinId: string })
  | (OpBase & { readonly kind: 'syncRelationship'; readonly sourceId: string; readonly relationshipId: string })
  | (OpBase & { readonly kind: 'syncModel'; readonly modelId: string });

/** ADT takes at most 250 models per POST /models. */
export const MODELS_PER_REQUEST = 250;
/** A coalesced patch larger than this (ADT's request limit is 32 KB) becomes a PUT of the final state. */
const MAX_PATCH_BYTES = 28 * 1024;
/** The size of a patch as sent (UTF-8), not its length in UTF-16 code units. */
const patchBytes = (patch: JsonPatch): number => Buffer.byteLength(JSON.stringify(patch), 'utf8');

// Named as the outbox names the partitions (store/changes.ts's outboxPartition), so that a key is also the
// partition whose earlier entries an operation reading it depends on (the worker asks the outbox about them).
const MODELS_KEY = MODELS_PARTITION;
const twinKey = (id: string): string => `twin:${id}`;

function stripMetadata(value: JsonObject, top: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$dtId' || key === '$etag') continue;
    if (key === '$metadata') {
      // ADT sets lastUpdateTime itself; a twin names its model, and a property keeps the sourceTime it was given.
      const metadata: JsonObject = {};
      for (const [name, entry] of Object.entries((v ?? {}) as JsonObject)) {
        if (name === '$model') {
          if (top && typeof entry === 'string') metadata.$model = entry;
        } else if (
          entry !== null &&
          typeof entry === 'object' &&
          typeof (entry as JsonObject).sourceTime === 'string'
        ) {
          metadata[name] = { sourceTime: (entry as JsonObject).sourceTime };
        }
      }
      out.$metadata = metadata;
      continue;
    }
    out[key] =
      v !== null && typeof v === 'object' && !Array.isArray(v) && (v as JsonObject).$metadata !== undefined
        ? stripMetadata(v as JsonObject, false)
        : v;
  }
  return out;
}

/** A Twingraph twin as the body of ADT's PUT: its properties and components, `$metadata` reduced to `$model` and the properties' `sourceTime`s. */
export function adtTwinBody(twin: JsonObject): JsonObject {
  return stripMetadata(twin, true);
}

/** A Twingraph relationship as the body of ADT's PUT. */
export function adtRelationshipBody(relationship: JsonObject): JsonObject {
  const { $etag: _etag, ...rest } = relationship;
  return rest;
}

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** An insert or removal at an array index (or `-`) moves the elements after it: it touches all its siblings. */
function shiftsSiblingsOf(op: PatchOperation, path: string): boolean {
  if (op.op === 'replace') return false;
  const cut = op.path.lastIndexOf('/');
  return /^(\d+|-)$/.test(op.path.slice(cut + 1)) && path.startsWith(`${op.path.slice(0, cut)}/`);
}

/**
 * Several patches as one, applied in order (JSON Patch is sequential). A `replace` is dropped when a later
 * operation replaces or removes the same path and nothing in between touches an overlapping path.
 */
export function concatPatches(patches: readonly JsonPatch[]): JsonPatch {
  const ops: PatchOperation[] = patches.flat();
  const keep = ops.map(() => true);
  for (let i = 0; i < ops.length; i++) {
    if (ops[i].op !== 'replace') continue;
    for (let j = i + 1; j < ops.length; j++) {
      if (!overlaps(ops[i].path, ops[j].path) && !shiftsSiblingsOf(ops[j], ops[i].path)) continue;
      if (ops[j].path === ops[i].path && (ops[j].op === 'replace' || ops[j].op === 'remove')) keep[i] = false;
      break;
    }
  }
  return ops.filter((_, i) => keep[i]);
}

function base(
  entries: readonly OutboxEntry[],
  reads: string[],
  writes: string[],
  twins: string[],
  rate: RateClass,
): OpBase {
  const partition = entries[0].partition;
  return {
    seqs: entries.map((e) => e.seq).sort((a, b) => a - b),
    partition,
    reads,
    writes: [...new Set([...writes, partition])],
    twins,
    rate,
  };
}

/** The subject consecutive entries must share to be merged. */
function subjectOf(change: ChangeEntry): string {
  if (change.type.startsWith('Model.')) return `model:${change.subject}`;
  return change.type.startsWith('Relationship.') ? `rel:${change.subject}` : `twin:${change.twinId}`;
}

/** What one change's operation reads and writes (besides its partition, which every operation writes). */
function keysOf(change: ChangeEntry): { reads: string[]; writes: string[] } {
  if (change.type.startsWith('Model.')) return { reads: [], writes: [MODELS_KEY] };
  if (change.type.startsWith('Relationship.')) {
    const body = change.body as JsonObject;
    // Both ends: a relationship must not overtake its target's creation, nor a delete of its target overtake it.
    const target = twinKey(body.$targetId as string);
    return { reads: [target], writes: [`rel:${body.$sourceId as string}/${body.$relationshipId as string}`, target] };
  }
  return { reads: change.type === 'Twin.Delete' ? [] : [MODELS_KEY], writes: [twinKey(change.twinId!)] };
}

/**
 * Whether a patch addresses an array element (an index or `-`). Such an operation is not idempotent — sent
 * twice (the answer lost, the request retried) it adds or removes twice — so the change goes as a PUT of the
 * final state instead. A numeric map key looks the same and goes as a PUT too: correct, only less small.
 */
function touchesArrayElements(patch: JsonPatch): boolean {
  return patch.some((op) => op.path.split('/').some((segment) => segment === '-' || /^\d+$/.test(segment)));
}

/** A patch worth sending as one: small enough, and safe to send again. */
const patchable = (patch: JsonPatch | undefined): patch is JsonPatch =>
  patch !== undefined && patchBytes(patch) <= MAX_PATCH_BYTES && !touchesArrayElements(patch);

function twinOp(run: readonly OutboxEntry[]): MirrorOp {
  const last = run[run.length - 1].change;
  const twinId = last.twinId!;
  const keys = { ...keysOf(last), twins: [twinId] };
  if (last.type === 'Twin.Delete')
    return { kind: 'deleteTwin', twinId, ...base(run, keys.reads, keys.writes, keys.twins, 'createDelete') };
  const created = run.some((e) => e.change.type === 'Twin.Create');
  const patch = created ? undefined : concatPatches(run.map((e) => (e.change.patch ?? []) as JsonPatch));
  if (!patchable(patch)) {
    return {
      kind: 'putTwin',
      twinId,
      twin: adtTwinBody(last.body as JsonObject),
      ...base(run, keys.reads, keys.writes, keys.twins, 'createDelete'),
    };
  }
  return { kind: 'patchTwin', twinId, patch, ...base(run, keys.reads, keys.writes, keys.twins, 'patch') };
}

function relationshipOp(run: readonly OutboxEntry[]): MirrorOp {
  const last = run[run.length - 1].change;
  const body = last.body as JsonObject;
  const sourceId = body.$sourceId as string;
  const relationshipId = body.$relationshipId as string;
  const targetId = body.$targetId as string;
  const ids = { sourceId, relationshipId };
  const { reads, writes } = keysOf(last);
  const twins = [...new Set([sourceId, targetId])];
  if (last.type === 'Relationship.Delete')
    return { kind: 'deleteRelationship', ...ids, ...base(run, reads, writes, twins, 'createDelete') };
  const created = run.some((e) => e.change.type === 'Relationship.Create');
  const patch = created ? undefined : concatPatches(run.map((e) => (e.change.patch ?? []) as JsonPatch));
  if (!patchable(patch)) {
    return {
      kind: 'putRelationship',
      ...ids,
      relationship: adtRelationshipBody(body),
      ...base(run, reads, writes, twins, 'createDelete'),
    };
  }
  return { kind: 'patchRelationship', ...ids, patch, ...base(run, reads, writes, twins, 'patch') };
}

/** The models a DTDL interface refers to: what it extends and the schemas of its components. */
export function referencedModels(model: JsonObject | undefined): string[] {
  if (!model) return [];
  const out = new Set<string>();
  const ext = model.extends;
  for (const e of Array.isArray(ext) ? ext : ext ? [ext] : []) if (typeof e === 'string') out.add(e);
  for (const c of (Array.isArray(model.contents) ? model.contents : []) as JsonObject[]) {
    const types = Array.isArray(c['@type']) ? c['@type'] : [c['@type']];
    if (types.includes('Component') && typeof c.schema === 'string') out.add(c.schema);
  }
  return [...out];
}

/** Model creates ordered so that each follows the models of the run it refers to (otherwise in seq order). */
function inDependencyOrder(run: readonly OutboxEntry[]): OutboxEntry[] {
  const byId = new Map<string, OutboxEntry>();
  for (const e of run) if (!byId.has(e.change.subject)) byId.set(e.change.subject, e);
  const done = new Set<OutboxEntry>();
  const out: OutboxEntry[] = [];
  const visit = (e: OutboxEntry): void => {
    if (done.has(e)) return;
    done.add(e);
    for (const ref of referencedModels((e.change.body as { definition?: JsonObject }).definition)) {
      const dep = byId.get(ref);
      if (dep) visit(dep);
    }
    out.push(e);
  };
  run.forEach(visit);
  return out;
}

function modelOps(run: readonly OutboxEntry[]): MirrorOp[] {
  const type = run[0].change.type;
  const modelId = run[0].change.subject;
  if (type === 'Model.Create') {
    // A run of creates (one upload, or several) goes as few POSTs as ADT allows, each model after those it
    // extends or uses, so that a cut between two POSTs never sends a model before what it refers to.
    const ordered = inDependencyOrder(run);
    const out: MirrorOp[] = [];
    for (let i = 0; i < ordered.length; i += MODELS_PER_REQUEST) {
      const part = ordered.slice(i, i + MODELS_PER_REQUEST);
      out.push({
        kind: 'createModels',
        models: part.map((e) => (e.change.body as { definition: JsonObject }).definition),
        ...base(part, [], [MODELS_KEY], [], 'models'),
      });
    }
    return out;
  }
  return run.map((e) => ({
    kind: type === 'Model.Delete' ? ('deleteModel' as const) : ('decommissionModel' as const),
    modelId,
    ...base([e], [], [MODELS_KEY], [], 'models'),
  }));
}

interface OpenRun {
  readonly entries: OutboxEntry[];
  /** Keys read and written by entries of other partitions since the run began. */
  readonly othersRead: Set<string>;
  readonly othersWrote: Set<string>;
}

/**
 * Runs of consecutive entries of one partition (in seq order) that become one operation each. A run's
 * operation goes at its first entry's place, so an entry joins a run only if no entry of another partition
 * since the run began conflicts with it: else it would overtake that entry (a patch to a model uploaded in
 * between, a twin delete past the delete of an incoming relationship in between).
 */
function runs(entries: readonly OutboxEntry[]): OutboxEntry[][] {
  const out: OutboxEntry[][] = [];
  const open = new Map<string, OpenRun>();
  for (const entry of entries) {
    const own = keysOf(entry.change);
    const keys = { reads: own.reads, writes: [...own.writes, entry.partition] };
    const current = open.get(entry.partition);
    const previous = current?.entries[current.entries.length - 1];
    const sameSubject = previous !== undefined && subjectOf(previous.change) === subjectOf(entry.change);
    // Model creates of several ids merge too (one POST); other model changes stand alone.
    const mergeable =
      previous !== undefined &&
      !entry.resync &&
      !previous.resync &&
      ((sameSubject &&
        !entry.change.type.startsWith('Model.') &&
        previous.change.type !== 'Twin.Delete' &&
        previous.change.type !== 'Relationship.Delete') ||
        (previous.change.type === 'Model.Create' && entry.change.type === 'Model.Create'));
    const overtakes =
      current !== undefined &&
      (keys.reads.some((k) => current.othersWrote.has(k)) ||
        keys.writes.some((k) => current.othersWrote.has(k) || current.othersRead.has(k)));
    if (current !== undefined && mergeable && !overtakes) current.entries.push(entry);
    else {
      const run = [entry];
      out.push(run);
      open.set(entry.partition, { entries: run, othersRead: new Set(), othersWrote: new Set() });
    }
    for (const [partition, run] of open) {
      if (partition === entry.partition) continue;
      for (const k of keys.reads) run.othersRead.add(k);
      for (const k of keys.writes) run.othersWrote.add(k);
    }
  }
  return out;
}

/** The operations for a claimed batch, in the order of their first entry. */
export function planOperations(entries: readonly OutboxEntry[]): MirrorOp[] {
  const ops: MirrorOp[] = [];
  for (const run of runs([...entries].sort((a, b) => a.seq - b.seq))) {
    const type = run[0].change.type;
    if (run[0].resync) ops.push(syncOp(run[0]));
    else if (type.startsWith('Model.')) ops.push(...modelOps(run));
    else if (type.startsWith('Relationship.')) ops.push(relationshipOp(run));
    else if (type.startsWith('Twin.')) ops.push(twinOp(run));
  }
  // Runs come in the order of their first entries, a run's operations in their own order (model chunks).
  return ops;
}

/** A retried dead letter: its subject written as Twingraph has it now, or deleted if Twingraph has it no more. */
function syncOp(entry: OutboxEntry): MirrorOp {
  const change = entry.change;
  if (change.type.startsWith('Model.'))
    return { kind: 'syncModel', modelId: change.subject, ...base([entry], [], [MODELS_KEY], [], 'models') };
  // Keys and rate counts come from the old change: a relationship re-pointed since is counted against its old
  // target (harmless), and ordered behind it; the write itself is the current state.
  if (change.type.startsWith('Relationship.')) {
    const body = change.body as JsonObject;
    const { reads, writes } = keysOf(change);
    const twins = [...new Set([body.$sourceId as string, body.$targetId as string])];
    return {
      kind: 'syncRelationship',
      sourceId: body.$sourceId as string,
      relationshipId: body.$relationshipId as string,
      ...base([entry], reads, writes, twins, 'createDelete'),
    };
  }
  const twinId = change.twinId!;
  return { kind: 'syncTwin', twinId, ...base([entry], [MODELS_KEY], [twinKey(twinId)], [twinId], 'createDelete') };
}

/** For each operation, the indices of the earlier ones it must wait for (those it conflicts with). */
export function dependencies(ops: readonly MirrorOp[]): number[][] {
  const lastWriter = new Map<string, number>();
  const readersSince = new Map<string, number[]>();
  return ops.map((op, i) => {
    const deps = new Set<number>();
    for (const key of [...op.reads, ...op.writes]) {
      const w = lastWriter.get(key);
      if (w !== undefined) deps.add(w);
    }
    for (const key of op.writes) for (const r of readersSince.get(key) ?? []) deps.add(r);
    for (const key of op.reads) {
      if (!readersSince.has(key)) readersSince.set(key, []);
      readersSince.get(key)!.push(i);
    }
    for (const key of op.writes) {
      lastWriter.set(key, i);
      readersSince.set(key, []);
    }
    deps.delete(i);
    return [...deps].sort((a, b) => a - b);
  });
}

/** A short description for logs and dead letters. */
export function describeOp(op: MirrorOp): string {
  switch (op.kind) {
    case 'createModels':
      return `create ${op.models.length} model(s) ${op.models.map((m) => m['@id']).join(', ')}`;
    case 'decommissionModel':
    case 'deleteModel':
      return `${op.kind === 'deleteModel' ? 'delete' : 'decommission'} model ${op.modelId}`;
    case 'putTwin':
    case 'patchTwin':
    case 'deleteTwin':
      return `${op.kind.replace('Twin', '')} twin ${op.twinId}`;
    case 'syncTwin':
      return `resync twin ${op.twinId} from Twingraph`;
    case 'syncRelationship':
      return `resync relationship ${op.sourceId}/${op.relationshipId} from Twingraph`;
    case 'syncModel':
      return `resync model ${op.modelId} from Twingraph`;
    default:
      return `${op.kind.replace('Relationship', '')} relationship ${op.sourceId}/${op.relationshipId}`;
  }
}
