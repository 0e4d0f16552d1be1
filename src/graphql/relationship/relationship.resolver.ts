/**
 * The relationship's resolvers in the core schema: the fields of `Relationship` (with its source and target
 * twins), the `relationship(sourceId, id)` query, and the relationship writes. They translate arguments and
 * call the GraphContext; the rules are the services'.
 */
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { JsonObject, Relationship as StoreRelationship, Twin } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { JSONScalar } from '../scalars';
import { TwinInterface } from '../twin/twin.type';
import { relationshipGlobalId } from '../node/node.type';
import { DeleteResult, IF_MATCH, ifMatch, ifNoneMatch, JsonPatchOperation, toJsonPatch } from '../writes';
import { Relationship, relationshipFields } from './relationship.type';

@Resolver(() => Relationship)
export class RelationshipResolver {
  @FieldResolver(() => ID) id(@Root() r: StoreRelationship): string {
    return relationshipFields.id(r);
  }
  @FieldResolver(() => ID) relationshipId(@Root() r: StoreRelationship): string {
    return relationshipFields.relationshipId(r);
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

@Resolver()
export class RelationshipQueries {
  @Query(() => Relationship, {
    nullable: true,
    description: 'A relationship by its source twin and ADT id (node(id:) takes its global id instead).',
  })
  relationship(
    @Arg('sourceId', () => ID, { description: 'The twin it goes out from.' }) sourceId: string,
    @Arg('id', () => ID, { description: "ADT's $relationshipId (the relationshipId field)." }) id: string,
    @Ctx() ctx: GraphContext,
  ): Promise<StoreRelationship | undefined> {
    return ctx.twins.relationship(sourceId, id);
  }
}

@Resolver()
export class RelationshipMutations {
  @Mutation(() => Relationship, {
    description: "Creates (or replaces, unless ifNoneMatch) a relationship, validated against the source twin's model.",
  })
  createRelationship(
    @Ctx() ctx: GraphContext,
    @Arg('sourceId', () => ID, { description: 'The twin it goes out from.' }) sourceId: string,
    @Arg('id', () => ID, {
      nullable: true,
      description:
        "ADT's $relationshipId, unique among the source's relationships; defaults to <sourceId>-<name>-<targetId>.",
    })
    id: string | undefined,
    @Arg('name', () => String, { description: "The relationship's DTDL name in the source twin's model." })
    name: string,
    @Arg('targetId', () => ID, { description: 'The twin it points at.' }) targetId: string,
    @Arg('properties', () => JSONScalar, {
      nullable: true,
      description: "The relationship's own properties as ADT JSON (DTDL values).",
    })
    properties?: JsonObject,
    @Arg('ifNoneMatch', () => Boolean, {
      nullable: true,
      description:
        "true: create only (HTTP's If-None-Match: *, the only form ADT has): PreconditionFailed if it exists.",
    })
    only?: boolean,
  ): Promise<StoreRelationship> {
    return ctx.write.putRelationship(
      sourceId,
      id ?? `${sourceId}-${name}-${targetId}`,
      { ...(properties ?? {}), $targetId: targetId, $relationshipName: name },
      ifNoneMatch(only),
    );
  }

  @Mutation(() => Relationship, {
    description: "Applies a JSON Patch to a relationship's properties (values as ADT JSON: DTDL values).",
  })
  updateRelationship(
    @Ctx() ctx: GraphContext,
    @Arg('sourceId', () => ID, { description: 'The twin it goes out from.' }) sourceId: string,
    @Arg('id', () => ID, { description: "ADT's $relationshipId (the relationshipId field)." }) id: string,
    @Arg('patch', () => [JsonPatchOperation], { description: 'The operations, applied in order, all or none.' })
    patch: JsonPatchOperation[],
    @Arg('ifMatch', () => String, { nullable: true, description: IF_MATCH }) etag?: string,
  ): Promise<StoreRelationship> {
    return ctx.write.patchRelationship(sourceId, id, toJsonPatch(patch), ifMatch(etag));
  }

  @Mutation(() => DeleteResult, {
    description: 'Deletes a relationship; answers with its global (Node) id, to evict it from a client cache.',
  })
  async deleteRelationship(
    @Ctx() ctx: GraphContext,
    @Arg('sourceId', () => ID, { description: 'The twin it goes out from.' }) sourceId: string,
    @Arg('id', () => ID, { description: "ADT's $relationshipId (the relationshipId field)." }) id: string,
    @Arg('ifMatch', () => String, { nullable: true, description: IF_MATCH }) etag?: string,
  ): Promise<DeleteResult> {
    await ctx.write.deleteRelationship(sourceId, id, ifMatch(etag));
    return { id: relationshipGlobalId(sourceId, id), deleted: true };
  }
}
