/**
 * Change-log entries, built the same way by every adapter: what each write records, in ADT's event
 * vocabulary (`Twin.Update` with a JSON Patch, `Twin.Delete` with the last state, …), and which outbox
 * partition it replays in.
 */
import { relationshipSubject } from './documents';
import type {
  ChangeEntry,
  ChangeType,
  CommandOutcomeRecord,
  JsonPatch,
  JsonValue,
  ModelRecord,
  Relationship,
  Twin,
} from './types';

/** A change before the store numbers it. */
export type PendingChange = Omit<ChangeEntry, 'seq'>;

export function twinChange(
  type: 'Twin.Create' | 'Twin.Update' | 'Twin.Delete',
  twin: Twin,
  time: string,
  patch?: JsonPatch,
): PendingChange {
  // Spelled out twice rather than spreading `patch && { patch }`: a batch makes a thousand of these.
  const body = twin as unknown as JsonValue;
  return patch
    ? { time, type, subject: twin.$dtId, modelId: twin.$metadata.$model, twinId: twin.$dtId, patch, body }
    : { time, type, subject: twin.$dtId, modelId: twin.$metadata.$model, twinId: twin.$dtId, body };
}

export function relationshipChange(
  type: 'Relationship.Create' | 'Relationship.Update' | 'Relationship.Delete',
  relationship: Relationship,
  sourceModel: string | undefined,
  time: string,
  patch?: JsonPatch,
): PendingChange {
  return {
    time,
    type,
    subject: relationshipSubject(relationship.$sourceId, relationship.$relationshipId),
    ...(sourceModel !== undefined && { modelId: sourceModel }),
    twinId: relationship.$sourceId,
    relationshipId: relationship.$relationshipId,
    ...(patch && { patch }),
    body: relationship as unknown as JsonValue,
  };
}

export function modelChange(
  type: 'Model.Create' | 'Model.Decommission' | 'Model.Delete',
  model: ModelRecord,
  time: string,
): PendingChange {
  return {
    time,
    type,
    subject: model.id,
    modelId: model.id,
    ...(type === 'Model.Decommission' && { patch: [{ op: 'replace' as const, path: '/decommissioned', value: true }] }),
    body: model as unknown as JsonValue,
  };
}

/** Telemetry: the points that arrived (`{ points }`), or for a backfill only how many and when (`{ count, from, to }`). */
export function telemetryChange(
  twinId: string,
  modelId: string | undefined,
  body: JsonValue,
  time: string,
): PendingChange {
  return { time, type: 'Telemetry', subject: twinId, ...(modelId !== undefined && { modelId }), twinId, body };
}

/** A command invocation: the request, for whoever acts on the twin's commands (ADT has no commands). */
export function commandChange(
  twinId: string,
  modelId: string,
  command: string,
  request: JsonValue | undefined,
  time: string,
): PendingChange {
  return {
    time,
    type: 'Command.Invoke',
    subject: twinId,
    modelId,
    twinId,
    body: { command, ...(request !== undefined && { request }) },
  };
}

/** How a command invocation ended: its body is the outcome (the invocation's seq, status, answer). */
export function commandOutcomeChange(
  twinId: string,
  modelId: string,
  outcome: CommandOutcomeRecord,
  time: string,
): PendingChange {
  const { type, ...body } = outcome;
  return { time, type, subject: twinId, modelId, twinId, body: body as unknown as JsonValue };
}

/** Telemetry and commands are not mirrored (ADT keeps no telemetry and supports no commands); the rest is. */
export function isMirrored(type: ChangeType): boolean {
  return type !== 'Telemetry' && !type.startsWith('Command.');
}

/**
 * The partition a change replays in: all model changes in one (ADT's reference rules order them), and a
 * twin's changes with its outgoing relationships' changes (so a relationship never overtakes its source).
 */
export function outboxPartition(change: PendingChange): string {
  return change.type.startsWith('Model.') ? MODELS_PARTITION : `twin:${change.twinId}`;
}

/** The outbox partition of every model change. */
export const MODELS_PARTITION = 'models';

/**
 * Changes the mirror must not send before every earlier one: ADT refuses new twins of a decommissioned model
 * and twins of a deleted one, so a decommission or delete waits until everything written before it is in ADT.
 * The outbox hands such an entry out only when it is the oldest one pending.
 */
export function isOutboxBarrier(type: ChangeType): boolean {
  return OUTBOX_BARRIER_TYPES.includes(type);
}

/** The change types isOutboxBarrier names (all model changes, so in the models partition). */
export const OUTBOX_BARRIER_TYPES: readonly ChangeType[] = ['Model.Decommission', 'Model.Delete'];

/**
 * How many partition heads (first pending entries, in seq order) a claim of `limit` entries looks at, blocked
 * ones included, before it stops: what bounds a claim's cost when very many partitions are blocked (an ADT
 * outage with a million twins each waiting to retry). Blocked partitions beyond that many heads hold up those
 * behind them, so a claim may then return fewer entries than are claimable; the floor keeps a small claim
 * (a worker topping up its last few slots) from stopping at the partitions it has in flight itself.
 */
export function outboxHeadsToExamine(limit: number): number {
  return Math.max(20 * limit, 1000);
}

/** ISO time of an epoch-milliseconds instant. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
