/**
 * GraphQL names for DTDL models: deterministic, handed out in upload order, never taken from the core schema
 * or from an earlier model, and never changed by a later upload.
 */
import {
  findBreakingChanges,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
} from 'graphql';
import {
  camelCase,
  CORE_TWIN_FIELDS,
  CORE_TYPE_NAMES,
  ModelNamer,
  NameAllocator,
  pascalCase,
  plural,
} from '../../src/graphql/generate/names';
import {
  command,
  compile,
  component,
  enumOf,
  iface,
  mapOf,
  objectOf,
  parse,
  property,
  relationship,
  telemetry,
  compileModels,
  type Json,
} from './fixtures';

const fieldsOf = (type: unknown): string[] => Object.keys((type as GraphQLObjectType).getFields());

describe('name helpers', () => {
  it('pascalCase joins the words of a DTMI segment', () => {
    expect(pascalCase('room')).toBe('Room');
    expect(pascalCase('meetingRoom')).toBe('MeetingRoom');
    expect(pascalCase('hvac_unit')).toBe('HvacUnit');
    expect(pascalCase('building_Room')).toBe('BuildingRoom');
    // A GraphQL name cannot start with a digit.
    expect(pascalCase('3d_model')).toBe('N3dModel');
    expect(pascalCase('')).toBe('Unnamed');
  });

  it('camelCase lowers the first letter', () => {
    expect(camelCase('Room')).toBe('room');
    expect(camelCase('run_self_test')).toBe('runSelfTest');
  });

  it('plural gives English plurals for root list fields', () => {
    expect(plural('Room')).toBe('rooms');
    expect(plural('Company')).toBe('companies');
    expect(plural('Day')).toBe('days');
    expect(plural('Address')).toBe('addresses');
    expect(plural('Box')).toBe('boxes');
    expect(plural('Switch')).toBe('switches');
    expect(plural('Mesh')).toBe('meshes');
    expect(plural('MeetingRoom')).toBe('meetingRooms');
  });

  it('NameAllocator gives the first taker a name and numbers later ones', () => {
    const names = new NameAllocator();
    expect(names.take('Room')).toBe('Room');
    expect(names.take('Room')).toBe('Room2');
    expect(names.take('Room')).toBe('Room3');
    expect(names.has('Room2')).toBe(true);
    // The core names are taken from the start.
    expect(names.has('Twin')).toBe(true);
    expect(names.take('Twin')).toBe('Twin2');
  });

  it('ModelNamer prefixes path segments for another model and suffixes the version for the same one', () => {
    const namer = new ModelNamer(new NameAllocator());
    expect(namer.base('dtmi:example:Room;1')).toBe('Room');
    expect(namer.base('dtmi:example:building:Room;1')).toBe('BuildingRoom');
    expect(namer.base('dtmi:other:building:Room;1')).toBe('OtherBuildingRoom');
    expect(namer.base('dtmi:example:Room;2')).toBe('RoomV2');
    expect(namer.base('dtmi:example:Room;3')).toBe('RoomV3');
    expect(namer.base('dtmi:example:building:Room;2')).toBe('BuildingRoomV2');
    expect(namer.base('dtmi:Twin;1')).toBe('Twin2');
  });

  it('the reserved names cover the core schema', () => {
    for (const name of [
      'Twin',
      'Model',
      'PageInfo',
      'Query',
      'Mutation',
      'Subscription',
      'Relationship',
      'MetricSeries',
      'JSON',
      'DateTime',
    ])
      expect(CORE_TYPE_NAMES.has(name)).toBe(true);
    for (const name of ['id', 'etag', 'modelId', 'metadata', 'json', 'relationships'])
      expect(CORE_TWIN_FIELDS.has(name)).toBe(true);
  });
});

