/**
 * What each DTDL construct becomes in the GraphQL schema: the mapping, as the API's users see it through
 * introspection. Every model set here also compiles to a schema that validates (see fixtures.compile).
 */
import {
  graphql,
  isEnumType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  printType,
  type GraphQLArgument,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { analyticsSchemaPlugin } from '../../src/analytics/graphql/plugin';
import { coreSchema, twinObjectTypes } from '../../src/graphql';
import { mirrorSchemaPlugin } from '../../src/mirror/graphql';
import type { Page } from '../../src/store/query';
import type { JsonObject, Twin } from '../../src/store/types';
import {
  arrayOf,
  command,
  compile,
  component,
  enumOf,
  iface,
  mapOf,
  objectOf,
  property,
  relationship,
  telemetry,
  V2,
  type Compiled,
} from './fixtures';

const ROOM = 'dtmi:test:Room;1';
const MEETING_ROOM = 'dtmi:test:MeetingRoom;1';
const CONFERENCE_ROOM = 'dtmi:test:ConferenceRoom;1';
const SECURED = 'dtmi:test:Secured;1';
const SMART_ROOM = 'dtmi:test:SmartRoom;1';
const DEVICE = 'dtmi:test:Device;1';
const DIAGNOSTICS = 'dtmi:test:Diagnostics;1';
const SAMPLE = 'dtmi:test:Sample;1';
const PLACE = 'dtmi:test:Place;1';

const PRIMITIVES: [dtdl: string, graphql: string, filter: string][] = [
  ['boolean', 'Boolean', 'BooleanFilter'],
  ['date', 'Date', 'StringFilter'],
  ['dateTime', 'DateTime', 'DateTimeFilter'],
  ['double', 'Float', 'FloatFilter'],
  ['duration', 'Duration', 'StringFilter'],
  ['float', 'Float', 'FloatFilter'],
  ['integer', 'Int', 'IntFilter'],
  ['long', 'Long', 'LongFilter'],
  ['string', 'String', 'StringFilter'],
  ['time', 'Time', 'StringFilter'],
];

const GEOSPATIAL: [dtdl: string, graphql: string, coordinates: string][] = [
  ['point', 'GeoPoint', '[Float!]!'],
  ['multiPoint', 'GeoMultiPoint', '[[Float!]!]!'],
  ['lineString', 'GeoLineString', '[[Float!]!]!'],
  ['multiLineString', 'GeoMultiLineString', '[[[Float!]!]!]!'],
  ['polygon', 'GeoPolygon', '[[[Float!]!]!]!'],
  ['multiPolygon', 'GeoMultiPolygon', '[[[[Float!]!]!]!]!'],
];

/** The building-services catalogue most tests look at. */
const catalogue = [
  iface(
    ROOM,
    [
      property('name', 'string', { writable: true }),
      property('capacity', 'integer'),
      command('book', { request: { name: 'slot', schema: 'dateTime' } }),
    ],
    { displayName: 'Room', description: 'A room of a building.' },
  ),
  iface(MEETING_ROOM, [property('seats', 'integer', { writable: true }), property('hasScreen', 'boolean')], {
    extends: ROOM,
  }),
  iface(CONFERENCE_ROOM, [property('dialIn', 'string', { writable: true })], { extends: MEETING_ROOM }),
  iface(SECURED, [property('clearance', 'integer', { writable: true })]),
  iface(SMART_ROOM, [property('automation', 'boolean', { writable: true })], { extends: [MEETING_ROOM, SECURED] }),
  iface(
    DEVICE,
    [
      property('name', 'string', { writable: true }),
      property('serial', 'string'),
      property(
        'state',
        enumOf(
          'string',
          [
            ['Idle', 'idle'],
            ['Busy', 'busy'],
          ],
          { description: 'What it is doing.' },
        ),
      ),
      property(
        'level',
        enumOf('integer', [
          ['low', 1],
          ['high', 2],
        ]),
        { writable: true },
      ),
      property('mode', 'dtmi:test:Mode;1', { writable: true }),
      property('fallbackMode', 'dtmi:test:Mode;1'),
      property(
        'address',
        objectOf([
          ['city', 'string'],
          ['zip', 'string'],
          [
            'contact',
            objectOf([
              ['email', 'string'],
              ['phone', 'string'],
            ]),
          ],
          ['lines', arrayOf('string')],
          ['position', 'point'],
        ]),
        { writable: true },
      ),
      property('tags', mapOf('string'), { writable: true }),
      property(
        'readings',
        mapOf(
          objectOf([
            ['value', 'double'],
            ['at', 'dateTime'],
          ]),
        ),
      ),
      property('history', arrayOf('double')),
      property(
        'log',
        arrayOf(
          objectOf([
            ['message', 'string'],
            ['severity', 'integer'],
          ]),
        ),
      ),
      property('displayUnit', 'TemperatureUnit', { writable: true }),
      {
        '@type': ['Property', 'Temperature'],
        name: 'setPoint',
        schema: 'double',
        unit: 'degreeCelsius',
        writable: true,
      },
      {
        '@type': ['Telemetry', 'Temperature'],
        name: 'temperature',
        schema: 'double',
        unit: 'degreeCelsius',
        description: 'Air temperature at the device.',
      },
      telemetry('status', objectOf([['on', 'boolean']])),
      component('diagnostics', DIAGNOSTICS),
      relationship('locatedIn', ROOM, {
        properties: [property('since', 'date'), property('weight', 'double'), property('notes', arrayOf('string'))],
        maxMultiplicity: 1,
      }),
      relationship('connectedTo'),
      relationship('installedBy', 'dtmi:test:Installer;1'),
      command('reboot', { request: { name: 'delay', schema: 'duration' }, description: 'Restarts the device.' }),
      command('configure', {
        request: {
          name: 'settings',
          schema: objectOf([
            ['mode', 'dtmi:test:Mode;1'],
            ['retries', 'integer'],
          ]),
        },
      }),
      command('identify', { request: { name: 'id', schema: 'string' } }),
      command('ping'),
    ],
    {
      schemas: [
        {
          '@id': 'dtmi:test:Mode;1',
          '@type': 'Enum',
          valueSchema: 'string',
          description: 'Operating mode.',
          enumValues: [
            { name: 'eco', enumValue: 'eco' },
            { name: 'max', enumValue: 'max' },
          ],
        },
      ],
    },
  ),
  iface(DIAGNOSTICS, [
    property('selfTestPassed', 'boolean', { writable: true }),
    property('lastRun', 'dateTime'),
    telemetry('errors', 'integer'),
  ]),
  iface(
    SAMPLE,
    PRIMITIVES.map(([p], i) => property(`${p}Value`, p, { writable: i % 2 === 0 })),
  ),
  iface(
    PLACE,
    GEOSPATIAL.map(([g]) => property(`${g}Value`, g, { writable: true })),
  ),
];
// Diagnostics is only ever a component: twins are not of it, so it is not uploaded as a model of its own.
const catalogueOrder = [ROOM, MEETING_ROOM, CONFERENCE_ROOM, SECURED, SMART_ROOM, DEVICE, SAMPLE, PLACE];

let compiled: Compiled;
let schema: GraphQLSchema;
beforeAll(() => {
  compiled = compile(catalogue, catalogueOrder);
  schema = compiled.schema;
});

function type<T = GraphQLObjectType>(name: string): T {
  const found = schema.getType(name);
  if (!found) throw new Error(`the schema has no type ${name}`);
  return found as T;
}
const fields = (name: string): Record<string, GraphQLField<unknown, unknown>> =>
  type<GraphQLObjectType>(name).getFields();
const inputFields = (name: string) => type<GraphQLInputObjectType>(name).getFields();
const typeOf = (name: string, field: string): string | undefined => {
  const t = schema.getType(name) as GraphQLObjectType | GraphQLInputObjectType;
  return t.getFields()[field]?.type.toString();
};
const args = (name: string, field: string): Record<string, string> =>
  Object.fromEntries(fields(name)[field].args.map((a: GraphQLArgument) => [a.name, a.type.toString()]));

describe('the core schema', () => {
  it("has the Twin interface, Relationship, Model, MetricSeries, change types, PageInfo and the generic root fields, and none of a feature's", () => {
    const core = coreSchema();
    expect(isInterfaceType(core.getType('Twin'))).toBe(true);
    for (const name of [
      'Relationship',
      'Model',
      'ModelContent',
      'MetricSeries',
      'MetricPoint',
      'MetricWindow',
      'Change',
      'TwinChange',
      'RelationshipChange',
      'MetricChange',
      'ModelChange',
      'PageInfo',
      'TwinConnection',
      'UnmodeledTwin',
      'CommandInvocation',
    ]) {
      expect(isObjectType(core.getType(name))).toBe(true);
    }
    for (const name of ['JSON', 'DateTime', 'Long']) expect(isScalarType(core.getType(name))).toBe(true);
    expect(Object.keys(core.getQueryType()!.getFields()).sort()).toEqual([
      'changes',
      'model',
      'models',
      'node',
      'nodes',
      'relationship',
      'twin',
      'twins',
    ]);
    expect(Object.keys(core.getMutationType()!.getFields()).sort()).toEqual([
      'createRelationship',
      'createTwin',
      'decommissionModel',
      'deleteModel',
      'deleteRelationship',
      'deleteTwin',
      'patchTwin',
      'patchTwins',
      'recordMetrics',
      'updateComponent',
      'updateRelationship',
      'uploadModels',
      'upsertRelationships',
      'upsertTwins',
    ]);
    expect(Object.keys(core.getSubscriptionType()!.getFields()).sort()).toEqual([
      'changed',
      'metricRecorded',
      'modelChanged',
      'relationshipChanged',
      'twinChanged',
    ]);
    expect(Object.keys((core.getType('Twin') as GraphQLInterfaceType).getFields())).toEqual([
      'id',
      'etag',
      'modelId',
      'lastUpdateTime',
      'metadata',
      'json',
      'relationships',
      'incomingRelationships',
    ]);
  });

  it("with the features' plugins, has their types and root fields too", () => {
    const core = coreSchema([analyticsSchemaPlugin, mirrorSchemaPlugin]);
    for (const name of [
      'EngagementKpis',
      'ProfitPrediction',
      'ProfitModel',
      'FailureRisk',
      'MetricForecast',
      'PredictionUpdate',
      'MirrorStatus',
      'MirrorError',
      'MirrorDeadLetter',
    ])
      expect(isObjectType(core.getType(name))).toBe(true);
    const roots = [core.getQueryType(), core.getMutationType(), core.getSubscriptionType()];
    const fields = roots.flatMap((root) => Object.keys(root!.getFields()));
    for (const name of ['mirrorStatus', 'predictProfit', 'profitModel', 'retrainProfitModel', 'predictionChanged'])
      expect(fields).toContain(name);
    expect(Object.keys((core.getType('MetricSeries') as GraphQLObjectType).getFields())).toContain('forecast');
    expect(coreSchema([analyticsSchemaPlugin, mirrorSchemaPlugin])).toBe(core);
  });

  it('is merged unchanged into every compiled schema', () => {
    const core = coreSchema();
    for (const name of ['Twin', 'Relationship', 'Model', 'MetricSeries', 'PageInfo', 'TwinWhere'])
      expect(printType(type<GraphQLNamedType>(name))).toBe(printType(core.getType(name)!));
    for (const [root, coreRoot] of [
      [schema.getQueryType()!, core.getQueryType()!],
      [schema.getMutationType()!, core.getMutationType()!],
    ] as const) {
      for (const [name, field] of Object.entries(coreRoot.getFields()))
        expect(root.getFields()[name].type.toString()).toBe(field.type.toString());
    }
    // The same fields, the root type described for the schema's readers.
    expect(schema.getSubscriptionType()!.getFields()).toEqual(core.getSubscriptionType()!.getFields());
    expect(schema.getSubscriptionType()!.description).toEqual(expect.stringContaining('since'));
  });
});

describe('primitive schemas', () => {
  it.each(PRIMITIVES)('%s → %s, filtered with %s, sorted with SortDirection', (dtdl, scalar, filter) => {
    const field = `${dtdl}Value`;
    expect(typeOf('Sample', field)).toBe(scalar);
    expect(typeOf('SampleTwin', field)).toBe(scalar);
    expect(typeOf('SampleCreateInput', field)).toBe(scalar);
    expect(typeOf('SampleWhere', field)).toBe(filter);
    expect(typeOf('SampleOrderBy', field)).toBe('SortDirection');
  });

  it('adds the ISO 8601 scalars only where a model uses them, each with its specification', () => {
    for (const name of ['Date', 'Time', 'Duration', 'DateTime'])
      expect(type<GraphQLNamedType & { specifiedByURL?: string }>(name).specifiedByURL).toBe(
        'https://www.iso.org/iso-8601-date-and-time-format.html',
      );
    const plain = compile([iface('dtmi:test:Plain;1', [property('name', 'string')])]).schema;
    // Duration is the core's too (metric aggregation windows).
    for (const name of ['Date', 'Time']) expect(plain.getType(name)).toBeUndefined();
  });

  it('puts only writable properties in the update input', () => {
    expect(Object.keys(inputFields('SampleUpdateInput'))).toEqual(
      PRIMITIVES.filter((_, i) => i % 2 === 0).map(([p]) => `${p}Value`),
    );
    expect(Object.keys(inputFields('SampleCreateInput'))).toEqual(PRIMITIVES.map(([p]) => `${p}Value`));
  });
});

describe('geospatial schemas', () => {
  it.each(GEOSPATIAL)('%s → %s (GeoJSON), %s coordinates', (dtdl, name, coordinates) => {
    expect(typeOf('Place', `${dtdl}Value`)).toBe(name);
    expect(fields(name).type.type.toString()).toBe('String!');
    expect(fields(name).coordinates.type.toString()).toBe(coordinates);
    expect(typeOf('PlaceCreateInput', `${dtdl}Value`)).toBe(`${name}Input`);
    expect(inputFields(`${name}Input`).coordinates.type.toString()).toBe(coordinates);
    // GeoJSON's type is filled in when a client leaves it out.
    expect(inputFields(`${name}Input`).type.type.toString()).toBe('String');
  });

  it('cannot be filtered or sorted on', () => {
    expect(Object.keys(inputFields('PlaceWhere'))).toEqual(['AND', 'OR', 'NOT', 'id']);
    expect(Object.keys(inputFields('PlaceOrderBy'))).toEqual(['id']);
  });
});

describe('Enum', () => {
  it('becomes a GraphQL enum of the value names, named after the declaring content, with the stored values in descriptions', () => {
    expect(typeOf('Device', 'state')).toBe('DeviceState');
    const state = type<GraphQLEnumType>('DeviceState');
    expect(isEnumType(state)).toBe(true);
    expect(state.getValues().map((v) => [v.name, v.value])).toEqual([
      ['Idle', 'idle'],
      ['Busy', 'busy'],
    ]);
    expect(state.getValue('Idle')!.description).toContain('Stored as "idle".');
    expect(state.description).toContain('What it is doing.');
    expect(state.description).toContain('DTDL Enum dtmi:test:Device:_contents:__state');
  });

  it('keeps integer values as numbers', () => {
    expect(
      type<GraphQLEnumType>('DeviceLevel')
        .getValues()
        .map((v) => [v.name, v.value]),
    ).toEqual([
      ['low', 1],
      ['high', 2],
    ]);
    expect(type<GraphQLEnumType>('DeviceLevel').getValue('high')!.description).toContain('Stored as 2.');
  });

  it('is one type, named after its own DTMI, however many properties use it', () => {
    expect(typeOf('Device', 'mode')).toBe('Mode');
    expect(typeOf('Device', 'fallbackMode')).toBe('Mode');
    expect(type<GraphQLEnumType>('Mode').description).toContain('dtmi:test:Mode;1');
    expect(typeOf('DeviceConfigureRequest', 'mode')).toBe('Mode');
  });

  it('is filtered by value and sorted', () => {
    expect(typeOf('DeviceWhere', 'state')).toBe('DeviceStateFilter');
    expect(
      Object.fromEntries(Object.entries(inputFields('DeviceStateFilter')).map(([k, f]) => [k, f.type.toString()])),
    ).toEqual({
      eq: 'DeviceState',
      ne: 'DeviceState',
      in: '[DeviceState!]',
      notIn: '[DeviceState!]',
      exists: 'Boolean',
    });
    expect(typeOf('DeviceOrderBy', 'state')).toBe('SortDirection');
    expect(typeOf('DeviceCreateInput', 'state')).toBe('DeviceState');
  });
});

describe('Object', () => {
  it('becomes an object type, an input, a where and an orderBy input', () => {
    expect(typeOf('Device', 'address')).toBe('DeviceAddress');
    expect(Object.fromEntries(Object.entries(fields('DeviceAddress')).map(([k, f]) => [k, f.type.toString()]))).toEqual(
      {
        city: 'String',
        zip: 'String',
        contact: 'DeviceAddressContact',
        lines: '[String]',
        position: 'GeoPoint',
      },
    );
    expect(typeOf('DeviceCreateInput', 'address')).toBe('DeviceAddressInput');
    expect(
      Object.fromEntries(Object.entries(inputFields('DeviceAddressInput')).map(([k, f]) => [k, f.type.toString()])),
    ).toEqual({
      city: 'String',
      zip: 'String',
      contact: 'DeviceAddressContactInput',
      lines: '[String]',
      position: 'GeoPointInput',
    });
    // Only what can be compared is in the where input and the orderBy input: no lists, no geometry.
    expect(typeOf('DeviceWhere', 'address')).toBe('DeviceAddressWhere');
    expect(Object.keys(inputFields('DeviceAddressWhere'))).toEqual(['city', 'zip', 'contact']);
    expect(typeOf('DeviceAddressWhere', 'contact')).toBe('DeviceAddressContactWhere');
    expect(typeOf('DeviceOrderBy', 'address')).toBe('DeviceAddressOrderBy');
    expect(Object.keys(inputFields('DeviceAddressOrderBy'))).toEqual(['city', 'zip', 'contact']);
    expect(typeOf('DeviceAddressOrderBy', 'city')).toBe('SortDirection');
    expect(typeOf('DeviceAddressOrderBy', 'contact')).toBe('DeviceAddressContactOrderBy');
  });

  it('without comparable fields, has neither a where nor an orderBy input', () => {
    expect(typeOf('Device', 'log')).toBe('[DeviceLogItem]');
    expect(schema.getType('DeviceLogItemWhere')).toBeDefined();
    const { schema: lists } = compile([
      iface('dtmi:test:Lists;1', [property('bag', objectOf([['items', arrayOf('string')]]))]),
    ]);
    expect(lists.getType('ListsBag')).toBeDefined();
    expect(lists.getType('ListsBagWhere')).toBeUndefined();
    expect(lists.getType('ListsBagOrderBy')).toBeUndefined();
    expect(Object.keys((lists.getType('ListsWhere') as GraphQLInputObjectType).getFields())).not.toContain('bag');
  });
});

describe('Map', () => {
  it('becomes a list of key/value entries', () => {
    expect(typeOf('Device', 'tags')).toBe('[DeviceTagsEntry!]');
    expect(typeOf('DeviceTagsEntry', 'key')).toBe('String!');
    expect(typeOf('DeviceTagsEntry', 'value')).toBe('String');
    expect(typeOf('DeviceCreateInput', 'tags')).toBe('[DeviceTagsEntryInput!]');
    expect(typeOf('DeviceTagsEntryInput', 'key')).toBe('String!');
    expect(typeOf('Device', 'readings')).toBe('[DeviceReadingsEntry!]');
    expect(typeOf('DeviceReadingsEntry', 'value')).toBe('DeviceReadingsValue');
    expect(typeOf('DeviceReadingsValue', 'at')).toBe('DateTime');
  });

  it('cannot be filtered or sorted on', () => {
    expect(Object.keys(inputFields('DeviceWhere'))).not.toContain('tags');
    expect(Object.keys(inputFields('DeviceOrderBy'))).not.toContain('tags');
  });
});

describe('Array', () => {
  it('becomes a list of its element schema', () => {
    expect(typeOf('Device', 'history')).toBe('[Float]');
    expect(typeOf('DeviceCreateInput', 'history')).toBe('[Float]');
    expect(typeOf('Device', 'log')).toBe('[DeviceLogItem]');
    expect(typeOf('DeviceLogItem', 'severity')).toBe('Int');
    expect(typeOf('DeviceCreateInput', 'log')).toBe('[DeviceLogItemInput]');
    expect(Object.keys(inputFields('DeviceWhere'))).not.toContain('history');
  });
});

describe('unit types used as a schema', () => {
  it('become an enum of the units', () => {
    expect(typeOf('Device', 'displayUnit')).toBe('TemperatureUnit');
    const units = type<GraphQLEnumType>('TemperatureUnit');
    expect(units.getValues().map((v) => v.name)).toEqual(
      expect.arrayContaining(['degreeCelsius', 'degreeFahrenheit', 'kelvin']),
    );
    expect(units.getValue('kelvin')!.value).toBe('kelvin');
    expect(units.description).toContain('dtmi:dtdl:extension:quantitativeTypes:v1:enum:TemperatureUnit');
    expect(typeOf('DeviceWhere', 'displayUnit')).toBe('TemperatureUnitFilter');
    expect(typeOf('DeviceUpdateInput', 'displayUnit')).toBe('TemperatureUnit');
  });
});

describe('Component', () => {
  it('becomes a component object type with its properties and $metadata', () => {
    expect(typeOf('Device', 'diagnostics')).toBe('DiagnosticsComponent');
    expect(
      Object.fromEntries(Object.entries(fields('DiagnosticsComponent')).map(([k, f]) => [k, f.type.toString()])),
    ).toEqual({
      metadata: 'JSON',
      selfTestPassed: 'Boolean',
      lastRun: 'DateTime',
    });
    expect(type('DiagnosticsComponent').description).toContain(DIAGNOSTICS);
  });

  it('is set through an input in create and update, and filtered and sorted on its properties', () => {
    expect(typeOf('DeviceCreateInput', 'diagnostics')).toBe('DiagnosticsComponentInput');
    expect(typeOf('DeviceUpdateInput', 'diagnostics')).toBe('DiagnosticsComponentInput');
    expect(Object.keys(inputFields('DiagnosticsComponentInput'))).toEqual(['selfTestPassed', 'lastRun']);
    expect(typeOf('DeviceWhere', 'diagnostics')).toBe('DiagnosticsComponentWhere');
    expect(typeOf('DeviceOrderBy', 'diagnostics')).toBe('DiagnosticsComponentOrderBy');
  });

  it('without properties, has no input type, and the model is created without it', () => {
    const { schema: s } = compile(
      [
        iface('dtmi:test:Meter;1', [
          property('label', 'string', { writable: true }),
          component('probe', 'dtmi:test:Probe;1'),
        ]),
        iface('dtmi:test:Probe;1', [telemetry('reading', 'double')]),
      ],
      ['dtmi:test:Meter;1'],
    );
    expect((s.getType('Meter') as GraphQLObjectType).getFields().probe.type.toString()).toBe('ProbeComponent');
    expect(s.getType('ProbeComponentInput')).toBeUndefined();
    expect(Object.keys((s.getType('MeterCreateInput') as GraphQLInputObjectType).getFields())).toEqual(['label']);
    expect(Object.keys((s.getType('MeterUpdateInput') as GraphQLInputObjectType).getFields())).toEqual(['label']);
  });
});

describe('Relationship', () => {
  it('becomes a connection typed to the target interface, with paging, filter and order arguments', () => {
    expect(typeOf('Device', 'locatedIn')).toBe('DeviceLocatedInConnection!');
    expect(args('Device', 'locatedIn')).toEqual({
      where: 'RoomWhere',
      edge: 'DeviceLocatedInRelationshipWhere',
      orderBy: '[RoomOrderBy!]',
      first: 'Int',
      after: 'String',
      last: 'Int',
      before: 'String',
    });
    expect(
      Object.fromEntries(Object.entries(fields('DeviceLocatedInConnection')).map(([k, f]) => [k, f.type.toString()])),
    ).toEqual({
      edges: '[DeviceLocatedInEdge!]!',
      nodes: '[Room!]!',
      pageInfo: 'PageInfo!',
      totalCount: 'Int',
    });
    expect(
      Object.fromEntries(Object.entries(fields('DeviceLocatedInEdge')).map(([k, f]) => [k, f.type.toString()])),
    ).toEqual({
      cursor: 'String!',
      node: 'Room!',
      relationship: 'DeviceLocatedInRelationship!',
    });
  });

  it("puts the relationship's properties on the edge's relationship, beside the core Relationship fields", () => {
    const relationshipFields = Object.fromEntries(
      Object.entries(fields('DeviceLocatedInRelationship')).map(([k, f]) => [k, f.type.toString()]),
    );
    expect(relationshipFields).toMatchObject({
      id: 'ID!',
      name: 'String!',
      sourceId: 'ID!',
      targetId: 'ID!',
      etag: 'String!',
      properties: 'JSON!',
      source: 'Twin',
      target: 'Twin',
    });
    expect(relationshipFields).toMatchObject({ since: 'Date', weight: 'Float', notes: '[String]' });
    expect(Object.keys(inputFields('DeviceLocatedInRelationshipWhere'))).toEqual([
      'AND',
      'OR',
      'NOT',
      'id',
      'since',
      'weight',
    ]);
  });

  it('filters its source twins by the related twins (some, none, all) and by the relationships', () => {
    expect(typeOf('DeviceWhere', 'locatedIn')).toBe('DeviceLocatedInFilter');
    expect(
      Object.fromEntries(Object.entries(inputFields('DeviceLocatedInFilter')).map(([k, f]) => [k, f.type.toString()])),
    ).toEqual({
      some: 'RoomWhere',
      none: 'RoomWhere',
      all: 'RoomWhere',
      edge: 'DeviceLocatedInRelationshipWhere',
    });
    expect(Object.keys(inputFields('DeviceOrderBy'))).not.toContain('locatedIn');
    expect(Object.keys(inputFields('DeviceCreateInput'))).not.toContain('locatedIn');
  });

  it('without a target, or with one that is not a model of the set, is typed to Twin', () => {
    for (const name of ['connectedTo', 'installedBy']) {
      const connection = `Device${name[0].toUpperCase()}${name.slice(1)}Connection`;
      expect(typeOf('Device', name)).toBe(`${connection}!`);
      expect(typeOf(connection, 'nodes')).toBe('[Twin!]!');
      // Without properties there is no edge filter.
      expect(args('Device', name)).toEqual({
        where: 'TwinWhere',
        orderBy: '[TwinOrderBy!]',
        first: 'Int',
        after: 'String',
        last: 'Int',
        before: 'String',
      });
    }
    expect(typeOf('DeviceConnectedToFilter', 'some')).toBe('TwinWhere');
  });

  it('gives the target and its subtypes an inverse field <name>Inverse', () => {
    for (const name of [
      'Room',
      'RoomTwin',
      'MeetingRoom',
      'MeetingRoomTwin',
      'ConferenceRoom',
      'ConferenceRoomTwin',
      'SmartRoom',
      'SmartRoomTwin',
    ]) {
      expect(typeOf(name, 'locatedInInverse')).toBe('TwinConnection!');
      expect(args(name, 'locatedInInverse')).toEqual({
        where: 'TwinWhere',
        orderBy: '[TwinOrderBy!]',
        first: 'Int',
        after: 'String',
        last: 'Int',
        before: 'String',
      });
    }
    // Not on models the relationship cannot point at, nor for relationships without a target.
    for (const name of ['Device', 'Secured', 'Sample']) expect(typeOf(name, 'locatedInInverse')).toBeUndefined();
    for (const name of ['Device', 'Room', 'Sample']) expect(typeOf(name, 'connectedToInverse')).toBeUndefined();
  });

  it('pages like a root list: a first page batched with one row of lookahead, first and last checked the same way', async () => {
    const calls: unknown[][] = [];
    const device: Twin = {
      $dtId: 'd1',
      $etag: 'W/"1"',
      $metadata: { $model: DEVICE, $lastUpdateTime: '2024-05-31T12:00:00Z' },
    } as Twin;
    const room = (id: string): Twin =>
      ({
        $dtId: id,
        $etag: 'W/"1"',
        $metadata: { $model: ROOM, $lastUpdateTime: '2024-05-31T12:00:00Z' },
        name: id,
      }) as Twin;
    const rel = (id: string) => ({
      $relationshipId: `d1-${id}`,
      $sourceId: 'd1',
      $targetId: id,
      $relationshipName: 'locatedIn',
      $etag: 'W/"2"',
      since: '2024-01-01',
    });
    const contextValue = {
      twins: {
        get: async () => device,
        neighbors: async (...a: unknown[]) => {
          calls.push(['neighbors', a[2]]);
          return ['r1', 'r2', 'r3'].slice(0, a[2] as number).map((id) => ({ twin: room(id), relationship: rel(id) }));
        },
        neighborCount: async () => 3,
        traverse: async (t: { first?: number }) => {
          calls.push(['traverse', t.first]);
          return {
            items: [room('r1')],
            cursors: ['c1'],
            pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: 'c1', endCursor: 'c1' },
          };
        },
        relationships: async () => [rel('r1')],
      },
    };
    const run = (first: number) =>
      graphql({
        schema,
        source: `{ twin(id: "d1") { ... on Device { locatedIn(first: ${first}) { totalCount pageInfo { hasNextPage } edges { node { id } relationship { since } } } } } }`,
        contextValue,
      });

    const two = await run(2);
    expect(two.errors).toBeUndefined();
    expect(two.data).toEqual({
      twin: {
        locatedIn: {
          totalCount: 3,
          pageInfo: { hasNextPage: true },
          edges: [
            { node: { id: 'r1' }, relationship: { since: '2024-01-01' } },
            { node: { id: 'r2' }, relationship: { since: '2024-01-01' } },
          ],
        },
      },
    });
    // The largest page a root list serves is served here too, without asking for one more than that.
    const largest = await run(1000);
    expect(largest.errors).toBeUndefined();
    expect(calls).toEqual([
      ['neighbors', 3],
      ['traverse', 1000],
    ]);
    for (const first of [-1, 1001]) {
      const refused = await run(first);
      expect(refused.errors?.map((e) => [e.message, (e.originalError as { code?: string })?.code])).toEqual([
        ["'first' is an integer from 0 to 1000.", 'InvalidArgument'],
      ]);
    }
  });

  it('is the same field, with the same types, on the subtypes of the declaring model', () => {
    const { schema: s } = compile([
      iface('dtmi:test:Space;1', [
        relationship('contains', 'dtmi:test:Space;1', { properties: [property('order', 'integer')] }),
      ]),
      iface('dtmi:test:Floor;1', [], { extends: 'dtmi:test:Space;1' }),
    ]);
    const field = (t: string) => (s.getType(t) as GraphQLObjectType).getFields().contains;
    for (const t of ['Floor', 'FloorTwin', 'SpaceTwin']) {
      expect(field(t).type.toString()).toBe('SpaceContainsConnection!');
      expect(field(t).args.map((a) => [a.name, a.type.toString()])).toEqual(
        field('Space').args.map((a) => [a.name, a.type.toString()]),
      );
    }
    expect((s.getType('SpaceContainsConnection') as GraphQLObjectType).getFields().nodes.type.toString()).toBe(
      '[Space!]!',
    );
    expect((s.getType('Floor') as GraphQLObjectType).getFields().containsInverse.type.toString()).toBe(
      'TwinConnection!',
    );
  });
});

