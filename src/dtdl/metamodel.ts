/**
 * The DTDL metamodel: which element classes exist in each language version, which properties each
 * class has, and what values those properties take, and the numerical limits a limit extension may raise.
 * The parser is driven entirely by these tables, so a rule that differs between v2, v3 and v4 is a
 * difference in data here, not a branch in the parser.
 */

export type DtdlVersion = 2 | 3 | 4;

/** Concrete and abstract element classes (the "material" types of DTDL). */
export type ClassName =
  | 'Entity'
  | 'NamedEntity'
  | 'Content'
  | 'SchemaField'
  | 'Schema'
  | 'PrimitiveSchema'
  | 'ComplexSchema'
  | 'Interface'
  | 'Telemetry'
  | 'Property'
  | 'Command'
  | 'CommandPayload'
  | 'CommandRequest'
  | 'CommandResponse'
  | 'Relationship'
  | 'Component'
  | 'Array'
  | 'Enum'
  | 'EnumValue'
  | 'Map'
  | 'MapKey'
  | 'MapValue'
  | 'Object'
  | 'Field'
  | 'CommandType'
  | 'Unit'
  | 'UnitAttribute'
  | 'LatentType'
  | 'NamedLatentType';

export type LiteralDatatype =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'duration'
  | 'langString'
  | 'enumValueLiteral'
  /** xsd:decimal: a JSON number (IoT Operations' limits and scale factors). */
  | 'decimal';

interface PropertyBase {
  readonly name: string;
  readonly plural: boolean;
  readonly minCount: number;
  readonly maxCount?: number;
}

export interface LiteralPropertyDef extends PropertyBase {
  readonly kind: 'literal';
  readonly datatype: LiteralDatatype;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  readonly minInclusive?: number;
  readonly maxInclusive?: number;
  /** The value must be exactly this (Relationship.minMultiplicity is always 0). */
  readonly exact?: number;
  readonly defaultValue?: unknown;
}

export interface ObjectPropertyDef extends PropertyBase {
  readonly kind: 'object';
  /** Classes the value may be an instance of, each with the language versions it may come from. */
  readonly range: readonly ClassName[];
  readonly rangeVersions: readonly DtdlVersion[];
  /** Standard instances the value may be (e.g. only `string` for MapKey.schema; `integer`/`string` for valueSchema). */
  readonly allowedInstances?: readonly string[];
  /** Class used when an inline value has no @type. */
  readonly inferredType?: ClassName;
  /** Inline values must carry their own @id. */
  readonly idRequired?: boolean;
  /** Values must be unique by this property, which also names them in generated ids. */
  readonly dictionaryKey?: 'name';
  /** A reference that may point to nothing defined (Relationship.target). */
  readonly nonDependent?: boolean;
  /** Only references (DTMIs), never inline definitions. */
  readonly referenceOnly?: boolean;
  /**
   * The standard instances allowed are those of this one class (MapKey.schema: the class String): another
   * standard instance is of the wrong type (badType), not merely a value not in the list.
   */
  readonly instancesOfClass?: string;
}

export type PropertyDef = LiteralPropertyDef | ObjectPropertyDef;

export interface ClassDef {
  readonly name: ClassName;
  readonly abstract: boolean;
  readonly superclasses: readonly ClassName[];
  /** Own and inherited properties, by term. */
  readonly properties: ReadonlyMap<string, PropertyDef>;
  /** Interface @id is capped at 128 characters. */
  readonly maxIdLength?: number;
}

export interface Metamodel {
  readonly version: DtdlVersion;
  readonly classes: ReadonlyMap<ClassName, ClassDef>;
  /** Standard schema instances by term, with their class (double → Double is PrimitiveSchema). */
  readonly standardSchemas: ReadonlyMap<string, StandardSchema>;
  /** Classes allowed at the top level of a document. */
  readonly rootable: readonly ClassName[];
  /** Cap on names (`name`), display names. */
  readonly nameMaxLength: number;
  readonly displayNameMaxLength: number;
  readonly descriptionMaxLength: number;
  readonly commentMaxLength: number;
  /** Complex-schema nesting limit and extends limits. */
  readonly maxSchemaDepth: number;
  readonly maxExtendsDepth: number;
  readonly maxExtendsTotal?: number;
  /** v4: a complex schema may contain itself (an Object with a field whose schema is the Object). */
  readonly selfReferentialSchemas: boolean;
  /** Longest identifier a model may write (DTMI syntax allows 2048 characters). */
  readonly maxIdLength: number;
  /** The limit extension in effect (dtmi:dtdl:limits:onvif;1), if any. */
  readonly limits?: string;
}

