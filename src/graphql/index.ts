/**
 * The graphql stage: a resolved ModelSet in, a GraphQL schema out (with the payload validators beside it,
 * ./generate/validators.ts). The core schema (type-graphql, built once per set of feature plugins) and the
 * types generated from the models (graphql-js, ./generate) are merged into one GraphQLSchema, with the fields
 * of the plugins that apply to the model set; the whole is rebuilt on every model change and the API swaps
 * the new schema in.
 *
 *   ModelSet ─► names (stable, in upload order) ─► per-model types ─► root fields ─► GraphQLSchema
 */
import {
  GraphQLObjectType,
  GraphQLSchema,
  isObjectType,
  type GraphQLFieldConfigMap,
  type GraphQLNamedType,
} from 'graphql';
import type { InterfaceModel, ModelSet } from '../dtdl';
import type { Twin } from '../store/types';
import { pluginsFor, type SchemaPlugin } from './plugin';
import type { GraphContext } from './graph-context';
import { coreSchema, coreTypes as coreTypesOf } from './core-schema';
import type { SchemaInfo } from './schema-info';
import { contentFieldName, type Build } from './generate/build';
import { ModelTypeBuilder } from './generate/model-types';
import { CORE_TWIN_FIELDS, ModelNamer, NameAllocator, pascalCase } from './generate/names';
import { commandTypes, rootFields, type CommandTypes } from './generate/root-fields';
import { SchemaTypes } from './generate/schema-types';

export type { GraphContext } from './graph-context';
export { schemaInfo, type SchemaInfo, type ModelNames } from './schema-info';
export { coreSchema } from './core-schema';
export type { SchemaPlugin, TwinFieldExtension } from './plugin';

/** What the root types are, for GraphiQL's docs and every client's schema browser. */
const ROOT_DESCRIPTIONS = {
  Query:
    'Reads: twins by id, by model (one list per model, e.g. clients) or by any condition (twins), any object by its global id (node, nodes), relationships, models, the change log.',
  Mutation:
    'Writes: typed per model (create<Model>, update<Model>, <command>On<Model>) or generic in ADT JSON (createTwin, patchTwin, …), relationships, telemetry, models. Each takes ifMatch or ifNoneMatch and returns the new state with its etag.',
  Subscription:
    'Changes as they are committed, over WebSocket (graphql-transport-ws): twins, relationships, telemetry, models, every change, predictions. Resume with since: <seq>.',
} as const;

export interface CompiledSchema {
  readonly schema: GraphQLSchema;
  readonly info: SchemaInfo;
}

/** Models in upload order, each after the models it extends (a model may come in the same upload as its base). */
function dependencyOrder(models: ModelSet, uploadOrder: readonly string[]): InterfaceModel[] {
  const wanted = new Set(uploadOrder);
  const done = new Set<string>();
  const out: InterfaceModel[] = [];
  const visit = (id: string): void => {
    if (done.has(id) || !wanted.has(id)) return;
    done.add(id);
    const model = models.interfaces.get(id);
    if (!model) return;
    for (const ancestor of [...model.ancestors].reverse()) visit(ancestor);
    out.push(model);
  };
  uploadOrder.forEach(visit);
  return out;
}

export interface CompileOptions {
  /** Numbers the uploads (see compileSchema); default: all in one. */
  readonly uploadBatch?: (modelId: string) => number;
  /** The feature plugins the app turned on; those that apply to the model set add their fields. */
  readonly plugins?: readonly SchemaPlugin[];
}

/**
 * Compiles a model set into the API schema. `uploadOrder` lists the top-level models (those twins can have),
 * oldest upload first: it decides who keeps a contested name. `uploadBatch` numbers the uploads (models
 * uploaded together share a number; later uploads have larger ones): a relationship is typed to its target
 * only if the target came with or before it, so that no later upload changes a field's type.
 */