describe('Telemetry', () => {
  it('becomes a MetricSeries, not a property: no filter, order or input', () => {
    expect(typeOf('Device', 'temperature')).toBe('MetricSeries!');
    expect(typeOf('Device', 'status')).toBe('MetricSeries!');
    for (const input of ['DeviceWhere', 'DeviceOrderBy', 'DeviceCreateInput', 'DeviceUpdateInput'])
      expect(Object.keys(inputFields(input))).not.toContain('temperature');
    expect(Object.keys(fields('MetricSeries'))).toEqual(
      expect.arrayContaining(['twinId', 'name', 'unit', 'latest', 'points', 'aggregate']),
    );
    expect(args('MetricSeries', 'aggregate')).toEqual({
      from: 'DateTime',
      to: 'DateTime',
      period: 'Duration',
      window: 'Duration',
    });
  });
});

describe('writable and read-only properties', () => {
  it('create takes every property, update only the writable ones; descriptions say which', () => {
    const create = Object.keys(inputFields('DeviceCreateInput'));
    const update = Object.keys(inputFields('DeviceUpdateInput'));
    expect(create).toEqual(
      expect.arrayContaining([
        'name',
        'serial',
        'state',
        'level',
        'fallbackMode',
        'readings',
        'history',
        'log',
        'diagnostics',
      ]),
    );
    expect(update).toEqual(['name', 'level', 'mode', 'address', 'tags', 'displayUnit', 'setPoint', 'diagnostics']);
    expect(fields('Device').name.description).toContain('Writable.');
    expect(fields('Device').serial.description).toContain('Read-only');
    expect(args('Mutation', 'createDevice')).toEqual({
      id: 'ID!',
      input: 'DeviceCreateInput!',
      ifNoneMatch: 'Boolean',
    });
    expect(args('Mutation', 'updateDevice')).toEqual({ id: 'ID!', input: 'DeviceUpdateInput!', ifMatch: 'String' });
    expect(typeOf('Mutation', 'createDevice')).toBe('Device!');
  });

  it('a model with nothing to set gets no empty input types: create takes no input, and there is no update', () => {
    const { schema: s } = compile([
      iface('dtmi:test:Empty;1'),
      iface('dtmi:test:Sensor;1', [telemetry('reading', 'double'), relationship('feeds'), command('reset')]),
      iface('dtmi:test:Reported;1', [property('firmware', 'string')]),
    ]);
    const mutation = s.getMutationType()!.getFields();
    for (const name of ['Empty', 'Sensor']) {
      expect(s.getType(`${name}CreateInput`)).toBeUndefined();
      expect(s.getType(`${name}UpdateInput`)).toBeUndefined();
      expect(mutation[`create${name}`].args.map((a) => a.name)).toEqual(['id', 'ifNoneMatch']);
      expect(mutation[`update${name}`]).toBeUndefined();
    }
    // Only read-only properties: a create input, no update.
    expect(s.getType('ReportedCreateInput')).toBeDefined();
    expect(s.getType('ReportedUpdateInput')).toBeUndefined();
    expect(mutation.updateReported).toBeUndefined();
    expect(Object.keys((s.getType('EmptyWhere') as GraphQLInputObjectType).getFields())).toEqual([
      'AND',
      'OR',
      'NOT',
      'id',
    ]);
  });
});

