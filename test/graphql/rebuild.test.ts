/**
 * Live rebuild safety: the API swaps in a schema compiled after every upload, under clients that keep
 * sending the operations they wrote against the schema before. Uploading models (a subtype of an existing
 * model above all) must leave every one of those operations valid.
 */
import {
  findBreakingChanges,
  parse as parseDocument,
  printSchema,
  validate,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { compileSchema } from '../../src/graphql';
import { parseModels } from '../../src/dtdl';
import {
  command,
  compileModels,
  component,
  enumOf,
  iface,
  objectOf,
  parse,
  property,
  relationship,
  telemetry,
  type Compiled,
} from './fixtures';

const ROOM = 'dtmi:test:Room;1';
const DEVICE = 'dtmi:test:Device;1';
const DIAGNOSTICS = 'dtmi:test:Diagnostics;1';

const before = [
  iface(ROOM, [
    property('name', 'string', { writable: true }),
    property('capacity', 'integer'),
    property(
      'status',
      enumOf('string', [
        ['free', 'free'],
        ['busy', 'busy'],
      ]),
      { writable: true },
    ),
    property(
      'address',
      objectOf([
        ['city', 'string'],
        ['zip', 'string'],
      ]),
      { writable: true },
    ),
    relationship('hosts', DEVICE, { properties: [property('since', 'date')] }),
  ]),
  iface(DEVICE, [
    property('serial', 'string'),
    property(
      'state',
      enumOf('string', [
        ['idle', 'idle'],
        ['busy', 'busy'],
      ]),
    ),
    { '@type': ['Telemetry', 'Temperature'], name: 'temperature', schema: 'double', unit: 'degreeCelsius' },
    component('diagnostics', DIAGNOSTICS),
    relationship('locatedIn', ROOM),
    command('reboot', { request: { name: 'delay', schema: 'duration' } }),
  ]),
  iface(DIAGNOSTICS, [property('selfTestPassed', 'boolean', { writable: true })]),
];
const beforeOrder = [ROOM, DEVICE];

/** Models that extend the existing ones (two levels, and with contents of their own that point back), a new version, a new source of an existing relationship name. */
const added = [
  iface(
    'dtmi:test:MeetingRoom;1',
    [
      property('seats', 'integer', { writable: true }),
      relationship('adjacentTo', ROOM),
      telemetry('occupancy', 'integer'),
    ],
    { extends: ROOM },
  ),
  iface('dtmi:test:ConferenceRoom;1', [property('dialIn', 'string', { writable: true }), command('startCall')], {
    extends: 'dtmi:test:MeetingRoom;1',
  }),
  iface('dtmi:test:Thermostat;1', [property('setPoint', 'double', { writable: true })], { extends: DEVICE }),
  iface('dtmi:test:Room;2', [property('name', 'string', { writable: true })]),
  iface('dtmi:test:Gateway;1', [relationship('hosts', DEVICE), relationship('locatedIn', ROOM)]),
];

/** Operations a client wrote against the first schema. */
const operations = [
  `query Rooms($where: RoomWhere, $first: Int, $after: String) {
    rooms(where: $where, first: $first, after: $after, orderBy: [{ name: ASC }, { status: DESC }]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id etag modelId lastUpdateTime name capacity status address { city zip }
          ... on RoomTwin { metadata }
          hosts(first: 5, edge: { since: { gte: "2024-01-01" } }, where: { state: { eq: idle } }) {
            totalCount
            edges { relationship { id since etag } node { id serial state } }
          }
          locatedInInverse(first: 10) { nodes { id ... on Device { serial } } }
        }
      }
    }
  }`,
  `query Twin($id: ID!) {
    twin(id: $id) {
      __typename id modelId
      ... on Room { name status locatedInInverse { totalCount } }
      ... on RoomTwin { capacity }
      ... on Device {
        serial
        hostsInverse(where: { isOf: "${ROOM}" }) { totalCount }
        temperature { unit latest { time value } aggregate(from: "2024-01-01T00:00:00Z", to: "2024-01-02T00:00:00Z", window: "PT1H") { start avg } }
        diagnostics { metadata selfTestPassed }
        locatedIn { nodes { id name } }
      }
    }
  }`,
  `query Devices {
    devices(where: { OR: [{ serial: { startsWith: "A" } }, { locatedIn: { some: { name: { eq: "Atrium" } } } }], NOT: { state: { in: [busy] } } }, last: 3, before: "x") {
      nodes { id ... on DeviceTwin { serial } }
    }
  }`,
  `mutation Write($id: ID!, $etag: String) {
    createRoom(id: $id, input: { name: "Atrium", capacity: 40, status: free, address: { city: "Oslo" } }, ifNoneMatch: true) { id etag }
    updateRoom(id: $id, input: { name: "Atrium 2", status: null }, ifMatch: $etag) { id ... on Room { name } }
    createDevice(id: "d1", input: { serial: "A-1", diagnostics: { selfTestPassed: true } }) { id }
    rebootDevice(id: "d1", delay: "PT5S") { seq command request }
    patchTwin(id: $id, patch: [{ op: replace, path: "/name", value: "Hall" }]) { id }
  }`,
  `subscription Changes {
    twinChanged(models: ["${ROOM}"], since: 10) { seq type twin { id ... on Room { name status } } }
  }`,
  `query Models { models { id graphqlType contents { name graphqlField unit semanticTypes } } }`,
];

function expectValid(schema: GraphQLSchema, source: string): void {
  expect({ source, errors: validate(schema, parseDocument(source)).map((e) => e.message) }).toEqual({
    source,
    errors: [],
  });
}

describe('rebuilding the schema after an upload', () => {
  let old: Compiled;
  let rebuilt: Compiled;
  beforeAll(() => {
    const first = parse(before);
    old = compileModels(first, beforeOrder);
    // The second upload is linked against the first, as the model service does.
    const second = parse(added, first);
    rebuilt = compileModels(second, [...beforeOrder, ...added.map((d) => d['@id'] as string)]);
  });

  it('the operations are valid against the schema they were written for', () => {
    for (const source of operations) expectValid(old.schema, source);
  });

  it('keeps every operation valid after models that extend existing ones are uploaded', () => {
    for (const source of operations) expectValid(rebuilt.schema, source);
  });

  it('makes no breaking change (findBreakingChanges is empty)', () => {
    expect(findBreakingChanges(old.schema, rebuilt.schema)).toEqual([]);
  });

  it('lets new operations select the subtypes through the existing lists', () => {
    const source = `{ rooms { nodes { id ... on MeetingRoom { seats occupancy { latest { value } } adjacentTo { nodes { name } } } ... on ConferenceRoom { dialIn } } } devices { nodes { ... on Thermostat { setPoint } } } }`;
    expect(validate(old.schema, parseDocument(source)).length).toBeGreaterThan(0);
    expectValid(rebuilt.schema, source);
  });

  it('compiles the same schema from the same models and order, every time', () => {
    const again = compileModels(parse(added, parse(before)), [...beforeOrder, ...added.map((d) => d['@id'] as string)]);
    expect(printSchema(again.schema)).toBe(printSchema(rebuilt.schema));
  });

  it('keeps the earlier schema intact: compiling a new one does not change it', () => {
    const printed = printSchema(old.schema);
    compileModels(parse(added, parse(before)), [...beforeOrder, ...added.map((d) => d['@id'] as string)]);
    expect(printSchema(old.schema)).toBe(printed);
    for (const source of operations) expectValid(old.schema, source);
  });
});

describe('a relationship whose target arrives in a later upload', () => {
  const source = {
    '@context': 'dtmi:dtdl:context;3',
    '@id': 'dtmi:late:Site;1',
    '@type': 'Interface',
    contents: [{ '@type': 'Relationship', name: 'hosts', target: 'dtmi:late:Machine;1' }],
  };
  const target = {
    '@context': 'dtmi:dtdl:context;3',
    '@id': 'dtmi:late:Machine;1',
    '@type': 'Interface',
    contents: [{ '@type': 'Property', name: 'serial', schema: 'string' }],
  };

  it('stays typed to Twin, so that the upload of the target breaks nothing; a target of the same upload is typed', () => {
    const first = parseModels([JSON.stringify(source)]);
    expect(first.valid).toBe(true);
    const before = compileSchema(first.models, ['dtmi:late:Site;1']).schema;
    const later = parseModels([JSON.stringify(target)], { known: first.models });
    expect(later.valid).toBe(true);
    const batches = new Map([
      ['dtmi:late:Site;1', 0],
      ['dtmi:late:Machine;1', 1],
    ]);
    const after = compileSchema(later.models, ['dtmi:late:Site;1', 'dtmi:late:Machine;1'], {
      uploadBatch: (id) => batches.get(id) ?? 0,
    }).schema;
    expect(findBreakingChanges(before, after)).toEqual([]);
    const edge = after.getType('SiteHostsEdge') as GraphQLObjectType;
    expect(String(edge.getFields().node.type)).toBe('Twin!');
    const together = parseModels([JSON.stringify(source), JSON.stringify(target)]);
    const typed = compileSchema(together.models, ['dtmi:late:Machine;1', 'dtmi:late:Site;1']).schema.getType(
      'SiteHostsEdge',
    ) as GraphQLObjectType;
    expect(String(typed.getFields().node.type)).toBe('Machine!');
  });
});