describe('model names in a compiled schema', () => {
  it('names a model after the last segment of its DTMI, in PascalCase, with its derived types beside it', () => {
    const { schema, info } = compile([
      iface('dtmi:example:building:meetingRoom;1', [property('name', 'string', { writable: true })]),
    ]);
    expect(info.names.get('dtmi:example:building:meetingRoom;1')).toEqual({
      interfaceType: 'MeetingRoom',
      objectType: 'MeetingRoomTwin',
      listField: 'meetingRooms',
    });
    expect(isInterfaceType(schema.getType('MeetingRoom'))).toBe(true);
    expect(isObjectType(schema.getType('MeetingRoomTwin'))).toBe(true);
    for (const name of ['MeetingRoomConnection', 'MeetingRoomEdge'])
      expect(isObjectType(schema.getType(name))).toBe(true);
    for (const name of ['MeetingRoomWhere', 'MeetingRoomOrderBy', 'MeetingRoomCreateInput', 'MeetingRoomUpdateInput'])
      expect(isInputObjectType(schema.getType(name))).toBe(true);
    expect(fieldsOf(schema.getQueryType())).toContain('meetingRooms');
    expect(fieldsOf(schema.getMutationType())).toEqual(
      expect.arrayContaining(['createMeetingRoom', 'updateMeetingRoom']),
    );
  });

  it('gives a later model with the same last segment but another path a prefixed name', () => {
    const { info } = compile([
      iface('dtmi:example:Room;1'),
      iface('dtmi:example:building:Room;1'),
      iface('dtmi:other:building:Room;1'),
    ]);
    expect(info.names.get('dtmi:example:Room;1')?.interfaceType).toBe('Room');
    expect(info.names.get('dtmi:example:building:Room;1')).toEqual({
      interfaceType: 'BuildingRoom',
      objectType: 'BuildingRoomTwin',
      listField: 'buildingRooms',
    });
    expect(info.names.get('dtmi:other:building:Room;1')?.interfaceType).toBe('OtherBuildingRoom');
  });

  it('lets upload order, not the DTMI, decide who keeps a contested name', () => {
    const docs = [iface('dtmi:example:Room;1'), iface('dtmi:example:building:Room;1')];
    const { info } = compile(docs, ['dtmi:example:building:Room;1', 'dtmi:example:Room;1']);
    expect(info.names.get('dtmi:example:building:Room;1')?.interfaceType).toBe('Room');
    expect(info.names.get('dtmi:example:Room;1')?.interfaceType).toBe('ExampleRoom');
  });

  it('gives a later version of a model a version suffix', () => {
    const { schema, info } = compile([
      iface('dtmi:example:Room;1', [property('name', 'string')]),
      iface('dtmi:example:Room;2', [property('name', 'string'), property('floor', 'integer')]),
      iface('dtmi:example:Room;3', [property('name', 'string')]),
    ]);
    expect(info.names.get('dtmi:example:Room;1')).toEqual({
      interfaceType: 'Room',
      objectType: 'RoomTwin',
      listField: 'rooms',
    });
    expect(info.names.get('dtmi:example:Room;2')).toEqual({
      interfaceType: 'RoomV2',
      objectType: 'RoomV2Twin',
      listField: 'roomV2s',
    });
    expect(info.names.get('dtmi:example:Room;3')?.interfaceType).toBe('RoomV3');
    expect(fieldsOf(schema.getType('RoomV2'))).toContain('floor');
    expect(schema.getType('RoomV2')!.description).toContain('dtmi:example:Room;2');
  });

  it('gives a version uploaded alone the plain name', () => {
    const { info } = compile([iface('dtmi:example:Room;2')]);
    expect(info.names.get('dtmi:example:Room;2')?.interfaceType).toBe('Room');
  });

  it('gives the root list fields English plurals', () => {
    const { schema } = compile([
      iface('dtmi:example:Company;1'),
      iface('dtmi:example:Address;1'),
      iface('dtmi:example:Switch;1'),
      iface('dtmi:example:Day;1'),
    ]);
    expect(fieldsOf(schema.getQueryType())).toEqual(
      expect.arrayContaining(['companies', 'addresses', 'switches', 'days']),
    );
  });

  it('numbers a root field whose plural another model already has', () => {
    const { info } = compile([iface('dtmi:example:Bus;1'), iface('dtmi:example:Buse;1')]);
    expect(info.names.get('dtmi:example:Bus;1')?.listField).toBe('buses');
    expect(info.names.get('dtmi:example:Buse;1')?.listField).toBe('buses2');
  });
});

