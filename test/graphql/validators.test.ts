/**
 * The payload validators: what a twin, a relationship, a telemetry value and a command request must look like
 * for a model set, and what the errors say when they do not.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parseModels, type ModelSet, type NamedDocument, type PropertyContent } from '../../src/dtdl';
import {
  twinJsonSchema,
  relationshipJsonSchema,
  telemetryJsonSchema,
  commandRequestJsonSchema,
  schemaFor,
} from '../../src/graphql/generate/json-schema';
import { PayloadValidators } from '../../src/graphql/generate/validators';
import { TwingraphError } from '../../src/errors';
import { buildTwin } from '../../src/store/documents';
import type { TwinInput } from '../../src/store/types';
import { cpuStopwatch } from '../support/cpu-time';
import { describeWithShared, listFiles, sharedPath } from '../support/shared';

const V3 = 'dtmi:dtdl:context;3';
const QT = 'dtmi:dtdl:extension:quantitativeTypes;1';
const REQUIREMENT = 'dtmi:dtdl:extension:requirement;1';

const DEVICE = 'dtmi:example:Device;1';
const THERMOSTAT = 'dtmi:example:Thermostat;1';
const FIRMWARE = 'dtmi:example:Firmware;1';
const ROOM = 'dtmi:example:Room;1';
const KITCHEN = 'dtmi:example:Kitchen;1';
const SINK = 'dtmi:example:Sink;1';

const device = {
  '@context': V3,
  '@id': DEVICE,
  '@type': 'Interface',
  contents: [
    { '@type': 'Property', name: 'serialNumber', schema: 'string' },
    { '@type': 'Relationship', name: 'hasPart' },
  ],
};
const thermostat = {
  '@context': [V3, QT],
  '@id': THERMOSTAT,
  '@type': 'Interface',
  extends: DEVICE,
  contents: [
    { '@type': ['Telemetry', 'Temperature'], name: 'temperature', schema: 'double', unit: 'degreeCelsius' },
    {
      '@type': 'Telemetry',
      name: 'state',
      schema: {
        '@type': 'Object',
        fields: [
          { name: 'on', schema: 'boolean' },
          { name: 'since', schema: 'dateTime' },
        ],
      },
    },
    { '@type': 'Property', name: 'targetTemperature', schema: 'double', writable: true },
    {
      '@type': 'Property',
      name: 'mode',
      schema: {
        '@type': 'Enum',
        valueSchema: 'string',
        enumValues: [
          { name: 'heating', enumValue: 'heat' },
          { name: 'cooling', enumValue: 'cool' },
        ],
      },
    },
    {
      '@type': 'Relationship',
      name: 'installedIn',
      target: ROOM,
      maxMultiplicity: 1,
      properties: [{ '@type': 'Property', name: 'since', schema: 'date' }],
    },
    { '@type': 'Relationship', name: 'connectedTo' },
    { '@type': 'Component', name: 'firmware', schema: FIRMWARE },
    { '@type': 'Command', name: 'reboot', request: { name: 'delay', schema: 'duration' } },
    { '@type': 'Command', name: 'ping' },
    {
      '@type': 'Command',
      name: 'configure',
      request: {
        name: 'settings',
        schema: {
          '@type': 'Object',
          fields: [
            {
              name: 'mode',
              schema: {
                '@type': 'Enum',
                valueSchema: 'string',
                enumValues: [
                  { name: 'heat', enumValue: 'heat' },
                  { name: 'cool', enumValue: 'cool' },
                ],
              },
            },
            { name: 'target', schema: 'double' },
          ],
        },
      },
    },
  ],
};
const firmware = {
  '@context': V3,
  '@id': FIRMWARE,
  '@type': 'Interface',
  contents: [
    { '@type': 'Property', name: 'version', schema: 'string' },
    { '@type': 'Telemetry', name: 'uptime', schema: 'long' },
  ],
};
const DUAL = 'dtmi:example:DualBoot;1';
const dualBoot = {
  '@context': V3,
  '@id': DUAL,
  '@type': 'Interface',
  contents: [
    { '@type': 'Component', name: 'primary', schema: FIRMWARE },
    { '@type': 'Component', name: 'secondary', schema: FIRMWARE },
  ],
};
const room = {
  '@context': V3,
  '@id': ROOM,
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'name', schema: 'string' }],
};
const kitchen = { '@context': V3, '@id': KITCHEN, '@type': 'Interface', extends: ROOM };

/** One property per schema DTDL has. */
const sink = {
  '@context': [V3, QT, REQUIREMENT],
  '@id': SINK,
  '@type': 'Interface',
  contents: [
    ...(
      ['boolean', 'integer', 'long', 'float', 'double', 'string', 'date', 'dateTime', 'time', 'duration'] as const
    ).map((schema) => ({
      '@type': 'Property',
      name: schema,
      schema,
    })),
    ...(['point', 'multiPoint', 'lineString', 'multiLineString', 'polygon', 'multiPolygon'] as const).map((schema) => ({
      '@type': 'Property',
      name: schema,
      schema,
    })),
    { '@type': 'Property', name: 'unit', schema: 'TemperatureUnit' },
    {
      '@type': 'Property',
      name: 'level',
      schema: {
        '@type': 'Enum',
        valueSchema: 'integer',
        enumValues: [
          { name: 'low', enumValue: 1 },
          { name: 'high', enumValue: 2 },
        ],
      },
    },
    {
      '@type': 'Property',
      name: 'nothing',
      schema: { '@type': 'Enum', '@id': 'dtmi:example:Nothing;1', valueSchema: 'string', enumValues: [] },
    },
    {
      '@type': 'Property',
      name: 'address',
      schema: {
        '@type': 'Object',
        '@id': 'dtmi:example:Address;1',
        fields: [
          { name: 'street', schema: 'string' },
          { '@type': ['Field', 'Required'], name: 'city', schema: 'string' },
          { name: 'zip', schema: 'integer' },
        ],
      },
    },
    {
      '@type': 'Property',
      name: 'counts',
      schema: {
        '@type': 'Map',
        mapKey: { name: 'key', schema: 'string' },
        mapValue: { name: 'count', schema: 'integer' },
      },
    },
    { '@type': 'Property', name: 'readings', schema: { '@type': 'Array', elementSchema: 'double' } },
    {
      '@type': 'Property',
      name: 'rows',
      schema: { '@type': 'Array', elementSchema: { '@type': 'Object', fields: [{ name: 'n', schema: 'integer' }] } },
    },
  ],
};

const text = (o: unknown): string => JSON.stringify(o);

function modelSet(...documents: unknown[]): ModelSet {
  const result = parseModels(documents.map(text));
  expect(result.errors).toEqual([]);
  return result.models;
}

const models = modelSet(device, thermostat, firmware, dualBoot, room, kitchen, sink);
const validators = new PayloadValidators(models);

/** The TwingraphError `fn` throws. */
function thrown(fn: () => void): TwingraphError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TwingraphError) return error;
    throw error;
  }
  throw new Error('expected a TwingraphError, but nothing was thrown');
}

