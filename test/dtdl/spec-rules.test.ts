/**
 * General rules of the DTDL specification (v2 and v3 language documents, v3 formal specification), one
 * `describe` per rule, each test a sentence of the rule with a valid or an invalid document. Invalid
 * documents assert the reference parser's validation id and the element and property it names; every
 * expectation here was checked against the reference parser's WebAssembly build when it was written.
 */
import { parseModels, type ParseResult } from '../../src/dtdl';
import { GEOSPATIAL_SCHEMAS, METAMODELS, type DtdlVersion } from '../../src/dtdl/metamodel';
import {
  ctx,
  expectErrors,
  expectValid,
  parse as parseDocuments,
  type Json,
  type JsonObject,
} from '../support/dtdl-expect';

const VERSIONS = [2, 3] as const;
const ID = 'dtmi:test:I;1';
/** The id DTDL generates for an inline value: `dtmi:test:I;1` + contents + t → `dtmi:test:I:_contents:__t;1`. */
const generated = (...segments: string[]): string => `dtmi:test:I:${segments.join(':')};1`;

function iface(v: DtdlVersion, contents: Json[], extra: JsonObject = {}): JsonObject {
  return { '@context': ctx(v), '@id': ID, '@type': 'Interface', contents, ...extra };
}

function empty(v: DtdlVersion, id: string): JsonObject {
  return { '@context': ctx(v), '@id': id, '@type': 'Interface' };
}

const parse = (...documents: Json[]): ParseResult => parseDocuments(documents);

/** A document in which every concrete class appears, each element with every property its class has. */
function everyProperty(v: DtdlVersion): JsonObject[] {
  const notes = (what: string): JsonObject => ({
    comment: `${what} comment`,
    description: `${what} description`,
    displayName: what,
  });
  const payload = (kind: string, name: string): JsonObject => ({
    '@type': v === 2 ? 'CommandPayload' : kind,
    name,
    schema: 'integer',
    ...notes(name),
  });
  return [
    {
      '@context': ctx(v),
      '@id': 'dtmi:example:Every;1',
      '@type': 'Interface',
      ...notes('Every'),
      extends: 'dtmi:example:Base;1',
      schemas: [
        {
          '@id': 'dtmi:example:Point2;1',
          '@type': 'Object',
          ...notes('Point2'),
          fields: [{ '@type': 'Field', name: 'x', schema: 'double', ...notes('x') }],
        },
      ],
      contents: [
        { '@type': 'Telemetry', name: 'temperature', schema: 'double', ...notes('temperature') },
        {
          '@type': 'Telemetry',
          name: 'samples',
          ...notes('samples'),
          schema: { '@type': 'Array', elementSchema: 'float', ...notes('samples') },
        },
        {
          '@type': 'Property',
          name: 'settings',
          writable: true,
          ...notes('settings'),
          schema: {
            '@type': 'Object',
            ...notes('settingsObject'),
            fields: [
              {
                '@type': 'Field',
                name: 'mode',
                ...notes('mode'),
                schema: {
                  '@type': 'Enum',
                  valueSchema: 'string',
                  ...notes('modeEnum'),
                  enumValues: [{ '@type': 'EnumValue', name: 'on', enumValue: 'on', ...notes('on') }],
                },
              },
              {
                '@type': 'Field',
                name: 'tags',
                ...notes('tags'),
                schema: {
                  '@type': 'Map',
                  ...notes('tagsMap'),
                  mapKey: { '@type': 'MapKey', name: 'key', schema: 'string', ...notes('key') },
                  mapValue: { '@type': 'MapValue', name: 'value', schema: 'integer', ...notes('value') },
                },
              },
              { '@type': 'Field', name: 'origin', schema: 'dtmi:example:Point2;1', ...notes('origin') },
            ],
          },
        },
        {
          '@type': 'Relationship',
          name: 'feeds',
          target: 'dtmi:example:Other;1',
          minMultiplicity: 0,
          maxMultiplicity: 3,
          writable: true,
          ...notes('feeds'),
          properties: [{ '@type': 'Property', name: 'since', schema: 'date', writable: false, ...notes('since') }],
        },
        {
          '@type': 'Command',
          name: 'reset',
          commandType: 'synchronous',
          ...notes('reset'),
          request: payload('CommandRequest', 'delay'),
          response: payload('CommandResponse', 'code'),
        },
        { '@type': 'Component', name: 'part', schema: 'dtmi:example:Part;1', ...notes('part') },
      ],
    },
    empty(v, 'dtmi:example:Base;1'),
    empty(v, 'dtmi:example:Part;1'),
  ];
}

