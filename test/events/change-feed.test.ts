/**
 * The change feed: every committed change after a subscription's start, in order, exactly once; live from
 * a shared window, history from the store; slow subscribers ended with a resumable error without anyone
 * else noticing; nothing left behind when subscriptions or the feed end.
 */
import { ChangeFeed, ChangeFeedError, changeFilter, type ChangeSubscription } from '../../src/events';
import { TwingraphError } from '../../src/errors';
import type { ChangeEntry } from '../../src/store/types';
import { expectCode, M, twinInput } from '../support/store-fixtures';
import { counting, range, roomStore, seqsOf, settled, take, touch, touchMany, useFeed } from './feed-fixtures';

describe('live delivery', () => {
  const h = useFeed();

  it('delivers the changes committed after subscribe(), in order, and nothing older', async () => {
    const before = await h.store.latestSeq();
    const subscription = h.feed.subscribe();
    await subscription.ready();
    expect(subscription.resumeSeq).toBe(before);
    await h.store.createTwin('r9', twinInput(M.room, { name: 'R9', area: 1 }));
    await touch(h.store, 'r9', 5);
    await h.store.deleteTwin('r9');

    const entries = await take(subscription, 3);
    expect(seqsOf(entries)).toEqual(range(before + 1, before + 3));
    expect(entries.map((e) => `${e.type} ${e.subject}`)).toEqual([
      'Twin.Create r9',
      'Twin.Update r9',
      'Twin.Delete r9',
    ]);
    expect(entries[1]).toMatchObject({
      patch: [{ op: 'replace', path: '/area', value: 5 }],
      body: { $dtId: 'r9', area: 5 },
    });
    expect(subscription.resumeSeq).toBe(before + 3);
  });

  it('starts after the newest change at the moment of subscribe(), even before the start is confirmed', async () => {
    const subscription = h.feed.subscribe();
    const seq = await touch(h.store);
    expect(seqsOf(await take(subscription, 1))).toEqual([seq]);
  });

  it('starts exactly there on a feed that has not read the log position yet', async () => {
    const feed = new ChangeFeed(h.store);
    const subscription = feed.subscribe();
    expect(subscription.resumeSeq).toBeUndefined();
    const seq = await touch(h.store);
    await subscription.ready();
    expect(subscription.resumeSeq).toBe(seq - 1);
    expect(seqsOf(await take(subscription, 1))).toEqual([seq]);
    await feed.close();
  });

  it('wakes a waiting subscriber on the next commit, without polling', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    const pending = subscription.next();
    const readsBefore = h.store.reads.length;
    expect(await settled(pending)).toBe(false);
    expect(h.store.reads.length).toBe(readsBefore);
    const seq = await touch(h.store);
    expect(await pending).toEqual({ done: false, value: expect.objectContaining({ seq }) });
  });

  it('answers next() calls made without waiting for each other with consecutive entries', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    const pulls = [subscription.next(), subscription.next(), subscription.next()];
    const seqs = await touchMany(h.store, 3);
    expect((await Promise.all(pulls)).map((r) => r.value?.seq)).toEqual(seqs);
  });

  it('hands every subscriber the same frozen entry', async () => {
    const a = h.feed.subscribe();
    const b = h.feed.subscribe();
    await Promise.all([a.ready(), b.ready()]);
    await touch(h.store, 'r2', 7);
    const [[fromA], [fromB]] = await Promise.all([take(a, 1), take(b, 1)]);
    expect(fromA).toBe(fromB);
    expect(Object.isFrozen(fromA)).toBe(true);
    expect(Object.isFrozen(fromA.body)).toBe(true);
    expect(Object.isFrozen(fromA.patch![0])).toBe(true);
    expect(() => {
      (fromA.body as { area: number }).area = 1;
    }).toThrow(TypeError);
  });

  it('applies each subscriber its own filter; what it filters out still moves its position on', async () => {
    const r2Only = h.feed.subscribe({ filter: changeFilter({ twinIds: ['r2'] }) });
    const all = h.feed.subscribe();
    await Promise.all([r2Only.ready(), all.ready()]);
    const seqs = await touchMany(h.store, 8); // r1 r2 r3 r4 r1 r2 r3 r4
    expect((await take(r2Only, 2)).map((e) => [e.seq, e.twinId])).toEqual([
      [seqs[1], 'r2'],
      [seqs[5], 'r2'],
    ]);
    expect(seqsOf(await take(all, 8))).toEqual(seqs);
    const next = r2Only.next();
    await settled(next);
    expect(r2Only.resumeSeq).toBe(seqs[7]);
    const later = await touch(h.store, 'r2');
    expect((await next).value?.seq).toBe(later);
  });

  it('ends a subscription whose filter throws with that error', async () => {
    const broken = new Error('filter bug');
    const subscription = h.feed.subscribe({
      filter: () => {
        throw broken;
      },
    });
    await subscription.ready();
    await touch(h.store);
    await expect(subscription.next()).rejects.toBe(broken);
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
    expect(h.feed.subscriberCount).toBe(0);
  });
});