/** [pointer, rule] of each problem `fn` reports; [] when it passes. */
function problems(fn: () => void): [string, string][] {
  try {
    fn();
    return [];
  } catch (error) {
    if (!(error instanceof TwingraphError)) throw error;
    expect(error.code).toBe('ValidationFailed');
    return error.subject.details!.map((d) => [d.path, d.rule]);
  }
}

const thermostatTwin = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  $metadata: { $model: THERMOSTAT },
  firmware: { $metadata: {} },
  ...extra,
});
const sinkTwin = (extra: Record<string, unknown>): Record<string, unknown> => ({
  $metadata: { $model: SINK },
  ...extra,
});
const checkSink = (property: string, value: unknown): [string, string][] =>
  problems(() => validators.validateTwin(SINK, sinkTwin({ [property]: value }), 'sink-1'));

describe('primitive schemas', () => {
  it.each<[string, unknown]>([
    ['boolean', true],
    ['boolean', false],
    ['integer', 0],
    ['integer', -2147483648],
    ['integer', 2147483647],
    ['long', 2 ** 40],
    ['long', -(2 ** 53 - 1)],
    ['long', 2 ** 53 - 1],
    ['float', 1.5],
    ['float', -3.4e38],
    ['double', 1e300],
    ['double', -0.5],
    ['string', ''],
    ['string', 'héllo'],
    ['string', 'x'.repeat(4096)],
    ['string', '€'.repeat(1365)],
    ['date', '2024-02-29'],
    ['dateTime', '2024-05-31T12:00:00Z'],
    ['dateTime', '2024-05-31T12:00:00.1234567+02:00'],
    ['time', '12:30:00'],
    ['time', '12:30:00.5+02:00'],
    ['time', '23:59:59Z'],
    ['duration', 'PT1H30M'],
    ['duration', 'P2D'],
    ['duration', 'P1W'],
    ['duration', 'PT1.5S'],
    ['duration', 'P1Y2M3DT4H5M6S'],
  ])('%s accepts %j', (schema, value) => {
    expect(checkSink(schema, value)).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['boolean', 'true', 'type'],
    ['boolean', 1, 'type'],
    ['integer', 1.5, 'type'],
    ['integer', '3', 'type'],
    ['integer', 2147483648, 'maximum'],
    ['integer', -2147483649, 'minimum'],
    ['long', 2 ** 53, 'maximum'],
    ['long', -(2 ** 53), 'minimum'],
    ['long', 1.5, 'type'],
    ['float', 3.5e38, 'maximum'],
    ['float', 'x', 'type'],
    ['double', '1', 'type'],
    ['double', Number.NaN, 'type'],
    ['double', Number.POSITIVE_INFINITY, 'type'],
    ['string', 5, 'type'],
    ['string', 'x'.repeat(4097), 'maxBytes'],
    ['string', '€'.repeat(1366), 'maxBytes'],
    ['date', '2023-02-29', 'format'],
    ['date', '2024-05-31T00:00:00Z', 'format'],
    ['date', '31/05/2024', 'format'],
    ['dateTime', '2024-05-31T12:00:00', 'format'],
    ['dateTime', '2024-05-31', 'format'],
    ['dateTime', 1717156800000, 'type'],
    ['time', '25:00:00', 'format'],
    ['time', '12:30', 'format'],
    ['duration', '1 hour', 'format'],
    ['duration', 'P', 'format'],
    ['duration', 'PT', 'format'],
    ['duration', 'P1.5DT1H', 'format'],
  ])('%s refuses %j by %s', (schema, value, rule) => {
    expect(checkSink(schema, value)).toEqual([[`/${schema}`, rule]]);
  });

  it('counts a string limit in UTF-8 bytes and says so', () => {
    // 1366 characters, 4098 bytes: within 4096 characters, beyond 4096 bytes.
    const error = thrown(() => validators.validateTwin(SINK, sinkTwin({ string: '€'.repeat(1366) }), 'sink-1'));
    expect(error.subject.details![0].message).toBe(
      "/string is 4098 bytes long in UTF-8; a string may have at most 4096 (Azure Digital Twins' limit)",
    );
  });

  it('requires an offset in a dateTime, and says what to write', () => {
    const error = thrown(() => validators.validateTwin(SINK, sinkTwin({ dateTime: '2024-05-31T12:00:00' }), 'sink-1'));
    expect(error.message).toContain('/dateTime must be a date and time with an offset, such as 2024-05-31T12:00:00Z');
    expect(error.message).toContain('(it is "2024-05-31T12:00:00")');
  });

  it('refuses a long beyond 2^53 − 1, which JSON cannot carry exactly, naming the range', () => {
    const beyond = JSON.parse('{"long": 9007199254740993}') as { long: number };
    const error = thrown(() => validators.validateTwin(SINK, sinkTwin(beyond), 'sink-1'));
    expect(error.subject.details).toEqual([
      {
        path: '/long',
        rule: 'maximum',
        message: expect.stringContaining('must be at most 9007199254740991: a DTDL long'),
      },
    ]);
  });

  it('names the 32-bit range of an integer', () => {
    expect(thrown(() => validators.validateTwin(SINK, sinkTwin({ integer: 2 ** 31 }))).message).toContain(
      '/integer must be at most 2147483647: a DTDL integer is 32 bits (it is 2147483648)',
    );
  });
});

describe('null', () => {
  it('is accepted for a property as a whole: it unsets it (the store drops it)', () => {
    for (const name of [
      'boolean',
      'string',
      'dateTime',
      'point',
      'unit',
      'level',
      'nothing',
      'address',
      'counts',
      'readings',
    ]) {
      expect([name, checkSink(name, null)]).toEqual([name, []]);
    }
    expect(
      problems(() =>
        validators.validateTwin(THERMOSTAT, thermostatTwin({ firmware: { $metadata: {}, version: null } })),
      ),
    ).toEqual([]);
  });

  it('is refused inside a value: an Object field, a Map value, an Array item', () => {
    expect(checkSink('address', { city: 'Delft', street: null })).toEqual([['/address/street', 'type']]);
    expect(checkSink('counts', { a: null })).toEqual([['/counts/a', 'type']]);
    expect(checkSink('readings', [1, null])).toEqual([['/readings/1', 'type']]);
  });
});

