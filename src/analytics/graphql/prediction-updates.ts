/**
 * The predictionChanged subscription: a prediction is derived state, so what a subscriber must not miss is
 * its newest value. The subscription sends the current prediction of each twin first, then recomputes one
 * whenever a committed change to the twin (its properties, relationships or telemetry), a change beside an
 * engagement that the analytics say moves its profit features (its client's industry, its lead's role, its
 * offering's line), or a training of the profit model could move it, and sends it when it differs from the
 * last one sent. A subscriber that reconnects gets the current values again.
 *
 * Recomputations run one at a time, in order; none of them can reject (a failure becomes the update's
 * `error`, or is logged), and after the subscriber ends the subscription none runs any more.
 */
import type { ProfitInputsMoved } from '../compute/results';
import { DEMO_MODELS } from '../../demo/models';
import { TwingraphError, twinNotFound } from '../../errors';
import type { ChangeEntry, Twin } from '../../store/types';
import type { GraphContext } from '../../graphql/graph-context';
import { analyticsOf } from './access';
import { failureRiskValue, PredictionKind, profitValue, type PredictionUpdate } from './prediction.types';

/** What caused a computation: the start, a retraining, or a committed change of some type. */
type Cause = typeof INITIAL | typeof RETRAINED | ChangeEntry['type'];
const INITIAL = 'Initial';
const RETRAINED = 'Retrained';

export interface PredictionUpdateOptions {
  readonly twinIds: readonly string[];
  readonly kinds?: readonly PredictionKind[];
  readonly horizonHours: number;
  readonly initial: boolean;
}

const MAX_TWINS = 100;

/** A recomputation that failed outside what it reports as the update's error: a bug, said where it shows. */
function logFailure(error: unknown): void {
  console.error('predictionChanged: a recomputation failed', error);
}

