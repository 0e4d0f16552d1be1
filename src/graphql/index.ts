/**
 * The compile stage: a resolved ModelSet in, a GraphQL schema out (with the payload validators beside it,
 * ./validators.ts). The core schema (type-graphql, built once) and the types generated here from the models
 * (graphql-js) are merged into one GraphQLSchema; the generated part is rebuilt on every model change and
 * the API swaps the new schema in.
 *
 *   ModelSet ─► names (stable, in upload order) ─► per-model types ─► root fields ─► GraphQLSchema
 */
import {
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  isObjectType,
  type GraphQLFieldConfigMap,
  type GraphQLInputType,
  type GraphQLNamedType,
} from 'graphql';
import type { CommandContent, InterfaceModel, ModelSet } from '../dtdl';
import { TwingraphError } from '../errors';
import type { Filter } from '../store/query';
import type { JsonValue, Twin } from '../store/types';
import { ANALYTICS_FIELDS } from '../analytics/graphql/twin-fields';
import type { TwinFieldExtension } from './plugin';
import type { GraphContext } from './graph-context';
import { coreSchema } from './core-schema';
import { schemaInfo as readSchemaInfo, type ModelNames, type SchemaInfo } from './schema-info';
import { connection } from './core/values';
import { allOf } from './generate/filters';
import { contentFieldName, ModelTypeBuilder, type Build } from './generate/model-types';
import { camelCase, CORE_TWIN_FIELDS, ModelNamer, NameAllocator, pascalCase, plural } from './generate/names';
import { DateScalar, DateTimeScalar, DurationScalar, LongScalar, TimeScalar } from './scalars';
import { describe, langText, SchemaTypes, type CoreTypes, type Shape } from './generate/schema-types';

export type { GraphContext } from './graph-context';
export { schemaInfo, type SchemaInfo, type ModelNames } from './schema-info';
export { coreSchema } from './core-schema';

export interface CompiledSchema {
  readonly schema: GraphQLSchema;
  readonly info: SchemaInfo;
}

type Args = Record<string, unknown>;

/** Scalars for DTDL schemas that no core field uses, so the core schema does not hold them. */
const STANDALONE_SCALARS: Record<string, GraphQLNamedType> = {
  Date: DateScalar,
  Time: TimeScalar,
  Duration: DurationScalar,
  Long: LongScalar,
  DateTime: DateTimeScalar,
};

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

function isOf(models: ModelSet, modelId: string, of: string): boolean {
  return modelId === of || (models.interfaces.get(modelId)?.ancestors.includes(of) ?? false);
}

function ifNoneMatch(only: unknown): { ifNoneMatch?: '*' } {
  return only ? { ifNoneMatch: '*' } : {};
}

function ifMatch(etag: unknown): { ifMatch?: string } {
  return typeof etag === 'string' && etag.length > 0 ? { ifMatch: etag } : {};
}

function paged(args: Args): Args {
  const page = Object.fromEntries(
    ['first', 'after', 'last', 'before'].filter((k) => args[k] != null).map((k) => [k, args[k]]),
  );
  return page.first === undefined && page.last === undefined ? { ...page, first: 100 } : page;
}

/**
 * The shape of a command's request payload. Called first while the model's types are built: named only when
 * the root fields are, after every model's types, its types could lose their names to a model uploaded later.
 */
