/**
 * The relationship in the core schema: `Relationship`, what the generic relationship fields, queries and
 * mutations return (generated relationship types carry the same fields, plus their properties). Its runtime
 * value is the ADT relationship document; `relationshipFields` reads the fields from it, for the core type's
 * resolver and for every generated relationship type alike.
 */
import 'reflect-metadata';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Relationship as StoreRelationship } from '../../store/types';
import { Node, relationshipGlobalId } from '../node/node.type';
import { JSONScalar } from '../scalars';

@ObjectType({
  implements: Node,
  description: 'A relationship between two twins, as Azure Digital Twins keeps it.',
})
export class Relationship extends Node {
  @Field(() => ID, {
    description:
      "Globally unique: <sourceId>/relationships/<relationshipId> (ADT's subject for it), since relationshipId is unique only among one source's relationships.",
  })
  declare id: string;
  @Field(() => ID, {
    description:
      "ADT's $relationshipId, unique among the source twin's relationships: what relationship, updateRelationship and deleteRelationship take with the sourceId.",
  })
  relationshipId!: string;
  @Field(() => String, { description: 'The DTDL relationship name.' }) name!: string;
  @Field(() => ID, { description: 'The id of the twin it goes out from.' }) sourceId!: string;
  @Field(() => ID, { description: 'The id of the twin it points at.' }) targetId!: string;
  @Field(() => String, {
    description: 'The ETag of this state; pass it as ifMatch to write only if nobody changed the relationship since.',
  })
  etag!: string;
  @Field(() => JSONScalar, { description: "The relationship's own properties." }) properties!: unknown;
  @Field(() => JSONScalar, { description: 'The relationship as Azure Digital Twins JSON.' }) json!: unknown;
}

/** The relationship's own properties: everything but the `$` fields ADT adds. */
export function relationshipProperties(r: StoreRelationship): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!k.startsWith('$')) properties[k] = v;
  return properties;
}

export const relationshipFields = {
  id: (r: StoreRelationship): string => relationshipGlobalId(r.$sourceId, r.$relationshipId),
  relationshipId: (r: StoreRelationship): string => r.$relationshipId,
  name: (r: StoreRelationship): string => r.$relationshipName,
  sourceId: (r: StoreRelationship): string => r.$sourceId,
  targetId: (r: StoreRelationship): string => r.$targetId,
  etag: (r: StoreRelationship): string => r.$etag,
  properties: relationshipProperties,
  json: (r: StoreRelationship): unknown => r,
};
