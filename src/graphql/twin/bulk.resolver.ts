/**
 * The batch mutations for integrations and imports: `patchTwins`, `upsertTwins` and `upsertRelationships`
 * take up to 1,000 items each (services/batch-errors.ts: MAX_BATCH_ITEMS) and write them in one transaction,
 * all or nothing. Each item carries its own conditions (ifMatch, ifNoneMatch). When any item is refused,
 * nothing is written and the one error lists every refused item by index, each with its own ADT code
 * (`extensions.items`); the rules are the services' (services/twin-batches.ts), as for the single writes.
 * The cost estimate counts one object per item (`listSize`), so the caller's budget pays for what it writes.
 *
 * Each mutation is answered from its list as graphql-js coerced it (`plainList`): plain objects, every field
 * already checked against its input type. type-graphql would first copy each of a thousand items into an
 * instance of its input class (and each patch operation into another), a twentieth of a batch's time, for
 * nothing the services read.
 */
import 'reflect-metadata';
import {
  Arg,
  Ctx,
  Extensions,
  Field,
  ID,
  InputType,
  type MiddlewareFn,
  Mutation,
  Resolver,
  UseMiddleware,
} from 'type-graphql';
import type { JsonObject, Relationship as StoreRelationship, Twin } from '../../store/types';
import { listSize } from '../cost-hints';
import type { GraphContext } from '../graph-context';
import { Relationship } from '../relationship/relationship.type';
import { JSONScalar } from '../scalars';
import { IF_MATCH, ifMatch, ifNoneMatch, JsonPatchOperation, toJsonPatch } from '../writes';
import { TwinInterface } from './twin.type';

const IF_NONE_MATCH =
  "true: create only (HTTP's If-None-Match: *, the only form ADT has): PreconditionFailed if it exists.";

@InputType('TwinPatchInput', { description: 'One twin of patchTwins: its JSON Patch and its own condition.' })
export class TwinPatchInput {
  @Field(() => ID, { description: 'The twin id.' }) id!: string;
  @Field(() => [JsonPatchOperation], { description: 'The operations, applied in order (values as ADT JSON).' })
  patch!: JsonPatchOperation[];
  @Field(() => String, { nullable: true, description: IF_MATCH }) ifMatch?: string;
}

@InputType('TwinUpsertInput', {
  description: "One twin of upsertTwins: ADT's PUT of a twin (created, or replaced whole) and its own conditions.",
})
export class TwinUpsertInput {
  @Field(() => ID, { description: 'The twin id ($dtId).' }) id!: string;
  @Field(() => String, { description: "The model's full DTMI, e.g. dtmi:twingraph:demo:Device;1." }) modelId!: string;
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Its properties and components as ADT JSON (DTDL values); components left out are created empty.',
  })
  properties?: JsonObject;
  @Field(() => Boolean, { nullable: true, description: IF_NONE_MATCH }) ifNoneMatch?: boolean;
  @Field(() => String, { nullable: true, description: `Replace only: ${IF_MATCH}` }) ifMatch?: string;
}

@InputType('RelationshipUpsertInput', {
  description: "One relationship of upsertRelationships: ADT's PUT of a relationship and its own conditions.",
})
export class RelationshipUpsertInput {
  @Field(() => ID, { description: 'The twin it goes out from.' }) sourceId!: string;
  @Field(() => ID, {
    nullable: true,
    description:
      "ADT's $relationshipId, unique among the source's relationships; defaults to <sourceId>-<name>-<targetId>.",
  })
  id?: string;
  @Field(() => String, { description: "The relationship's DTDL name in the source twin's model." }) name!: string;
  @Field(() => ID, { description: 'The twin it points at.' }) targetId!: string;
  @Field(() => JSONScalar, { nullable: true, description: "The relationship's own properties as ADT JSON." })
  properties?: JsonObject;
  @Field(() => Boolean, { nullable: true, description: IF_NONE_MATCH }) ifNoneMatch?: boolean;
  @Field(() => String, { nullable: true, description: `Replace only: ${IF_MATCH}` }) ifMatch?: string;
}

/** The list argument's length: what the estimate counts the returned list as. */
const itemsOf =
  (argument: string) =>
  (args: Record<string, unknown>): number =>
    Array.isArray(args[argument]) ? (args[argument] as unknown[]).length : 1;

const ALL_OR_NOTHING =
  'One transaction, all or nothing: when any item is refused nothing is written, and the error lists every refused item ' +
  '(extensions.items: index, code, message, ids). At most 1,000 items (LimitExceeded beyond).';

