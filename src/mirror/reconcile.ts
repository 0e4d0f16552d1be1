/**
 * Reconcile: compares ADT with Twingraph (models, twins, relationships) and repairs ADT to match — for drift
 * the outbox cannot see: changes made while no mirror was configured, dead letters dropped, edits made in ADT
 * directly. Twingraph is the source of truth. The repairs go in dependency order: models ADT lacks, then twins
 * (created or replaced), decommissions, relationships ADT should not have, relationships (created or replaced), twins ADT
 * should not have, models ADT should not have. Every request keeps ADT's rate limits.
 */
import type { TwinStore } from '../store/port';
import type { JsonObject, ModelRecord, Twin } from '../store/types';
import { toAdtError, type Adt } from './adt';
import { adtRelationshipBody, adtTwinBody, MODELS_PER_REQUEST, type RateClass } from './plan';
import { RateLimiter, type RateLimits } from './rate';

export type RepairAction =
  | { readonly kind: 'createModels'; readonly ids: readonly string[] }
  | { readonly kind: 'decommissionModel' | 'deleteModel'; readonly id: string }
  /** Findings that need a person (ADT cannot change a model or undo a decommission): reported, not repaired. */
  | { readonly kind: 'modelDiffers' | 'modelDecommissionedInAdt'; readonly id: string }
  | { readonly kind: 'putTwin'; readonly id: string; readonly reason: 'missing' | 'differs' }
  | { readonly kind: 'deleteTwin'; readonly id: string }
  | { readonly kind: 'putRelationship'; readonly sourceId: string; readonly relationshipId: string; readonly reason: 'missing' | 'differs' }
  | { readonly kind: 'deleteRelationship'; readonly sourceId: string; readonly relationshipId: string };

export interface ReconcileReport {
  readonly compared: { readonly models: number; readonly twins: number; readonly relationships: number };
  readonly actions: readonly RepairAction[];
  /** Repairs that failed, with ADT's error (the rest went through). */
  readonly failures: readonly { readonly action: RepairAction; readonly error: string }[];
  readonly dryRun: boolean;
}

export interface ReconcileOptions {
  readonly dryRun?: boolean;
  readonly limits?: RateLimits;
  /** Called for each action as it is decided (dry run) or done. */
  readonly onAction?: (action: RepairAction, error?: string) => void;
}

/** Keys sorted, recursively: two JSON values compare equal when they say the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** A twin as both sides should agree on it: ADT's PUT body (model and contents; no ETags, no times). */
export function comparableTwin(twin: JsonObject): string {
  return canonical(adtTwinBody(twin));
}

export function comparableRelationship(relationship: JsonObject): string {
  return canonical(adtRelationshipBody(relationship));
}

export async function allTwingraphTwins(store: TwinStore): Promise<Twin[]> {
  const out: Twin[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.queryTwins({ first: 1000, ...(after && { after }) });
    out.push(...page.items);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor ?? undefined;
  }
}

/** Models in an order ADT accepts: each after the models it extends or uses. */
export function dependencyOrder(models: readonly ModelRecord[]): ModelRecord[] {
  const byId = new Map(models.map((m) => [m.id, m]));
  const done = new Set<string>();
  const out: ModelRecord[] = [];
  const visit = (m: ModelRecord): void => {
    if (done.has(m.id)) return;
    done.add(m.id);
    for (const d of m.dependencies ?? []) {
      const dep = byId.get(d);
      if (dep) visit(dep);
    }
    out.push(m);
  };
  models.forEach(visit);
  return out;
}

const DEFAULT_LIMITS: RateLimits = { perSecond: { models: 100, createDelete: 500, patch: 1000 }, perTwin: 10 };