describe('geospatial schemas', () => {
  it.each<[string, unknown]>([
    ['point', { type: 'Point', coordinates: [4.9, 52.37] }],
    ['point', { type: 'Point', coordinates: [4.9, 52.37, 3] }],
    ['point', { type: 'Point', coordinates: [4.9, 52.37], bbox: [4.9, 52.37, 4.9, 52.37] }],
    [
      'multiPoint',
      {
        type: 'MultiPoint',
        coordinates: [
          [1, 2],
          [3, 4],
        ],
      },
    ],
    [
      'lineString',
      {
        type: 'LineString',
        coordinates: [
          [1, 2],
          [3, 4],
        ],
      },
    ],
    [
      'multiLineString',
      {
        type: 'MultiLineString',
        coordinates: [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
        ],
      },
    ],
    [
      'polygon',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'multiPolygon',
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        ],
      },
    ],
  ])('%s accepts %j', (schema, value) => {
    expect(checkSink(schema, value)).toEqual([]);
  });

  it.each<[string, unknown, [string, string][]]>([
    ['point', { type: 'Point', coordinates: [4.9] }, [['/point/coordinates', 'minItems']]],
    ['point', { type: 'Point', coordinates: [1, 2, 3, 4] }, [['/point/coordinates', 'maxItems']]],
    ['point', { type: 'Point', coordinates: ['4.9', 52.37] }, [['/point/coordinates/0', 'type']]],
    ['point', { type: 'point', coordinates: [1, 2] }, [['/point/type', 'const']]],
    ['point', { type: 'Polygon', coordinates: [1, 2] }, [['/point/type', 'const']]],
    ['point', { coordinates: [1, 2] }, [['/point/type', 'required']]],
    ['point', { type: 'Point', coordinates: [1, 2], crs: {} }, [['/point/crs', 'additionalProperties']]],
    ['point', [4.9, 52.37], [['/point', 'type']]],
    ['multiPoint', { type: 'MultiPoint', coordinates: [[1]] }, [['/multiPoint/coordinates/0', 'minItems']]],
    ['lineString', { type: 'LineString', coordinates: [[1, 2]] }, [['/lineString/coordinates', 'minItems']]],
    [
      'polygon',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      },
      [['/polygon/coordinates/0', 'minItems']],
    ],
    [
      'multiPolygon',
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              ['0', 0],
            ],
          ],
        ],
      },
      [['/multiPolygon/coordinates/0/0/3/0', 'type']],
    ],
    // A Polygon's coordinates where a MultiPolygon's belong: one level too shallow.
    [
      'multiPolygon',
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
      [
        ['/multiPolygon/coordinates/0/0', 'minItems'],
        ['/multiPolygon/coordinates/0/0/0', 'type'],
        ['/multiPolygon/coordinates/0/0/1', 'type'],
        ['/multiPolygon/coordinates/0/1', 'minItems'],
        ['/multiPolygon/coordinates/0/1/0', 'type'],
        ['/multiPolygon/coordinates/0/1/1', 'type'],
        ['/multiPolygon/coordinates/0/2', 'minItems'],
        ['/multiPolygon/coordinates/0/2/0', 'type'],
        ['/multiPolygon/coordinates/0/2/1', 'type'],
        ['/multiPolygon/coordinates/0/3', 'minItems'],
        ['/multiPolygon/coordinates/0/3/0', 'type'],
        ['/multiPolygon/coordinates/0/3/1', 'type'],
      ],
    ],
  ])('%s refuses %j', (schema, value, expected) => {
    expect(checkSink(schema, value)).toEqual(expected);
  });

  it('explains a GeoJSON position', () => {
    expect(
      thrown(() => validators.validateTwin(SINK, sinkTwin({ point: { type: 'Point', coordinates: [4.9] } }))).message,
    ).toContain(
      '/point/coordinates must have at least 2 items (it has 1): A GeoJSON position: [longitude, latitude] or [longitude, latitude, elevation].',
    );
  });
});

describe('unit types and enums', () => {
  it('accepts a unit of the unit type, and lists them when the value is not one', () => {
    expect(checkSink('unit', 'degreeCelsius')).toEqual([]);
    expect(checkSink('unit', 'celsius')).toEqual([['/unit', 'enum']]);
    expect(checkSink('unit', 'DegreeCelsius')).toEqual([['/unit', 'enum']]);
    expect(thrown(() => validators.validateTwin(SINK, sinkTwin({ unit: 'celsius' }))).message).toContain(
      '/unit must be a unit of TemperatureUnit: "kelvin", "degreeCelsius", "degreeFahrenheit" (or null to unset it) (it is "celsius")',
    );
  });

  it('takes enum values by value, not by name, and says so', () => {
    expect(problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ mode: 'heat' })))).toEqual([]);
    const error = thrown(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ mode: 'heating' }), 'th-1'));
    expect(error.subject.details).toEqual([
      {
        path: '/mode',
        rule: 'enum',
        message: expect.stringContaining('"heating" is the name of the value "heat": write the value, not the name'),
      },
    ]);
    expect(error.message).toContain(`/mode must be one of the values of ${THERMOSTAT.replace(';1', '')}`);
  });

  it('types an integer enum by its valueSchema', () => {
    expect(checkSink('level', 2)).toEqual([]);
    expect(checkSink('level', 3)).toEqual([['/level', 'enum']]);
    expect(checkSink('level', 'high')).toEqual([
      ['/level', 'type'],
      ['/level', 'enum'],
    ]);
  });

  it('accepts no value for an Enum without values (DTDL v3 allows one), only null', () => {
    expect(checkSink('nothing', 'x')).toEqual([['/nothing', 'enum']]);
    expect(thrown(() => validators.validateTwin(SINK, sinkTwin({ nothing: 'x' }))).message).toContain(
      'dtmi:example:Nothing;1 has no enum values',
    );
    expect(checkSink('nothing', null)).toEqual([]);
  });
});

describe('Object, Map and Array schemas', () => {
  it('checks each field of an Object, requires Required fields, and refuses unknown fields naming them', () => {
    expect(checkSink('address', { street: 'Oude Delft 1', city: 'Delft', zip: 2611 })).toEqual([]);
    expect(checkSink('address', { city: 'Delft' })).toEqual([]);
    expect(checkSink('address', { street: 'Oude Delft 1' })).toEqual([['/address/city', 'required']]);
    expect(checkSink('address', { city: 'Delft', zip: '2611' })).toEqual([['/address/zip', 'type']]);
    expect(checkSink('address', { city: 'Delft', country: 'NL' })).toEqual([
      ['/address/country', 'additionalProperties'],
    ]);
    const error = thrown(() => validators.validateTwin(SINK, sinkTwin({ address: { city: 'Delft', Street: 'x' } })));
    expect(error.message).toContain(
      "/address/Street is not a field of dtmi:example:Address;1 (did you mean 'street'?) (its fields are: street, city, zip)",
    );
    expect(thrown(() => validators.validateTwin(SINK, sinkTwin({ address: {} }))).message).toContain(
      "/address/city is missing: field 'city' of dtmi:example:Address;1 is Required",
    );
  });

  it('checks every value of a Map, and its keys', () => {
    expect(checkSink('counts', { a: 1, 'b c': 2 })).toEqual([]);
    expect(checkSink('counts', { a: 1, b: '2' })).toEqual([['/counts/b', 'type']]);
    expect(checkSink('counts', { 'a/b': 'x' })).toEqual([['/counts/a~1b', 'type']]);
    expect(checkSink('counts', { $metadata: 1 })).toEqual([['/counts/$metadata', 'pattern']]);
    expect(checkSink('counts', { ['k'.repeat(1025)]: 1 })).toEqual([[`/counts/${'k'.repeat(1025)}`, 'maxBytes']]);
    expect(checkSink('counts', [1])).toEqual([['/counts', 'type']]);
  });

  it('checks every item of an Array', () => {
    expect(checkSink('readings', [1, 2.5])).toEqual([]);
    expect(checkSink('readings', [1, '2', true])).toEqual([
      ['/readings/1', 'type'],
      ['/readings/2', 'type'],
    ]);
    expect(checkSink('readings', { 0: 1 })).toEqual([['/readings', 'type']]);
    expect(checkSink('rows', [{ n: 1 }, { n: 'x' }, { m: 1 }])).toEqual([
      ['/rows/1/n', 'type'],
      ['/rows/2/m', 'additionalProperties'],
    ]);
  });
});