describe('replay with since', () => {
  // A small window and small batches, so that replays go through the store and rejoin the window.
  const h = useFeed({ windowSize: 16, readBatchSize: 7 });

  it('delivers everything missed while disconnected, in order, exactly once, then live changes', async () => {
    const first = h.feed.subscribe();
    await first.ready();
    await touchMany(h.store, 3);
    await take(first, 3);
    await first.return();
    const resumeAt = first.resumeSeq!;

    const missed = await touchMany(h.store, 100);
    const again = h.feed.subscribe({ since: resumeAt });
    await again.ready();
    const live = await touchMany(h.store, 5);
    expect(seqsOf(await take(again, 105))).toEqual([...missed, ...live]);
    const later = await touch(h.store);
    expect(seqsOf(await take(again, 1))).toEqual([later]);
  });

  it('includes the writes made between its reads while it replays, with no gap and no duplicate at the seam', async () => {
    const since = await h.store.latestSeq();
    const missed = await touchMany(h.store, 100);
    const subscription = h.feed.subscribe({ since });
    const delivered: ChangeEntry[] = [];
    const written: number[] = [...missed];
    // Interleave: after every few entries read, more writes commit (some while a store read is pending).
    while (delivered.length < 100 + 60) {
      delivered.push(...(await take(subscription, 4)));
      if (written.length < 160) written.push(...(await touchMany(h.store, 3)));
    }
    expect(seqsOf(delivered)).toEqual(written.slice(0, delivered.length));
    expect(delivered.length).toBe(160);
    expect(new Set(seqsOf(delivered)).size).toBe(160);
  });

  it('includes writes committed concurrently with the replay', async () => {
    const since = await h.store.latestSeq();
    const missed = await touchMany(h.store, 100);
    const subscription = h.feed.subscribe({ since });
    const [delivered, live] = await Promise.all([take(subscription, 160), touchMany(h.store, 60)]);
    expect(seqsOf(delivered)).toEqual([...missed, ...live]);
  });

  it('with since at the newest seq, delivers only what comes next', async () => {
    const latest = await h.store.latestSeq();
    const subscription = h.feed.subscribe({ since: latest });
    await subscription.ready();
    const seq = await touch(h.store);
    expect(seqsOf(await take(subscription, 1))).toEqual([seq]);
  });

  it('serves a since still inside the window from memory, without reading the store', async () => {
    const live = h.feed.subscribe();
    await live.ready();
    const seqs = await touchMany(h.store, 10);
    await take(live, 10);
    const reads = h.store.reads.length;
    const resumed = h.feed.subscribe({ since: seqs[3] });
    await resumed.ready();
    expect(seqsOf(await take(resumed, 6))).toEqual(seqs.slice(4));
    expect(h.store.reads.length).toBe(reads);
  });

  it('falls back to the store for a cursor older than the window, and rejoins it exactly', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    const seqs = await touchMany(h.store, 50); // window 16: the first 34 are no longer in it
    const feedReads = h.store.reads.length;
    expect(seqsOf(await take(subscription, 50))).toEqual(seqs);
    const ownReads = h.store.reads.slice(feedReads);
    // Batches of 7 from the cursor up to where the window begins, then the window.
    expect(ownReads.map((r) => r.after)).toEqual([seqs[0] - 1, seqs[7] - 1, seqs[14] - 1, seqs[21] - 1, seqs[28] - 1]);
    expect(ownReads.at(-1)!.limit).toBe(34 - 28);

    const readsAfterCatchUp = h.store.reads.length;
    const next = await touchMany(h.store, 3);
    expect(seqsOf(await take(subscription, 3))).toEqual(next);
    expect(h.store.reads.length - readsAfterCatchUp).toBe(3); // the feed's own, one per commit
  });

  it('refuses a since whose changes were pruned: ChangesPruned, naming the oldest seq still kept', async () => {
    await touchMany(h.store, 40);
    const latest = await h.store.latestSeq();
    await h.store.pruneChanges({ keepLast: 10 });
    const oldest = latest - 9;
    expect(await h.store.firstSeq()).toBe(oldest);

    // The window (16) no longer holds them either.
    const subscription = h.feed.subscribe({ since: latest - 20 });
    const error = await expectCode(subscription.ready(), 'ChangesPruned');
    expect(error.status).toBe(410);
    expect(error.message).toContain(`oldest seq still available is ${oldest}`);
    expect(error.message).toContain('without since');
    expect(error).toBeInstanceOf(ChangeFeedError);
    expect((error as ChangeFeedError).oldestSeq).toBe(oldest);
    expect(error.toJSON()).toMatchObject({ code: 'ChangesPruned', oldestSeq: oldest });
    await expectCode(subscription.next(), 'ChangesPruned');
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
    expect(h.feed.subscriberCount).toBe(0);

    const justInTime = h.feed.subscribe({ since: oldest - 1 });
    await justInTime.ready();
    expect(seqsOf(await take(justInTime, 10))).toEqual(range(oldest, latest));
  });

  it('still serves a since whose changes were pruned from the log but are in the window', async () => {
    await touchMany(h.store, 40);
    const latest = await h.store.latestSeq();
    await h.store.pruneChanges({ keepLast: 10 });
    const subscription = h.feed.subscribe({ since: latest - 15 });
    await subscription.ready();
    expect(seqsOf(await take(subscription, 15))).toEqual(range(latest - 14, latest));
  });

  it('ends a replay whose next entries are pruned while it reads with ChangesPruned', async () => {
    const since = await h.store.latestSeq();
    const seqs = await touchMany(h.store, 40);
    const subscription = h.feed.subscribe({ since });
    expect(seqsOf(await take(subscription, 7))).toEqual(seqs.slice(0, 7));
    await h.store.pruneChanges({ keepLast: 5 });
    await expectCode(subscription.next(), 'ChangesPruned');
  });

  it('refuses a since beyond the newest change, or that is not a seq: InvalidArgument', async () => {
    const latest = await h.store.latestSeq();
    const ahead = await expectCode(h.feed.subscribe({ since: latest + 1 }).ready(), 'InvalidArgument');
    expect(ahead.message).toContain(`newest change (seq ${latest})`);
    for (const since of [-1, 1.5, Number.NaN]) await expectCode(h.feed.subscribe({ since }).ready(), 'InvalidArgument');
    expect(h.feed.subscriberCount).toBe(0);
  });
});

