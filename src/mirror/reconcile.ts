/**
 * Reconcile: compares ADT with Twingraph (models, twins, relationships) and repairs ADT to match — for drift
 * the outbox cannot see: changes made while no mirror was configured, dead letters dropped, edits made in ADT
 * directly. Twingraph is the source of truth. The repairs go in dependency order: models ADT lacks, then twins
 * (created or replaced), decommissions, relationships ADT should not have, relationships (created or replaced), twins ADT
 * should not have, models ADT should not have. Every request keeps ADT's rate limits, and one that fails
 * transiently (no answer, 408, 429, 5xx) is sent again (./retry.ts).
 *
 * It may run beside a running server (whose mirror keeps writing to ADT) and ADT's query results can lag its
 * writes by up to ~10 s, so the two snapshots it compares can be out of date by the time a repair goes out.
 * Before each twin or relationship repair it therefore reads that one subject again — from Twingraph, and
 * from ADT by id (which does not lag) — and skips the repair when it no longer applies; a PUT sends what
 * Twingraph holds then, not what the snapshot held. A delete ADT answers with 404 is done.
 *
 * A retried request may find its earlier attempt applied (the answer was lost: a dropped connection, a
 * deadline). PUTs and deletes are idempotent as they stand; a model upload is not — its retry gets 409
 * ModelAlreadyExists — so it counts as done when ADT has each of its models with our definition (one with
 * another definition is reported as modelDiffers).
 */
import { TwingraphError } from '../errors';
import type { ModelStore, TwinReads } from '../store/port';
import type { JsonObject, ModelRecord, Relationship, Twin } from '../store/types';
import { isNotFound, toAdtError, type Adt, type AdtError } from './adt';
import { adtRelationshipBody, adtTwinBody, MODELS_PER_REQUEST, referencedModels, type RateClass } from './plan';
import { RateLimiter, type RateLimits } from './rate';
import { collect, DEFAULT_RETRY, withRetries, type RetryOptions, type RetryPolicy } from './retry';
import { twingraphRelationship, twingraphTwin } from './current';
import { DEFAULT_MIRROR_OPTIONS } from './worker';

export type RepairAction =
  | { readonly kind: 'createModels'; readonly ids: readonly string[] }
  | { readonly kind: 'decommissionModel' | 'deleteModel'; readonly id: string }
  /** Findings that need a person (ADT cannot change a model or undo a decommission): reported, not repaired. */
  | { readonly kind: 'modelDiffers' | 'modelDecommissionedInAdt'; readonly id: string }
  | { readonly kind: 'putTwin'; readonly id: string; readonly reason: 'missing' | 'differs' }
  | { readonly kind: 'deleteTwin'; readonly id: string }
  | {
      readonly kind: 'putRelationship';
      readonly sourceId: string;
      readonly relationshipId: string;
      readonly reason: 'missing' | 'differs';
    }
  | { readonly kind: 'deleteRelationship'; readonly sourceId: string; readonly relationshipId: string };

export interface ReconcileReport {
  readonly compared: { readonly models: number; readonly twins: number; readonly relationships: number };
  /** The repairs made or tried (a dry run: those needed), and the findings. */
  readonly actions: readonly RepairAction[];
  /** Repairs that failed, with ADT's error (the rest went through). */
  readonly failures: readonly { readonly action: RepairAction; readonly error: string }[];
  /** Repairs the snapshots called for that no longer applied when their turn came (see the module comment). */
  readonly skipped: readonly { readonly action: RepairAction; readonly reason: string }[];
  readonly dryRun: boolean;
}

export interface ReconcileOptions {
  readonly dryRun?: boolean;
  readonly limits?: RateLimits;
  /** Retries of transient ADT failures (default DEFAULT_RETRY; tests pass small backoffs). */
  readonly retry?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
  /**
   * Called for each action as it is decided (dry run) or done: with ADT's error when it failed, with the
   * reason when it was skipped.
   */
  readonly onAction?: (action: RepairAction, error?: string, skipped?: string) => void;
}

/** Keys sorted, recursively: two JSON values compare equal when they say the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** A twin as both sides should agree on it: ADT's PUT body (model and contents; no ETags, no times). */
export function comparableTwin(twin: JsonObject): string {
  return canonical(adtTwinBody(twin));
}

export function comparableRelationship(relationship: JsonObject): string {
  return canonical(adtRelationshipBody(relationship));
}

