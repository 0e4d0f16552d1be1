/**
 * The analytics' schema plugin on the demo's models: KPIs and the profit prediction on engagements, failure
 * risk on devices, forecasts on metric series, the profit model's root fields — and none of it for a model
 * set without the demo's models. Contents named like the predictions on subtypes get a `_` suffix (see
 * test/graphql/plugin.test.ts for the mechanism).
 */
import {
  findBreakingChanges,
  getNamedType,
  validateSchema,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
} from 'graphql';
import { analyticsSchemaPlugin } from '../../src/analytics/graphql/plugin';
import { DEMO_MODELS } from '../../src/demo/models';
import { compileSchema } from '../../src/graphql';
import { iface, parse, property, relationship, telemetry } from '../graphql/fixtures';

const plugins = [analyticsSchemaPlugin];
const fieldsOf = (schema: ReturnType<typeof compileSchema>['schema'], type: string): string[] =>
  Object.keys((schema.getType(type) as GraphQLObjectType | GraphQLInterfaceType).getFields());

describe('the analytics schema plugin', () => {
  it('puts KPIs and the profit prediction on engagements and failure risk on devices, when those models are there', () => {
    const demo = parse([
      iface('dtmi:twingraph:demo:Engagement;1', [property('budget', 'double')]),
      iface('dtmi:twingraph:demo:Device;1', [property('capacity', 'integer')]),
    ]);
    const compiled = compileSchema(demo, ['dtmi:twingraph:demo:Engagement;1', 'dtmi:twingraph:demo:Device;1'], {
      plugins,
    }).schema;
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
    const before = compileSchema(parse(base), order, { plugins }).schema;
    const after = compileSchema(parse([...base, ...subtypes]), [...order, 'dtmi:test:Retainer;1', 'dtmi:test:Pump;1'], {
      plugins,
    });

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

  it("adds nothing to a model set without the demo engagement or device (a user's own DTDL)", () => {
    const own = parse([iface('dtmi:test:Pump;1', [telemetry('flow', 'double'), property('kpis', 'string')])]);
    const { schema } = compileSchema(own, ['dtmi:test:Pump;1'], { plugins });
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) =>
      Object.keys(t?.getFields() ?? {}),
    );
    for (const field of ['predictProfit', 'profitModel', 'retrainProfitModel', 'predictionChanged'])
      expect(roots).not.toContain(field);
    expect(fieldsOf(schema, 'MetricSeries')).not.toContain('forecast');
    expect(fieldsOf(schema, 'Pump')).toContain('kpis');
    for (const type of ['EngagementKpis', 'ProfitPrediction', 'FailureRisk', 'MetricForecast'])
      expect(schema.getType(type)).toBeUndefined();
  });

  it('forecasts every metric series where it applies', () => {
    const demo = parse([iface(DEMO_MODELS.device, [telemetry('temperature', 'double')])]);
    const { schema } = compileSchema(demo, [DEMO_MODELS.device], { plugins });
    expect(validateSchema(schema)).toEqual([]);
    expect(fieldsOf(schema, 'MetricSeries')).toContain('forecast');
  });
});