describe('many subscribers', () => {
  const h = useFeed();

  /** Starts `n` subscribers that each consume `expected` entries in their own loop; returns what each got. */
  const consumers = async (
    n: number,
    expected: number,
  ): Promise<{ subscriptions: ChangeSubscription[]; received: Promise<number[][]> }> => {
    const subscriptions = Array.from({ length: n }, () => h.feed.subscribe());
    await Promise.all(subscriptions.map((s) => s.ready()));
    const received = Promise.all(
      subscriptions.map(async (subscription) => {
        const seqs: number[] = [];
        for await (const entry of subscription) {
          seqs.push(entry.seq);
          if (seqs.length === expected) break;
        }
        return seqs;
      }),
    );
    return { subscriptions, received };
  };

  it('gives 200 subscribers every entry of a burst, reading each commit from the store once, whatever their number', async () => {
    const readsFor = async (n: number): Promise<number> => {
      const { received } = await consumers(n, 50);
      const reads = h.store.reads.length;
      const seqs = await touchMany(h.store, 50);
      for (const got of await received) expect(got).toEqual(seqs);
      return h.store.reads.length - reads;
    };
    const one = await readsFor(1);
    const many = await readsFor(200);
    expect(one).toBeLessThanOrEqual(50);
    expect(many).toBe(one);
    expect(h.feed.subscriberCount).toBe(0); // each loop's break returned its subscription
  });

  it('reads a burst of concurrent commits in batches', async () => {
    const { received } = await consumers(20, 40);
    const reads = h.store.reads.length;
    await Promise.all(Array.from({ length: 40 }, (_, i) => touch(h.store, `r${(i % 4) + 1}`, i)));
    const got = await received;
    const first = got[0][0];
    for (const seqs of got) expect(seqs).toEqual(range(first, first + 39));
    expect(h.store.reads.length - reads).toBeLessThan(40);
  });
});

