/**
 * A count with its rate over the last minute (60 one-second buckets), for `mqttStatus`: messages in and
 * out, points recorded. Time is passed in, so that it is a pure structure to test.
 */
const BUCKETS = 60;

export class RateCounter {
  #total = 0;
  readonly #buckets = new Float64Array(BUCKETS);
  #second = 0;

  add(n = 1, now: number = Date.now()): void {
    this.#advance(now);
    this.#total += n;
    this.#buckets[this.#second % BUCKETS] += n;
  }

  get total(): number {
    return this.#total;
  }

  /** Per second, averaged over the last minute. */
  perSecond(now: number = Date.now()): number {
    this.#advance(now);
    let sum = 0;
    for (const n of this.#buckets) sum += n;
    return sum / BUCKETS;
  }

  #advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (this.#second === 0) this.#second = second;
    if (second <= this.#second) return;
    const steps = Math.min(BUCKETS, second - this.#second);
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#second + i) % BUCKETS] = 0;
    this.#second = second;
  }
}
