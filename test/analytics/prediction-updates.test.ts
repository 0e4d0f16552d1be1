/**
 * The predictionChanged subscription (src/analytics/graphql/prediction-updates.ts) against a hand-driven context:
 * the change feed, the twin reads and the analytics are fakes the test pushes and holds, so that the order of
 * events (a computation still running while a retraining, a delete or the subscriber's return() comes in)
 * is the test's, not the scheduler's.
 */
import type { ProfitInputsMoved, ProfitModelInfo, EngagementProfit } from '../../src/analytics/compute/results';
import type { GraphContext } from '../../src/graphql/graph-context';
import { PredictionKind, type PredictionUpdate } from '../../src/analytics/graphql/prediction.types';
import { predictionUpdates } from '../../src/analytics/graphql/prediction-updates';
import { DEMO_MODELS } from '../../src/demo/models';
import type { ChangeEntry, Twin } from '../../src/store/types';

const engagement = (id: string): Twin =>
  ({
    $dtId: id,
    $etag: 'W/"1"',
    $metadata: { $model: DEMO_MODELS.engagement, $lastUpdateTime: '2026-01-01T00:00:00Z' },
  }) as unknown as Twin;

const MODEL: ProfitModelInfo = {
  model: {
    method: 'test',
    trainedAt: '2026-01-01T00:00:00.000Z',
    trainingSize: 30,
    level: 0.95,
    heldOut: { points: 30, mae: 1, baselineMae: 2, baseline: 'mean', coverage: 0.95 },
    categories: { offering: [], industry: [], leadRole: [] },
    featureNames: [],
    coefficients: [],
    predict: () => ({ value: 0, lower: 0, upper: 0, level: 0.95 }),
  },
  excludedAnomalies: 0,
  reason: 'first use',
};

const profit = (value: number, industry = 'banking'): EngagementProfit => ({
  value,
  lower: value - 10,
  upper: value + 10,
  level: 0.95,
  features: { budget: 1000, durationDays: 30, offering: 'tax', industry, leadRole: 'partner' },
  actual: null,
  closed: false,
  model: MODEL,
});

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every queued promise job and timer callback of this turn run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A context whose change feed the test pushes to and whose profit predictions it answers (or holds). */
class FakeContext {
  readonly twins = new Map<string, Twin>();
  /** engagementProfit calls, in order, with a way to answer each (answered with `answer` unless held). */
  readonly profitCalls: { id: string; reply: Deferred<EngagementProfit | null> }[] = [];
  answer: (id: string) => EngagementProfit | null = () => profit(100);
  hold = false;
  readonly listeners = new Set<(info: ProfitModelInfo, moved?: ProfitInputsMoved) => void>();
  changesReturned = 0;
  readTwin: (id: string) => Promise<Twin | undefined> = async (id) => this.twins.get(id);
  private readonly pushed: ChangeEntry[] = [];
  private waiting: ((result: IteratorResult<ChangeEntry>) => void) | undefined;
  private ended = false;

