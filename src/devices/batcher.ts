/**
 * Telemetry points gathered into batches for the twin service's `recordMetrics` (one validated store write,
 * one change-log entry per twin): a batch goes when it holds `maxPoints` or when its first point has waited
 * `maxWaitMs`. Batches are written one at a time, in order, while the next one fills.
 *
 * A batch is all or nothing in the store, so one bad point (a twin deleted since its message was read, a
 * model changed under it) would fail every message in it. Then the batch is written again twin by twin, and
 * only the points of twins that still fail are reported back, to their own messages, as not recorded.
 */
import type { MetricPoint } from '../store/types';

export interface NotRecorded {
  readonly point: MetricPoint;
  readonly message: string;
}

export type RecordMetrics = (points: readonly MetricPoint[]) => Promise<unknown>;

interface Waiting {
  readonly points: readonly MetricPoint[];
  readonly resolve: (failures: NotRecorded[]) => void;
}

export class MetricBatcher {
  #batch: Waiting[] = [];
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #batches = 0;

  constructor(
    private readonly record: RecordMetrics,
    private readonly maxPoints: number,
    private readonly maxWaitMs: number,
    private readonly onWritten: (points: number, ms: number) => void = () => undefined,
  ) {}

  /** Resolves once the points are in the store, with those that could not be recorded (and why). */
  add(points: readonly MetricPoint[]): Promise<NotRecorded[]> {
    if (points.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.#batch.push({ points, resolve });
      this.#size += points.length;
      if (this.#size >= this.maxPoints) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /** Batches written since start. */
  get batches(): number {
    return this.#batches;
  }

  /** Sends the current batch now; resolves when every batch so far is written. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#batch;
    this.#batch = [];
    this.#size = 0;
    if (batch.length > 0) this.#writing = this.#writing.then(() => this.#write(batch));
    return this.#writing;
  }

  async #write(batch: Waiting[]): Promise<void> {
    const points = batch.flatMap((w) => w.points);
    const started = performance.now();
    const failures = new Map<MetricPoint, string>();
    try {
      await this.record(points);
    } catch {
      const byTwin = new Map<string, MetricPoint[]>();
      for (const p of points) byTwin.set(p.twinId, [...(byTwin.get(p.twinId) ?? []), p]);
      for (const twinPoints of byTwin.values()) {
        try {
          await this.record(twinPoints);
        } catch (error) {
          for (const p of twinPoints) failures.set(p, (error as Error).message);
        }
      }
    }
    this.#batches++;
    this.onWritten(points.length - failures.size, performance.now() - started);
    for (const w of batch)
      w.resolve(w.points.flatMap((point) => (failures.has(point) ? [{ point, message: failures.get(point)! }] : [])));
  }
}
