/**
 * Change events in the core schema: `Change`, one committed change-log entry in ADT's event vocabulary, the
 * typed changes subscriptions deliver (a twin's, a relationship's, telemetry's, a model's), and
 * `CommandInvocation`, what a command mutation answers with: the Command.Invoke change it recorded.
 */
import 'reflect-metadata';
import { Field, ID, ObjectType } from 'type-graphql';
import { Relationship } from '../relationship/relationship.type';
import { DateTimeScalar, JSONScalar, LongScalar } from '../scalars';
import { TwinInterface } from '../twin/twin.type';

@ObjectType({ description: "One committed change, in Azure Digital Twins' event vocabulary." })
export class Change {
  @Field(() => LongScalar, {
    description: 'Its place in the change log: resubscribe with since: seq to resume after it.',
  })
  seq!: number;
  @Field(() => String, {
    description:
      'Twin.Create, Twin.Update, Twin.Delete, Relationship.Create|Update|Delete, Telemetry, Command.Invoke, Model.Create|Decommission|Delete.',
  })
  type!: string;
  @Field(() => DateTimeScalar) time!: string;
  @Field(() => String, { description: 'twinId, twinId/relationships/relationshipId, or a model id.' }) subject!: string;
  @Field(() => String, { nullable: true }) modelId!: string | null;
  @Field(() => ID, { nullable: true }) twinId!: string | null;
  @Field(() => ID, { nullable: true }) relationshipId!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: 'For updates: the JSON Patch against the previous state.' })
  patch!: unknown;
  @Field(() => JSONScalar, {
    description: 'The state after the change (the last state, for deletes; the points, for telemetry).',
  })
  body!: unknown;
  @Field(() => String, {
    nullable: true,
    description:
      "Who made the change: the API key's name or the token's subject; null when the server made it (the demo seed) or authentication was off.",
  })
  actor!: string | null;
}

@ObjectType({ description: 'A change of a twin (Twin.Create, Twin.Update, Twin.Delete).' })
export class TwinChange extends Change {
  @Field(() => TwinInterface, {
    nullable: true,
    description: 'The twin after the change, typed by its model; null after a delete.',
  })
  twin!: unknown;
}

@ObjectType({
  description: 'A change of a relationship (Relationship.Create, Relationship.Update, Relationship.Delete).',
})
export class RelationshipChange extends Change {
  @Field(() => Relationship, { nullable: true, description: 'The relationship after the change; null after a delete.' })
  relationship!: unknown;
}

@ObjectType({ description: 'Telemetry points recorded for a twin.' })
export class MetricChange extends Change {
  @Field(() => [MetricChangePoint], { description: 'The points recorded.' }) points!: unknown[];
}

@ObjectType({ description: 'One recorded telemetry point.' })
export class MetricChangePoint {
  @Field(() => String) name!: string;
  @Field(() => DateTimeScalar) time!: string;
  @Field(() => JSONScalar) value!: unknown;
}

@ObjectType({ description: 'A change of a model (Model.Create, Model.Decommission, Model.Delete).' })
export class ModelChange extends Change {}

@ObjectType({
  description: "A command invocation, recorded as a change that whoever acts on the twin's commands can subscribe to.",
})
export class CommandInvocation {
  @Field(() => LongScalar) seq!: number;
  @Field(() => ID) twinId!: string;
  @Field(() => String) command!: string;
  @Field(() => JSONScalar, { nullable: true }) request!: unknown;
  @Field(() => DateTimeScalar) time!: string;
}
