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
 * Command responses: a plugin that carries commands to their executors (the devices feature, over MQTT) may
 * answer for the generated command mutations (`<command>On<Model>`) of Commands that declare a `response`.
 * Those mutations then take a `timeoutSeconds`, record the invocation as always, wait for the answer through
 * the plugin, and return `<Model><Command>Result`: the invocation's fields, the answer typed by the response
 * schema, and the plugin's fields saying how the command ended. Without such a plugin they return
 * `CommandInvocation` as other command mutations do. The result types' names are taken either way, so that
 * turning the plugin on or off renames nothing.
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
import type { JsonValue, Twin } from '../store/types';
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

/** A command invocation a generated mutation recorded (its Command.Invoke change). */
export interface CommandCall {
  readonly seq: number;
  readonly twinId: string;
  /** The model whose mutation it is (the twin's model is it, or extends it). */
  readonly modelId: string;
  readonly command: string;
  readonly request: JsonValue | undefined;
}

/** What a command's executor answered, and the plugin's own account of how the command ended. */
export interface CommandAnswer {
  /** The answer as the executor sent it (DTDL values), null when there is none. */
  readonly response: JsonValue | null;
  readonly [outcome: string]: unknown;
}

export interface CommandResponses {
  /** Fields of every command result saying how it ended (besides the typed `response`), read from the CommandAnswer. */
  readonly outcomeFields: (core: CoreTypes) => GraphQLFieldConfigMap<CommandAnswer, GraphContext>;
  /** What the mutations' `timeoutSeconds` argument means (its default, its limits). */
  readonly timeoutDescription: string;
  /**
   * How to wait for the answer to an invocation about to be recorded: called before it is, so that a wrong
   * `timeoutSeconds` (as given; null for the plugin's default) is refused with nothing recorded.
   */
  waitFor(ctx: GraphContext, timeoutSeconds: number | null): (call: CommandCall) => Promise<CommandAnswer>;
}

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
  /** Answers for the command mutations of Commands that declare a response (at most one plugin). */
  readonly commandResponses?: CommandResponses;
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
