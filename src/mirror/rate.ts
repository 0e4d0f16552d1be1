/**
 * ADT's rate limits, kept on the client side: sliding-window logs (never more than N requests in any window,
 * which a token bucket would allow at its edges), one per rate class and one per twin, taken together so a
 * request waits until every limit it counts against has room. A throttled answer pauses its class until
 * Retry-After says.
 */
import type { RateClass } from './plan';

export interface RateLimits {
  /** Requests per second per class (ADT: models 100, creates and deletes 500, patches 1,000). */
  readonly perSecond: Readonly<Record<RateClass, number>>;
  /** Writes per second on one twin, its relationships included (ADT: 10, not adjustable). */
  readonly perTwin: number;
  /**
   * The window, in ms, the counts are kept over: a little over a second, so that requests sent one second
   * apart cannot arrive inside one second at ADT after uneven network delays.
   */
  readonly windowMs?: number;
}

class Window {
  private readonly times: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** How long until one more fits (0: now). */
  waitMs(now: number): number {
    while (this.times.length > 0 && this.times[0] <= now - this.windowMs) this.times.shift();
    return this.times.length < this.limit ? 0 : this.times[this.times.length - this.limit] + this.windowMs - now;
  }

  record(now: number): void {
    this.times.push(now);
  }

  get idle(): boolean {
    return this.times.length === 0;
  }
}

export class RateLimiter {
  private readonly classes = new Map<RateClass, Window>();
  private readonly twins = new Map<string, Window>();
  private readonly pausedUntil = new Map<RateClass, number>();
  private readonly windowMs: number;
  private sweeps = 0;
  /** Waiters to reject per signal: one listener on a signal however many wait (Node warns past 10). */
  private readonly aborters = new WeakMap<AbortSignal, Set<() => void>>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = () => performance.now(),
    /** Default: a timer, cleared when the acquire's signal aborts. */
    private readonly sleep?: (ms: number) => Promise<void>,
  ) {
    this.windowMs = limits.windowMs ?? 1100;
    for (const [name, limit] of Object.entries(limits.perSecond) as [RateClass, number][]) this.classes.set(name, new Window(limit, this.windowMs));
  }

  private twin(id: string): Window {
    let w = this.twins.get(id);
    if (!w) this.twins.set(id, (w = new Window(this.limits.perTwin, this.windowMs)));
    return w;
  }

  /** Waits until a request of `rate` on `twins` fits every limit, and counts it. */
  async acquire(rate: RateClass, twins: readonly string[], signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const now = this.now();
      const windows = [this.classes.get(rate)!, ...twins.map((t) => this.twin(t))];
      const wait = Math.max((this.pausedUntil.get(rate) ?? 0) - now, ...windows.map((w) => w.waitMs(now)));
      if (wait <= 0) {
        for (const w of windows) w.record(now);
        this.sweep(now);
        return;
      }
      await this.wait(Math.ceil(wait), signal);
    }
  }

  /** Sleeps, but gives up as soon as `signal` aborts (a Retry-After pause can be long; stopping should not wait for it). */
  private wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const off = signal ? this.onAbort(signal, () => (clearTimeout(timer), reject(signal.reason ?? new Error('aborted')))) : () => undefined;
      const done = (): void => (off(), resolve());
      if (this.sleep) this.sleep(ms).then(done, (error: unknown) => (off(), reject(error)));
      else timer = setTimeout(done, ms);
    });
  }

  private onAbort(signal: AbortSignal, reject: () => void): () => void {
    let waiters = this.aborters.get(signal);
    if (!waiters) {
      const all = new Set<() => void>();
      signal.addEventListener('abort', () => all.forEach((f) => f()), { once: true });
      this.aborters.set(signal, (waiters = all));
    }
    const set = waiters;
    set.add(reject);
    return () => void set.delete(reject);
  }

  /** ADT said to wait (429 with Retry-After): no request of the class goes before then. */
  pause(rate: RateClass, ms: number): void {
    const until = this.now() + ms;
    if (until > (this.pausedUntil.get(rate) ?? 0)) this.pausedUntil.set(rate, until);
  }

  /** Forgets idle twins now and then, so the map does not grow with every twin ever written. */
  private sweep(now: number): void {
    if (++this.sweeps % 1000 !== 0) return;
    for (const [id, w] of this.twins) {
      w.waitMs(now);
      if (w.idle) this.twins.delete(id);
    }
  }
}
