/**
 * The core schema's types, as type-graphql classes: what every Twingraph API has whatever its models are.
 * Their runtime values are the store's documents (ADT JSON for twins and relationships, store records for the
 * rest); field resolvers in ./resolvers.ts read them.
 */
import 'reflect-metadata';
import { Field, Float, ID, InputType, Int, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar, LongScalar } from '../scalars';
import { resolveTwinType } from '../schema-info';

export enum SortDirection {
  ASC = 'asc',
  DESC = 'desc',
}
registerEnumType(SortDirection, {
  name: 'SortDirection',
  description: 'Ascending puts missing values last; descending puts them first.',
});

export enum PatchOp {
  add = 'add',
  replace = 'replace',
  remove = 'remove',
}
registerEnumType(PatchOp, {
  name: 'PatchOp',
  description: 'The JSON Patch (RFC 6902) operations Azure Digital Twins accepts.',
});

@ObjectType({ description: 'Relay paging state of a connection.' })
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

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

@InterfaceType('Twin', {
  description:
    "A digital twin: an instance of a DTDL interface. Query a model's own type with fragments (`... on Room`).",
  resolveType: resolveTwinType,
})
export abstract class TwinInterface {
  @Field(() => ID, { description: 'The twin id ($dtId).' }) id!: string;
  @Field(() => String, {
    description: 'The ETag of this state; pass it as ifMatch to write only if nobody changed the twin since.',
  })
  etag!: string;
  @Field(() => String, { description: "The DTMI of the twin's model." }) modelId!: string;
  @Field(() => DateTimeScalar, { description: 'When the twin last changed.' }) lastUpdateTime!: string;
  @Field(() => JSONScalar, { description: 'ADT $metadata: $model, and per property lastUpdateTime and sourceTime.' })
  metadata!: unknown;
  @Field(() => JSONScalar, { description: 'The twin as Azure Digital Twins JSON.' }) json!: unknown;
  @Field(() => [Relationship], { description: 'Its outgoing relationships, optionally of one name.' })
  relationships!: unknown[];
  @Field(() => [Relationship], { description: 'The relationships pointing at it, optionally of one name.' })
  incomingRelationships!: unknown[];
}

@ObjectType({
  implements: TwinInterface,
  description: 'A twin whose model is not (or no longer) in the model set: its properties are in `json`.',
})
export class UnmodeledTwin extends TwinInterface {}

@ObjectType({ description: 'A twin in a connection, with its cursor.' })
export class TwinEdge {
  @Field(() => String) cursor!: string;
  @Field(() => TwinInterface) node!: unknown;
}

@ObjectType({ description: 'A page of twins.' })
export class TwinConnection {
  @Field(() => [TwinEdge]) edges!: TwinEdge[];
  @Field(() => [TwinInterface]) nodes!: unknown[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { nullable: true, description: 'How many twins match, across all pages.' }) totalCount!:
    number | null;
}

@ObjectType({ description: 'One content of a model: a property, telemetry, relationship, component or command.' })
export class ModelContent {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Property, Telemetry, Relationship, Component or Command.' }) kind!: string;
  @Field(() => String, {
    description: 'The DTMI of the interface that declares it (an ancestor, for inherited contents).',
  })
  definedIn!: string;
  @Field(() => String, { nullable: true, description: 'The schema, in DTDL terms (e.g. double, Enum, dtmi:…).' })
  schema!: string | null;
  @Field(() => Boolean, { nullable: true }) writable!: boolean | null;
  @Field(() => String, { nullable: true, description: 'The unit, for semantically typed contents.' }) unit!:
    string | null;
  @Field(() => [String], { description: 'Semantic types and other co-types (e.g. Temperature, Historized).' })
  semanticTypes!: string[];
  @Field(() => String, { nullable: true, description: "A relationship's target model, or a component's interface." })
  target!: string | null;
  @Field(() => String, { nullable: true, description: "The GraphQL field it appears as on the model's type." })
  graphqlField!: string | null;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
}

