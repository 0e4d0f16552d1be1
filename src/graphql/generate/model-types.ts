/**
 * The GraphQL types of one model: an interface (its twins and its subtypes' twins: what fields, queries and
 * fragments use) and an object type beside it (its own twins), a connection, a where and an order input,
 * create and update inputs. Contents become fields: properties typed by their schema, telemetry as metric
 * series, components as nested objects, relationships as connections typed to their target (with the
 * relationship's own properties on the edges), and for every relationship name that can point at the
 * model, an inverse field (`hostsInverse`). Inherited contents come with `extends`, which also becomes
 * GraphQL interface inheritance.
 */
import {
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
} from 'graphql';
import type {
  ComponentContent,
  InterfaceModel,
  ModelSet,
  PropertyContent,
  RelationshipContent,
  TelemetryContent,
} from '../../dtdl';
import { TwingraphError } from '../../errors';
import {
  encodeCursor,
  MAX_PAGE_SIZE,
  orderingOf,
  planPage,
  valueAt,
  type Filter,
  type Hop,
  type OrderBy,
  type PropertyPath,
} from '../../store/query';
import type { JsonObject, JsonPatch, JsonValue, Relationship, Twin } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { twinOrder, twinWhereFilter } from '../core/resolvers';
import { schemaInfo } from '../schema-info';
import type { TwinOrderBy, TwinWhere } from '../core/types';
import { connection, relationshipFields, twinCoreFields, type ConnectionValue } from '../core/values';
import { allOf, logicalConditions, scalarConditions } from './filters';
import { CORE_TWIN_FIELDS, pascalCase, type NameAllocator } from './names';
import { describe, langText, singleKeyOrder, type CoreTypes, type SchemaTypes, type Shape } from './schema-types';

type Args = Record<string, unknown>;
type Resolver = GraphQLFieldConfig<Twin, GraphContext>['resolve'];

const DEFAULT_FIRST = 100;

/** Everything the builder of one model needs from the compile run. */
export interface Build {
  readonly models: ModelSet;
  readonly core: CoreTypes;
  readonly names: NameAllocator;
  readonly schemas: SchemaTypes;
  /** Types of the top-level models (filled as models are built; read lazily in field thunks). */
  readonly typesOf: Map<string, ModelTypes>;
  /**
   * Whether a relationship's target was known when its declaring model was uploaded (uploaded in the same
   * upload or before). Only then is the relationship typed to the target: typing it when a later upload brings
   * the target would change a field's type under running clients.
   */
  readonly targetKnownAtUpload: (declaredIn: string, target: string) => boolean;
  /** Relationship names that can point at each model (declared with it, or an ancestor, as target). */
  readonly inverseNames: (modelId: string) => readonly string[];
  /** The inverse field of a relationship name, the same on every model that has it. */
  readonly inverseField: (relationship: string) => string;
  /** Base names of component interfaces and other non-top-level interfaces. */
  readonly baseOf: (interfaceId: string) => string;
  /** Every named type created, for the schema's type list. */
  readonly created: (GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)[];
  /** Fields extensions put on the types of this model (see ./extensions.ts). */
  readonly extensionFields: (model: InterfaceModel) => GraphQLFieldConfigMap<Twin, GraphContext>;
  /** Field names reserved on this model's types besides the core ones (its extensions'): contents with them get a `_` suffix. */
  readonly reservedFields: (model: InterfaceModel) => ReadonlySet<string>;
}

export interface ContentField {
  readonly content: PropertyContent | TelemetryContent | RelationshipContent | ComponentContent;
  readonly field: string;
}

export interface ModelTypes {
  readonly id: string;
  readonly base: string;
  readonly iface: GraphQLInterfaceType;
  readonly object: GraphQLObjectType;
  readonly connection: GraphQLObjectType;
  readonly where: GraphQLInputObjectType;
  readonly orderBy: GraphQLInputObjectType;
  /** Absent when the model has no properties or components. */
  readonly createInput?: GraphQLInputObjectType;
  /** Absent when the model has nothing writable. */
  readonly updateInput?: GraphQLInputObjectType;
  /** Content name → GraphQL field name. */
  readonly fields: ReadonlyMap<string, string>;
  toFilter(where: Args | null | undefined): Filter | undefined;
  toOrder(orderBy: readonly Args[] | null | undefined): OrderBy[];
  toBody(input: Args): JsonObject;
  toPatch(input: Args, current: Twin): JsonPatch;
}

function langDescription(el: {
  displayName?: Record<string, string>;
  description?: Record<string, string>;
}): string | undefined {
  const name = langText(el.displayName);
  const text = langText(el.description);
  return name && text ? `${name}: ${text}` : (text ?? name);
}