/**
 * Runs `write` with the list argument as graphql-js coerced it, instead of the field's method: a middleware
 * that never calls `next`, which is where type-graphql converts the arguments into class instances. The
 * method calls the same `write` (with the converted list) and declares the field; it runs only if this
 * middleware is not applied.
 */
function plainList<T>(
  argument: string,
  write: (ctx: GraphContext, items: readonly T[]) => Promise<unknown>,
): MiddlewareFn<GraphContext> {
  return ({ context, args }) => write(context, args[argument] as T[]);
}

function patchTwins(ctx: GraphContext, operations: readonly TwinPatchInput[]): Promise<Twin[]> {
  return ctx.write.patchTwins(
    operations.map((o) =>
      // ifMatch(…) spelled out: no object made to be spread, a thousand times a batch.
      typeof o.ifMatch === 'string'
        ? { id: o.id, patch: toJsonPatch(o.patch), ifMatch: o.ifMatch }
        : { id: o.id, patch: toJsonPatch(o.patch) },
    ),
  );
}

function upsertTwins(ctx: GraphContext, twins: readonly TwinUpsertInput[]): Promise<Twin[]> {
  return ctx.write.upsertTwins(
    twins.map((t) => ({
      id: t.id,
      // Properties that are not an object are passed as they are, for the service to refuse with the item.
      twin: isObject(t.properties ?? {})
        ? { ...t.properties, $metadata: { ...metadataOf(t.properties), $model: t.modelId } }
        : (t.properties as never),
      ...ifMatch(t.ifMatch),
      ...ifNoneMatch(t.ifNoneMatch),
    })),
  );
}

function upsertRelationships(
  ctx: GraphContext,
  relationships: readonly RelationshipUpsertInput[],
): Promise<StoreRelationship[]> {
  return ctx.write.upsertRelationships(
    relationships.map((r) => ({
      sourceId: r.sourceId,
      relationshipId: r.id ?? `${r.sourceId}-${r.name}-${r.targetId}`,
      relationship: isObject(r.properties ?? {})
        ? { ...r.properties, $targetId: r.targetId, $relationshipName: r.name }
        : (r.properties as never),
      ...ifMatch(r.ifMatch),
      ...ifNoneMatch(r.ifNoneMatch),
    })),
  );
}

@Resolver()
export class BulkMutations {
  @Mutation(() => [TwinInterface], {
    description:
      'Applies JSON Patches to many twins (each twin once, each patch validated against its model), and answers the ' +
      `twins in the order given. ${ALL_OR_NOTHING}`,
  })
  @Extensions(listSize(itemsOf('operations')))
  @UseMiddleware(plainList('operations', patchTwins))
  patchTwins(
    @Ctx() ctx: GraphContext,
    @Arg('operations', () => [TwinPatchInput], { description: 'One patch per twin.' }) operations: TwinPatchInput[],
  ): Promise<Twin[]> {
    return patchTwins(ctx, operations);
  }

  @Mutation(() => [TwinInterface], {
    description:
      'Creates or replaces many twins (each validated against its model), and answers them in the order given. ' +
      ALL_OR_NOTHING,
  })
  @Extensions(listSize(itemsOf('twins')))
  @UseMiddleware(plainList('twins', upsertTwins))
  upsertTwins(
    @Ctx() ctx: GraphContext,
    @Arg('twins', () => [TwinUpsertInput], { description: 'The twins, each once.' }) twins: TwinUpsertInput[],
  ): Promise<Twin[]> {
    return upsertTwins(ctx, twins);
  }

  @Mutation(() => [Relationship], {
    description:
      "Creates or replaces many relationships (each validated against its source's and target's models), and answers " +
      `them in the order given. ${ALL_OR_NOTHING}`,
  })
  @Extensions(listSize(itemsOf('relationships')))
  @UseMiddleware(plainList('relationships', upsertRelationships))
  upsertRelationships(
    @Ctx() ctx: GraphContext,
    @Arg('relationships', () => [RelationshipUpsertInput], { description: 'The relationships, each once.' })
    relationships: RelationshipUpsertInput[],
  ): Promise<StoreRelationship[]> {
    return upsertRelationships(ctx, relationships);
  }
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The `$metadata` a body gives (per-property sourceTimes), if it is an object. */
function metadataOf(properties: JsonObject | undefined): JsonObject {
  return isObject(properties?.$metadata) ? properties.$metadata : {};
}