@ObjectType({ description: 'A DTDL interface uploaded to Twingraph.' })
export class Model {
  @Field(() => ID, { description: 'The DTMI.' }) id!: string;
  @Field(() => JSONScalar, { nullable: true, description: 'Display name by language code.' }) displayName!: unknown;
  @Field(() => JSONScalar, { nullable: true, description: 'Description by language code.' }) description!: unknown;
  @Field(() => DateTimeScalar) uploadTime!: string;
  @Field(() => Boolean, { description: 'Decommissioned models get no new twins.' }) decommissioned!: boolean;
  @Field(() => [String], { description: 'The interfaces it extends, directly.' }) extends!: string[];
  @Field(() => [String], { description: 'Every interface it extends, nearest first.' }) ancestors!: string[];
  @Field(() => [String], { description: 'Every model that extends it, directly or not.' }) extendedBy!: string[];
  @Field(() => String, { nullable: true, description: 'Its GraphQL interface type (twins of it and of its subtypes).' })
  graphqlType!: string | null;
  @Field(() => [ModelContent], { description: 'Own and inherited contents.' }) contents!: ModelContent[];
  @Field(() => JSONScalar, { description: 'The DTDL definition as uploaded.' }) dtdl!: unknown;
}

@ObjectType({ description: 'A result of deleting something.' })
export class DeleteResult {
  @Field(() => ID) id!: string;
  @Field(() => Boolean) deleted!: boolean;
}

@ObjectType({ description: 'One telemetry value.' })
export class MetricPoint {
  @Field(() => DateTimeScalar) time!: string;
  @Field(() => JSONScalar, { description: 'A number for numeric telemetry; any JSON value otherwise.' })
  value!: unknown;
}

@ObjectType({ description: 'Aggregates of the numeric points in one time window.' })
export class MetricWindow {
  @Field(() => DateTimeScalar) start!: string;
  @Field(() => Int) count!: number;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => Float, { nullable: true }) avg!: number | null;
  @Field(() => Float, { nullable: true }) sum!: number | null;
  @Field(() => Float, { nullable: true, description: 'The value of the newest point in the window.' }) last!:
    number | null;
  @Field(() => DateTimeScalar, { nullable: true }) lastTime!: string | null;
}

@ObjectType({ description: 'The points a twin reported for one telemetry.' })
export class MetricSeries {
  @Field(() => ID) twinId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) unit!: string | null;
}

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

@InputType({ description: 'One JSON Patch operation.' })
export class JsonPatchOperation {
  @Field(() => PatchOp) op!: PatchOp;
  @Field(() => String, { description: 'A JSON Pointer, e.g. /temperature or /thermostat/setPoint.' }) path!: string;
  @Field(() => JSONScalar, { nullable: true }) value?: unknown;
}

@InputType({ description: 'A telemetry value of a twin.' })
export class MetricPointInput {
  @Field(() => ID) twinId!: string;
  @Field(() => String, { description: "The telemetry name in the twin's model." }) name!: string;
  @Field(() => DateTimeScalar) time!: string;
  @Field(() => JSONScalar) value!: unknown;
}

@InputType({ description: 'Conditions on a string.' })
export class StringFilter {
  @Field(() => String, { nullable: true }) eq?: string;
  @Field(() => String, { nullable: true }) ne?: string;
  @Field(() => [String], { nullable: true }) in?: string[];
  @Field(() => [String], { nullable: true }) notIn?: string[];
  @Field(() => String, { nullable: true }) lt?: string;
  @Field(() => String, { nullable: true }) lte?: string;
  @Field(() => String, { nullable: true }) gt?: string;
  @Field(() => String, { nullable: true }) gte?: string;
  @Field(() => String, { nullable: true }) contains?: string;
  @Field(() => String, { nullable: true }) startsWith?: string;
  @Field(() => String, { nullable: true }) endsWith?: string;
  @Field(() => Boolean, { nullable: true, description: 'true: the property is set; false: it is not.' })
  exists?: boolean;
}

@InputType({ description: 'Conditions on an id.' })
export class IDFilter {
  @Field(() => ID, { nullable: true }) eq?: string;
  @Field(() => ID, { nullable: true }) ne?: string;
  @Field(() => [ID], { nullable: true }) in?: string[];
  @Field(() => [ID], { nullable: true }) notIn?: string[];
  @Field(() => String, { nullable: true }) startsWith?: string;
}

