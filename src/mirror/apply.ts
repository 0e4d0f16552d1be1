/**
 * Carries one planned operation out against ADT, and decides what a failure means. Twingraph is the source of
 * truth: when ADT's state is not what the change assumed (a patch to a twin ADT does not have, a patch that no
 * longer applies, a delete of something already gone), the twin or relationship is read from Twingraph now
 * and written whole, or the operation is done. What remains is sorted into
 * - `retry`: throttling, 5xx, network errors, and a dependency not mirrored yet (a relationship's target twin,
 *   a twin's model, relationships still blocking a delete) — tried again later;
 * - `dead`: ADT refuses the change itself (ValidationFailed, DTDLParserError, …) — parked with ADT's error.
 */
import { TwingraphError } from '../errors';
import type { TwinStore } from '../store/port';
import type { JsonObject } from '../store/types';
import { AdtError, toAdtError, type Adt } from './adt';
import { adtRelationshipBody, adtTwinBody, describeOp, type MirrorOp } from './plan';

export type Outcome =
  | { readonly kind: 'done'; readonly requests: number; readonly repaired?: string }
  | {
      readonly kind: 'retry';
      readonly requests: number;
      readonly error: string;
      readonly retryAfterMs?: number;
      readonly throttled: boolean;
      readonly dependency: boolean;
      /** Not sent at all: the mirror stopped while it waited for its turn. */
      readonly stopping?: boolean;
    }
  | { readonly kind: 'dead'; readonly requests: number; readonly error: string };

/** Codes ADT uses when the request itself is wrong: sending it again cannot help. */
const PERMANENT = new Set(['ValidationFailed', 'InvalidArgument', 'DTDLParserError', 'ModelDecommissioned', 'LimitExceeded', 'OperationNotAllowed', 'ModelVersionNotSupported', 'TwinLimitReached', 'InvalidRelationship', 'JsonPatchInvalid', 'BadRequest']);

function transient(e: AdtError): boolean {
  return e.network || e.status === 408 || e.status === 429 || (e.status !== undefined && e.status >= 500) || e.status === 401 || e.status === 403;
}

function message(e: AdtError): string {
  return `${e.status ?? 'network'} ${e.code}: ${e.message}`;
}

async function twingraphTwin(store: TwinStore, id: string): Promise<JsonObject | undefined> {
  try {
    return (await store.getTwin(id)) as unknown as JsonObject;
  } catch (error) {
    if (error instanceof TwingraphError && error.code === 'DigitalTwinNotFound') return undefined;
    throw error;
  }
}

async function twingraphRelationship(store: TwinStore, sourceId: string, relationshipId: string): Promise<JsonObject | undefined> {
  try {
    return (await store.getRelationship(sourceId, relationshipId)) as unknown as JsonObject;
  } catch (error) {
    if (error instanceof TwingraphError && (error.code === 'RelationshipNotFound' || error.code === 'DigitalTwinNotFound')) return undefined;
    throw error;
  }
}

/** Counts the requests an operation sends, for the throughput figures and the rate test. */
class Counter {
  n = 0;
  async run<T>(call: () => Promise<T>): Promise<T> {
    this.n++;
    return call();
  }
}

export interface ApplyContext {
  readonly adt: Adt;
  readonly store: TwinStore;
  /** Before every request beyond the first (repairs), so that they too keep ADT's limits. */
  readonly beforeRequest: (op: MirrorOp, twins?: readonly string[]) => Promise<void>;
}

/** Writes Twingraph's current state of the twin to ADT, or confirms it is gone (both sides agree then). */
async function putCurrentTwin(ctx: ApplyContext, op: MirrorOp, twinId: string, count: Counter): Promise<string> {
  const current = await twingraphTwin(ctx.store, twinId);
  if (!current) return 'the twin no longer exists in Twingraph';
  await ctx.beforeRequest(op);
  await count.run(() => ctx.adt.putTwin(twinId, adtTwinBody(current)));
  return 'wrote the twin\'s current state';
}

async function putCurrentRelationship(ctx: ApplyContext, op: MirrorOp, sourceId: string, relationshipId: string, count: Counter): Promise<string> {
  const current = await twingraphRelationship(ctx.store, sourceId, relationshipId);
  if (!current) return 'the relationship no longer exists in Twingraph';
  await ctx.beforeRequest(op);
  await count.run(() => ctx.adt.putRelationship(sourceId, relationshipId, adtRelationshipBody(current)));
  return 'wrote the relationship\'s current state';
}

