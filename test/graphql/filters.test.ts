/**
 * From GraphQL filter inputs to the store's query representation: the per-field operator objects, the
 * combinators, and the generated `<Model>Where` inputs as a client writes them.
 */
import { graphql, type GraphQLSchema } from 'graphql';
import { allOf, logicalConditions, scalarConditions } from '../../src/graphql/generate/filters';
import { TwingraphError } from '../../src/errors';
import type { Filter, Page } from '../../src/store/query';
import type { Twin } from '../../src/store/types';
import { compile, component, enumOf, iface, objectOf, property, relationship } from './fixtures';

describe('scalarConditions', () => {
  it('turns each comparison operator into one condition on the path', () => {
    const ops = { eq: 1, ne: 2, lt: 3, lte: 4, gt: 5, gte: 6, contains: 'a', startsWith: 'b', endsWith: 'c' };
    expect(scalarConditions(['temperature'], ops)).toEqual(
      Object.entries(ops).map(([op, value]) => ({ path: ['temperature'], op, value })),
    );
  });

  it('turns in and notIn into value lists, and exists into a presence test', () => {
    expect(scalarConditions(['address', 'city'], { in: ['Oslo', 'Bergen'], notIn: ['Tromsø'], exists: true })).toEqual([
      { path: ['address', 'city'], op: 'in', values: ['Oslo', 'Bergen'] },
      { path: ['address', 'city'], op: 'notIn', values: ['Tromsø'] },
      { path: ['address', 'city'], op: 'exists', value: true },
    ]);
    expect(scalarConditions(['x'], { exists: false })).toEqual([{ path: ['x'], op: 'exists', value: false }]);
  });

  it('keeps strings, numbers and booleans as given', () => {
    expect(scalarConditions(['on'], { eq: false })).toEqual([{ path: ['on'], op: 'eq', value: false }]);
    expect(scalarConditions(['at'], { gte: '2024-05-31T12:00:00+02:00' })).toEqual([
      { path: ['at'], op: 'gte', value: '2024-05-31T12:00:00+02:00' },
    ]);
    expect(scalarConditions(['n'], { in: [1, 2.5, -3] })).toEqual([{ path: ['n'], op: 'in', values: [1, 2.5, -3] }]);
  });

  it('gives no condition for an empty operator object, and leaves out operators not given', () => {
    expect(scalarConditions(['x'], {})).toEqual([]);
    expect(scalarConditions(['x'], { eq: undefined, gt: 1 })).toEqual([{ path: ['x'], op: 'gt', value: 1 }]);
  });

  it('refuses null, naming the operator and saying what to do instead', () => {
    expect(() => scalarConditions(['address', 'city'], { eq: null })).toThrow(TwingraphError);
    expect(() => scalarConditions(['address', 'city'], { eq: null })).toThrow(
      "Filter 'address.city.eq' is null: leave it out, or use exists.",
    );
    try {
      scalarConditions(['x'], { ne: null });
    } catch (e) {
      expect((e as TwingraphError).code).toBe('InvalidArgument');
    }
  });

  it('refuses values that are not strings, numbers or booleans', () => {
    expect(() => scalarConditions(['x'], { eq: { a: 1 } })).toThrow(
      "Filter 'x.eq': compare with a string, a number or a boolean.",
    );
    expect(() => scalarConditions(['x'], { in: [1, [2]] })).toThrow(
      "Filter 'x.in': compare with a string, a number or a boolean.",
    );
  });

  it('refuses an unknown operator', () => {
    expect(() => scalarConditions(['x'], { like: '%a%' })).toThrow("Filter 'x' has no operator 'like'.");
  });

  it('names the filter by its label when one is given (the id, not $dtId)', () => {
    expect(() => scalarConditions(['$dtId'], { eq: null }, 'id')).toThrow(
      "Filter 'id.eq' is null: leave it out, or use exists.",
    );
    expect(scalarConditions(['$dtId'], { startsWith: 'room-' }, 'id')).toEqual([
      { path: ['$dtId'], op: 'startsWith', value: 'room-' },
    ]);
  });
});