export async function allTwingraphTwins(store: TwinReads): Promise<Twin[]> {
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

/** A twin's relationships; none when it was deleted since the twins were read (a server runs beside). */
async function outgoing(store: TwinReads, id: string): Promise<readonly Relationship[]> {
  try {
    return await store.listRelationships(id);
  } catch (error) {
    if (error instanceof TwingraphError && error.code === 'DigitalTwinNotFound') return [];
    throw error;
  }
}

/** Whether ADT's error answer to a repair means the repair is done after all. */
type Settle = (error: AdtError) => boolean | Promise<boolean>;

/** A delete ADT answers with 404 (no such thing) is done. */
const gone: Settle = (error) => isNotFound(error);

/** What a repair does once its subject was read again: skip (why), or send this request. */
type Prepared =
  | { readonly skip: string }
  | { readonly action: RepairAction; readonly run: () => Promise<void>; readonly twins?: readonly string[] };

const NO_LONGER_IN_TWINGRAPH = 'no longer in Twingraph';
const NOW_IN_TWINGRAPH = 'now in Twingraph';
const ADT_HAS_IT = 'ADT has it as Twingraph does';
const GONE_FROM_ADT = 'already gone from ADT';

export async function reconcile(
  store: TwinReads & ModelStore,
  adt: Adt,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const dryRun = options.dryRun === true;
  const limiter = new RateLimiter(options.limits ?? DEFAULT_MIRROR_OPTIONS.limits);
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry, ...(options.signal && { signal: options.signal }) };
  const read = <T>(call: () => Promise<T>): Promise<T> => withRetries(call, retry);
  const actions: RepairAction[] = [];
  const failures: { action: RepairAction; error: string }[] = [];
  const skipped: { action: RepairAction; reason: string }[] = [];

  /** Sends a repair: each attempt waits for its turn under the limits; a throttled answer pauses its class. */
  const send = (rate: RateClass, twins: readonly string[], run: () => Promise<void>): Promise<void> =>
    withRetries(
      async () => {
        const completed = await limiter.reserve(rate, twins, options.signal);
        try {
          await run();
        } finally {
          completed();
        }
      },
      {
        ...retry,
        onRetry: (e) =>
          e.status === 429 && e.retryAfterMs !== undefined ? limiter.pause(rate, e.retryAfterMs) : undefined,
      },
    );

  /**
   * One repair. `prepare` (not in a dry run) reads the subject again when it needs to, and says whether the
   * repair still applies and what to send; `settle` says which of ADT's error answers count as done.
   */
  const perform = async (
    action: RepairAction,
    rate: RateClass,
    twins: readonly string[],
    prepare: () => Promise<Prepared>,
    settle?: Settle,
  ): Promise<void> => {
    if (dryRun) {
      actions.push(action);
      options.onAction?.(action);
      return;
    }
    let done = action;
    try {
      const p = await prepare();
      if ('skip' in p) {
        skipped.push({ action, reason: p.skip });
        options.onAction?.(action, undefined, p.skip);
        return;
      }
      done = p.action;
      actions.push(done);
      await send(rate, p.twins ?? twins, p.run).catch(async (error: unknown) => {
        if (settle && !(error instanceof TwingraphError) && (await settle(toAdtError(error)))) return;
        throw error;
      });
      options.onAction?.(done);
    } catch (error) {
      if (error instanceof TwingraphError || options.signal?.aborted) throw error;
      if (!actions.includes(done)) actions.push(done);
      const e = toAdtError(error);
      const message = e.describe();
      failures.push({ action: done, error: message });
      options.onAction?.(done, message);
    }
  };
  const as = (action: RepairAction, run: () => Promise<void>) => async (): Promise<Prepared> => ({ action, run });

  // Read both sides. (ADT's listings are read whole, each retried as a whole: see collect.)
  const ours = dependencyOrder(await store.listModels({ includeDefinition: true }));
  const theirs = new Map<string, { decommissioned: boolean; model?: JsonObject }>();
  for (const m of await collect(() => adt.listModels({ includeDefinition: true }), retry)) theirs.set(m.id, m);
  const twins = await allTwingraphTwins(store);
  const adtTwins = new Map<string, JsonObject>();
  for (const t of await collect(() => adt.allTwins(), retry)) adtTwins.set(t.$dtId as string, t);
  const relationships = new Map<string, JsonObject>();
  for (const t of twins)
    for (const r of await outgoing(store, t.$dtId))
      relationships.set(`${r.$sourceId}\n${r.$relationshipId}`, r as unknown as JsonObject);
  const adtRelationships = new Map<string, JsonObject>();
  for (const r of await collect(() => adt.allRelationships(), retry))
    adtRelationships.set(`${r.$sourceId as string}\n${r.$relationshipId as string}`, r);

  /**
   * After a retried upload's 409 ModelAlreadyExists: whether an earlier attempt was applied, i.e. ADT has every
   * model of `part` (read by id, which does not lag). One it has with another definition is a finding.
   */
  const uploadedBefore = async (part: readonly ModelRecord[]): Promise<boolean> => {
    const differs: string[] = [];
    for (const m of part) {
      const there = await read(() => adt.getModel(m.id));
      if (!there) return false;
      if (there.model && m.definition && canonical(there.model) !== canonical(m.definition)) differs.push(m.id);
    }
    for (const id of differs) {
      actions.push({ kind: 'modelDiffers', id });
      options.onAction?.({ kind: 'modelDiffers', id });
    }
    return true;
  };

  // 1. Models ADT lacks (in dependency order, at most 250 a request).
  const missing = ours.filter((m) => !theirs.has(m.id));
  for (let i = 0; i < missing.length; i += MODELS_PER_REQUEST) {
    const part = missing.slice(i, i + MODELS_PER_REQUEST);
    const action: RepairAction = { kind: 'createModels', ids: part.map((m) => m.id) };
    let sent = 0;
    const upload = (): Promise<void> => {
      sent++;
      return adt.createModels(part.map((m) => m.definition as JsonObject));
    };
    // Not idempotent: a retry's ModelAlreadyExists may be the earlier attempt's doing (its answer was lost).
    const settle: Settle = (e) =>
      sent > 1 && e.status === 409 && e.code === 'ModelAlreadyExists' && uploadedBefore(part);
    await perform(action, 'models', [], as(action, upload), settle);
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
    const id = t.$dtId;
    await perform(
      { kind: 'putTwin', id, reason: theirsTwin ? 'differs' : 'missing' },
      'createDelete',
      [id],
      async () => {
        const now = await twingraphTwin(store, id);
        if (!now) return { skip: NO_LONGER_IN_TWINGRAPH };
        const current = adtTwinBody(now);
        const inAdt = await read(() => adt.getTwin(id));
        if (inAdt && canonical(adtTwinBody(inAdt)) === canonical(current)) return { skip: ADT_HAS_IT };
        return {
          action: { kind: 'putTwin', id, reason: inAdt ? 'differs' : 'missing' },
          run: () => adt.putTwin(id, current),
        };
      },
    );
  }
  // Decommissions after the twins: ADT creates no new twin of a decommissioned model (ModelDecommissioned),
  // and Twingraph's twins of such models predate their decommission.
  for (const m of ours) {
    const t = theirs.get(m.id);
    if (!m.decommissioned || t?.decommissioned) continue;
    const action: RepairAction = { kind: 'decommissionModel', id: m.id };
    await perform(
      action,
      'models',
      [],
      as(action, () => adt.decommissionModel(m.id)),
    );
  }

  // 3. Relationships ADT should not have, then those it lacks or has differently.
  for (const [key, r] of adtRelationships) {
    if (relationships.has(key)) continue;
    const sourceId = r.$sourceId as string;
    const relationshipId = r.$relationshipId as string;
    await perform(
      { kind: 'deleteRelationship', sourceId, relationshipId },
      'createDelete',
      [sourceId, r.$targetId as string],
      async () => {
        if (await twingraphRelationship(store, sourceId, relationshipId)) return { skip: NOW_IN_TWINGRAPH };
        if (!(await read(() => adt.getRelationship(sourceId, relationshipId)))) return { skip: GONE_FROM_ADT };
        return {
          action: { kind: 'deleteRelationship', sourceId, relationshipId },
          run: () => adt.deleteRelationship(sourceId, relationshipId),
        };
      },
      gone,
    );
  }
  for (const [key, r] of relationships) {
    const theirsRel = adtRelationships.get(key);
    if (theirsRel && comparableRelationship(theirsRel) === comparableRelationship(r)) continue;
    const sourceId = r.$sourceId as string;
    const relationshipId = r.$relationshipId as string;
    await perform(
      { kind: 'putRelationship', sourceId, relationshipId, reason: theirsRel ? 'differs' : 'missing' },
      'createDelete',
      [sourceId, r.$targetId as string],
      async () => {
        const now = await twingraphRelationship(store, sourceId, relationshipId);
        if (!now) return { skip: NO_LONGER_IN_TWINGRAPH };
        const inAdt = await read(() => adt.getRelationship(sourceId, relationshipId));
        if (inAdt && comparableRelationship(inAdt) === comparableRelationship(now)) return { skip: ADT_HAS_IT };
        return {
          action: { kind: 'putRelationship', sourceId, relationshipId, reason: inAdt ? 'differs' : 'missing' },
          run: () => adt.putRelationship(sourceId, relationshipId, adtRelationshipBody(now)),
          // ADT counts the write against the source and the target, old and new.
          twins: [
            ...new Set([
              sourceId,
              r.$targetId as string,
              now.$targetId as string,
              ...(inAdt ? [inAdt.$targetId as string] : []),
            ]),
          ],
        };
      },
    );
  }

  // 4. Twins ADT should not have (their relationships went in step 3), then models.
  const ourIds = new Set(twins.map((t) => t.$dtId));
  for (const id of adtTwins.keys()) {
    if (ourIds.has(id)) continue;
    await perform(
      { kind: 'deleteTwin', id },
      'createDelete',
      [id],
      async () => {
        if (await twingraphTwin(store, id)) return { skip: NOW_IN_TWINGRAPH };
        if (!(await read(() => adt.getTwin(id)))) return { skip: GONE_FROM_ADT };
        return { action: { kind: 'deleteTwin', id }, run: () => adt.deleteTwin(id) };
      },
      gone,
    );
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
  for (const m of extraOrder) {
    const action: RepairAction = { kind: 'deleteModel', id: m.id };
    await perform(
      action,
      'models',
      [],
      as(action, () => adt.deleteModel(m.id)),
      gone,
    );
  }

  return {
    compared: {
      models: Math.max(ours.length, theirs.size),
      twins: Math.max(twins.length, adtTwins.size),
      relationships: Math.max(relationships.size, adtRelationships.size),
    },
    actions,
    failures,
    skipped,
    dryRun,
  };
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
