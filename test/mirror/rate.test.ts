import { RateLimiter, type RateLimits } from '../../src/mirror/rate';
import type { RateClass } from '../../src/mirror/plan';

const WINDOW = 1000;
const limits = (over: Partial<RateLimits> = {}): RateLimits => ({
  perSecond: { models: 3, createDelete: 50, patch: 50 },
  perTwin: 2,
  windowMs: WINDOW,
  ...over,
});

/** Never more than `n` of the (sorted) times inside any window. */
function expectSlidingLimit(times: readonly number[], n: number, windowMs = WINDOW): void {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i + n < sorted.length; i++) expect(sorted[i + n] - sorted[i]).toBeGreaterThanOrEqual(windowMs);
}

describe('RateLimiter (fake timers, default sleep)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const make = (over: Partial<RateLimits> = {}) => new RateLimiter(limits(over), () => Date.now());
  /** Starts an acquire and records when it is granted under `name`. */
  function tracker(limiter: RateLimiter) {
    const granted = new Map<string, number>();
    const order: string[] = [];
    const acquire = (name: string, rate: RateClass, twins: string[] = [], signal?: AbortSignal) =>
      limiter.acquire(rate, twins, signal).then(() => {
        granted.set(name, Date.now());
        order.push(name);
      });
    return { granted, order, acquire };
  }

  test('no more than N acquisitions of a class in any window, and the class runs at that rate', async () => {
    const { granted, acquire } = tracker(make());
    for (let i = 0; i < 10; i++) void acquire(`m${i}`, 'models');
    void acquire('p', 'patch');
    await jest.advanceTimersByTimeAsync(0);
    expect(granted.get('p')).toBe(0); // another class is not held up
    expect([...granted.keys()].filter((k) => k.startsWith('m'))).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(5000);
    const times = [...granted].filter(([k]) => k.startsWith('m')).map(([, t]) => t);
    expect(times).toHaveLength(10);
    expectSlidingLimit(times, 3);
    expect(Math.max(...times)).toBe(3000);
  });

  test('a reserved request holds its place while in flight and for a window after it completes (so a slow request cannot arrive inside the next window)', async () => {
    const limiter = make();
    const twin = ['T'];
    const first = await limiter.reserve('patch', twin);
    const second = await limiter.reserve('patch', twin);
    let third = -1;
    void limiter.reserve('patch', twin).then((done) => {
      third = Date.now();
      done();
    });
    // Both still in flight at 3 s: however late they reached ADT, a third must wait.
    await jest.advanceTimersByTimeAsync(3000);
    expect(third).toBe(-1);
    first();
    await jest.advanceTimersByTimeAsync(999);
    expect(third).toBe(-1);
    await jest.advanceTimersByTimeAsync(10);
    expect(third).toBeGreaterThanOrEqual(4000);
    expect(third).toBeLessThanOrEqual(4010);
    second();
    second(); // completing twice counts once
  });

  test('arrivals spread over time never exceed the class limit in any sliding window', async () => {
    const { granted, acquire } = tracker(make());
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 700;
    for (let i = 0, at = 0; i < 40; i++, at += rnd()) setTimeout(() => void acquire(`m${i}`, 'models'), at);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(granted.size).toBe(40);
    expectSlidingLimit([...granted.values()], 3);
  });

  test('no more than perTwin writes on a twin in any window; a relationship counts against both twins', async () => {
    const { granted, acquire } = tracker(make());
    void acquire('rel1', 'createDelete', ['A', 'B']);
    void acquire('rel2', 'createDelete', ['A', 'B']);
    void acquire('patchA', 'patch', ['A']);
    void acquire('patchB', 'patch', ['B']);
    void acquire('patchC', 'patch', ['C']);
    await jest.advanceTimersByTimeAsync(0);
    expect([...granted.keys()].sort()).toEqual(['patchC', 'rel1', 'rel2']);
    await jest.advanceTimersByTimeAsync(WINDOW);
    expect(granted.get('patchA')).toBe(WINDOW);
    expect(granted.get('patchB')).toBe(WINDOW);
    // Steady traffic on one twin, whatever the classes: never more than 2 per window.
    const many: Promise<void>[] = [];
    for (let i = 0; i < 9; i++) many.push(acquire(`x${i}`, i % 2 ? 'patch' : 'createDelete', ['X']));
    await jest.advanceTimersByTimeAsync(10_000);
    await Promise.all(many);
    expectSlidingLimit(
      [...granted].filter(([k]) => k.startsWith('x')).map(([, t]) => t),
      2,
    );
  });

  test('pause() holds back acquisitions of that class until it ends, and a shorter pause does not shorten it', async () => {
    const limiter = make();
    const { granted, acquire } = tracker(limiter);
    limiter.pause('patch', 500);
    limiter.pause('patch', 100);
    void acquire('patch', 'patch', ['A']);
    void acquire('create', 'createDelete', ['B']);
    await jest.advanceTimersByTimeAsync(499);
    expect(granted.has('patch')).toBe(false);
    expect(granted.get('create')).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(granted.get('patch')).toBe(500);
  });

  test('an aborted signal rejects a waiting acquire at once, and the abandoned request takes no slot', async () => {
    const limiter = make({ perSecond: { models: 1, createDelete: 50, patch: 50 } });
    const { granted, acquire } = tracker(limiter);
    const pre = new AbortController();
    pre.abort(new Error('already'));
    await expect(limiter.acquire('models', [], pre.signal)).rejects.toThrow('already');

    void acquire('first', 'models');
    const controller = new AbortController();
    const waiting = limiter.acquire('models', [], controller.signal);
    const settled = jest.fn();
    waiting.then(settled, settled);
    await jest.advanceTimersByTimeAsync(10);
    controller.abort(new Error('stopping'));
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toHaveBeenCalledWith(new Error('stopping'));
    void acquire('third', 'models');
    await jest.advanceTimersByTimeAsync(WINDOW);
    expect(granted.get('third')).toBe(WINDOW);
  });

  test('abort interrupts a long Retry-After pause, leaving no timer behind', async () => {
    const limiter = make();
    limiter.pause('patch', 60_000);
    const controller = new AbortController();
    const waiting = limiter.acquire('patch', ['A'], controller.signal);
    const settled = jest.fn();
    waiting.then(settled, settled);
    await jest.advanceTimersByTimeAsync(100);
    controller.abort(new Error('the mirror is stopping'));
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toHaveBeenCalledWith(new Error('the mirror is stopping'));
    expect(jest.getTimerCount()).toBe(0);
  });

  test('many waiters on one signal all reject on abort, without a listener-leak warning', async () => {
    const warn = jest.spyOn(process, 'emitWarning');
    const limiter = make();
    limiter.pause('patch', 60_000);
    const controller = new AbortController();
    const waiting = Array.from({ length: 40 }, (_, i) => limiter.acquire('patch', [`T${i}`], controller.signal));
    await jest.advanceTimersByTimeAsync(10);
    controller.abort(new Error('stop'));
    const results = await Promise.allSettled(waiting);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  test('waiters are served in arrival order: a waiting acquirer is not overtaken by later arrivals', async () => {
    const { order, granted, acquire } = tracker(make({ perSecond: { models: 1, createDelete: 50, patch: 50 } }));
    void acquire('first', 'models');
    void acquire('waiter', 'models');
    for (let i = 1; i <= 5; i++) setTimeout(() => void acquire(`late${i}`, 'models'), i * 150);
    await jest.advanceTimersByTimeAsync(10 * WINDOW);
    expect(order).toEqual(['first', 'waiter', 'late1', 'late2', 'late3', 'late4', 'late5']);
    expect(granted.get('waiter')).toBe(WINDOW);
  });

  test('a request waiting on a busy twin is served once the twin has room, despite a stream of requests on other twins', async () => {
    const { granted, acquire } = tracker(make({ perSecond: { models: 3, createDelete: 4, patch: 50 }, perTwin: 1 }));
    void acquire('hot', 'createDelete', ['H']);
    void acquire('waiter', 'createDelete', ['H']);
    // Other twins keep the class busy: 2 a window more than it allows.
    for (let i = 0; i < 60; i++) setTimeout(() => void acquire(`o${i}`, 'createDelete', [`T${i}`]), i * 166);
    await jest.advanceTimersByTimeAsync(30 * WINDOW);
    expect(granted.get('waiter')).toBeLessThanOrEqual(2 * WINDOW);
    expectSlidingLimit([...granted.values()], 4);
  });
});

describe('RateLimiter (injected clock and sleep)', () => {
  test('uses the injected clock and sleep; abort still rejects a sleep that ignores the signal', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const pending: (() => void)[] = [];
    const limiter = new RateLimiter(
      limits({ perSecond: { models: 1, createDelete: 1, patch: 1 } }),
      () => now,
      (ms) => {
        sleeps.push(ms);
        return new Promise<void>((resolve) => pending.push(() => ((now += ms), resolve())));
      },
    );
    await limiter.acquire('patch', ['A']);
    now = 250;
    const second = limiter.acquire('patch', ['A']);
    await Promise.resolve();
    expect(sleeps).toEqual([750]);
    pending.shift()!();
    await second;
    expect(now).toBe(1000);

    const controller = new AbortController();
    const third = limiter.acquire('patch', ['A'], controller.signal);
    await Promise.resolve();
    expect(sleeps).toEqual([750, 1000]);
    controller.abort(new Error('stop'));
    await expect(third).rejects.toThrow('stop'); // the injected sleep never resolves on its own
  }, 5000);
});
