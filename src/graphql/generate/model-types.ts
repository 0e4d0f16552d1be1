/**
 * The GraphQL types of one model, assembled: an interface (its twins and its subtypes' twins: what fields,
 * queries and fragments use) and an object type beside it (its own twins), a connection, and the inputs the
 * builders beside this file make. Contents become fields: properties typed by their schema, telemetry as
 * metric series, components as nested objects (./components.ts), relationships as connections typed to their
 * target (./relationships.ts), and for every relationship name that can point at the model, an inverse
 * field. Inherited contents come with `extends`, which also becomes GraphQL interface inheritance. The
 * where (./where.ts), order (./order-by.ts) and write inputs (./inputs.ts) follow, in that order.
 */
import {
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { InterfaceModel } from '../../dtdl';
import { TwingraphError } from '../../errors';
import type { Twin } from '../../store/types';
import type { GraphContext } from '../graph-context';
import type { ConnectionValue } from '../paging';
import { schemaInfo } from '../schema-info';
import { twinCoreFields } from '../twin/twin.type';
import {
  contentDescription,
  contentFieldName,
  langDescription,
  propertyShape,
  type Build,
  type ContentField,
  type ModelTypes,
} from './build';
import { ComponentTypeBuilder } from './components';
import { writeInputs } from './inputs';
import { modelOrderInput } from './order-by';
import { RelationshipTypeBuilder } from './relationships';
import { CONNECTION_FIELDS } from '../descriptions';
import { article, withArticle } from './names';
import { describe } from './schema-types';
import { modelWhereInput } from './where';

type Resolver = GraphQLFieldConfig<Twin, GraphContext>['resolve'];

export class ModelTypeBuilder {
  private readonly components: ComponentTypeBuilder;
  private readonly relationships: RelationshipTypeBuilder;

  constructor(private readonly build: Build) {
    this.components = new ComponentTypeBuilder(build);
    this.relationships = new RelationshipTypeBuilder(build);
  }

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
      ...this.relationships.inverseFields(inverses),
    });
    const ancestors = (): GraphQLInterfaceType[] => [
      core.named<GraphQLInterfaceType>('Node'),
      core.named<GraphQLInterfaceType>('Twin'),
      ...model.ancestors
        .map((a) => this.build.typesOf.get(a)?.iface)
        .filter((t): t is GraphQLInterfaceType => t !== undefined),
    ];
    // The object type of each model id already resolved, per schema (every twin of a page asks); the last
    // schema's map at hand, as nearly every operation runs on the newest schema.
    const resolved = new WeakMap<GraphQLSchema, Map<string, string>>();
    let lastSchema: GraphQLSchema | undefined;
    let lastResolved: Map<string, string> | undefined;
    const iface: GraphQLInterfaceType = new GraphQLInterfaceType({
      name: base,
      description: describe(modelDescription, `Twins of ${model.id} and of every model that extends it.`),
      interfaces: ancestors,
      fields: fieldConfigs,
      resolveType: (value: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
        const modelId = (value as Twin).$metadata?.$model;
        let known = info.schema === lastSchema ? lastResolved : resolved.get(info.schema);
        const hit = known?.get(modelId);
        if (hit !== undefined) return hit;
        const name = schemaInfo(info.schema)?.names.get(modelId)?.objectType;
        const type = name ? info.schema.getType(name) : undefined;
        if (!type || !info.schema.isSubType(iface, type as GraphQLObjectType)) {
          throw new TwingraphError(
            'ValidationFailed',
            `Twin '${(value as Twin).$dtId}' of model ${modelId} is not ${withArticle(base)} (${model.id}).`,
            { twinId: (value as Twin).$dtId, modelId },
          );
        }
        if (!known) resolved.set(info.schema, (known = new Map()));
        known.set(modelId, name!);
        lastSchema = info.schema;
        lastResolved = known;
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
      description: `${article(base) === 'an' ? 'An' : 'A'} ${base} twin (${model.id}) in a connection, with its cursor.`,
      fields: {
        cursor: { type: new GraphQLNonNull(GraphQLString), description: CONNECTION_FIELDS.cursor },
        node: { type: new GraphQLNonNull(iface), description: 'The twin.' },
      },
    });
    const connectionType = new GraphQLObjectType<ConnectionValue<Twin>, GraphContext>({
      name: names.take(`${base}Connection`),
      description: `A page of ${base} twins (${model.id} and the models that extend it).`,
      fields: {
        edges: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edge))),
          description: CONNECTION_FIELDS.edges,
        },
        nodes: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(iface))),
          description: 'The twins of this page.',
        },
        pageInfo: {
          type: new GraphQLNonNull(core.named<GraphQLObjectType>('PageInfo')),
          description: CONNECTION_FIELDS.pageInfo,
        },
        totalCount: {
          type: GraphQLInt,
          description: CONNECTION_FIELDS.totalCount,
          resolve: (c) => c.totalCount(),
        },
      },
    });
    // The inputs name their types (and their parts') in this order, as they always have: see ./build.ts.
    const component = (interfaceId: string) => this.components.types(interfaceId);
    const where = modelWhereInput(this.build, model, base, contents, {
      component,
      relationship: (content, field) => this.relationships.wherePart(content, field),
    });
    const order = modelOrderInput(this.build, model, base, contents, component);
    const inputs = writeInputs(this.build, model, base, contents, component);
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
          const shape = propertyShape(this.build, content);
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
            type: this.components.types(content.schema).output,
            description,
            resolve: (t) => t[content.name] ?? null,
          };
          break;
        case 'Relationship':
          out[field] = this.relationships.field(content, description);
          break;
      }
    }
    return out;
  }
}
