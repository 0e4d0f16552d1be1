/**
 * The resolved model set: what the GraphQL compiler, the payload validators and the store consume.
 * Every interface carries its full contents (own and inherited), every schema is an object (no
 * identifiers left to chase), and the whole structure is frozen.
 */
import { deepFreeze } from '../freeze';
import { EXTENSION_SCHEMAS } from './extensions';
import { METAMODELS, type DtdlVersion, type PrimitiveSchemaName } from './metamodel';
import type { ObjectRef, ParsedElement } from './parse/element';
import type { LangString } from './parse/values';

export type { LangString };

interface ElementBase {
  /** The element's DTMI (possibly generated, e.g. `dtmi:x:Y:_contents:__name;1`). */
  readonly id: string;
  readonly dtdlVersion: DtdlVersion;
  readonly displayName?: LangString;
  readonly description?: LangString;
  readonly comment?: string;
  /** Co-types such as semantic types (`Temperature`), `Historized`, `ValueAnnotation`, and undefined extension types. */
  readonly supplementalTypes: readonly string[];
  /** Properties those co-types add (`unit`, `annotates`, `overrides`, …). */
  readonly supplementalProperties: Readonly<Record<string, string | number | boolean>>;
}

export type { PrimitiveSchemaName } from './metamodel';
export type GeospatialSchemaName =
  'point' | 'multiPoint' | 'lineString' | 'multiLineString' | 'polygon' | 'multiPolygon';

/** DTDL v4's scaledDecimal: an object of a short `scale` and a decimal `value` (a string of digits). */
export interface ScaledDecimalSchema {
  readonly kind: 'scaledDecimal';
  readonly name: 'scaledDecimal';
}
export interface PrimitiveSchema {
  readonly kind: 'primitive';
  readonly name: PrimitiveSchemaName;
}
export interface GeospatialSchema {
  readonly kind: 'geospatial';
  readonly name: GeospatialSchemaName;
}
/** A quantitativeTypes unit type used as a schema: a string enum of unit names. */
export interface UnitTypeSchema {
  readonly kind: 'unitType';
  readonly name: string;
  readonly units: readonly string[];
}
export interface ArraySchema extends ElementBase {
  readonly kind: 'Array';
  readonly elementSchema: Schema;
}
export interface EnumValue extends ElementBase {
  readonly kind: 'EnumValue';
  readonly name: string;
  readonly enumValue: string | number;
}
export interface EnumSchema extends ElementBase {
  readonly kind: 'Enum';
  readonly valueSchema: 'integer' | 'string';
  readonly enumValues: readonly EnumValue[];
}
export interface MapSchema extends ElementBase {
  readonly kind: 'Map';
  readonly mapKey: { readonly name: string; readonly schema: 'string' };
  readonly mapValue: { readonly name: string; readonly schema: Schema };
}
export interface Field extends ElementBase {
  readonly kind: 'Field';
  readonly name: string;
  readonly schema: Schema;
}
export interface ObjectSchema extends ElementBase {
  readonly kind: 'Object';
  readonly fields: readonly Field[];
}
export type ComplexSchema = ArraySchema | EnumSchema | MapSchema | ObjectSchema;
export type Schema = PrimitiveSchema | GeospatialSchema | ScaledDecimalSchema | UnitTypeSchema | ComplexSchema;

interface ContentBase extends ElementBase {
  readonly name: string;
  /** The interface that declares this content (differs from the owner for inherited contents). */
  readonly definedIn: string;
}
export interface PropertyContent extends ContentBase {
  readonly kind: 'Property';
  readonly schema: Schema;
  readonly writable: boolean;
}
export interface TelemetryContent extends ContentBase {
  readonly kind: 'Telemetry';
  readonly schema: Schema;
}
export interface CommandPayload extends ElementBase {
  readonly name: string;
  readonly schema: Schema;
}
export interface CommandContent extends ContentBase {
  readonly kind: 'Command';
  readonly request?: CommandPayload;
  readonly response?: CommandPayload;
}
export interface RelationshipContent extends ContentBase {
  readonly kind: 'Relationship';
  /** Target interface DTMI; undefined means any interface. It need not be defined (DTDL allows that). */
  readonly target?: string;
  readonly minMultiplicity: number;
  readonly maxMultiplicity?: number;
  readonly properties: readonly PropertyContent[];
  readonly writable: boolean;
}
export interface ComponentContent extends ContentBase {
  readonly kind: 'Component';
  /** DTMI of the component's interface (look it up in the model set). */
  readonly schema: string;
}
export type Content = PropertyContent | TelemetryContent | CommandContent | RelationshipContent | ComponentContent;