function contentDescription(
  c: PropertyContent | TelemetryContent | RelationshipContent | ComponentContent,
  model: InterfaceModel,
): string | undefined {
  const unit = c.supplementalProperties.unit;
  const notes = [
    c.supplementalTypes.length ? `Semantic type: ${c.supplementalTypes.join(', ')}.` : undefined,
    typeof unit === 'string' ? `Unit: ${unit}.` : undefined,
    c.kind === 'Property'
      ? c.writable
        ? 'Writable.'
        : 'Read-only (reported): set it with create or patchTwin.'
      : undefined,
    c.definedIn !== model.id ? `Inherited from ${c.definedIn}.` : undefined,
  ];
  return describe(langDescription(c), notes.filter(Boolean).join(' '), `DTDL ${c.kind} '${c.name}'.`);
}

const NONE: ReadonlySet<string> = new Set();

/** The field name of a content: its DTDL name, unless a core twin field or a `reserved` one (an extension's) has it. */
export function contentFieldName(name: string, reserved: ReadonlySet<string> = NONE): string {
  return CORE_TWIN_FIELDS.has(name) || reserved.has(name) ? `${name}_` : name;
}

const idFilterPath: PropertyPath = ['$dtId'];

/** A where input's key for a content or relationship property: the combinators (and `id`) are taken there. */
function whereKey(name: string, taken: readonly string[] = ['AND', 'OR', 'NOT']): string {
  return taken.includes(name) ? `${name}_` : name;
}
const RELATIONSHIP_WHERE_TAKEN = ['AND', 'OR', 'NOT', 'id'];

const pageArgs = (): GraphQLFieldConfigArgumentMap => ({
  first: { type: GraphQLInt, description: `At most this many (default ${DEFAULT_FIRST}, at most 1000).` },
  after: { type: GraphQLString, description: 'The endCursor of the previous page.' },
  last: { type: GraphQLInt },
  before: { type: GraphQLString },
});

function paged(args: Args): { first?: number; after?: string; last?: number; before?: string } {
  const page = {
    ...(args.first != null && { first: args.first as number }),
    ...(args.after != null && { after: args.after as string }),
    ...(args.last != null && { last: args.last as number }),
    ...(args.before != null && { before: args.before as string }),
  };
  return page.first === undefined && page.last === undefined ? { ...page, first: DEFAULT_FIRST } : page;
}

/**
 * A connection of related twins. A plain first page (the common case inside lists) is batched across every
 * parent with one store call per level; paging on with a cursor, or backwards, reads per parent.
 */