describe('collisions with the core schema', () => {
  const coreNames = [
    'Twin',
    'Model',
    'PageInfo',
    'Query',
    'Mutation',
    'Subscription',
    'Relationship',
    'MetricSeries',
    'Change',
    'TwinConnection',
    'UnmodeledTwin',
    'JSON',
    'DateTime',
    'String',
    'SortDirection',
    'GeoPoint',
  ];

  it.each(coreNames)('a model named %s compiles without taking the core type', (name) => {
    const { schema, info } = compile([
      iface(`dtmi:example:${name};1`, [property('label', 'string', { writable: true })]),
      iface(`dtmi:${name};1`, [property('label', 'string')]),
    ]);
    const prefixed = info.names.get(`dtmi:example:${name};1`)!;
    expect(prefixed.interfaceType).toBe(`Example${name}`);
    // Nothing shorter than the last segment is left for a one-segment DTMI: the name is numbered.
    expect(info.names.get(`dtmi:${name};1`)!.interfaceType).toBe(`${name}2`);
    expect(fieldsOf(schema.getType(prefixed.interfaceType))).toContain('label');
    // The core types are intact.
    expect(fieldsOf(schema.getType('Twin'))).toEqual(expect.arrayContaining(['id', 'etag', 'modelId']));
    expect(fieldsOf(schema.getType('PageInfo'))).toEqual([
      'hasNextPage',
      'hasPreviousPage',
      'startCursor',
      'endCursor',
    ]);
    expect(fieldsOf(schema.getType('Model'))).toContain('contents');
    expect(schema.getQueryType()!.name).toBe('Query');
    expect(fieldsOf(schema.getQueryType())).toEqual(
      expect.arrayContaining(['twin', 'twins', 'models', 'model', 'changes']),
    );
  });

  it('numbers a model mutation that a core mutation has', () => {
    // updateComponent is the core's component patch; a model named Component gets the next free name.
    const { schema } = compile([iface('dtmi:example:Component;1', [property('label', 'string', { writable: true })])]);
    const mutation = schema.getMutationType()!.getFields();
    expect(mutation.updateComponent.args.map((a) => a.name).sort()).toEqual(['component', 'id', 'ifMatch', 'patch']);
    expect(mutation.updateComponent2.args.map((a) => a.name)).toEqual(['id', 'input', 'ifMatch']);
    expect(mutation.createComponent).toBeDefined();
  });

  it('keeps the derived names of an earlier model from a later model named like one of them', () => {
    const { schema, info } = compile([
      iface('dtmi:example:Room;1', [property('name', 'string', { writable: true })]),
      iface('dtmi:example:RoomTwin;1', [property('twinOnly', 'string')]),
      iface('dtmi:example:RoomConnection;1'),
      iface('dtmi:example:RoomWhere;1'),
    ]);
    expect(info.names.get('dtmi:example:Room;1')).toEqual({
      interfaceType: 'Room',
      objectType: 'RoomTwin',
      listField: 'rooms',
    });
    expect(isObjectType(schema.getType('RoomTwin'))).toBe(true);
    expect(fieldsOf(schema.getType('RoomTwin'))).toContain('name');
    expect(fieldsOf(schema.getType('RoomConnection'))).toEqual(['edges', 'nodes', 'pageInfo', 'totalCount']);
    expect(fieldsOf(schema.getType('RoomWhere'))).toContain('name');
    expect(info.names.get('dtmi:example:RoomTwin;1')?.interfaceType).toBe('ExampleRoomTwin');
    expect(fieldsOf(schema.getType('ExampleRoomTwin'))).toContain('twinOnly');
    expect(info.names.get('dtmi:example:RoomConnection;1')?.interfaceType).toBe('ExampleRoomConnection');
    expect(info.names.get('dtmi:example:RoomWhere;1')?.interfaceType).toBe('ExampleRoomWhere');
  });

  it('numbers the derived names of a later model when an earlier model holds them', () => {
    const { info } = compile([iface('dtmi:example:RoomTwin;1'), iface('dtmi:example:Room;1')]);
    expect(info.names.get('dtmi:example:RoomTwin;1')).toEqual({
      interfaceType: 'RoomTwin',
      objectType: 'RoomTwinTwin',
      listField: 'roomTwins',
    });
    expect(info.names.get('dtmi:example:Room;1')).toEqual({
      interfaceType: 'Room',
      objectType: 'RoomTwin2',
      listField: 'rooms',
    });
  });

  it('gives a content named like a core twin field a _ suffix', () => {
    const names = [
      'id',
      'etag',
      'modelId',
      'model',
      'metadata',
      'lastUpdateTime',
      'relationships',
      'incomingRelationships',
      'json',
    ];
    const { schema, info } = compile([
      iface(
        'dtmi:example:Odd;1',
        names.map((n) => property(n, 'string', { writable: true })),
      ),
    ]);
    const fields = (schema.getType('Odd') as GraphQLObjectType).getFields();
    for (const n of names) {
      expect(fields[`${n}_`].type.toString()).toBe('String');
      expect(info.fieldOf('dtmi:example:Odd;1', n)).toBe(`${n}_`);
    }
    expect(fields.id.type.toString()).toBe('ID!');
    expect(fields.json.type.toString()).toBe('JSON!');
    expect(fieldsOf(schema.getType('OddCreateInput'))).toEqual(names.map((n) => `${n}_`));
    expect(fieldsOf(schema.getType('OddUpdateInput'))).toEqual(names.map((n) => `${n}_`));
    const where = (schema.getType('OddWhere') as GraphQLInputObjectType).getFields();
    expect(where.id.type.toString()).toBe('IDFilter');
    expect(where.id_.type.toString()).toBe('StringFilter');
    const order = (schema.getType('OddOrderBy') as GraphQLInputObjectType).getFields();
    expect(order.id.type.toString()).toBe('SortDirection');
    expect(order.id_.type.toString()).toBe('SortDirection');
  });

  it('gives telemetry, relationships and components named like core fields a _ suffix too', () => {
    const { schema } = compile(
      [
        iface('dtmi:example:Odd;1', [
          telemetry('etag', 'double'),
          relationship('relationships', 'dtmi:example:Odd;1'),
          component('json', 'dtmi:example:Part;1'),
        ]),
        iface('dtmi:example:Part;1', [property('metadata', 'string', { writable: true })]),
      ],
      ['dtmi:example:Odd;1'],
    );
    const fields = (schema.getType('Odd') as GraphQLObjectType).getFields();
    expect(fields.etag_.type.toString()).toBe('MetricSeries!');
    expect(fields.relationships_.type.toString()).toBe('OddRelationshipsConnection!');
    expect(fields.relationships.type.toString()).toBe('[Relationship!]!');
    expect(fields.json_.type.toString()).toBe('PartComponent');
    // A component's own $metadata is `metadata`; a property of that name moves aside.
    const part = (schema.getType('PartComponent') as GraphQLObjectType).getFields();
    expect(part.metadata.type.toString()).toBe('JSON');
    expect(part.metadata_.type.toString()).toBe('String');
  });

  it('moves a content named AND, OR or NOT aside in where inputs, where those combine conditions', () => {
    const { schema } = compile([
      iface('dtmi:example:Gate;1', [
        property('AND', 'string'),
        property('OR', 'integer'),
        property('NOT', 'boolean'),
        relationship('feeds', 'dtmi:example:Gate;1', {
          properties: [property('id', 'string'), property('OR', 'integer'), property('name', 'string')],
        }),
      ]),
    ]);
    const where = (schema.getType('GateWhere') as GraphQLInputObjectType).getFields();
    expect(where.AND.type.toString()).toBe('[GateWhere!]');
    expect(where.OR.type.toString()).toBe('[GateWhere!]');
    expect(where.NOT.type.toString()).toBe('GateWhere');
    expect(where.AND_.type.toString()).toBe('StringFilter');
    expect(where.OR_.type.toString()).toBe('IntFilter');
    expect(where.NOT_.type.toString()).toBe('BooleanFilter');
    // The output type keeps the DTDL names.
    expect(fieldsOf(schema.getType('Gate'))).toEqual(expect.arrayContaining(['AND', 'OR', 'NOT']));
    const edge = (schema.getType('GateFeedsRelationshipWhere') as GraphQLInputObjectType).getFields();
    expect(edge.id.type.toString()).toBe('IDFilter');
    expect(edge.id_.type.toString()).toBe('StringFilter');
    expect(edge.OR.type.toString()).toBe('[GateFeedsRelationshipWhere!]');
    expect(edge.OR_.type.toString()).toBe('IntFilter');
    const rel = (schema.getType('GateFeedsRelationship') as GraphQLObjectType).getFields();
    expect(rel.id.type.toString()).toBe('ID!');
    expect(rel.id_.type.toString()).toBe('String');
    expect(rel.name.type.toString()).toBe('String!');
    expect(rel.name_.type.toString()).toBe('String');
  });

  it('renames enum values GraphQL forbids (true, false, null) and keeps their stored values', () => {
    const { schema } = compile([
      iface('dtmi:example:Flag;1', [
        property(
          'state',
          enumOf('integer', [
            ['true', 1],
            ['false', 0],
            ['null', -1],
            ['unknown', 2],
          ]),
        ),
      ]),
    ]);
    const type = schema.getType('FlagState') as GraphQLEnumType;
    expect(isEnumType(type)).toBe(true);
    expect(type.getValues().map((v) => [v.name, v.value])).toEqual([
      ['true_', 1],
      ['false_', 0],
      ['null_', -1],
      ['unknown', 2],
    ]);
  });

  it('keeps one inverse field name for a subtype and the interfaces it implements', () => {
    // Sub has a content named like Base's inverse field: the inverse field moves aside on every type that has it.
    const { schema } = compile([
      iface('dtmi:example:Base;1'),
      iface('dtmi:example:Sub;1', [property('hostsInverse', 'string')], { extends: 'dtmi:example:Base;1' }),
      iface('dtmi:example:Host;1', [relationship('hosts', 'dtmi:example:Base;1')]),
    ]);
    for (const name of ['Base', 'BaseTwin', 'Sub', 'SubTwin'])
      expect((schema.getType(name) as GraphQLObjectType).getFields().hostsInverse2.type.toString()).toBe(
        'TwinConnection!',
      );
    expect((schema.getType('Sub') as GraphQLObjectType).getFields().hostsInverse.type.toString()).toBe('String');
  });
});

