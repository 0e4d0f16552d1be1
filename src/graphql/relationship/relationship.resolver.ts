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
import { DeleteResult, ifMatch, ifNoneMatch, JsonPatchOperation, toJsonPatch } from '../writes';
import { Relationship, relationshipFields } from './relationship.type';

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

@Resolver()
export class RelationshipQueries {
  @Query(() => Relationship, { nullable: true, description: 'A relationship by its source twin and id.' })
  relationship(
    @Arg('sourceId', () => ID) sourceId: string,
    @Arg('id', () => ID) id: string,
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
    return ctx.write.patchRelationship(sourceId, id, toJsonPatch(patch), ifMatch(etag));
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
}