describe('twins', () => {
  it('accepts a twin with its properties, inherited ones included', () => {
    const twin = thermostatTwin({
      serialNumber: 'SN-1',
      targetTemperature: 21.5,
      mode: 'cool',
      firmware: { $metadata: {}, version: '1.2' },
    });
    expect(problems(() => validators.validateTwin(THERMOSTAT, twin, 'th-1'))).toEqual([]);
  });

  it('refuses a property of a subtype on its parent', () => {
    expect(
      problems(() => validators.validateTwin(DEVICE, { $metadata: { $model: DEVICE }, targetTemperature: 20 })),
    ).toEqual([['/targetTemperature', 'unknownProperty']]);
  });

  it('refuses telemetry, relationship and command names as properties, saying what they are', () => {
    const error = thrown(() =>
      validators.validateTwin(
        THERMOSTAT,
        thermostatTwin({ temperature: 21, installedIn: 'room-1', reboot: 'PT1S', hasPart: [] }),
        'th-1',
      ),
    );
    expect(error.subject.details!.map((d) => [d.path, d.rule])).toEqual([
      ['/temperature', 'notAProperty'],
      ['/installedIn', 'notAProperty'],
      ['/reboot', 'notAProperty'],
      ['/hasPart', 'notAProperty'],
    ]);
    expect(error.message).toContain(
      `/temperature is a Telemetry of ${THERMOSTAT}, not a property: send it as telemetry`,
    );
    expect(error.message).toContain(
      `/installedIn is a Relationship of ${THERMOSTAT}, not a property: create it as a relationship`,
    );
    expect(error.message).toContain(`/reboot is a Command of ${THERMOSTAT}, not a property: invoke it as a command`);
  });

  it('refuses an unknown property, listing the model’s properties', () => {
    const error = thrown(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ colour: 'red' }), 'th-1'));
    expect(error.message).toBe(
      `Twin 'th-1' does not match ${THERMOSTAT}: /colour is not a property of ${THERMOSTAT} (its properties are: serialNumber, targetTemperature, mode; its components: firmware).`,
    );
    expect(error.subject).toMatchObject({ twinId: 'th-1', modelId: THERMOSTAT, path: '/colour' });
  });

  it('allows $dtId and $etag, and no other $-field', () => {
    expect(
      problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ $dtId: 'th-1', $etag: 'W/"x"' }))),
    ).toEqual([]);
    expect(problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ $kind: 'x' })))).toEqual([
      ['/$kind', 'unknownProperty'],
    ]);
  });

  it('requires $metadata with the model, and accepts metadata only for the model’s properties', () => {
    expect(problems(() => validators.validateTwin(THERMOSTAT, { firmware: { $metadata: {} } }))).toEqual([
      ['/$metadata', 'required'],
    ]);
    expect(problems(() => validators.validateTwin(THERMOSTAT, { $metadata: {}, firmware: { $metadata: {} } }))).toEqual(
      [['/$metadata/$model', 'required']],
    );
    expect(
      problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ $metadata: { $model: DEVICE } }))),
    ).toEqual([['/$metadata/$model', 'const']]);
    const metadata = (entries: Record<string, unknown>): Record<string, unknown> =>
      thermostatTwin({ targetTemperature: 20, $metadata: { $model: THERMOSTAT, ...entries } });
    expect(
      problems(() =>
        validators.validateTwin(THERMOSTAT, metadata({ targetTemperature: { sourceTime: '2024-05-31T12:00:00Z' } })),
      ),
    ).toEqual([]);
    expect(
      problems(() => validators.validateTwin(THERMOSTAT, metadata({ targetTemperature: { sourceTime: null } }))),
    ).toEqual([]);
    expect(
      problems(() => validators.validateTwin(THERMOSTAT, metadata({ targetTemperature: { sourceTime: 'noon' } }))),
    ).toEqual([['/$metadata/targetTemperature/sourceTime', 'format']]);
    expect(problems(() => validators.validateTwin(THERMOSTAT, metadata({ targetTemperature: { unit: 'x' } })))).toEqual(
      [['/$metadata/targetTemperature/unit', 'additionalProperties']],
    );
    expect(problems(() => validators.validateTwin(THERMOSTAT, metadata({ temperature: {} })))).toEqual([
      ['/$metadata/temperature', 'unknownProperty'],
    ]);
    expect(problems(() => validators.validateTwin(THERMOSTAT, metadata({ firmware: {} })))).toEqual([
      ['/$metadata/firmware', 'unknownProperty'],
    ]);
    expect(problems(() => validators.validateTwin(THERMOSTAT, metadata({ $kind: 'x' })))).toEqual([
      ['/$metadata/$kind', 'unknownProperty'],
    ]);
  });

  it('refuses a body that is not an object', () => {
    expect(problems(() => validators.validateTwin(THERMOSTAT, [1]))).toEqual([['', 'type']]);
    expect(thrown(() => validators.validateTwin(THERMOSTAT, 'x', 'th-1')).message).toBe(
      `Twin 'th-1' does not match ${THERMOSTAT}: the body must be a JSON object (it is "x").`,
    );
  });

  it('validates twin bodies as Azure Digital Twins returns them', () => {
    const adt = {
      $dtId: 'th-1',
      $etag: 'W/"9c2876c2-aff0-40b3-9fba-0c6be9d020a6"',
      serialNumber: 'SN-1',
      targetTemperature: 21,
      firmware: {
        version: '1.2',
        $metadata: {
          $lastUpdateTime: '2022-02-28T00:30:00.1234567Z',
          version: { lastUpdateTime: '2022-02-28T00:30:00.1234567Z' },
        },
      },
      $metadata: {
        $model: THERMOSTAT,
        $lastUpdateTime: '2022-02-28T00:30:00.1234567Z',
        serialNumber: { lastUpdateTime: '2022-02-28T00:30:00.1234567Z' },
        targetTemperature: {
          lastUpdateTime: '2022-02-28T00:30:00.1234567Z',
          sourceTime: '2022-05-31T12:00:00.000125009Z',
        },
      },
    };
    expect(problems(() => validators.validateTwin(THERMOSTAT, adt, 'th-1'))).toEqual([]);
  });

  it('validates twins as the store returns them', () => {
    const input = thermostatTwin({
      serialNumber: 'SN-1',
      mode: 'heat',
      firmware: { $metadata: { version: { sourceTime: '2024-05-31T12:00:00Z' } }, version: '2' },
    }) as TwinInput;
    const stored = buildTwin('th-1', input, '2024-06-01T00:00:00.000Z');
    expect(problems(() => validators.validateTwin(THERMOSTAT, stored, 'th-1'))).toEqual([]);
  });
});

