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
import type { ModelStore, TwinReads } from '../store/port';
import type { JsonObject } from '../store/types';
import { AdtError, isNotFound, toAdtError, type Adt } from './adt';
import { adtRelationshipBody, adtTwinBody, describeOp, type MirrorOp } from './plan';
import { twingraphModel, twingraphRelationship, twingraphTwin } from './current';
import { failedTransiently } from './retry';
import { MirrorStopping } from './stopping';

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
      /** Sent, and not answered within its deadline: ADT may still apply it. */
      readonly unanswered?: boolean;
    }
  | { readonly kind: 'dead'; readonly requests: number; readonly error: string };

/** Codes ADT uses when the request itself is wrong: sending it again cannot help. */
const PERMANENT = new Set([
  'ValidationFailed',
  'InvalidArgument',
  'DTDLParserError',
  'ModelDecommissioned',
  'LimitExceeded',
  'OperationNotAllowed',
  'ModelVersionNotSupported',
  'TwinLimitReached',
  'InvalidRelationship',
  'JsonPatchInvalid',
  'BadRequest',
]);

/** 404s that say something about the request's subject or its dependencies; any other (a wrong host) is not about the change. */
const SUBJECT_404 = new Set(['DigitalTwinNotFound', 'RelationshipNotFound', 'ModelNotFound', 'TargetTwinNotFound']);

/**
 * Worth sending again as it is: throttling, ADT's own failures, no answer, and what is about the setup rather
 * than the change (credentials, access, a 404 from a wrong endpoint) — an operator fixes those, the change
 * is not at fault; lastError shows them meanwhile.
 */
function transient(e: AdtError): boolean {
  return failedTransiently(e) || e.status === 401 || e.status === 403 || (e.status === 404 && !SUBJECT_404.has(e.code));
}

const message = (e: AdtError): string => e.describe();

/** Thrown by `reserve` when the mirror stops while a request waits for its turn: nothing was sent. */
export { MirrorStopping };

export interface ApplyContext {
  readonly adt: Adt;
  /** Twingraph's current state, for repairs and for checking what an outcome means. */
  readonly store: TwinReads & ModelStore;
  /**
   * Waits for a request's turn under ADT's limits (counted against `twins`) and returns the function to call
   * when it has completed; throws MirrorStopping when the mirror stops meanwhile.
   */
  readonly reserve: (op: MirrorOp, twins: readonly string[]) => Promise<() => void>;
}

/** Sends an operation's requests, each in its turn under the limits, and counts them. */
class Sender {
  n = 0;
  constructor(
    private readonly ctx: ApplyContext,
    private readonly op: MirrorOp,
  ) {}

  async run<T>(call: () => Promise<T>, twins: readonly string[] = this.op.twins): Promise<T> {
    const completed = await this.ctx.reserve(this.op, twins);
    this.n++;
    try {
      return await call();
    } finally {
      completed();
    }
  }
}

/** Writes Twingraph's current state of the twin to ADT, or confirms it is gone (both sides agree then). */
async function putCurrentTwin(ctx: ApplyContext, twinId: string, count: Sender): Promise<string> {
  const current = await twingraphTwin(ctx.store, twinId);
  if (!current) return 'the twin no longer exists in Twingraph';
  await count.run(() => ctx.adt.putTwin(twinId, adtTwinBody(current)));
  return "wrote the twin's current state";
}

async function putCurrentRelationship(
  ctx: ApplyContext,
  sourceId: string,
  relationshipId: string,
  count: Sender,
): Promise<string> {
  const current = await twingraphRelationship(ctx.store, sourceId, relationshipId);
  if (!current) return 'the relationship no longer exists in Twingraph';
  await count.run(() => ctx.adt.putRelationship(sourceId, relationshipId, adtRelationshipBody(current)));
  return "wrote the relationship's current state";
}

/**
 * Deletes, in ADT, relationships of a twin that Twingraph no longer has (they keep ADT from deleting it);
 * returns how many. Relationships Twingraph still has are left: their deletes are on their way.
 */