/** The limits a limit extension sets, where they differ from the core language's (DTDL.Extensions.md §Limit extensions). */
export interface LimitSet {
  readonly descriptionMaxLength?: number;
  readonly maxSchemaDepth?: number;
  readonly interfaceIdMaxLength?: number;
  readonly maxIdLength?: number;
}

export type PrimitiveSchemaName =
  | 'boolean'
  | 'date'
  | 'dateTime'
  | 'double'
  | 'duration'
  | 'float'
  | 'integer'
  | 'long'
  | 'string'
  | 'time'
  | V4PrimitiveSchemaName;

/** The primitive schemas DTDL v4 adds (DTDL.v4.md §Primitive schema). */
export type V4PrimitiveSchemaName =
  | 'byte'
  | 'bytes'
  | 'decimal'
  | 'short'
  | 'unsignedByte'
  | 'unsignedInteger'
  | 'unsignedLong'
  | 'unsignedShort'
  | 'uuid';

export type GeospatialSchemaName =
  'point' | 'multiPoint' | 'lineString' | 'multiLineString' | 'polygon' | 'multiPolygon';

export interface StandardSchema {
  readonly term: string;
  readonly kind: 'primitive' | 'geospatial' | 'scaledDecimal';
  /** The standard element's DTMI in this version, e.g. dtmi:dtdl:instance:Schema:double;3. */
  readonly id: string;
  readonly numeric: boolean;
  /**
   * Geospatial schemas are GeoJSON objects whose coordinates are an Array (a point's is `position`);
   * this is that Array's DTMI, which is what a v2 Property, where Arrays are excluded, contains.
   */
  readonly coordinatesId?: string;
}

const NAME_PATTERN = /^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$/;
export const PRIMITIVE_SCHEMAS: readonly PrimitiveSchemaName[] = [
  'boolean',
  'date',
  'dateTime',
  'double',
  'duration',
  'float',
  'integer',
  'long',
  'string',
  'time',
];
export const GEOSPATIAL_SCHEMAS: readonly GeospatialSchemaName[] = [
  'point',
  'multiPoint',
  'lineString',
  'multiLineString',
  'polygon',
  'multiPolygon',
];
export const V4_PRIMITIVE_SCHEMAS: readonly V4PrimitiveSchemaName[] = [
  'byte',
  'bytes',
  'decimal',
  'short',
  'unsignedByte',
  'unsignedInteger',
  'unsignedLong',
  'unsignedShort',
  'uuid',
];
/** Subclasses of NumericSchema (bytes and uuid are strings). */
const NUMERIC = new Set([
  'double',
  'float',
  'integer',
  'long',
  'byte',
  'decimal',
  'short',
  'unsignedByte',
  'unsignedInteger',
  'unsignedLong',
  'unsignedShort',
]);
/** The Array each geospatial schema holds its coordinates in (DTDL's GeoJSON definitions). */
const COORDINATES: Readonly<Record<GeospatialSchemaName, string>> = {
  point: 'position',
  multiPoint: 'positionArray',
  lineString: 'lineStringCoordinateArray',
  multiLineString: 'lineStringCoordinateArrayArray',
  polygon: 'polygonCoordinateArray',
  multiPolygon: 'polygonCoordinateArrayArray',
};

function literal(name: string, datatype: LiteralDatatype, extra: Partial<LiteralPropertyDef> = {}): LiteralPropertyDef {
  return { name, kind: 'literal', datatype, plural: false, minCount: 0, maxCount: 1, ...extra };
}

function object(name: string, range: ClassName[], extra: Partial<ObjectPropertyDef> = {}): ObjectPropertyDef {
  return { name, kind: 'object', range, rangeVersions: [2, 3, 4], plural: false, minCount: 0, maxCount: 1, ...extra };
}