/** A queue that an async iterator reads: pushes from several sources, one consumer. */
class UpdateQueue<T> {
  private readonly items: T[] = [];
  private waiting:
    { resolve: (result: IteratorResult<T, undefined>) => void; reject: (error: unknown) => void } | undefined;
  private ended = false;
  private failure: unknown;

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ done: false, value: item });
    } else this.items.push(item);
  }

  /** Ends the stream; with an error, the reader gets it once the items before it are read. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting && error !== undefined) waiting.reject(error);
    else waiting?.resolve({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.items.length > 0) return Promise.resolve({ done: false, value: this.items.shift()! });
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure !== undefined ? Promise.reject(failure) : Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}

function kindsOf(twin: Twin, wanted: ReadonlySet<PredictionKind>, ctx: GraphContext): PredictionKind[] {
  const models = ctx.models.newestInfo()?.models;
  const isOf = (of: string): boolean =>
    twin.$metadata.$model === of || (models?.isOf(twin.$metadata.$model, of) ?? false);
  const kinds: PredictionKind[] = [];
  if (wanted.has(PredictionKind.PROFIT) && isOf(DEMO_MODELS.engagement)) kinds.push(PredictionKind.PROFIT);
  if (wanted.has(PredictionKind.FAILURE_RISK) && isOf(DEMO_MODELS.device)) kinds.push(PredictionKind.FAILURE_RISK);
  return kinds;
}

export async function predictionUpdates(
  ctx: GraphContext,
  options: PredictionUpdateOptions,
): Promise<AsyncIterableIterator<PredictionUpdate>> {
  const analytics = analyticsOf(ctx);
  const ids = [...new Set(options.twinIds)];
  if (ids.length === 0 || ids.length > MAX_TWINS)
    throw new TwingraphError(
      'InvalidArgument',
      `predictionChanged watches 1 to ${MAX_TWINS} twins; got ${ids.length}.`,
    );
  if (!(options.horizonHours > 0))
    throw new TwingraphError('InvalidArgument', `horizonHours must be positive; got ${options.horizonHours}.`);
  const wanted = new Set(options.kinds?.length ? options.kinds : [PredictionKind.PROFIT, PredictionKind.FAILURE_RISK]);
  const twins = new Map<string, Twin>();
  // Subscribe before reading the twins: a change committed in between is then delivered, not lost.
  const changes = (
    await ctx.changes.subscribe({
      filter: (c) =>
        c.twinId !== undefined &&
        twins.has(c.twinId) &&
        (c.type.startsWith('Twin.') || c.type.startsWith('Relationship.') || c.type === 'Telemetry'),
    })
  )[Symbol.asyncIterator]();
  try {
    for (const id of ids) {
      const twin = await ctx.twins.get(id);
      if (!twin) throw twinNotFound(id);
      twins.set(id, twin);
    }
  } catch (error) {
    // Refused (or the read failed): let go of the change subscription before saying so.
    await changes.return?.().catch(() => undefined);
    throw error;
  }

  const queue = new UpdateQueue<PredictionUpdate>();
  const last = new Map<string, string>();
  let work: Promise<void> = Promise.resolve();
  /** Set when the subscriber ends the subscription: nothing is computed after it. */
  let stopped = false;

  /** Computes a prediction; sends it when `send` and it differs from the last one computed. Never rejects. */
  const compute = async (
    twin: Twin | undefined,
    kind: PredictionKind,
    cause: Cause,
    seq: number | null,
    send = true,
  ): Promise<void> => {
    // The twin was deleted since the computation was asked for, or the subscriber has gone: nothing to say.
    if (!twin || stopped) return;
    try {
      const update: PredictionUpdate = {
        twinId: twin.$dtId,
        kind,
        time: new Date().toISOString(),
        cause,
        seq,
        profit: null,
        failureRisk: null,
        error: null,
      };
      try {
        if (kind === PredictionKind.PROFIT) {
          const p = await analytics.engagementProfit(twin);
          update.profit = p ? profitValue(p) : null;
          if (!p)
            update.error = 'InsufficientData: the engagement lacks a budget, dates or an offering to predict from.';
        } else {
          update.failureRisk = failureRiskValue(await analytics.failureRisk(twin, options.horizonHours));
        }
      } catch (error) {
        update.error =
          error instanceof TwingraphError
            ? `${error.code}: ${error.message}`
            : `Internal: ${(error as Error)?.message ?? String(error)}`;
      }
      // Sent when what it says changed (not when only the time it was computed did).
      const key = `${twin.$dtId}\n${kind}`;
      const signature = JSON.stringify([
        update.profit && { ...update.profit, model: { ...update.profit.model, reason: '' } },
        update.failureRisk,
        update.error,
      ]);
      if (last.get(key) === signature || stopped) return;
      last.set(key, signature);
      if (send) queue.push(update);
    } catch (error) {
      logFailure(error);
    }
  };
  const schedule = (task: () => Promise<void>): void => {
    if (stopped) return;
    work = work.then(task).catch(logFailure);
  };

  for (const twin of twins.values()) {
    for (const kind of kindsOf(twin, wanted, ctx)) {
      // Without `initial`, the current value is the baseline later ones are compared with, not sent.
      schedule(() => compute(twin, kind, INITIAL, null, options.initial));
    }
  }

  // After a training of the profit model, every engagement's profit; after a change beside some engagements, theirs.
  const stopRetrain = analytics.onRetrain((_info, moved?: ProfitInputsMoved) => {
    for (const [id, twin] of twins) {
      if (moved && !moved.engagementIds.includes(id)) continue;
      if (!kindsOf(twin, wanted, ctx).includes(PredictionKind.PROFIT)) continue;
      // The twin is looked up when the computation runs: it may have changed, or gone, by then.
      schedule(() =>
        compute(
          twins.get(id),
          PredictionKind.PROFIT,
          moved ? (moved.cause as ChangeEntry['type']) : RETRAINED,
          moved ? moved.seq : null,
        ),
      );
    }
  });

  void (async () => {
    try {
      for (;;) {
        const result = await changes.next();
        if (result.done) break;
        const change: ChangeEntry = result.value;
        const id = change.twinId!;
        if (change.type === 'Twin.Delete') {
          twins.delete(id);
          continue;
        }
        if (change.type === 'Twin.Create' || change.type === 'Twin.Update') twins.set(id, change.body as Twin);
        const twin = twins.get(id);
        if (!twin) continue;
        for (const kind of kindsOf(twin, wanted, ctx)) {
          // Telemetry moves failure risk only; relationships and properties move both.
          if (change.type === 'Telemetry' && kind === PredictionKind.PROFIT) continue;
          schedule(() => compute(twins.get(id), kind, change.type, change.seq));
        }
      }
      stopRetrain();
      await work;
      queue.end();
    } catch (error) {
      // The feed ended the subscription (SlowConsumer, ChangesPruned): the subscriber is told.
      stopRetrain();
      await work;
      queue.end(error);
    }
  })();

  const iterator: AsyncIterableIterator<PredictionUpdate> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => queue.next(),
    return: async () => {
      stopped = true;
      stopRetrain();
      queue.end();
      await changes.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
