/**
 * Schema plugins (what a feature module adds to the schema). Fields from outside the DTDL go on the named
 * model's types and on every model that extends it, under the same name on every one of them. A content with
 * an extension field's name, declared on the model or on a subtype, gets a `_` suffix instead (as one named
 * like a core twin field does), so that the schema stays valid and no upload renames a field that was there
 * before. A plugin adds nothing to a schema it does not apply to, yet keeps its type names reserved.
 */
import {
  getNamedType,
  GraphQLString,
  validateSchema,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  GraphQLInt,
  GraphQLNonNull,
} from 'graphql';
import { Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { compileSchema } from '../../src/graphql';
import type { SchemaPlugin, TwinFieldExtension } from '../../src/graphql/plugin';
import { iface, parse, property, telemetry } from './fixtures';

const BASE = 'dtmi:test:Machine;1';
const SUB = 'dtmi:test:Press;1';
const OTHER = 'dtmi:test:Room;1';
const fieldsOf = (schema: ReturnType<typeof compileSchema>['schema'], type: string): string[] =>
  Object.keys((schema.getType(type) as GraphQLObjectType | GraphQLInterfaceType).getFields());

const extension: TwinFieldExtension = {
  modelId: BASE,
  fields: () => ({
    health: { type: GraphQLString, resolve: () => 'fine' },
    label: { type: GraphQLString, resolve: () => 'from the extension' },
  }),
};

const withExtension: SchemaPlugin = { name: 'test', twinFields: [extension] };

describe('twin field extensions', () => {
  const models = parse([
    iface(BASE, [property('label', 'string')]),
    iface(SUB, [property('force', 'double')], { extends: BASE }),
    iface(OTHER, [property('area', 'double')]),
  ]);
  const { schema } = compileSchema(models, [BASE, SUB, OTHER], {
    plugins: [withExtension],
  });

  it("puts the fields on the model's interface and object type, and on every subtype's", () => {
    for (const type of ['Machine', 'MachineTwin', 'Press', 'PressTwin'])
      expect(fieldsOf(schema, type)).toContain('health');
  });

  it('leaves other models alone', () => {
    expect(fieldsOf(schema, 'Room')).not.toContain('health');
  });

  it('keeps its name against a content of the same name, which gets a `_` suffix on every type of the lineage', () => {
    expect(validateSchema(schema).map((e) => e.message)).toEqual([]);
    for (const type of ['Machine', 'MachineTwin', 'Press', 'PressTwin']) {
      const fields = (schema.getType(type) as GraphQLObjectType | GraphQLInterfaceType).getFields();
      expect(fields.label.resolve?.({} as never, {}, {} as never, {} as never)).toBe('from the extension');
      expect(fields.label_.description).toMatch(/DTDL Property 'label'/);
    }
  });

  it('reserves its names on subtypes: a subtype declaring one gets the extension field and the content beside it, and the schema is valid', () => {
    const withSub = parse([
      iface(BASE, [property('serial', 'string')]),
      iface(SUB, [property('health', 'double'), telemetry('label', 'double')], { extends: BASE }),
      iface(OTHER, [property('health', 'double')]),
    ]);
    const compiled = compileSchema(withSub, [BASE, SUB, OTHER], {
      plugins: [withExtension],
    });
    expect(validateSchema(compiled.schema).map((e) => e.message)).toEqual([]);
    const press = (compiled.schema.getType('PressTwin') as GraphQLObjectType).getFields();
    expect(getNamedType(press.health.type).name).toBe('String');
    expect(getNamedType(press.health_.type).name).toBe('Float');
    expect(getNamedType(press.label_.type).name).toBe('MetricSeries');
    expect(compiled.info.fieldOf(SUB, 'health')).toBe('health_');
    // Outside the lineage the name is the content's.
    expect(getNamedType((compiled.schema.getType('Room') as GraphQLInterfaceType).getFields().health.type).name).toBe(
      'Float',
    );
    expect(compiled.info.fieldOf(OTHER, 'health')).toBe('health');
  });
});

@ObjectType({ description: 'A test plugin type.' })
class Gauge {
  @Field(() => Int) level!: number;
}

@Resolver()
class GaugeQueries {
  @Query(() => Gauge, { description: 'A test plugin root field.' })
  gauge(): Gauge {
    return { level: 7 };
  }
}

describe('schema plugins', () => {
  const gauges: SchemaPlugin = {
    name: 'gauges',
    appliesTo: (set) => set.interfaces.has(BASE),
    resolvers: [GaugeQueries],
    coreFields: {
      MetricSeries: () => ({ spikes: { type: new GraphQLNonNull(GraphQLInt), resolve: () => 3 } }),
    },
    twinFields: [extension],
  };
  const machine = parse([iface(BASE, [property('serial', 'string')]), iface(OTHER, [telemetry('heat', 'double')])]);
  const roomOnly = parse([iface(OTHER, [telemetry('heat', 'double')]), iface('dtmi:test:Gauge;1', [])]);

  it('adds its root fields, its types, its fields on core types and on model types where it applies', () => {
    const { schema } = compileSchema(machine, [BASE, OTHER], { plugins: [gauges] });
    expect(validateSchema(schema)).toEqual([]);
    expect(Object.keys(schema.getQueryType()!.getFields())).toContain('gauge');
    expect(fieldsOf(schema, 'Gauge')).toEqual(['level']);
    expect(fieldsOf(schema, 'MetricSeries')).toContain('spikes');
    expect(fieldsOf(schema, 'Machine')).toContain('health');
  });

  it('adds nothing where it does not apply, and a model named like one of its types still gets another name', () => {
    const { schema, info } = compileSchema(roomOnly, [OTHER, 'dtmi:test:Gauge;1'], { plugins: [gauges] });
    expect(validateSchema(schema)).toEqual([]);
    expect(Object.keys(schema.getQueryType()!.getFields())).not.toContain('gauge');
    expect(fieldsOf(schema, 'MetricSeries')).not.toContain('spikes');
    // The name Gauge stays the plugin's: a later upload that makes the plugin apply renames no model type.
    expect(schema.getType('Gauge')).toBeUndefined();
    const gauge = info.names.get('dtmi:test:Gauge;1')!;
    expect(gauge.interfaceType).not.toBe('Gauge');
    expect(compileSchema(machine, [BASE, OTHER], { plugins: [gauges] }).schema.getType('Gauge')).toBeDefined();
  });

  it('refuses a second, different plugin under a name already built', () => {
    compileSchema(machine, [BASE, OTHER], { plugins: [gauges] });
    const impostor: SchemaPlugin = { ...gauges };
    expect(() => compileSchema(machine, [BASE, OTHER], { plugins: [impostor] })).toThrow(
      /two different schema plugins are named gauges/,
    );
  });

  it('is absent altogether when not enabled', () => {
    const { schema } = compileSchema(machine, [BASE, OTHER]);
    expect(Object.keys(schema.getQueryType()!.getFields())).not.toContain('gauge');
    expect(fieldsOf(schema, 'MetricSeries')).not.toContain('spikes');
    expect(fieldsOf(schema, 'Machine')).not.toContain('health');
  });
});
