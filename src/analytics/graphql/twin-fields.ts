/**
 * The predictions on the demo's twins: KPIs and the predicted final profit on engagements, the failure risk
 * on devices. The types are the plugin's (prediction.types.ts); the numbers come from the analytics service.
 */
import { GraphQLFloat, GraphQLNonNull, type GraphQLObjectType } from 'graphql';
import { DEMO_MODELS } from '../../demo/models';
import { TwingraphError } from '../../errors';
import { analyticsOf } from './access';
import { failureRiskValue, kpisValue, profitValue } from './prediction.types';
import type { TwinFieldExtension } from '../../graphql/plugin';

function level(value: unknown): number {
  const n = value as number;
  if (!(n > 0 && n < 1))
    throw new TwingraphError('InvalidArgument', `level must be between 0 and 1 (e.g. 0.95); got ${n}.`);
  return n;
}

/**
 * What each prediction adds to the operation cost estimate (src/api/cost.ts), in nodes, per object it is
 * asked on: rough weights by kind of work (a forecast fits a model to weeks of points, a failure risk a
 * degradation curve; KPIs and profits come from cached peer groups), so that a page of forecasts costs
 * what a much larger page of twins does.
 */
export const COST = { kpis: 20, profit: 20, failureRisk: 200, forecast: 1000 } as const;

export const ANALYTICS_FIELDS: readonly TwinFieldExtension[] = [
  {
    modelId: DEMO_MODELS.engagement,
    fields: (core) => ({
      kpis: {
        type: new GraphQLNonNull(core.named<GraphQLObjectType>('EngagementKpis')),
        description:
          'Budget variance, revenue margin, duration, burn rate, and whether spend is anomalous next to the engagements of the same service line.',
        resolve: async (twin, _args, ctx) => kpisValue(await analyticsOf(ctx).engagementKpis(twin)),
        extensions: { cost: COST.kpis },
      },
      profitPrediction: {
        type: core.named<GraphQLObjectType>('ProfitPrediction'),
        description:
          "The final profit the profit model predicts, with its interval and the model's held-out error; null when the engagement lacks a budget, dates or an offering.",
        args: {
          level: {
            type: new GraphQLNonNull(GraphQLFloat),
            defaultValue: 0.95,
            description: 'The probability of the interval, between 0 and 1.',
          },
        },
        resolve: async (twin, args, ctx) => {
          const p = await analyticsOf(ctx).engagementProfit(twin, level(args.level));
          return p ? profitValue(p) : null;
        },
        extensions: { cost: COST.profit },
      },
    }),
  },
  {
    modelId: DEMO_MODELS.device,
    fields: (core) => ({
      failureRisk: {
        type: core.named<GraphQLObjectType>('FailureRisk'),
        description:
          'The probability that the device fails within the horizon, and the expected time to failure with its 95 % interval, as of its newest vibration reading.',
        args: {
          horizonHours: {
            type: new GraphQLNonNull(GraphQLFloat),
            defaultValue: 168,
            description: 'Hours ahead (default a week).',
          },
        },
        resolve: async (twin, args, ctx) =>
          failureRiskValue(await analyticsOf(ctx).failureRisk(twin, args.horizonHours as number)),
        extensions: { cost: COST.failureRisk },
      },
    }),
  },
];
