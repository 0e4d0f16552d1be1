/**
 * JSON Schemas (draft-07) of what Twingraph writes, derived from the resolved DTDL model set: the body of a
 * twin of each model, the properties of each relationship, the value of each telemetry and the request of
 * each command. Pure functions: `PayloadValidators` (./validators.ts) compiles them with ajv, lazily, and
 * clients may fetch them to validate before they write.
 *
 * How DTDL maps to JSON Schema:
 *
 * | DTDL | JSON Schema |
 * | --- | --- |
 * | boolean | `{ type: boolean }` |
 * | integer | whole number in −2^31 … 2^31 − 1 |
 * | long | whole number in ±(2^53 − 1): the integers a JSON number carries exactly |
 * | float | number within ±3.4028234663852886e38 (xsd:float); double: any (finite) number |
 * | string | string of at most 4096 bytes in UTF-8 (ADT's limit), by the `maxBytes` keyword |
 * | date | `format: date` (RFC 3339 full-date: 2024-05-31) |
 * | dateTime | `format: date-time` (RFC 3339: the offset is required, 2024-05-31T12:00:00Z) |
 * | time | `format: iso-time` (ajv-formats: RFC 3339 time, offset optional: 12:30:00 or 12:30:00+02:00) |
 * | duration | `format: duration`, checked as the DTDL parser checks duration literals (ISO 8601: P1Y2M, P2W, PT1.5S) |
 * | byte, short, unsignedByte, unsignedShort, unsignedInteger (v4) | whole number within the type's range (−128 … 127, …, 0 … 2^32 − 1) |
 * | unsignedLong (v4) | whole number in 0 … 2^53 − 1 (as long: what a JSON number carries exactly) |
 * | decimal (v4) | string of decimal digits, optional sign and fraction (`-12.50`), by DTDL's pattern |
 * | bytes (v4) | base64 string (RFC 4648); uuid (v4): string `8-4-4-4-12` hexadecimal digits (RFC 9562) |
 * | scaledDecimal (v4) | `{ scale, value }`: a short and a decimal string, both required |
 * | point … multiPolygon | GeoJSON geometry: `type` const, `coordinates` nested per RFC 7946, optional `bbox` |
 * | unit type (TemperatureUnit) | string enum of its unit names |
 * | Enum | `enum` of the enumValues' *values* (not their names), typed by valueSchema |
 * | Object | its fields (Required-co-typed ones required), nothing else |
 * | Map | object; keys of at most 1024 bytes, not starting with `$`; values by mapValue's schema |
 * | Array | array; items by elementSchema |
 *
 * A v4 complex schema may contain itself (an Object whose field's schema is the Object). Where a schema recurs
 * inside its own expansion, the recurring value is held to its JSON type (object or array) only: a JSON Schema
 * built by value cannot be infinite, and the `$ref`s that could tie the knot would have to point into a root
 * that differs for twins, telemetry and commands.
 *
 * Null: DTDL has no null, and the store drops a property set to null (absent and null are the same), so
 * `null` is accepted for a property as a whole (a twin's, a component's or a relationship's): it unsets it.
 * Everywhere inside a value (an Object's field, a Map's value, an Array's item), in telemetry and in
 * command requests, null is refused: leave the field out instead.
 *
 * Sizes: strings are limited to 4 KB (UTF-8) here; the 32 KB limit on a whole twin or relationship is
 * enforced by the store (`src/store/documents.ts`, `LimitExceeded`), where the stored form is known.
 *
 * Two keywords are Twingraph's own: `maxBytes` (a string's length in UTF-8 bytes) and the `x-dtdl` annotation
 * (what DTDL element a subschema stands for: readable error messages are built from it). Other validators may
 * ignore both.
 */
import type {
  CommandContent,
  Content,
  GeospatialSchemaName,
  InterfaceModel,
  ModelSet,
  PrimitiveSchemaName,
  RelationshipContent,
  Schema,
  TelemetryContent,
} from '../../dtdl';
import { GEOJSON_TYPE } from './geo';

