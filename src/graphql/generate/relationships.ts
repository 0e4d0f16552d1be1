/**
 * Relationships on a model's types. A DTDL relationship becomes a connection field typed to its target
 * (or to any Twin, see Build.targetKnownAtUpload), its edges carrying the relationship with its own
 * properties; the types are built once per declared relationship (`ClientHasEngagementConnection`,
 * `…Edge`, `…Relationship`, `…RelationshipWhere`, `…Filter`), shared by the declaring model and its subtypes.
 * Here too: the `{ some, none, all, edge }` part of a model's where input, the inverse fields (`hostsInverse`)
 * on every model a relationship name can point at, and the paging of related twins, batched across parents.
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
  type GraphQLInputType,
  type GraphQLResolveInfo,
} from 'graphql';
import type { RelationshipContent } from '../../dtdl';
import {
  checkPageSize,
  encodeCursor,
  MAX_PAGE_SIZE,
  orderingOf,
  planPage,
  valueAt,
  type Filter,
  type Hop,
  type OrderBy,
} from '../../store/query';
import type { Relationship, Twin } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { connection, DEFAULT_PAGE_SIZE, pageOf, type ConnectionValue } from '../paging';
import { relationshipFields } from '../relationship/relationship.type';
import type { TwinOrderBy, TwinWhere } from '../twin/twin.type';
import { twinOrder, twinWhereFilter } from '../twin/twin-where';
import { langDescription, ownerBase, TWIN_ID_PATH, type Args, type Build, type ModelTypes } from './build';
import { CONNECTION_FIELDS, PAGE_ARGS } from '../descriptions';
import { modelRef, type ModelRef } from '../model-refs';
import { allOf } from './filters';
import { pascalCase } from './names';
import { oncePerOperation } from './per-operation';
import { connectionSelection } from './selection';
import { describe } from './schema-types';
import { RELATIONSHIP_WHERE_TAKEN, whereInput, whereKey, type WhereInput, type WherePart } from './where';

interface RelationshipTypes {
  readonly connection: GraphQLObjectType;
  readonly filter: GraphQLInputObjectType;
  /** Absent when the relationship has no property to filter on. */
  readonly edgeWhere?: WhereInput;
}

/** What the related twins of a relationship are typed as: its target model's types, or any Twin. */
interface TargetTypes {
  readonly output: GraphQLInterfaceType;
  readonly where: GraphQLInputType;
  readonly order: GraphQLInputType;
}