@InputType({ description: 'Conditions on a number.' })
export class FloatFilter {
  @Field(() => Float, { nullable: true }) eq?: number;
  @Field(() => Float, { nullable: true }) ne?: number;
  @Field(() => [Float], { nullable: true }) in?: number[];
  @Field(() => [Float], { nullable: true }) notIn?: number[];
  @Field(() => Float, { nullable: true }) lt?: number;
  @Field(() => Float, { nullable: true }) lte?: number;
  @Field(() => Float, { nullable: true }) gt?: number;
  @Field(() => Float, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a whole number.' })
export class IntFilter {
  @Field(() => Int, { nullable: true }) eq?: number;
  @Field(() => Int, { nullable: true }) ne?: number;
  @Field(() => [Int], { nullable: true }) in?: number[];
  @Field(() => [Int], { nullable: true }) notIn?: number[];
  @Field(() => Int, { nullable: true }) lt?: number;
  @Field(() => Int, { nullable: true }) lte?: number;
  @Field(() => Int, { nullable: true }) gt?: number;
  @Field(() => Int, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a long.' })
export class LongFilter {
  @Field(() => LongScalar, { nullable: true }) eq?: number;
  @Field(() => LongScalar, { nullable: true }) ne?: number;
  @Field(() => [LongScalar], { nullable: true }) in?: number[];
  @Field(() => [LongScalar], { nullable: true }) notIn?: number[];
  @Field(() => LongScalar, { nullable: true }) lt?: number;
  @Field(() => LongScalar, { nullable: true }) lte?: number;
  @Field(() => LongScalar, { nullable: true }) gt?: number;
  @Field(() => LongScalar, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a boolean.' })
export class BooleanFilter {
  @Field(() => Boolean, { nullable: true }) eq?: boolean;
  @Field(() => Boolean, { nullable: true }) ne?: boolean;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a date and time. Values compare as ISO 8601 text: write them in UTC (…Z).' })
export class DateTimeFilter {
  @Field(() => DateTimeScalar, { nullable: true }) eq?: string;
  @Field(() => DateTimeScalar, { nullable: true }) ne?: string;
  @Field(() => [DateTimeScalar], { nullable: true }) in?: string[];
  @Field(() => [DateTimeScalar], { nullable: true }) notIn?: string[];
  @Field(() => DateTimeScalar, { nullable: true }) lt?: string;
  @Field(() => DateTimeScalar, { nullable: true }) lte?: string;
  @Field(() => DateTimeScalar, { nullable: true }) gt?: string;
  @Field(() => DateTimeScalar, { nullable: true }) gte?: string;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on any property by path, for the generic twins query. Values are JSON.' })
export class TwinPropertyFilter {
  @Field(() => String, { description: 'Dotted path, e.g. temperature or address.city.' }) path!: string;
  @Field(() => JSONScalar, { nullable: true }) eq?: unknown;
  @Field(() => JSONScalar, { nullable: true }) ne?: unknown;
  @Field(() => [JSONScalar], { nullable: true }) in?: unknown[];
  @Field(() => [JSONScalar], { nullable: true }) notIn?: unknown[];
  @Field(() => JSONScalar, { nullable: true }) lt?: unknown;
  @Field(() => JSONScalar, { nullable: true }) lte?: unknown;
  @Field(() => JSONScalar, { nullable: true }) gt?: unknown;
  @Field(() => JSONScalar, { nullable: true }) gte?: unknown;
  @Field(() => String, { nullable: true }) contains?: string;
  @Field(() => String, { nullable: true }) startsWith?: string;
  @Field(() => String, { nullable: true }) endsWith?: string;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on any twin.' })
export class TwinWhere {
  @Field(() => [TwinWhere], { nullable: true }) AND?: TwinWhere[];
  @Field(() => [TwinWhere], { nullable: true }) OR?: TwinWhere[];
  @Field(() => TwinWhere, { nullable: true }) NOT?: TwinWhere;
  @Field(() => IDFilter, { nullable: true }) id?: IDFilter;
  @Field(() => String, { nullable: true, description: 'Twins of this model or of a model that extends it.' })
  isOf?: string;
  @Field(() => String, { nullable: true, description: 'Twins of exactly this model.' }) modelId?: string;
  @Field(() => [TwinPropertyFilter], { nullable: true }) properties?: TwinPropertyFilter[];
}

@InputType({ description: 'Sort twins by a property path.' })
export class TwinOrderBy {
  @Field(() => String, { description: 'Dotted path, e.g. name or address.city; $dtId for the id.' }) path!: string;
  @Field(() => SortDirection, { defaultValue: SortDirection.ASC }) direction!: SortDirection;
}

@ObjectType({ description: 'The models an upload added.' })
export class ModelUploadResult {
  @Field(() => [Model]) models!: unknown[];
}