export interface InterfaceModel extends ElementBase {
  readonly kind: 'Interface';
  /** Interfaces this one directly extends. */
  readonly extends: readonly string[];
  /** Every ancestor, nearest first, without duplicates. */
  readonly ancestors: readonly string[];
  /** Own and inherited contents, by name. */
  readonly contents: ReadonlyMap<string, Content>;
  readonly schemas: readonly ComplexSchema[];
}

export interface ModelSet {
  /** Every Interface (top-level, inline in `extends`, and component schemas), by DTMI. */
  readonly interfaces: ReadonlyMap<string, InterfaceModel>;
  /** Interfaces that extend the given one, directly or not. */
  descendantsOf(id: string): readonly string[];
  /**
   * Whether a twin of `modelId` is a twin of `of`: the same model, or one extending it (ADT's IS_OF_MODEL). False
   * for a model the set does not hold.
   */
  isOf(modelId: string, of: string): boolean;
  /** @internal element records, so that a later upload can be linked against this set. */
  readonly [ELEMENTS]: ReadonlyMap<string, ParsedElement>;
}

export const ELEMENTS: unique symbol = Symbol('twingraph.dtdl.elements');

/**
 * An interface whose full contents (own plus inherited) are assembled on first use: an ontology such
 * as Willow has thousands of interfaces with hundreds of inherited contents each, and most callers
 * look at a few of them. The map, once built, is frozen and shared content objects are reused.
 */
class ResolvedInterface implements InterfaceModel {
  readonly kind = 'Interface' as const;
  declare readonly id: string;
  declare readonly dtdlVersion: DtdlVersion;
  declare readonly supplementalTypes: readonly string[];
  declare readonly supplementalProperties: Readonly<Record<string, string | number | boolean>>;
  declare readonly extends: readonly string[];
  declare readonly ancestors: readonly string[];
  declare readonly schemas: readonly ComplexSchema[];
  #contents: ReadonlyMap<string, Content> | undefined;
  readonly #build: () => ReadonlyMap<string, Content>;

  constructor(
    base: ElementBase,
    extendsIds: readonly string[],
    ancestors: readonly string[],
    schemas: readonly ComplexSchema[],
    build: () => ReadonlyMap<string, Content>,
  ) {
    Object.assign(this, base);
    const fields = this as { -readonly [K in 'extends' | 'ancestors' | 'schemas']: InterfaceModel[K] };
    fields.extends = Object.freeze(extendsIds);
    fields.ancestors = Object.freeze(ancestors);
    fields.schemas = Object.freeze(schemas);
    this.#build = build;
    // Frozen part by part: its schemas are frozen already, and its base's parts by freezeBase.
    Object.freeze(this);
  }