describe('Command', () => {
  it('becomes a root mutation <command><Model> taking the request payload', () => {
    expect(args('Mutation', 'rebootDevice')).toEqual({ id: 'ID!', delay: 'Duration' });
    expect(typeOf('Mutation', 'rebootDevice')).toBe('CommandInvocation!');
    expect(fields('Mutation').rebootDevice.description).toContain('Restarts the device.');
    expect(args('Mutation', 'configureDevice')).toEqual({ id: 'ID!', settings: 'DeviceConfigureRequestInput' });
    expect(Object.keys(inputFields('DeviceConfigureRequestInput'))).toEqual(['mode', 'retries']);
    expect(args('Mutation', 'pingDevice')).toEqual({ id: 'ID!' });
    // A request named id would clash with the twin id.
    expect(args('Mutation', 'identifyDevice')).toEqual({ id: 'ID!', request: 'String' });
  });

  it('is declared once, on the model that declares it: subtypes use the same mutation', () => {
    expect(args('Mutation', 'bookRoom')).toEqual({ id: 'ID!', slot: 'DateTime' });
    for (const name of ['bookMeetingRoom', 'bookConferenceRoom', 'bookSmartRoom'])
      expect(fields('Mutation')[name]).toBeUndefined();
    expect(Object.keys(fields('Room'))).not.toContain('book');
  });
});