describe('components', () => {
  it('requires each component, with its own $metadata', () => {
    expect(problems(() => validators.validateTwin(THERMOSTAT, { $metadata: { $model: THERMOSTAT } }))).toEqual([
      ['/firmware', 'required'],
    ]);
    expect(thrown(() => validators.validateTwin(THERMOSTAT, { $metadata: { $model: THERMOSTAT } })).message).toContain(
      `/firmware is missing: component 'firmware' (${FIRMWARE}) must be present, even as an empty one: { "$metadata": {} }`,
    );
    expect(problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ firmware: { version: '1' } })))).toEqual(
      [['/firmware/$metadata', 'required']],
    );
    expect(problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ firmware: null })))).toEqual([
      ['/firmware', 'type'],
    ]);
    expect(
      problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ firmware: { $metadata: [] } }))),
    ).toEqual([['/firmware/$metadata', 'type']]);
  });

  it('validates the component’s properties and refuses unknown ones', () => {
    expect(
      problems(() => validators.validateTwin(THERMOSTAT, thermostatTwin({ firmware: { $metadata: {}, version: 3 } }))),
    ).toEqual([['/firmware/version', 'type']]);
    const error = thrown(() =>
      validators.validateTwin(THERMOSTAT, thermostatTwin({ firmware: { $metadata: {}, colour: 'red', uptime: 5 } })),
    );
    expect(error.subject.details!.map((d) => [d.path, d.rule])).toEqual([
      ['/firmware/colour', 'unknownProperty'],
      ['/firmware/uptime', 'notAProperty'],
    ]);
    expect(error.message).toContain(
      `/firmware/colour is not a property of component 'firmware' (${FIRMWARE}) (its properties are: version)`,
    );
  });

  it('describes a component interface once, however many components use it, and names the component in errors', () => {
    const schema = validators.jsonSchemaOfTwin(DUAL);
    expect(Object.keys(schema.definitions!)).toEqual([FIRMWARE]);
    expect(schema.properties).toMatchObject({
      primary: { $ref: `#/definitions/${FIRMWARE}` },
      secondary: { $ref: `#/definitions/${FIRMWARE}` },
    });
    const body = {
      $metadata: { $model: DUAL },
      primary: { $metadata: {}, version: '1' },
      secondary: { $metadata: { colour: {} }, version: 2, colour: 'red' },
    };
    const error = thrown(() => validators.validateTwin(DUAL, body, 'd-1'));
    expect(error.subject.details!.map((d) => [d.path, d.rule])).toEqual([
      ['/secondary/colour', 'unknownProperty'],
      ['/secondary/$metadata/colour', 'unknownProperty'],
      ['/secondary/version', 'type'],
    ]);
    expect(error.message).toContain(`/secondary/colour is not a property of component 'secondary' (${FIRMWARE})`);
    expect(error.message).toContain(
      `/secondary/$metadata/colour describes no property of component 'secondary' (${FIRMWARE})`,
    );
    expect(
      thrown(() =>
        validators.validateTwin(DUAL, { $metadata: { $model: DUAL }, primary: { $metadata: {} }, secondary: 1 }),
      ).message,
    ).toContain(`/secondary must be an object with its own $metadata (component 'secondary', ${FIRMWARE}) (it is 1)`);
  });

  it('checks the metadata inside a component against the component’s properties', () => {
    const withMetadata = (metadata: Record<string, unknown>): Record<string, unknown> =>
      thermostatTwin({ firmware: { $metadata: metadata, version: '1' } });
    expect(
      problems(() =>
        validators.validateTwin(
          THERMOSTAT,
          withMetadata({
            $lastUpdateTime: '2024-05-31T12:00:00Z',
            version: { lastUpdateTime: '2024-05-31T12:00:00Z' },
          }),
        ),
      ),
    ).toEqual([]);
    expect(problems(() => validators.validateTwin(THERMOSTAT, withMetadata({ colour: {} })))).toEqual([
      ['/firmware/$metadata/colour', 'unknownProperty'],
    ]);
    expect(problems(() => validators.validateTwin(THERMOSTAT, withMetadata({ $model: FIRMWARE })))).toEqual([
      ['/firmware/$metadata/$model', 'unknownProperty'],
    ]);
  });
});

