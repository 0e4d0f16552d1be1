/**
 * Fields from outside the DTDL (the analytics' predictions): on the named model's types and on every model
 * that extends it, under the same name on every one of them. A content with an extension field's name,
 * declared on the model or on a subtype, gets a `_` suffix instead (as one named like a core twin field does),
 * so that the schema stays valid and no upload renames a field that was there before.
 */
import {
  findBreakingChanges,
  getNamedType,
  GraphQLString,
  validateSchema,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
} from 'graphql';
import { compileSchema } from '../../src/graphql';
import type { TwinFieldExtension } from '../../src/graphql/plugin';
import { DEMO_MODELS } from '../../src/demo/models';
import { iface, parse, property, relationship, telemetry } from './fixtures';

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

describe('twin field extensions', () => {
  const models = parse([
    iface(BASE, [property('label', 'string')]),
    iface(SUB, [property('force', 'double')], { extends: BASE }),
    iface(OTHER, [property('area', 'double')]),
  ]);
  const { schema } = compileSchema(models, [BASE, SUB, OTHER], () => 0, [extension]);

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
    const compiled = compileSchema(withSub, [BASE, SUB, OTHER], () => 0, [extension]);
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

  it('by default, puts KPIs and the profit prediction on engagements and failure risk on devices, when those models are there', () => {
    const demo = parse([
      iface('dtmi:twingraph:demo:Engagement;1', [property('budget', 'double')]),
      iface('dtmi:twingraph:demo:Device;1', [property('capacity', 'integer')]),
    ]);
    const compiled = compileSchema(demo, ['dtmi:twingraph:demo:Engagement;1', 'dtmi:twingraph:demo:Device;1']).schema;
    expect(fieldsOf(compiled, 'Engagement')).toEqual(expect.arrayContaining(['kpis', 'profitPrediction']));
    expect(fieldsOf(compiled, 'Device')).toContain('failureRisk');
    expect(fieldsOf(compiled, 'Device')).not.toContain('kpis');
  });

  describe('models that extend the demo engagement and device with contents named like their predictions', () => {
    const base = [
      iface(DEMO_MODELS.engagement, [property('budget', 'double')]),
      iface(DEMO_MODELS.device, [property('capacity', 'integer')]),
      iface('dtmi:test:Report;1', [property('kpis', 'string')]),
    ];
    const subtypes = [
      iface(
        'dtmi:test:Retainer;1',
        [
          property('kpis', 'string'),
          property('profitPrediction', 'double'),
          relationship('failureRisk', DEMO_MODELS.device),
        ],
        { extends: DEMO_MODELS.engagement },
      ),
      iface('dtmi:test:Pump;1', [telemetry('failureRisk', 'double'), property('kpis', 'double')], {
        extends: DEMO_MODELS.device,
      }),
    ];
    const order = [DEMO_MODELS.engagement, DEMO_MODELS.device, 'dtmi:test:Report;1'];
    const before = compileSchema(parse(base), order).schema;
    const after = compileSchema(parse([...base, ...subtypes]), [...order, 'dtmi:test:Retainer;1', 'dtmi:test:Pump;1']);

    it('compile to a valid schema, the predictions keeping their names and types', () => {
      expect(validateSchema(after.schema).map((e) => e.message)).toEqual([]);
      const retainer = (after.schema.getType('RetainerTwin') as GraphQLObjectType).getFields();
      expect(getNamedType(retainer.kpis.type).name).toBe('EngagementKpis');
      expect(getNamedType(retainer.profitPrediction.type).name).toBe('ProfitPrediction');
      expect(getNamedType(retainer.kpis_.type).name).toBe('String');
      expect(getNamedType(retainer.profitPrediction_.type).name).toBe('Float');
      // Not an extension field of engagements: the relationship keeps its name.
      expect(after.info.fieldOf('dtmi:test:Retainer;1', 'failureRisk')).toBe('failureRisk');
      const pump = (after.schema.getType('Pump') as GraphQLInterfaceType).getFields();
      expect(getNamedType(pump.failureRisk.type).name).toBe('FailureRisk');
      expect(getNamedType(pump.failureRisk_.type).name).toBe('MetricSeries');
      expect(after.info.fieldOf('dtmi:test:Pump;1', 'kpis')).toBe('kpis');
      expect(after.info.fieldOf('dtmi:test:Report;1', 'kpis')).toBe('kpis');
    });

    it('uploaded after the models they extend, rename no field that was there before (findBreakingChanges is empty)', () => {
      expect(findBreakingChanges(before, after.schema)).toEqual([]);
      for (const type of ['Engagement', 'EngagementTwin', 'Device', 'DeviceTwin', 'Report'])
        expect(fieldsOf(after.schema, type)).toEqual(expect.arrayContaining(fieldsOf(before, type)));
    });
  });
});
