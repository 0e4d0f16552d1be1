/**
 * The twin in the core schema: the `Twin` interface every generated model type implements, `UnmodeledTwin`
 * for twins whose model is not (or no longer) in the model set, the generic connection, and the inputs of the
 * generic `twins(where, orderBy)` query. A twin's runtime value is its ADT document; `twinCoreFields` reads
 * the core fields from it, for the interface's resolver and for every generated twin type alike.
 */
import 'reflect-metadata';
import { Field, ID, InputType, Int, InterfaceType, ObjectType } from 'type-graphql';
import type { Twin } from '../../store/types';
import { CONNECTION_FIELDS, FILTER_OPS, WHERE_LOGIC } from '../descriptions';
import { IDFilter } from '../filter-inputs';
import { PageInfo, SortDirection } from '../paging';
import { Node } from '../node/node.type';
import { Relationship } from '../relationship/relationship.type';
import { DateTimeScalar, JSONScalar } from '../scalars';
import { resolveTwinType } from '../schema-info';

@InterfaceType('Twin', {
  implements: Node,
  description:
    "A digital twin: an instance of a DTDL interface. Query a model's own type with fragments (`... on Room`).",
  resolveType: resolveTwinType,
})
export abstract class TwinInterface extends Node {
  @Field(() => ID, {
    description: 'The twin id ($dtId), unique among twins: also its Node id, as readable as ever.',
  })
  declare id: string;
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
  implements: [TwinInterface, Node],
  description: 'A twin whose model is not (or no longer) in the model set: its properties are in `json`.',
})
export class UnmodeledTwin extends TwinInterface {}

@ObjectType({ description: 'A twin in a connection, with its cursor.' })
export class TwinEdge {
  @Field(() => String, { description: CONNECTION_FIELDS.cursor }) cursor!: string;
  @Field(() => TwinInterface, { description: 'The twin.' }) node!: unknown;
}

@ObjectType({ description: 'A page of twins.' })
export class TwinConnection {
  @Field(() => [TwinEdge], { description: CONNECTION_FIELDS.edges }) edges!: TwinEdge[];
  @Field(() => [TwinInterface], { description: 'The twins of this page.' }) nodes!: unknown[];
  @Field(() => PageInfo, { description: CONNECTION_FIELDS.pageInfo }) pageInfo!: PageInfo;
  @Field(() => Int, { nullable: true, description: 'How many twins match, across all pages.' }) totalCount!:
    number | null;
}

@InputType({ description: 'Conditions on any property by path, for the generic twins query. Values are JSON.' })
export class TwinPropertyFilter {
  @Field(() => String, { description: 'Dotted path, e.g. temperature or address.city.' }) path!: string;
  @Field(() => JSONScalar, { nullable: true, description: FILTER_OPS.eq }) eq?: unknown;
  @Field(() => JSONScalar, { nullable: true, description: FILTER_OPS.ne }) ne?: unknown;
  @Field(() => [JSONScalar], { nullable: true, description: FILTER_OPS.in }) in?: unknown[];
  @Field(() => [JSONScalar], { nullable: true, description: FILTER_OPS.notIn }) notIn?: unknown[];
  @Field(() => JSONScalar, { nullable: true, description: FILTER_OPS.lt }) lt?: unknown;
  @Field(() => JSONScalar, { nullable: true, description: FILTER_OPS.lte }) lte?: unknown;
  @Field(() => JSONScalar, { nullable: true, description: FILTER_OPS.gt }) gt?: unknown;
  @Field(() => JSONScalar, { nullable: true, description: FILTER_OPS.gte }) gte?: unknown;
  @Field(() => String, { nullable: true, description: FILTER_OPS.contains }) contains?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.startsWith }) startsWith?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.endsWith }) endsWith?: string;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.exists }) exists?: boolean;
}

@InputType({ description: 'Conditions on any twin.' })
export class TwinWhere {
  @Field(() => [TwinWhere], { nullable: true, description: WHERE_LOGIC.AND }) AND?: TwinWhere[];
  @Field(() => [TwinWhere], { nullable: true, description: WHERE_LOGIC.OR }) OR?: TwinWhere[];
  @Field(() => TwinWhere, { nullable: true, description: WHERE_LOGIC.NOT }) NOT?: TwinWhere;
  @Field(() => IDFilter, { nullable: true, description: 'Conditions on the twin id.' }) id?: IDFilter;
  @Field(() => String, {
    nullable: true,
    description:
      'Twins of this model or of a model that extends it (ADT IS_OF_MODEL): its GraphQL type name (Client) or full DTMI with version; an unknown model is ModelNotFound.',
  })
  isOf?: string;
  @Field(() => String, {
    nullable: true,
    description: 'Twins of exactly this model: its GraphQL type name or full DTMI; an unknown model is ModelNotFound.',
  })
  modelId?: string;
  @Field(() => [TwinPropertyFilter], {
    nullable: true,
    description: 'Conditions on properties by path (values as stored: DTDL values for enums), all of them holding.',
  })
  properties?: TwinPropertyFilter[];
}

@InputType({ description: 'Sort twins by a property path.' })
export class TwinOrderBy {
  @Field(() => String, { description: 'Dotted path, e.g. name or address.city; $dtId for the id.' }) path!: string;
  @Field(() => SortDirection, { defaultValue: SortDirection.ASC, description: 'Ascending (default) or descending.' })
  direction!: SortDirection;
}

/** The fields every twin type has, read from the ADT document. */
export const twinCoreFields = {
  id: (t: Twin): string => t.$dtId,
  etag: (t: Twin): string => t.$etag,
  modelId: (t: Twin): string => t.$metadata.$model,
  lastUpdateTime: (t: Twin): string => t.$metadata.$lastUpdateTime,
  metadata: (t: Twin): unknown => t.$metadata,
  json: (t: Twin): unknown => t,
};
