/**
 * The core schema's resolvers: root fields that do not depend on the models (a twin by id, any twins, models,
 * the change log, generic writes, subscriptions) and the fields of the core types. They reach the layers
 * below only through the GraphContext.
 */
import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Schema } from '../../dtdl';
import { TwingraphError } from '../../errors';
import { changeFilter } from '../../events/filters';
import type { Filter, OrderBy } from '../../store/query';
import type {
  ChangeEntry,
  JsonObject,
  JsonValue,
  MetricBucket,
  MetricPoint as StoreMetricPoint,
  ModelRecord,
  Relationship as StoreRelationship,
  Twin,
} from '../../store/types';
import type { GraphContext } from '../graph-context';
import { durationMs } from '../metrics/duration';
import { allOf, logicalConditions, scalarConditions } from '../generate/filters';
import { DateTimeScalar, DurationScalar, JSONScalar, LongScalar } from '../scalars';
import { schemaInfo, type SchemaInfo } from '../schema-info';
import {
  Change,
  CommandInvocation,
  DeleteResult,
  JsonPatchOperation,
  MetricChange,
  MetricPoint,
  MetricPointInput,
  MetricSeries,
  MetricWindow,
  Model,
  ModelChange,
  ModelContent,
  ModelUploadResult,
  Relationship,
  RelationshipChange,
  TwinChange,
  TwinConnection,
  TwinInterface,
  TwinOrderBy,
  TwinWhere,
} from './types';
import { connection, relationshipFields, twinCoreFields, type ConnectionValue, type SeriesValue } from './values';

const DEFAULT_PAGE = 100;

/** The generic twin filter, translated to the store's representation. */
export function twinWhereFilter(where: TwinWhere | undefined | null): Filter | undefined {
  if (!where) return undefined;
  const conditions: Filter[] = [...logicalConditions(where, twinWhereFilter)];
  if (where.id) conditions.push(...scalarConditions(['$dtId'], where.id as Record<string, unknown>, 'id'));
  if (where.isOf) conditions.push({ ofModel: where.isOf });
  if (where.modelId) conditions.push({ ofModel: where.modelId, exact: true });
  for (const { path, ...operators } of where.properties ?? []) {
    conditions.push(...scalarConditions(path.split('.'), operators as Record<string, unknown>, path));
  }
  return allOf(conditions);
}

export function twinOrder(orderBy: TwinOrderBy[] | undefined | null): OrderBy[] {
  return (orderBy ?? []).map((o) => ({ path: o.path.split('.'), direction: o.direction }));
}

function modelsWithSubtypes(
  info: SchemaInfo | undefined,
  ids: readonly string[] | undefined | null,
): string[] | undefined {
  if (!ids || ids.length === 0) return undefined;
  const all = new Set<string>();
  for (const id of ids) {
    all.add(id);
    for (const d of info?.models.descendantsOf(id) ?? []) all.add(d);
  }
  return [...all];
}

/** A content's schema in DTDL terms: `double`, `point`, `TemperatureUnit`, `Enum`, a component's DTMI, …. */
function schemaLabel(schema: Schema | string | undefined): string | null {
  if (schema === undefined) return null;
  if (typeof schema === 'string') return schema;
  return schema.kind === 'primitive' || schema.kind === 'geospatial' || schema.kind === 'unitType'
    ? schema.name
    : schema.kind;
}

function languageText(text: unknown): string | null {
  if (typeof text === 'string') return text;
  if (text && typeof text === 'object') {
    const map = text as Record<string, string>;
    return map.en ?? Object.values(map)[0] ?? null;
  }
  return null;
}

