/**
 * What a feature module (the analytics, the mirror) adds to the GraphQL schema, so that the generic schema knows
 * no feature and no domain: `compileSchema(models, order, { plugins })` and `coreSchema(plugins)` take the
 * plugins the app turned on, and a plugin whose `appliesTo` refuses a model set (the demo's predictions on a
 * model set without the demo's models) adds nothing to that schema.
 *
 * A plugin brings type-graphql resolver classes (its root fields and its own types), graphql-js fields for core
 * object types (`MetricSeries.forecast`), and fields on models' types (TwinFieldExtension, below). Its
 * per-request services reach its resolvers through `GraphContext.features[plugin name]`.
 *
 * Twin field extensions: an extension names a model; its fields go on that model's interface and object
 * type and on those of every model that extends it (so a query valid on the base stays valid on subtypes).
 * Its field names are reserved in that lineage: a content with one of them, declared on the model or on any
 * subtype, gets a `_` suffix (`kpis_`), as a content named like a core twin field does. Every type of the
 * lineage then has the same field under the name (GraphQL requires it of an interface's implementations),
 * and since the rule depends only on the model and its ancestors, a later upload never renames a field.
 */
import type { GraphQLFieldConfigMap } from 'graphql';
import type { ModelSet } from '../dtdl';
import type { Twin } from '../store/types';
import type { GraphContext } from './graph-context';
import type { CoreTypes } from './generate/schema-types';

export interface TwinFieldExtension {
  /** The DTMI whose twins (and whose subtypes' twins) get the fields. */
  readonly modelId: string;
  readonly fields: (core: CoreTypes) => GraphQLFieldConfigMap<Twin, GraphContext>;
}

/** A resolver class of type-graphql (decorated with @Resolver). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's own type for classes
export type ResolverClass = Function;

export interface SchemaPlugin {
  /** The feature's name: also its key in `GraphContext.features`. */
  readonly name: string;
  /**
   * Whether the plugin's fields belong in the schema of this model set (default: always). The names of its
   * types stay reserved either way, so that a model uploaded later that makes it apply renames nothing.
   */
  appliesTo?(models: ModelSet): boolean;
  /** type-graphql resolvers: the plugin's root fields and the field resolvers of its own types. */
  readonly resolvers?: readonly ResolverClass[];
  /** type-graphql classes that no resolver reaches but the plugin's graphql-js fields name. */
  readonly types?: readonly ResolverClass[];
  /** Fields added to core object types, by type name (e.g. `MetricSeries`). */
  readonly coreFields?: Readonly<Record<string, (core: CoreTypes) => GraphQLFieldConfigMap<unknown, GraphContext>>>;
  /** Fields added to the types of a model and of every model extending it. */
  readonly twinFields?: readonly TwinFieldExtension[];
}

/** The plugins whose fields belong in the schema of `models`. */
export function pluginsFor(models: ModelSet, plugins: readonly SchemaPlugin[]): SchemaPlugin[] {
  return plugins.filter((p) => p.appliesTo?.(models) ?? true);
}

/**
 * The per-request services of a plugin, from the context: a resolver of the plugin asks for its own, which is
 * there whenever its fields are (the app opens every feature whose plugin it compiles with).
 */
export function featureContext<T>(ctx: GraphContext, name: string): T {
  const found = ctx.features[name];
  if (found === undefined) throw new Error(`the ${name} feature is not running, yet its fields are in the schema`);
  return found as T;
}