const pageArgs = (): GraphQLFieldConfigArgumentMap => ({
  first: {
    type: GraphQLInt,
    description: `At most this many (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
  },
  after: { type: GraphQLString, description: PAGE_ARGS.after },
  last: { type: GraphQLInt, description: PAGE_ARGS.last },
  before: { type: GraphQLString, description: PAGE_ARGS.before },
});

type Neighbor = { readonly twin: Twin; readonly relationship: Relationship };
type RelatedValue = ConnectionValue<Twin> & { edges: { cursor: string; node: Twin; relationship: Relationship }[] };

/**
 * The first page of one parent's related twins, as the connection type reads it. Everything is made when a
 * client selects it (getters, which GraphQL's default resolver reads): a nested list inside a page of parents
 * is shown far more often than it is paged, and an edge object and a cursor per related twin (a JSON text
 * and its base64) were a visible share of a traversal.
 */
class FirstPage implements RelatedValue {
  constructor(
    private readonly found: readonly Neighbor[],
    private readonly first: number,
    /** Whether one more than `first` was read: without it, whether more exist is not known. */
    private readonly readMore: boolean,
    private readonly orderBy: readonly OrderBy[],
    private readonly parentId: string,
    private readonly hop: Hop,
    private readonly ctx: GraphContext,
  ) {}

  /** The page's neighbours (the one more than `first` read, if any, left out). */
  private get items(): readonly Neighbor[] {
    return this.found.length > this.first ? this.found.slice(0, this.first) : this.found;
  }

  get nodes(): Twin[] {
    return this.items.map((n) => n.twin);
  }

  get edges(): { cursor: string; node: Twin; relationship: Relationship }[] {
    return this.items.map((n) => new RelatedEdge(this, n));
  }

  get pageInfo(): ConnectionValue<Twin>['pageInfo'] {
    const items = this.items;
    const cursorAt = (i: number): string | null => (items.length > 0 ? this.cursorOf(items[i].twin) : null);
    // One more than shown was read whenever hasNextPage is selected (see relatedConnection).
    return {
      hasNextPage: this.readMore && this.found.length > this.first,
      hasPreviousPage: false,
      get startCursor(): string | null {
        return cursorAt(0);
      },
      get endCursor(): string | null {
        return cursorAt(items.length - 1);
      },
    };
  }

  totalCount(): Promise<number> {
    return this.ctx.twins.neighborCount(this.parentId, this.hop);
  }

  cursorOf(twin: Twin): string {
    return encodeCursor([...this.orderBy.map((o) => valueAt(twin, o.path)), twin.$dtId], orderingOf(this.orderBy));
  }
}

class RelatedEdge {
  readonly node: Twin;
  readonly relationship: Relationship;

  constructor(
    private readonly page: FirstPage,
    neighbor: Neighbor,
  ) {
    this.node = neighbor.twin;
    this.relationship = neighbor.relationship;
  }

  get cursor(): string {
    return this.page.cursorOf(this.node);
  }
}

/**
 * A connection of related twins. A plain first page (the common case inside lists) is batched across every
 * parent with one store call per level, reading one more than `first` when pageInfo's hasNextPage is selected,
 * to know whether more exist; paging on with a cursor, or backwards, reads per parent.
 */
async function relatedConnection(
  twin: Twin,
  hop: Hop,
  orderBy: readonly OrderBy[],
  args: Args,
  ctx: GraphContext,
  info: GraphQLResolveInfo,
): Promise<RelatedValue> {
  if (args.after == null && args.before == null && args.last == null) {
    const first = (args.first as number | null | undefined) ?? DEFAULT_PAGE_SIZE;
    // The root lists' rule for `first`, checked here: the batched read may ask for one more, which would take
    // -1 as 0 and refuse 1000 as 1001.
    checkPageSize('first', first);
    if (first < MAX_PAGE_SIZE) {
      const readMore = connectionSelection(info).hasNextPage;
      const found = await ctx.twins.neighbors(twin.$dtId, hop, readMore ? first + 1 : first, orderBy);
      return new FirstPage(found, first, readMore, orderBy, twin.$dtId, hop, ctx);
    }
  }
  const page = pageOf(args as Parameters<typeof pageOf>[0]);
  planPage({ ...page, orderBy });
  const count = (): Promise<number> => ctx.twins.neighborCount(twin.$dtId, hop);
  const result = await ctx.twins.traverse({
    from: { path: TWIN_ID_PATH, op: 'eq', value: twin.$dtId },
    hops: [hop],
    orderBy,
    ...page,
  });
  const base = connection(result, count);
  // No edge's relationship is selected (the hop says so, ./selection.ts): none is read, and none is asked for.
  if (hop.withRelationships === false) return base as RelatedValue;
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
  // Each edge's cursor stays as lazy as the page's (a getter, which a spread would read).
  const edges = base.edges.map((e) => ({
    get cursor(): string {
      return e.cursor;
    },
    node: e.node,
    relationship: relationshipTo(e.node)!,
  }));
  return { ...base, edges };
}

/** A connection's hop as read with its relationships and without them, frozen (their batch keys are made once). */
interface BothHops {
  readonly all: Hop;
  readonly twinsOnly: Hop;
}

function bothHops(hop: Hop): BothHops {
  const all = Object.freeze(hop);
  return { all, twinsOnly: Object.freeze({ ...all, withRelationships: false }) };
}

/**
 * The hop this place in the operation reads: the selection is worked out per place (./selection.ts), as
 * fields merged under one response key select together, so it is never part of what is made once.
 */
function hopFor(hops: BothHops, info: GraphQLResolveInfo): Hop {
  return connectionSelection(info).relationships ? hops.all : hops.twinsOnly;
}

/**
 * A filtered or ordered connection's hops and order, frozen: they depend on its arguments alone, so they are
 * made once per operation (./per-operation.ts), and their batch keys once too.
 */
function frozenRead(hop: Hop, orderBy: OrderBy[]): BothHops & { readonly orderBy: readonly OrderBy[] } {
  return { ...bothHops(hop), orderBy: Object.freeze(orderBy) };
}

/** The two hops of a connection asked with no where, edge or orderBy (its usual form), made once per field. */
function plainHops(make: () => Hop): (info: GraphQLResolveInfo) => Hop {
  let hops: BothHops | undefined;
  return (info) => hopFor((hops ??= bothHops(make())), info);
}

const NO_ORDER: OrderBy[] = [];

export class RelationshipTypeBuilder {
  private readonly built = new Map<string, RelationshipTypes>();
  /** Model names in generic (`TwinWhere`) conditions, resolved against the model set being compiled. */
  private readonly models: ModelRef;

  constructor(private readonly build: Build) {
    this.models = modelRef(build.models, () =>
      [...build.typesOf.values()].map((t) => ({ id: t.id, interfaceType: t.iface.name, objectType: t.object.name })),
    );
  }

  /** The types of one declared relationship (shared by the declaring model and its subtypes), built on first use. */
  types(content: RelationshipContent): RelationshipTypes {
    const key = `${content.definedIn}\n${content.name}`;
    let types = this.built.get(key);
    if (types) return types;
    const { names, core, schemas } = this.build;
    const prefix = `${ownerBase(this.build, content.definedIn)}${pascalCase(content.name)}`;
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
          description: describe(langDescription(property), `DTDL property '${property.name}' of the relationship.`),
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
      interfaces: () => [core.named<GraphQLInterfaceType>('Node')],
      fields: relationshipFieldsConfig,
    });
    const target = (): TargetTypes => this.targetTypes(content);
    const edge = new GraphQLObjectType({
      name: names.take(`${prefix}Edge`),
      description: `A twin a ${content.name} relationship of ${content.definedIn} points at, with the relationship.`,
      fields: () => ({
        cursor: { type: new GraphQLNonNull(GraphQLString), description: CONNECTION_FIELDS.cursor },
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
        edges: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edge))),
          description: 'The related twins of this page, each with its cursor and the relationship.',
        },
        nodes: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(target().output))),
          description: 'The related twins of this page.',
        },
        pageInfo: {
          type: new GraphQLNonNull(core.named<GraphQLObjectType>('PageInfo')),
          description: CONNECTION_FIELDS.pageInfo,
        },
        totalCount: { type: GraphQLInt, description: CONNECTION_FIELDS.totalCount, resolve: (c) => c.totalCount() },
      }),
    });
    const filterable = props.filter((p) => p.shape.filter);
    const edgeWhere = filterable.length
      ? whereInput(this.build, {
          name: `${prefix}RelationshipWhere`,
          description: `Conditions on the properties of ${content.name} relationships (${content.definedIn}).`,
          id: { path: ['$relationshipId'], description: 'The $relationshipId.' },
          parts: filterable.map(({ property, shape }) => ({
            field: whereKey(property.name, RELATIONSHIP_WHERE_TAKEN),
            type: () => shape.filter!,
            translate: (v: Args) => shape.toFilter!([property.name], v),
          })),
        })
      : undefined;
    const filter = new GraphQLInputObjectType({
      name: names.take(`${prefix}Filter`),
      description: `Twins by their ${content.name} relationships (${content.definedIn}): some, none or all of the related twins match.`,
      fields: () => ({
        some: { type: target().where, description: 'At least one related twin matches.' },
        none: { type: target().where, description: 'No related twin matches.' },
        all: { type: target().where, description: 'Every related twin matches (true when there are none).' },
        ...(edgeWhere && {
          edge: { type: edgeWhere.type, description: 'Only relationships whose properties match count.' },
        }),
      }),
    });
    this.build.created.push(relationshipType, edge, connectionType, filter, ...(edgeWhere ? [edgeWhere.type] : []));
    types = { connection: connectionType, filter, ...(edgeWhere && { edgeWhere }) };
    this.built.set(key, types);
    return types;
  }

  /** The connection field of a relationship on the types of the models that have it. */
  field(content: RelationshipContent, description: string | undefined): GraphQLFieldConfig<Twin, GraphContext> {
    const types = this.types(content);
    const target = this.targetTypes(content);
    const plain = plainHops(() => {
      const where = this.targetFilter(content, undefined);
      return { direction: 'out', names: [content.name], ...(where && { where }) };
    });
    return {
      type: new GraphQLNonNull(types.connection),
      description,
      args: {
        where: { type: target.where, description: 'Conditions on the related twins.' },
        ...(types.edgeWhere && {
          edge: { type: types.edgeWhere.type, description: 'Conditions on the relationships.' },
        }),
        orderBy: { type: new GraphQLList(new GraphQLNonNull(target.order)), description: PAGE_ARGS.orderBy },
        ...pageArgs(),
      },
      resolve: (twin, args, ctx, info) => {
        if (args.where == null && args.edge == null && args.orderBy == null)
          return relatedConnection(twin, plain(info), NO_ORDER, args, ctx, info);
        const read = oncePerOperation(info, () => {
          const where = this.targetFilter(content, args.where as Args);
          const edge = types.edgeWhere?.toFilter(args.edge as Args);
          return frozenRead(
            { direction: 'out', names: [content.name], ...(where && { where }), ...(edge && { edge }) },
            this.targetOrder(content, args.orderBy as Args[]),
          );
        });
        return relatedConnection(twin, hopFor(read, info), read.orderBy, args, ctx, info);
      },
    };
  }

  /**
   * The relationship's field in its model's where input: `some`, `none`, `all` of the related twins match,
   * optionally counting only the relationships whose properties match `edge` (alone, it means `some`). Its
   * types are named now, with the model's other types: named while the schema collects its types, after
   * every model's eager names, they could lose their names to a model uploaded later (a breaking rename).
   */
  wherePart(content: RelationshipContent, field: string): WherePart {
    const types = this.types(content);
    return {
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
    };
  }

  /** The inverse fields of a model: for each relationship name that can point at it, the twins that do. */
  inverseFields(
    inverses: readonly { relationship: string; field: string }[],
  ): GraphQLFieldConfigMap<Twin, GraphContext> {
    const { core } = this.build;
    const out: GraphQLFieldConfigMap<Twin, GraphContext> = {};
    for (const { relationship, field } of inverses) {
      const plain = plainHops(() => ({ direction: 'in', names: [relationship] }));
      out[field] = {
        type: new GraphQLNonNull(core.named<GraphQLObjectType>('TwinConnection')),
        description: `Twins whose ${relationship} relationships point at this one.`,
        args: {
          where: { type: core.named<GraphQLInputType>('TwinWhere'), description: 'Conditions on the twins.' },
          orderBy: {
            type: new GraphQLList(new GraphQLNonNull(core.named<GraphQLInputType>('TwinOrderBy'))),
            description: PAGE_ARGS.orderBy,
          },
          ...pageArgs(),
        },
        resolve: (twin, args, ctx, info) => {
          if (args.where == null && args.orderBy == null)
            return relatedConnection(twin, plain(info), NO_ORDER, args, ctx, info);
          const read = oncePerOperation(info, () => {
            const where = twinWhereFilter(args.where as TwinWhere, this.models);
            return frozenRead(
              { direction: 'in', names: [relationship], ...(where && { where }) },
              twinOrder(args.orderBy as TwinOrderBy[]),
            );
          });
          return relatedConnection(twin, hopFor(read, info), read.orderBy, args, ctx, info);
        },
      };
    }
    return out;
  }

  /** The target model's types, when the relationship is typed to it (see Build.targetKnownAtUpload). */
  private typedTarget(content: RelationshipContent): ModelTypes | undefined {
    if (!content.target || !this.build.targetKnownAtUpload(content.definedIn, content.target)) return undefined;
    return this.build.typesOf.get(content.target);
  }

  /** The target's interface type, or Twin when the relationship has no target among the top-level models. */
  private targetTypes(content: RelationshipContent): TargetTypes {
    const target = this.typedTarget(content);
    if (target) return { output: target.iface, where: target.where, order: target.orderBy };
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
      ...[target ? target.toFilter(where) : twinWhereFilter(where as TwinWhere, this.models)].filter(
        (f): f is Filter => f !== undefined,
      ),
    ]);
  }

  private targetOrder(content: RelationshipContent, orderBy: readonly Args[] | null | undefined): OrderBy[] {
    const target = this.typedTarget(content);
    return target ? target.toOrder(orderBy) : twinOrder(orderBy as unknown as TwinOrderBy[]);
  }
}