describe('extends', () => {
  it('becomes GraphQL interface inheritance: the object type implements its interface, every ancestor, Twin and Node', () => {
    const implemented = (name: string) =>
      type<GraphQLObjectType | GraphQLInterfaceType>(name)
        .getInterfaces()
        .map((i) => i.name)
        .sort();
    expect(implemented('Room')).toEqual(['Node', 'Twin']);
    expect(implemented('RoomTwin')).toEqual(['Node', 'Room', 'Twin']);
    expect(implemented('MeetingRoom')).toEqual(['Node', 'Room', 'Twin']);
    expect(implemented('MeetingRoomTwin')).toEqual(['MeetingRoom', 'Node', 'Room', 'Twin']);
    expect(implemented('ConferenceRoom')).toEqual(['MeetingRoom', 'Node', 'Room', 'Twin']);
    expect(implemented('ConferenceRoomTwin')).toEqual(['ConferenceRoom', 'MeetingRoom', 'Node', 'Room', 'Twin']);
    expect(implemented('SmartRoomTwin')).toEqual(['MeetingRoom', 'Node', 'Room', 'Secured', 'SmartRoom', 'Twin']);
  });

  it('gives subtypes the inherited contents, with the same types, in fields, filters, orders and inputs', () => {
    for (const name of ['ConferenceRoom', 'ConferenceRoomTwin']) {
      expect(Object.keys(fields(name))).toEqual(
        expect.arrayContaining(['name', 'capacity', 'seats', 'hasScreen', 'dialIn', 'locatedInInverse']),
      );
    }
    expect(typeOf('ConferenceRoom', 'seats')).toBe(typeOf('MeetingRoom', 'seats'));
    expect(fields('ConferenceRoom').name.description).toContain(`Inherited from ${ROOM}.`);
    expect(Object.keys(inputFields('ConferenceRoomWhere'))).toEqual(
      expect.arrayContaining(['name', 'capacity', 'seats', 'hasScreen', 'dialIn']),
    );
    expect(Object.keys(inputFields('ConferenceRoomUpdateInput'))).toEqual(
      expect.arrayContaining(['name', 'seats', 'dialIn']),
    );
    expect(Object.keys(inputFields('SmartRoomCreateInput'))).toEqual(
      expect.arrayContaining(['name', 'seats', 'clearance', 'automation']),
    );
  });

  it("types a base model's list by its interface, which every subtype's object type implements", () => {
    expect(typeOf('Query', 'rooms')).toBe('RoomConnection!');
    expect(args('Query', 'rooms')).toEqual({
      where: 'RoomWhere',
      orderBy: '[RoomOrderBy!]',
      first: 'Int',
      after: 'String',
      last: 'Int',
      before: 'String',
    });
    expect(typeOf('RoomConnection', 'nodes')).toBe('[Room!]!');
    expect(
      schema
        .getPossibleTypes(type<GraphQLInterfaceType>('Room'))
        .map((t) => t.name)
        .sort(),
    ).toEqual(['ConferenceRoomTwin', 'MeetingRoomTwin', 'RoomTwin', 'SmartRoomTwin']);
    expect(
      schema
        .getPossibleTypes(type<GraphQLInterfaceType>('Secured'))
        .map((t) => t.name)
        .sort(),
    ).toEqual(['SecuredTwin', 'SmartRoomTwin']);
    expect(
      twinObjectTypes(schema)
        .map((t) => t.name)
        .sort(),
    ).toEqual([
      'ConferenceRoomTwin',
      'DeviceTwin',
      'MeetingRoomTwin',
      'PlaceTwin',
      'RoomTwin',
      'SampleTwin',
      'SecuredTwin',
      'SmartRoomTwin',
      'UnmodeledTwin',
    ]);
  });

  it("resolves the twins of a base model's list to their own models' object types", async () => {
    const twin = (id: string, model: string, props: JsonObject): Twin =>
      ({
        $dtId: id,
        $etag: 'W/"1"',
        $metadata: { $model: model, $lastUpdateTime: '2024-05-31T12:00:00Z' },
        ...props,
      }) as Twin;
    const items = [
      twin('r1', ROOM, { name: 'Atrium' }),
      twin('m1', MEETING_ROOM, { name: 'Oak', seats: 8 }),
      twin('c1', CONFERENCE_ROOM, { name: 'Elm', seats: 20, dialIn: '+1 555' }),
    ];
    const queries: unknown[] = [];
    const page: Page<Twin> = {
      items,
      cursors: ['a', 'b', 'c'],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: 'a', endCursor: 'c' },
    };
    const contextValue = {
      twins: {
        query: async (q: unknown) => {
          queries.push(q);
          return page;
        },
      },
    };
    const result = await graphql({
      schema,
      source:
        '{ rooms(where: { name: { startsWith: "A" } }, orderBy: [{ name: DESC }]) { nodes { __typename id name ... on MeetingRoom { seats } ... on ConferenceRoom { dialIn } } } }',
      contextValue,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      rooms: {
        nodes: [
          { __typename: 'RoomTwin', id: 'r1', name: 'Atrium' },
          { __typename: 'MeetingRoomTwin', id: 'm1', name: 'Oak', seats: 8 },
          { __typename: 'ConferenceRoomTwin', id: 'c1', name: 'Elm', seats: 20, dialIn: '+1 555' },
        ],
      },
    });
    // The list asks the store for twins of the model and of the models that extend it (ofModel).
    expect(queries[0]).toEqual({
      where: { and: [{ ofModel: ROOM }, { path: ['name'], op: 'startsWith', value: 'A' }] },
      orderBy: [{ path: ['name'], direction: 'desc' }],
      first: 100,
    });
  });
});