function plural(name: string, range: ClassName[], extra: Partial<ObjectPropertyDef> = {}): ObjectPropertyDef {
  return object(name, range, { plural: true, maxCount: undefined, ...extra });
}

function required<T extends PropertyDef>(def: T): T {
  return { ...def, minCount: 1 };
}

interface ClassSpec {
  abstract?: boolean;
  extends?: ClassName;
  properties?: PropertyDef[];
  maxIdLength?: number;
}

function buildClasses(specs: Partial<Record<ClassName, ClassSpec>>): Map<ClassName, ClassDef> {
  const classes = new Map<ClassName, ClassDef>();
  const build = (name: ClassName): ClassDef => {
    const existing = classes.get(name);
    if (existing) return existing;
    const spec = specs[name];
    if (!spec) throw new Error(`metamodel: class ${name} is not specified`);
    const parent = spec.extends ? build(spec.extends) : undefined;
    const properties = new Map(parent?.properties);
    for (const p of spec.properties ?? []) properties.set(p.name, p);
    const def: ClassDef = {
      name,
      abstract: spec.abstract ?? false,
      superclasses: parent ? [parent.name, ...parent.superclasses] : [],
      properties,
      maxIdLength: spec.maxIdLength ?? parent?.maxIdLength,
    };
    classes.set(name, def);
    return def;
  };
  for (const name of Object.keys(specs) as ClassName[]) build(name);
  return classes;
}

