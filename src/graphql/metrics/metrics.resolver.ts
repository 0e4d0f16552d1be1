/**
 * Telemetry's resolvers in the core schema: a series' newest point, its points in a range and its windowed
 * aggregates (read through the per-request metric reads, batched), and `recordMetrics`.
 */
import 'reflect-metadata';
import { Arg, Ctx, Extensions, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
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
  const range = Date.parse(String(args.to)) - Date.parse(String(args.from));
  if (!(range > 0)) return 1;
  let windowMs: number;
  try {
    windowMs = args.window ? durationMs(String(args.window)) : range;
  } catch {
    return 1;
  }
  return Math.min(10_000, Math.max(1, Math.ceil(range / windowMs)));
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
    @Arg('from', () => DateTimeScalar, { nullable: true }) from?: string,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('last', () => Int, { nullable: true }) last?: number,
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
      'Min, max, avg, sum, count and last per window of numeric points in [from, to); windows without points are left out.',
  })
  aggregate(
    @Root() s: SeriesValue,
    @Ctx() ctx: GraphContext,
    @Arg('from', () => DateTimeScalar) from: string,
    @Arg('to', () => DateTimeScalar) to: string,
    @Arg('window', () => DurationScalar, {
      nullable: true,
      description: 'Window length, e.g. PT1H; one window over the range when absent.',
    })
    window?: string,
  ): Promise<MetricBucket[]> {
    return ctx.metrics.aggregate(s, { from, to, ...(window && { windowMs: durationMs(window) }) });
  }
}

@Resolver()
export class MetricMutations {
  @Mutation(() => Int, {
    description: "Records telemetry points (validated against each twin's model) in one batch; returns how many.",
  })
  async recordMetrics(
    @Ctx() ctx: GraphContext,
    @Arg('points', () => [MetricPointInput]) points: MetricPointInput[],
  ): Promise<number> {
    const result = await ctx.write.recordMetrics(
      points.map((p) => ({ twinId: p.twinId, name: p.name, time: p.time, value: p.value as JsonValue })),
    );
    return result.points;
  }
}
