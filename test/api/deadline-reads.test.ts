/**
 * An operation's reads after its deadline (src/api/deadline-reads.ts): each read the context makes is handed to
 * the store unchanged before the deadline, and refused with OPERATION_TIMEOUT after it without reaching the
 * store; without a deadline the context reads the store itself. (test/api/cost.test.ts sees the same refusal
 * through a whole query.)
 */
import { readsUntil, type ContextReads } from '../../src/api/deadline-reads';

/** Each read the context makes, with how many arguments it takes. */
const ARITY: Readonly<Record<keyof ContextReads, number>> = {
  getTwins: 1,
  queryTwins: 1,
  traverse: 1,
  neighbors: 1,
  neighborCounts: 2,
  getRelationship: 2,
  latestMetrics: 1,
  readMetrics: 1,
  aggregateMetrics: 1,
  getModel: 2,
  readChanges: 1,
};
const READS = Object.keys(ARITY) as (keyof ContextReads)[];

/** A store whose every read answers its own name, its arguments and the `this` it was called on. */
function recordingStore(): ContextReads {
  const store: Record<string, unknown> = {};
  for (const name of READS)
    store[name] = function (this: unknown, ...args: unknown[]) {
      return Promise.resolve({ name, args, self: this });
    };
  return store as unknown as ContextReads;
}

type AnyRead = (...args: unknown[]) => Promise<unknown>;

describe('reads until a deadline', () => {
  it('is the store itself when there is no deadline', () => {
    const store = recordingStore();
    expect(readsUntil(store, Number.POSITIVE_INFINITY)).toBe(store);
  });

  it.each(READS)('hands %s to the store, arguments and all, before the deadline', async (name) => {
    const store = recordingStore();
    const reads = readsUntil(store, Date.now() + 60_000);
    const args = ['a', { b: 1 }].slice(0, ARITY[name]);
    const answer = await (reads[name] as AnyRead)(...args);
    expect(answer).toEqual({ name, args, self: store });
  });

  it.each(READS)('refuses %s with OPERATION_TIMEOUT after the deadline, without reading', async (name) => {
    const store = recordingStore();
    const read = jest.spyOn(store, name);
    const reads = readsUntil(store, Date.now() - 1);
    await expect((reads[name] as AnyRead)('a')).rejects.toMatchObject({ code: 'OPERATION_TIMEOUT' });
    expect(read).not.toHaveBeenCalled();
  });
});
