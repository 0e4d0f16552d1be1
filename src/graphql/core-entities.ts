/**
 * The core entities of the schema, gathered for core-schema.ts: each entity's folder holds its type-graphql
 * types beside its resolvers (twin/, relationship/, model/, metrics/, changes/), and this module lists the
 * resolver classes and the types the generated part needs though no core field reaches them. The resolvers
 * are imported in the order their root fields appear in the schema (twins, relationships, telemetry, models,
 * the change log): type-graphql lists root fields in the order their classes are declared.
 */
import type { GraphQLTypeResolver } from 'graphql';
import { TwinConnectionResolver, TwinFieldsResolver, TwinMutations, TwinQueries } from './twin/twin.resolver';
import { RelationshipMutations, RelationshipQueries, RelationshipResolver } from './relationship/relationship.resolver';
import { BulkMutations } from './twin/bulk.resolver';
import { MetricMutations, MetricPointResolver, MetricSeriesResolver } from './metrics/metrics.resolver';
import { ModelMutations, ModelQueries, ModelResolver } from './model/model.resolver';
import { NodeQueries } from './node/node.resolver';
import { ChangeQueries, ChangeSubscriptions, CommandInvocationResolver } from './changes/changes.resolver';
import { CommandInvocation } from './changes/changes.type';
import {
  BooleanFilter,
  DateTimeFilter,
  FloatFilter,
  IDFilter,
  IntFilter,
  LongFilter,
  StringFilter,
} from './filter-inputs';
import { MetricSeries } from './metrics/metrics.type';
import { UnmodeledTwin } from './twin/twin.type';
import { resolveNodeType } from './node/node.type';
import { resolveTwinType } from './schema-info';

export const CORE_RESOLVERS = [
  TwinFieldsResolver,
  TwinConnectionResolver,
  TwinQueries,
  TwinMutations,
  RelationshipResolver,
  RelationshipQueries,
  RelationshipMutations,
  BulkMutations,
  MetricSeriesResolver,
  MetricPointResolver,
  MetricMutations,
  ModelResolver,
  ModelQueries,
  ModelMutations,
  CommandInvocationResolver,
  ChangeQueries,
  ChangeSubscriptions,
  NodeQueries,
] as const;

/**
 * Types the generated part uses though no core field does: twins of unknown models, command results, the
 * telemetry series, and the per-scalar filters of every `<Model>Where`.
 */
export const CORE_ORPHAN_TYPES = [
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
] as const;

/**
 * The core interfaces' type resolvers, by interface name: synchronous, each answering a type name (see
 * core-schema.ts, which puts them back in place of type-graphql's asynchronous wrappers).
 */
export const CORE_TYPE_RESOLVERS: Readonly<Record<string, GraphQLTypeResolver<unknown, unknown>>> = {
  Twin: resolveTwinType,
  Node: resolveNodeType,
};