describe('relationships', () => {
  const ids = { twinId: 'th-1', relationshipId: 'r-1' };

  it('accepts a relationship of the model, inherited ones included, with its properties', () => {
    expect(() =>
      validators.validateRelationship(
        THERMOSTAT,
        'installedIn',
        { $targetId: 'room-1', $relationshipName: 'installedIn', since: '2024-01-01' },
        ROOM,
        ids,
      ),
    ).not.toThrow();
    expect(() =>
      validators.validateRelationship(
        THERMOSTAT,
        'hasPart',
        { $targetId: 'x', $relationshipName: 'hasPart' },
        DEVICE,
        ids,
      ),
    ).not.toThrow();
    expect(() =>
      validators.validateRelationship(THERMOSTAT, 'installedIn', { $targetId: 'room-1', since: null }, ROOM, ids),
    ).not.toThrow();
  });

  it('accepts a relationship as the store returns it', () => {
    const stored = {
      $relationshipId: 'r-1',
      $sourceId: 'th-1',
      $targetId: 'room-1',
      $relationshipName: 'installedIn',
      $etag: 'W/"1"',
      since: '2024-01-01',
    };
    expect(() => validators.validateRelationship(THERMOSTAT, 'installedIn', stored, ROOM, ids)).not.toThrow();
  });

  it('refuses a relationship name the model does not have, listing the ones it has', () => {
    const error = thrown(() =>
      validators.validateRelationship(THERMOSTAT, 'locatedIn', { $targetId: 'room-1' }, ROOM, ids),
    );
    expect(error.code).toBe('InvalidRelationship');
    expect(error.message).toBe(
      `Relationship 'r-1' from twin 'th-1': ${THERMOSTAT} has no relationship 'locatedIn' (its relationships: hasPart, installedIn, connectedTo).`,
    );
    expect(error.subject).toMatchObject({
      twinId: 'th-1',
      relationshipId: 'r-1',
      modelId: THERMOSTAT,
      path: '/$relationshipName',
    });
    expect(thrown(() => validators.validateRelationship(THERMOSTAT, 'mode', {}, ROOM, ids)).message).toContain(
      `'mode' is a Property of ${THERMOSTAT}, not a relationship`,
    );
    expect(thrown(() => validators.validateRelationship(ROOM, 'contains', {}, ROOM, ids)).message).toContain(
      '(it has no relationships)',
    );
  });

  it('refuses a target twin whose model is neither the target nor extends it', () => {
    const error = thrown(() =>
      validators.validateRelationship(THERMOSTAT, 'installedIn', { $targetId: 'dev-1' }, DEVICE, ids),
    );
    expect(error.code).toBe('InvalidRelationship');
    expect(error.message).toBe(
      `Relationship 'r-1' from twin 'th-1': 'installedIn' of ${THERMOSTAT} targets twins of ${ROOM} (or of models that extend it); the target twin is a ${DEVICE}.`,
    );
    expect(error.subject).toMatchObject({ related: [ROOM, DEVICE], path: '/$targetId' });
    expect(
      thrown(() => validators.validateRelationship(THERMOSTAT, 'installedIn', {}, 'dtmi:example:Unknown;1', ids)).code,
    ).toBe('InvalidRelationship');
  });

  it('accepts a target twin of a model that extends the target', () => {
    expect(() =>
      validators.validateRelationship(THERMOSTAT, 'installedIn', { $targetId: 'kitchen-1' }, KITCHEN, ids),
    ).not.toThrow();
  });

  it('accepts any target for a relationship without one, and skips the check when the target model is unknown', () => {
    for (const target of [ROOM, DEVICE, THERMOSTAT, 'dtmi:other:Anything;1']) {
      expect(() =>
        validators.validateRelationship(THERMOSTAT, 'connectedTo', { $targetId: 'x' }, target, ids),
      ).not.toThrow();
    }
    expect(() =>
      validators.validateRelationship(THERMOSTAT, 'installedIn', { $targetId: 'x' }, undefined, ids),
    ).not.toThrow();
  });

  it('validates the relationship’s properties', () => {
    expect(
      problems(() => validators.validateRelationship(THERMOSTAT, 'installedIn', { since: 'yesterday' }, ROOM, ids)),
    ).toEqual([['/since', 'format']]);
    expect(
      problems(() => validators.validateRelationship(THERMOSTAT, 'installedIn', { colour: 'red', $foo: 1 }, ROOM, ids)),
    ).toEqual([
      ['/colour', 'unknownProperty'],
      ['/$foo', 'unknownProperty'],
    ]);
    expect(
      problems(() =>
        validators.validateRelationship(THERMOSTAT, 'installedIn', { $relationshipName: 'connectedTo' }, ROOM, ids),
      ),
    ).toEqual([['/$relationshipName', 'const']]);
    expect(
      problems(() => validators.validateRelationship(THERMOSTAT, 'connectedTo', { weight: 1 }, ROOM, ids)),
    ).toEqual([['/weight', 'unknownProperty']]);
    const error = thrown(() =>
      validators.validateRelationship(THERMOSTAT, 'installedIn', { colour: 'red' }, ROOM, ids),
    );
    expect(error.message).toBe(
      `Relationship 'r-1' from twin 'th-1' does not match relationship 'installedIn' of ${THERMOSTAT}: /colour is not a property of relationship 'installedIn' of ${THERMOSTAT} (its properties are: since).`,
    );
    expect(error.subject).toMatchObject({
      twinId: 'th-1',
      relationshipId: 'r-1',
      modelId: THERMOSTAT,
      path: '/colour',
    });
  });
});

describe('telemetry', () => {
  it('accepts values of the telemetry’s schema', () => {
    expect(() => validators.validateTelemetry(THERMOSTAT, 'temperature', 21.5, 'th-1')).not.toThrow();
    expect(() =>
      validators.validateTelemetry(THERMOSTAT, 'state', { on: true, since: '2024-05-31T12:00:00Z' }, 'th-1'),
    ).not.toThrow();
  });

  it('refuses values that do not match, with pointers into { "<name>": value }', () => {
    expect(problems(() => validators.validateTelemetry(THERMOSTAT, 'temperature', 'warm', 'th-1'))).toEqual([
      ['/temperature', 'type'],
    ]);
    expect(problems(() => validators.validateTelemetry(THERMOSTAT, 'temperature', null, 'th-1'))).toEqual([
      ['/temperature', 'type'],
    ]);
    expect(
      problems(() => validators.validateTelemetry(THERMOSTAT, 'state', { on: 'yes', since: '2024-05-31' }, 'th-1')),
    ).toEqual([
      ['/state/on', 'type'],
      ['/state/since', 'format'],
    ]);
    expect(thrown(() => validators.validateTelemetry(THERMOSTAT, 'temperature', 'warm', 'th-1')).message).toBe(
      `Telemetry 'temperature' of twin 'th-1' does not match ${THERMOSTAT}: /temperature must be a number (it is "warm").`,
    );
  });

  it('refuses a name that is not a telemetry of the model, listing the ones it has', () => {
    const error = thrown(() => validators.validateTelemetry(THERMOSTAT, 'pressure', 1, 'th-1'));
    expect(error.code).toBe('ValidationFailed');
    expect(error.message).toBe(
      `Twin 'th-1': ${THERMOSTAT} has no telemetry 'pressure' (its telemetry: temperature, state).`,
    );
    expect(error.subject.details).toEqual([
      { path: '/pressure', rule: 'unknownTelemetry', message: expect.any(String) },
    ]);
    expect(thrown(() => validators.validateTelemetry(THERMOSTAT, 'targetTemperature', 1, 'th-1')).message).toContain(
      `'targetTemperature' is a Property of ${THERMOSTAT}, not a telemetry`,
    );
    expect(thrown(() => validators.validateTelemetry(ROOM, 'x', 1, 'room-1')).message).toContain(
      '(it has no telemetry)',
    );
  });
});