describe('semantic types and units', () => {
  it('appear in field descriptions', () => {
    expect(fields('Device').temperature.description).toContain('Semantic type: Temperature.');
    expect(fields('Device').temperature.description).toContain('Unit: degreeCelsius.');
    expect(fields('Device').temperature.description).toContain('Air temperature at the device.');
    expect(fields('Device').setPoint.description).toContain('Unit: degreeCelsius.');
    expect(inputFields('DeviceUpdateInput').setPoint.description).toContain('Semantic type: Temperature.');
  });

  it("appear in the Model type's contents, with each content's GraphQL field", async () => {
    const record = {
      id: DEVICE,
      uploadTime: '2024-05-31T12:00:00Z',
      decommissioned: false,
      ancestors: [],
      dependencies: [],
    };
    const result = await graphql({
      schema,
      source: `{ model(id: "${DEVICE}") { graphqlType contents { name kind schema writable unit semanticTypes target graphqlField } } }`,
      contextValue: { models: { get: async () => record } },
    });
    expect(result.errors).toBeUndefined();
    const model = (result.data as { model: { graphqlType: string; contents: Record<string, unknown>[] } }).model;
    expect(model.graphqlType).toBe('Device');
    const content = (name: string) => model.contents.find((c) => c.name === name);
    expect(content('temperature')).toEqual({
      name: 'temperature',
      kind: 'Telemetry',
      schema: 'double',
      writable: null,
      unit: 'degreeCelsius',
      semanticTypes: ['Temperature'],
      target: null,
      graphqlField: 'temperature',
    });
    expect(content('setPoint')).toMatchObject({
      kind: 'Property',
      writable: true,
      unit: 'degreeCelsius',
      semanticTypes: ['Temperature'],
    });
    expect(content('state')).toMatchObject({ schema: 'Enum', unit: null, semanticTypes: [] });
    expect(content('displayUnit')).toMatchObject({ schema: 'TemperatureUnit' });
    expect(content('locatedIn')).toMatchObject({ kind: 'Relationship', target: ROOM, graphqlField: 'locatedIn' });
    expect(content('diagnostics')).toMatchObject({ kind: 'Component', target: DIAGNOSTICS });
    expect(content('reboot')).toMatchObject({ kind: 'Command', graphqlField: null });
  });

  it('come from DTDL v2 models too', () => {
    const { schema: s } = compile([
      {
        '@context': V2,
        '@id': 'dtmi:test:Legacy;1',
        '@type': 'Interface',
        contents: [
          { '@type': ['Telemetry', 'Temperature'], name: 'temperature', schema: 'double', unit: 'degreeCelsius' },
          { '@type': 'Property', name: 'label', schema: 'string', writable: true },
        ],
      },
    ]);
    const legacy = (s.getType('Legacy') as GraphQLObjectType).getFields();
    expect(legacy.temperature.type.toString()).toBe('MetricSeries!');
    expect(legacy.temperature.description).toContain('Unit: degreeCelsius.');
    expect(legacy.label.type.toString()).toBe('String');
  });
});

