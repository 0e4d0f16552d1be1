/**
 * Telemetry's resolvers in the core schema: a series' newest point, its points in a range and its windowed
 * aggregates (read through the per-request metric reads, batched), and `recordMetrics`.
 */
import 'reflect-metadata';
import { Arg, Ctx, Extensions, FieldResolver, Float, Int, Mutation, Resolver, Root } from 'type-graphql';
import { TwingraphError } from '../../errors';
import type { JsonValue, MetricBucket, MetricPoint as StoreMetricPoint } from '../../store/types';
import { listSize } from '../cost-hints';
import type { GraphContext } from '../graph-context';
import { DateTimeScalar, DurationScalar } from '../scalars';
import { durationMs } from './duration';
import { MetricPoint, MetricPointInput, MetricSeries, MetricWindow, type SeriesValue } from './metrics.type';

/** Points one `points` read returns when the client gives neither `first` nor `last`. */
const DEFAULT_POINTS = 1000;

/** How many windows an aggregate may return: one per window length in the range (at most 10,000 counted). */
function windowCount(args: Record<string, unknown>): number {
  let range: number;
  let windowMs: number;
  try {
    range = args.period ? durationMs(String(args.period)) : Date.parse(String(args.to)) - Date.parse(String(args.from));
    if (!(range > 0)) return 1;
    windowMs = args.window ? durationMs(String(args.window)) : range;
  } catch {
    return 1;
  }
  return Math.min(10_000, Math.max(1, Math.ceil(range / windowMs)));
}

/**
 * The range of an aggregate asked for by `period` rather than by `from` and `to`: the period that ends with the
 * window holding the series' newest point (windows counted from 1970-01-01T00:00Z, so a day is a UTC day), so
 * that a query keeps showing the newest data whenever it runs, on a demo seeded today or a month ago.
 */
async function periodRange(
  s: SeriesValue,
  ctx: GraphContext,
  period: string,
  windowMs: number | undefined,
): Promise<{ from: string; to: string } | undefined> {
  const newest = await ctx.metrics.latest(s);
  if (!newest) return undefined;
  const periodMs = durationMs(period);
  const step = windowMs ?? periodMs;
  const end = Math.floor(Date.parse(newest.time) / step) * step + step;
  return { from: new Date(end - periodMs).toISOString(), to: new Date(end).toISOString() };
}

@Resolver(() => MetricSeries)
export class MetricSeriesResolver {
  @FieldResolver(() => MetricPoint, { nullable: true, description: 'The newest point.' })
  latest(@Root() s: SeriesValue, @Ctx() ctx: GraphContext): Promise<StoreMetricPoint | undefined> {
    return ctx.metrics.latest(s);
  }

  @Extensions(listSize((args) => Number(args.first ?? args.last ?? DEFAULT_POINTS)))
  @FieldResolver(() => [MetricPoint], {
    description: 'Points in [from, to), oldest first; `last: n` gives the newest n instead.',
  })
  points(
    @Root() s: SeriesValue,
    @Ctx() ctx: GraphContext,
    @Arg('from', () => DateTimeScalar, { nullable: true, description: 'Points at or after this time.' }) from?: string,
    @Arg('to', () => DateTimeScalar, { nullable: true, description: 'Points before this time.' }) to?: string,
    @Arg('first', () => Int, { nullable: true, description: `The oldest n (default ${DEFAULT_POINTS}).` })
    first?: number,
    @Arg('last', () => Int, { nullable: true, description: 'The newest n instead, still oldest first.' })
    last?: number,
  ): Promise<StoreMetricPoint[]> {
    if (first !== undefined && last !== undefined)
      throw new TwingraphError('InvalidArgument', "Use 'first' or 'last', not both.");
    if (last !== undefined)
      return ctx.metrics.range(s, { from, to, limit: last, descending: true }).then((p) => p.reverse());
    return ctx.metrics.range(s, { from, to, limit: first ?? DEFAULT_POINTS });
  }

  @Extensions(listSize(windowCount))
  @FieldResolver(() => [MetricWindow], {
    description:
      'Min, max, avg, sum, count and last per window of numeric points in [from, to), or in the `period` up to the newest point; windows without points are left out.',
  })
  async aggregate(
    @Root() s: SeriesValue,
    @Ctx() ctx: GraphContext,
    @Arg('from', () => DateTimeScalar, {
      nullable: true,
      description: 'The start of the range (windows start here); give from and to, or period.',
    })
    from?: string,
    @Arg('to', () => DateTimeScalar, { nullable: true, description: 'The end of the range (excluded).' }) to?: string,
    @Arg('window', () => DurationScalar, {
      nullable: true,
      description: 'Window length, e.g. PT1H; one window over the range when absent.',
    })
    window?: string,
    @Arg('period', () => DurationScalar, {
      nullable: true,
      description:
        'Instead of from and to: this long a range, ending with the window that holds the newest point (e.g. P7D with window P1D: the last 7 UTC days with data).',
    })
    period?: string,
  ): Promise<MetricBucket[]> {
    const windowMs = window ? durationMs(window) : undefined;
    if (period != null) {
      if (from != null || to != null)
        throw new TwingraphError('InvalidArgument', "Give 'period', or 'from' and 'to', not both.");
      const range = await periodRange(s, ctx, period, windowMs);
      return range ? ctx.metrics.aggregate(s, { ...range, ...(windowMs && { windowMs }) }) : [];
    }
    if (from == null || to == null) throw new TwingraphError('InvalidArgument', "Give 'from' and 'to', or 'period'.");
    return ctx.metrics.aggregate(s, { from, to, ...(windowMs && { windowMs }) });
  }
}

@Resolver(() => MetricPoint)
export class MetricPointResolver {
  @FieldResolver(() => Float, {
    nullable: true,
    description: 'The value when it is a number (numeric telemetry, typed for clients); null otherwise.',
  })
  numericValue(@Root() p: StoreMetricPoint): number | null {
    return typeof p.value === 'number' ? p.value : null;
  }
}

@Resolver()
export class MetricMutations {
  @Mutation(() => Int, {
    description: "Records telemetry points (validated against each twin's model) in one batch; returns how many.",
  })
  async recordMetrics(
    @Ctx() ctx: GraphContext,
    @Arg('points', () => [MetricPointInput], { description: 'The points, of any twins and telemetry.' })
    points: MetricPointInput[],
  ): Promise<number> {
    // One time for the whole batch when left out: the points of one call were measured together.
    const now = new Date().toISOString();
    const result = await ctx.write.recordMetrics(
      points.map((p) => ({ twinId: p.twinId, name: p.name, time: p.time ?? now, value: p.value as JsonValue })),
    );
    return result.points;
  }
}
