/**
 * DTDL v4 over the API: a v4 model (its new primitive schemas, scaledDecimal, a nullable command request, an
 * Object that contains itself, and a v3 base it extends) is uploaded to a running server and becomes GraphQL types
 * at once; values are written and read back through them, and the payload validators hold each v4 schema to its
 * range or pattern.
 */
import { useTestApp } from '../support/api-harness';

const t = useTestApp();

const UPLOAD = 'mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id graphqlType } } }';

/** A v3 interface: v4 models may extend earlier versions' interfaces. */
const base = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:test:v4:Housing;1',
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'label', schema: 'string', writable: true }],
};

const sensorbox = {
  '@context': 'dtmi:dtdl:context;4',
  '@id': 'dtmi:test:v4:Sensorbox;1',
  '@type': 'Interface',
  extends: 'dtmi:test:v4:Housing;1',
  contents: [
    { '@type': 'Property', name: 'channel', schema: 'unsignedByte', writable: true },
    { '@type': 'Property', name: 'offset', schema: 'short', writable: true },
    { '@type': 'Property', name: 'pulses', schema: 'unsignedInteger', writable: true },
    { '@type': 'Property', name: 'serial', schema: 'uuid', writable: true },
    { '@type': 'Property', name: 'tariff', schema: 'decimal', writable: true },
    { '@type': 'Property', name: 'firmware', schema: 'bytes', writable: true },
    { '@type': 'Property', name: 'reading', schema: 'scaledDecimal', writable: true },
    {
      '@type': 'Property',
      name: 'layout',
      writable: true,
      schema: {
        '@id': 'dtmi:test:v4:LayoutNode;1',
        '@type': 'Object',
        fields: [
          { name: 'label', schema: 'string' },
          { name: 'children', schema: { '@type': 'Array', elementSchema: 'dtmi:test:v4:LayoutNode;1' } },
        ],
      },
    },
    {
      '@type': 'Command',
      name: 'recalibrate',
      request: { name: 'factor', schema: 'decimal', nullable: true },
    },
  ],
};

describe('a DTDL v4 model uploaded through the API', () => {
  beforeAll(async () => {
    const data = await t.ok(UPLOAD, { documents: [base, sensorbox] });
    expect(data.uploadModels.models.map((m: { id: string }) => m.id).sort()).toEqual([
      'dtmi:test:v4:Housing;1',
      'dtmi:test:v4:Sensorbox;1',
    ]);
  });

  it('compiles the v4 primitives to the scalars that hold them, and scaledDecimal to an object', async () => {
    const data = await t.ok(`{
      meter: __type(name: "SensorboxTwin") { fields { name type { name kind ofType { name } } } }
      scaled: __type(name: "ScaledDecimal") { fields { name type { kind ofType { name } } } }
    }`);
    const types = Object.fromEntries(
      data.meter.fields.map((f: { name: string; type: { name: string | null; ofType: { name: string } | null } }) => [
        f.name,
        f.type.name ?? f.type.ofType?.name,
      ]),
    );
    expect(types).toMatchObject({
      label: 'String',
      channel: 'Int',
      offset: 'Int',
      pulses: 'Long',
      serial: 'String',
      tariff: 'String',
      firmware: 'String',
      reading: 'ScaledDecimal',
      layout: 'LayoutNode',
    });
    expect(data.scaled.fields).toEqual([
      { name: 'scale', type: { kind: 'NON_NULL', ofType: { name: 'Int' } } },
      { name: 'value', type: { kind: 'NON_NULL', ofType: { name: 'String' } } },
    ]);
  });

  it('writes and reads back every v4 value, the self-containing Object as JSON where it recurs', async () => {
    const input = {
      label: 'hall',
      channel: 255,
      offset: -32768,
      pulses: 4294967295,
      serial: '123e4567-e89b-12d3-a456-426614174000',
      tariff: '-0.125',
      firmware: 'AAEC',
      reading: { scale: 7, value: '1234.56' },
      layout: { label: 'root', children: [{ label: 'leaf', children: [] }] },
    };
    const data = await t.ok(
      `mutation ($input: SensorboxCreateInput!) { createSensorbox(id: "box-1", input: $input) {
        label channel offset pulses serial tariff firmware reading { scale value } layout { label children }
      } }`,
      { input },
    );
    expect(data.createSensorbox).toEqual(input);
  });

  it.each([
    ['channel', 256, /at most 255/],
    ['offset', -32769, /at least -32768/],
    ['pulses', -1, /at least 0/],
    ['serial', 'not-a-uuid', /UUID/],
    ['tariff', '1e5', /decimal number as a string/],
    ['firmware', 'A', /base64/],
  ])('refuses %s = %j with a message that says what to write', async (property, value, message) => {
    const [error] = await t.fails(
      'mutation ($p: JSON!) { createTwin(id: "box-bad", modelId: "dtmi:test:v4:Sensorbox;1", properties: $p) { id } }',
      {
        p: { [property]: value },
      },
    );
    expect(error.extensions?.code).toBe('ValidationFailed');
    expect(JSON.stringify(error.extensions?.details)).toMatch(message);
  });

  it('refuses a scaledDecimal without its scale', async () => {
    const [error] = await t.fails(
      'mutation ($p: JSON!) { createTwin(id: "box-bad", modelId: "dtmi:test:v4:Sensorbox;1", properties: $p) { id } }',
      {
        p: { reading: { value: '1.5' } },
      },
    );
    expect(error.extensions?.code).toBe('ValidationFailed');
    expect(JSON.stringify(error.extensions?.details)).toMatch(/scale/);
  });
});