/** The core fields of every twin; type-graphql gives them to the interface and to UnmodeledTwin. */
@Resolver(() => TwinInterface)
export class TwinFieldsResolver {
  @FieldResolver(() => ID) id(@Root() t: Twin): string {
    return twinCoreFields.id(t);
  }
  @FieldResolver(() => String) etag(@Root() t: Twin): string {
    return twinCoreFields.etag(t);
  }
  @FieldResolver(() => String) modelId(@Root() t: Twin): string {
    return twinCoreFields.modelId(t);
  }
  @FieldResolver(() => DateTimeScalar) lastUpdateTime(@Root() t: Twin): string {
    return twinCoreFields.lastUpdateTime(t);
  }
  @FieldResolver(() => JSONScalar) metadata(@Root() t: Twin): unknown {
    return twinCoreFields.metadata(t);
  }
  @FieldResolver(() => JSONScalar) json(@Root() t: Twin): unknown {
    return twinCoreFields.json(t);
  }
  @FieldResolver(() => [Relationship]) relationships(
    @Root() t: Twin,
    @Ctx() ctx: GraphContext,
    @Arg('name', () => String, { nullable: true }) name?: string,
  ): Promise<StoreRelationship[]> {
    return ctx.twins.relationships(t.$dtId, 'out', name ?? undefined);
  }
  @FieldResolver(() => [Relationship]) incomingRelationships(
    @Root() t: Twin,
    @Ctx() ctx: GraphContext,
    @Arg('name', () => String, { nullable: true }) name?: string,
  ): Promise<StoreRelationship[]> {
    return ctx.twins.relationships(t.$dtId, 'in', name ?? undefined);
  }
}

@Resolver(() => Relationship)
export class RelationshipResolver {
  @FieldResolver(() => ID) id(@Root() r: StoreRelationship): string {
    return relationshipFields.id(r);
  }
  @FieldResolver(() => String) name(@Root() r: StoreRelationship): string {
    return relationshipFields.name(r);
  }
  @FieldResolver(() => ID) sourceId(@Root() r: StoreRelationship): string {
    return relationshipFields.sourceId(r);
  }
  @FieldResolver(() => ID) targetId(@Root() r: StoreRelationship): string {
    return relationshipFields.targetId(r);
  }
  @FieldResolver(() => String) etag(@Root() r: StoreRelationship): string {
    return relationshipFields.etag(r);
  }
  @FieldResolver(() => JSONScalar) properties(@Root() r: StoreRelationship): unknown {
    return relationshipFields.properties(r);
  }
  @FieldResolver(() => JSONScalar) json(@Root() r: StoreRelationship): unknown {
    return relationshipFields.json(r);
  }
  @FieldResolver(() => TwinInterface, { nullable: true, description: 'The source twin.' })
  source(@Root() r: StoreRelationship, @Ctx() ctx: GraphContext): Promise<Twin | undefined> {
    return ctx.twins.get(r.$sourceId);
  }
  @FieldResolver(() => TwinInterface, { nullable: true, description: 'The target twin.' })
  target(@Root() r: StoreRelationship, @Ctx() ctx: GraphContext): Promise<Twin | undefined> {
    return ctx.twins.get(r.$targetId);
  }
}

@Resolver(() => TwinConnection)
export class TwinConnectionResolver {
  @FieldResolver(() => Int, { nullable: true }) totalCount(
    @Root() c: ConnectionValue<Twin>,
  ): Promise<number | null> | number | null {
    return c.totalCount();
  }
}

/**
 * The schema info that knows a model: the operation's own, or, for a model this very operation uploaded
 * (uploadModels answering with the new models), the newest one.
 */
function modelInfo(id: string, ctx: GraphContext, info: GraphQLResolveInfo): SchemaInfo | undefined {
  const own = schemaInfo(info.schema);
  return own?.models.interfaces.has(id) ? own : (ctx.models.newestInfo() ?? own);
}

@Resolver(() => Model)
export class ModelResolver {
  @FieldResolver(() => JSONScalar, { nullable: true }) displayName(@Root() m: ModelRecord): unknown {
    return m.displayName ?? null;
  }
  @FieldResolver(() => JSONScalar, { nullable: true }) description(@Root() m: ModelRecord): unknown {
    return m.description ?? null;
  }
  @FieldResolver(() => [String]) extends(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
  ): string[] {
    return [...(modelInfo(m.id, ctx, info)?.models.interfaces.get(m.id)?.extends ?? [])];
  }
  @FieldResolver(() => [String]) extendedBy(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
  ): string[] {
    return [...(modelInfo(m.id, ctx, info)?.models.descendantsOf(m.id) ?? [])];
  }
  @FieldResolver(() => String, { nullable: true }) graphqlType(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
  ): string | null {
    return modelInfo(m.id, ctx, info)?.names.get(m.id)?.interfaceType ?? null;
  }
  @FieldResolver(() => JSONScalar) dtdl(@Root() m: ModelRecord, @Ctx() ctx: GraphContext): Promise<unknown> | unknown {
    return m.definition ?? ctx.models.get(m.id).then((full) => full?.definition ?? null);
  }
  @FieldResolver(() => [ModelContent]) contents(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
  ): ModelContent[] {
    const si = modelInfo(m.id, ctx, info);
    const model = si?.models.interfaces.get(m.id);
    if (!model) return [];
    return [...model.contents.values()].map((c) => {
      const schema = 'schema' in c ? c.schema : undefined;
      return {
        name: c.name,
        kind: c.kind,
        definedIn: c.definedIn,
        schema: schemaLabel(schema),
        writable: 'writable' in c ? c.writable : null,
        unit: typeof c.supplementalProperties.unit === 'string' ? c.supplementalProperties.unit : null,
        semanticTypes: [...c.supplementalTypes],
        target: c.kind === 'Relationship' ? (c.target ?? null) : c.kind === 'Component' ? c.schema : null,
        graphqlField: si?.fieldOf(m.id, c.name) ?? null,
        displayName: languageText(c.displayName),
        description: languageText(c.description),
      };
    });
  }
}

