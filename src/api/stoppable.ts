/**
 * Waiting for something unless an operation is let go of first, for the loops that pace a subscription's
 * results (./sse-results.ts, ./shared-delivery.ts). `Promise.race([work, stopped])` against one promise that
 * settles only at the end leaves a reaction on it for every wait, kept until it settles: about 300 bytes per
 * event for as long as a subscription lives. Here each wait registers only on its own promise, and stop()
 * wakes the wait under way.
 */

/** What `until` resolves to when stopped first. */
export const STOPPED: unique symbol = Symbol('stopped');

export class Stopper {
  private readonly waits = new Set<() => void>();
  private done = false;

  get stopped(): boolean {
    return this.done;
  }

  /** Waits under way (what a wait leaves behind once it is over: nothing). */
  get waiting(): number {
    return this.waits.size;
  }

  /** Wakes every wait under way (with STOPPED), and every later one at once. */
  stop(): void {
    this.done = true;
    for (const wake of this.waits) wake();
    this.waits.clear();
  }

  /** What `promise` settles to, or STOPPED as soon as stop() is called (a rejection after that is dropped). */
  until<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    if (this.done) return Promise.resolve(STOPPED);
    return new Promise((resolve, reject) => {
      const wake = (): void => resolve(STOPPED);
      this.waits.add(wake);
      promise.then(
        (value) => {
          this.waits.delete(wake);
          resolve(value);
        },
        (error: unknown) => {
          this.waits.delete(wake);
          reject(error);
        },
      );
    });
  }
}