export type JsonSchemaType = 'array' | 'boolean' | 'integer' | 'null' | 'number' | 'object' | 'string';

/** What a (sub)schema stands for in DTDL; carried as the `x-dtdl` annotation. */
export type DtdlAnnotation =
  | { readonly kind: 'twin'; readonly interface: string; readonly contents: Readonly<Record<string, Content['kind']>> }
  /** A component's interface (shared by every component of that interface: the name is the pointer's first segment). */
  | {
      readonly kind: 'component';
      readonly interface: string;
      readonly contents: Readonly<Record<string, Content['kind']>>;
    }
  | { readonly kind: 'metadata'; readonly interface: string; readonly component?: true }
  | { readonly kind: 'propertyMetadata' }
  | { readonly kind: 'relationship'; readonly name: string; readonly definedIn: string }
  | { readonly kind: 'Object'; readonly id: string }
  | { readonly kind: 'Map'; readonly id: string }
  | { readonly kind: 'Array'; readonly id: string }
  | { readonly kind: 'Enum'; readonly id: string; readonly names: readonly string[] }
  | { readonly kind: 'unitType'; readonly name: string }
  | { readonly kind: 'geospatial'; readonly name: GeospatialSchemaName }
  | { readonly kind: 'scaledDecimal' };

/** The subset of JSON Schema (draft-07) these functions produce, plus Twingraph's `maxBytes` and `x-dtdl`. */
export interface JSONSchema {
  $schema?: string;
  $ref?: string;
  definitions?: Record<string, JSONSchema>;
  title?: string;
  description?: string;
  type?: JsonSchemaType | JsonSchemaType[];
  const?: unknown;
  enum?: unknown[];
  not?: JSONSchema;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: string;
  maxBytes?: number;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  additionalProperties?: boolean | JSONSchema;
  propertyNames?: JSONSchema;
  items?: JSONSchema;
  minItems?: number;
  maxItems?: number;
  'x-dtdl'?: DtdlAnnotation;
}

export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

export const INTEGER_MIN = -(2 ** 31);
export const INTEGER_MAX = 2 ** 31 - 1;
/** DTDL long is 8 bytes, but JSON numbers (IEEE doubles) carry integers exactly only up to 2^53 − 1. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;
/** The largest finite xsd:float (IEEE 754 single precision). */
export const FLOAT_MAX = 3.4028234663852886e38;
/** ADT: a string property value is at most 4 KB in UTF-8. */
export const MAX_STRING_BYTES = 4096;
/** ADT: a property name (here: a Map key) is at most 1 KB. */
export const MAX_NAME_BYTES = 1024;

/**
 * ISO 8601 durations as the DTDL parser accepts them (the reference parser's rule for duration literals):
 * P, then years/months or weeks, days, then T with hours, minutes, seconds; only the last part may have a
 * fraction. Registered with ajv as the `duration` format.
 */
export const DTDL_DURATION =
  /^P(?!$)(?:(?:(?:(?:\d+Y)|(?:\d+\.\d+Y$))?(?:(?:\d+M)|(?:\d+\.\d+M$))?)|(?:(?:(?:\d+W)|(?:\d+\.\d+W$))?))(?:(?:\d+D)|(?:\d+\.\d+D$))?(?:T(?!$)(?:(?:\d+H)|(?:\d+\.\d+H$))?(?:(?:\d+M)|(?:\d+\.\d+M$))?(?:\d+(?:\.\d+)?S)?)?$/;

/** DTDL v4's textual primitives: the patterns of DTDL.v4.ModelRDF-SHACL.json (Decimal, Bytes, Uuid). */
export const DECIMAL_PATTERN = '^(?:\\+|-)?(?:[1-9][0-9]*|0)(?:\\.[0-9]*)?$';
const BYTES_PATTERN = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';
const UUID_PATTERN = '^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$';
const whole = (minimum: number, maximum: number): JSONSchema => ({ type: 'integer', minimum, maximum });

