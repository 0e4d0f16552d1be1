/**
 * queryTwins: filters with the semantics of src/store/query.ts (two-valued, no cross-type comparisons),
 * model and relationship filters, ordering, and keyset paging (stable while twins are inserted).
 */
import type { Filter, OrderBy, Page, TwinQuery } from '../../../src/store/query';
import type { Twin } from '../../../src/store/types';
import {
  component,
  expectCode,
  ids,
  M,
  seedModels,
  seedSite,
  sorted,
  twinInput,
  useStore,
  type OpenStore,
  type StoreHandle,
} from '../../support/store-fixtures';

/**
 * | id | model          | name  | area | active | level | code  | address                     | thermostat.setpoint |
 * | q1 | Room           | Alpha | 10   | true   | 2     | 'A-1' | { city: Oslo, zip: '0150' } | 21                  |
 * | q2 | Room           | Beta  | 20   | false  | '2'   | 'B_2' | { city: Bergen }            | 19                  |
 * | q3 | ConferenceRoom | Gamma | 30   | true   |       | '20'  |                             |                     |
 * | q4 | Room           | Delta |      |        |       | 'D%4' | { city: Oslo }              |                     |
 * | q5 | Floor          |       | 20   | false  |       |       | { zip: '5003' }             |                     |
 */
const QUERY_TWINS: [string, ReturnType<typeof twinInput>][] = [
  [
    'q1',
    twinInput(M.room, {
      name: 'Alpha',
      area: 10,
      active: true,
      level: 2,
      code: 'A-1',
      address: { city: 'Oslo', zip: '0150' },
      zones: { 'zone-1': 3, '2nd': 'x' },
      thermostat: component({ setpoint: 21 }),
    }),
  ],
  [
    'q2',
    twinInput(M.room, {
      name: 'Beta',
      area: 20,
      active: false,
      level: '2',
      code: 'B_2',
      address: { city: 'Bergen' },
      thermostat: component({ setpoint: 19 }),
    }),
  ],
  ['q3', twinInput(M.conferenceRoom, { name: 'Gamma', area: 30, active: true, code: '20' })],
  ['q4', twinInput(M.room, { name: 'Delta', code: 'D%4', address: { city: 'Oslo' } })],
  ['q5', twinInput(M.floor, { area: 20, active: false, address: { zip: '5003' } })],
];

/** Twelve twins for ordering and paging: `score` with ties and gaps, `group` a or b. */
const SCORES: [string, number | undefined, string][] = [
  ['p01', 5, 'a'],
  ['p02', 3, 'b'],
  ['p03', undefined, 'a'],
  ['p04', 3, 'a'],
  ['p05', 9, 'b'],
  ['p06', 1, 'a'],
  ['p07', undefined, 'b'],
  ['p08', 5, 'b'],
  ['p09', 7, 'a'],
  ['p10', 3, 'b'],
  ['p11', 2, 'a'],
  ['p12', 8, 'b'],
];

