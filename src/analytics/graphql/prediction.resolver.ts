/**
 * The predictions' root fields — the profit model (`predictProfit`, `profitModel`, `retrainProfitModel`) and
 * the `predictionChanged` subscription — and the forecast of every metric series (`MetricSeries.forecast`, a
 * field the plugin adds to the core type). They read the analytics service through the request's context.
 */
import 'reflect-metadata';
import { GraphQLFloat, GraphQLInt, GraphQLNonNull, type GraphQLFieldConfigMap, type GraphQLObjectType } from 'graphql';
import {
  Arg,
  Ctx,
  Extensions,
  FieldResolver,
  Float,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { ChangeType } from '../../graphql/changes/change-type';
import { needsRole } from '../../graphql/access';
import { COST } from './twin-fields';
import { TwingraphError } from '../../errors';
import type { CoreTypes } from '../../graphql/generate/schema-types';
import type { GraphContext } from '../../graphql/graph-context';
import type { SeriesValue } from '../../graphql/metrics/metrics.type';
import { analyticsOf } from './access';
import { predictionUpdates } from './prediction-updates';
import {
  causeOf,
  forecastValue,
  PredictionCause,
  PredictionKind,
  PredictionUpdate,
  ProfitInput,
  ProfitModel,
  ProfitPrediction,
  profitModelValue,
  profitValue,
} from './prediction.types';

function checkLevel(level: number): number {
  if (!(level > 0 && level < 1))
    throw new TwingraphError('InvalidArgument', `level must be between 0 and 1 (e.g. 0.95); got ${level}.`);
  return level;
}

/** `MetricSeries.forecast`: graphql-js, because type-graphql would put the field on MetricSeries in every schema. */
export function metricSeriesFields(core: CoreTypes): GraphQLFieldConfigMap<unknown, GraphContext> {
  return {
    forecast: {
      type: new GraphQLNonNull(core.named<GraphQLObjectType>('MetricForecast')),
      description:
        'Forecast of a numeric series: `horizon` steps at its typical spacing after its newest point, with an interval at `level`.',
      args: {
        horizon: { type: new GraphQLNonNull(GraphQLInt), description: 'Steps ahead, 1 to 1000.' },
        level: {
          type: new GraphQLNonNull(GraphQLFloat),
          defaultValue: 0.95,
          description: 'The probability of the intervals, between 0 and 1.',
        },
        before: {
          type: core.named('DateTime'),
          description: 'Forecast from the points before this time only (to check a forecast against what came after).',
        },
      },
      extensions: { cost: COST.forecast },
      resolve: async (root, args, ctx) => {
        const s = root as SeriesValue;
        const level = checkLevel(args.level as number);
        const before = (args.before as string | null) ?? undefined;
        const forecast = await analyticsOf(ctx).forecast(
          { twinId: s.twinId, name: s.name },
          args.horizon as number,
          level,
          before,
        );
        return forecastValue(forecast);
      },
    },
  };
}

@Resolver()
export class PredictionQueries {
  @Query(() => ProfitPrediction, {
    description: 'The final profit the profit model predicts for a hypothetical engagement.',
  })
  async predictProfit(
    @Ctx() ctx: GraphContext,
    @Arg('input', () => ProfitInput, { description: 'The engagement to predict for.' }) input: ProfitInput,
    @Arg('level', () => Float, {
      defaultValue: 0.95,
      description: 'The probability of the interval, between 0 and 1.',
    })
    level: number,
  ): Promise<ProfitPrediction> {
    const features = {
      budget: input.budget,
      durationDays: input.durationDays,
      offering: input.offering,
      industry: input.industry ?? null,
      leadRole: input.leadRole ?? null,
    };
    const { prediction, model } = await analyticsOf(ctx).predictProfit(features, checkLevel(level));
    return profitValue({ ...prediction, features, model });
  }

  @Query(() => ProfitModel, { description: 'The profit model as trained now (trained on first use).' })
  async profitModel(@Ctx() ctx: GraphContext): Promise<ProfitModel> {
    return profitModelValue(await analyticsOf(ctx).profitModel());
  }

  @Extensions(needsRole('admin'))
  @Mutation(() => ProfitModel, {
    description:
      'Trains the profit model again on the closed engagements there are now (it also retrains by itself once 10 more have closed).',
  })
  async retrainProfitModel(@Ctx() ctx: GraphContext): Promise<ProfitModel> {
    return profitModelValue(await analyticsOf(ctx).retrainProfitModel());
  }
}

@Resolver()
export class PredictionSubscriptions {
  @Subscription(() => PredictionUpdate, {
    description:
      'Predictions of some twins as they change: first the current one of each (unless initial: false), then a new one whenever a change to the twin, ' +
      'its telemetry or a retraining moves it. Engagements have PROFIT, devices FAILURE_RISK.',
    subscribe: ({ args, context }) =>
      predictionUpdates(context as GraphContext, {
        twinIds: args.twinIds as string[],
        kinds: (args.kinds as PredictionKind[] | null) ?? undefined,
        horizonHours: args.horizonHours as number,
        initial: args.initial as boolean,
      }),
  })
  predictionChanged(
    @Root() update: PredictionUpdate,
    @Arg('twinIds', () => [ID], { description: '1 to 100 twins.' }) _twinIds: string[],
    @Arg('kinds', () => [PredictionKind], {
      nullable: true,
      description: 'Only these predictions (default: every one the twins have).',
    })
    _kinds?: PredictionKind[],
    @Arg('horizonHours', () => Float, { defaultValue: 168, description: 'The failure-risk horizon.' })
    _horizonHours?: number,
    @Arg('initial', () => Boolean, { defaultValue: true, description: 'Send the current predictions first.' })
    _initial?: boolean,
  ): PredictionUpdate {
    return update;
  }
}

@Resolver(() => PredictionUpdate)
export class PredictionUpdateResolver {
  @FieldResolver(() => PredictionCause, { description: 'Why it was sent: INITIAL, a CHANGE, or RETRAINED.' })
  cause(@Root() update: PredictionUpdate): PredictionCause {
    return causeOf(update.cause).cause;
  }

  @FieldResolver(() => ChangeType, {
    nullable: true,
    description: 'For a CHANGE: the type of the change that moved it (its seq is in seq).',
  })
  changeType(@Root() update: PredictionUpdate): string | null {
    return causeOf(update.cause).changeType;
  }
}

export const PREDICTION_RESOLVERS = [PredictionQueries, PredictionSubscriptions, PredictionUpdateResolver] as const;