const PRIMITIVES: Readonly<Record<PrimitiveSchemaName, () => JSONSchema>> = {
  byte: () => whole(-128, 127),
  short: () => whole(-32768, 32767),
  unsignedByte: () => whole(0, 255),
  unsignedShort: () => whole(0, 65535),
  unsignedInteger: () => whole(0, 2 ** 32 - 1),
  unsignedLong: () => whole(0, LONG_MAX),
  decimal: () => ({
    type: 'string',
    pattern: DECIMAL_PATTERN,
    description: 'a decimal number as a string, e.g. "-12.50"',
  }),
  bytes: () => ({ type: 'string', pattern: BYTES_PATTERN, description: 'base64 (RFC 4648)' }),
  uuid: () => ({
    type: 'string',
    pattern: UUID_PATTERN,
    description: 'a UUID such as 123e4567-e89b-12d3-a456-426614174000',
  }),
  boolean: () => ({ type: 'boolean' }),
  integer: () => ({ type: 'integer', minimum: INTEGER_MIN, maximum: INTEGER_MAX }),
  long: () => ({ type: 'integer', minimum: -LONG_MAX, maximum: LONG_MAX }),
  float: () => ({ type: 'number', minimum: -FLOAT_MAX, maximum: FLOAT_MAX }),
  double: () => ({ type: 'number' }),
  string: () => ({ type: 'string', maxBytes: MAX_STRING_BYTES }),
  date: () => ({ type: 'string', format: 'date' }),
  dateTime: () => ({ type: 'string', format: 'date-time' }),
  time: () => ({ type: 'string', format: 'iso-time' }),
  duration: () => ({ type: 'string', format: 'duration' }),
};

/** RFC 7946: a position is [longitude, latitude] or [longitude, latitude, elevation]. */
const position = (): JSONSchema => ({
  type: 'array',
  items: { type: 'number' },
  minItems: 2,
  maxItems: 3,
  description: 'A GeoJSON position: [longitude, latitude] or [longitude, latitude, elevation].',
});
const lineString = (): JSONSchema => ({
  type: 'array',
  items: position(),
  minItems: 2,
  description: 'A GeoJSON line string: at least 2 positions.',
});
const linearRing = (): JSONSchema => ({
  type: 'array',
  items: position(),
  minItems: 4,
  description: 'A GeoJSON linear ring: at least 4 positions, the last equal to the first.',
});
const listOf = (items: JSONSchema): JSONSchema => ({ type: 'array', items });

const COORDINATES: Readonly<Record<GeospatialSchemaName, () => JSONSchema>> = {
  point: position,
  multiPoint: () => listOf(position()),
  lineString,
  multiLineString: () => listOf(lineString()),
  polygon: () => listOf(linearRing()),
  multiPolygon: () => listOf(listOf(linearRing())),
};

/**
 * The JSON Schema of a value of a DTDL schema. Null is not part of it (see `nullable`). `expanding` holds the
 * complex schemas being expanded above this one, where a v4 schema that contains itself stops.
 */