async function clearStaleRelationships(ctx: ApplyContext, twinId: string, count: Sender): Promise<number> {
  const stale: { sourceId: string; relationshipId: string; twins: string[] }[] = [];
  for await (const r of ctx.adt.listRelationships(twinId)) {
    const id = r.$relationshipId as string;
    if (!(await twingraphRelationship(ctx.store, twinId, id)))
      stale.push({ sourceId: twinId, relationshipId: id, twins: [twinId, r.$targetId as string] });
  }
  for await (const r of ctx.adt.listIncomingRelationships(twinId)) {
    if (!(await twingraphRelationship(ctx.store, r.sourceId, r.relationshipId)))
      stale.push({ ...r, twins: [r.sourceId, twinId] });
  }
  for (const r of stale) {
    // A relationship write counts against both its ends at ADT.
    try {
      await count.run(() => ctx.adt.deleteRelationship(r.sourceId, r.relationshipId), r.twins);
    } catch (error) {
      if (!isNotFound(toAdtError(error))) throw error;
    }
  }
  return stale.length;
}

/** Deletes a twin in ADT (gone already is fine); relationships Twingraph no longer has that hold it are deleted first. */
async function deleteTwinInAdt(ctx: ApplyContext, twinId: string, count: Sender): Promise<string | undefined> {
  try {
    await count.run(() => ctx.adt.deleteTwin(twinId));
    return undefined;
  } catch (error) {
    const e = toAdtError(error);
    if (isNotFound(e)) return undefined;
    if (e.code !== 'RelationshipsNotDeleted') throw e;
    const cleared = await clearStaleRelationships(ctx, twinId, count);
    if (cleared === 0) throw e;
    await count.run(() => ctx.adt.deleteTwin(twinId));
    return `deleted ${cleared} relationship(s) Twingraph no longer has`;
  }
}

async function attempt(ctx: ApplyContext, op: MirrorOp, count: Sender): Promise<Outcome> {
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
            if (!(await count.run(() => adt.getModel(m['@id'] as string)))) missing.push(m);
          }
          if (missing.length > 0) {
            await count.run(() => adt.createModels(missing));
          }
          return {
            kind: 'done',
            requests: count.n,
            repaired: `${op.models.length - missing.length} of the models existed already`,
          };
        }
        return { kind: 'done', requests: count.n };
      case 'decommissionModel':
        await count.run(() => adt.decommissionModel(op.modelId));
        return { kind: 'done', requests: count.n };
      case 'deleteModel':
        try {
          await count.run(() => adt.deleteModel(op.modelId));
        } catch (error) {
          if (!isNotFound(toAdtError(error))) throw error;
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
          if (!isNotFound(e) && e.status !== 412 && e.code !== 'JsonPatchInvalid') throw e;
          return { kind: 'done', requests: count.n, repaired: await putCurrentTwin(ctx, op.twinId, count) };
        }
      case 'deleteTwin': {
        const repaired = await deleteTwinInAdt(ctx, op.twinId, count);
        return { kind: 'done', requests: count.n, ...(repaired && { repaired }) };
      }
      case 'syncTwin': {
        const current = await twingraphTwin(ctx.store, op.twinId);
        if (current) await count.run(() => adt.putTwin(op.twinId, adtTwinBody(current)));
        else await deleteTwinInAdt(ctx, op.twinId, count);
        return {
          kind: 'done',
          requests: count.n,
          repaired: current ? "wrote the twin's current state" : 'deleted the twin, which Twingraph no longer has',
        };
      }
      case 'syncModel': {
        // Models are immutable in ADT: create it if ADT lacks it, decommission it if Twingraph did, delete it if
        // Twingraph no longer has it.
        const ours = await twingraphModel(ctx.store, op.modelId);
        const theirs = await count.run(() => adt.getModel(op.modelId));
        if (!ours) {
          if (theirs) await count.run(() => adt.deleteModel(op.modelId));
          return { kind: 'done', requests: count.n, repaired: 'deleted the model, which Twingraph no longer has' };
        }
        if (!theirs) await count.run(() => adt.createModels([ours.definition as JsonObject]));
        if (ours.decommissioned && !theirs?.decommissioned) await count.run(() => adt.decommissionModel(op.modelId));
        return { kind: 'done', requests: count.n, repaired: "brought the model to Twingraph's state" };
      }
      case 'syncRelationship': {
        const current = await twingraphRelationship(ctx.store, op.sourceId, op.relationshipId);
        if (current) {
          await count.run(() => adt.putRelationship(op.sourceId, op.relationshipId, adtRelationshipBody(current)));
        } else {
          try {
            await count.run(() => adt.deleteRelationship(op.sourceId, op.relationshipId));
          } catch (error) {
            if (!isNotFound(toAdtError(error))) throw error;
          }
        }
        return {
          kind: 'done',
          requests: count.n,
          repaired: current
            ? "wrote the relationship's current state"
            : 'deleted the relationship, which Twingraph no longer has',
        };
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
          if (!isNotFound(e) && e.status !== 412 && e.code !== 'JsonPatchInvalid') throw e;
          return {
            kind: 'done',
            requests: count.n,
            repaired: await putCurrentRelationship(ctx, op.sourceId, op.relationshipId, count),
          };
        }
      case 'deleteRelationship':
        try {
          await count.run(() => adt.deleteRelationship(op.sourceId, op.relationshipId));
        } catch (error) {
          if (!isNotFound(toAdtError(error))) throw error;
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
  if (op.kind === 'putRelationship' || op.kind === 'patchRelationship' || op.kind === 'syncRelationship') {
    return (await twingraphRelationship(ctx.store, op.sourceId, op.relationshipId))
      ? undefined
      : 'the relationship no longer exists in Twingraph';
  }
  if (op.kind === 'putTwin' || op.kind === 'patchTwin' || op.kind === 'syncTwin')
    return (await twingraphTwin(ctx.store, op.twinId)) ? undefined : 'the twin no longer exists in Twingraph';
  return undefined;
}

