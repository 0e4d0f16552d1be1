/**
 * The `node(id)` and `nodes(ids)` root fields of Relay's Global Object Identification (see node.type.ts for
 * the ids): a client cache refetches any object it holds by its id alone. A lookup tries a twin first, then a
 * relationship, then a model; an id that names nothing answers null, as Relay expects.
 */
import 'reflect-metadata';
import { Arg, Ctx, Extensions, ID, Query, Resolver } from 'type-graphql';
import { parseDtmi } from '../../dtdl/dtmi';
import { TwingraphError } from '../../errors';
import { MAX_PAGE_SIZE } from '../../store/query';
import { listSize } from '../cost-hints';
import type { GraphContext } from '../graph-context';
import { Node, relationshipIdCandidates } from './node.type';

async function findNode(ctx: GraphContext, id: string): Promise<unknown> {
  const twin = await ctx.twins.get(id);
  if (twin) return twin;
  for (const { sourceId, relationshipId } of relationshipIdCandidates(id)) {
    const relationship = await ctx.twins.relationship(sourceId, relationshipId);
    if (relationship) return relationship;
  }
  return parseDtmi(id) ? ((await ctx.models.get(id)) ?? null) : null;
}

@Resolver()
export class NodeQueries {
  @Query(() => Node, {
    nullable: true,
    description:
      'Any object by its global id: a twin (its id), a relationship (<sourceId>/relationships/<relationshipId>) or a model (its DTMI); null when nothing has the id.',
  })
  node(@Arg('id', () => ID, { description: 'A Node id, as read from `id`.' }) id: string, @Ctx() ctx: GraphContext) {
    return findNode(ctx, id);
  }

  @Extensions(listSize((args) => (Array.isArray(args.ids) ? args.ids.length : 1)))
  @Query(() => [Node], {
    nullable: 'items',
    description: `Objects by their global ids, in the order given, null where nothing has the id (at most ${MAX_PAGE_SIZE} ids).`,
  })
  nodes(
    @Arg('ids', () => [ID], { description: 'Node ids, as read from `id`.' }) ids: string[],
    @Ctx() ctx: GraphContext,
  ) {
    if (ids.length > MAX_PAGE_SIZE)
      throw new TwingraphError('InvalidArgument', `nodes takes at most ${MAX_PAGE_SIZE} ids; got ${ids.length}.`);
    return Promise.all(ids.map((id) => findNode(ctx, id)));
  }
}