export function schemaFor(schema: Schema, expanding: ReadonlySet<string> = new Set()): JSONSchema {
  // Only Arrays, Maps and Objects contain schemas, so only they can recur.
  if ((schema.kind === 'Array' || schema.kind === 'Map' || schema.kind === 'Object') && expanding.has(schema.id))
    return { type: schema.kind === 'Array' ? 'array' : 'object', 'x-dtdl': { kind: schema.kind, id: schema.id } };
  const inner = 'id' in schema ? new Set([...expanding, schema.id]) : expanding;
  switch (schema.kind) {
    case 'primitive':
      return PRIMITIVES[schema.name]();
    case 'scaledDecimal':
      return {
        type: 'object',
        properties: { scale: PRIMITIVES.short(), value: PRIMITIVES.decimal() },
        required: ['scale', 'value'],
        additionalProperties: false,
        'x-dtdl': { kind: 'scaledDecimal' },
      };
    case 'geospatial':
      return {
        type: 'object',
        properties: {
          type: { const: GEOJSON_TYPE[schema.name] },
          coordinates: COORDINATES[schema.name](),
          bbox: { type: 'array', items: { type: 'number' }, minItems: 4 },
        },
        required: ['type', 'coordinates'],
        additionalProperties: false,
        'x-dtdl': { kind: 'geospatial', name: schema.name },
      };
    case 'unitType':
      return enumOf('string', [...schema.units], { kind: 'unitType', name: schema.name });
    case 'Enum':
      return enumOf(
        schema.valueSchema,
        schema.enumValues.map((v) => v.enumValue),
        { kind: 'Enum', id: schema.id, names: schema.enumValues.map((v) => v.name) },
      );
    case 'Object': {
      const properties: Record<string, JSONSchema> = {};
      for (const field of schema.fields) properties[field.name] = schemaFor(field.schema, inner);
      const required = schema.fields.filter((f) => f.supplementalTypes.includes('Required')).map((f) => f.name);
      return {
        type: 'object',
        properties,
        ...(required.length > 0 && { required }),
        additionalProperties: false,
        'x-dtdl': { kind: 'Object', id: schema.id },
      };
    }
    case 'Map':
      return {
        type: 'object',
        propertyNames: { maxBytes: MAX_NAME_BYTES, pattern: '^(?!\\$)' },
        additionalProperties: schemaFor(schema.mapValue.schema, inner),
        'x-dtdl': { kind: 'Map', id: schema.id },
      };
    case 'Array':
      return {
        type: 'array',
        items: schemaFor(schema.elementSchema, inner),
        'x-dtdl': { kind: 'Array', id: schema.id },
      };
  }
}

/** An enum of `values`; an Enum without values (DTDL v3 allows one) accepts nothing (`not: {}`). */
function enumOf(valueSchema: 'integer' | 'string', values: unknown[], annotation: DtdlAnnotation): JSONSchema {
  if (values.length === 0) return { not: {}, 'x-dtdl': annotation };
  return { type: valueSchema, enum: values, 'x-dtdl': annotation };
}

/** The same schema, also accepting null (a property set to null is unset). */
export function nullable(schema: JSONSchema): JSONSchema {
  if (schema.not && schema.type === undefined) {
    const { not: _nothing, ...rest } = schema;
    return { ...rest, type: 'null' };
  }
  const out: JSONSchema = { ...schema };
  if (typeof schema.type === 'string') out.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type) && !schema.type.includes('null')) out.type = [...schema.type, 'null'];
  if (schema.enum) out.enum = [...schema.enum, null];
  return out;
}

const DATE_TIME: JSONSchema = { type: 'string', format: 'date-time' };

/** `$metadata.<property>`: when the property was written (kept by Twingraph) and measured (settable). */
function propertyMetadataSchema(): JSONSchema {
  return {
    type: 'object',
    properties: { lastUpdateTime: { ...DATE_TIME }, sourceTime: { type: ['string', 'null'], format: 'date-time' } },
    additionalProperties: false,
    'x-dtdl': { kind: 'propertyMetadata' },
  };
}

function kindsOf(model: InterfaceModel): Record<string, Content['kind']> {
  const kinds: Record<string, Content['kind']> = {};
  for (const [name, content] of model.contents) kinds[name] = content.kind;
  return kinds;
}

/** Where a twin schema keeps the schema of each component interface, once however many components use it. */
export const COMPONENT_REF_PREFIX = '#/definitions/';