  push(change: Omit<ChangeEntry, 'time' | 'subject'>): void {
    const entry = { time: '2026-01-01T00:00:00Z', subject: change.twinId ?? '', ...change } as ChangeEntry;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ done: false, value: entry });
    } else this.pushed.push(entry);
  }

  retrained(moved?: ProfitInputsMoved): void {
    for (const listener of this.listeners) listener(MODEL, moved);
  }

  get ctx(): GraphContext {
    const iterator: AsyncIterator<ChangeEntry> = {
      next: () => {
        if (this.pushed.length > 0) return Promise.resolve({ done: false, value: this.pushed.shift()! });
        if (this.ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: async () => {
        this.changesReturned++;
        this.ended = true;
        this.waiting?.({ done: true, value: undefined });
        return { done: true, value: undefined };
      },
    };
    return {
      changes: { subscribe: async () => ({ [Symbol.asyncIterator]: () => iterator }) },
      twins: { get: (id: string) => this.readTwin(id) },
      models: { newestInfo: () => undefined },
      features: {
        analytics: {
          engagementProfit: (twin: Twin) => {
            const reply = deferred<EngagementProfit | null>();
            this.profitCalls.push({ id: twin.$dtId, reply });
            if (!this.hold) reply.resolve(this.answer(twin.$dtId));
            return reply.promise;
          },
          onRetrain: (listener: (info: ProfitModelInfo, moved?: ProfitInputsMoved) => void) => {
            this.listeners.add(listener);
            return () => this.listeners.delete(listener);
          },
        },
      },
    } as unknown as GraphContext;
  }
}

/** Collects what the subscription sends, as it sends it. */
function drain(iterator: AsyncIterableIterator<PredictionUpdate>): PredictionUpdate[] {
  const received: PredictionUpdate[] = [];
  void (async () => {
    for (;;) {
      const next = await iterator.next().catch(() => ({ done: true as const, value: undefined }));
      if (next.done) return;
      received.push(next.value);
    }
  })();
  return received;
}

describe('predictionChanged', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  beforeEach(() => {
    rejections.length = 0;
    process.on('unhandledRejection', onRejection);
  });
  afterEach(() => {
    process.off('unhandledRejection', onRejection);
  });

  it('skips a twin deleted before a queued retraining reaches it, and nothing rejects unhandled', async () => {
    const fake = new FakeContext();
    fake.twins.set('e1', engagement('e1'));
    fake.hold = true;
    const iterator = await predictionUpdates(fake.ctx, { twinIds: ['e1'], horizonHours: 168, initial: true });
    const received = drain(iterator);
    await settle();
    expect(fake.profitCalls).toHaveLength(1); // the initial prediction, held

    fake.retrained(); // queued behind the initial one
    fake.push({
      seq: 7,
      type: 'Twin.Delete',
      twinId: 'e1',
      modelId: DEMO_MODELS.engagement,
      body: engagement('e1') as never,
    });
    await settle();
    fake.profitCalls[0].reply.resolve(profit(100));
    await settle();

    expect(fake.profitCalls).toHaveLength(1); // nothing computed for the deleted twin
    expect(received.map((u) => u.cause)).toEqual(['Initial']);
    await iterator.return!();
    await settle();
    expect(rejections).toEqual([]);
  });

  it('lets go of the change subscription when reading a watched twin fails', async () => {
    const fake = new FakeContext();
    fake.readTwin = () => Promise.reject(new Error('the store is down'));
    await expect(predictionUpdates(fake.ctx, { twinIds: ['e1'], horizonHours: 168, initial: true })).rejects.toThrow(
      'the store is down',
    );
    expect(fake.changesReturned).toBe(1);
    expect(fake.listeners.size).toBe(0);
  });

  it('computes nothing more once the subscriber has returned, however much was queued', async () => {
    const fake = new FakeContext();
    fake.twins.set('e1', engagement('e1'));
    fake.hold = true;
    const iterator = await predictionUpdates(fake.ctx, { twinIds: ['e1'], horizonHours: 168, initial: true });
    await settle();
    fake.retrained();
    fake.retrained();
    fake.push({
      seq: 8,
      type: 'Twin.Update',
      twinId: 'e1',
      modelId: DEMO_MODELS.engagement,
      body: engagement('e1') as never,
      patch: [],
    });
    await settle();

    await iterator.return!();
    expect(fake.listeners.size).toBe(0);
    fake.profitCalls[0].reply.resolve(profit(100));
    await settle();
    expect(fake.profitCalls).toHaveLength(1);
    expect(fake.changesReturned).toBe(1);
    expect(rejections).toEqual([]);
  });

  it('recomputes the profit of just the engagements a change beside them moved, with its cause and seq', async () => {
    const fake = new FakeContext();
    for (const id of ['e1', 'e2']) fake.twins.set(id, engagement(id));
    const iterator = await predictionUpdates(fake.ctx, {
      twinIds: ['e1', 'e2'],
      kinds: [PredictionKind.PROFIT],
      horizonHours: 168,
      initial: true,
    });
    const received = drain(iterator);
    await settle();
    expect(received.map((u) => [u.twinId, u.cause])).toEqual([
      ['e1', 'Initial'],
      ['e2', 'Initial'],
    ]);

    // e2's client moved to another industry.
    fake.answer = (id) => (id === 'e2' ? profit(140, 'retail') : profit(100));
    fake.retrained({ engagementIds: ['e2'], cause: 'Twin.Update', seq: 42 });
    await settle();
    expect(fake.profitCalls.map((c) => c.id)).toEqual(['e1', 'e2', 'e2']);
    expect(received.slice(2)).toEqual([
      expect.objectContaining({ twinId: 'e2', kind: PredictionKind.PROFIT, cause: 'Twin.Update', seq: 42 }),
    ]);
    expect(received[2].profit).toMatchObject({ value: 140, features: { industry: 'retail' } });
    await iterator.return!();
  });
});
