/**
 * Relay's Global Object Identification: the `Node` interface, whose `id` is unique across every object that
 * has one, so that a normalized client cache (Apollo's `__typename:id`, Relay's store) never merges two
 * objects and `node(id)` can fetch any of them again.
 *
 * The ids are the readable ones the API already had, made unique where they were not:
 *   - a twin's `id` is its `$dtId`, as it always was (twin ids are unique in a store);
 *   - a relationship's `id` is `<sourceId>/relationships/<relationshipId>`, the subject ADT gives it in its
 *     events, because `$relationshipId` alone is unique only among one source's relationships (four
 *     engagements each have a `covers-asset-0002`); the ADT id is its `relationshipId` field;
 *   - a model's `id` is its DTMI.
 * No opaque (base64) encoding: every id stays readable and usable in the API's other arguments as it is.
 * `node(id)` looks an id up as a twin first, then as a relationship, then as a model, so that a twin whose id
 * happens to look like one of the others is still found by it.
 */
import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import { Field, ID, InterfaceType } from 'type-graphql';
import { resolveTwinType } from '../schema-info';

/** The marker between a relationship's source twin and its ADT id in the relationship's global id. */
const RELATIONSHIP_SEPARATOR = '/relationships/';

/** A relationship's global id: ADT's subject for it. */
export function relationshipGlobalId(sourceId: string, relationshipId: string): string {
  return `${sourceId}${RELATIONSHIP_SEPARATOR}${relationshipId}`;
}

/**
 * The (sourceId, relationshipId) pairs a global id can stand for: one per place the separator occurs, since
 * ADT ids may themselves contain slashes; the lookup tries each.
 */
export function relationshipIdCandidates(id: string): { sourceId: string; relationshipId: string }[] {
  const out: { sourceId: string; relationshipId: string }[] = [];
  for (let at = id.indexOf(RELATIONSHIP_SEPARATOR); at > 0; at = id.indexOf(RELATIONSHIP_SEPARATOR, at + 1)) {
    const relationshipId = id.slice(at + RELATIONSHIP_SEPARATOR.length);
    if (relationshipId) out.push({ sourceId: id.slice(0, at), relationshipId });
  }
  return out;
}

/** The object type of a value `node` found: a twin by its model, a relationship, or a model. */
export function resolveNodeType(value: unknown, context: unknown, info: GraphQLResolveInfo): string {
  const v = value as Record<string, unknown>;
  if (typeof v.$dtId === 'string') return resolveTwinType(value, context, info);
  if (typeof v.$relationshipId === 'string') return 'Relationship';
  return 'Model';
}

@InterfaceType('Node', {
  description:
    "An object with a globally unique id (Relay's Global Object Identification): fetch it again with node(id:). " +
    'Twins keep their own id, relationships have <sourceId>/relationships/<relationshipId>, models their DTMI.',
  resolveType: resolveNodeType,
})
export abstract class Node {
  @Field(() => ID, { description: 'Unique across every Node: a cache key, and what node(id:) takes.' }) id!: string;
}