async function relatedConnection(
  twin: Twin,
  hop: Hop,
  orderBy: OrderBy[],
  args: Args,
  ctx: GraphContext,
): Promise<ConnectionValue<Twin> & { edges: { cursor: string; node: Twin; relationship: Relationship }[] }> {
  const page = paged(args);
  // The root lists' rules for first and last, checked here: the batched read asks for one more than `first`,
  // which would take -1 as 0 and refuse 1000 as 1001.
  planPage({ ...page, orderBy });
  const ordering = orderingOf(orderBy);
  const cursorOf = (t: Twin): string => encodeCursor([...orderBy.map((o) => valueAt(t, o.path)), t.$dtId], ordering);
  const count = (): Promise<number> => ctx.twins.neighborCount(twin.$dtId, hop);
  if (
    page.after === undefined &&
    page.before === undefined &&
    page.last === undefined &&
    (page.first ?? DEFAULT_FIRST) < MAX_PAGE_SIZE
  ) {
    const first = page.first ?? DEFAULT_FIRST;
    const found = await ctx.twins.neighbors(twin.$dtId, hop, first + 1, orderBy);
    const items = found.slice(0, first);
    const edges = items.map((n) => ({ cursor: cursorOf(n.twin), node: n.twin, relationship: n.relationship }));
    return {
      edges,
      nodes: items.map((n) => n.twin),
      pageInfo: {
        hasNextPage: found.length > first,
        hasPreviousPage: false,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
      totalCount: count,
    };
  }
  const result = await ctx.twins.traverse({
    from: { path: idFilterPath, op: 'eq', value: twin.$dtId },
    hops: [hop],
    orderBy,
    ...page,
  });
  const rels = await ctx.twins.relationships(
    twin.$dtId,
    hop.direction,
    hop.names?.length === 1 ? hop.names[0] : undefined,
  );
  const relationshipTo = (t: Twin): Relationship | undefined =>
    rels.find(
      (r) =>
        (hop.direction === 'out' ? r.$targetId : r.$sourceId) === t.$dtId &&
        (!hop.names || hop.names.includes(r.$relationshipName)),
    );
  const base = connection(result, count);
  return { ...base, edges: base.edges.map((e) => ({ ...e, relationship: relationshipTo(e.node)! })) };
}

export class ModelTypeBuilder {
  private readonly relationshipTypes = new Map<
    string,
    {
      connection: GraphQLObjectType;
      filter: GraphQLInputObjectType;
      edgeWhere?: { type: GraphQLInputObjectType; toFilter: (v: Args) => Filter | undefined };
    }
  >();
  private readonly componentTypes = new Map<string, ComponentTypes>();

  constructor(private readonly build: Build) {}

  /** Builds the types of a top-level model (called in upload order, after its name is chosen). */
  model(model: InterfaceModel, base: string): ModelTypes {
    const { names, core } = this.build;
    const contents = this.contentFields(model);
    const fields = new Map(contents.map((c) => [c.content.name, c.field]));
    const inverses = this.build
      .inverseNames(model.id)
      .map((r) => ({ relationship: r, field: this.build.inverseField(r) }));
    const modelDescription = describe(
      langDescription(model),
      `DTDL interface ${model.id}.`,
      model.ancestors.length ? `Extends ${model.ancestors.join(', ')}.` : undefined,
    );
    const fieldConfigs = (): GraphQLFieldConfigMap<Twin, GraphContext> => ({
      ...this.coreFields(),
      ...this.build.extensionFields(model),
      ...this.contentConfigs(model, contents),
      ...this.inverseConfigs(inverses),
    });
    const ancestors = (): GraphQLInterfaceType[] => [
      core.named<GraphQLInterfaceType>('Twin'),
      ...model.ancestors
        .map((a) => this.build.typesOf.get(a)?.iface)
        .filter((t): t is GraphQLInterfaceType => t !== undefined),
    ];
    const iface: GraphQLInterfaceType = new GraphQLInterfaceType({
      name: base,
      description: describe(modelDescription, `Twins of ${model.id} and of every model that extends it.`),
      interfaces: ancestors,
      fields: fieldConfigs,
      resolveType: (value: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
        const modelId = (value as Twin).$metadata?.$model;
        const name = schemaInfo(info.schema)?.names.get(modelId)?.objectType;
        const type = name ? info.schema.getType(name) : undefined;
        if (!type || !info.schema.isSubType(iface, type as GraphQLObjectType)) {
          throw new TwingraphError(
            'ValidationFailed',
            `Twin '${(value as Twin).$dtId}' of model ${modelId} is not a ${base} (${model.id}).`,
            { twinId: (value as Twin).$dtId, modelId },
          );
        }
        return name;
      },
    });
    const object = new GraphQLObjectType<Twin, GraphContext>({
      name: names.take(`${base}Twin`),
      description: describe(modelDescription, `Twins of exactly ${model.id}.`),
      interfaces: () => [iface, ...ancestors()],
      fields: fieldConfigs,
      isTypeOf: (value: Twin) => value?.$metadata?.$model === model.id,
    });
    const edge = new GraphQLObjectType({
      name: names.take(`${base}Edge`),
      description: `A ${base} twin (${model.id}) in a connection, with its cursor.`,
      fields: { cursor: { type: new GraphQLNonNull(GraphQLString) }, node: { type: new GraphQLNonNull(iface) } },
    });
    const connectionType = new GraphQLObjectType<ConnectionValue<Twin>, GraphContext>({
      name: names.take(`${base}Connection`),
      description: `A page of ${base} twins (${model.id} and the models that extend it).`,
      fields: {
        edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edge))) },
        nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(iface))) },
        pageInfo: { type: new GraphQLNonNull(core.named<GraphQLObjectType>('PageInfo')) },
        totalCount: {
          type: GraphQLInt,
          description: 'How many match, across all pages.',
          resolve: (c) => c.totalCount(),
        },
      },
    });
    const where = this.whereInput(model, base, contents);
    const order = this.orderInput(model, base, contents);
    const inputs = this.writeInputs(model, base, contents);
    this.build.created.push(iface, object, edge, connectionType, where.type, order.type);
    return {
      id: model.id,
      base,
      iface,
      object,
      connection: connectionType,
      where: where.type,
      orderBy: order.type,
      ...(inputs.create && { createInput: inputs.create }),
      ...(inputs.update && { updateInput: inputs.update }),
      fields,
      toFilter: where.toFilter,
      toOrder: order.toOrder,
      toBody: inputs.toBody,
      toPatch: inputs.toPatch,
    };
  }

  private contentFields(model: InterfaceModel): ContentField[] {
    const out: ContentField[] = [];
    const reserved = this.build.reservedFields(model);
    for (const content of model.contents.values()) {
      if (content.kind === 'Command') continue;
      out.push({ content, field: contentFieldName(content.name, reserved) });
    }
    return out;
  }

  /** The core Twin fields, with the same arguments, on every generated twin type. */
  private coreFields(): GraphQLFieldConfigMap<Twin, GraphContext> {
    const twin = this.build.core.named<GraphQLInterfaceType>('Twin').toConfig().fields;
    const resolvers: Record<string, Resolver> = {
      id: (t) => twinCoreFields.id(t),
      etag: (t) => twinCoreFields.etag(t),
      modelId: (t) => twinCoreFields.modelId(t),
      lastUpdateTime: (t) => twinCoreFields.lastUpdateTime(t),
      metadata: (t) => twinCoreFields.metadata(t),
      json: (t) => twinCoreFields.json(t),
      relationships: (t, args, ctx) =>
        ctx.twins.relationships(t.$dtId, 'out', (args.name as string | null) ?? undefined),
      incomingRelationships: (t, args, ctx) =>
        ctx.twins.relationships(t.$dtId, 'in', (args.name as string | null) ?? undefined),
    };
    const out: GraphQLFieldConfigMap<Twin, GraphContext> = {};
    for (const [name, config] of Object.entries(twin))
      out[name] = { ...config, resolve: resolvers[name] } as GraphQLFieldConfig<Twin, GraphContext>;
    return out;
  }

  private contentConfigs(
    model: InterfaceModel,
    contents: readonly ContentField[],
  ): GraphQLFieldConfigMap<Twin, GraphContext> {
    const out: GraphQLFieldConfigMap<Twin, GraphContext> = {};
    for (const { content, field } of contents) {
      const description = contentDescription(content, model);
      switch (content.kind) {
        case 'Property': {
          const shape = this.propertyShape(content);
          const convert = shape.toOutput;
          out[field] = {
            type: shape.output,
            description,
            resolve: convert ? (t) => convert(t[content.name]) : (t) => t[content.name],
          };
          break;
        }
        case 'Telemetry': {
          const unit =
            typeof content.supplementalProperties.unit === 'string' ? content.supplementalProperties.unit : null;
          out[field] = {
            type: new GraphQLNonNull(this.build.core.named<GraphQLObjectType>('MetricSeries')),
            description,
            resolve: (t) => ({ twinId: t.$dtId, name: content.name, unit }),
          };
          break;
        }
        case 'Component':
          out[field] = {
            type: this.componentTypes_(content.schema).output,
            description,
            resolve: (t) => t[content.name] ?? null,
          };
          break;
        case 'Relationship':
          out[field] = this.relationshipField(content, description);
          break;
      }
    }
    return out;
  }

  private propertyShape(content: PropertyContent | TelemetryContent): Shape {
    return this.build.schemas.shape(content.schema, `${this.ownerBase(content.definedIn)}${pascalCase(content.name)}`);
  }

  private ownerBase(interfaceId: string): string {
    return this.build.typesOf.get(interfaceId)?.base ?? this.build.baseOf(interfaceId);
  }

  /** The target model's types, when the relationship is typed to it (see Build.targetKnownAtUpload). */
  private typedTarget(content: RelationshipContent): ModelTypes | undefined {
    if (!content.target || !this.build.targetKnownAtUpload(content.definedIn, content.target)) return undefined;
    return this.build.typesOf.get(content.target);
  }

  /** The target's interface type, or Twin when the relationship has no target among the top-level models. */
  private targetTypes(content: RelationshipContent): {
    output: GraphQLInterfaceType;
    where: GraphQLInputType;
    order: GraphQLInputType;
    of?: string;
  } {
    const target = this.typedTarget(content);
    if (target) return { output: target.iface, where: target.where, order: target.orderBy, of: target.id };
    return {
      output: this.build.core.named('Twin'),
      where: this.build.core.named('TwinWhere'),
      order: this.build.core.named('TwinOrderBy'),
    };
  }

  private targetFilter(content: RelationshipContent, where: Args | null | undefined): Filter | undefined {
    const target = this.typedTarget(content);
    return allOf([
      ...(target ? [{ ofModel: target.id }] : []),
      ...[target ? target.toFilter(where) : twinWhereFilter(where as TwinWhere)].filter(
        (f): f is Filter => f !== undefined,
      ),
    ]);
  }

  private targetOrder(content: RelationshipContent, orderBy: readonly Args[] | null | undefined): OrderBy[] {
    const target = this.typedTarget(content);
    return target ? target.toOrder(orderBy) : twinOrder(orderBy as unknown as TwinOrderBy[]);
  }

  /** The types of one declared relationship (shared by the declaring model and its subtypes). */
  private relationshipTypes_(content: RelationshipContent) {
    const key = `${content.definedIn}\n${content.name}`;
    let types = this.relationshipTypes.get(key);
    if (types) return types;
    const { names, core, schemas } = this.build;
    const prefix = `${this.ownerBase(content.definedIn)}${pascalCase(content.name)}`;
    const props = content.properties.map((p) => ({
      property: p,
      shape: schemas.shape(p.schema, `${prefix}${pascalCase(p.name)}`),
    }));
    const relationshipFieldsConfig = (): GraphQLFieldConfigMap<Relationship, GraphContext> => {
      const coreFields = core.named<GraphQLObjectType>('Relationship').toConfig().fields;
      const out: GraphQLFieldConfigMap<Relationship, GraphContext> = {};
      const resolvers: Record<string, GraphQLFieldConfig<Relationship, GraphContext>['resolve']> = {
        ...Object.fromEntries(
          Object.entries(relationshipFields).map(([k, f]) => [
            k,
            (r: Relationship) => (f as (r: Relationship) => unknown)(r),
          ]),
        ),
        source: (r, _a, ctx) => ctx.twins.get(r.$sourceId),
        target: (r, _a, ctx) => ctx.twins.get(r.$targetId),
      };
      for (const [name, config] of Object.entries(coreFields))
        out[name] = { ...config, resolve: resolvers[name] } as GraphQLFieldConfig<Relationship, GraphContext>;
      for (const { property, shape } of props) {
        const convert = shape.toOutput;
        const field = property.name in out ? `${property.name}_` : property.name;
        out[field] = {
          type: shape.output,
          description: describe(langDescription(property)),
          resolve: convert ? (r) => convert(r[property.name]) : (r) => r[property.name],
        };
      }
      return out;
    };
    const relationshipType = new GraphQLObjectType<Relationship, GraphContext>({
      name: names.take(`${prefix}Relationship`),
      description: describe(
        langDescription(content),
        `DTDL Relationship '${content.name}' of ${content.definedIn}${content.target ? `, to ${content.target}` : ''}.`,
      ),
      fields: relationshipFieldsConfig,
    });
    const target = (): ReturnType<ModelTypeBuilder['targetTypes']> => this.targetTypes(content);
    const edge = new GraphQLObjectType({
      name: names.take(`${prefix}Edge`),
      description: `A twin a ${content.name} relationship of ${content.definedIn} points at, with the relationship.`,
      fields: () => ({
        cursor: { type: new GraphQLNonNull(GraphQLString) },
        node: { type: new GraphQLNonNull(target().output), description: 'The twin the relationship points at.' },
        relationship: {
          type: new GraphQLNonNull(relationshipType),
          description: 'The relationship itself, with its properties.',
        },
      }),
    });
    const connectionType = new GraphQLObjectType<ConnectionValue<Twin>, GraphContext>({
      name: names.take(`${prefix}Connection`),
      description: `A page of the twins ${content.name} relationships of ${content.definedIn} point at.`,
      fields: () => ({
        edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edge))) },
        nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(target().output))) },
        pageInfo: { type: new GraphQLNonNull(core.named<GraphQLObjectType>('PageInfo')) },
        totalCount: { type: GraphQLInt, resolve: (c) => c.totalCount() },
      }),
    });
    const filterable = props.filter((p) => p.shape.filter);
    const edgeWhere = filterable.length
      ? (() => {
          const type: GraphQLInputObjectType = new GraphQLInputObjectType({
            name: names.take(`${prefix}RelationshipWhere`),
            description: `Conditions on the properties of ${content.name} relationships (${content.definedIn}).`,
            fields: () =>
              ({
                AND: { type: new GraphQLList(new GraphQLNonNull(type)) },
                OR: { type: new GraphQLList(new GraphQLNonNull(type)) },
                NOT: { type },
                id: { type: core.named<GraphQLInputType>('IDFilter'), description: 'The $relationshipId.' },
                ...Object.fromEntries(
                  filterable.map(({ property, shape }) => [
                    whereKey(property.name, RELATIONSHIP_WHERE_TAKEN),
                    { type: shape.filter! },
                  ]),
                ),
              }) as GraphQLInputFieldConfigMap,
          });
          const toFilter = (v: Args | null | undefined): Filter | undefined => {
            if (!v) return undefined;
            const conditions = [...logicalConditions(v as never, toFilter)];
            if (v.id) conditions.push(...scalarConditions(['$relationshipId'], v.id as Args, 'id'));
            for (const { property, shape } of filterable) {
              const given = v[whereKey(property.name, RELATIONSHIP_WHERE_TAKEN)];
              if (given) conditions.push(...shape.toFilter!([property.name], given as Args));
            }
            return allOf(conditions);
          };
          return { type, toFilter };
        })()
      : undefined;
    const filter = new GraphQLInputObjectType({
      name: names.take(`${prefix}Filter`),
      description: `Twins by their ${content.name} relationships (${content.definedIn}): some, none or all of the related twins match.`,
      fields: () => ({
        some: { type: target().where },
        none: { type: target().where },
        all: { type: target().where },
        ...(edgeWhere && {
          edge: { type: edgeWhere.type, description: 'Only relationships whose properties match count.' },
        }),
      }),
    });
    this.build.created.push(relationshipType, edge, connectionType, filter, ...(edgeWhere ? [edgeWhere.type] : []));
    types = { connection: connectionType, filter, ...(edgeWhere && { edgeWhere }) };
    this.relationshipTypes.set(key, types);
    return types;
  }

  private relationshipField(
    content: RelationshipContent,
    description: string | undefined,
  ): GraphQLFieldConfig<Twin, GraphContext> {
    const types = this.relationshipTypes_(content);
    const target = this.targetTypes(content);
    return {
      type: new GraphQLNonNull(types.connection),
      description,
      args: {
        where: { type: target.where, description: 'Conditions on the related twins.' },
        ...(types.edgeWhere && {
          edge: { type: types.edgeWhere.type, description: 'Conditions on the relationships.' },
        }),
        orderBy: { type: new GraphQLList(new GraphQLNonNull(target.order)) },
        ...pageArgs(),
      },
      resolve: (twin, args, ctx) => {
        const where = this.targetFilter(content, args.where as Args);
        const edge = types.edgeWhere?.toFilter(args.edge as Args);
        const hop: Hop = { direction: 'out', names: [content.name], ...(where && { where }), ...(edge && { edge }) };
        return relatedConnection(twin, hop, this.targetOrder(content, args.orderBy as Args[]), args, ctx);
      },
    };
  }

  private inverseConfigs(
    inverses: readonly { relationship: string; field: string }[],
  ): GraphQLFieldConfigMap<Twin, GraphContext> {
    const { core } = this.build;
    const out: GraphQLFieldConfigMap<Twin, GraphContext> = {};
    for (const { relationship, field } of inverses) {
      out[field] = {
        type: new GraphQLNonNull(core.named<GraphQLObjectType>('TwinConnection')),
        description: `Twins whose ${relationship} relationships point at this one.`,
        args: {
          where: { type: core.named<GraphQLInputType>('TwinWhere') },
          orderBy: { type: new GraphQLList(new GraphQLNonNull(core.named<GraphQLInputType>('TwinOrderBy'))) },
          ...pageArgs(),
        },
        resolve: (twin, args, ctx) => {
          const where = twinWhereFilter(args.where as TwinWhere);
          const hop: Hop = { direction: 'in', names: [relationship], ...(where && { where }) };
          return relatedConnection(twin, hop, twinOrder(args.orderBy as TwinOrderBy[]), args, ctx);
        },
      };
    }
    return out;
  }

  private componentTypes_(interfaceId: string): ComponentTypes {
    let types = this.componentTypes.get(interfaceId);
    if (types) return types;
    const iface = this.build.models.interfaces.get(interfaceId);
    if (!iface) throw new Error(`compile: component interface ${interfaceId} is not in the model set`);
    const base = `${this.ownerBase(interfaceId)}Component`;
    const { names, core } = this.build;
    const properties = [...iface.contents.values()]
      .filter((c): c is PropertyContent => c.kind === 'Property')
      .map((p) => ({ property: p, shape: this.propertyShape(p) }));
    const output = new GraphQLObjectType<Record<string, unknown>, GraphContext>({
      name: names.take(base),
      description: describe(langDescription(iface), `A component of DTDL interface ${interfaceId}.`),
      fields: () => ({
        metadata: {
          type: core.named<GraphQLOutputType>('JSON'),
          description: "The component's $metadata.",
          resolve: (c) => c.$metadata,
        },
        ...Object.fromEntries(
          properties.map(({ property, shape }) => {
            const convert = shape.toOutput;
            const field = property.name === 'metadata' ? 'metadata_' : property.name;
            return [
              field,
              {
                type: shape.output,
                description: contentDescription(property, iface),
                resolve: convert
                  ? (c: Record<string, unknown>) => convert(c[property.name])
                  : (c: Record<string, unknown>) => c[property.name],
              },
            ];
          }),
        ),
      }),
    });
    // A component without properties has nothing to set, and GraphQL forbids empty input types.
    const input = properties.length
      ? new GraphQLInputObjectType({
          name: names.take(`${base}Input`),
          description: `The properties of a ${base} (DTDL interface ${interfaceId}).`,
          fields: () =>
            Object.fromEntries(
              properties.map(({ property, shape }) => [property.name, { type: shape.input }]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    const filterable = properties.filter((p) => p.shape.filter);
    const where = filterable.length
      ? new GraphQLInputObjectType({
          name: names.take(`${base}Where`),
          description: `Conditions on the properties of a ${base} (DTDL interface ${interfaceId}).`,
          fields: () =>
            Object.fromEntries(
              filterable.map(({ property, shape }) => [property.name, { type: shape.filter! }]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    const sortable = properties.filter((p) => p.shape.order);
    const order = sortable.length
      ? new GraphQLInputObjectType({
          name: names.take(`${base}OrderBy`),
          description: `Sort by one property of a ${base} (DTDL interface ${interfaceId}).`,
          fields: () =>
            Object.fromEntries(
              sortable.map(({ property, shape }) => [property.name, { type: shape.order! }]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    this.build.created.push(output, ...(input ? [input] : []), ...(where ? [where] : []), ...(order ? [order] : []));
    types = {
      output,
      ...(input && { input }),
      ...(where && { where }),
      ...(order && { order }),
      toFilter: (path, value) =>
        filterable.flatMap(({ property, shape }) =>
          value[property.name] ? shape.toFilter!([...path, property.name], value[property.name] as Args) : [],
        ),
      toOrder: (path, value) =>
        singleKeyOrder(
          path,
          value,
          sortable.map(({ property, shape }) => ({ field: property, shape })),
        ),
      fromInput: (value) => {
        const out: Record<string, JsonValue> = {};
        for (const { property, shape } of properties) {
          const v = value[property.name];
          if (v !== undefined && v !== null) out[property.name] = shape.fromInput(v);
        }
        return out;
      },
      properties: properties.map(({ property, shape }) => ({ name: property.name, shape })),
    };
    this.componentTypes.set(interfaceId, types);
    return types;
  }

  private whereInput(
    model: InterfaceModel,
    base: string,
    contents: readonly ContentField[],
  ): { type: GraphQLInputObjectType; toFilter: (w: Args | null | undefined) => Filter | undefined } {
    const { names, core } = this.build;
    type Part = { field: string; type: () => GraphQLInputType; translate: (value: Args) => Filter[] };
    const parts: Part[] = [];
    for (const { content, field: contentField } of contents) {
      const field = whereKey(contentField);
      if (content.kind === 'Property') {
        const shape = this.propertyShape(content);
        if (shape.filter)
          parts.push({ field, type: () => shape.filter!, translate: (v) => shape.toFilter!([content.name], v) });
      } else if (content.kind === 'Component') {
        const component = this.componentTypes_(content.schema);
        if (component.where)
          parts.push({ field, type: () => component.where!, translate: (v) => component.toFilter([content.name], v) });
      } else if (content.kind === 'Relationship') {
        // Named now, with the model's other types: named while the schema collects its types, after every
        // model's eager names, they could lose their names to a model uploaded later (a breaking rename).
        const types = this.relationshipTypes_(content);
        parts.push({
          field,
          type: () => types.filter,
          translate: (v) => {
            const edge = types.edgeWhere?.toFilter(v.edge as Args);
            const quantifiers = (['some', 'none', 'all'] as const).filter((q) => v[q] !== undefined && v[q] !== null);
            if (quantifiers.length === 0 && edge) quantifiers.push('some');
            return quantifiers.map((quantifier) => {
              const where = this.targetFilter(content, v[quantifier] as Args);
              return {
                related: {
                  direction: 'out' as const,
                  names: [content.name],
                  quantifier,
                  ...(where && { where }),
                  ...(edge && { edge }),
                },
              };
            });
          },
        });
      }
    }
    const type: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: names.take(`${base}Where`),
      description: `Conditions on ${base} twins (${model.id}); a field's conditions and the fields of one object are ANDed.`,
      fields: () =>
        ({
          AND: { type: new GraphQLList(new GraphQLNonNull(type)) },
          OR: { type: new GraphQLList(new GraphQLNonNull(type)) },
          NOT: { type },
          id: { type: core.named<GraphQLInputType>('IDFilter'), description: 'The twin id.' },
          ...Object.fromEntries(parts.map((p) => [p.field, { type: p.type() }])),
        }) as GraphQLInputFieldConfigMap,
    });
    const toFilter = (w: Args | null | undefined): Filter | undefined => {
      if (!w) return undefined;
      const conditions = [...logicalConditions(w as never, toFilter)];
      if (w.id) conditions.push(...scalarConditions(idFilterPath, w.id as Args, 'id'));
      for (const part of parts)
        if (w[part.field] !== undefined && w[part.field] !== null)
          conditions.push(...part.translate(w[part.field] as Args));
      return allOf(conditions);
    };
    return { type, toFilter };
  }

  private orderInput(
    model: InterfaceModel,
    base: string,
    contents: readonly ContentField[],
  ): { type: GraphQLInputObjectType; toOrder: (o: readonly Args[] | null | undefined) => OrderBy[] } {
    const { names, core } = this.build;
    const direction = core.named<GraphQLInputType>('SortDirection');
    type Part = { field: string; type: GraphQLInputType; translate: (value: unknown) => OrderBy[] };
    const parts: Part[] = [
      { field: 'id', type: direction, translate: (v) => [{ path: idFilterPath, direction: v as 'asc' | 'desc' }] },
    ];
    for (const { content, field } of contents) {
      if (content.kind === 'Property') {
        const shape = this.propertyShape(content);
        if (shape.order) parts.push({ field, type: shape.order, translate: (v) => shape.toOrder!([content.name], v) });
      } else if (content.kind === 'Component') {
        const component = this.componentTypes_(content.schema);
        if (component.order)
          parts.push({ field, type: component.order, translate: (v) => component.toOrder([content.name], v as Args) });
      }
    }
    const type = new GraphQLInputObjectType({
      name: names.take(`${base}OrderBy`),
      description: `Sort ${base} twins (${model.id}) by one field per entry; ties go by id.`,
      fields: () => Object.fromEntries(parts.map((p) => [p.field, { type: p.type }])) as GraphQLInputFieldConfigMap,
    });
    const toOrder = (list: readonly Args[] | null | undefined): OrderBy[] =>
      (list ?? []).flatMap((entry) => {
        const given = parts.filter((p) => entry[p.field] !== undefined && entry[p.field] !== null);
        if (given.length !== 1)
          throw new TwingraphError(
            'InvalidArgument',
            `Each orderBy entry names exactly one field (got ${given.map((g) => g.field).join(', ') || 'none'}); give a list to sort by several.`,
          );
        return given[0].translate(entry[given[0].field]);
      });
    return { type, toOrder };
  }

  private writeInputs(model: InterfaceModel, base: string, contents: readonly ContentField[]) {
    const { names } = this.build;
    const properties = contents
      .filter((c): c is ContentField & { content: PropertyContent } => c.content.kind === 'Property')
      .map((c) => ({ ...c, shape: this.propertyShape(c.content) }));
    const components = contents
      .filter((c): c is ContentField & { content: ComponentContent } => c.content.kind === 'Component')
      .map((c) => ({ ...c, types: this.componentTypes_(c.content.schema) }));
    // A model with nothing to set gets no input type (GraphQL forbids empty ones): its create takes no input,
    // and it has no update mutation (patchTwin remains).
    const writable = properties.filter((p) => p.content.writable);
    const settable = components.filter(
      (c): c is typeof c & { types: { input: GraphQLInputObjectType } } => c.types.input !== undefined,
    );
    const create =
      properties.length + settable.length > 0
        ? new GraphQLInputObjectType({
            name: names.take(`${base}CreateInput`),
            description: `The properties and components of a new ${base} twin (${model.id}).`,
            fields: () =>
              Object.fromEntries([
                ...properties.map((p) => [
                  p.field,
                  { type: p.shape.input, description: contentDescription(p.content, model) },
                ]),
                ...settable.map((c) => [c.field, { type: c.types.input }]),
              ]) as GraphQLInputFieldConfigMap,
          })
        : undefined;
    const update =
      writable.length + settable.length > 0
        ? new GraphQLInputObjectType({
            name: names.take(`${base}UpdateInput`),
            description: `Changes to a ${base} twin (${model.id}): the writable properties and the components' properties given are set, those given null are removed, the rest stay. Read-only properties are set with patchTwin.`,
            fields: () =>
              Object.fromEntries([
                ...writable.map((p) => [
                  p.field,
                  { type: p.shape.input, description: contentDescription(p.content, model) },
                ]),
                ...settable.map((c) => [c.field, { type: c.types.input }]),
              ]) as GraphQLInputFieldConfigMap,
          })
        : undefined;
    this.build.created.push(...(create ? [create] : []), ...(update ? [update] : []));
    const toBody = (input: Args): JsonObject => {
      const body: JsonObject = { $metadata: { $model: model.id } };
      for (const p of properties)
        if (input[p.field] !== undefined && input[p.field] !== null)
          body[p.content.name] = p.shape.fromInput(input[p.field]);
      // Every component is part of a twin (ADT requires it, with its $metadata), whether or not it is given.
      for (const c of components)
        body[c.content.name] = {
          $metadata: {},
          ...(input[c.field] !== undefined && input[c.field] !== null && c.types.fromInput(input[c.field] as Args)),
        };
      return body;
    };
    const toPatch = (input: Args, current: Twin): JsonPatch => {
      const patch: JsonPatch = [];
      const set = (path: string, exists: boolean, value: unknown, convert: (v: unknown) => JsonValue): void => {
        if (value === null) {
          if (exists) patch.push({ op: 'remove', path });
        } else if (value !== undefined) patch.push({ op: 'add', path, value: convert(value) });
      };
      for (const p of writable)
        set(`/${p.content.name}`, current[p.content.name] !== undefined, input[p.field], (v) => p.shape.fromInput(v));
      for (const c of settable) {
        const given = input[c.field] as Args | null | undefined;
        if (!given) continue;
        const existing = (current[c.content.name] ?? {}) as Record<string, unknown>;
        if (current[c.content.name] === undefined)
          patch.push({ op: 'add', path: `/${c.content.name}`, value: { $metadata: {} } });
        for (const prop of c.types.properties)
          set(`/${c.content.name}/${prop.name}`, existing[prop.name] !== undefined, given[prop.name], (v) =>
            prop.shape.fromInput(v),
          );
      }
      return patch;
    };
    return { create, update, toBody, toPatch };
  }
}

interface ComponentTypes {
  readonly output: GraphQLObjectType;
  /** Absent when the component's interface has no properties. */
  readonly input?: GraphQLInputObjectType;
  readonly where?: GraphQLInputObjectType;
  readonly order?: GraphQLInputObjectType;
  toFilter(path: PropertyPath, value: Args): Filter[];
  toOrder(path: PropertyPath, value: Args): OrderBy[];
  fromInput(value: Args): Record<string, JsonValue>;
  readonly properties: readonly { name: string; shape: Shape }[];
}