/**
 * Deletes, in ADT, relationships of a twin that Twingraph no longer has (they keep ADT from deleting it);
 * returns how many. Relationships Twingraph still has are left: their deletes are on their way.
 */
async function clearStaleRelationships(ctx: ApplyContext, op: MirrorOp, twinId: string, count: Counter): Promise<number> {
  const stale: { sourceId: string; relationshipId: string; twins: string[] }[] = [];
  for await (const r of ctx.adt.listRelationships(twinId)) {
    const id = r.$relationshipId as string;
    if (!(await twingraphRelationship(ctx.store, twinId, id))) stale.push({ sourceId: twinId, relationshipId: id, twins: [twinId, r.$targetId as string] });
  }
  for await (const r of ctx.adt.listIncomingRelationships(twinId)) {
    if (!(await twingraphRelationship(ctx.store, r.sourceId, r.relationshipId))) stale.push({ ...r, twins: [r.sourceId, twinId] });
  }
  for (const r of stale) {
    // A relationship write counts against both its ends at ADT.
    await ctx.beforeRequest(op, r.twins);
    try {
      await count.run(() => ctx.adt.deleteRelationship(r.sourceId, r.relationshipId));
    } catch (error) {
      if (toAdtError(error).status !== 404) throw error;
    }
  }
  return stale.length;
}

async function attempt(ctx: ApplyContext, op: MirrorOp, count: Counter): Promise<Outcome> {
  const { adt } = ctx;
  try {
    switch (op.kind) {
      case 'createModels':
        try {
          await count.run(() => adt.createModels(op.models));
        } catch (error) {
          const e = toAdtError(error);
          if (e.code !== 'ModelAlreadyExists') throw e;
          // A replay after a crash, or models already there: create only those ADT lacks (together, as
          // components must be).
          const missing: JsonObject[] = [];
          for (const m of op.models) {
            await ctx.beforeRequest(op);
            if (!(await count.run(() => adt.getModel(m['@id'] as string)))) missing.push(m);
          }
          if (missing.length > 0) {
            await ctx.beforeRequest(op);
            await count.run(() => adt.createModels(missing));
          }
          return { kind: 'done', requests: count.n, repaired: `${op.models.length - missing.length} of the models existed already` };
        }
        return { kind: 'done', requests: count.n };
      case 'decommissionModel':
        await count.run(() => adt.decommissionModel(op.modelId));
        return { kind: 'done', requests: count.n };
      case 'deleteModel':
        try {
          await count.run(() => adt.deleteModel(op.modelId));
        } catch (error) {
          if (toAdtError(error).status !== 404) throw error;
        }
        return { kind: 'done', requests: count.n };
      case 'putTwin':
        await count.run(() => adt.putTwin(op.twinId, op.twin));
        return { kind: 'done', requests: count.n };
      case 'patchTwin':
        try {
          await count.run(() => adt.patchTwin(op.twinId, op.patch));
          return { kind: 'done', requests: count.n };
        } catch (error) {
          const e = toAdtError(error);
          if (e.status !== 404 && e.status !== 412 && e.code !== 'JsonPatchInvalid') throw e;
          return { kind: 'done', requests: count.n, repaired: await putCurrentTwin(ctx, op, op.twinId, count) };
        }
      case 'deleteTwin':
        try {
          await count.run(() => adt.deleteTwin(op.twinId));
          return { kind: 'done', requests: count.n };
        } catch (error) {
          const e = toAdtError(error);
          if (e.status === 404) return { kind: 'done', requests: count.n };
          if (e.code !== 'RelationshipsNotDeleted') throw e;
          const cleared = await clearStaleRelationships(ctx, op, op.twinId, count);
          if (cleared === 0) throw e;
          await ctx.beforeRequest(op);
          await count.run(() => adt.deleteTwin(op.twinId));
          return { kind: 'done', requests: count.n, repaired: `deleted ${cleared} relationship(s) Twingraph no longer has` };
        }
      case 'putRelationship':
        await count.run(() => adt.putRelationship(op.sourceId, op.relationshipId, op.relationship));
        return { kind: 'done', requests: count.n };
      case 'patchRelationship':
        try {
          await count.run(() => adt.patchRelationship(op.sourceId, op.relationshipId, op.patch));
          return { kind: 'done', requests: count.n };
        } catch (error) {
          const e = toAdtError(error);
          if (e.status !== 404 && e.status !== 412 && e.code !== 'JsonPatchInvalid') throw e;
          return { kind: 'done', requests: count.n, repaired: await putCurrentRelationship(ctx, op, op.sourceId, op.relationshipId, count) };
        }
      case 'deleteRelationship':
        try {
          await count.run(() => adt.deleteRelationship(op.sourceId, op.relationshipId));
        } catch (error) {
          if (toAdtError(error).status !== 404) throw error;
        }
        return { kind: 'done', requests: count.n };
    }
  } catch (error) {
    return classify(ctx, op, error, count);
  }
}

