/**
 * What the resolvers of a built schema need to know about the model set it was built from. It travels on
 * the schema itself (`schema.extensions.twingraph`), so that static resolvers (the core's) always see the
 * model set of the schema running the operation, even while a newer schema is being swapped in.
 */
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { InterfaceModel, ModelSet } from '../dtdl';
import { modelRef, type ModelRef } from './model-refs';

export interface ModelNames {
  /** The GraphQL interface type of the model (its twins and its subtypes' twins). */
  readonly interfaceType: string;
  /** The GraphQL object type of the model's own twins. */
  readonly objectType: string;
  /**
   * The root query field listing its twins; absent for an interface that models use as a component (see
   * generate/root-fields.ts).
   */
  readonly listField?: string;
}

export interface SchemaInfo {
  readonly models: ModelSet;
  /** Names of every model twins can have (top-level models), by DTMI. */
  readonly names: ReadonlyMap<string, ModelNames>;
  /** GraphQL field name of each content, by model DTMI and content name (for descriptions and errors). */
  readonly fieldOf: (modelId: string, content: string) => string | undefined;
}

export function schemaInfo(schema: GraphQLSchema): SchemaInfo | undefined {
  return (schema.extensions as { twingraph?: SchemaInfo }).twingraph;
}

export function modelOf(info: SchemaInfo | undefined, modelId: string): InterfaceModel | undefined {
  return info?.models.interfaces.get(modelId);
}

/** The object type a twin resolves to: its model's, or UnmodeledTwin when the model set has none for it. */
export function resolveTwinType(value: unknown, _context: unknown, info: GraphQLResolveInfo): string {
  const modelId = (value as { $metadata?: { $model?: string } })?.$metadata?.$model;
  const names = modelId ? schemaInfo(info.schema)?.names.get(modelId) : undefined;
  return names?.objectType ?? 'UnmodeledTwin';
}

/** The ModelRef of a schema: its models, by DTMI or by their GraphQL type names (see model-refs.ts). */
export function modelRefOf(info: SchemaInfo | undefined): ModelRef {
  if (!info) return (ref) => ref;
  let ref = refs.get(info);
  if (!ref) {
    ref = modelRef(info.models, () => [...info.names].map(([id, n]) => ({ id, ...n })));
    refs.set(info, ref);
  }
  return ref;
}

const refs = new WeakMap<SchemaInfo, ModelRef>();
