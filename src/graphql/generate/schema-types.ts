/**
 * DTDL schemas as GraphQL types. Each schema gets a "shape": its output type, its input type, and where it
 * can be filtered or sorted on, the filter and order inputs, with the functions that turn GraphQL values into
 * the store's JSON, filters and orderings. Complex schemas are built once per schema element (an Enum used by
 * three properties is one GraphQL enum) and named after their DTMI when the model gave one, otherwise after
 * the content that declares them (`DeviceState`, `ClientAddress`).
 *
 * DTDL v4's primitives map to the nearest scalar that holds every value: byte, short, unsignedByte and
 * unsignedShort to Int, unsignedInteger and unsignedLong to Long (Int is 32 bits, signed), decimal, bytes and uuid
 * to String (the payload validators check their ranges and patterns); scaledDecimal is a `ScaledDecimal { scale
 * value }` object. A v4 complex schema that contains itself is typed `JSON` where it recurs: a GraphQL type could
 * refer to itself, but the filter and order inputs built from it would nest without end.
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLEnumValueConfigMap,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { parseDtmi } from '../../dtdl/dtmi';
import { QUANTITATIVE_TYPES_V1 } from '../../dtdl/vocabulary/quantitative';
import type { ComplexSchema, EnumSchema, LangString, MapSchema, ObjectSchema, Schema } from '../../dtdl';
import { TwingraphError } from '../../errors';
import type { Filter, OrderBy, PropertyPath } from '../../store/query';
import type { JsonValue } from '../../store/types';
import { FILTER_OPS } from '../descriptions';
import { scalarConditions } from './filters';
import { geoInput, geoOutput, geoValue } from './geo';
import { pascalCase, type NameAllocator } from './names';

export interface Shape {
  readonly output: GraphQLOutputType;
  readonly input: GraphQLInputType;
  /** Stored JSON → what the output type resolves (Maps become entry lists); identity when absent. */
  readonly toOutput?: (value: unknown) => unknown;
  /** GraphQL input value → stored JSON. */
  readonly fromInput: (value: unknown) => JsonValue;
  /** The filter input, where the schema can be filtered on. */
  readonly filter?: GraphQLInputType;
  readonly toFilter?: (path: PropertyPath, value: Record<string, unknown>) => Filter[];
  /** The order input (SortDirection for scalars, nested inputs for objects), where it can be sorted on. */
  readonly order?: GraphQLInputType;
  readonly toOrder?: (path: PropertyPath, value: unknown) => OrderBy[];
}

export interface CoreTypes {
  readonly schema: GraphQLSchema;
  named<T>(name: string): T;
}

const identity = (v: unknown): JsonValue => v as JsonValue;

export function describe(...parts: (string | undefined | null | false)[]): string | undefined {
  const text = parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n\n');
  return text || undefined;
}

export function langText(text: LangString | undefined): string | undefined {
  if (!text) return undefined;
  return text.en ?? Object.values(text)[0];
}

/** GraphQL enum value names: DTDL names, except the three GraphQL forbids. */
function enumValueName(name: string): string {
  return ['true', 'false', 'null'].includes(name) ? `${name}_` : name;
}

export class SchemaTypes {
  private readonly complex = new Map<string, Shape>();
  /** Complex schemas whose shapes are being built (a v4 schema may contain itself). */
  private readonly building = new Set<string>();
  private scaledDecimal: Shape | undefined;
  private readonly units = new Map<string, Shape>();
  private readonly scalarShapes: Record<string, Shape>;
  private readonly direction: GraphQLInputType;
  private readonly json: GraphQLOutputType & GraphQLInputType;