describe('commands', () => {
  it('accepts a request of the request’s schema', () => {
    expect(() => validators.validateCommand(THERMOSTAT, 'reboot', 'PT5S', 'th-1')).not.toThrow();
    expect(() =>
      validators.validateCommand(THERMOSTAT, 'configure', { mode: 'heat', target: 21 }, 'th-1'),
    ).not.toThrow();
  });

  it('refuses a request that does not match', () => {
    expect(problems(() => validators.validateCommand(THERMOSTAT, 'reboot', 'five seconds', 'th-1'))).toEqual([
      ['', 'format'],
    ]);
    expect(
      problems(() => validators.validateCommand(THERMOSTAT, 'configure', { mode: 'warm', fan: true }, 'th-1')),
    ).toEqual([
      ['/fan', 'additionalProperties'],
      ['/mode', 'enum'],
    ]);
    expect(thrown(() => validators.validateCommand(THERMOSTAT, 'reboot', 5, 'th-1')).message).toBe(
      `The request of command 'reboot' on twin 'th-1' does not match ${THERMOSTAT}: the request must be a string (it is 5).`,
    );
  });

  it('requires the request a command declares (DTDL v2 and v3 have no nullable request)', () => {
    expect(problems(() => validators.validateCommand(THERMOSTAT, 'reboot', undefined, 'th-1'))).toEqual([
      ['', 'required'],
    ]);
    expect(problems(() => validators.validateCommand(THERMOSTAT, 'reboot', null, 'th-1'))).toEqual([['', 'required']]);
    expect(thrown(() => validators.validateCommand(THERMOSTAT, 'reboot', undefined, 'th-1')).message).toContain(
      "the request is missing: command 'reboot' takes 'delay' (duration)",
    );
  });

  it('takes no request for a command that declares none', () => {
    expect(() => validators.validateCommand(THERMOSTAT, 'ping', undefined, 'th-1')).not.toThrow();
    expect(() => validators.validateCommand(THERMOSTAT, 'ping', null, 'th-1')).not.toThrow();
    expect(problems(() => validators.validateCommand(THERMOSTAT, 'ping', { x: 1 }, 'th-1'))).toEqual([
      ['', 'noRequest'],
    ]);
  });

  it('refuses a command the model does not have, listing the ones it has', () => {
    const error = thrown(() => validators.validateCommand(THERMOSTAT, 'selfDestruct', undefined, 'th-1'));
    expect(error.code).toBe('ValidationFailed');
    expect(error.message).toBe(
      `Twin 'th-1': ${THERMOSTAT} has no command 'selfDestruct' (its commands: reboot, ping, configure).`,
    );
    expect(error.subject.details).toEqual([{ path: '', rule: 'unknownCommand', message: expect.any(String) }]);
  });
});

describe('unknown models', () => {
  it('is ModelNotFound for every kind of payload', () => {
    const unknown = 'dtmi:example:Nope;1';
    for (const fn of [
      () => validators.validateTwin(unknown, { $metadata: { $model: unknown } }, 'x'),
      () => validators.validateRelationship(unknown, 'r', {}, undefined, { twinId: 'x', relationshipId: 'r' }),
      () => validators.validateTelemetry(unknown, 't', 1, 'x'),
      () => validators.validateCommand(unknown, 'c', undefined, 'x'),
      () => validators.jsonSchemaOfTwin(unknown),
    ]) {
      const error = thrown(fn);
      expect(error.code).toBe('ModelNotFound');
      expect(error.subject.modelId).toBe(unknown);
      expect(error.message).toContain(unknown);
    }
  });
});

describe('errors', () => {
  it('list every problem in details, the first ten in the message, and stay readable', () => {
    const body = sinkTwin(
      Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`unknown${String(i).padStart(2, '0')}`, i])),
    );
    const error = thrown(() => validators.validateTwin(SINK, body, 'sink-1'));
    expect(error.subject.details).toHaveLength(12);
    expect(error.subject.path).toBe('/unknown00');
    expect(
      error.message.startsWith(
        `Twin 'sink-1' does not match ${SINK}: /unknown00 is not a property of ${SINK} (its properties are: boolean, integer,`,
      ),
    ).toBe(true);
    expect(error.message.endsWith(`; /unknown09 is not a property of ${SINK}; …and 2 more.`)).toBe(true);
    expect(error.message).not.toContain('unknown10');
    // The list of properties: at most 20 of the 23, and said once in the message (each detail has it).
    expect(error.message.split('(its properties are:')).toHaveLength(2);
    expect(error.message).toContain(', … (23 in all)');
    expect(error.subject.details!.every((d) => d.message.includes('(its properties are: boolean, integer,'))).toBe(
      true,
    );
    expect(error.message.length).toBeLessThan(1000);
    expect(error.toJSON()).toMatchObject({
      code: 'ValidationFailed',
      twinId: 'sink-1',
      modelId: SINK,
      path: '/unknown00',
      details: expect.any(Array),
    });
  });

  it('name the property and the rule in every detail', () => {
    const error = thrown(() =>
      validators.validateTwin(THERMOSTAT, thermostatTwin({ targetTemperature: 'warm', colour: 'red' }), 'th-1'),
    );
    expect(error.subject.details).toEqual([
      { path: '/colour', rule: 'unknownProperty', message: expect.stringMatching(/^\/colour is not a property of/) },
      {
        path: '/targetTemperature',
        rule: 'type',
        message: '/targetTemperature must be a number, or null to unset it (it is "warm")',
      },
    ]);
  });
});

describe('JSON Schemas', () => {
  const metaValidator = new Ajv({ strict: false });

  it('are valid draft-07 schemas', () => {
    const thermostatModel = models.interfaces.get(THERMOSTAT)!;
    const schemas = [
      twinJsonSchema(thermostatModel, models),
      twinJsonSchema(models.interfaces.get(SINK)!, models),
      relationshipJsonSchema(thermostatModel.contents.get('installedIn') as never),
      telemetryJsonSchema(thermostatModel.contents.get('state') as never),
      commandRequestJsonSchema(thermostatModel.contents.get('configure') as never)!,
    ];
    for (const schema of schemas)
      expect([schema.title, metaValidator.validateSchema(schema), metaValidator.errors]).toEqual([
        schema.title,
        true,
        null,
      ]);
  });

  it('describe a twin: $metadata with the model, properties by schema, components required, nothing else', () => {
    const schema = validators.jsonSchemaOfTwin(THERMOSTAT);
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      required: ['$metadata', 'firmware'],
      additionalProperties: false,
      properties: {
        $metadata: { properties: { $model: { const: THERMOSTAT } }, required: ['$model'], additionalProperties: false },
        targetTemperature: { type: ['number', 'null'] },
        mode: { type: ['string', 'null'], enum: ['heat', 'cool', null] },
        firmware: { $ref: `#/definitions/${FIRMWARE}` },
      },
      definitions: {
        [FIRMWARE]: {
          required: ['$metadata'],
          additionalProperties: false,
          properties: { version: { type: ['string', 'null'], maxBytes: 4096 } },
        },
      },
    });
    expect(Object.keys(schema.properties!)).not.toContain('temperature');
    expect(validators.jsonSchemaOfCommandRequest(THERMOSTAT, 'ping')).toBeUndefined();
    expect(validators.jsonSchemaOfTelemetry(THERMOSTAT, 'temperature')).toMatchObject({ type: 'number' });
    expect(validators.jsonSchemaOfRelationship(THERMOSTAT, 'installedIn').properties!.since).toEqual({
      type: ['string', 'null'],
      format: 'date',
    });
    expect(thrown(() => validators.jsonSchemaOfTelemetry(THERMOSTAT, 'mode')).code).toBe('InvalidArgument');
  });

  it('map every DTDL schema', () => {
    const sinkModel = models.interfaces.get(SINK)!;
    const schemaOf = (name: string): unknown => schemaFor((sinkModel.contents.get(name) as PropertyContent).schema);
    expect(schemaOf('integer')).toEqual({ type: 'integer', minimum: -2147483648, maximum: 2147483647 });
    expect(schemaOf('long')).toEqual({ type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 });
    expect(schemaOf('dateTime')).toEqual({ type: 'string', format: 'date-time' });
    expect(schemaOf('time')).toEqual({ type: 'string', format: 'iso-time' });
    expect(schemaOf('counts')).toMatchObject({ type: 'object', additionalProperties: { type: 'integer' } });
    expect(schemaOf('readings')).toMatchObject({ type: 'array', items: { type: 'number' } });
    expect(schemaOf('polygon')).toMatchObject({
      properties: {
        type: { const: 'Polygon' },
        coordinates: { items: { minItems: 4, items: { minItems: 2, maxItems: 3 } } },
      },
    });
  });
});

