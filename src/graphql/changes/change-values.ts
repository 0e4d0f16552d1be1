/**
 * Change-log entries as the values their GraphQL types resolve from (null where the log has nothing, the
 * twin or relationship after the change, the points of telemetry), and a subscription's stream of them, which
 * says what it is made of so that subscribers with the same selection can share one execution per change
 * (src/api/subscription-groups.ts).
 */
import type { ChangeEntry } from '../../store/types';

export function changeValue(change: ChangeEntry): Record<string, unknown> {
  return {
    ...change,
    modelId: change.modelId ?? null,
    twinId: change.twinId ?? null,
    relationshipId: change.relationshipId ?? null,
    patch: change.patch ?? null,
    actor: change.actor ?? null,
  };
}

export function twinChangeValue(change: ChangeEntry): Record<string, unknown> {
  return { ...changeValue(change), twin: change.type === 'Twin.Delete' ? null : change.body };
}

export function relationshipChangeValue(change: ChangeEntry): Record<string, unknown> {
  return { ...changeValue(change), relationship: change.type === 'Relationship.Delete' ? null : change.body };
}

export function metricChangeValue(change: ChangeEntry): Record<string, unknown> {
  const body = change.body as { points?: { value?: unknown }[] };
  const points = (body.points ?? []).map((p) => ({
    ...p,
    numericValue: typeof p.value === 'number' ? p.value : null,
  }));
  return { ...changeValue(change), points };
}

/**
 * What a change subscription's event stream is made of, for the API to run one GraphQL execution per change
 * for every subscriber with the same selection instead of one per subscriber: the feed subscription's changes
 * (each subscriber has its own, with its own position, filter and scope) and the pure function that makes an
 * event's root value of a change. The field's arguments may shape `map` (a metric subscription's `names`);
 * `since` only chooses where `changes` starts, which is what lets a resuming subscriber share with live ones.
 */
export interface ChangeStream {
  readonly changes: AsyncIterator<ChangeEntry>;
  readonly map: (change: ChangeEntry) => Record<string, unknown>;
}

const CHANGE_STREAM = Symbol('twingraph.changeStream');

/** The changes and mapping behind a subscription's event stream, when it is one that `mapped` made. */
export function changeStreamOf(stream: unknown): ChangeStream | undefined {
  return typeof stream === 'object' && stream !== null
    ? (stream as { [CHANGE_STREAM]?: ChangeStream })[CHANGE_STREAM]
    : undefined;
}

/**
 * A subscription's events, mapped to the value its payload type resolves from. A plain iterator rather than an
 * async generator: a generator's return() waits for the pending next() (the next matching change, which may
 * never come), so a client that leaves would hold its feed subscription forever; here return() reaches the
 * feed at once.
 */
export async function mapped(
  source: Promise<AsyncIterable<ChangeEntry>>,
  map: (c: ChangeEntry) => Record<string, unknown>,
): Promise<AsyncIterableIterator<Record<string, unknown>>> {
  const changes = (await source)[Symbol.asyncIterator]();
  const iterator: AsyncIterableIterator<Record<string, unknown>> & { [CHANGE_STREAM]: ChangeStream } = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      const result = await changes.next();
      return result.done ? { done: true, value: undefined } : { done: false, value: map(result.value) };
    },
    return: async () => {
      await changes.return?.();
      return { done: true, value: undefined };
    },
    [CHANGE_STREAM]: { changes, map },
  };
  return iterator;
}