function requestShape(schemas: SchemaTypes, base: string, command: CommandContent): Shape | undefined {
  return command.request
    ? schemas.shape(command.request.schema, `${base}${pascalCase(command.name)}Request`)
    : undefined;
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
  uploadBatch: (modelId: string) => number = () => 0,
  extensions: readonly TwinFieldExtension[] = ANALYTICS_FIELDS,
): CompiledSchema {
  const core = coreSchema();
  const coreTypes: CoreTypes = {
    schema: core,
    named: <T>(name: string): T => {
      const type = core.getType(name) ?? STANDALONE_SCALARS[name];
      if (!type) throw new Error(`compile: the core schema has no type ${name}`);
      return type as T;
    },
  };
  const allocator = new NameAllocator();
  // Reserve, not take: taking a name the allocator already holds would hand out (and waste) `Twin2`.
  for (const name of Object.keys(core.getTypeMap())) if (!allocator.has(name)) allocator.take(name);
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
      if (extension.modelId !== model.id && !model.ancestors.includes(extension.modelId)) continue;
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
  for (const model of ordered) {
    const types = builder.model(model, namer.base(model.id));
    build.typesOf.set(model.id, types);
    // Command payload types are named now too, with the model's other types (see requestShape).
    for (const content of model.contents.values())
      if (content.kind === 'Command' && content.definedIn === model.id) requestShape(schemas, types.base, content);
  }

  // Root fields: one list per model, create and update per model, one mutation per command.
  const queryFields: GraphQLFieldConfigMap<unknown, GraphContext> = {};
  const mutationFields: GraphQLFieldConfigMap<unknown, GraphContext> = {};
  const coreQuery = core.getQueryType()!.toConfig();
  const coreMutation = core.getMutationType()!.toConfig();
  const queryNames = new NameAllocator();
  const mutationNames = new NameAllocator();
  Object.keys(coreQuery.fields).forEach((n) => queryNames.take(n));
  Object.keys(coreMutation.fields).forEach((n) => mutationNames.take(n));
  const names = new Map<string, ModelNames>();

  for (const model of ordered) {
    const types = build.typesOf.get(model.id)!;
    const listField = queryNames.take(plural(types.base));
    names.set(model.id, { interfaceType: types.iface.name, objectType: types.object.name, listField });
    const ofModel = (where: unknown): Filter =>
      allOf([{ ofModel: model.id }, ...[types.toFilter(where as Args)].filter((f): f is Filter => f !== undefined)])!;
    queryFields[listField] = {
      type: new GraphQLNonNull(types.connection),
      description: `Twins of ${model.id} and of the models that extend it.`,
      args: {
        where: { type: types.where },
        orderBy: { type: new GraphQLList(new GraphQLNonNull(types.orderBy as GraphQLInputType)) },
        first: { type: coreTypes.named('Int') },
        after: { type: coreTypes.named('String') },
        last: { type: coreTypes.named('Int') },
        before: { type: coreTypes.named('String') },
      },
      resolve: async (_root, args, ctx) => {
        const where = ofModel(args.where);
        const page = await ctx.twins.query({ where, orderBy: types.toOrder(args.orderBy as Args[]), ...paged(args) });
        return connection(
          page,
          async () => (await ctx.twins.query({ where, first: 0, totalCount: true })).totalCount ?? 0,
        );
      },
    };
    mutationFields[mutationNames.take(`create${types.base}`)] = {
      type: new GraphQLNonNull(types.iface),
      description: describe(
        `Creates a ${types.base} twin (${model.id}), validated against the model; replaces an existing twin with the id unless ifNoneMatch.`,
      ),
      args: {
        id: { type: new GraphQLNonNull(GraphQLID) },
        ...(types.createInput && { input: { type: new GraphQLNonNull(types.createInput) } }),
        ifNoneMatch: {
          type: coreTypes.named('Boolean'),
          description: 'Create only: PreconditionFailed if the twin exists.',
        },
      },
      resolve: (_root, args, ctx) =>
        ctx.write.create(
          args.id as string,
          model.id,
          types.toBody((args.input ?? {}) as Args),
          ifNoneMatch(args.ifNoneMatch),
        ),
    };
    const updateInput = types.updateInput;
    if (updateInput) {
      mutationFields[mutationNames.take(`update${types.base}`)] = {
        type: new GraphQLNonNull(types.iface),
        description: `Sets and removes properties of a ${types.base} twin (or of a twin of a model that extends it).`,
        args: {
          id: { type: new GraphQLNonNull(GraphQLID) },
          input: { type: new GraphQLNonNull(types.updateInput) },
          ifMatch: {
            type: coreTypes.named('String'),
            description: 'The etag you read: the write happens only if the twin is unchanged.',
          },
        },
        resolve: async (_root, args, ctx, info) => {
          const id = args.id as string;
          const current = await ctx.twins.get(id);
          if (!current)
            throw new TwingraphError('DigitalTwinNotFound', `There is no digital twin with id '${id}'.`, {
              twinId: id,
            });
          const set = readSchemaInfo(info.schema)?.models ?? models;
          if (!isOf(set, current.$metadata.$model, model.id)) {
            throw new TwingraphError(
              'InvalidArgument',
              `Twin '${id}' is a ${current.$metadata.$model}, not a ${model.id}: update it with its own type's mutation or patchTwin.`,
              {
                twinId: id,
                modelId: current.$metadata.$model,
              },
            );
          }
          const patch = types.toPatch(args.input as Args, current);
          if (patch.length === 0) {
            if (args.ifMatch && args.ifMatch !== '*' && args.ifMatch !== current.$etag) {
              throw new TwingraphError(
                'PreconditionFailed',
                `Twin '${id}' has changed since ETag ${String(args.ifMatch)} was read (it is now ${current.$etag}).`,
                { twinId: id },
              );
            }
            return current;
          }
          return ctx.write.patch(id, patch, ifMatch(args.ifMatch));
        },
      };
    }
    for (const content of model.contents.values()) {
      if (content.kind !== 'Command' || content.definedIn !== model.id) continue;
      const request = content.request;
      const shape = requestShape(schemas, types.base, content);
      mutationFields[mutationNames.take(`${camelCase(content.name)}${types.base}`)] = {
        type: new GraphQLNonNull(coreTypes.named('CommandInvocation')),
        description: describe(
          langText(content.description),
          `Invokes command '${content.name}' of a ${types.base} twin: records it as a Command.Invoke change for whoever acts on the twin's commands.`,
        ),
        args: {
          id: { type: new GraphQLNonNull(GraphQLID) },
          ...(shape &&
            request && {
              [request.name === 'id' ? 'request' : request.name]: {
                type: shape.input,
                description: describe(langText(request.description)),
              },
            }),
        },
        resolve: async (_root, args, ctx, info) => {
          const id = args.id as string;
          const twin = await ctx.twins.get(id);
          if (!twin)
            throw new TwingraphError('DigitalTwinNotFound', `There is no digital twin with id '${id}'.`, {
              twinId: id,
            });
          const set = readSchemaInfo(info.schema)?.models ?? models;
          if (!isOf(set, twin.$metadata.$model, model.id)) {
            throw new TwingraphError(
              'InvalidArgument',
              `Twin '${id}' is a ${twin.$metadata.$model}: it has no command '${content.name}' of ${model.id}.`,
              { twinId: id },
            );
          }
          const given = request ? args[request.name === 'id' ? 'request' : request.name] : undefined;
          const value: JsonValue | undefined =
            given === undefined || given === null || !shape ? undefined : shape.fromInput(given);
          const change = await ctx.write.invokeCommand(id, content.name, value);
          return { seq: change.seq, twinId: id, command: content.name, request: value ?? null, time: change.time };
        },
      };
    }
  }

  const query = new GraphQLObjectType({ ...coreQuery, fields: { ...coreQuery.fields, ...queryFields } });
  const mutation = new GraphQLObjectType({ ...coreMutation, fields: { ...coreMutation.fields, ...mutationFields } });
  const roots = new Set(['Query', 'Mutation', 'Subscription']);
  const coreNamed = Object.values(core.getTypeMap()).filter(
    (t: GraphQLNamedType) => !roots.has(t.name) && !t.name.startsWith('__'),
  );
  const fieldNames = new Map<string, ReadonlyMap<string, string>>();
  for (const [id, types] of build.typesOf) fieldNames.set(id, types.fields);
  const info: SchemaInfo = {
    models,
    names,
    fieldOf: (modelId, content) => fieldNames.get(modelId)?.get(content),
  };
  const schema = new GraphQLSchema({
    query,
    mutation,
    subscription: core.getSubscriptionType(),
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
