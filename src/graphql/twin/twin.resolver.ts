/**
 * The twin's resolvers in the core schema: the core fields of every twin (type-graphql gives them to the
 * `Twin` interface and to `UnmodeledTwin`; generated types resolve the same fields with `twinCoreFields`),
 * the `twin(id)` and `twins(where, orderBy, …)` queries, and the generic twin writes. They translate
 * arguments and call the GraphContext; the rules are the services'.
 */
import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { TwingraphError } from '../../errors';
import type { JsonObject, Relationship as StoreRelationship, Twin } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { connection, pageOf, type ConnectionValue } from '../paging';
import { Relationship } from '../relationship/relationship.type';
import { DateTimeScalar, JSONScalar } from '../scalars';
import { modelRefOf, schemaInfo } from '../schema-info';
import { PAGE_ARGS } from '../descriptions';
import { DeleteResult, IF_MATCH, ifMatch, ifNoneMatch, JsonPatchOperation, toJsonPatch } from '../writes';
import { TwinConnection, twinCoreFields, TwinInterface, TwinOrderBy, TwinWhere } from './twin.type';
import { twinOrder, twinWhereFilter } from './twin-where';

/** A component name as DTDL allows it, so that it can be a JSON Pointer segment as it is. */
const COMPONENT_NAME = /^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$/;

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
    @Arg('name', () => String, { nullable: true, description: 'Only relationships of this DTDL name.' }) name?: string,
  ): Promise<StoreRelationship[]> {
    return ctx.twins.relationships(t.$dtId, 'out', name ?? undefined);
  }
  @FieldResolver(() => [Relationship]) incomingRelationships(
    @Root() t: Twin,
    @Ctx() ctx: GraphContext,
    @Arg('name', () => String, { nullable: true, description: 'Only relationships of this DTDL name.' }) name?: string,
  ): Promise<StoreRelationship[]> {
    return ctx.twins.relationships(t.$dtId, 'in', name ?? undefined);
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

@Resolver()
export class TwinQueries {
  @Query(() => TwinInterface, { nullable: true, description: 'A twin by id, typed by its model.' })
  twin(
    @Arg('id', () => ID, { description: 'The twin id ($dtId).' }) id: string,
    @Ctx() ctx: GraphContext,
  ): Promise<Twin | undefined> {
    return ctx.twins.get(id);
  }

  @Query(() => TwinConnection, { description: 'Twins of any model: filter, sort and page.' })
  async twins(
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('where', () => TwinWhere, { nullable: true, description: 'Conditions on the twins.' }) where?: TwinWhere,
    @Arg('orderBy', () => [TwinOrderBy], { nullable: true, description: PAGE_ARGS.orderBy }) orderBy?: TwinOrderBy[],
    @Arg('first', () => Int, { nullable: true, description: PAGE_ARGS.first }) first?: number,
    @Arg('after', () => String, { nullable: true, description: PAGE_ARGS.after }) after?: string,
    @Arg('last', () => Int, { nullable: true, description: PAGE_ARGS.last }) last?: number,
    @Arg('before', () => String, { nullable: true, description: PAGE_ARGS.before }) before?: string,
  ): Promise<ConnectionValue<Twin>> {
    const filter = twinWhereFilter(where, modelRefOf(schemaInfo(info.schema)));
    const page = await ctx.twins.query({
      ...(filter && { where: filter }),
      orderBy: twinOrder(orderBy),
      ...pageOf({ first, after, last, before }),
    });
    return connection(
      page,
      async () =>
        (await ctx.twins.query({ ...(filter && { where: filter }), first: 0, totalCount: true })).totalCount ?? 0,
    );
  }
}

@Resolver()
export class TwinMutations {
  @Mutation(() => TwinInterface, {
    description:
      'Creates a twin of any model from its properties (ADT JSON without $metadata), or replaces it unless ifNoneMatch. ' +
      'Properties are ADT JSON: enums take their DTDL values ("blocked"), not the GraphQL enum names create<Model> takes.',
  })
  createTwin(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID, { description: 'The new twin id ($dtId).' }) id: string,
    @Arg('modelId', () => String, { description: "The model's full DTMI, e.g. dtmi:twingraph:demo:Device;1." })
    modelId: string,
    @Arg('properties', () => JSONScalar, {
      nullable: true,
      description: 'Its properties and components as ADT JSON (DTDL values).',
    })
    properties?: JsonObject,
    @Arg('ifNoneMatch', () => Boolean, {
      nullable: true,
      description:
        "true: create only (HTTP's If-None-Match: *, the only form ADT has): PreconditionFailed if the twin exists.",
    })
    only?: boolean,
  ): Promise<Twin> {
    return ctx.write.create(id, modelId, properties ?? {}, ifNoneMatch(only));
  }

  @Mutation(() => TwinInterface, {
    description:
      'Applies a JSON Patch to a twin (add, replace, remove), validated against its model. Values are ADT JSON: ' +
      'enums take their DTDL values ("blocked"), as change events carry them; update<Model> takes the GraphQL enum names instead.',
  })
  patchTwin(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID, { description: 'The twin id.' }) id: string,
    @Arg('patch', () => [JsonPatchOperation], { description: 'The operations, applied in order, all or none.' })
    patch: JsonPatchOperation[],
    @Arg('ifMatch', () => String, { nullable: true, description: IF_MATCH })
    etag?: string,
  ): Promise<Twin> {
    return ctx.write.patch(id, toJsonPatch(patch), ifMatch(etag));
  }

  @Mutation(() => TwinInterface, {
    description: "Applies a JSON Patch to one of a twin's components (paths relative to the component).",
  })
  updateComponent(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID, { description: 'The twin id.' }) id: string,
    @Arg('component', () => String, { description: "The component's DTDL name." }) component: string,
    @Arg('patch', () => [JsonPatchOperation], {
      description: 'The operations, paths relative to the component, values ADT JSON (DTDL values).',
    })
    patch: JsonPatchOperation[],
    @Arg('ifMatch', () => String, { nullable: true, description: IF_MATCH }) etag?: string,
  ): Promise<Twin> {
    if (!COMPONENT_NAME.test(component))
      throw new TwingraphError('InvalidArgument', `'${component}' is not a component name.`, { twinId: id });
    return ctx.write.patch(id, toJsonPatch(patch, `/${component}`), ifMatch(etag));
  }

  @Mutation(() => DeleteResult, {
    description: 'Deletes a twin; with cascade, its relationships too (otherwise RelationshipsNotDeleted).',
  })
  async deleteTwin(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID, { description: 'The twin id.' }) id: string,
    @Arg('ifMatch', () => String, { nullable: true, description: IF_MATCH }) etag?: string,
    @Arg('cascade', () => Boolean, {
      defaultValue: false,
      description: 'Delete its relationships (both ways) with it; without, a twin that has some is not deleted.',
    })
    cascade?: boolean,
  ): Promise<DeleteResult> {
    await ctx.write.delete(id, { ...ifMatch(etag), cascade });
    return { id, deleted: true };
  }
}