async function seedScores(store: StoreHandle['store']): Promise<void> {
  await seedModels(store);
  await store.createTwins(
    SCORES.map(([id, score, group]) => ({
      id,
      twin: twinInput(M.room, { group, ...(score !== undefined && { score }) }),
    })),
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order the contract defines, computed here: missing last ascending, first descending, ties by id. */
function expectedOrder(
  keys: { get: (row: (typeof SCORES)[number]) => string | number | undefined; direction: 'asc' | 'desc' }[],
): string[] {
  return [...SCORES]
    .sort((x, y) => {
      for (const key of keys) {
        const a = key.get(x);
        const b = key.get(y);
        if (a === b) continue;
        if (a === undefined) return key.direction === 'asc' ? 1 : -1;
        if (b === undefined) return key.direction === 'asc' ? -1 : 1;
        const c = typeof a === 'number' ? a - (b as number) : cmp(a, b as string);
        return key.direction === 'asc' ? c : -c;
      }
      return cmp(x[0], y[0]);
    })
    .map((row) => row[0]);
}

const byScore = (direction: 'asc' | 'desc'): OrderBy[] => [{ path: ['score'], direction }];

/** Pages forward through a query, `size` at a time, checking each page's flags; returns every page's ids. */
async function pageForward(h: StoreHandle, query: TwinQuery, size: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await h.store.queryTwins({ ...query, first: size, ...(after !== undefined && { after }) });
    expect(page.cursors).toHaveLength(page.items.length);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
    expect(page.pageInfo.startCursor).toBe(page.cursors[0] ?? null);
    expect(page.pageInfo.endCursor).toBe(page.cursors[page.cursors.length - 1] ?? null);
    pages.push(ids(page));
    if (!page.pageInfo.hasNextPage) break;
    expect(page.items).toHaveLength(size);
    after = page.pageInfo.endCursor!;
    if (pages.length > 100) throw new Error('paging does not end');
  }
  return pages;
}

async function pageBackward(h: StoreHandle, query: TwinQuery, size: number): Promise<string[][]> {
  const pages: string[][] = [];
  let before: string | undefined;
  for (;;) {
    const page = await h.store.queryTwins({ ...query, last: size, ...(before !== undefined && { before }) });
    expect(page.pageInfo.hasNextPage).toBe(before !== undefined);
    pages.push(ids(page));
    if (!page.pageInfo.hasPreviousPage) break;
    expect(page.items).toHaveLength(size);
    before = page.pageInfo.startCursor!;
    if (pages.length > 100) throw new Error('paging does not end');
  }
  return pages;
}

export function queriesContract(open: OpenStore): void {
  describe('queryTwins', () => {
    const h = useStore(open);

    const match = async (where: Filter): Promise<string[]> => sorted(ids(await h.store.queryTwins({ where })));

    describe('comparisons', () => {
      beforeEach(async () => {
        await seedModels(h.store);
        await h.store.createTwins(QUERY_TWINS.map(([id, twin]) => ({ id, twin })));
      });

      it.each<[string, Filter, string[]]>([
        ['eq, on a string', { path: ['name'], op: 'eq', value: 'Beta' }, ['q2']],
        ['eq, on a number', { path: ['area'], op: 'eq', value: 20 }, ['q2', 'q5']],
        ['eq true', { path: ['active'], op: 'eq', value: true }, ['q1', 'q3']],
        ['eq false', { path: ['active'], op: 'eq', value: false }, ['q2', 'q5']],
        [
          'ne, on a number (twins without the property excluded)',
          { path: ['area'], op: 'ne', value: 20 },
          ['q1', 'q3'],
        ],
        ['ne, on a boolean', { path: ['active'], op: 'ne', value: true }, ['q2', 'q5']],
        ['ne, on a string', { path: ['name'], op: 'ne', value: 'Alpha' }, ['q2', 'q3', 'q4']],
        ['lt', { path: ['area'], op: 'lt', value: 20 }, ['q1']],
        ['lte', { path: ['area'], op: 'lte', value: 20 }, ['q1', 'q2', 'q5']],
        ['gt', { path: ['area'], op: 'gt', value: 20 }, ['q3']],
        ['gte', { path: ['area'], op: 'gte', value: 20 }, ['q2', 'q3', 'q5']],
        ['gt, on strings', { path: ['name'], op: 'gt', value: 'Beta' }, ['q3', 'q4']],
        ['lte, on strings', { path: ['name'], op: 'lte', value: 'Beta' }, ['q1', 'q2']],
        ['in, on strings', { path: ['name'], op: 'in', values: ['Alpha', 'Gamma', 'Nope'] }, ['q1', 'q3']],
        ['in, on numbers', { path: ['area'], op: 'in', values: [10, 30] }, ['q1', 'q3']],
        ['in, on booleans', { path: ['active'], op: 'in', values: [false] }, ['q2', 'q5']],
        ['in with an empty list', { path: ['area'], op: 'in', values: [] }, []],
        [
          'notIn (twins without the property excluded)',
          { path: ['area'], op: 'notIn', values: [10, 30] },
          ['q2', 'q5'],
        ],
        ['notIn with an empty list', { path: ['area'], op: 'notIn', values: [] }, ['q1', 'q2', 'q3', 'q5']],
        ['contains', { path: ['name'], op: 'contains', value: 'ta' }, ['q2', 'q4']],
        ['startsWith', { path: ['name'], op: 'startsWith', value: 'Al' }, ['q1']],
        ['endsWith', { path: ['name'], op: 'endsWith', value: 'ma' }, ['q3']],
        ['exists true', { path: ['area'], op: 'exists', value: true }, ['q1', 'q2', 'q3', 'q5']],
        ['exists false', { path: ['area'], op: 'exists', value: false }, ['q4']],
        ['exists, on an object property', { path: ['address'], op: 'exists', value: true }, ['q1', 'q2', 'q4', 'q5']],
      ])('filters a top-level property with %s', async (_, where, expected) => {
        expect(await match(where)).toEqual(expected);
      });

      it.each<[string, Filter, string[]]>([
        ['eq', { path: ['address', 'city'], op: 'eq', value: 'Oslo' }, ['q1', 'q4']],
        ['ne', { path: ['address', 'city'], op: 'ne', value: 'Oslo' }, ['q2']],
        ['lt', { path: ['address', 'zip'], op: 'lt', value: '1000' }, ['q1']],
        ['lte', { path: ['address', 'zip'], op: 'lte', value: '0150' }, ['q1']],
        ['gt', { path: ['address', 'zip'], op: 'gt', value: '0150' }, ['q5']],
        ['gte', { path: ['address', 'zip'], op: 'gte', value: '0150' }, ['q1', 'q5']],
        ['in', { path: ['address', 'city'], op: 'in', values: ['Bergen', 'Oslo'] }, ['q1', 'q2', 'q4']],
        ['notIn', { path: ['address', 'city'], op: 'notIn', values: ['Oslo'] }, ['q2']],
        ['contains', { path: ['address', 'city'], op: 'contains', value: 'sl' }, ['q1', 'q4']],
        ['startsWith', { path: ['address', 'city'], op: 'startsWith', value: 'B' }, ['q2']],
        ['endsWith', { path: ['address', 'city'], op: 'endsWith', value: 'en' }, ['q2']],
        ['exists true', { path: ['address', 'zip'], op: 'exists', value: true }, ['q1', 'q5']],
        ['exists false', { path: ['address', 'zip'], op: 'exists', value: false }, ['q2', 'q3', 'q4']],
        ['gt, on a component property', { path: ['thermostat', 'setpoint'], op: 'gt', value: 20 }, ['q1']],
        ['eq, on a map key with a dash', { path: ['zones', 'zone-1'], op: 'eq', value: 3 }, ['q1']],
        ['eq, on a map key starting with a digit', { path: ['zones', '2nd'], op: 'eq', value: 'x' }, ['q1']],
      ])('filters below the top level with %s', async (_, where, expected) => {
        expect(await match(where)).toEqual(expected);
      });

      it('treats a comparison on a missing property as false, and not as its plain negation', async () => {
        expect(await match({ path: ['name'], op: 'eq', value: 'Alpha' })).toEqual(['q1']);
        expect(await match({ not: { path: ['name'], op: 'eq', value: 'Alpha' } })).toEqual(['q2', 'q3', 'q4', 'q5']);
        expect(await match({ path: ['area'], op: 'gt', value: 15 })).toEqual(['q2', 'q3', 'q5']);
        expect(await match({ not: { path: ['area'], op: 'gt', value: 15 } })).toEqual(['q1', 'q4']);
        expect(await match({ not: { path: ['area'], op: 'ne', value: 20 } })).toEqual(['q2', 'q4', 'q5']);
        expect(await match({ not: { path: ['address', 'city'], op: 'notIn', values: ['Oslo'] } })).toEqual([
          'q1',
          'q3',
          'q4',
          'q5',
        ]);
      });

      it('never compares a string with a number: they neither equal nor order against each other', async () => {
        expect(await match({ path: ['level'], op: 'eq', value: 2 })).toEqual(['q1']);
        expect(await match({ path: ['level'], op: 'eq', value: '2' })).toEqual(['q2']);
        expect(await match({ path: ['level'], op: 'lt', value: 3 })).toEqual(['q1']);
        expect(await match({ path: ['level'], op: 'gte', value: '1' })).toEqual(['q2']);
        expect(await match({ path: ['level'], op: 'in', values: [2] })).toEqual(['q1']);
        expect(await match({ path: ['level'], op: 'in', values: ['2', 7] })).toEqual(['q2']);
        expect(await match({ path: ['level'], op: 'notIn', values: ['2'] })).toEqual(['q1']);
        expect(await match({ path: ['level'], op: 'ne', value: 2 })).toEqual(['q2']);
        expect(await match({ path: ['code'], op: 'eq', value: 20 })).toEqual([]);
        expect(await match({ path: ['code'], op: 'eq', value: '20' })).toEqual(['q3']);
        expect(await match({ path: ['area'], op: 'contains', value: '1' })).toEqual([]);
        expect(await match({ path: ['area'], op: 'startsWith', value: '2' })).toEqual([]);
      });

      it('treats booleans as neither numbers nor strings', async () => {
        expect(await match({ path: ['active'], op: 'eq', value: 1 })).toEqual([]);
        expect(await match({ path: ['active'], op: 'eq', value: 'true' })).toEqual([]);
        expect(await match({ path: ['active'], op: 'in', values: [1, 0] })).toEqual([]);
        expect(await match({ path: ['area'], op: 'eq', value: true })).toEqual([]);
      });

      it('matches strings literally and case-sensitively: no wildcards', async () => {
        expect(await match({ path: ['name'], op: 'startsWith', value: 'al' })).toEqual([]);
        expect(await match({ path: ['name'], op: 'eq', value: 'alpha' })).toEqual([]);
        expect(await match({ path: ['code'], op: 'contains', value: '_' })).toEqual(['q2']);
        expect(await match({ path: ['code'], op: 'contains', value: '%' })).toEqual(['q4']);
        expect(await match({ path: ['code'], op: 'endsWith', value: '%4' })).toEqual(['q4']);
        expect(await match({ path: ['code'], op: 'startsWith', value: '_' })).toEqual([]);
        expect(await match({ path: ['code'], op: 'startsWith', value: '%' })).toEqual([]);
      });

      it('combines filters with and, or and not; an empty and matches every twin, an empty or none', async () => {
        expect(await match({ and: [{ ofModel: M.room }, { path: ['active'], op: 'eq', value: true }] })).toEqual([
          'q1',
          'q3',
        ]);
        expect(
          await match({
            or: [
              { path: ['name'], op: 'eq', value: 'Alpha' },
              { path: ['area'], op: 'gt', value: 25 },
            ],
          }),
        ).toEqual(['q1', 'q3']);
        expect(
          await match({
            not: {
              or: [
                { path: ['name'], op: 'eq', value: 'Alpha' },
                { path: ['area'], op: 'gt', value: 25 },
              ],
            },
          }),
        ).toEqual(['q2', 'q4', 'q5']);
        expect(
          await match({
            or: [
              {
                and: [
                  { path: ['address', 'city'], op: 'eq', value: 'Oslo' },
                  { not: { path: ['area'], op: 'exists', value: true } },
                ],
              },
              { and: [{ ofModel: M.floor }, { path: ['active'], op: 'eq', value: false }] },
            ],
          }),
        ).toEqual(['q4', 'q5']);
        expect(await match({ and: [] })).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
        expect(await match({ or: [] })).toEqual([]);
        expect(await match({ not: { and: [] } })).toEqual([]);
      });

      it('finds twins of a model and of every model extending it with ofModel, and of that model only with exact', async () => {
        expect(await match({ ofModel: M.room })).toEqual(['q1', 'q2', 'q3', 'q4']);
        expect(await match({ ofModel: M.room, exact: true })).toEqual(['q1', 'q2', 'q4']);
        expect(await match({ ofModel: M.space })).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
        expect(await match({ ofModel: M.space, exact: true })).toEqual([]);
        expect(await match({ ofModel: M.conferenceRoom })).toEqual(['q3']);
        expect(await match({ ofModel: 'dtmi:test:Nope;1' })).toEqual([]);
      });

      it('filters on $dtId', async () => {
        expect(await match({ path: ['$dtId'], op: 'eq', value: 'q2' })).toEqual(['q2']);
        expect(await match({ path: ['$dtId'], op: 'in', values: ['q1', 'q3', 'nope'] })).toEqual(['q1', 'q3']);
        expect(await match({ path: ['$dtId'], op: 'ne', value: 'q1' })).toEqual(['q2', 'q3', 'q4', 'q5']);
        expect(await match({ path: ['$dtId'], op: 'gt', value: 'q3' })).toEqual(['q4', 'q5']);
        expect(await match({ path: ['$dtId'], op: 'startsWith', value: 'q' })).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
      });

      it.each<[string, unknown]>([
        ['a name with a space', ['has space']],
        ['a name starting with a digit', ['1st']],
        ['a name with a dash', ['a-b']],
        ['an empty name', ['']],
        ['an empty path', []],
        ['a path nine segments deep', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']],
        ['a segment with a quote', ['address', "o'brien"]],
        ['a segment with a dot', ['address', 'a.b']],
        ['an unknown $ property', ['$nope']],
        ['a field of $dtId', ['$dtId', 'x']],
      ])('refuses a property path with %s with InvalidArgument, in filters and in orderBy', async (_, path) => {
        await expectCode(
          h.store.queryTwins({ where: { path: path as string[], op: 'eq', value: 1 } }),
          'InvalidArgument',
        );
        await expectCode(
          h.store.queryTwins({ orderBy: [{ path: path as string[], direction: 'asc' }] }),
          'InvalidArgument',
        );
      });

      it.each<[string, unknown]>([
        ['eq null', { path: ['area'], op: 'eq', value: null }],
        ['eq with an object', { path: ['area'], op: 'eq', value: { a: 1 } }],
        ['lt with NaN', { path: ['area'], op: 'lt', value: Number.NaN }],
        ['in without a list', { path: ['area'], op: 'in', values: 3 }],
        ['contains with a number', { path: ['name'], op: 'contains', value: 3 }],
        ['exists with a string', { path: ['name'], op: 'exists', value: 'yes' }],
        ['an unknown operator', { path: ['name'], op: 'like', value: 'x' }],
        ['an unknown filter', { nope: true }],
        ['a related filter with a bad quantifier', { related: { direction: 'out', quantifier: 'most' } }],
        [
          'a related filter with a bad name',
          { related: { direction: 'out', quantifier: 'some', names: ['has space'] } },
        ],
        ['ofModel as an edge filter', { related: { direction: 'out', quantifier: 'some', edge: { ofModel: M.room } } }],
        [
          'a relationship filter as an edge filter',
          {
            related: {
              direction: 'out',
              quantifier: 'some',
              edge: { related: { direction: 'out', quantifier: 'some' } },
            },
          },
        ],
      ])('refuses a filter with %s with InvalidArgument', async (_, where) => {
        await expectCode(h.store.queryTwins({ where: where as Filter }), 'InvalidArgument');
      });

      it('refuses more than 1000 values in one in with LimitExceeded', async () => {
        const values = Array.from({ length: 1001 }, (_, i) => i);
        await expectCode(h.store.queryTwins({ where: { path: ['area'], op: 'in', values } }), 'LimitExceeded');
      });
    });

    describe('relationship filters', () => {
      beforeEach(() => seedSite(h.store));

      const related = (r: Extract<Filter, { related: unknown }>['related'], scope?: string): Promise<string[]> =>
        match(scope ? { and: [{ ofModel: scope }, { related: r }] } : { related: r });

      it('some: twins with at least one relationship to a twin matching where', async () => {
        expect(
          await related({
            direction: 'out',
            names: ['hasRoom'],
            quantifier: 'some',
            where: { path: ['area'], op: 'gt', value: 15 },
          }),
        ).toEqual(['f1', 'f2']);
        expect(await related({ direction: 'out', names: ['hasRoom'], quantifier: 'some' })).toEqual(['f1', 'f2']);
        expect(await related({ direction: 'out', quantifier: 'some', where: { ofModel: M.sensor } })).toEqual([
          'r1',
          'r2',
          'r3',
        ]);
      });

      it('none: twins without any relationship to a twin matching where', async () => {
        expect(await related({ direction: 'out', names: ['hasRoom'], quantifier: 'none' }, M.floor)).toEqual(['f3']);
        expect(
          await related(
            {
              direction: 'out',
              names: ['hasRoom'],
              quantifier: 'none',
              where: { path: ['area'], op: 'gte', value: 30 },
            },
            M.floor,
          ),
        ).toEqual(['f1', 'f3']);
      });

      it('all: twins whose every relationship leads to a twin matching where, which holds when there are none', async () => {
        expect(
          await related(
            {
              direction: 'out',
              names: ['hasRoom'],
              quantifier: 'all',
              where: { path: ['name'], op: 'ne', value: 'R2' },
            },
            M.floor,
          ),
        ).toEqual(['f2', 'f3']);
        expect(
          await related(
            { direction: 'in', names: ['hasRoom'], quantifier: 'all', where: { path: ['level'], op: 'eq', value: 1 } },
            M.room,
          ),
        ).toEqual(['r2', 'r4']);
      });

      it('follows incoming relationships with direction in', async () => {
        expect(
          await related({
            direction: 'in',
            names: ['hasFloor'],
            quantifier: 'some',
            where: { path: ['name'], op: 'eq', value: 'HQ' },
          }),
        ).toEqual(['f1', 'f2']);
        expect(await related({ direction: 'in', quantifier: 'none' })).toEqual(['b1', 'b2', 'r4']);
        expect(
          await related({
            direction: 'in',
            names: ['hasSensor'],
            quantifier: 'some',
            where: { path: ['area'], op: 'gte', value: 20 },
          }),
        ).toEqual(['s2', 's3']);
      });

      it('considers only relationships of the given names', async () => {
        expect(await related({ direction: 'out', names: ['servedBy'], quantifier: 'some' })).toEqual(['r2']);
        expect(await related({ direction: 'out', names: ['hasSensor', 'servedBy'], quantifier: 'some' })).toEqual([
          'r1',
          'r2',
          'r3',
        ]);
        expect(await related({ direction: 'out', names: ['nothing'], quantifier: 'some' })).toEqual([]);
      });

      it("filters on the relationship's own properties with edge, including $relationshipId and $relationshipName", async () => {
        expect(
          await related({
            direction: 'out',
            names: ['hasFloor'],
            quantifier: 'some',
            edge: { path: ['order'], op: 'eq', value: 2 },
          }),
        ).toEqual(['b1']);
        expect(
          await related({
            direction: 'out',
            quantifier: 'some',
            edge: { path: ['$relationshipId'], op: 'eq', value: 'b2-f3' },
          }),
        ).toEqual(['b2']);
        expect(
          await related({
            direction: 'out',
            quantifier: 'some',
            edge: { path: ['$relationshipName'], op: 'eq', value: 'servedBy' },
          }),
        ).toEqual(['r2']);
        expect(
          await related({
            direction: 'out',
            names: ['hasSensor'],
            quantifier: 'some',
            edge: { path: ['since'], op: 'gte', value: '2024-02-01' },
            where: { path: ['kind'], op: 'eq', value: 'temp' },
          }),
        ).toEqual(['r2', 'r3']);
        expect(
          await related(
            {
              direction: 'out',
              names: ['hasSensor'],
              quantifier: 'none',
              edge: { path: ['since'], op: 'lt', value: '2024-02-01' },
            },
            M.room,
          ),
        ).toEqual(['r2', 'r3', 'r4']);
        expect(
          await related({
            direction: 'in',
            names: ['hasSensor'],
            quantifier: 'some',
            edge: { path: ['since'], op: 'eq', value: '2024-04-01' },
          }),
        ).toEqual(['s3']);
      });

      it('with all, considers only the relationships matching names and edge, and asks where of each', async () => {
        const filter = {
          direction: 'out',
          names: ['hasFloor'],
          quantifier: 'all',
          edge: { path: ['order'], op: 'eq', value: 1 },
          where: { path: ['level'], op: 'eq', value: 1 },
        } as const;
        expect(await related(filter, M.building)).toEqual(['b1']);
      });

      it("filters on the other twin's $dtId, which finds the twins related to a given one", async () => {
        expect(
          await related({ direction: 'out', quantifier: 'some', where: { path: ['$dtId'], op: 'eq', value: 's1' } }),
        ).toEqual(['r1', 'r2']);
        expect(
          await related({
            direction: 'in',
            names: ['hasRoom'],
            quantifier: 'some',
            where: { path: ['$dtId'], op: 'in', values: ['f2'] },
          }),
        ).toEqual(['r1', 'r3']);
      });

      it('nests relationship filters, and negates them with not', async () => {
        const co2: Filter = {
          related: {
            direction: 'out',
            names: ['hasSensor'],
            quantifier: 'some',
            where: { path: ['kind'], op: 'eq', value: 'co2' },
          },
        };
        const roomWithCo2: Filter = {
          related: { direction: 'out', names: ['hasRoom'], quantifier: 'some', where: co2 },
        };
        expect(
          await match({ related: { direction: 'out', names: ['hasFloor'], quantifier: 'some', where: roomWithCo2 } }),
        ).toEqual(['b1']);
        expect(await match({ and: [{ ofModel: M.floor }, { not: roomWithCo2 }] })).toEqual(['f1', 'f3']);
      });
    });

    describe('ordering', () => {
      beforeEach(() => seedScores(h.store));

      it('orders by $dtId when no order is given', async () => {
        expect(ids(await h.store.queryTwins({}))).toEqual(SCORES.map(([id]) => id));
      });

      it('orders ascending with missing values last, ties broken by $dtId', async () => {
        const order = ids(await h.store.queryTwins({ orderBy: byScore('asc') }));
        expect(order).toEqual(['p06', 'p11', 'p02', 'p04', 'p10', 'p01', 'p08', 'p09', 'p12', 'p05', 'p03', 'p07']);
        expect(order).toEqual(expectedOrder([{ get: (r) => r[1], direction: 'asc' }]));
      });

      it('orders descending with missing values first, ties broken by $dtId', async () => {
        const order = ids(await h.store.queryTwins({ orderBy: byScore('desc') }));
        expect(order).toEqual(['p03', 'p07', 'p05', 'p12', 'p09', 'p01', 'p08', 'p02', 'p04', 'p10', 'p11', 'p06']);
      });

      it('orders by two keys, each in its own direction', async () => {
        const order = ids(
          await h.store.queryTwins({ orderBy: [{ path: ['group'], direction: 'asc' }, ...byScore('desc')] }),
        );
        expect(order).toEqual(
          expectedOrder([
            { get: (r) => r[2], direction: 'asc' },
            { get: (r) => r[1], direction: 'desc' },
          ]),
        );
        const reverse = ids(
          await h.store.queryTwins({ orderBy: [{ path: ['group'], direction: 'desc' }, ...byScore('asc')] }),
        );
        expect(reverse).toEqual(
          expectedOrder([
            { get: (r) => r[2], direction: 'desc' },
            { get: (r) => r[1], direction: 'asc' },
          ]),
        );
      });

      it('orders by $dtId descending', async () => {
        expect(ids(await h.store.queryTwins({ orderBy: [{ path: ['$dtId'], direction: 'desc' }] }))).toEqual(
          SCORES.map(([id]) => id).reverse(),
        );
      });

      it('orders by a nested property', async () => {
        await h.store.createTwins([
          { id: 'n1', twin: twinInput(M.floor, { address: { city: 'Oslo' } }) },
          { id: 'n2', twin: twinInput(M.floor, { address: { city: 'Bergen' } }) },
        ]);
        const page = await h.store.queryTwins({
          where: { ofModel: M.floor },
          orderBy: [{ path: ['address', 'city'], direction: 'asc' }],
        });
        expect(ids(page)).toEqual(['n2', 'n1']);
      });

      it('refuses a sort direction other than asc and desc with InvalidArgument', async () => {
        await expectCode(
          h.store.queryTwins({ orderBy: [{ path: ['score'], direction: 'up' as never }] }),
          'InvalidArgument',
        );
      });
    });

    describe('paging', () => {
      beforeEach(() => seedScores(h.store));
      const all = expectedOrder([{ get: (r) => r[1], direction: 'asc' }]);

      it.each([[1], [3], [5], [12], [20]])(
        'pages forward %i at a time, visiting every twin exactly once in order',
        async (size) => {
          const pages = await pageForward(h, { orderBy: byScore('asc') }, size);
          expect(pages.flat()).toEqual(all);
          expect(pages.length).toBe(Math.max(1, Math.ceil(all.length / size)));
        },
      );

      it.each([[1], [5], [12]])(
        'pages backward %i at a time with last and before, visiting every twin exactly once',
        async (size) => {
          const pages = await pageBackward(h, { orderBy: byScore('asc') }, size);
          expect(pages.reverse().flat()).toEqual(all);
        },
      );

      it('pages through a descending two-key order and a filtered query', async () => {
        const orderBy: OrderBy[] = [{ path: ['group'], direction: 'desc' }, ...byScore('desc')];
        const expected = ids(await h.store.queryTwins({ orderBy }));
        expect((await pageForward(h, { orderBy }, 4)).flat()).toEqual(expected);
        expect((await pageBackward(h, { orderBy }, 5)).reverse().flat()).toEqual(expected);
        const where: Filter = { path: ['group'], op: 'eq', value: 'b' };
        expect((await pageForward(h, { where, orderBy: byScore('desc') }, 2)).flat()).toEqual([
          'p07',
          'p05',
          'p12',
          'p08',
          'p02',
          'p10',
        ]);
      });

      it('says whether there are pages before and after', async () => {
        const first = await h.store.queryTwins({ orderBy: byScore('asc'), first: 5 });
        expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
        const last = await h.store.queryTwins({ orderBy: byScore('asc'), first: 5, after: first.cursors[4] });
        expect(ids(last)).toEqual(all.slice(5, 10));
        expect(last.pageInfo.hasPreviousPage).toBe(true);
        const end = await h.store.queryTwins({ orderBy: byScore('asc'), last: 3 });
        expect(ids(end)).toEqual(all.slice(9));
        expect(end.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
        const exact = await h.store.queryTwins({ orderBy: byScore('asc'), first: 12 });
        expect(exact.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
      });

      it('pages on from any cursor of a page, in either direction', async () => {
        const page = await h.store.queryTwins({ orderBy: byScore('asc') });
        expect(ids(await h.store.queryTwins({ orderBy: byScore('asc'), first: 3, after: page.cursors[6] }))).toEqual(
          all.slice(7, 10),
        );
        expect(ids(await h.store.queryTwins({ orderBy: byScore('asc'), last: 3, before: page.cursors[6] }))).toEqual(
          all.slice(3, 6),
        );
        // The cursor of a twin with a missing value.
        expect(ids(await h.store.queryTwins({ orderBy: byScore('asc'), after: page.cursors[10] }))).toEqual(
          all.slice(11),
        );
        expect(ids(await h.store.queryTwins({ orderBy: byScore('asc'), last: 2, before: page.cursors[11] }))).toEqual(
          all.slice(9, 11),
        );
      });

      it('returns no twins for first: 0, but says whether there are any', async () => {
        const page = await h.store.queryTwins({ first: 0 });
        expect(page.items).toEqual([]);
        expect(page.pageInfo).toMatchObject({ hasNextPage: true, startCursor: null, endCursor: null });
      });

      it('counts every twin the filter matches with totalCount, whatever the page', async () => {
        const page = await h.store.queryTwins({
          where: { path: ['group'], op: 'eq', value: 'a' },
          first: 2,
          totalCount: true,
        });
        expect(page.items).toHaveLength(2);
        expect(page.totalCount).toBe(6);
        expect((await h.store.queryTwins({ first: 1, totalCount: true })).totalCount).toBe(12);
        expect((await h.store.queryTwins({ where: { or: [] }, totalCount: true })).totalCount).toBe(0);
      });

      it('refuses a cursor made for another ordering with InvalidCursor', async () => {
        const unordered = await h.store.queryTwins({ first: 2 });
        await expectCode(
          h.store.queryTwins({ orderBy: byScore('asc'), after: unordered.pageInfo.endCursor! }),
          'InvalidCursor',
        );
        const ordered = await h.store.queryTwins({ orderBy: byScore('asc'), first: 2 });
        await expectCode(h.store.queryTwins({ after: ordered.pageInfo.endCursor! }), 'InvalidCursor');
        await expectCode(
          h.store.queryTwins({ orderBy: byScore('desc'), after: ordered.pageInfo.endCursor! }),
          'InvalidCursor',
        );
        await expectCode(
          h.store.queryTwins({ orderBy: [{ path: ['group'], direction: 'asc' }], before: ordered.pageInfo.endCursor! }),
          'InvalidCursor',
        );
      });

      it.each([
        ['garbage'],
        [''],
        [Buffer.from('{"a":1}').toString('base64url')],
        [Buffer.from('[]').toString('base64url')],
        [Buffer.from('[1,2]').toString('base64url')],
      ])('refuses the cursor %j with InvalidCursor', async (cursor) => {
        await expectCode(h.store.queryTwins({ after: cursor }), 'InvalidCursor');
        await expectCode(h.store.queryTwins({ last: 2, before: cursor }), 'InvalidCursor');
      });

      it.each<[string, TwinQuery]>([
        ['first over 1000', { first: 1001 }],
        ['last over 1000', { last: 1001 }],
        ['a negative first', { first: -1 }],
        ['a fractional first', { first: 1.5 }],
        ['both first and last', { first: 1, last: 1 }],
      ])('refuses %s with InvalidArgument', async (_, query) => {
        await expectCode(h.store.queryTwins(query), 'InvalidArgument');
      });

      it('accepts first: 1000', async () => {
        expect((await h.store.queryTwins({ first: 1000 })).items).toHaveLength(12);
      });

      it.each<['asc' | 'desc', 'forward' | 'backward']>([
        ['asc', 'forward'],
        ['desc', 'forward'],
        ['asc', 'backward'],
      ])('skips and repeats no twin while twins are inserted between pages (%s, %s)', async (direction, way) => {
        const orderBy = byScore(direction);
        const seen: string[] = [];
        let cursor: string | undefined;
        let inserted = 0;
        for (let round = 0; round < 50; round++) {
          const page: Page<Twin> =
            way === 'forward'
              ? await h.store.queryTwins({ orderBy, first: 3, ...(cursor !== undefined && { after: cursor }) })
              : await h.store.queryTwins({ orderBy, last: 3, ...(cursor !== undefined && { before: cursor }) });
          seen.push(...ids(way === 'forward' ? page.items : [...page.items].reverse()));
          const more = way === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
          if (!more) break;
          cursor = (way === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor)!;
          if (inserted < 3) {
            // New twins on both sides of the cursor: lower and higher scores, no score, and a tie with existing ones.
            inserted++;
            await h.store.createTwins([
              { id: `n${inserted}-low`, twin: twinInput(M.room, { score: -inserted }) },
              { id: `n${inserted}-high`, twin: twinInput(M.room, { score: 100 + inserted }) },
              { id: `n${inserted}-none`, twin: twinInput(M.room, {}) },
              { id: `n${inserted}-tie`, twin: twinInput(M.room, { score: 5 }) },
            ]);
          }
        }
        expect(inserted).toBe(3);
        expect(new Set(seen).size).toBe(seen.length);
        for (const [id] of SCORES) expect(seen.filter((s) => s === id)).toEqual([id]);
        const original = seen.filter((id) => id.startsWith('p'));
        const expected = expectedOrder([{ get: (r) => r[1], direction }]);
        expect(original).toEqual(way === 'forward' ? expected : [...expected].reverse());
      });
    });
  });
}