@Resolver(() => MetricSeries)
export class MetricSeriesResolver {
  @FieldResolver(() => MetricPoint, { nullable: true, description: 'The newest point.' })
  latest(@Root() s: SeriesValue, @Ctx() ctx: GraphContext): Promise<StoreMetricPoint | undefined> {
    return ctx.metrics.latest(s);
  }

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
    return ctx.metrics.range(s, { from, to, limit: first ?? 1000 });
  }

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

function changeValue(change: ChangeEntry): Record<string, unknown> {
  return {
    ...change,
    modelId: change.modelId ?? null,
    twinId: change.twinId ?? null,
    relationshipId: change.relationshipId ?? null,
    patch: change.patch ?? null,
  };
}

function twinChangeValue(change: ChangeEntry): Record<string, unknown> {
  return { ...changeValue(change), twin: change.type === 'Twin.Delete' ? null : change.body };
}

function relationshipChangeValue(change: ChangeEntry): Record<string, unknown> {
  return { ...changeValue(change), relationship: change.type === 'Relationship.Delete' ? null : change.body };
}

function metricChangeValue(change: ChangeEntry): Record<string, unknown> {
  const body = change.body as { points?: unknown[] };
  return { ...changeValue(change), points: body.points ?? [] };
}

/**
 * A subscription's events, mapped to the value its payload type resolves from. A plain iterator rather than an
 * async generator: a generator's return() waits for the pending next() (the next matching change, which may
 * never come), so a client that leaves would hold its feed subscription forever; here return() reaches the
 * feed at once.
 */
async function mapped(
  source: Promise<AsyncIterable<ChangeEntry>>,
  map: (c: ChangeEntry) => Record<string, unknown>,
): Promise<AsyncIterableIterator<Record<string, unknown>>> {
  const changes = (await source)[Symbol.asyncIterator]();
  const iterator: AsyncIterableIterator<Record<string, unknown>> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      const result = await changes.next();
      return result.done ? { done: true, value: undefined } : { done: false, value: map(result.value) };
    },
    return: async () => {
      await changes.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}

@Resolver()
export class CoreQueries {
  @Query(() => TwinInterface, { nullable: true, description: 'A twin by id, typed by its model.' })
  twin(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphContext): Promise<Twin | undefined> {
    return ctx.twins.get(id);
  }

  @Query(() => TwinConnection, { description: 'Twins of any model: filter, sort and page.' })
  async twins(
    @Ctx() ctx: GraphContext,
    @Arg('where', () => TwinWhere, { nullable: true }) where?: TwinWhere,
    @Arg('orderBy', () => [TwinOrderBy], { nullable: true }) orderBy?: TwinOrderBy[],
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('last', () => Int, { nullable: true }) last?: number,
    @Arg('before', () => String, { nullable: true }) before?: string,
  ): Promise<ConnectionValue<Twin>> {
    const filter = twinWhereFilter(where);
    const query = { ...(filter && { where: filter }), orderBy: twinOrder(orderBy), first, after, last, before };
    const page = await ctx.twins.query(
      first === undefined && last === undefined ? { ...query, first: DEFAULT_PAGE } : query,
    );
    return connection(
      page,
      async () =>
        (await ctx.twins.query({ ...(filter && { where: filter }), first: 0, totalCount: true })).totalCount ?? 0,
    );
  }