export async function reconcile(store: TwinStore, adt: Adt, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const dryRun = options.dryRun === true;
  const limiter = new RateLimiter(options.limits ?? DEFAULT_LIMITS);
  const actions: RepairAction[] = [];
  const failures: { action: RepairAction; error: string }[] = [];
  const perform = async (action: RepairAction, rate: RateClass, twins: readonly string[], run: () => Promise<void>): Promise<void> => {
    actions.push(action);
    if (dryRun) {
      options.onAction?.(action);
      return;
    }
    const completed = await limiter.reserve(rate, twins);
    try {
      await run();
      options.onAction?.(action);
    } catch (error) {
      const e = toAdtError(error);
      const message = `${e.status ?? 'network'} ${e.code}: ${e.message}`;
      failures.push({ action, error: message });
      options.onAction?.(action, message);
    } finally {
      completed();
    }
  };

  // Read both sides.
  const ours = dependencyOrder(await store.listModels({ includeDefinition: true }));
  const theirs = new Map<string, { decommissioned: boolean; model?: JsonObject }>();
  for await (const m of adt.listModels({ includeDefinition: true })) theirs.set(m.id, m);
  const twins = await allTwingraphTwins(store);
  const adtTwins = new Map<string, JsonObject>();
  for await (const t of adt.allTwins()) adtTwins.set(t.$dtId as string, t);
  const relationships = new Map<string, JsonObject>();
  for (const t of twins) for (const r of await store.listRelationships(t.$dtId)) relationships.set(`${r.$sourceId}\n${r.$relationshipId}`, r as unknown as JsonObject);
  const adtRelationships = new Map<string, JsonObject>();
  for await (const r of adt.allRelationships()) adtRelationships.set(`${r.$sourceId as string}\n${r.$relationshipId as string}`, r);

  // 1. Models ADT lacks (in dependency order, at most 250 a request).
  const missing = ours.filter((m) => !theirs.has(m.id));
  for (let i = 0; i < missing.length; i += MODELS_PER_REQUEST) {
    const part = missing.slice(i, i + MODELS_PER_REQUEST);
    await perform({ kind: 'createModels', ids: part.map((m) => m.id) }, 'models', [], () => adt.createModels(part.map((m) => m.definition as JsonObject)));
  }
  for (const m of ours) {
    const t = theirs.get(m.id);
    if (t?.model && m.definition && canonical(t.model) !== canonical(m.definition)) {
      // Models are immutable in ADT: a different definition under one id needs a person (delete and re-upload).
      actions.push({ kind: 'modelDiffers', id: m.id });
      options.onAction?.({ kind: 'modelDiffers', id: m.id });
    }
    if (t?.decommissioned && !m.decommissioned) {
      actions.push({ kind: 'modelDecommissionedInAdt', id: m.id });
      options.onAction?.({ kind: 'modelDecommissionedInAdt', id: m.id });
    }
  }

  // 2. Twins ADT lacks or has differently.
  for (const t of twins) {
    const theirsTwin = adtTwins.get(t.$dtId);
    const body = adtTwinBody(t as unknown as JsonObject);
    if (theirsTwin && canonical(adtTwinBody(theirsTwin)) === canonical(body)) continue;
    await perform({ kind: 'putTwin', id: t.$dtId, reason: theirsTwin ? 'differs' : 'missing' }, 'createDelete', [t.$dtId], () => adt.putTwin(t.$dtId, body));
  }
  // Decommissions after the twins: ADT creates no new twin of a decommissioned model (ModelDecommissioned),
  // and Twingraph's twins of such models predate their decommission.
  for (const m of ours) {
    const t = theirs.get(m.id);
    if (m.decommissioned && (t ? !t.decommissioned : true)) await perform({ kind: 'decommissionModel', id: m.id }, 'models', [], () => adt.decommissionModel(m.id));
  }

  // 3. Relationships ADT should not have, then those it lacks or has differently.
  for (const [key, r] of adtRelationships) {
    if (relationships.has(key)) continue;
    const sourceId = r.$sourceId as string;
    const relationshipId = r.$relationshipId as string;
    await perform({ kind: 'deleteRelationship', sourceId, relationshipId }, 'createDelete', [sourceId, r.$targetId as string], () => adt.deleteRelationship(sourceId, relationshipId));
  }
  for (const [key, r] of relationships) {
    const theirsRel = adtRelationships.get(key);
    if (theirsRel && comparableRelationship(theirsRel) === comparableRelationship(r)) continue;
    const sourceId = r.$sourceId as string;
    const relationshipId = r.$relationshipId as string;
    await perform({ kind: 'putRelationship', sourceId, relationshipId, reason: theirsRel ? 'differs' : 'missing' }, 'createDelete', [sourceId, r.$targetId as string], () =>
      adt.putRelationship(sourceId, relationshipId, adtRelationshipBody(r)),
    );
  }

  // 4. Twins ADT should not have (their relationships went in step 3), then models.
  const ourIds = new Set(twins.map((t) => t.$dtId));
  for (const id of adtTwins.keys()) {
    if (!ourIds.has(id)) await perform({ kind: 'deleteTwin', id }, 'createDelete', [id], () => adt.deleteTwin(id));
  }
  const ourModels = new Set(ours.map((m) => m.id));
  // Dependents first: delete in the reverse of the order ADT would accept them in.
  const extra = [...theirs.entries()].filter(([id]) => !ourModels.has(id));
  const extraOrder = dependencyOrder(
    extra.map(([id, m]) => ({
      id,
      dependencies: referencedModels(m.model),
    })) as unknown as ModelRecord[],
  ).reverse();
  for (const m of extraOrder) await perform({ kind: 'deleteModel', id: m.id }, 'models', [], () => adt.deleteModel(m.id));

  return { compared: { models: Math.max(ours.length, theirs.size), twins: Math.max(twins.length, adtTwins.size), relationships: Math.max(relationships.size, adtRelationships.size) }, actions, failures, dryRun };
}