export function compileSchema(
  models: ModelSet,
  uploadOrder: readonly string[],
  options: CompileOptions = {},
): CompiledSchema {
  const { uploadBatch = () => 0, plugins: enabled = [] } = options;
  const plugins = pluginsFor(models, enabled);
  const extensions = plugins.flatMap((p) => p.twinFields ?? []);
  const core = coreSchema(plugins);
  const coreTypes = coreTypesOf(core);
  const allocator = new NameAllocator();
  // Reserve, not take: taking a name the allocator already holds would hand out (and waste) `Twin2`. The
  // names of every enabled plugin's types are reserved, applying or not: a later upload that makes a plugin
  // apply must not take a name from a model type.
  const enabledCore = coreSchema(enabled);
  for (const name of Object.keys(enabledCore.getTypeMap())) if (!allocator.has(name)) allocator.take(name);
  const schemas = new SchemaTypes(coreTypes, allocator);
  const ordered = dependencyOrder(models, uploadOrder);

  const inverse = new Map<string, Set<string>>();
  for (const model of ordered) {
    for (const content of model.contents.values()) {
      if (content.kind !== 'Relationship' || !content.target) continue;
      if (!inverse.has(content.target)) inverse.set(content.target, new Set());
      inverse.get(content.target)!.add(content.name);
    }
  }
  const inverseNames = (id: string): string[] => {
    const model = models.interfaces.get(id);
    const names = new Set<string>();
    for (const of of [id, ...(model?.ancestors ?? [])]) for (const r of inverse.get(of) ?? []) names.add(r);
    return [...names].sort();
  };
  // Fields extensions put on a model and on every model that extends it. Their names are reserved in that
  // lineage: a content of the same name (declared on the model or on a subtype, uploaded now or later) gets a
  // `_` suffix, as one named like a core field does, so that every type of the lineage has the same field.
  const extensionConfigs: GraphQLFieldConfigMap<Twin, GraphContext>[] = [];
  const extensionFields = (model: InterfaceModel): GraphQLFieldConfigMap<Twin, GraphContext> => {
    const fields: GraphQLFieldConfigMap<Twin, GraphContext> = {};
    for (const [i, extension] of extensions.entries()) {
      if (!models.isOf(model.id, extension.modelId)) continue;
      Object.assign(fields, (extensionConfigs[i] ??= extension.fields(coreTypes)));
    }
    return fields;
  };
  const reserved = new Map<string, ReadonlySet<string>>();
  const reservedFields = (model: InterfaceModel): ReadonlySet<string> => {
    let names = reserved.get(model.id);
    if (!names) reserved.set(model.id, (names = new Set(Object.keys(extensionFields(model)))));
    return names;
  };
  // One inverse field name per relationship name, clear of the contents of every model that gets it: chosen
  // per model, a subtype with a content named `hostsInverse` would answer its interface's field differently.
  const inverseTaken = new Map<string, Set<string>>();
  for (const model of ordered) {
    const relationships = inverseNames(model.id);
    if (relationships.length === 0) continue;
    const fields = [...model.contents.values()]
      .filter((c) => c.kind !== 'Command')
      .map((c) => contentFieldName(c.name, reservedFields(model)));
    fields.push(...reservedFields(model));
    for (const r of relationships) {
      if (!inverseTaken.has(r)) inverseTaken.set(r, new Set());
      for (const f of fields) inverseTaken.get(r)!.add(f);
    }
  }
  const inverseFields = new Map<string, string>();
  for (const [r, taken] of inverseTaken) {
    let name = `${r}Inverse`;
    for (let n = 2; taken.has(name) || CORE_TWIN_FIELDS.has(name); n++) name = `${r}Inverse${n}`;
    inverseFields.set(r, name);
  }
  const otherBases = new Map<string, string>();
  const build: Build = {
    models,
    core: coreTypes,
    names: allocator,
    schemas,
    typesOf: new Map(),
    targetKnownAtUpload: (declaredIn, target) => uploadBatch(target) <= uploadBatch(declaredIn),
    inverseNames,
    inverseField: (relationship) => inverseFields.get(relationship) ?? `${relationship}Inverse`,
    baseOf: (id) => {
      let base = otherBases.get(id);
      if (!base) {
        const segments = id
          .replace(/^dtmi:/, '')
          .replace(/;.*$/, '')
          .split(':')
          .filter((s) => !s.startsWith('_'));
        base = pascalCase(segments[segments.length - 1] ?? 'Interface');
        otherBases.set(id, base);
      }
      return base;
    },
    created: [],
    extensionFields,
    reservedFields,
  };
  const builder = new ModelTypeBuilder(build);
  const namer = new ModelNamer(allocator);
  const commands = new Map<string, CommandTypes>();
  for (const model of ordered) {
    const types = builder.model(model, namer.base(model.id));
    build.typesOf.set(model.id, types);
    // Command payload types are named now too, with the model's other types (see commandTypes).
    for (const content of model.contents.values())
      if (content.kind === 'Command' && content.definedIn === model.id)
        commands.set(content.id, commandTypes(schemas, allocator, types.base, content));
  }
  const responders = plugins.flatMap((p) => (p.commandResponses ? [p.commandResponses] : []));
  if (responders.length > 1) throw new Error('graphql: more than one schema plugin answers commands');

  // Interfaces a model uploaded with or before them uses as a component: parts of twins, not twins.
  const components = new Set<string>();
  for (const model of ordered)
    for (const content of model.contents.values())
      if (content.kind === 'Component' && uploadBatch(model.id) <= uploadBatch(content.schema))
        components.add(content.schema);
  const roots = rootFields(
    ordered,
    build.typesOf,
    coreTypes,
    (content) => commands.get(content.id) ?? {},
    enabledCore,
    (id) => components.has(id),
    responders[0],
  );
  const coreQuery = core.getQueryType()!.toConfig();
  const coreMutation = core.getMutationType()!.toConfig();
  const query = new GraphQLObjectType({
    ...coreQuery,
    description: ROOT_DESCRIPTIONS.Query,
    fields: { ...coreQuery.fields, ...roots.query },
  });
  const mutation = new GraphQLObjectType({
    ...coreMutation,
    description: ROOT_DESCRIPTIONS.Mutation,
    fields: { ...coreMutation.fields, ...roots.mutation },
  });
  const coreSubscription = core.getSubscriptionType()!.toConfig();
  const subscription = new GraphQLObjectType({ ...coreSubscription, description: ROOT_DESCRIPTIONS.Subscription });
  const rootTypes = new Set(['Query', 'Mutation', 'Subscription']);
  const coreNamed = Object.values(core.getTypeMap()).filter(
    (t: GraphQLNamedType) => !rootTypes.has(t.name) && !t.name.startsWith('__'),
  );
  const fieldNames = new Map<string, ReadonlyMap<string, string>>();
  for (const [id, types] of build.typesOf) fieldNames.set(id, types.fields);
  const info: SchemaInfo = {
    models,
    names: roots.names,
    fieldOf: (modelId, content) => fieldNames.get(modelId)?.get(content),
  };
  const schema = new GraphQLSchema({
    query,
    mutation,
    subscription,
    types: [...coreNamed, ...build.created, ...schemas.created],
    extensions: { twingraph: info },
  });
  return { schema, info };
}

/** The twin types a schema resolves, for checks: every generated object type implements Twin. */
export function twinObjectTypes(schema: GraphQLSchema): GraphQLObjectType[] {
  const twin = schema.getType('Twin');
  return Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType =>
      isObjectType(t) && twin !== undefined && t.getInterfaces().some((i) => i.name === 'Twin'),
  );
}