  @Query(() => Relationship, { nullable: true, description: 'A relationship by its source twin and id.' })
  relationship(
    @Arg('sourceId', () => ID) sourceId: string,
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphContext,
  ): Promise<StoreRelationship | undefined> {
    return ctx.twins.relationship(sourceId, id);
  }

  @Query(() => [Model], { description: 'Every model, in upload order.' })
  models(
    @Ctx() ctx: GraphContext,
    @Arg('includeDecommissioned', () => Boolean, { defaultValue: true }) includeDecommissioned: boolean,
  ): Promise<ModelRecord[]> {
    return ctx.models.list().then((all) => (includeDecommissioned ? all : all.filter((m) => !m.decommissioned)));
  }

  @Query(() => Model, { nullable: true, description: 'A model by DTMI, with its DTDL and what extends it.' })
  model(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphContext): Promise<ModelRecord | undefined> {
    return ctx.models.get(id);
  }

  @Query(() => [Change], { description: 'The change log after a seq, oldest first.' })
  changes(
    @Ctx() ctx: GraphContext,
    @Arg('after', () => LongScalar, { defaultValue: 0 }) after: number,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
  ): Promise<Record<string, unknown>[]> {
    return ctx.changes.read(after, first).then((list) => list.map(changeValue));
  }
}

function ifNoneMatch(only: boolean | undefined | null): { ifNoneMatch?: '*' } {
  return only ? { ifNoneMatch: '*' } : {};
}

function ifMatch(etag: string | undefined | null): { ifMatch?: string } {
  return etag ? { ifMatch: etag } : {};
}