function buildMetamodel(version: DtdlVersion): Metamodel {
  const v2 = version === 2;
  const v4 = version === 4;
  /** Positions that may hold or reference elements of earlier versions (a v4 Property's schema may be a v3 Object). */
  const mixed: readonly DtdlVersion[] = v2 ? [2] : v4 ? [2, 3, 4] : [2, 3];
  const same: readonly DtdlVersion[] = [version];
  const nameMax = v2 ? 64 : 512;
  const displayNameMax = v2 ? 64 : 512;
  const entity: PropertyDef[] = [
    literal('comment', 'string', { maxLength: 512 }),
    literal('description', 'langString', { maxLength: 512 }),
    literal('displayName', 'langString', { maxLength: displayNameMax }),
  ];
  const name = required(literal('name', 'string', { maxLength: nameMax, pattern: NAME_PATTERN }));
  const schemaRange: ClassName[] = ['Schema'];
  const schema = required(object('schema', schemaRange, { rangeVersions: mixed }));
  // v2 forbids Array anywhere below a Property's schema; that is a structural rule checked after resolution.
  const specs: Partial<Record<ClassName, ClassSpec>> = {
    Entity: { abstract: true, properties: entity },
    NamedEntity: { abstract: true, extends: 'Entity', properties: [name] },
    SchemaField: { abstract: true, extends: 'NamedEntity', properties: [schema] },
    Schema: { abstract: true, extends: 'Entity' },
    PrimitiveSchema: { abstract: true, extends: 'Schema' },
    ComplexSchema: { abstract: true, extends: 'Schema' },
    Content: { abstract: true, extends: 'NamedEntity' },
    Interface: {
      extends: 'Entity',
      maxIdLength: 128,
      properties: [
        plural('contents', ['Content'], {
          dictionaryKey: 'name',
          maxCount: v2 ? 300 : undefined,
          rangeVersions: mixed,
        }),
        plural('extends', ['Interface'], { maxCount: v2 ? 2 : undefined, idRequired: true, rangeVersions: mixed }),
        plural('schemas', ['ComplexSchema'], { idRequired: true, rangeVersions: same }),
      ],
    },
    Telemetry: { extends: 'Content', properties: [schema] },
    Property: { extends: 'Content', properties: [schema, literal('writable', 'boolean', { defaultValue: false })] },
    Command: {
      extends: 'Content',
      properties: [
        object('request', [v2 ? 'CommandPayload' : 'CommandRequest'], {
          inferredType: v2 ? 'CommandPayload' : 'CommandRequest',
          rangeVersions: same,
        }),
        object('response', [v2 ? 'CommandPayload' : 'CommandResponse'], {
          inferredType: v2 ? 'CommandPayload' : 'CommandResponse',
          rangeVersions: same,
        }),
        object('commandType', ['CommandType'], {
          allowedInstances: ['synchronous', 'asynchronous'],
          rangeVersions: same,
        }),
      ],
    },
    CommandPayload: {
      abstract: !v2,
      extends: 'SchemaField',
      properties: v4 ? [literal('nullable', 'boolean', { defaultValue: false })] : [],
    },
    CommandRequest: { extends: 'CommandPayload' },
    CommandResponse: { extends: 'CommandPayload' },
    // Only the standard instances (synchronous, asynchronous) exist; models cannot define command types.
    CommandType: { abstract: true, extends: 'Entity' },
    Relationship: {
      extends: 'Content',
      properties: [
        literal('maxMultiplicity', 'integer', { minInclusive: 1, maxInclusive: v2 ? 500 : undefined }),
        literal('minMultiplicity', 'integer', { exact: 0 }),
        plural('properties', ['Property'], {
          dictionaryKey: 'name',
          maxCount: v2 ? 300 : undefined,
          rangeVersions: mixed,
        }),
        object('target', ['Interface'], { nonDependent: true, referenceOnly: true, rangeVersions: mixed }),
        literal('writable', 'boolean', { defaultValue: false }),
      ],
    },
    Component: {
      extends: 'Content',
      properties: [required(object('schema', ['Interface'], { idRequired: true, rangeVersions: mixed }))],
    },
    Array: {
      extends: 'ComplexSchema',
      properties: [required(object('elementSchema', schemaRange, { rangeVersions: mixed }))],
    },
    Enum: {
      extends: 'ComplexSchema',
      properties: [
        required(
          object('valueSchema', ['PrimitiveSchema'], {
            allowedInstances: ['integer', 'string'],
            referenceOnly: true,
            rangeVersions: mixed,
          }),
        ),
        plural('enumValues', ['EnumValue'], {
          dictionaryKey: 'name',
          inferredType: 'EnumValue',
          minCount: v2 ? 1 : 0,
          maxCount: v2 ? 100 : undefined,
          rangeVersions: same,
        }),
      ],
    },
    EnumValue: { extends: 'NamedEntity', properties: [required(literal('enumValue', 'enumValueLiteral'))] },
    Map: {
      extends: 'ComplexSchema',
      properties: [
        required(object('mapKey', ['MapKey'], { inferredType: 'MapKey', rangeVersions: same })),
        required(object('mapValue', ['MapValue'], { inferredType: 'MapValue', rangeVersions: same })),
      ],
    },
    MapKey: {
      extends: 'NamedEntity',
      properties: [
        required(
          object('schema', ['PrimitiveSchema'], {
            allowedInstances: ['string'],
            instancesOfClass: 'String',
            rangeVersions: mixed,
          }),
        ),
      ],
    },
    MapValue: { extends: 'SchemaField' },
    Object: {
      extends: 'ComplexSchema',
      properties: [
        plural('fields', ['Field'], {
          dictionaryKey: 'name',
          inferredType: 'Field',
          minCount: v2 ? 1 : 0,
          maxCount: v2 ? 30 : undefined,
          rangeVersions: same,
        }),
      ],
    },
    Field: { extends: 'SchemaField' },
    Unit: { abstract: true, extends: 'Entity' },
    UnitAttribute: { abstract: true, extends: 'NamedEntity' },
    LatentType: { abstract: true, extends: 'Entity' },
    NamedLatentType: { abstract: true, extends: 'NamedEntity' },
  };
  // v2 has one concrete CommandPayload; v3 replaces it with CommandRequest and CommandResponse.
  if (v2) {
    delete specs.CommandRequest;
    delete specs.CommandResponse;
  }
  const classes = buildClasses(specs);
  const standardSchemas = new Map<string, StandardSchema>();
  for (const term of v4 ? [...PRIMITIVE_SCHEMAS, ...V4_PRIMITIVE_SCHEMAS] : PRIMITIVE_SCHEMAS) {
    standardSchemas.set(term, {
      term,
      kind: 'primitive',
      id: `dtmi:dtdl:instance:Schema:${term};${version}`,
      numeric: NUMERIC.has(term),
    });
  }
  for (const term of GEOSPATIAL_SCHEMAS) {
    standardSchemas.set(term, {
      term,
      kind: 'geospatial',
      id: `dtmi:standard:schema:geospatial:${term};${version}`,
      numeric: false,
      coordinatesId: `dtmi:standard:schema:geospatial:${COORDINATES[term]};${version}`,
    });
  }
  if (v4) {
    // An Object of a short `scale` and a decimal `value` (DTDL.v4.md §Scaled Decimal Schema).
    standardSchemas.set('scaledDecimal', {
      term: 'scaledDecimal',
      kind: 'scaledDecimal',
      id: 'dtmi:standard:schema:scaledDecimal;4',
      numeric: false,
    });
  }
  return {
    version,
    classes,
    standardSchemas,
    rootable: ['Interface'],
    nameMaxLength: nameMax,
    displayNameMaxLength: displayNameMax,
    descriptionMaxLength: 512,
    commentMaxLength: 512,
    maxSchemaDepth: v4 ? 8 : 5,
    maxExtendsDepth: v4 ? 12 : 10,
    maxExtendsTotal: v2 ? undefined : 1024,
    selfReferentialSchemas: v4,
    maxIdLength: 2048,
  };
}

