/**
 * What the builders of a model's types share: the compile run (`Build`: the model set, the core types, the
 * name allocator, the types built so far, and the rules that keep names and types stable across uploads),
 * what a top-level model's types are (`ModelTypes`), and the reads every builder makes of a content: its
 * field name, its description and the shape of its schema. Names are handed out in the order builders ask
 * for them, so every builder asks in the order it always has: a change of order renames types.
 */
import type {
  ComponentContent,
  InterfaceModel,
  ModelSet,
  PropertyContent,
  RelationshipContent,
  TelemetryContent,
} from '../../dtdl';
import type { GraphQLFieldConfigMap, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType } from 'graphql';
import type { Filter, OrderBy, PropertyPath } from '../../store/query';
import type { JsonObject, JsonPatch, Twin } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { CORE_TWIN_FIELDS, pascalCase, type NameAllocator } from './names';
import { describe, langText, type CoreTypes, type SchemaTypes, type Shape } from './schema-types';

/** GraphQL argument and input values, before they are turned into the store's terms. */
export type Args = Record<string, unknown>;

/** Everything the builder of one model needs from the compile run. */
export interface Build {
  readonly models: ModelSet;
  readonly core: CoreTypes;
  readonly names: NameAllocator;
  readonly schemas: SchemaTypes;
  /** Types of the top-level models (filled as models are built; read lazily in field thunks). */
  readonly typesOf: Map<string, ModelTypes>;
  /**
   * Whether a relationship's target was known when its declaring model was uploaded (uploaded in the same
   * upload or before). Only then is the relationship typed to the target: typing it when a later upload brings
   * the target would change a field's type under running clients.
   */
  readonly targetKnownAtUpload: (declaredIn: string, target: string) => boolean;
  /** Relationship names that can point at each model (declared with it, or an ancestor, as target). */
  readonly inverseNames: (modelId: string) => readonly string[];
  /** The inverse field of a relationship name, the same on every model that has it. */
  readonly inverseField: (relationship: string) => string;
  /** Base names of component interfaces and other non-top-level interfaces. */
  readonly baseOf: (interfaceId: string) => string;
  /** Every named type created, for the schema's type list. */
  readonly created: (GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)[];
  /** Fields extensions put on the types of this model (see ../plugin.ts). */
  readonly extensionFields: (model: InterfaceModel) => GraphQLFieldConfigMap<Twin, GraphContext>;
  /** Field names reserved on this model's types besides the core ones (its extensions'): contents with them get a `_` suffix. */
  readonly reservedFields: (model: InterfaceModel) => ReadonlySet<string>;
}

/** A content that becomes a field of a model's types (every kind but commands), with the field's name. */
export interface ContentField {
  readonly content: PropertyContent | TelemetryContent | RelationshipContent | ComponentContent;
  readonly field: string;
}

export interface ModelTypes {
  readonly id: string;
  readonly base: string;
  readonly iface: GraphQLInterfaceType;
  readonly object: GraphQLObjectType;
  readonly connection: GraphQLObjectType;
  readonly where: GraphQLInputObjectType;
  readonly orderBy: GraphQLInputObjectType;
  /** Absent when the model has no properties or components. */
  readonly createInput?: GraphQLInputObjectType;
  /** Absent when the model has nothing writable. */
  readonly updateInput?: GraphQLInputObjectType;
  /** Content name → GraphQL field name. */
  readonly fields: ReadonlyMap<string, string>;
  toFilter(where: Args | null | undefined): Filter | undefined;
  toOrder(orderBy: readonly Args[] | null | undefined): OrderBy[];
  toBody(input: Args): JsonObject;
  toPatch(input: Args, current: Twin): JsonPatch;
}

/** The path of the twin id in the store's filters and orderings. */
export const TWIN_ID_PATH: PropertyPath = ['$dtId'];

export function langDescription(el: {
  displayName?: Record<string, string>;
  description?: Record<string, string>;
}): string | undefined {
  const name = langText(el.displayName);
  const text = langText(el.description);
  return name && text ? `${name}: ${text}` : (text ?? name);
}

export function contentDescription(
  c: PropertyContent | TelemetryContent | RelationshipContent | ComponentContent,
  model: InterfaceModel,
): string | undefined {
  const unit = c.supplementalProperties.unit;
  const notes = [
    c.supplementalTypes.length ? `Semantic type: ${c.supplementalTypes.join(', ')}.` : undefined,
    typeof unit === 'string' ? `Unit: ${unit}.` : undefined,
    c.kind === 'Property'
      ? c.writable
        ? 'Writable.'
        : 'Read-only (reported): set it with create or patchTwin.'
      : undefined,
    c.definedIn !== model.id ? `Inherited from ${c.definedIn}.` : undefined,
  ];
  return describe(langDescription(c), notes.filter(Boolean).join(' '), `DTDL ${c.kind} '${c.name}'.`);
}

const NONE: ReadonlySet<string> = new Set();

/** The field name of a content: its DTDL name, unless a core twin field or a `reserved` one (an extension's) has it. */
export function contentFieldName(name: string, reserved: ReadonlySet<string> = NONE): string {
  return CORE_TWIN_FIELDS.has(name) || reserved.has(name) ? `${name}_` : name;
}

/** The base name of the types of an interface: a top-level model's, or one made from its DTMI. */
export function ownerBase(build: Build, interfaceId: string): string {
  return build.typesOf.get(interfaceId)?.base ?? build.baseOf(interfaceId);
}

/** The shape of a property's (or telemetry's) schema, its types named after the interface that declares it. */
export function propertyShape(build: Build, content: PropertyContent | TelemetryContent): Shape {
  return build.schemas.shape(content.schema, `${ownerBase(build, content.definedIn)}${pascalCase(content.name)}`);
}