  get contents(): ReadonlyMap<string, Content> {
    return (this.#contents ??= this.#build());
  }
}

/** Shared by every element without co-types: frozen, so that sharing them is safe. */
const NO_TYPES: readonly string[] = Object.freeze([]);
const NO_PROPERTIES: Record<string, string | number | boolean> = Object.freeze({}) as Record<string, never>;

/** Builds the frozen model set from a valid, linked element graph. */
export function buildModelSet(elements: ReadonlyMap<string, ParsedElement>): ModelSet {
  const lookup = (id: string): ParsedElement | undefined => elements.get(id);
  const schemaCache = new Map<string, Schema>();
  /** Complex schemas under construction (more than one while a schema's parts are built). */
  let building = 0;
  const ids = (el: ParsedElement, p: string): string[] => (el.objects.get(p) ?? []).map((r) => r.target);
  const first = (el: ParsedElement, p: string): ObjectRef | undefined => (el.objects.get(p) ?? [])[0];

  // Written out field by field, in a fixed order: thousands of these are made per model set.
  const base = (el: ParsedElement): ElementBase => {
    let supplementalProperties: Record<string, string | number | boolean> = NO_PROPERTIES;
    for (const cotype of el.cotypes) {
      for (const p of cotype.properties) {
        const literal = el.literals.get(p.name);
        const ref = first(el, p.name);
        if ((literal === undefined || typeof literal === 'object') && !ref) continue;
        if (supplementalProperties === NO_PROPERTIES) supplementalProperties = {};
        if (literal !== undefined && typeof literal !== 'object') supplementalProperties[p.name] = literal;
        if (ref) supplementalProperties[p.name] = ref.target;
      }
    }
    const b: { -readonly [K in keyof ElementBase]: ElementBase[K] } = {
      id: el.id,
      dtdlVersion: el.dtdlVersion,
    } as ElementBase;
    const displayName = el.literals.get('displayName');
    if (displayName !== undefined) b.displayName = Object.freeze(displayName as LangString);
    const description = el.literals.get('description');
    if (description !== undefined) b.description = Object.freeze(description as LangString);
    const comment = el.literals.get('comment');
    if (comment !== undefined) b.comment = comment as string;
    b.supplementalTypes =
      el.cotypes.length === 0 && el.undefinedCotypes.length === 0
        ? NO_TYPES
        : Object.freeze([...el.cotypes.map((c) => c.term), ...el.undefinedCotypes]);
    b.supplementalProperties = Object.freeze(supplementalProperties);
    return b;
  };

  const schemaOf = (ref: ObjectRef | undefined): Schema => {
    if (!ref) throw new Error('model: a schema reference is missing in a valid model set');
    if (ref.kind === 'term') {
      // v4's standard schemas are a superset of earlier versions'.
      const std = METAMODELS[4].standardSchemas.get(ref.target);
      if (std) return Object.freeze({ kind: std.kind, name: ref.target }) as Schema;
      const extension = EXTENSION_SCHEMAS.get(ref.target);
      if (extension) {
        // IoT Central's vector and geopoint are objects of doubles.
        const id = `dtmi:iotcentral:schema:${ref.target};2`;
        const plain = { dtdlVersion: 2 as const, supplementalTypes: [], supplementalProperties: {} };
        return deepFreeze({
          ...plain,
          id,
          kind: 'Object',
          fields: extension.fields.map((name) => ({
            ...plain,
            id: `${id}:${name}`,
            kind: 'Field' as const,
            name,
            schema: { kind: 'primitive' as const, name: 'double' as const },
          })),
        });
      }
      return Object.freeze({ kind: 'unitType', name: ref.target, units: unitsOfType(ref.target) });
    }
    const cached = schemaCache.get(ref.target);
    if (cached) return cached;
    const el = lookup(ref.target)!;
    // A v4 schema may contain itself: it is cached before its parts are built (a part that refers back gets
    // this very object), and the whole is frozen once the outermost schema is complete.
    const schema = { ...base(el), kind: el.type } as Record<string, unknown>;
    schemaCache.set(ref.target, schema as unknown as Schema);
    building++;
    switch (el.type) {
      case 'Array':
        schema.elementSchema = schemaOf(first(el, 'elementSchema'));
        break;
      case 'Enum':
        Object.assign(schema, {
          valueSchema: first(el, 'valueSchema')!.target as 'integer' | 'string',
          enumValues: ids(el, 'enumValues').map((id) => {
            const ev = lookup(id)!;
            return Object.freeze({
              ...base(ev),
              kind: 'EnumValue' as const,
              name: ev.literals.get('name') as string,
              enumValue: ev.literals.get('enumValue') as string | number,
            });
          }),
        });
        break;
      case 'Map': {
        const key = lookup(first(el, 'mapKey')!.target)!;
        const value = lookup(first(el, 'mapValue')!.target)!;
        schema.mapKey = { name: key.literals.get('name') as string, schema: 'string' };
        schema.mapValue = { name: value.literals.get('name') as string, schema: schemaOf(first(value, 'schema')) };
        break;
      }
      case 'Object':
        schema.fields = ids(el, 'fields').map((id) => {
          const f = lookup(id)!;
          return Object.freeze({
            ...base(f),
            kind: 'Field' as const,
            name: f.literals.get('name') as string,
            schema: schemaOf(first(f, 'schema')),
          });
        });
        break;
      default:
        throw new Error(`model: ${el.id} is used as a schema but is a ${el.type}`);
    }
    building--;
    if (building === 0) deepFreeze(schema);
    return schema as unknown as Schema;
  };

  const contentOf = (el: ParsedElement, definedIn: string): Content => {
    const common = { ...base(el), name: el.literals.get('name') as string, definedIn };
    switch (el.type) {
      case 'Property':
        return {
          ...common,
          kind: 'Property',
          schema: schemaOf(first(el, 'schema')),
          writable: el.literals.get('writable') === true,
        };
      case 'Telemetry':
        return { ...common, kind: 'Telemetry', schema: schemaOf(first(el, 'schema')) };
      case 'Command': {
        const payload = (p: string): CommandPayload | undefined => {
          const ref = first(el, p);
          if (!ref) return undefined;
          const pe = lookup(ref.target)!;
          return { ...base(pe), name: pe.literals.get('name') as string, schema: schemaOf(first(pe, 'schema')) };
        };
        return { ...common, kind: 'Command', request: payload('request'), response: payload('response') };
      }
      case 'Relationship':
        return {
          ...common,
          kind: 'Relationship',
          target: first(el, 'target')?.target,
          minMultiplicity: (el.literals.get('minMultiplicity') as number | undefined) ?? 0,
          ...(el.literals.has('maxMultiplicity') && { maxMultiplicity: el.literals.get('maxMultiplicity') as number }),
          properties: ids(el, 'properties').map((id) => contentOf(lookup(id)!, definedIn) as PropertyContent),
          writable: el.literals.get('writable') === true,
        };
      case 'Component':
        return { ...common, kind: 'Component', schema: first(el, 'schema')!.target };
      default:
        throw new Error(`model: ${el.id} in contents is a ${el.type}`);
    }
  };

  const interfaces = new Map<string, InterfaceModel>();
  const buildInterface = (id: string): InterfaceModel => {
    const done = interfaces.get(id);
    if (done) return done;
    const el = lookup(id)!;
    const direct = ids(el, 'extends');
    const parents = direct.map(buildInterface);
    const ancestors = new Set<string>();
    // Indexed loops: the parents' arrays are frozen, which V8's for-of iterates on a slower path.
    for (let i = 0; i < parents.length; i++) {
      ancestors.add(direct[i]);
      const inherited = parents[i].ancestors;
      for (let j = 0; j < inherited.length; j++) ancestors.add(inherited[j]);
    }
    const buildContents = (): Map<string, Content> => {
      const contents = new Map<string, Content>();
      for (const parent of parents) for (const [name, content] of parent.contents) contents.set(name, content);
      for (const contentId of ids(el, 'contents')) {
        const content = contentOf(lookup(contentId)!, id);
        contents.set(content.name, content);
      }
      return deepFreeze(contents);
    };
    const model = new ResolvedInterface(
      base(el),
      direct,
      [...ancestors],
      ids(el, 'schemas').map((s) => schemaOf({ kind: 'id', target: s, inline: true, at: el.at }) as ComplexSchema),
      buildContents,
    );
    interfaces.set(id, model);
    return model;
  };
  elements.forEach((el) => {
    if (el.type === 'Interface') buildInterface(el.id);
  });

  const descendants = new Map<string, string[]>();
  interfaces.forEach((model) => {
    for (let i = 0; i < model.ancestors.length; i++) {
      const list = descendants.get(model.ancestors[i]);
      if (list) list.push(model.id);
      else descendants.set(model.ancestors[i], [model.id]);
    }
  });
  const set: ModelSet = {
    interfaces,
    descendantsOf: (id) => descendants.get(id) ?? [],
    isOf: (modelId, of) => modelId === of || (interfaces.get(modelId)?.ancestors.includes(of) ?? false),
    [ELEMENTS]: elements,
  };
  return Object.freeze(set);
}

import { QUANTITATIVE_TYPES_V1 } from './vocabulary/quantitative';
function unitsOfType(unitType: string): readonly string[] {
  return QUANTITATIVE_TYPES_V1.unitTypes.get(QUANTITATIVE_TYPES_V1.aliases.get(unitType) ?? unitType) ?? [];
}

export const EMPTY_MODEL_SET: ModelSet = buildModelSet(new Map());