/** The models a DTDL interface names through extends and component schemas. */
function referencedModels(model: JsonObject | undefined): string[] {
  if (!model) return [];
  const out = new Set<string>();
  const ext = model.extends;
  for (const e of Array.isArray(ext) ? ext : ext ? [ext] : []) if (typeof e === 'string') out.add(e);
  const contents = Array.isArray(model.contents) ? model.contents : [];
  for (const c of contents as JsonObject[]) {
    const types = Array.isArray(c['@type']) ? c['@type'] : [c['@type']];
    if (types.includes('Component') && typeof c.schema === 'string') out.add(c.schema);
  }
  return [...out];
}

export function describeAction(a: RepairAction): string {
  switch (a.kind) {
    case 'createModels':
      return `create models ${a.ids.join(', ')}`;
    case 'decommissionModel':
      return `decommission model ${a.id}`;
    case 'deleteModel':
      return `delete model ${a.id}`;
    case 'modelDiffers':
      return `model ${a.id} differs in ADT (models are immutable: delete it there and reconcile again)`;
    case 'modelDecommissionedInAdt':
      return `model ${a.id} is decommissioned in ADT but not in Twingraph (ADT cannot undo it: decommission it in Twingraph, or delete it in ADT and reconcile again)`;
    case 'putTwin':
      return `${a.reason === 'missing' ? 'create' : 'replace'} twin ${a.id}`;
    case 'deleteTwin':
      return `delete twin ${a.id}`;
    case 'putRelationship':
      return `${a.reason === 'missing' ? 'create' : 'replace'} relationship ${a.sourceId}/${a.relationshipId}`;
    case 'deleteRelationship':
      return `delete relationship ${a.sourceId}/${a.relationshipId}`;
  }
}

/** A finding only a person can settle (reported, never repaired). */
export function isFinding(a: RepairAction): boolean {
  return a.kind === 'modelDiffers' || a.kind === 'modelDecommissionedInAdt';
}