  constructor(
    core: CoreTypes,
    private readonly names: NameAllocator,
    /** Every type this builder creates, so the schema lists them all. */
    readonly created: (GraphQLObjectType | GraphQLInputObjectType | GraphQLEnumType)[] = [],
  ) {
    this.direction = core.named<GraphQLInputType>('SortDirection');
    this.json = core.named<GraphQLOutputType & GraphQLInputType>('JSON');
    const scalar = (scalarName: string, filterName: string): Shape => {
      const type = core.named<GraphQLOutputType & GraphQLInputType>(scalarName);
      return {
        output: type,
        input: type,
        fromInput: identity,
        filter: core.named<GraphQLInputType>(filterName),
        toFilter: (path, value) => scalarConditions(path, value),
        order: this.direction,
        toOrder: (path, value) => [{ path, direction: value as 'asc' | 'desc' }],
      };
    };
    const builtIn = (type: GraphQLOutputType & GraphQLInputType, filterName: string): Shape => ({
      ...scalar('String', filterName),
      output: type,
      input: type,
    });
    this.scalarShapes = {
      boolean: builtIn(GraphQLBoolean, 'BooleanFilter'),
      date: scalar('Date', 'StringFilter'),
      dateTime: scalar('DateTime', 'DateTimeFilter'),
      double: builtIn(GraphQLFloat, 'FloatFilter'),
      duration: scalar('Duration', 'StringFilter'),
      float: builtIn(GraphQLFloat, 'FloatFilter'),
      integer: builtIn(GraphQLInt, 'IntFilter'),
      long: scalar('Long', 'LongFilter'),
      string: builtIn(GraphQLString, 'StringFilter'),
      time: scalar('Time', 'StringFilter'),
      byte: builtIn(GraphQLInt, 'IntFilter'),
      short: builtIn(GraphQLInt, 'IntFilter'),
      unsignedByte: builtIn(GraphQLInt, 'IntFilter'),
      unsignedShort: builtIn(GraphQLInt, 'IntFilter'),
      unsignedInteger: scalar('Long', 'LongFilter'),
      unsignedLong: scalar('Long', 'LongFilter'),
      decimal: builtIn(GraphQLString, 'StringFilter'),
      bytes: builtIn(GraphQLString, 'StringFilter'),
      uuid: builtIn(GraphQLString, 'StringFilter'),
    };
  }

  /** The shape of a schema; `owner` names the types of schemas the model did not give an id. */
  shape(schema: Schema, owner: string): Shape {
    switch (schema.kind) {
      case 'primitive':
        return this.scalarShapes[schema.name];
      case 'geospatial': {
        const name = schema.name;
        return {
          output: geoOutput(name),
          input: geoInput(name),
          fromInput: (v) => geoValue(name, v as { coordinates: unknown }) as unknown as JsonValue,
        };
      }
      case 'unitType':
        return this.unitShape(schema.name, schema.units);
      case 'scaledDecimal':
        return (this.scaledDecimal ??= this.scaledDecimalShape());
      default:
        return this.complexShape(schema, owner);
    }
  }

  /** A type name for a complex schema: its own DTMI's last segment, or the declaring content's. */
  private nameFor(schema: ComplexSchema, owner: string): string {
    const dtmi = parseDtmi(schema.id);
    const own = dtmi && !dtmi.isReserved ? pascalCase(dtmi.labels[dtmi.labels.length - 1]) : undefined;
    return this.names.take(own ?? owner);
  }

  private complexShape(schema: ComplexSchema, owner: string): Shape {
    const cached = this.complex.get(schema.id);
    if (cached) return cached;
    if (this.building.has(schema.id)) return { output: this.json, input: this.json, fromInput: identity };
    this.building.add(schema.id);
    let shape: Shape;
    switch (schema.kind) {
      // DTDL allows an Enum without values and an Object without fields; GraphQL has no empty enums or
      // objects. Such an Enum holds values of its value schema, such an Object is always {}: JSON says so.
      case 'Enum':
        shape = schema.enumValues.length
          ? this.enumShape(schema, this.nameFor(schema, owner))
          : this.scalarShapes[schema.valueSchema];
        break;
      case 'Object':
        shape = schema.fields.length
          ? this.objectShape(schema, this.nameFor(schema, owner))
          : { output: this.json, input: this.json, fromInput: identity };
        break;
      case 'Map':
        shape = this.mapShape(schema, this.nameFor(schema, owner));
        break;
      case 'Array': {
        const element = this.shape(schema.elementSchema, `${owner}Item`);
        const toOutput = element.toOutput;
        shape = {
          output: new GraphQLList(element.output),
          input: new GraphQLList(element.input),
          ...(toOutput && { toOutput: (v: unknown) => (Array.isArray(v) ? v.map(toOutput) : v) }),
          fromInput: (v) =>
            Array.isArray(v) ? v.map((e) => (e === null ? null : element.fromInput(e))) : (v as JsonValue),
        };
        break;
      }
    }
    this.building.delete(schema.id);
    this.complex.set(schema.id, shape);
    return shape;
  }

