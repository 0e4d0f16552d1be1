/**
 * The twin in the core schema: the `Twin` interface every generated model type implements, `UnmodeledTwin`
 * for twins whose model is not (or no longer) in the model set, the generic connection, and the inputs of the
 * generic `twins(where, orderBy)` query. A twin's runtime value is its ADT document; `twinCoreFields` reads
 * the core fields from it, for the interface's resolver and for every generated twin type alike.
 */
import 'reflect-metadata';
import { Field, ID, InputType, Int, InterfaceType, ObjectType } from 'type-graphql';
import type { Twin } from '../../store/types';
import { IDFilter } from '../filter-inputs';
import { PageInfo, SortDirection } from '../paging';
import { Relationship } from '../relationship/relationship.type';
import { DateTimeScalar, JSONScalar } from '../scalars';
import { resolveTwinType } from '../schema-info';

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

/** The fields every twin type has, read from the ADT document. */
export const twinCoreFields = {
  id: (t: Twin): string => t.$dtId,
  etag: (t: Twin): string => t.$etag,
  modelId: (t: Twin): string => t.$metadata.$model,
  lastUpdateTime: (t: Twin): string => t.$metadata.$lastUpdateTime,
  metadata: (t: Twin): unknown => t.$metadata,
  json: (t: Twin): unknown => t,
};