/** Every element object of a JSON value with its path and its (first) @type. */
function elementsOf(value: Json, path: (string | number)[] = []): { path: (string | number)[]; type: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => elementsOf(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  const own = typeof value['@type'] === 'string' ? [{ path, type: value['@type'] }] : [];
  return [...own, ...Object.entries(value).flatMap(([k, v]) => elementsOf(v, [...path, k]))];
}

/** A copy of `docs` with one member of the object at `path` renamed, in place (member order kept). */
function renameMember(docs: Json, path: (string | number)[], from: string, to: string): Json {
  const copy = JSON.parse(JSON.stringify(docs)) as Json;
  let node = copy as JsonObject;
  for (const key of path) node = (node as unknown as Record<string | number, JsonObject>)[key];
  const entries = Object.entries(node).map(([k, v]): [string, Json] => [k === from ? to : k, v]);
  for (const k of Object.keys(node)) delete node[k];
  for (const [k, v] of entries) node[k] = v;
  return copy;
}

/** The resolved interfaces of a result as plain JSON, to compare two ways of writing one model. */
function modelOf(result: ParseResult): unknown {
  const interfaces = [...result.models.interfaces.values()];
  return JSON.parse(JSON.stringify(interfaces, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));
}

describe('DTDL rule: a type listed twice is one type', () => {
  // JSON-LD expands each @type value to an IRI and @type is a set; the v3 spec says a class "SHOULD NOT"
  // be repeated, a recommendation, so the element is valid and has that one type.
  const payloadType = (v: DtdlVersion, kind: string): string => (v === 2 ? 'CommandPayload' : kind);
  /** One element of each class, with its @type replaced by `twice(type)`; and where it sits. */
  const cases = (v: DtdlVersion, twice: (type: string) => Json): [string, Json[]][] => [
    ['Interface', [{ ...iface(v, []), '@type': twice('Interface') }]],
    ['Telemetry', [iface(v, [{ '@type': twice('Telemetry'), name: 't', schema: 'double' }])]],
    ['Property', [iface(v, [{ '@type': twice('Property'), name: 'p', schema: 'double' }])]],
    ['Relationship', [iface(v, [{ '@type': twice('Relationship'), name: 'r' }])]],
    [
      'Component',
      [iface(v, [{ '@type': twice('Component'), name: 'c', schema: 'dtmi:test:J;1' }]), empty(v, 'dtmi:test:J;1')],
    ],
    ['Command', [iface(v, [{ '@type': twice('Command'), name: 'c' }])]],
    [
      payloadType(v, 'CommandRequest'),
      [
        iface(v, [
          {
            '@type': 'Command',
            name: 'c',
            request: { '@type': twice(payloadType(v, 'CommandRequest')), name: 'x', schema: 'double' },
          },
        ]),
      ],
    ],
    [
      payloadType(v, 'CommandResponse'),
      [
        iface(v, [
          {
            '@type': 'Command',
            name: 'c',
            response: { '@type': twice(payloadType(v, 'CommandResponse')), name: 'x', schema: 'double' },
          },
        ]),
      ],
    ],
    [
      'Array',
      [iface(v, [{ '@type': 'Telemetry', name: 't', schema: { '@type': twice('Array'), elementSchema: 'double' } }])],
    ],
    [
      'Enum and EnumValue',
      [
        iface(v, [
          {
            '@type': 'Property',
            name: 'p',
            schema: {
              '@type': twice('Enum'),
              valueSchema: 'integer',
              enumValues: [{ '@type': twice('EnumValue'), name: 'a', enumValue: 1 }],
            },
          },
        ]),
      ],
    ],
    [
      'Map, MapKey and MapValue',
      [
        iface(v, [
          {
            '@type': 'Property',
            name: 'p',
            schema: {
              '@type': twice('Map'),
              mapKey: { '@type': twice('MapKey'), name: 'k', schema: 'string' },
              mapValue: { '@type': twice('MapValue'), name: 'v', schema: 'double' },
            },
          },
        ]),
      ],
    ],
    [
      'Object and Field',
      [
        iface(v, [
          {
            '@type': 'Property',
            name: 'p',
            schema: { '@type': twice('Object'), fields: [{ '@type': twice('Field'), name: 'f', schema: 'double' }] },
          },
        ]),
      ],
    ],
  ];

  describe.each(VERSIONS)('DTDL v%d', (v) => {
    it.each(cases(v, (t) => [t, t]))('%s listed twice is valid', (_class, docs) => {
      expectValid(parse(...docs));
    });

    it.each(cases(v, (t) => [t, `dtmi:dtdl:class:${t};${v}`]))(
      '%s beside its own full DTMI is valid',
      (_class, docs) => {
        expectValid(parse(...docs));
      },
    );

    it('gives the element that one type', () => {
      const result = parse(
        iface(v, [
          { '@type': ['Telemetry', `dtmi:dtdl:class:Telemetry;${v}`, 'Telemetry'], name: 't', schema: 'double' },
        ]),
      );
      expectValid(result);
      expect(result.models.interfaces.get(ID)?.contents.get('t')?.kind).toBe('Telemetry');
    });

    it('two different classes are still two material types (multipleMaterialTypes)', () => {
      expectErrors(
        parse(iface(v, [{ '@type': ['Telemetry', 'Property', 'Telemetry'], name: 't', schema: 'double' }])),
        [{ id: 'multipleMaterialTypes', primaryId: generated('_contents', '__t') }],
      );
    });

    it("the other language version's class is the wrong type where it stands (badType)", () => {
      const other = `dtmi:dtdl:class:Telemetry;${5 - v}`;
      expectErrors(parse(iface(v, [{ '@type': ['Telemetry', other], name: 't', schema: 'double' }])), [
        {
          id: 'badType',
          primaryId: ID,
          secondaryId: generated('_contents', '__t'),
          property: 'contents',
          value: other,
        },
      ]);
    });
  });

  it.each<[DtdlVersion, Json, string]>([
    [2, ctx(2), 'dtmi:standard:class:Temperature;2'],
    [
      3,
      [ctx(3), 'dtmi:dtdl:extension:quantitativeTypes;1'],
      'dtmi:dtdl:extension:quantitativeTypes:v1:class:Temperature',
    ],
  ])('v%d: a co-type listed twice is one co-type', (v, context, iri) => {
    const telemetry = {
      '@type': ['Telemetry', 'Temperature', iri],
      name: 't',
      schema: 'double',
      unit: 'degreeCelsius',
    };
    const result = parse({ ...iface(v, [telemetry]), '@context': context });
    expectValid(result);
    expect(result.models.interfaces.get(ID)?.contents.get('t')?.supplementalTypes).toEqual(['Temperature']);
  });
});

describe('DTDL rule: a property may be written as its full IRI', () => {
  describe.each(VERSIONS)('DTDL v%d', (v) => {
    const docs = everyProperty(v);
    const variants = elementsOf(docs).flatMap(({ path, type }) => {
      let node = docs as unknown as JsonObject;
      for (const key of path) node = (node as unknown as Record<string | number, JsonObject>)[key];
      return Object.keys(node)
        .filter((k) => !k.startsWith('@'))
        .map((property) => ({ type, property, path }));
    });

    it('the test document uses every property of every class of the metamodel', () => {
      const covered = new Set(variants.map((x) => `${x.type}.${x.property}`));
      const required = [...METAMODELS[v].classes.values()]
        .filter((c) => !c.abstract)
        .flatMap((c) => [...c.properties.keys()].map((p) => `${c.name}.${p}`));
      expect(required.filter((r) => !covered.has(r))).toEqual([]);
    });

    it.each(variants.map((x) => [`${x.type}.${x.property}`, x.path.join('.'), x]))(
      '%s as dtmi:dtdl:property:…;' + v + ' (at %s) is the same model',
      (_name, _path, { path, property }) => {
        const base = parse(...docs);
        expectValid(base);
        const renamed = renameMember(docs, path, property, `dtmi:dtdl:property:${property};${v}`) as Json[];
        const result = parse(...renamed);
        expectValid(result);
        expect(modelOf(result)).toEqual(modelOf(base));
      },
    );

    it('a name written as its IRI names the element and its generated id', () => {
      const result = parse(
        iface(v, [{ '@type': 'Telemetry', [`dtmi:dtdl:property:name;${v}`]: 't', schema: 'double' }]),
      );
      expectValid(result);
      expect(result.models.interfaces.get(ID)?.contents.get('t')?.id).toBe(generated('_contents', '__t'));
    });

    it('a property given both as its term and as its IRI is given twice (duplicatePropertyName)', () => {
      expectErrors(
        parse(iface(v, [{ '@type': 'Telemetry', name: 't', [`dtmi:dtdl:property:name;${v}`]: 't', schema: 'double' }])),
        [{ id: 'duplicatePropertyName', primaryId: generated('_contents', '__t'), property: 'name' }],
      );
    });

    it("the other language version's IRI is not the property", () => {
      const other = `dtmi:dtdl:property:name;${5 - v}`;
      expectErrors(parse(iface(v, [{ '@type': 'Telemetry', [other]: 't', schema: 'double' }])), [
        v === 2
          ? { id: 'noTypeThatAllows', primaryId: generated('_contents', '__t'), property: other }
          : { id: 'propertyIrrelevantDtmiOrTerm', primaryId: generated('_contents', '__t'), property: other },
        { id: 'missingLiteralProperty', primaryId: generated('_contents', '__t'), property: 'name' },
      ]);
    });

    it('an Interface typed by its IRI still has at most 128 characters in its @id (idTooLongForType)', () => {
      const long = `dtmi:test:${'a'.repeat(130)};1`;
      expectErrors(parse({ '@context': ctx(v), '@id': long, '@type': `dtmi:dtdl:class:Interface;${v}` }), [
        { id: 'idTooLongForType', value: long },
      ]);
    });
  });
});

describe('DTDL rule: a DTMI segment starting with an underscore is reserved', () => {
  // Such segments belong to the identifiers the parser generates (dtmi:x:I:_contents:__t;1); "DTDL models
  // permit only" user DTMIs (v3 §DTMI), wherever a model writes one.
  const reserved = 'dtmi:test:_x;1';

  describe.each(VERSIONS)('DTDL v%d', (v) => {
    it('as an @id (invalidId)', () => {
      expectErrors(parse({ ...empty(v, 'dtmi:test:_invalidUserId;1') }), [
        { id: 'invalidId', value: 'dtmi:test:_invalidUserId;1' },
      ]);
    });

    it('as the @id of a nested element (invalidId)', () => {
      expectErrors(parse(iface(v, [{ '@id': reserved, '@type': 'Telemetry', name: 't', schema: 'double' }])), [
        { id: 'invalidId', value: reserved },
      ]);
    });

    it('as a Relationship target (identifierNotDtmi)', () => {
      const r = generated('_contents', '__r');
      expectErrors(parse(iface(v, [{ '@type': 'Relationship', name: 'r', target: reserved }])), [
        { id: 'identifierNotDtmi', primaryId: r, property: 'target', value: reserved },
      ]);
    });

    it('as an extends, even when an interface has that @id (badDtmiOrTerm)', () => {
      expectErrors(parse(iface(v, [], { extends: reserved })), [
        { id: 'badDtmiOrTerm', primaryId: ID, property: 'extends', value: reserved },
      ]);
      expectErrors(parse(iface(v, [], { extends: reserved }), empty(v, reserved)), [
        { id: 'badDtmiOrTerm', primaryId: ID, property: 'extends', value: reserved },
        { id: 'invalidId', value: reserved },
      ]);
    });

    it.each<[string, (v: DtdlVersion) => Json, string, string]>([
      ['a Property schema', () => ({ '@type': 'Property', name: 'p', schema: reserved }), '_contents:__p', 'schema'],
      ['a Component schema', () => ({ '@type': 'Component', name: 'c', schema: reserved }), '_contents:__c', 'schema'],
      [
        'an Array elementSchema',
        () => ({ '@type': 'Telemetry', name: 't', schema: { '@type': 'Array', elementSchema: reserved } }),
        '_contents:__t:_schema',
        'elementSchema',
      ],
      [
        'a Field schema',
        () => ({
          '@type': 'Telemetry',
          name: 't',
          schema: { '@type': 'Object', fields: [{ name: 'f', schema: reserved }] },
        }),
        '_contents:__t:_schema:_fields:__f',
        'schema',
      ],
      [
        'an Enum valueSchema',
        () => ({
          '@type': 'Property',
          name: 'p',
          schema: { '@type': 'Enum', valueSchema: reserved, enumValues: [{ name: 'a', enumValue: 1 }] },
        }),
        '_contents:__p:_schema',
        'valueSchema',
      ],
    ])('as %s, a required reference (badDtmiOrTerm, objectCountBelowMin)', (_what, content, at, property) => {
      const primaryId = generated(...at.split(':'));
      expectErrors(parse(iface(v, [content(v)])), [
        { id: 'badDtmiOrTerm', primaryId, property, value: reserved },
        { id: 'objectCountBelowMin', primaryId, property },
      ]);
    });

    it('as a contents reference or a Command request (badDtmiOrTerm)', () => {
      expectErrors(parse(iface(v, [reserved])), [
        { id: 'badDtmiOrTerm', primaryId: ID, property: 'contents', value: reserved },
      ]);
      expectErrors(parse(iface(v, [{ '@type': 'Command', name: 'c', request: reserved }])), [
        { id: 'badDtmiOrTerm', primaryId: generated('_contents', '__c'), property: 'request', value: reserved },
      ]);
    });

    it('so an element is never referred to by its generated id (badDtmiOrTerm)', () => {
      const schemaId = generated('_contents', '__t', '_schema');
      expectErrors(
        parse(
          iface(v, [
            {
              '@type': 'Telemetry',
              name: 't',
              schema: { '@type': 'Object', fields: [{ name: 'f', schema: 'double' }] },
            },
            { '@type': 'Telemetry', name: 'u', schema: schemaId },
          ]),
        ),
        [
          { id: 'badDtmiOrTerm', primaryId: generated('_contents', '__u'), property: 'schema', value: schemaId },
          { id: 'objectCountBelowMin', primaryId: generated('_contents', '__u'), property: 'schema' },
        ],
      );
    });

    it('as a context (invalidContextSpecifierForVersion)', () => {
      expectErrors(parse({ ...empty(v, ID), '@context': [ctx(v), 'dtmi:test:_ext;1'] }), [
        { id: 'invalidContextSpecifierForVersion', value: 'dtmi:test:_ext;1' },
      ]);
    });

    it('as a co-type (typeInvalidDtmi)', () => {
      expectErrors(parse(iface(v, [{ '@type': ['Telemetry', 'dtmi:test:_Foo;1'], name: 't', schema: 'double' }])), [
        { id: 'typeInvalidDtmi', primaryId: generated('_contents', '__t'), value: 'dtmi:test:_Foo;1' },
      ]);
    });

    it('as a property name (v3: propertyInvalidDtmi; v2, which ignores undefined extensions: noTypeThatAllows)', () => {
      const primaryId = generated('_contents', '__t');
      expectErrors(parse(iface(v, [{ '@type': 'Telemetry', name: 't', schema: 'double', 'dtmi:test:_foo;1': 1 }])), [
        { id: v === 2 ? 'noTypeThatAllows' : 'propertyInvalidDtmi', primaryId, property: 'dtmi:test:_foo;1' },
      ]);
    });

    it('a segment that only contains an underscore is not reserved', () => {
      expectValid(
        parse(
          iface(v, [{ '@type': 'Relationship', name: 'r', target: 'dtmi:test:a_b;1' }], {
            extends: 'dtmi:test:x_y:b_c;1',
          }),
          empty(v, 'dtmi:test:x_y:b_c;1'),
        ),
      );
    });
  });
});

describe('DTDL rule: in v2, geospatial schemas are for Telemetry and Commands, not Properties', () => {
  // The v2 language document defines the six geospatial schemas (dtmi:standard:schema:geospatial:point;2 …)
  // and says: "Because GeoJSON is array-based … and DTDL v2 does not support Array in a Property schema,
  // geospatial types cannot be used in Property schemas, but can be used in Telemetry and Command schemas."
  // The reference parser reports the Array holding the coordinates (a point's is `position`).
  const coordinates: Record<string, string> = {
    point: 'position',
    multiPoint: 'positionArray',
    lineString: 'lineStringCoordinateArray',
    multiLineString: 'lineStringCoordinateArrayArray',
    polygon: 'polygonCoordinateArray',
    multiPolygon: 'polygonCoordinateArrayArray',
  };
  const array = (g: string): string => `dtmi:standard:schema:geospatial:${coordinates[g]};2`;

  it.each(GEOSPATIAL_SCHEMAS)('a v2 Telemetry may be a %s', (g) => {
    expectValid(parse(iface(2, [{ '@type': 'Telemetry', name: 't', schema: g }])));
  });

  it.each(GEOSPATIAL_SCHEMAS)('a v2 Property may not be a %s (excludedType)', (g) => {
    expectErrors(parse(iface(2, [{ '@type': 'Property', name: 'p', schema: g }])), [
      { id: 'excludedType', primaryId: generated('_contents', '__p'), secondaryId: array(g), property: "'schema'" },
    ]);
  });

  it.each(GEOSPATIAL_SCHEMAS)('a v3 Property may be a %s', (g) => {
    expectValid(parse(iface(3, [{ '@type': 'Property', name: 'p', schema: g }])));
  });

  it('a v2 Command request, and a v2 Telemetry Object field or Map value, may be geospatial', () => {
    expectValid(
      parse(
        iface(2, [
          {
            '@type': 'Command',
            name: 'c',
            request: { name: 'r', schema: 'point' },
            response: { name: 's', schema: 'polygon' },
          },
          {
            '@type': 'Telemetry',
            name: 't',
            schema: { '@type': 'Object', fields: [{ name: 'f', schema: 'lineString' }] },
          },
          {
            '@type': 'Telemetry',
            name: 'm',
            schema: {
              '@type': 'Map',
              mapKey: { name: 'k', schema: 'string' },
              mapValue: { name: 'v', schema: 'multiPoint' },
            },
          },
        ]),
      ),
    );
  });

  it('nor anywhere in a v2 Property schema: an Object field, a Map value, a schema referenced by DTMI', () => {
    const p = generated('_contents', '__p');
    const position = array('point');
    expectErrors(
      parse(
        iface(2, [
          { '@type': 'Property', name: 'p', schema: { '@type': 'Object', fields: [{ name: 'f', schema: 'point' }] } },
        ]),
      ),
      [{ id: 'excludedType', primaryId: p, secondaryId: position, property: "'schema'" }],
    );
    expectErrors(
      parse(
        iface(2, [
          {
            '@type': 'Property',
            name: 'p',
            schema: {
              '@type': 'Map',
              mapKey: { name: 'k', schema: 'string' },
              mapValue: { name: 'v', schema: 'polygon' },
            },
          },
        ]),
      ),
      [{ id: 'excludedType', primaryId: p, secondaryId: array('polygon'), property: "'schema'" }],
    );
    expectErrors(
      parse(
        iface(2, [{ '@type': 'Property', name: 'p', schema: 'dtmi:test:O;1' }], {
          schemas: [{ '@id': 'dtmi:test:O;1', '@type': 'Object', fields: [{ name: 'f', schema: 'point' }] }],
        }),
      ),
      [{ id: 'excludedType', primaryId: p, secondaryId: position, property: "'schema'" }],
    );
  });

  it('nor as its full IRI, nor in a v2 Relationship property', () => {
    expectErrors(
      parse(iface(2, [{ '@type': 'Property', name: 'p', schema: 'dtmi:standard:schema:geospatial:point;2' }])),
      [
        {
          id: 'excludedType',
          primaryId: generated('_contents', '__p'),
          secondaryId: array('point'),
          property: "'schema'",
        },
      ],
    );
    expectErrors(
      parse(
        iface(2, [
          {
            '@type': 'Relationship',
            name: 'r',
            properties: [{ '@type': 'Property', name: 'p', schema: 'multiPoint' }],
          },
        ]),
      ),
      [
        {
          id: 'excludedType',
          primaryId: generated('_contents', '__r', '_properties', '__p'),
          secondaryId: array('multiPoint'),
          property: "'schema'",
        },
      ],
    );
  });

  it('a v2 Property inherited through extends is invalid where it is defined', () => {
    expectErrors(
      parse(iface(2, [], { extends: 'dtmi:test:B;1' }), {
        ...empty(2, 'dtmi:test:B;1'),
        contents: [{ '@type': 'Property', name: 'loc', schema: 'point' }],
      }),
      [
        {
          id: 'excludedType',
          primaryId: 'dtmi:test:B:_contents:__loc;1',
          secondaryId: array('point'),
          property: "'schema'",
        },
      ],
    );
  });

  it('a v2 Property inside a v3 Interface is still a v2 Property', () => {
    expectErrors(parse(iface(3, [{ '@context': ctx(2), '@type': 'Property', name: 'p', schema: 'point' }])), [
      {
        id: 'excludedType',
        primaryId: generated('_contents', '__p'),
        secondaryId: array('point'),
        property: "'schema'",
      },
    ]);
  });

  it('the first Array in a Property schema is the one named, geospatial or not', () => {
    const fields = [
      { name: 'f', schema: 'point' },
      { name: 'a', schema: { '@type': 'Array', elementSchema: 'double' } },
    ];
    expectErrors(parse(iface(2, [{ '@type': 'Property', name: 'p', schema: { '@type': 'Object', fields } }])), [
      { id: 'excludedType', primaryId: generated('_contents', '__p'), secondaryId: array('point') },
    ]);
    expectErrors(
      parse(
        iface(2, [{ '@type': 'Property', name: 'p', schema: { '@type': 'Object', fields: [...fields].reverse() } }]),
      ),
      [{ id: 'excludedType', secondaryId: generated('_contents', '__p', '_schema', '_fields', '__a', '_schema') }],
    );
  });
});

describe('DTDL rule: names are unique in every collection that requires it', () => {
  describe.each(VERSIONS)('DTDL v%d', (v) => {
    const object = generated('_contents', '__t', '_schema');
    const relationship = generated('_contents', '__r');

    it("among an Object's fields (nonUniquePropertyValue)", () => {
      const fields = [
        { name: 'f', schema: 'double' },
        { name: 'f', schema: 'string' },
      ];
      expectErrors(parse(iface(v, [{ '@type': 'Telemetry', name: 't', schema: { '@type': 'Object', fields } }])), [
        { id: 'nonUniquePropertyValue', primaryId: object, property: 'fields', value: 'f' },
      ]);
    });

    it("among an Object's fields that have their own @id", () => {
      const fields = [
        { '@id': 'dtmi:test:f1;1', name: 'f', schema: 'double' },
        { '@id': 'dtmi:test:f2;1', name: 'f', schema: 'string' },
      ];
      expectErrors(parse(iface(v, [{ '@type': 'Telemetry', name: 't', schema: { '@type': 'Object', fields } }])), [
        { id: 'nonUniquePropertyValue', primaryId: object, property: 'fields', value: 'f' },
      ]);
    });

    it("among a Relationship's properties (nonUniquePropertyValue)", () => {
      const properties = [
        { '@type': 'Property', name: 'p', schema: 'double' },
        { '@type': 'Property', name: 'p', schema: 'string' },
      ];
      expectErrors(parse(iface(v, [{ '@type': 'Relationship', name: 'r', properties }])), [
        { id: 'nonUniquePropertyValue', primaryId: relationship, property: 'properties', value: 'p' },
      ]);
    });

    it("among an Enum's values, reported by name", () => {
      const enumValues = [
        { name: 'a', enumValue: 1 },
        { name: 'a', enumValue: 2 },
      ];
      expectErrors(
        parse(
          iface(v, [
            { '@type': 'Telemetry', name: 't', schema: { '@type': 'Enum', valueSchema: 'integer', enumValues } },
          ]),
        ),
        [{ id: 'nonUniquePropertyValue', primaryId: object, property: 'enumValues', value: 'a' }],
      );
    });

    it("among an Interface's contents", () => {
      expectErrors(
        parse(
          iface(v, [
            { '@type': 'Telemetry', name: 't', schema: 'double' },
            { '@type': 'Property', name: 't', schema: 'double' },
          ]),
        ),
        [{ id: 'nonUniquePropertyValue', primaryId: ID, property: 'contents', value: 't' }],
      );
    });

    it('the same name in two collections is no clash; nor are a request and a response, or a map key and value', () => {
      expectValid(
        parse(
          iface(v, [
            {
              '@type': 'Telemetry',
              name: 'f',
              schema: { '@type': 'Object', fields: [{ name: 'f', schema: 'double' }] },
            },
            {
              '@type': 'Telemetry',
              name: 'g',
              schema: { '@type': 'Object', fields: [{ name: 'f', schema: 'double' }] },
            },
            { '@type': 'Relationship', name: 'r', properties: [{ '@type': 'Property', name: 'f', schema: 'double' }] },
            {
              '@type': 'Command',
              name: 'c',
              request: { name: 'x', schema: 'double' },
              response: { name: 'x', schema: 'double' },
            },
            {
              '@type': 'Telemetry',
              name: 'm',
              schema: {
                '@type': 'Map',
                mapKey: { name: 'k', schema: 'string' },
                mapValue: { name: 'k', schema: 'double' },
              },
            },
          ]),
        ),
      );
    });
  });

  describe('among the members of a JSON object ("Each member in an object MUST have a name that is unique")', () => {
    const text = (v: DtdlVersion, body: string): string =>
      `{"@context": "dtmi:dtdl:context;${v}", "@id": "${ID}", "@type": "Interface", ${body}}`;
    const parseText = (t: string): ParseResult => parseModels([t], { allowUndefinedExtensions: 'priorToV3' });

    it.each(VERSIONS)('v%d: a property written twice is duplicatePropertyName on its element', (v) => {
      const source = text(
        v,
        '"contents": [{"@type": "Property", "name": "p", "schema": "double", "schema": "double"}]',
      );
      const result = parseText(source);
      expectErrors(result, [
        { id: 'duplicatePropertyName', primaryId: generated('_contents', '__p'), property: 'schema' },
      ]);
      expect(result.errors[0]).toMatchObject({ line: 1, column: source.indexOf('"schema"') + 1 });
    });

    it.each(VERSIONS)('v%d: a language written twice in a language map is langStringCodeNotUnique', (v) => {
      expectErrors(parseText(text(v, '"description": {"en": "a", "de": "b", "en": "c"}')), [
        { id: 'langStringCodeNotUnique', primaryId: ID, property: 'description', value: 'en' },
      ]);
    });

    it.each<[string, string, string]>([
      [
        '@type',
        'repeatedTypeProperty',
        '"contents": [{"@type": "Property", "@type": "Property", "name": "p", "schema": "double"}]',
      ],
      [
        '@id',
        'repeatedIdProperty',
        '"contents": [{"@id": "dtmi:test:p;1", "@id": "dtmi:test:p;1", "@type": "Property", "name": "p", "schema": "double"}]',
      ],
      [
        '@context',
        'repeatedContextProperty',
        '"contents": [{"@context": "dtmi:dtdl:context;3", "@context": "dtmi:dtdl:context;3", "@type": "Property", "name": "p", "schema": "double"}]',
      ],
      [
        '@value',
        'repeatedValueProperty',
        '"contents": [{"@type": "Property", "name": "p", "schema": "double", "writable": {"@value": true, "@value": false}}]',
      ],
      [
        '@language',
        'repeatedLanguageProperty',
        '"displayName": [{"@value": "a", "@language": "en", "@language": "en"}]',
      ],
      ['@graph', 'repeatedGraphProperty', '"contents": [{"@graph": [], "@graph": []}]'],
    ])('a keyword (%s) written twice leaves the document unread, as invalid JSON (%s)', (keyword, id, body) => {
      expectErrors(parseText(text(3, `${body}, "extends": "dtmi:test:Undefined;1"`)), [{ id, property: keyword }]);
    });

    it('a large valid document with no repeated names is read as before', () => {
      const result = parseModels(everyProperty(3).map((d) => JSON.stringify(d, null, 2)));
      expectValid(result);
    });
  });
});

describe('DTDL rule: the DTDL context comes first in @context', () => {
  // v2 §Context: "the DTDL context must always be first in the ordered list of context specifiers, with
  // any other contexts listed subsequently"; v3 §Context likewise.
  const telemetry = { '@type': 'Telemetry', name: 't', schema: 'double' };

  it.each(VERSIONS)('v%d: the DTDL context alone, or first before extensions, is valid', (v) => {
    expectValid(parse({ ...empty(v, ID), '@context': [ctx(v)] }));
    const extension = v === 2 ? 'dtmi:test:extension;1' : 'dtmi:dtdl:extension:historization;1';
    expectValid(parse({ ...empty(v, ID), '@context': [ctx(v), extension] }));
  });

  it.each(['dtmi:test:extension;1', 'dtmi:dtdl:extension:historization;1', 'dtmi:dtdl:extension:quantitativeTypes;1'])(
    'v2: %s before the DTDL context of a top-level element is missingDtdlContext',
    (extension) => {
      expectErrors(parse({ ...empty(2, ID), '@context': [extension, ctx(2)] }), [{ id: 'missingDtdlContext' }]);
    },
  );

  it('v2: an extension before the DTDL context of a nested element is dtdlContextFollowsAffiliate', () => {
    expectErrors(parse(iface(2, [{ ...telemetry, '@context': ['dtmi:test:extension;1', ctx(2)] }])), [
      { id: 'dtdlContextFollowsAffiliate', value: ctx(2) },
    ]);
  });

  it("v2: IoT Central's context may stand before it, as the reference parser allows (DtdlContextNotFirstV2)", () => {
    expectValid(parse({ ...empty(2, ID), '@context': ['dtmi:iotcentral:context;2', ctx(2)] }));
    expectValid(parse(iface(2, [{ ...telemetry, '@context': ['dtmi:iotcentral:context;2', ctx(2)] }])));
    expectErrors(
      parse({ ...empty(2, ID), '@context': ['dtmi:iotcentral:context;2', 'dtmi:test:extension;1', ctx(2)] }),
      [{ id: 'missingDtdlContext' }],
    );
  });

  it('v3: an extension before the DTDL context is missingDtdlContext at the top, dtdlContextFollowsAffiliate below', () => {
    expectErrors(parse({ ...empty(3, ID), '@context': ['dtmi:dtdl:extension:historization;1', ctx(3)] }), [
      { id: 'missingDtdlContext' },
    ]);
    expectErrors(parse(iface(3, [{ ...telemetry, '@context': ['dtmi:dtdl:extension:historization;1', ctx(3)] }])), [
      { id: 'dtdlContextFollowsAffiliate', value: ctx(3) },
    ]);
  });

  it('an undefined extension read before the DTDL context is judged in the enclosing v3 element (unresolvableContextSpecifier)', () => {
    for (const v of VERSIONS)
      expectErrors(parse(iface(3, [{ ...telemetry, '@context': ['dtmi:test:extension;1', ctx(v)] }])), [
        { id: 'unresolvableContextSpecifier', value: 'dtmi:test:extension;1' },
      ]);
  });
});