  /** DTDL v4's scaledDecimal: the scale (a short) and the significand (a decimal, as a string), both required. */
  private scaledDecimalShape(): Shape {
    const name = this.names.take('ScaledDecimal');
    const description = 'DTDL scaledDecimal (dtmi:standard:schema:scaledDecimal;4): value × 10^-scale.';
    const output = new GraphQLObjectType({
      name,
      description,
      fields: {
        scale: { type: new GraphQLNonNull(GraphQLInt), description: 'Decimal places to shift value (positive: left).' },
        value: { type: new GraphQLNonNull(GraphQLString), description: 'The significand, a decimal string.' },
      },
    });
    const input = new GraphQLInputObjectType({
      name: this.names.take(`${name}Input`),
      description,
      fields: {
        scale: { type: new GraphQLNonNull(GraphQLInt), description: 'Decimal places to shift value (positive: left).' },
        value: { type: new GraphQLNonNull(GraphQLString), description: 'The significand, a decimal string.' },
      },
    });
    this.created.push(output, input);
    return { output, input, fromInput: identity };
  }

  private enumFilter(name: string, type: GraphQLEnumType, of: string): GraphQLInputObjectType {
    const list = new GraphQLList(new GraphQLNonNull(type));
    const filter = new GraphQLInputObjectType({
      name: this.names.take(`${name}Filter`),
      description: `Conditions on ${name} (${of}).`,
      fields: {
        eq: { type, description: FILTER_OPS.eq },
        ne: { type, description: FILTER_OPS.ne },
        in: { type: list, description: FILTER_OPS.in },
        notIn: { type: list, description: FILTER_OPS.notIn },
        exists: { type: GraphQLBoolean, description: FILTER_OPS.exists },
      },
    });
    this.created.push(filter);
    return filter;
  }

  private enumLike(type: GraphQLEnumType, name: string, of: string): Shape {
    this.created.push(type);
    return {
      output: type,
      input: type,
      fromInput: identity,
      filter: this.enumFilter(name, type, of),
      toFilter: (path, value) => scalarConditions(path, value),
      order: this.direction,
      toOrder: (path, value) => [{ path, direction: value as 'asc' | 'desc' }],
    };
  }

  private enumShape(schema: EnumSchema, name: string): Shape {
    const values: GraphQLEnumValueConfigMap = {};
    for (const v of schema.enumValues) {
      values[enumValueName(v.name)] = {
        value: v.enumValue,
        description: describe(
          langText(v.displayName),
          langText(v.description),
          `Stored as ${JSON.stringify(v.enumValue)}.`,
        ),
      };
    }
    const type = new GraphQLEnumType({
      name,
      description: describe(langText(schema.description), `DTDL Enum ${schema.id}.`),
      values,
    });
    return this.enumLike(type, name, `DTDL Enum ${schema.id}`);
  }

  private unitShape(unitType: string, units: readonly string[]): Shape {
    let shape = this.units.get(unitType);
    if (!shape) {
      const name = this.names.take(pascalCase(unitType));
      const values: GraphQLEnumValueConfigMap = {};
      for (const unit of units) values[enumValueName(unit)] = { value: unit, description: `The unit ${unit}.` };
      const of = `DTDL unit type ${unitType}, dtmi:dtdl:extension:quantitativeTypes:v1:enum:${QUANTITATIVE_TYPES_V1.aliases.get(unitType) ?? unitType}`;
      shape = this.enumLike(
        new GraphQLEnumType({ name, description: `Units of ${unitType} (${of}).`, values }),
        name,
        of,
      );
      this.units.set(unitType, shape);
    }
    return shape;
  }