export const METAMODELS: Readonly<Record<DtdlVersion, Metamodel>> = {
  2: buildMetamodel(2),
  3: buildMetamodel(3),
  4: buildMetamodel(4),
};

/**
 * The limit extensions, by context id, with the limits each supersedes: onvif;1 from
 * DTDL.LimitExtension.onvif.v1.RDF-SHACL.json; aio;1 (Azure IoT Operations), which the specification folder does
 * not publish, from the reference parser's cases (nesting 12 levels, descriptions of 2048 characters).
 */
export const LIMIT_EXTENSIONS: ReadonlyMap<string, LimitSet> = new Map<string, LimitSet>([
  [
    'dtmi:dtdl:limits:onvif;1',
    { descriptionMaxLength: 4096, maxSchemaDepth: 24, interfaceIdMaxLength: 256, maxIdLength: 512 },
  ],
  ['dtmi:dtdl:limits:aio;1', { descriptionMaxLength: 2048, maxSchemaDepth: 12 }],
]);

const limited = new Map<string, Metamodel>();

/** The metamodel of a language version, with the limits of a limit extension in place of the core's. */
export function metamodelFor(version: DtdlVersion, limits?: string): Metamodel {
  const core = METAMODELS[version];
  const set = limits === undefined ? undefined : LIMIT_EXTENSIONS.get(limits);
  if (!set) return core;
  const key = `${version}|${limits}`;
  let mm = limited.get(key);
  if (!mm) {
    const classes = new Map<ClassName, ClassDef>();
    for (const [name, def] of core.classes) {
      const properties = new Map(def.properties);
      const description = properties.get('description');
      if (description && set.descriptionMaxLength !== undefined)
        properties.set('description', { ...description, maxLength: set.descriptionMaxLength } as LiteralPropertyDef);
      const maxIdLength = name === 'Interface' ? (set.interfaceIdMaxLength ?? def.maxIdLength) : def.maxIdLength;
      classes.set(name, { ...def, properties, maxIdLength });
    }
    mm = {
      ...core,
      classes,
      limits,
      descriptionMaxLength: set.descriptionMaxLength ?? core.descriptionMaxLength,
      maxSchemaDepth: set.maxSchemaDepth ?? core.maxSchemaDepth,
      maxIdLength: set.maxIdLength ?? core.maxIdLength,
    };
    limited.set(key, mm);
  }
  return mm;
}

/** Concrete classes that may appear as the material @type of an element. */
export function isConcrete(mm: Metamodel, name: string): name is ClassName {
  const def = mm.classes.get(name as ClassName);
  return def !== undefined && !def.abstract;
}

export function isSubclass(mm: Metamodel, cls: ClassName, ancestor: ClassName): boolean {
  if (cls === ancestor) return true;
  return mm.classes.get(cls)?.superclasses.includes(ancestor) ?? false;
}
