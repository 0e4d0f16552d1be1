/**
 * ADT's rate limits, kept on the client side: sliding-window logs (never more than N requests in any window,
 * which a token bucket would allow at its edges), one per rate class and one per twin, taken together so a
 * request waits until every limit it counts against has room. A throttled answer pauses its class until
 * Retry-After says.
 *
 * A request held with `reserve` counts from the moment it is granted until a window after it completes: it
 * reaches ADT somewhere in between, however long the event loop or the network held it up, so N + 1
 * requests can never arrive within one window at ADT.
 */
import type { RateClass } from './plan';

export interface RateLimits {
  /** Requests per second per class (ADT: models 100, creates and deletes 500, patches 1,000). */
  readonly perSecond: Readonly<Record<RateClass, number>>;
  /** Writes per second on one twin, its relationships included (ADT: 10, not adjustable). */
  readonly perTwin: number;
  /** The window, in ms (default a little over a second, for the clocks' granularity). */
  readonly windowMs?: number;
}

/** While a completed request's slot in a window is still blocked by one in flight, look again this often. */
const IN_FLIGHT_POLL_MS = 5;

class Window {
  /** When the completed requests completed, oldest first. */
  private readonly times: number[] = [];
  private inFlight = 0;
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** How long until one more fits (0: now). */
  waitMs(now: number): number {
    while (this.times.length > 0 && this.times[0] <= now - this.windowMs) this.times.shift();
    const over = this.times.length + this.inFlight - this.limit;
    if (over < 0) return 0;
    // The oldest `over + 1` must leave the window; those in flight leave only a window after they complete.
    return over < this.times.length ? this.times[over] + this.windowMs - now : IN_FLIGHT_POLL_MS;
  }

  take(): void {
    this.inFlight++;
  }

  complete(now: number): void {
    this.inFlight--;
    this.times.push(now);
  }

  get idle(): boolean {
    return this.times.length === 0 && this.inFlight === 0;
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
    this.windowMs = limits.windowMs ?? 1010;
    for (const [name, limit] of Object.entries(limits.perSecond) as [RateClass, number][])
      this.classes.set(name, new Window(limit, this.windowMs));
  }

  private twin(id: string): Window {
    let w = this.twins.get(id);
    if (!w) this.twins.set(id, (w = new Window(this.limits.perTwin, this.windowMs)));
    return w;
  }

  /** Waits until a request of `rate` on `twins` fits every limit, and counts it as sent and done now. */
  async acquire(rate: RateClass, twins: readonly string[], signal?: AbortSignal): Promise<void> {
    (await this.reserve(rate, twins, signal))();
  }

  /**
   * Waits until a request of `rate` on `twins` fits every limit, and holds its place until the returned
   * function is called when the request has completed (answered or failed); it counts a window from then.
   */
  async reserve(rate: RateClass, twins: readonly string[], signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const now = this.now();
      const windows = [this.classes.get(rate)!, ...twins.map((t) => this.twin(t))];
      const wait = Math.max((this.pausedUntil.get(rate) ?? 0) - now, ...windows.map((w) => w.waitMs(now)));
      if (wait <= 0) {
        for (const w of windows) w.take();
        this.sweep(now);
        let completed = false;
        return () => {
          if (completed) return;
          completed = true;
          const at = this.now();
          for (const w of windows) w.complete(at);
        };
      }
      await this.wait(Math.ceil(wait), signal);
    }
  }

  /** Sleeps, but gives up as soon as `signal` aborts (a Retry-After pause can be long; stopping should not wait for it). */
  private wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const off = signal
        ? this.onAbort(signal, () => (clearTimeout(timer), reject(signal.reason ?? new Error('aborted'))))
        : () => undefined;
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