/** Is the failure a dependency not mirrored yet (then retry), rather than ADT refusing the change? */
async function waitingOnDependency(ctx: ApplyContext, op: MirrorOp, e: AdtError, count: Sender): Promise<boolean> {
  if (e.code === 'TargetTwinNotFound' || e.code === 'RelationshipsNotDeleted' || e.code === 'ModelReferencesNotDeleted')
    return true;
  if (
    (op.kind === 'putRelationship' || op.kind === 'patchRelationship' || op.kind === 'syncRelationship') &&
    e.code === 'DigitalTwinNotFound'
  )
    return true;
  if ((op.kind === 'putTwin' || op.kind === 'patchTwin' || op.kind === 'syncTwin') && e.status === 400) {
    // A twin of a model ADT does not have yet is refused like an invalid twin; ask ADT which it is.
    const model =
      (op.kind === 'putTwin' ? (op.twin.$metadata as JsonObject | undefined)?.$model : undefined) ??
      (await twingraphTwin(ctx.store, op.twinId))?.$metadata;
    const modelId =
      typeof model === 'string' ? model : ((model as JsonObject | undefined)?.$model as string | undefined);
    if (modelId) {
      try {
        return (await count.run(() => ctx.adt.getModel(modelId), [])) === undefined;
      } catch (error) {
        if (error instanceof MirrorStopping) throw error;
        return true;
      }
    }
  }
  return false;
}

async function classify(ctx: ApplyContext, op: MirrorOp, error: unknown, count: Sender): Promise<Outcome> {
  if (error instanceof MirrorStopping)
    return {
      kind: 'retry',
      requests: count.n,
      error: error.message,
      throttled: false,
      dependency: false,
      stopping: true,
    };
  if (!(error instanceof AdtError) && error instanceof TwingraphError) {
    // Reading Twingraph failed (the store is closing or unavailable): try again later.
    return {
      kind: 'retry',
      requests: count.n,
      error: `Twingraph: ${error.message}`,
      throttled: false,
      dependency: false,
    };
  }
  const e = toAdtError(error);
  if (transient(e)) {
    return {
      kind: 'retry',
      requests: count.n,
      error: message(e),
      ...(e.retryAfterMs !== undefined && { retryAfterMs: e.retryAfterMs }),
      throttled: e.status === 429,
      dependency: false,
      ...(e.code === 'NoAnswer' && { unanswered: true }),
    };
  }
  const gone = await goneFromTwingraph(ctx, op, e);
  if (gone) return { kind: 'done', requests: count.n, repaired: gone };
  if (await waitingOnDependency(ctx, op, e, count))
    return {
      kind: 'retry',
      requests: count.n,
      error: `${message(e)} (waiting for a change it depends on)`,
      throttled: false,
      dependency: true,
    };
  if (PERMANENT.has(e.code) || (e.status !== undefined && e.status >= 400))
    return { kind: 'dead', requests: count.n, error: `${describeOp(op)}: ${message(e)}` };
  return { kind: 'retry', requests: count.n, error: message(e), throttled: false, dependency: false };
}

export async function applyOperation(ctx: ApplyContext, op: MirrorOp): Promise<Outcome> {
  try {
    return await attempt(ctx, op, new Sender(ctx, op));
  } catch (error) {
    // From classifying (its reads of Twingraph and ADT): try again later, or give back when stopping.
    if (error instanceof MirrorStopping)
      return { kind: 'retry', requests: 0, error: error.message, throttled: false, dependency: false, stopping: true };
    throw error;
  }
}