  private objectShape(schema: ObjectSchema, name: string): Shape {
    const fields = schema.fields.map((f) => ({
      field: f,
      shape: this.shape(f.schema, `${name}${pascalCase(f.name)}`),
    }));
    const output = new GraphQLObjectType({
      name,
      description: describe(langText(schema.description), `DTDL Object ${schema.id}.`),
      fields: () => {
        const config: GraphQLFieldConfigMap<Record<string, unknown>, unknown> = {};
        for (const { field, shape } of fields) {
          const convert = shape.toOutput;
          config[field.name] = {
            type: shape.output,
            description: describe(
              langText(field.displayName),
              langText(field.description),
              `DTDL field '${field.name}' of ${name}.`,
            ),
            ...(convert && { resolve: (source: Record<string, unknown>) => convert(source[field.name]) }),
          };
        }
        return config;
      },
    });
    const input = new GraphQLInputObjectType({
      name: this.names.take(`${name}Input`),
      description: `${name} as input (DTDL Object ${schema.id}).`,
      fields: () =>
        Object.fromEntries(
          fields.map(({ field, shape }) => [
            field.name,
            {
              type: shape.input,
              description: describe(
                langText(field.description) ?? langText(field.displayName),
                `DTDL field '${field.name}'.`,
              ),
            },
          ]),
        ) as GraphQLInputFieldConfigMap,
    });
    const filterable = fields.filter((f) => f.shape.filter);
    const filter = filterable.length
      ? new GraphQLInputObjectType({
          name: this.names.take(`${name}Where`),
          description: `Conditions on the fields of ${name} (DTDL Object ${schema.id}).`,
          fields: () =>
            Object.fromEntries(
              filterable.map(({ field, shape }) => [
                field.name,
                { type: shape.filter!, description: `Conditions on ${field.name}.` },
              ]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    const sortable = fields.filter((f) => f.shape.order);
    const order = sortable.length
      ? new GraphQLInputObjectType({
          name: this.names.take(`${name}OrderBy`),
          description: `Sort by one field of ${name} (DTDL Object ${schema.id}).`,
          fields: () =>
            Object.fromEntries(
              sortable.map(({ field, shape }) => [
                field.name,
                { type: shape.order!, description: `Sort by ${field.name}.` },
              ]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    this.created.push(output, input, ...(filter ? [filter] : []), ...(order ? [order] : []));
    return {
      output,
      input,
      fromInput: (value) => {
        if (value === null || typeof value !== 'object') return value as JsonValue;
        const out: Record<string, JsonValue> = {};
        for (const { field, shape } of fields) {
          const v = (value as Record<string, unknown>)[field.name];
          if (v !== undefined && v !== null) out[field.name] = shape.fromInput(v);
        }
        return out;
      },
      ...(filter && {
        filter,
        toFilter: (path: PropertyPath, value: Record<string, unknown>) =>
          filterable.flatMap(({ field, shape }) =>
            value[field.name]
              ? shape.toFilter!([...path, field.name], value[field.name] as Record<string, unknown>)
              : [],
          ),
      }),
      ...(order && {
        order,
        toOrder: (path: PropertyPath, value: unknown) =>
          singleKeyOrder(path, value as Record<string, unknown>, sortable),
      }),
    };
  }

  private mapShape(schema: MapSchema, name: string): Shape {
    const value = this.shape(schema.mapValue.schema, `${name}Value`);
    const entry = new GraphQLObjectType({
      name: this.names.take(`${name}Entry`),
      description: `One entry of ${name} (DTDL Map ${schema.id}).`,
      fields: {
        key: { type: new GraphQLNonNull(GraphQLString), description: schema.mapKey.name },
        value: { type: value.output, description: schema.mapValue.name },
      },
    });
    const entryInput = new GraphQLInputObjectType({
      name: this.names.take(`${name}EntryInput`),
      description: `One entry of ${name} (DTDL Map ${schema.id}).`,
      fields: {
        key: { type: new GraphQLNonNull(GraphQLString), description: `The key (${schema.mapKey.name}).` },
        value: { type: value.input, description: `The value (${schema.mapValue.name}).` },
      },
    });
    this.created.push(entry, entryInput);
    const toValue = value.toOutput;
    return {
      output: new GraphQLList(new GraphQLNonNull(entry)),
      input: new GraphQLList(new GraphQLNonNull(entryInput)),
      toOutput: (v) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.entries(v).map(([key, x]) => ({ key, value: toValue ? toValue(x) : x }))
          : v,
      fromInput: (v) => {
        if (!Array.isArray(v)) return v as JsonValue;
        const out: Record<string, JsonValue> = {};
        for (const e of v as { key: string; value: unknown }[]) {
          if (Object.prototype.hasOwnProperty.call(out, e.key))
            throw new TwingraphError('ValidationFailed', `Map key '${e.key}' is given twice.`);
          out[e.key] = e.value === null || e.value === undefined ? null : value.fromInput(e.value);
        }
        return out;
      },
    };
  }
}

/** An order input must name exactly one field (a list of them orders by several). */
export function singleKeyOrder(
  path: PropertyPath,
  value: Record<string, unknown>,
  fields: readonly { field: { name: string }; shape: Shape }[],
): OrderBy[] {
  const given = fields.filter(({ field }) => value[field.name] !== undefined && value[field.name] !== null);
  if (given.length !== 1) {
    throw new TwingraphError(
      'InvalidArgument',
      `Each orderBy entry names exactly one field (got ${given.length === 0 ? 'none' : given.map((g) => g.field.name).join(', ')}); give a list to sort by several.`,
    );
  }
  const { field, shape } = given[0];
  return shape.toOrder!([...path, field.name], value[field.name]);
}
