/**
 * The model in the core schema: `Model`, a DTDL interface as uploaded, with its contents as `ModelContent`
 * and what it extends or is extended by, and the result of an upload. A model's runtime value is the
 * store's model record; what the record does not hold comes from the model set of the schema.
 */
import 'reflect-metadata';
import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from '../node/node.type';
import { DateTimeScalar, JSONScalar } from '../scalars';

@ObjectType({ description: 'One content of a model: a property, telemetry, relationship, component or command.' })
export class ModelContent {
  @Field(() => String, { description: 'Its DTDL name.' }) name!: string;
  @Field(() => String, { description: 'Property, Telemetry, Relationship, Component or Command.' }) kind!: string;
  @Field(() => String, {
    description: 'The DTMI of the interface that declares it (an ancestor, for inherited contents).',
  })
  definedIn!: string;
  @Field(() => String, { nullable: true, description: 'The schema, in DTDL terms (e.g. double, Enum, dtmi:…).' })
  schema!: string | null;
  @Field(() => Boolean, { nullable: true, description: 'For properties: whether clients may write it.' })
  writable!: boolean | null;
  @Field(() => String, { nullable: true, description: 'The unit, for semantically typed contents.' }) unit!:
    string | null;
  @Field(() => [String], { description: 'Semantic types and other co-types (e.g. Temperature, Historized).' })
  semanticTypes!: string[];
  @Field(() => String, { nullable: true, description: "A relationship's target model, or a component's interface." })
  target!: string | null;
  @Field(() => String, { nullable: true, description: "The GraphQL field it appears as on the model's type." })
  graphqlField!: string | null;
  @Field(() => String, { nullable: true, description: 'Its display name (English, or the first language given).' })
  displayName!: string | null;
  @Field(() => String, { nullable: true, description: 'Its description (English, or the first language given).' })
  description!: string | null;
}

@ObjectType({ implements: Node, description: 'A DTDL interface uploaded to Twingraph.' })
export class Model extends Node {
  @Field(() => ID, { description: 'The DTMI (with its version): also its Node id.' }) declare id: string;
  @Field(() => JSONScalar, { nullable: true, description: 'Display name by language code.' }) displayName!: unknown;
  @Field(() => JSONScalar, { nullable: true, description: 'Description by language code.' }) description!: unknown;
  @Field(() => DateTimeScalar, { description: 'When it was uploaded.' }) uploadTime!: string;
  @Field(() => Boolean, { description: 'Decommissioned models get no new twins.' }) decommissioned!: boolean;
  @Field(() => [String], { description: 'The interfaces it extends, directly.' }) extends!: string[];
  @Field(() => [String], { description: 'Every interface it extends, nearest first.' }) ancestors!: string[];
  @Field(() => [String], { description: 'Every model that extends it, directly or not.' }) extendedBy!: string[];
  @Field(() => String, { nullable: true, description: 'Its GraphQL interface type (twins of it and of its subtypes).' })
  graphqlType!: string | null;
  @Field(() => [ModelContent], { description: 'Own and inherited contents.' }) contents!: ModelContent[];
  @Field(() => JSONScalar, { description: 'The DTDL definition as uploaded.' }) dtdl!: unknown;
}

@ObjectType({ description: 'The models an upload added.' })
export class ModelUploadResult {
  @Field(() => [Model], { description: 'The models uploaded, in the order given.' }) models!: unknown[];
}
