/**
 * The root fields generated per model: a list query (`clients`) over the model's twins and its subtypes',
 * `create<Model>`, `update<Model>` (when the model has something writable) and a mutation per command it
 * declares, `<command>On<Model>` (`rebootOnDevice`, `runSelfTestOnDevice`: the command name stays whole, and
 * never runs into the model's as `runSelfTestDevice` did; that older name stays as a deprecated alias). Names
 * are handed out after the core's root fields, in model order, so a name a model once got stays its own.
 *
 * An interface that a model uses as a component (uploaded with it or before it) gets no list and no create or
 * update: components are parts of twins, not twins, so such a list was always empty. Its names are still
 * taken, so that no other model's names move; and since only models uploaded with or before it count, a later
 * upload that uses an interface as a component removes nothing clients already use.
 *
 * A Command that declares a `response` gets a result type `<Model><Command>Result` (its name taken whether or
 * not it is used). When a plugin answers commands (../plugin.ts, CommandResponses), its mutation takes a
 * `timeoutSeconds`, waits for the answer and returns that type, the answer typed by the response schema.
 *
 * The resolvers only translate arguments: whether a twin may be updated or commanded through a model's
 * mutation, and what an ETag condition means, are the twin service's rules.
 */
import {
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { CommandContent, InterfaceModel } from '../../dtdl';
import type { Filter } from '../../store/query';
import type { JsonValue } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { connection, pageOf } from '../paging';
import type { CommandAnswer, CommandResponses } from '../plugin';
import type { ModelNames } from '../schema-info';
import { ifMatch, ifNoneMatch } from '../writes';
import type { Args, ModelTypes } from './build';
import { allOf } from './filters';
import { camelCase, NameAllocator, pascalCase, plural, withArticle } from './names';
import { describe, langText, type CoreTypes, type SchemaTypes, type Shape } from './schema-types';

export interface RootFields {
  readonly query: GraphQLFieldConfigMap<unknown, GraphContext>;
  readonly mutation: GraphQLFieldConfigMap<unknown, GraphContext>;
  /** Each model's type and list field names, by DTMI. */
  readonly names: ReadonlyMap<string, ModelNames>;
}

/** A command's payload types: its request's and response's shapes, and its result type's name (with a response). */
export interface CommandTypes {
  readonly request?: Shape;
  readonly response?: Shape;
  readonly resultName?: string;
}

/**
 * The payload types of a command, named. Called once per command, while the model's types are built: named
 * only when the root fields are, after every model's types, they could lose their names to a model uploaded
 * later.
 */
export function commandTypes(
  schemas: SchemaTypes,
  names: NameAllocator,
  base: string,
  command: CommandContent,
): CommandTypes {
  const prefix = `${base}${pascalCase(command.name)}`;
  const request = command.request ? schemas.shape(command.request.schema, `${prefix}Request`) : undefined;
  if (!command.response) return { ...(request && { request }) };
  const response = schemas.shape(command.response.schema, `${prefix}Response`);
  return { ...(request && { request }), response, resultName: names.take(`${prefix}Result`) };
}

/** What a command mutation with an answer resolves from: the invocation and the answer. */
interface CommandResultValue extends CommandAnswer {
  readonly seq: number;
  readonly twinId: string;
  readonly command: string;
  readonly request: JsonValue | null;
  readonly time: string;
}

/** `<Model><Command>Result`: the invocation's fields, the typed answer, and how it ended (the plugin's fields). */
function resultType(
  name: string,
  base: string,
  content: CommandContent,
  response: Shape,
  core: CoreTypes,
  responder: CommandResponses,
): GraphQLObjectType<CommandResultValue, GraphContext> {
  const named = <T>(n: string): T => core.named<T>(n);
  return new GraphQLObjectType<CommandResultValue, GraphContext>({
    name,
    description: `Command '${content.name}' of ${withArticle(base)} twin, invoked (a Command.Invoke change), and its executor's answer.`,
    fields: () => ({
      seq: {
        type: new GraphQLNonNull(named<GraphQLOutputType>('Long')),
        description: 'The seq of the Command.Invoke change in the change log.',
      },
      twinId: { type: new GraphQLNonNull(GraphQLID), description: 'The twin commanded.' },
      command: { type: new GraphQLNonNull(GraphQLString), description: "The command's DTDL name." },
      request: {
        type: named<GraphQLOutputType>('JSON'),
        description: 'The request payload as recorded (DTDL values).',
      },
      time: {
        type: new GraphQLNonNull(named<GraphQLOutputType>('DateTime')),
        description: 'When the invocation was recorded.',
      },
      response: {
        type: response.output,
        description: describe(
          langText(content.response?.description) ?? `The answer '${content.response?.name}'.`,
          "Typed by the Command's response schema; null when no answer came (see status).",
        ),
        resolve: (r) => (r.response === null ? null : response.toOutput ? response.toOutput(r.response) : r.response),
      },
      ...responder.outcomeFields(core),
    }),
  });
}

/**
 * The root fields of the models in `ordered` (each after the models it extends), their types built. The root
 * field names of `reserved` (the core schema with every enabled plugin, applying or not) are not handed out, so
 * that a plugin that comes to apply later takes no name from a model's field.
 */
export function rootFields(
  ordered: readonly InterfaceModel[],
  typesOf: ReadonlyMap<string, ModelTypes>,
  core: CoreTypes,
  commandTypesOf: (command: CommandContent) => CommandTypes,
  reserved: GraphQLSchema = core.schema,
  componentOnly: (modelId: string) => boolean = () => false,
  responder?: CommandResponses,
): RootFields {
  const query: GraphQLFieldConfigMap<unknown, GraphContext> = {};
  const mutation: GraphQLFieldConfigMap<unknown, GraphContext> = {};
  const queryNames = new NameAllocator();
  const mutationNames = new NameAllocator();
  Object.keys(reserved.getQueryType()!.getFields()).forEach((n) => queryNames.take(n));
  Object.keys(reserved.getMutationType()!.getFields()).forEach((n) => mutationNames.take(n));
  const names = new Map<string, ModelNames>();

  for (const model of ordered) {
    const types = typesOf.get(model.id)!;
    const listName = queryNames.take(plural(types.base));
    const createName = mutationNames.take(`create${types.base}`);
    const isComponent = componentOnly(model.id);
    const listField = isComponent ? undefined : listName;
    names.set(model.id, {
      interfaceType: types.iface.name,
      objectType: types.object.name,
      ...(listField && { listField }),
    });
    const ofModel = (where: unknown): Filter =>
      allOf([{ ofModel: model.id }, ...[types.toFilter(where as Args)].filter((f): f is Filter => f !== undefined)])!;
    if (listField)
      query[listField] = {
        type: new GraphQLNonNull(types.connection),
        description: `Twins of ${model.id} (${types.base}) and of the models that extend it: filter, sort and page.`,
        args: {
          where: { type: types.where, description: 'Conditions on the twins; the fields given are ANDed.' },
          orderBy: {
            type: new GraphQLList(new GraphQLNonNull(types.orderBy as GraphQLInputType)),
            description: 'Sort keys, most significant first (then by id).',
          },
          first: { type: core.named('Int'), description: `At most this many, from the start or after \`after\`.` },
          after: { type: core.named('String'), description: 'The endCursor of the previous page.' },
          last: { type: core.named('Int'), description: 'At most this many, from the end or before `before`.' },
          before: { type: core.named('String'), description: 'The startCursor of the next page (paging backwards).' },
        },
        resolve: async (_root, args, ctx) => {
          const where = ofModel(args.where);
          const page = await ctx.twins.query({
            where,
            orderBy: types.toOrder(args.orderBy as Args[]),
            ...pageOf(args),
          });
          return connection(
            page,
            async () => (await ctx.twins.query({ where, first: 0, totalCount: true })).totalCount ?? 0,
          );
        },
      };
    if (!isComponent)
      mutation[createName] = {
        type: new GraphQLNonNull(types.iface),
        description: describe(
          `Creates ${withArticle(types.base)} twin (${model.id}), validated against the model; replaces an existing twin with the id unless ifNoneMatch.`,
          'Enum properties take the GraphQL enum values, as they read.',
        ),
        args: {
          id: { type: new GraphQLNonNull(GraphQLID), description: 'The new twin id ($dtId).' },
          ...(types.createInput && {
            input: { type: new GraphQLNonNull(types.createInput), description: 'Its properties and components.' },
          }),
          ifNoneMatch: {
            type: core.named('Boolean'),
            description:
              "true: create only (HTTP's If-None-Match: *, the only form ADT has): PreconditionFailed if the twin exists.",
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
    const updateName = updateInput ? mutationNames.take(`update${types.base}`) : undefined;
    if (updateInput && updateName && !isComponent) {
      mutation[updateName] = {
        type: new GraphQLNonNull(types.iface),
        description: `Sets and removes properties of ${withArticle(types.base)} twin (or of a twin of a model that extends it). Enum properties take the GraphQL enum values, as they read.`,
        args: {
          id: { type: new GraphQLNonNull(GraphQLID), description: 'The twin id.' },
          input: { type: new GraphQLNonNull(updateInput), description: 'What to set (values) and remove (null).' },
          ifMatch: {
            type: core.named('String'),
            description:
              "The etag you read (HTTP's If-Match): the write happens only if the twin is unchanged; * for any existing twin.",
          },
        },
        resolve: (_root, args, ctx) =>
          ctx.write.update(
            args.id as string,
            model.id,
            (current) => types.toPatch(args.input as Args, current),
            ifMatch(args.ifMatch),
          ),
      };
    }
    for (const content of model.contents.values()) {
      if (content.kind !== 'Command' || content.definedIn !== model.id) continue;
      const request = content.request;
      // A request named `id` would clash with the twin id argument.
      const requestArg = request?.name === 'id' ? 'request' : request?.name;
      const payloadTypes = commandTypesOf(content);
      const shape = payloadTypes.request;
      const answered =
        responder && payloadTypes.response && payloadTypes.resultName
          ? resultType(payloadTypes.resultName, types.base, content, payloadTypes.response, core, responder)
          : undefined;
      // The older name first: it keeps the name it had; the new one comes after it.
      const oldName = mutationNames.take(`${camelCase(content.name)}${types.base}`);
      const name = mutationNames.take(`${camelCase(content.name)}On${types.base}`);
      const command: GraphQLFieldConfig<unknown, GraphContext> = {
        type: new GraphQLNonNull(answered ?? core.named<GraphQLOutputType>('CommandInvocation')),
        description: describe(
          langText(content.description),
          `Invokes command '${content.name}' of ${withArticle(types.base)} twin: records it as a Command.Invoke change for whoever acts on the twin's commands.`,
          answered && `Then waits for the answer (up to timeoutSeconds) and returns it typed.`,
        ),
        args: {
          id: { type: new GraphQLNonNull(GraphQLID), description: 'The twin to command.' },
          ...(shape &&
            request &&
            requestArg && {
              [requestArg]: {
                type: shape.input,
                description: describe(
                  langText(request.description) ?? `The command's request '${request.name}'.`,
                  'Enums take the GraphQL enum values; the change records the DTDL values.',
                ),
              },
            }),
          // A request named timeoutSeconds keeps its name; the wait then has none (the plugin's default applies).
          ...(answered &&
            requestArg !== 'timeoutSeconds' && {
              timeoutSeconds: { type: core.named('Float'), description: responder!.timeoutDescription },
            }),
        },
        resolve: async (_root, args, ctx) => {
          const id = args.id as string;
          const given = requestArg ? args[requestArg] : undefined;
          const value: JsonValue | undefined =
            given === undefined || given === null || !shape ? undefined : shape.fromInput(given);
          const wait = answered
            ? responder!.waitFor(
                ctx,
                requestArg === 'timeoutSeconds' ? null : ((args.timeoutSeconds as number | null) ?? null),
              )
            : undefined;
          const change = await ctx.write.invokeCommand(id, model.id, content.name, value);
          const invocation = {
            seq: change.seq,
            twinId: id,
            command: content.name,
            request: value ?? null,
            time: change.time,
          };
          if (!wait) return invocation;
          const answer = await wait({
            seq: change.seq,
            twinId: id,
            modelId: model.id,
            command: content.name,
            request: value,
          });
          return { ...answer, ...invocation };
        },
      };
      mutation[name] = command;
      mutation[oldName] = { ...command, deprecationReason: `Use ${name}: commands are named <command>On<Model>.` };
    }
  }
  return { query, mutation, names };
}
