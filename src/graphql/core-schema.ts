/**
 * The core schema: the type-graphql classes of the core entities and of the plugins that apply, built once per
 * set of plugins, then merged with each model set's generated types (./index.ts). Its type objects are shared
 * by every schema built from it. Plugins' graphql-js fields on core types (MetricSeries.forecast) are added
 * with graphql-tools' mapSchema, which rewires every reference to the extended type.
 */
import 'reflect-metadata';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLInterfaceType, GraphQLObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { CORE_ORPHAN_TYPES, CORE_RESOLVERS, CORE_TYPE_RESOLVERS } from './core-entities';
import type { CoreTypes } from './generate/schema-types';
import type { ResolverClass, SchemaPlugin } from './plugin';
import { DateScalar, DateTimeScalar, DurationScalar, LongScalar, TimeScalar } from './scalars';

const built = new Map<string, { readonly plugins: readonly SchemaPlugin[]; readonly schema: GraphQLSchema }>();

/** The core schema with the given plugins' types and fields (the same object for the same plugins). */
export function coreSchema(plugins: readonly SchemaPlugin[] = []): GraphQLSchema {
  const key = plugins.map((p) => p.name).join('\n');
  const cached = built.get(key);
  if (cached) {
    // Keyed by name for speed (every compile asks); two plugins of one name would share a wrong schema.
    if (cached.plugins.some((p, i) => p !== plugins[i]))
      throw new Error(`graphql: two different schema plugins are named ${key.replace(/\n/g, ', ')}`);
    return cached.schema;
  }
  const schema = buildCoreSchema(plugins);
  built.set(key, { plugins: [...plugins], schema });
  return schema;
}

function buildCoreSchema(plugins: readonly SchemaPlugin[]): GraphQLSchema {
  const schema = buildSchemaSync({
    resolvers: [...CORE_RESOLVERS, ...plugins.flatMap((p) => p.resolvers ?? [])] as [ResolverClass, ...ResolverClass[]],
    // Types the generated part uses (filters, command results) though no core field does.
    orphanedTypes: [...plugins.flatMap((p) => p.types ?? []), ...CORE_ORPHAN_TYPES],
    validate: false,
    // type-graphql would run the whole introspection query over the result to check it (about 50 ms a build,
    // two builds a start): every schema made from it is checked by graphql-js' validateSchema before use
    // (the model service refuses one that fails), which reads the same fields, arguments and interfaces.
    skipCheck: true,
    // Every subscription here brings its own `subscribe` (the change feed); type-graphql still wants a PubSub.
    pubSub: {
      publish: () => {
        throw new Error('Twingraph subscriptions read the change feed; nothing publishes to a PubSub.');
      },
      subscribe: () => {
        throw new Error('Twingraph subscriptions read the change feed; nothing subscribes to a PubSub.');
      },
    },
  });
  // type-graphql wraps an interface's resolveType in an async function, so graphql-js completed every twin of a
  // list through a promise of its type name (a thousand for a batch write's answer, a page's worth for every
  // query). The core interfaces' own resolvers are synchronous: they are put back as they are.
  for (const [name, resolveType] of Object.entries(CORE_TYPE_RESOLVERS)) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLInterfaceType)) throw new Error(`graphql: the core schema has no interface ${name}`);
    type.resolveType = resolveType;
  }
  const extensions = plugins.filter((p) => p.coreFields);
  if (extensions.length === 0) return schema;
  const core = coreTypes(schema);
  return mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      const added = extensions.map((p) => p.coreFields?.[type.name]).filter((f) => f !== undefined);
      if (added.length === 0) return type;
      const config = type.toConfig();
      return new GraphQLObjectType({
        ...config,
        fields: () => Object.assign({ ...config.fields }, ...added.map((fields) => fields(core))),
      });
    },
  });
}

/** Scalars for DTDL schemas that no core field uses, so the core schema does not hold them. */
const STANDALONE_SCALARS: Record<string, GraphQLNamedType> = {
  Date: DateScalar,
  Time: TimeScalar,
  Duration: DurationScalar,
  Long: LongScalar,
  DateTime: DateTimeScalar,
};

/** The core schema's types by name, for the generated types and the plugins' fields to refer to. */
export function coreTypes(schema: GraphQLSchema): CoreTypes {
  return {
    schema,
    named: <T>(name: string): T => {
      const type = schema.getType(name) ?? STANDALONE_SCALARS[name];
      if (!type) throw new Error(`graphql: the core schema has no type ${name}`);
      return type as T;
    },
  };
}