describe('slow consumers', () => {
  const maxLag = 50;
  const h = useFeed({ maxLag, windowSize: 200 });

  it('ends a subscriber that fell more than maxLag behind with SlowConsumer and where to resume; the others are served in full', async () => {
    const slow = h.feed.subscribe();
    const fast = h.feed.subscribe();
    await Promise.all([slow.ready(), fast.ready()]);
    const early = await touchMany(h.store, 5);
    expect(seqsOf(await take(slow, 5))).toEqual(early);
    const received = take(fast, 5 + 2 * maxLag);

    const seqs = await touchMany(h.store, 2 * maxLag);
    expect(seqsOf(await received)).toEqual([...early, ...seqs]);

    const error = await expectCode(slow.next(), 'SlowConsumer');
    expect(error.status).toBe(429);
    expect((error as ChangeFeedError).resumeSeq).toBe(early[4]);
    expect(error.toJSON()).toMatchObject({ code: 'SlowConsumer', resumeSeq: early[4] });
    expect(error.message).toContain(`up to seq ${early[4]}`);
    expect(error.message).toContain(`since: ${early[4]}`);
    expect(await slow.next()).toEqual({ done: true, value: undefined });
    expect(h.feed.subscriberCount).toBe(1);

    const resumed = h.feed.subscribe({ since: (error as ChangeFeedError).resumeSeq });
    const more = await touchMany(h.store, 3);
    expect(seqsOf(await take(resumed, 2 * maxLag + 3))).toEqual([...seqs, ...more]);
    expect(seqsOf(await take(fast, 3))).toEqual(more);
  });

  it('does not count the distance a replay starts at, only ground it loses', async () => {
    const since = await h.store.latestSeq();
    const history = await touchMany(h.store, 3 * maxLag);
    const replay = h.feed.subscribe({ since });
    expect(seqsOf(await take(replay, 10))).toEqual(history.slice(0, 10));
    // Now it stops reading while the head runs away from it.
    await touchMany(h.store, 2 * maxLag);
    const error = await expectCode(replay.next(), 'SlowConsumer');
    expect((error as ChangeFeedError).resumeSeq).toBe(history[9]);
  });

  it('allows a subscriber exactly maxLag behind', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    const seqs = await touchMany(h.store, maxLag);
    expect(seqsOf(await take(subscription, maxLag))).toEqual(seqs);
  });
});

