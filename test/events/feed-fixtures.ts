/**
 * Helpers for the change-feed suites: an in-memory SQLite store with a few rooms, a store wrapper that counts
 * (and can break) change-log reads, and ways to write and to pull without sleeping.
 */
import { ChangeFeed, type ChangeFeedOptions, type ChangeSubscription } from '../../src/events';
import type { ReadChangesOptions, TwinStore } from '../../src/store/port';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { ChangeEntry } from '../../src/store/types';
import { M, seedModels, twinInput } from '../support/store-fixtures';

/** A store whose change-log reads are counted (with their arguments), and can be made to fail. */
export interface CountingStore extends TwinStore {
  readonly reads: ReadChangesOptions[];
  /** Makes the next `n` readChanges calls reject with this error. */
  failReads(n: number, error: Error): void;
}

export function counting(store: TwinStore): CountingStore {
  const reads: ReadChangesOptions[] = [];
  let failures: { left: number; error: Error } | undefined;
  const extra = {
    reads,
    failReads: (n: number, error: Error) => void (failures = { left: n, error }),
    readChanges: (options: ReadChangesOptions) => {
      reads.push(options);
      if (failures && failures.left > 0) {
        failures.left--;
        return Promise.reject(failures.error);
      }
      return store.readChanges(options);
    },
  };
  return new Proxy(store, {
    get(target, property) {
      if (property in extra) return extra[property as keyof typeof extra];
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as CountingStore;
}

export const ROOMS = ['r1', 'r2', 'r3', 'r4'];

/** A fresh in-memory store with the test domain and four rooms, counted. */
export async function roomStore(): Promise<CountingStore> {
  const store = openSqliteStore({ path: ':memory:' });
  await seedModels(store);
  await store.createTwins(
    ROOMS.map((id, i) => ({ id, twin: twinInput(M.room, { name: id.toUpperCase(), area: 10 * (i + 1) }) })),
  );
  return counting(store);
}

/** One Twin.Update: sets `area` of a room; returns its seq. */
export async function touch(store: TwinStore, id = 'r1', area = Math.random()): Promise<number> {
  await store.patchTwin(id, [{ op: 'replace', path: '/area', value: area }]);
  return store.latestSeq();
}

/** `n` Twin.Updates, one commit each, round-robin over the rooms; returns their seqs. */
export async function touchMany(store: TwinStore, n: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) seqs.push(await touch(store, ROOMS[i % ROOMS.length], i));
  return seqs;
}

/** Pulls exactly `n` entries. */
export async function take(subscription: ChangeSubscription, n: number): Promise<ChangeEntry[]> {
  const out: ChangeEntry[] = [];
  while (out.length < n) {
    const result = await subscription.next();
    if (result.done) throw new Error(`The subscription ended after ${out.length} of ${n} entries.`);
    out.push(result.value);
  }
  return out;
}

export const seqsOf = (entries: readonly ChangeEntry[]): number[] => entries.map((e) => e.seq);

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Whether a promise has settled once pending callbacks and I/O have run (no timers involved). */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/** Opens a feed over `store` and closes both after the test. */
export function useFeed(options: ChangeFeedOptions = {}): { store: CountingStore; feed: ChangeFeed } {
  const handle = {} as { store: CountingStore; feed: ChangeFeed };
  beforeEach(async () => {
    handle.store = await roomStore();
    handle.feed = new ChangeFeed(handle.store, options);
  });
  afterEach(async () => {
    await handle.feed.close();
    await handle.store.close();
  });
  return handle;
}
