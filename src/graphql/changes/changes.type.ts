/**
 * Change events in the core schema: `Change`, one committed change-log entry in ADT's event vocabulary, the
 * typed changes subscriptions deliver (a twin's, a relationship's, telemetry's, a model's), and
 * `CommandInvocation`, what a command mutation answers with: the Command.Invoke change it recorded.
 */
import 'reflect-metadata';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { ChangeType } from './change-type';
import { Relationship } from '../relationship/relationship.type';
import { DateTimeScalar, JSONScalar, LongScalar } from '../scalars';
import { TwinInterface } from '../twin/twin.type';

@ObjectType({ description: "One committed change, in Azure Digital Twins' event vocabulary." })
export class Change {
  @Field(() => LongScalar, {
    description: 'Its place in the change log: resubscribe with since: seq to resume after it.',
  })
  seq!: number;
  @Field(() => ChangeType, { description: 'What the change did (ADT: Twin.Update is TWIN_UPDATE).' })
  type!: string;
  @Field(() => DateTimeScalar, { description: 'When it was committed.' }) time!: string;
  @Field(() => String, {
    description:
      'What it is about, as ADT says in its events: twinId, twinId/relationships/relationshipId (a relationship: also its Node id), or a model id.',
  })
  subject!: string;
  @Field(() => String, {
    nullable: true,
    description:
      "The DTMI of the twin's model (of the source twin's, for relationships; the model, for model changes).",
  })
  modelId!: string | null;
  @Field(() => ID, { nullable: true, description: 'The twin changed (the source twin, for relationships).' })
  twinId!: string | null;
  @Field(() => ID, {
    nullable: true,
    description: "ADT's $relationshipId of the relationship changed (unique only with twinId).",
  })
  relationshipId!: string | null;
  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'For updates: the JSON Patch against the previous state, in ADT JSON (enum properties hold their DTDL values, e.g. "blocked", not the GraphQL enum names).',
  })
  patch!: unknown;
  @Field(() => JSONScalar, {
    description:
      'The state after the change as ADT JSON (the last state, for deletes; the points, for telemetry): DTDL values, as patchTwin takes them.',
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
  @Field(() => String, { description: "The telemetry's name in the twin's model." }) name!: string;
  @Field(() => DateTimeScalar, { description: 'When it was measured.' }) time!: string;
  @Field(() => JSONScalar, {
    description: 'The value as recorded: a number for numeric telemetry, the DTDL value for enums, any JSON otherwise.',
  })
  value!: unknown;
  @Field(() => Float, { nullable: true, description: 'The value when it is a number (numeric telemetry); else null.' })
  numericValue!: number | null;
}

@ObjectType({ description: 'A change of a model (Model.Create, Model.Decommission, Model.Delete).' })
export class ModelChange extends Change {}

@ObjectType({
  description: "A command invocation, recorded as a change that whoever acts on the twin's commands can subscribe to.",
})
export class CommandInvocation {
  @Field(() => LongScalar, { description: 'The seq of the Command.Invoke change in the change log.' }) seq!: number;
  @Field(() => ID, { description: 'The twin commanded.' }) twinId!: string;
  @Field(() => String, { description: "The command's DTDL name." }) command!: string;
  @Field(() => JSONScalar, { nullable: true, description: 'The request payload as recorded (DTDL values).' })
  request!: unknown;
  @Field(() => DateTimeScalar, { description: 'When it was recorded.' }) time!: string;
}