describe('allOf and logicalConditions', () => {
  const a: Filter = { path: ['a'], op: 'eq', value: 1 };
  const b: Filter = { path: ['b'], op: 'eq', value: 2 };

  it('allOf ANDs conditions without a needless wrapper', () => {
    expect(allOf([])).toBeUndefined();
    expect(allOf([a])).toBe(a);
    expect(allOf([a, b])).toEqual({ and: [a, b] });
  });

  it('logicalConditions translates AND, OR and NOT with the nested translation', () => {
    type W = { v?: Filter; AND?: W[]; OR?: W[]; NOT?: W };
    const translate = (w: W): Filter | undefined => w.v;
    expect(logicalConditions<W>({ AND: [{ v: a }, { v: b }], OR: [{ v: a }], NOT: { v: b } }, translate)).toEqual([
      { and: [a, b] },
      { or: [a] },
      { not: b },
    ]);
    // An empty nested where matches everything: an empty AND.
    expect(logicalConditions<W>({ OR: [{}, { v: a }], NOT: {} }, translate)).toEqual([
      { or: [{ and: [] }, a] },
      { not: { and: [] } },
    ]);
    expect(logicalConditions<W>({ AND: null, OR: null, NOT: null } as never, translate)).toEqual([]);
  });
});

describe('generated where and orderBy inputs, as the store sees them', () => {
  const ROOM = 'dtmi:test:Room;1';
  const DEVICE = 'dtmi:test:Device;1';
  let schema: GraphQLSchema;
  beforeAll(() => {
    schema = compile(
      [
        iface(ROOM, [property('name', 'string'), property('floor', 'integer')]),
        iface(DEVICE, [
          property('serial', 'string'),
          property('AND', 'string'),
          property(
            'state',
            enumOf('string', [
              ['Idle', 'idle'],
              ['Busy', 'busy'],
            ]),
          ),
          property(
            'address',
            objectOf([
              ['city', 'string'],
              ['contact', objectOf([['email', 'string']])],
            ]),
          ),
          property('id', 'string'),
          component('diagnostics', 'dtmi:test:Diagnostics;1'),
          relationship('locatedIn', ROOM, { properties: [property('since', 'date')] }),
          relationship('linkedTo'),
        ]),
        iface('dtmi:test:Diagnostics;1', [property('passed', 'boolean')]),
      ],
      [ROOM, DEVICE],
    ).schema;
  });

  /** The store query a `devices(...)` list makes. */
  async function storeQuery(args: string): Promise<unknown> {
    const queries: unknown[] = [];
    const page: Page<Twin> = {
      items: [],
      cursors: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    };
    const result = await graphql({
      schema,
      source: `{ devices(${args}) { nodes { id } } }`,
      contextValue: {
        twins: {
          query: async (q: unknown) => {
            queries.push(q);
            return page;
          },
        },
      },
    });
    if (result.errors) throw result.errors[0];
    return queries[0];
  }
  const ofDevice = { ofModel: DEVICE };

  it('conditions of one field, and fields of one object, are ANDed after the model condition', async () => {
    expect(await storeQuery('where: { serial: { startsWith: "A", ne: "A-0" }, state: { in: [Idle, Busy] } }')).toEqual({
      where: {
        and: [
          ofDevice,
          {
            and: [
              // In the order of StringFilter's fields.
              { path: ['serial'], op: 'ne', value: 'A-0' },
              { path: ['serial'], op: 'startsWith', value: 'A' },
              // Enums compare by their stored values.
              { path: ['state'], op: 'in', values: ['idle', 'busy'] },
            ],
          },
        ],
      },
      orderBy: [],
      first: 100,
    });
  });

  it('the id filter is on $dtId; a content named id is its own field, id_', async () => {
    expect(await storeQuery('where: { id: { in: ["d1", "d2"] }, id_: { eq: "x" } }')).toMatchObject({
      where: {
        and: [
          ofDevice,
          {
            and: [
              { path: ['$dtId'], op: 'in', values: ['d1', 'd2'] },
              { path: ['id'], op: 'eq', value: 'x' },
            ],
          },
        ],
      },
    });
  });

  it('AND, OR and NOT nest, and a content named AND is AND_', async () => {
    expect(
      await storeQuery(
        'where: { OR: [{ serial: { eq: "A" } }, { NOT: { serial: { eq: "B" } } }], AND_: { contains: "x" } }',
      ),
    ).toMatchObject({
      where: {
        and: [
          ofDevice,
          {
            and: [
              { or: [{ path: ['serial'], op: 'eq', value: 'A' }, { not: { path: ['serial'], op: 'eq', value: 'B' } }] },
              { path: ['AND'], op: 'contains', value: 'x' },
            ],
          },
        ],
      },
    });
  });

  it('objects and components filter by the path to their fields', async () => {
    expect(
      await storeQuery(
        'where: { address: { city: { eq: "Oslo" }, contact: { email: { endsWith: "@example.com" } } }, diagnostics: { passed: { eq: true } } }',
      ),
    ).toMatchObject({
      where: {
        and: [
          ofDevice,
          {
            and: [
              { path: ['address', 'city'], op: 'eq', value: 'Oslo' },
              { path: ['address', 'contact', 'email'], op: 'endsWith', value: '@example.com' },
              { path: ['diagnostics', 'passed'], op: 'eq', value: true },
            ],
          },
        ],
      },
    });
  });

  it('relationship filters say some, none or all of the related twins (of the target model) match', async () => {
    expect(
      await storeQuery('where: { locatedIn: { some: { floor: { gte: 2 } }, none: { name: { eq: "Lab" } } } }'),
    ).toMatchObject({
      where: {
        and: [
          ofDevice,
          {
            and: [
              {
                related: {
                  direction: 'out',
                  names: ['locatedIn'],
                  quantifier: 'some',
                  where: { and: [{ ofModel: ROOM }, { path: ['floor'], op: 'gte', value: 2 }] },
                },
              },
              {
                related: {
                  direction: 'out',
                  names: ['locatedIn'],
                  quantifier: 'none',
                  where: { and: [{ ofModel: ROOM }, { path: ['name'], op: 'eq', value: 'Lab' }] },
                },
              },
            ],
          },
        ],
      },
    });
  });

  it('an edge condition alone means some relationship matches it', async () => {
    expect(await storeQuery('where: { locatedIn: { edge: { since: { gte: "2024-01-01" } } } }')).toMatchObject({
      where: {
        and: [
          ofDevice,
          {
            related: {
              direction: 'out',
              names: ['locatedIn'],
              quantifier: 'some',
              where: { ofModel: ROOM },
              edge: { path: ['since'], op: 'gte', value: '2024-01-01' },
            },
          },
        ],
      },
    });
  });

  it('an untargeted relationship filters the related twins with the generic TwinWhere', async () => {
    expect(
      await storeQuery(
        'where: { linkedTo: { all: { isOf: "dtmi:test:Room;1", properties: [{ path: "name", eq: "Hall" }] } } }',
      ),
    ).toMatchObject({
      where: {
        and: [
          ofDevice,
          {
            related: {
              direction: 'out',
              names: ['linkedTo'],
              quantifier: 'all',
              where: { and: [{ ofModel: ROOM }, { path: ['name'], op: 'eq', value: 'Hall' }] },
            },
          },
        ],
      },
    });
  });

  it('orderBy takes one field per entry, by path, in order', async () => {
    expect(await storeQuery('orderBy: [{ address: { city: ASC } }, { serial: DESC }, { id: ASC }]')).toMatchObject({
      orderBy: [
        { path: ['address', 'city'], direction: 'asc' },
        { path: ['serial'], direction: 'desc' },
        { path: ['$dtId'], direction: 'asc' },
      ],
    });
  });

  it('refuses an orderBy entry with no field or with two', async () => {
    await expect(storeQuery('orderBy: [{ serial: ASC, state: DESC }]')).rejects.toThrow(
      'Each orderBy entry names exactly one field (got serial, state); give a list to sort by several.',
    );
    await expect(storeQuery('orderBy: [{}]')).rejects.toThrow(
      'Each orderBy entry names exactly one field (got none); give a list to sort by several.',
    );
    await expect(storeQuery('orderBy: [{ address: { city: ASC, contact: { email: ASC } } }]')).rejects.toThrow(
      'Each orderBy entry names exactly one field (got city, contact); give a list to sort by several.',
    );
  });

  it('refuses null operators in a where, naming the field', async () => {
    await expect(storeQuery('where: { serial: { eq: null } }')).rejects.toThrow(
      "Filter 'serial.eq' is null: leave it out, or use exists.",
    );
  });
});
