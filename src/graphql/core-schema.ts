/**
 * The core schema: built once from the type-graphql classes, then merged with each model set's generated
 * types (../index.ts). Its type objects are shared by every schema built from it.
 */
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { ANALYTICS_RESOLVERS, EngagementKpis, FailureRisk, ProfitPrediction } from '../analytics/graphql/predictions';
import { MIRROR_RESOLVERS } from '../mirror/graphql';
import { CORE_RESOLVERS } from './core/resolvers';
import {
  BooleanFilter,
  CommandInvocation,
  DateTimeFilter,
  MetricSeries,
  FloatFilter,
  IDFilter,
  IntFilter,
  LongFilter,
  StringFilter,
  UnmodeledTwin,
} from './core/types';

let built: GraphQLSchema | undefined;

export function coreSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [...CORE_RESOLVERS, ...ANALYTICS_RESOLVERS, ...MIRROR_RESOLVERS],
    // Types the generated part uses (filters, command results) though no core field does.
    orphanedTypes: [
      EngagementKpis,
      ProfitPrediction,
      FailureRisk,
      UnmodeledTwin,
      CommandInvocation,
      MetricSeries,
      StringFilter,
      IDFilter,
      FloatFilter,
      IntFilter,
      LongFilter,
      BooleanFilter,
      DateTimeFilter,
    ],
    validate: false,
    // Every subscription here brings its own `subscribe` (the change feed); type-graphql still wants a PubSub.
    pubSub: {
      publish: () => {
        throw new Error('Twingraph subscriptions read the change feed; nothing publishes to a PubSub.');
      },
      subscribe: () => {
        throw new Error('Twingraph subscriptions read the change feed; nothing subscribes to a PubSub.');
      },
    },
  });
  return built;
}
