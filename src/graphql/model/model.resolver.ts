/**
 * The model's resolvers in the core schema: the fields of `Model` that the stored record does not hold (what
 * it extends and is extended by, its GraphQL type, its contents with their GraphQL fields), the `models` and
 * `model(id)` queries, and the model writes (upload, decommission, delete), which the model service runs.
 */
import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Extensions, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { needsRole } from '../access';
import type { Schema } from '../../dtdl';
import type { ModelRecord } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { JSONScalar } from '../scalars';
import { schemaInfo, type SchemaInfo } from '../schema-info';
import { DeleteResult } from '../writes';
import { Model, ModelContent, ModelUploadResult } from './model.type';

/** A content's schema in DTDL terms: `double`, `point`, `TemperatureUnit`, `Enum`, a component's DTMI, …. */
function schemaLabel(schema: Schema | string | undefined): string | null {
  if (schema === undefined) return null;
  if (typeof schema === 'string') return schema;
  return schema.kind === 'primitive' || schema.kind === 'geospatial' || schema.kind === 'unitType'
    ? schema.name
    : schema.kind;
}

function languageText(text: unknown): string | null {
  if (typeof text === 'string') return text;
  if (text && typeof text === 'object') {
    const map = text as Record<string, string>;
    return map.en ?? Object.values(map)[0] ?? null;
  }
  return null;
}

/**
 * The schema info that knows a model: the operation's own, or, for a model this very operation uploaded
 * (uploadModels answering with the new models), the newest one.
 */
function modelInfo(id: string, ctx: GraphContext, info: GraphQLResolveInfo): SchemaInfo | undefined {
  const own = schemaInfo(info.schema);
  return own?.models.interfaces.has(id) ? own : (ctx.models.newestInfo() ?? own);
}

@Resolver(() => Model)
export class ModelResolver {
  @FieldResolver(() => JSONScalar, { nullable: true, description: 'Display name by language code.' }) displayName(
    @Root() m: ModelRecord,
  ): unknown {
    return m.displayName ?? null;
  }
  @FieldResolver(() => JSONScalar, { nullable: true, description: 'Description by language code.' }) description(
    @Root() m: ModelRecord,
  ): unknown {
    return m.description ?? null;
  }
  @FieldResolver(() => [String], { description: 'The interfaces it extends, directly.' }) extends(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
  ): string[] {
    return [...(modelInfo(m.id, ctx, info)?.models.interfaces.get(m.id)?.extends ?? [])];
  }
  @FieldResolver(() => [String], { description: 'Every model that extends it, directly or not.' }) extendedBy(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
  ): string[] {
    return [...(modelInfo(m.id, ctx, info)?.models.descendantsOf(m.id) ?? [])];
  }
  @FieldResolver(() => String, {
    nullable: true,
    description: 'Its GraphQL interface type (twins of it and of its subtypes); what model filters also take.',
  })
  graphqlType(@Root() m: ModelRecord, @Ctx() ctx: GraphContext, @Info() info: GraphQLResolveInfo): string | null {
    return modelInfo(m.id, ctx, info)?.names.get(m.id)?.interfaceType ?? null;
  }
  @FieldResolver(() => JSONScalar, { description: 'The DTDL definition as uploaded.' }) dtdl(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
  ): Promise<unknown> | unknown {
    return m.definition ?? ctx.models.get(m.id).then((full) => full?.definition ?? null);
  }
  @FieldResolver(() => [ModelContent], { description: 'Own and inherited contents.' }) contents(
    @Root() m: ModelRecord,
    @Ctx() ctx: GraphContext,
    @Info() info: GraphQLResolveInfo,
  ): ModelContent[] {
    const si = modelInfo(m.id, ctx, info);
    const model = si?.models.interfaces.get(m.id);
    if (!model) return [];
    return [...model.contents.values()].map((c) => {
      const schema = 'schema' in c ? c.schema : undefined;
      return {
        name: c.name,
        kind: c.kind,
        definedIn: c.definedIn,
        schema: schemaLabel(schema),
        writable: 'writable' in c ? c.writable : null,
        unit: typeof c.supplementalProperties.unit === 'string' ? c.supplementalProperties.unit : null,
        semanticTypes: [...c.supplementalTypes],
        target: c.kind === 'Relationship' ? (c.target ?? null) : c.kind === 'Component' ? c.schema : null,
        graphqlField: si?.fieldOf(m.id, c.name) ?? null,
        displayName: languageText(c.displayName),
        description: languageText(c.description),
      };
    });
  }
}

@Resolver()
export class ModelQueries {
  @Query(() => [Model], { description: 'Every model, in upload order.' })
  models(
    @Ctx() ctx: GraphContext,
    @Arg('includeDecommissioned', () => Boolean, {
      defaultValue: true,
      description: 'false: leave decommissioned models out.',
    })
    includeDecommissioned: boolean,
  ): Promise<ModelRecord[]> {
    return ctx.models.list().then((all) => (includeDecommissioned ? all : all.filter((m) => !m.decommissioned)));
  }

  @Query(() => Model, { nullable: true, description: 'A model by DTMI, with its DTDL and what extends it.' })
  model(
    @Arg('id', () => ID, { description: 'The full DTMI, with its version.' }) id: string,
    @Ctx() ctx: GraphContext,
  ): Promise<ModelRecord | undefined> {
    return ctx.models.get(id);
  }
}

@Resolver()
export class ModelMutations {
  @Extensions(needsRole('modeler'))
  @Mutation(() => ModelUploadResult, {
    description:
      'Validates DTDL interfaces (JSON documents or arrays of them) against the models already known, stores them and adds their types to the schema at once.',
  })
  async uploadModels(
    @Ctx() ctx: GraphContext,
    @Arg('documents', () => [JSONScalar], {
      description: 'DTDL interfaces: JSON objects, arrays of them, or their text.',
    })
    documents: unknown[],
  ): Promise<{ models: ModelRecord[] }> {
    return {
      models: await ctx.modelAdmin.upload(documents.map((d) => (typeof d === 'string' ? d : JSON.stringify(d)))),
    };
  }

  @Extensions(needsRole('modeler'))
  @Mutation(() => Model, { description: 'Decommissions a model: its twins stay, new twins may not use it.' })
  decommissionModel(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID, { description: 'The full DTMI, with its version.' }) id: string,
  ): Promise<ModelRecord> {
    return ctx.modelAdmin.decommission(id);
  }

  @Extensions(needsRole('modeler'))
  @Mutation(() => DeleteResult, {
    description: 'Deletes a model that no other model extends or uses as a component; its twins stay, readable.',
  })
  async deleteModel(
    @Ctx() ctx: GraphContext,
    @Arg('id', () => ID, { description: 'The full DTMI, with its version.' }) id: string,
  ): Promise<DeleteResult> {
    await ctx.modelAdmin.delete(id);
    return { id, deleted: true };
  }
}