@Resolver()
export class CoreMutations {
  @Mutation(() => TwinInterface, {
    description:
      'Creates a twin of any model from its properties (ADT JSON without $metadata), or replaces it unless ifNoneMatch.',
  })
  createTwin(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID) id: string,
    @Arg('modelId', () => String) modelId: string,
    @Arg('properties', () => JSONScalar, { nullable: true }) properties?: JsonObject,
    @Arg('ifNoneMatch', () => Boolean, {
      nullable: true,
      description: 'Create only: fail with PreconditionFailed if the twin exists.',
    })
    only?: boolean,
  ): Promise<Twin> {
    return ctx.write.create(id, modelId, properties ?? {}, ifNoneMatch(only));
  }

  @Mutation(() => TwinInterface, {
    description: 'Applies a JSON Patch to a twin (add, replace, remove), validated against its model.',
  })
  patchTwin(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID) id: string,
    @Arg('patch', () => [JsonPatchOperation]) patch: JsonPatchOperation[],
    @Arg('ifMatch', () => String, {
      nullable: true,
      description: 'The etag you read: the write happens only if the twin is unchanged.',
    })
    etag?: string,
  ): Promise<Twin> {
    return ctx.write.patch(
      id,
      patch.map((p) => ({ op: p.op, path: p.path, ...(p.value !== undefined && { value: p.value as JsonValue }) })),
      ifMatch(etag),
    );
  }

  @Mutation(() => TwinInterface, {
    description: "Applies a JSON Patch to one of a twin's components (paths relative to the component).",
  })
  updateComponent(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID) id: string,
    @Arg('component', () => String) component: string,
    @Arg('patch', () => [JsonPatchOperation]) patch: JsonPatchOperation[],
    @Arg('ifMatch', () => String, { nullable: true }) etag?: string,
  ): Promise<Twin> {
    if (!/^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$/.test(component))
      throw new TwingraphError('InvalidArgument', `'${component}' is not a component name.`, { twinId: id });
    const prefixed = patch.map((p) => ({
      op: p.op,
      path: `/${component}${p.path}`,
      ...(p.value !== undefined && { value: p.value as JsonValue }),
    }));
    return ctx.write.patch(id, prefixed, ifMatch(etag));
  }

  @Mutation(() => DeleteResult, {
    description: 'Deletes a twin; with cascade, its relationships too (otherwise RelationshipsNotDeleted).',
  })
  async deleteTwin(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID) id: string,
    @Arg('ifMatch', () => String, { nullable: true }) etag?: string,
    @Arg('cascade', () => Boolean, { defaultValue: false }) cascade?: boolean,
  ): Promise<DeleteResult> {
    await ctx.write.delete(id, { ...ifMatch(etag), cascade });
    return { id, deleted: true };
  }

  @Mutation(() => Relationship, {
    description: "Creates (or replaces, unless ifNoneMatch) a relationship, validated against the source twin's model.",
  })
  createRelationship(
    @Ctx() ctx: GraphContext,
    @Arg('sourceId', () => ID) sourceId: string,
    @Arg('id', () => ID, { nullable: true, description: 'Defaults to <sourceId>-<name>-<targetId>.' })
    id: string | undefined,
    @Arg('name', () => String) name: string,
    @Arg('targetId', () => ID) targetId: string,
    @Arg('properties', () => JSONScalar, { nullable: true }) properties?: JsonObject,
    @Arg('ifNoneMatch', () => Boolean, { nullable: true }) only?: boolean,
  ): Promise<StoreRelationship> {
    return ctx.write.putRelationship(
      sourceId,
      id ?? `${sourceId}-${name}-${targetId}`,
      { ...(properties ?? {}), $targetId: targetId, $relationshipName: name },
      ifNoneMatch(only),
    );
  }

  @Mutation(() => Relationship, { description: "Applies a JSON Patch to a relationship's properties." })
  updateRelationship(
    @Ctx() ctx: GraphContext,
    @Arg('sourceId', () => ID) sourceId: string,
    @Arg('id', () => ID) id: string,
    @Arg('patch', () => [JsonPatchOperation]) patch: JsonPatchOperation[],
    @Arg('ifMatch', () => String, { nullable: true }) etag?: string,
  ): Promise<StoreRelationship> {
    return ctx.write.patchRelationship(
      sourceId,
      id,
      patch.map((p) => ({ op: p.op, path: p.path, ...(p.value !== undefined && { value: p.value as JsonValue }) })),
      ifMatch(etag),
    );
  }

  @Mutation(() => DeleteResult)
  async deleteRelationship(
    @Ctx() ctx: GraphContext,
    @Arg('sourceId', () => ID) sourceId: string,
    @Arg('id', () => ID) id: string,
    @Arg('ifMatch', () => String, { nullable: true }) etag?: string,
  ): Promise<DeleteResult> {
    await ctx.write.deleteRelationship(sourceId, id, ifMatch(etag));
    return { id, deleted: true };
  }

  @Mutation(() => Int, {
    description: "Records telemetry points (validated against each twin's model) in one batch; returns how many.",
  })
  async recordMetrics(
    @Ctx() ctx: GraphContext,
    @Arg('points', () => [MetricPointInput]) points: MetricPointInput[],
  ): Promise<number> {
    return (
      await ctx.write.recordMetrics(
        points.map((p) => ({ twinId: p.twinId, name: p.name, time: p.time, value: p.value as JsonValue })),
      )
    ).points;
  }

  @Mutation(() => ModelUploadResult, {
    description:
      'Validates DTDL interfaces (JSON documents or arrays of them) against the models already known, stores them and adds their types to the schema at once.',
  })
  async uploadModels(
    @Ctx() ctx: GraphContext,
    @Arg('documents', () => [JSONScalar]) documents: unknown[],
  ): Promise<{ models: ModelRecord[] }> {
    return {
      models: await ctx.modelAdmin.upload(documents.map((d) => (typeof d === 'string' ? d : JSON.stringify(d)))),
    };
  }

  @Mutation(() => Model, { description: 'Decommissions a model: its twins stay, new twins may not use it.' })
  decommissionModel(@Ctx() ctx: GraphContext, @Arg('id', () => ID) id: string): Promise<ModelRecord> {
    return ctx.modelAdmin.decommission(id);
  }

  @Mutation(() => DeleteResult, {
    description: 'Deletes a model that no other model extends or uses as a component; its twins stay, readable.',
  })
  async deleteModel(@Ctx() ctx: GraphContext, @Arg('id', () => ID) id: string): Promise<DeleteResult> {
    await ctx.modelAdmin.delete(id);
    return { id, deleted: true };
  }
}

@Resolver(() => CommandInvocation)
export class CommandInvocationResolver {
  @FieldResolver(() => JSONScalar, { nullable: true }) request(@Root() c: { request?: unknown }): unknown {
    return c.request ?? null;
  }
}

/** Subscription arguments every change subscription takes. */
const sinceDescription =
  'Replay every change after this seq before going live (resume after a disconnect with the last seq you received).';