describe('ending', () => {
  const h = useFeed();

  it('close() ends every subscription: pending and later next() calls are done, and new ones start done', async () => {
    const waiting = h.feed.subscribe();
    const idle = h.feed.subscribe({ since: 0 });
    await waiting.ready();
    const pending = waiting.next();
    await h.feed.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await idle.next()).toEqual({ done: true, value: undefined });
    expect(h.feed.subscriberCount).toBe(0);

    const reads = h.store.reads.length;
    await touch(h.store);
    expect(h.store.reads.length).toBe(reads); // no longer listening
    const late = h.feed.subscribe();
    expect(await late.next()).toEqual({ done: true, value: undefined });
    expect(h.feed.subscriberCount).toBe(0);
  });

  it('return() releases a subscription, also while a next() waits', async () => {
    const subscriptions = Array.from({ length: 10 }, () => h.feed.subscribe());
    expect(h.feed.subscriberCount).toBe(10);
    await Promise.all(subscriptions.map((s) => s.ready()));
    const pending = subscriptions.map((s) => s.next());
    await Promise.all(subscriptions.map((s) => s.return()));
    expect(await Promise.all(pending)).toEqual(pending.map(() => ({ done: true, value: undefined })));
    expect(h.feed.subscriberCount).toBe(0);
    await touch(h.store);
    expect(await subscriptions[0].next()).toEqual({ done: true, value: undefined });
  });

  it('an aborted signal releases a subscription, also before it starts, and leaves no listener on the signal', async () => {
    const controller = new AbortController();
    const listeners = { added: 0, removed: 0 };
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => (
      listeners.added++,
      add(...args)
    )) as AbortSignal['addEventListener'];
    signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => (
      listeners.removed++,
      remove(...args)
    )) as AbortSignal['removeEventListener'];

    const subscription = h.feed.subscribe({ signal });
    await subscription.ready();
    const pending = subscription.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(h.feed.subscriberCount).toBe(0);
    expect(listeners).toEqual({ added: 1, removed: 1 });

    const already = h.feed.subscribe({ signal });
    expect(await already.next()).toEqual({ done: true, value: undefined });
    expect(h.feed.subscriberCount).toBe(0);
    const refusedAndAborted = h.feed.subscribe({ signal, since: -1 });
    await expectCode(refusedAndAborted.ready(), 'InvalidArgument');
    expect(listeners.added).toBe(1);

    const other = new AbortController();
    const returned = h.feed.subscribe({ signal: other.signal });
    await returned.return();
    other.abort();
    expect(h.feed.subscriberCount).toBe(0);
  });

  it('ends the waiting subscribers with the store error when the feed cannot read; they resume with since', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    const pending = subscription.next();
    await settled(pending);
    h.store.failReads(1, new TwingraphError('StoreUnavailable', 'The store is unreachable.'));
    const seq = await touch(h.store);
    await expectCode(pending, 'StoreUnavailable');
    expect(h.feed.subscriberCount).toBe(0);

    const resumed = h.feed.subscribe({ since: subscription.resumeSeq });
    expect(seqsOf(await take(resumed, 1))).toEqual([seq]);
  });

  it('lets the store be closed once close() resolves: no store call is left under way', async () => {
    const store = await roomStore();
    const feed = new ChangeFeed(counting(store), { readBatchSize: 5 });
    const replay = feed.subscribe({ since: 0 });
    const pending = replay.next();
    await feed.close();
    await store.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('back-pressure on writes', () => {
  // busyUtilization 0: as if the process were always short of time, which is when writers wait.
  const h = useFeed({ backPressure: { lagMs: 10_000, maxPending: 2, stallMs: 300, busyUtilization: 0 } });

  it('holds a write while a reading subscriber has too many changes to take, and lets it go as it catches up', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    const pull = subscription.next();
    const seqs = await touchMany(h.store, 4);
    expect((await pull).value?.seq).toBe(seqs[0]);
    // It has just asked, and has 3 changes to take (more than maxPending): the next write waits.
    const held = touch(h.store, 'r3', 2);
    expect(await settled(held)).toBe(false);
    expect(seqsOf(await take(subscription, 3))).toEqual(seqs.slice(1));
    const seq = await held;
    expect(seqsOf(await take(subscription, 1))).toEqual([seq]);
  });

  it('lets writes go when the subscriber behind has stopped asking for changes (SlowConsumer is its fate)', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    await take(subscription, 0);
    const started = performance.now();
    await touchMany(h.store, 10);
    // Held at most about stallMs, not until the subscriber reads again.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(h.feed.subscriberCount).toBe(1);
  });

  it('does not hold writes for a subscription made with holdsWriters: false', async () => {
    const subscription = h.feed.subscribe({ holdsWriters: false });
    await subscription.ready();
    void subscription.next();
    const seqs = await touchMany(h.store, 10);
    expect(seqsOf(await take(subscription, 9))).toEqual(seqs.slice(1));
  });
});

describe('back-pressure while the process is idle', () => {
  const h = useFeed({ backPressure: { lagMs: 10_000, maxPending: 2, stallMs: 60_000 } });

  it('never holds writes for a subscriber that is behind only because it reads slowly', async () => {
    // A client pacing its reads (a slow network, or a hostile one) keeps asking, yet the process is idle:
    // everyone else's writes must not go at its pace.
    const subscription = h.feed.subscribe();
    await subscription.ready();
    void subscription.next();
    const started = performance.now();
    const seqs = await touchMany(h.store, 20);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(seqsOf(await take(subscription, 19))).toEqual(seqs.slice(1));
  });
});

describe('back-pressure off', () => {
  const h = useFeed({ backPressure: false });

  it('never holds a write', async () => {
    const subscription = h.feed.subscribe();
    await subscription.ready();
    void subscription.next();
    const seqs = await touchMany(h.store, 20);
    expect(seqsOf(await take(subscription, 19))).toEqual(seqs.slice(1));
  });
});
