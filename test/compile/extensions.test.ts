/**
 * Fields from outside the DTDL (the analytics' predictions): on the named model's types and on every model
 * that extends it, never in place of a content the modeler declared.
 */
import { GraphQLString, type GraphQLInterfaceType, type GraphQLObjectType } from 'graphql';
import { compileSchema } from '../../src/compile';
import type { TwinFieldExtension } from '../../src/compile/extensions';
import { iface, parse, property } from './fixtures';

const BASE = 'dtmi:test:Machine;1';
const SUB = 'dtmi:test:Press;1';
const OTHER = 'dtmi:test:Room;1';
const fieldsOf = (schema: ReturnType<typeof compileSchema>['schema'], type: string): string[] => Object.keys((schema.getType(type) as GraphQLObjectType | GraphQLInterfaceType).getFields());

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

  it('puts the fields on the model\'s interface and object type, and on every subtype\'s', () => {
    for (const type of ['Machine', 'MachineTwin', 'Press', 'PressTwin']) expect(fieldsOf(schema, type)).toContain('health');
  });

  it('leaves other models alone', () => {
    expect(fieldsOf(schema, 'Room')).not.toContain('health');
  });

  it('gives way to a content of the same name', () => {
    const field = (schema.getType('MachineTwin') as GraphQLObjectType).getFields().label;
    expect(field.description).toMatch(/DTDL Property 'label'/);
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
});