describe('descriptions', () => {
  it('say the DTMI of every generated type', () => {
    const core = coreSchema();
    const iso = new Set(['Date', 'Time', 'Duration']);
    const generated = Object.values(schema.getTypeMap()).filter(
      (t) => !t.name.startsWith('__') && !core.getType(t.name) && !iso.has(t.name) && !/^Geo[A-Za-z]+$/.test(t.name),
    );
    expect(generated.length).toBeGreaterThan(100);
    expect(generated.filter((t) => !/dtmi:[A-Za-z]/.test(t.description ?? '')).map((t) => t.name)).toEqual([]);
  });

  it("say the model's own DTMI, name and description on its interface and object type", () => {
    for (const name of ['Room', 'RoomTwin']) {
      expect(type(name).description).toContain('Room: A room of a building.');
      expect(type(name).description).toContain(`DTDL interface ${ROOM}.`);
    }
    expect(type('ConferenceRoom').description).toContain(`Extends ${MEETING_ROOM}, ${ROOM}.`);
    for (const name of ['RoomConnection', 'RoomEdge', 'RoomWhere', 'RoomOrderBy', 'RoomCreateInput', 'RoomUpdateInput'])
      expect(type(name).description).toContain(ROOM);
    expect(type('DeviceLocatedInRelationship').description).toContain(
      `DTDL Relationship 'locatedIn' of ${DEVICE}, to ${ROOM}.`,
    );
  });
});