/**
 * A write ADT refused for want of something (its target twin, its source twin, its model) whose subject
 * Twingraph no longer has: a later change deleted it, so there is nothing left to mirror (the delete that
 * follows finds nothing either). Relationships of different sources replay independently, so a relationship
 * create can reach ADT after its target's delete did.
 */
async function goneFromTwingraph(ctx: ApplyContext, op: MirrorOp, e: AdtError): Promise<string | undefined> {
  if (e.status !== 404 && e.status !== 400) return undefined;
  if (op.kind === 'putRelationship' || op.kind === 'patchRelationship') {
    return (await twingraphRelationship(ctx.store, op.sourceId, op.relationshipId)) ? undefined : 'the relationship no longer exists in Twingraph';
  }
  if (op.kind === 'putTwin' || op.kind === 'patchTwin') return (await twingraphTwin(ctx.store, op.twinId)) ? undefined : 'the twin no longer exists in Twingraph';
  return undefined;
}

/** Is the failure a dependency not mirrored yet (then retry), rather than ADT refusing the change? */
async function waitingOnDependency(ctx: ApplyContext, op: MirrorOp, e: AdtError): Promise<boolean> {
  if (e.code === 'TargetTwinNotFound' || e.code === 'RelationshipsNotDeleted' || e.code === 'ModelReferencesNotDeleted') return true;
  if ((op.kind === 'putRelationship' || op.kind === 'patchRelationship') && e.code === 'DigitalTwinNotFound') return true;
  if ((op.kind === 'putTwin' || op.kind === 'patchTwin') && e.status === 400) {
    // A twin of a model ADT does not have yet is refused like an invalid twin; ask ADT which it is.
    const model = (op.kind === 'putTwin' ? (op.twin.$metadata as JsonObject | undefined)?.$model : undefined) ?? (await twingraphTwin(ctx.store, op.twinId))?.$metadata;
    const modelId = typeof model === 'string' ? model : ((model as JsonObject | undefined)?.$model as string | undefined);
    if (modelId) {
      try {
        await ctx.beforeRequest(op);
        return (await ctx.adt.getModel(modelId)) === undefined;
      } catch {
        return true;
      }
    }
  }
  return false;
}

async function classify(ctx: ApplyContext, op: MirrorOp, error: unknown, count: Counter): Promise<Outcome> {
  if (!(error instanceof AdtError) && error instanceof TwingraphError) {
    // Reading Twingraph failed (the store is closing or unavailable): try again later.
    return { kind: 'retry', requests: count.n, error: `Twingraph: ${error.message}`, throttled: false, dependency: false };
  }
  const e = toAdtError(error);
  if (transient(e)) {
    return { kind: 'retry', requests: count.n, error: message(e), ...(e.retryAfterMs !== undefined && { retryAfterMs: e.retryAfterMs }), throttled: e.status === 429, dependency: false };
  }
  const gone = await goneFromTwingraph(ctx, op, e);
  if (gone) return { kind: 'done', requests: count.n, repaired: gone };
  if (await waitingOnDependency(ctx, op, e)) return { kind: 'retry', requests: count.n, error: `${message(e)} (waiting for a change it depends on)`, throttled: false, dependency: true };
  if (PERMANENT.has(e.code) || (e.status !== undefined && e.status >= 400)) return { kind: 'dead', requests: count.n, error: `${describeOp(op)}: ${message(e)}` };
  return { kind: 'retry', requests: count.n, error: message(e), throttled: false, dependency: false };
}

export async function applyOperation(ctx: ApplyContext, op: MirrorOp): Promise<Outcome> {
  return attempt(ctx, op, new Counter());
}