describe('names never change when models are added later', () => {
  const ROOM = 'dtmi:example:Room;1';
  const DEVICE = 'dtmi:example:Device;1';
  const FIRMWARE = 'dtmi:example:Firmware;1';
  const setA: Json[] = [
    iface(ROOM, [
      property('name', 'string', { writable: true }),
      property(
        'status',
        enumOf('string', [
          ['free', 'free'],
          ['busy', 'busy'],
        ]),
      ),
      property(
        'address',
        objectOf([
          ['city', 'string'],
          ['zip', 'string'],
        ]),
      ),
      property('tags', mapOf('string')),
      relationship('hosts', DEVICE, {
        properties: [
          property('since', 'date'),
          property(
            'mode',
            enumOf('string', [
              ['fixed', 'fixed'],
              ['mobile', 'mobile'],
            ]),
          ),
        ],
      }),
      relationship('near'),
    ]),
    iface(
      DEVICE,
      [
        property('serial', 'string'),
        telemetry('temperature', 'double'),
        component('firmware', FIRMWARE),
        command('configure', { request: { name: 'settings', schema: objectOf([['mode', 'dtmi:example:Mode;1']]) } }),
      ],
      {
        schemas: [
          {
            '@id': 'dtmi:example:Mode;1',
            '@type': 'Enum',
            valueSchema: 'string',
            enumValues: [
              { name: 'eco', enumValue: 'eco' },
              { name: 'max', enumValue: 'max' },
            ],
          },
        ],
      },
    ),
    iface(FIRMWARE, [property('version', 'string', { writable: true })]),
  ];
  const orderA = [ROOM, DEVICE, FIRMWARE];
  // Models named like A's derived types (its relationship, command and schema types among them), a subtype,
  // a model sharing a last segment, a new version, and one with relationships to A's models.
  const setB: Json[] = [
    iface('dtmi:example:RoomHosts;1', [property('p', 'string')]),
    iface('dtmi:example:RoomHostsEdge;1'),
    iface('dtmi:example:RoomStatus;1', [property('p', 'string')]),
    iface('dtmi:example:RoomAddress;1'),
    iface('dtmi:other:Mode;1', [property('p', 'string')]),
    iface('dtmi:example:DeviceConfigureRequest;1'),
    iface('dtmi:example:FirmwareComponent;1'),
    iface('dtmi:example:RoomTwin;1'),
    iface(
      'dtmi:example:MeetingRoom;1',
      [property('seats', 'integer', { writable: true }), relationship('contains', DEVICE)],
      { extends: ROOM },
    ),
    iface('dtmi:other:Room;1', [property('name', 'string')]),
    iface('dtmi:example:Room;2', [property('name', 'string')]),
    iface('dtmi:example:Gateway;1', [relationship('hosts', DEVICE), relationship('servesRoom', ROOM)]),
  ];

  it('keeps every type, field and argument of the earlier schema (findBreakingChanges is empty)', () => {
    const models = parse([...setA, ...setB]);
    const before = compileModels(parse(setA), orderA);
    const after = compileModels(models, [...orderA, ...setB.map((d) => d['@id'] as string)]);
    expect(findBreakingChanges(before.schema, after.schema)).toEqual([]);
    for (const id of orderA) expect(after.info.names.get(id)).toEqual(before.info.names.get(id));
    for (const id of orderA)
      for (const c of before.models.interfaces.get(id)!.contents.keys())
        expect(after.info.fieldOf(id, c)).toBe(before.info.fieldOf(id, c));
    // The new models are there, under names nobody had.
    expect(after.info.names.get('dtmi:example:RoomHosts;1')?.interfaceType).toBe('RoomHosts');
    expect(after.info.names.get('dtmi:example:RoomHostsEdge;1')?.interfaceType).toBe('ExampleRoomHostsEdge');
    expect(after.info.names.get('dtmi:other:Mode;1')?.interfaceType).toBe('OtherMode');
    expect(after.info.names.get('dtmi:other:Room;1')?.interfaceType).toBe('OtherRoom');
    expect(after.info.names.get('dtmi:example:Room;2')?.interfaceType).toBe('RoomV2');
    expect(after.info.names.get('dtmi:example:MeetingRoom;1')?.interfaceType).toBe('MeetingRoom');
  });

  it('keeps the names when the later models are added one at a time', () => {
    let previous = compileModels(parse(setA), orderA);
    const order = [...orderA];
    const documents = [...setA];
    for (const doc of setB) {
      documents.push(doc);
      order.push(doc['@id'] as string);
      const next = compileModels(parse(documents), order);
      expect({ added: doc['@id'], breaking: findBreakingChanges(previous.schema, next.schema) }).toEqual({
        added: doc['@id'],
        breaking: [],
      });
      previous = next;
    }
  });
});