describe('schemas DTDL allows and GraphQL has no empty form of', () => {
  it('an Object without fields is JSON, an Enum without values is its value schema', () => {
    const { schema: s } = compile([
      iface('dtmi:test:Odd;1', [
        property('nothing', objectOf([]), { writable: true }),
        property('noWords', enumOf('string', [])),
        property('noNumbers', enumOf('integer', [])),
      ]),
    ]);
    const odd = (s.getType('Odd') as GraphQLObjectType).getFields();
    expect(odd.nothing.type.toString()).toBe('JSON');
    expect(odd.noWords.type.toString()).toBe('String');
    expect(odd.noNumbers.type.toString()).toBe('Int');
    expect((s.getType('OddUpdateInput') as GraphQLInputObjectType).getFields().nothing.type.toString()).toBe('JSON');
    expect((s.getType('OddWhere') as GraphQLInputObjectType).getFields().noWords.type.toString()).toBe('StringFilter');
  });
});

describe('writes through the typed mutations', () => {
  it('create turns the input into the twin JSON: entries into maps, GeoJSON types filled in, every component present', async () => {
    const created: unknown[] = [];
    const contextValue = {
      write: {
        create: async (id: string, modelId: string, body: JsonObject) => {
          created.push({ id, modelId, body });
          return { $dtId: id, $etag: 'W/"1"', $metadata: { $model: modelId }, ...body };
        },
      },
    };
    const result = await graphql({
      schema,
      source: `mutation {
        createDevice(id: "d1", input: {
          name: "Pump", state: Busy, level: high, mode: eco,
          tags: [{ key: "site", value: "north" }],
          address: { city: "Oslo", position: { coordinates: [10.7, 59.9] } },
          displayUnit: kelvin
        }) { id }
      }`,
      contextValue,
    });
    expect(result.errors).toBeUndefined();
    expect(created).toEqual([
      {
        id: 'd1',
        modelId: DEVICE,
        body: {
          $metadata: { $model: DEVICE },
          name: 'Pump',
          state: 'busy',
          level: 2,
          mode: 'eco',
          tags: { site: 'north' },
          address: { city: 'Oslo', position: { type: 'Point', coordinates: [10.7, 59.9] } },
          displayUnit: 'kelvin',
          // ADT requires every component on a twin, with its own $metadata.
          diagnostics: { $metadata: {} },
        },
      },
    ]);
  });

  it('update turns the input into a JSON Patch of the writable properties: null removes', async () => {
    const current = {
      $dtId: 'd1',
      $etag: 'W/"1"',
      $metadata: { $model: DEVICE },
      name: 'Pump',
      level: 1,
      diagnostics: { $metadata: {}, selfTestPassed: true },
    };
    const patches: unknown[] = [];
    // The twin service makes the patch from the current state (after checking the twin's model).
    const contextValue = {
      write: {
        update: async (id: string, _modelId: string, makePatch: (t: typeof current) => unknown, options: unknown) => {
          patches.push({ id, patch: makePatch(current), options });
          return current;
        },
      },
    };
    const result = await graphql({
      schema,
      source:
        'mutation { updateDevice(id: "d1", ifMatch: "W/\\"1\\"", input: { name: null, level: high, mode: max, diagnostics: { selfTestPassed: false } }) { id } }',
      contextValue,
    });
    expect(result.errors).toBeUndefined();
    expect(patches).toEqual([
      {
        id: 'd1',
        patch: [
          { op: 'remove', path: '/name' },
          { op: 'add', path: '/level', value: 2 },
          { op: 'add', path: '/mode', value: 'max' },
          { op: 'add', path: '/diagnostics/selfTestPassed', value: false },
        ],
        options: { ifMatch: 'W/"1"' },
      },
    ]);
  });
});