/** A level of a twin: the twin itself (with `definitions` for its components' interfaces), or a component's interface. */
function levelSchema(model: InterfaceModel, models: ModelSet, component: boolean): JSONSchema {
  const metadata: JSONSchema = {
    type: 'object',
    properties: component
      ? { $lastUpdateTime: { ...DATE_TIME } }
      : { $model: { type: 'string', const: model.id }, $lastUpdateTime: { ...DATE_TIME } },
    ...(!component && { required: ['$model'] }),
    additionalProperties: false,
    'x-dtdl': { kind: 'metadata', interface: model.id, ...(component && { component: true as const }) },
  };
  const properties: Record<string, JSONSchema> = component
    ? { $metadata: metadata }
    : { $dtId: { type: 'string' }, $etag: { type: 'string' }, $metadata: metadata };
  const required = ['$metadata'];
  const definitions: Record<string, JSONSchema> = {};
  for (const content of model.contents.values()) {
    if (content.kind === 'Property') {
      properties[content.name] = nullable(schemaFor(content.schema));
      metadata.properties![content.name] = propertyMetadataSchema();
    } else if (content.kind === 'Component' && !component) {
      const target = models.interfaces.get(content.schema);
      if (!target)
        throw new Error(
          `json-schema: component '${content.name}' of ${model.id} has interface ${content.schema}, which is not in the model set`,
        );
      definitions[target.id] ??= levelSchema(target, models, true);
      properties[content.name] = { $ref: COMPONENT_REF_PREFIX + target.id.replace(/~/g, '~0').replace(/\//g, '~1') };
      required.push(content.name);
    }
  }
  return {
    type: 'object',
    properties,
    required,
    additionalProperties: false,
    'x-dtdl': component
      ? { kind: 'component', interface: model.id, contents: kindsOf(model) }
      : { kind: 'twin', interface: model.id, contents: kindsOf(model) },
    ...(Object.keys(definitions).length > 0 && { definitions }),
  };
}

/**
 * The JSON body of a twin of `model`, as the store receives it (and as it returns it: `$dtId`, `$etag` and
 * the `lastUpdateTime`s are allowed, and ignored by the store). `$metadata.$model` must be the model; each
 * Property by its schema (or null); each Component required, as an object with its own `$metadata`
 * (`{ "$metadata": {} }` will do; ADT requires components to exist); nothing else. A component's interface is
 * described once, in `definitions` (keyed by its DTMI), and referenced by every component of that interface.
 */
export function twinJsonSchema(model: InterfaceModel, models: ModelSet): JSONSchema {
  return { $schema: JSON_SCHEMA_DIALECT, title: `Twin of ${model.id}`, ...levelSchema(model, models, false) };
}

/** The properties object of a relationship (its `$` fields allowed), as the store receives it. */
export function relationshipJsonSchema(relationship: RelationshipContent): JSONSchema {
  const properties: Record<string, JSONSchema> = {
    $targetId: { type: 'string' },
    $relationshipName: { type: 'string', const: relationship.name },
    $relationshipId: { type: 'string' },
    $sourceId: { type: 'string' },
    $etag: { type: 'string' },
  };
  for (const p of relationship.properties) properties[p.name] = nullable(schemaFor(p.schema));
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: `Relationship '${relationship.name}' of ${relationship.definedIn}`,
    type: 'object',
    properties,
    additionalProperties: false,
    'x-dtdl': { kind: 'relationship', name: relationship.name, definedIn: relationship.definedIn },
  };
}

/** The value of one point of a telemetry. */
export function telemetryJsonSchema(content: TelemetryContent): JSONSchema {
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: `Telemetry '${content.name}' of ${content.definedIn}`,
    ...schemaFor(content.schema),
  };
}

/** The request payload of a command, or undefined when the command takes none. */
export function commandRequestJsonSchema(command: CommandContent): JSONSchema | undefined {
  if (!command.request) return undefined;
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: `Request '${command.request.name}' of command '${command.name}' of ${command.definedIn}`,
    ...schemaFor(command.request.schema),
  };
}

/** The response payload of a command (what its executor answers), or undefined when it declares none. */
export function commandResponseJsonSchema(command: CommandContent): JSONSchema | undefined {
  if (!command.response) return undefined;
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: `Response '${command.response.name}' of command '${command.name}' of ${command.definedIn}`,
    ...schemaFor(command.response.schema),
  };
}