@Resolver()
export class CoreSubscriptions {
  @Subscription(() => TwinChange, {
    description:
      'Twin creates, updates and deletes, optionally only of some models (their subtypes included), twins and property paths.',
    subscribe: ({ args, context, info }) =>
      mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter: changeFilter({
            types: ['Twin.'],
            modelIds: modelsWithSubtypes(schemaInfo(info.schema), args.models as string[] | null),
            twinIds: (args.ids as string[] | null) ?? undefined,
            paths: (args.paths as string[] | null) ?? undefined,
          }),
        }),
        twinChangeValue,
      ),
  })
  twinChanged(
    @Root() change: Record<string, unknown>,
    @Arg('models', () => [String], { nullable: true }) _models?: string[],
    @Arg('ids', () => [ID], { nullable: true }) _ids?: string[],
    @Arg('paths', () => [String], {
      nullable: true,
      description: 'JSON Pointers, e.g. /temperature: updates that touch them.',
    })
    _paths?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => RelationshipChange, {
    description:
      'Relationship creates, updates and deletes, optionally only from twins of some models or some twins, of some names.',
    subscribe: ({ args, context, info }) => {
      const names = args.names as string[] | null;
      const base = changeFilter({
        types: ['Relationship.'],
        modelIds: modelsWithSubtypes(schemaInfo(info.schema), args.models as string[] | null),
        twinIds: (args.twinIds as string[] | null) ?? undefined,
      });
      const filter = names?.length
        ? (c: ChangeEntry) => base(c) && names.includes((c.body as StoreRelationship).$relationshipName)
        : base;
      return mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter,
        }),
        relationshipChangeValue,
      );
    },
  })
  relationshipChanged(
    @Root() change: Record<string, unknown>,
    @Arg('models', () => [String], { nullable: true }) _models?: string[],
    @Arg('twinIds', () => [ID], { nullable: true, description: 'Source twins.' }) _twinIds?: string[],
    @Arg('names', () => [String], { nullable: true }) _names?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => MetricChange, {
    description: 'Telemetry points as they are recorded, optionally only of some models, twins and telemetry names.',
    subscribe: ({ args, context, info }) => {
      const names = args.names as string[] | null;
      const base = changeFilter({
        types: ['Telemetry'],
        modelIds: modelsWithSubtypes(schemaInfo(info.schema), args.models as string[] | null),
        twinIds: (args.twinIds as string[] | null) ?? undefined,
      });
      const filter = names?.length
        ? (c: ChangeEntry) =>
            base(c) && ((c.body as { points?: { name: string }[] }).points ?? []).some((p) => names.includes(p.name))
        : base;
      return mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter,
        }),
        (c) => {
          const value = metricChangeValue(c);
          return names?.length
            ? { ...value, points: (value.points as { name: string }[]).filter((p) => names.includes(p.name)) }
            : value;
        },
      );
    },
  })
  metricRecorded(
    @Root() change: Record<string, unknown>,
    @Arg('models', () => [String], { nullable: true }) _models?: string[],
    @Arg('twinIds', () => [ID], { nullable: true }) _twinIds?: string[],
    @Arg('names', () => [String], { nullable: true }) _names?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => ModelChange, {
    description: 'Models uploaded, decommissioned and deleted.',
    subscribe: ({ args, context }) =>
      mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter: changeFilter({ types: ['Model.'] }),
        }),
        changeValue,
      ),
  })
  modelChanged(
    @Root() change: Record<string, unknown>,
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => Change, {
    description:
      'Every committed change, including command invocations (type Command.Invoke), optionally only of some types or twins.',
    subscribe: ({ args, context }) =>
      mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter: changeFilter({
            types: (args.types as string[] | null) ?? undefined,
            twinIds: (args.twinIds as string[] | null) ?? undefined,
          } as Parameters<typeof changeFilter>[0]),
        }),
        changeValue,
      ),
  })
  changed(
    @Root() change: Record<string, unknown>,
    @Arg('types', () => [String], { nullable: true, description: 'Types or prefixes such as Twin. or Command.Invoke.' })
    _types?: string[],
    @Arg('twinIds', () => [ID], { nullable: true }) _twinIds?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }
}

export const CORE_RESOLVERS = [
  TwinFieldsResolver,
  RelationshipResolver,
  TwinConnectionResolver,
  ModelResolver,
  MetricSeriesResolver,
  CommandInvocationResolver,
  CoreQueries,
  CoreMutations,
  CoreSubscriptions,
] as const;