describe('DTDL v2', () => {
  const v2 = modelSet({
    '@context': 'dtmi:dtdl:context;2',
    '@id': 'dtmi:example:v2:Sensor;1',
    '@type': 'Interface',
    contents: [
      {
        '@type': ['Property', 'Temperature'],
        name: 'threshold',
        schema: 'double',
        unit: 'degreeCelsius',
        writable: true,
      },
      {
        '@type': 'Property',
        name: 'state',
        schema: {
          '@type': 'Enum',
          valueSchema: 'integer',
          enumValues: [
            { name: 'off', enumValue: 0 },
            { name: 'on', enumValue: 1 },
          ],
        },
      },
      {
        '@type': 'Property',
        name: 'labels',
        schema: { '@type': 'Map', mapKey: { name: 'k', schema: 'string' }, mapValue: { name: 'v', schema: 'string' } },
      },
      { '@type': 'Telemetry', name: 'reading', schema: 'float' },
      { '@type': 'Command', name: 'calibrate', request: { name: 'offset', schema: 'double' } },
    ],
  });
  const v2Validators = new PayloadValidators(v2);
  const SENSOR = 'dtmi:example:v2:Sensor;1';

  it('validates twins, telemetry and commands of v2 models the same way', () => {
    expect(
      problems(() =>
        v2Validators.validateTwin(SENSOR, {
          $metadata: { $model: SENSOR },
          threshold: 30,
          state: 1,
          labels: { a: 'b' },
        }),
      ),
    ).toEqual([]);
    expect(
      problems(() =>
        v2Validators.validateTwin(SENSOR, { $metadata: { $model: SENSOR }, threshold: '30', state: 'on', reading: 1 }),
      ),
    ).toEqual([
      ['/reading', 'notAProperty'],
      ['/threshold', 'type'],
      ['/state', 'type'],
      ['/state', 'enum'],
    ]);
    expect(problems(() => v2Validators.validateTelemetry(SENSOR, 'reading', 1e39, 's-1'))).toEqual([
      ['/reading', 'maximum'],
    ]);
    expect(problems(() => v2Validators.validateCommand(SENSOR, 'calibrate', 0.5, 's-1'))).toEqual([]);
  });
});

describe('speed', () => {
  it('validates 10,000 twins of one model (timing printed)', () => {
    const fresh = new PayloadValidators(models);
    const twins = Array.from({ length: 10_000 }, (_, i) => ({
      $metadata: { $model: THERMOSTAT, targetTemperature: { sourceTime: '2024-05-31T12:00:00Z' } },
      serialNumber: `SN-${i}`,
      targetTemperature: 15 + (i % 10),
      mode: i % 2 ? 'heat' : 'cool',
      firmware: { $metadata: {}, version: '1.2' },
    }));
    const first = performance.now();
    fresh.validateTwin(THERMOSTAT, twins[0], 'th-0');
    const compiledMs = performance.now() - first;
    const started = performance.now();
    for (let i = 0; i < twins.length; i++) fresh.validateTwin(THERMOSTAT, twins[i], `th-${i}`);
    const ms = performance.now() - started;
    console.log(
      `validators: first twin (compiles ${THERMOSTAT}) ${compiledMs.toFixed(1)} ms; 10,000 twins ${ms.toFixed(1)} ms (${Math.round(10_000 / (ms / 1000)).toLocaleString('en')} twins/s)`,
    );
    expect(fresh.compiled().twins).toEqual([THERMOSTAT]);
  });
});

function loadOntology(name: string): NamedDocument[] {
  const dir = sharedPath('dtdl', 'ontologies', name);
  const files = [...listFiles(dir, '.json'), ...listFiles(dir, '.jsonld')].sort();
  return files.map((file) => ({ name: path.relative(dir, file), text: fs.readFileSync(file, 'utf8') }));
}

describeWithShared(['dtdl', 'ontologies', 'realestatecore-v3'], 'RealEstateCore v3 (767 models)', () => {
  let rec: ModelSet;
  const PUMP = 'dtmi:digitaltwins:rec_3_3:asset:Pump;1';
  beforeAll(() => {
    const result = parseModels(loadOntology('realestatecore-v3'));
    expect(result.valid).toBe(true);
    rec = result.models;
  });

  it('builds validators for the whole set without compiling anything', () => {
    const elapsed = cpuStopwatch();
    const recValidators = new PayloadValidators(rec);
    expect(elapsed()).toBeLessThan(100);
    expect(recValidators.compiled()).toEqual({ twins: [], relationships: [], telemetry: [], commands: [] });
  });

  it('compiles only the model a twin is validated against', () => {
    const recValidators = new PayloadValidators(rec);
    const pump = rec.interfaces.get(PUMP)!;
    const twin: Record<string, unknown> = {
      $metadata: { $model: PUMP },
      name: 'Pump 1',
      serialNumber: 'P-1',
      weight: 12.5,
      installationDate: '2020-01-01',
      expectedLife: 'P20Y',
    };
    for (const content of pump.contents.values())
      if (content.kind === 'Component') twin[content.name] = { $metadata: {} };
    recValidators.validateTwin(PUMP, twin, 'pump-1');
    expect(recValidators.compiled()).toEqual({ twins: [PUMP], relationships: [], telemetry: [], commands: [] });
    expect(
      problems(() =>
        recValidators.validateTwin(
          PUMP,
          { ...twin, weight: 'heavy', installationDate: '2020-01-01T00:00:00Z' },
          'pump-1',
        ),
      ),
    ).toEqual([
      ['/weight', 'type'],
      ['/installationDate', 'format'],
    ]);
    expect(recValidators.compiled().twins).toEqual([PUMP]);
  });

  it('gives every model a valid, compilable twin schema', () => {
    const meta = new Ajv({ strict: false });
    const recValidators = new PayloadValidators(rec);
    const started = performance.now();
    for (const model of rec.interfaces.values()) {
      expect([model.id, meta.validateSchema(twinJsonSchema(model, rec))]).toEqual([model.id, true]);
      // An empty twin needs only its model and its components.
      const twin: Record<string, unknown> = { $metadata: { $model: model.id } };
      for (const content of model.contents.values())
        if (content.kind === 'Component') twin[content.name] = { $metadata: {} };
      expect([model.id, problems(() => recValidators.validateTwin(model.id, twin))]).toEqual([model.id, []]);
    }
    console.log(
      `validators: RealEstateCore, all ${rec.interfaces.size} twin validators compiled in ${(performance.now() - started).toFixed(0)} ms`,
    );
  });
});
