/**
 * The relationship in the core schema: `Relationship`, what the generic relationship fields, queries and
 * mutations return (generated relationship types carry the same fields, plus their properties). Its runtime
 * value is the ADT relationship document; `relationshipFields` reads the fields from it, for the core type's
 * resolver and for every generated relationship type alike.
 */
import 'reflect-metadata';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Relationship as StoreRelationship } from '../../store/types';
import { JSONScalar } from '../scalars';

@ObjectType({ description: 'A relationship between two twins, as Azure Digital Twins keeps it.' })
export class Relationship {
  @Field(() => ID, { description: "$relationshipId, unique among the source twin's relationships." }) id!: string;
  @Field(() => String, { description: 'The DTDL relationship name.' }) name!: string;
  @Field(() => ID) sourceId!: string;
  @Field(() => ID) targetId!: string;
  @Field(() => String) etag!: string;
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
  id: (r: StoreRelationship): string => r.$relationshipId,
  name: (r: StoreRelationship): string => r.$relationshipName,
  sourceId: (r: StoreRelationship): string => r.$sourceId,
  targetId: (r: StoreRelationship): string => r.$targetId,
  etag: (r: StoreRelationship): string => r.$etag,
  properties: relationshipProperties,
  json: (r: StoreRelationship): unknown => r,
};
