/**
 * Reads over HTTP: a twin typed by its model (fragments on the model's interface and on its ancestors'),
 * the generic twins query, per-model lists with every filter operator, AND/OR/NOT, relationship filters,
 * sorting on scalar and nested fields, Relay paging both ways, traversal both ways with filters and paging
 * at each level, and components.
 */
import { M, useTestApp } from '../support/api-harness';
import { seedDemoGraph } from './fixtures';

// Query semantics are what these tests hold, some with unpaged nested connections (the default page each): the
// cost limit (cost.test.ts) is set out of the way.
const t = useTestApp({ env: { TWINGRAPH_MAX_COST: '1000000000' } });
beforeAll(() => seedDemoGraph(t.store));

const ids = (connection: { nodes: { id: string }[] }): string[] => connection.nodes.map((n) => n.id);

describe('a twin by id', () => {
  it('is typed by its model: fragments on its own interface and on its ancestors apply', async () => {
    const data = await t.ok(`{
      twin(id: "c1") {
        __typename id modelId etag lastUpdateTime
        ... on Party { name country }
        ... on Client { industry address { city country } tags { key value } }
        ... on Employee { role }
      }
    }`);
    expect(data.twin).toEqual({
      __typename: 'ClientTwin',
      id: 'c1',
      modelId: M.client,
      etag: expect.stringMatching(/^W\/"/),
      lastUpdateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      name: 'Acme Bank',
      country: 'NL',
      industry: 'Banking',
      address: { city: 'Amsterdam', country: 'NL' },
      tags: [{ key: 'tier', value: 'gold' }],
    });
  });

  it('of another model only gets the fragments that apply to it', async () => {
    const data = await t.ok(
      '{ twin(id: "e1") { __typename ... on Party { name } ... on Client { industry } ... on Employee { role hourlyRate } } }',
    );
    expect(data.twin).toEqual({ __typename: 'EmployeeTwin', name: 'Eve Jansen', role: 'Manager', hourlyRate: 120 });
  });

  it('is null, without an error, when there is no such twin', async () => {
    const result = await t.gql('{ twin(id: "nobody") { id } }');
    expect(result).toEqual({ status: 200, data: { twin: null } });
  });

  it('carries its ADT JSON and its relationships both ways', async () => {
    const data = await t.ok(
      '{ twin(id: "g1") { json relationships(name: "covers") { id targetId properties } incomingRelationships { sourceId name } } }',
    );
    expect(data.twin.json).toMatchObject({ $dtId: 'g1', title: 'Core banking', $metadata: { $model: M.engagement } });
    expect(data.twin.relationships).toEqual(
      expect.arrayContaining([
        { id: 'g1/relationships/g1-covers-a1', targetId: 'a1', properties: { scope: 'full' } },
        { id: 'g1/relationships/g1-covers-a3', targetId: 'a3', properties: { scope: 'partial' } },
      ]),
    );
    expect(data.twin.relationships).toHaveLength(2);
    expect(data.twin.incomingRelationships).toEqual([{ sourceId: 'c1', name: 'hasEngagement' }]);
  });
});

describe('twins: any model, filtered by model and by property paths', () => {
  it('isOf includes the subtypes, sorted by a property path', async () => {
    const data = await t.ok(
      '{ twins(where: { isOf: "dtmi:twingraph:demo:Party;1" }, orderBy: [{ path: "name" }]) { totalCount nodes { id __typename } } }',
    );
    expect(ids(data.twins)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'e1', 'e2', 'p1']);
    expect(data.twins.totalCount).toBe(8);
    expect(data.twins.nodes.map((n: { __typename: string }) => n.__typename)).toEqual([
      ...Array(5).fill('ClientTwin'),
      'EmployeeTwin',
      'EmployeeTwin',
      'PartyTwin',
    ]);
  });

  it('modelId is exact', async () => {
    const data = await t.ok('{ twins(where: { modelId: "dtmi:twingraph:demo:Party;1" }) { nodes { id } } }');
    expect(ids(data.twins)).toEqual(['p1']);
  });

  it('filters on properties and nested paths, sorted descending', async () => {
    const data = await t.ok(`{
      nl: twins(where: { isOf: "dtmi:twingraph:demo:Party;1", properties: [{ path: "country", eq: "NL" }] }, orderBy: [{ path: "name", direction: DESC }]) { nodes { id } }
      city: twins(where: { properties: [{ path: "address.city", in: ["Berlin", "Paris"] }] }) { nodes { id } }
      rich: twins(where: { properties: [{ path: "budget", gte: 100000 }, { path: "status", eq: "active" }] }) { nodes { id } }
    }`);
    expect(ids(data.nl)).toEqual(['e1', 'c3', 'c1']);
    expect(ids(data.city)).toEqual(['c2', 'c4']);
    expect(ids(data.rich)).toEqual(['g1', 'g4']);
  });
});

describe('per-model lists and their filters', () => {
  it('list twins of the model and of the models that extend it', async () => {
    const data = await t.ok(
      '{ parties(orderBy: [{ id: ASC }]) { totalCount nodes { id } } clients { totalCount } employees { nodes { id } } }',
    );
    expect(ids(data.parties)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'e1', 'e2', 'p1']);
    expect(data.parties.totalCount).toBe(8);
    expect(data.clients.totalCount).toBe(5);
    expect(ids(data.employees)).toEqual(['e1', 'e2']);
  });

  it.each([
    ['eq', '{ name: { eq: "Corner Retail" } }', ['c3']],
    ['ne', '{ name: { ne: "Corner Retail" } }', ['c1', 'c2', 'c4', 'c5']],
    ['in', '{ name: { in: ["Acme Bank", "Echo Health", "Nobody"] } }', ['c1', 'c5']],
    ['notIn', '{ country: { notIn: ["NL"] } }', ['c2', 'c4']],
    ['lt', '{ name: { lt: "C" } }', ['c1', 'c2']],
    ['lte', '{ name: { lte: "Corner Retail" } }', ['c1', 'c2', 'c3']],
    ['gt', '{ name: { gt: "D" } }', ['c4', 'c5']],
    ['gte', '{ name: { gte: "Delta Energy" } }', ['c4', 'c5']],
    ['contains', '{ name: { contains: "ta En" } }', ['c4']],
    ['startsWith', '{ email: { startsWith: "info@" } }', ['c1']],
    ['endsWith', '{ name: { endsWith: "Health" } }', ['c5']],
    ['exists: true', '{ email: { exists: true } }', ['c1', 'c2', 'c4']],
    ['exists: false', '{ email: { exists: false } }', ['c3', 'c5']],
    ['enum eq', '{ industry: { eq: Retail } }', ['c3']],
    ['enum in', '{ industry: { in: [Banking, Energy] } }', ['c1', 'c4']],
    ['nested object field', '{ address: { city: { startsWith: "B" } } }', ['c2']],
    ['inherited property and id together', '{ country: { eq: "NL" }, id: { ne: "c1" } }', ['c3']],
    ['id in', '{ id: { in: ["c2", "c5", "e1"] } }', ['c2', 'c5']],
    ['AND', '{ AND: [{ country: { eq: "NL" } }, { email: { exists: true } }] }', ['c1']],
    ['OR', '{ OR: [{ industry: { eq: Banking } }, { country: { eq: "FR" } }] }', ['c1', 'c4']],
    ['NOT (a missing value is not equal)', '{ NOT: { country: { eq: "NL" } } }', ['c2', 'c4', 'c5']],
    [
      'nested AND/OR/NOT',
      '{ OR: [{ AND: [{ country: { eq: "NL" } }, { NOT: { email: { exists: true } } }] }, { name: { eq: "Echo Health" } }] }',
      ['c3', 'c5'],
    ],
  ])('clients(where: %s)', async (_label, where, expected) => {
    const data = await t.ok(`{ clients(where: ${where}, orderBy: [{ id: ASC }]) { nodes { id } } }`);
    expect(ids(data.clients)).toEqual(expected);
  });

  it.each([
    ['gt', '{ budget: { gt: 50000 } }', ['g1', 'g4']],
    ['lte', '{ budget: { lte: 50000 } }', ['g2', 'g3']],
    ['in', '{ budget: { in: [20000, 300000] } }', ['g3', 'g4']],
    ['enum ne', '{ status: { ne: Active } }', ['g2', 'g3']],
    ['date', '{ startDate: { gte: "2023-01-01" } }', ['g1']],
  ])('engagements(where: %s) on numbers, enums and dates', async (_label, where, expected) => {
    const data = await t.ok(`{ engagements(where: ${where}, orderBy: [{ id: ASC }]) { nodes { id } } }`);
    expect(ids(data.engagements)).toEqual(expected);
  });

  it.each([
    ['some', '{ hasEngagement: { some: { status: { eq: Active } } } }', ['c1', 'c4']],
    ['none', '{ hasEngagement: { none: { status: { eq: Active } } } }', ['c2', 'c3', 'c5']],
    ['all (true when there are none)', '{ hasEngagement: { all: { status: { eq: Active } } } }', ['c2', 'c4', 'c5']],
    [
      'some with an edge filter',
      '{ hasEngagement: { some: { budget: { gte: 50000 } }, edge: { since: { lt: "2023-01-01" } } } }',
      ['c1', 'c4'],
    ],
    ['edge alone', '{ hasEngagement: { edge: { since: { gte: "2024-01-01" } } } }', ['c3']],
    ['two hops', '{ hasEngagement: { some: { covers: { some: { assetType: { eq: DataCentre } } } } } }', ['c1']],
  ])('relationship filter %s', async (_label, where, expected) => {
    const data = await t.ok(`{ clients(where: ${where}, orderBy: [{ id: ASC }]) { nodes { id } } }`);
    expect(ids(data.clients)).toEqual(expected);
  });
});

describe('sorting', () => {
  it('on a scalar, descending', async () => {
    const data = await t.ok('{ clients(orderBy: [{ name: DESC }]) { nodes { id } } }');
    expect(ids(data.clients)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
  });

  it('on a field of an object property, missing values last ascending and first descending', async () => {
    const data = await t.ok(
      '{ up: clients(orderBy: [{ address: { city: ASC } }]) { nodes { id } } down: clients(orderBy: [{ address: { city: DESC } }]) { nodes { id } } }',
    );
    expect(ids(data.up)).toEqual(['c1', 'c2', 'c4', 'c3', 'c5']);
    expect(ids(data.down)).toEqual(['c5', 'c3', 'c4', 'c2', 'c1']);
  });

  it('on several keys in turn', async () => {
    const data = await t.ok('{ parties(orderBy: [{ country: ASC }, { name: DESC }]) { nodes { id } } }');
    // DE c2; FR c4; NL c3, c1 and e1 by name descending; then the ones without a country, by name descending.
    expect(ids(data.parties)).toEqual(['c2', 'c4', 'e1', 'c3', 'c1', 'p1', 'e2', 'c5']);
  });

  it('refuses an orderBy entry naming two fields', async () => {
    const [error] = await t.fails('{ clients(orderBy: [{ name: ASC, country: ASC }]) { nodes { id } } }');
    expect(error.extensions?.code).toBe('InvalidArgument');
  });
});

describe('Relay paging', () => {
  const all = ['c1', 'c2', 'c3', 'c4', 'c5', 'e1', 'e2', 'p1'];
  const page = `query ($first: Int, $after: String, $last: Int, $before: String) {
    parties(first: $first, after: $after, last: $last, before: $before, orderBy: [{ name: ASC }]) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id } }
    }
  }`;
  type Page = {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    edges: { cursor: string; node: { id: string } }[];
  };

  it('forward with first/after, to the end', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    const pages: Page[] = [];
    for (;;) {
      const { parties } = await t.ok<{ parties: Page }>(page, { first: 3, ...(after && { after }) });
      pages.push(parties);
      expect(parties.totalCount).toBe(8);
      seen.push(...parties.edges.map((e) => e.node.id));
      expect(parties.pageInfo.startCursor).toBe(parties.edges[0].cursor);
      expect(parties.pageInfo.endCursor).toBe(parties.edges[parties.edges.length - 1].cursor);
      if (!parties.pageInfo.hasNextPage) break;
      after = parties.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 2]);
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
  });

  it('backward with last/before, to the start', async () => {
    const seen: string[] = [];
    let before: string | undefined;
    const pages: Page[] = [];
    for (;;) {
      const { parties } = await t.ok<{ parties: Page }>(page, { last: 3, ...(before && { before }) });
      pages.push(parties);
      seen.unshift(...parties.edges.map((e) => e.node.id));
      if (!parties.pageInfo.hasPreviousPage) break;
      before = parties.pageInfo.startCursor;
    }
    expect(seen).toEqual(all);
    expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 2]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([false, true, true]);
  });

  it('refuses a page size out of range', async () => {
    const [error] = await t.fails('{ clients(first: -1) { nodes { id } } }');
    expect(error.extensions?.code).toBe('InvalidArgument');
  });

  it('refuses a cursor that is not one', async () => {
    const [error] = await t.fails(page, { first: 2, after: 'not-a-cursor' });
    expect(error.extensions?.code).toBe('InvalidCursor');
  });
});

describe('traversal', () => {
  it('follows relationships several levels down, with edge properties, filters and ordering at each level (totalCount counts what the filter keeps)', async () => {
    const data = await t.ok(`{
      clients(where: { id: { eq: "c1" } }) {
        nodes {
          name
          hasEngagement(orderBy: [{ title: DESC }]) {
            totalCount
            edges {
              relationship { id since }
              node {
                title
                covers(where: { assetType: { eq: DataCentre } }) {
                  totalCount
                  edges { relationship { scope } node { name hosts { nodes { id ... on Device { deviceType } } } } }
                }
                ledBy { nodes { id name } }
              }
            }
          }
        }
      }
    }`);
    expect(data.clients.nodes).toEqual([
      {
        name: 'Acme Bank',
        hasEngagement: {
          totalCount: 2,
          edges: [
            {
              relationship: { id: 'c1/relationships/c1-hasEngagement-g1', since: '2023-01-01' },
              node: {
                title: 'Core banking',
                covers: {
                  totalCount: 1,
                  edges: [
                    {
                      relationship: { scope: 'partial' },
                      node: { name: 'DC West', hosts: { nodes: [{ id: 'd3', deviceType: 'rack' }] } },
                    },
                  ],
                },
                ledBy: { nodes: [{ id: 'e1', name: 'Eve Jansen' }] },
              },
            },
            {
              relationship: { id: 'c1/relationships/c1-hasEngagement-g2', since: '2022-06-01' },
              node: { title: 'Claims', covers: { totalCount: 0, edges: [] }, ledBy: { nodes: [] } },
            },
          ],
        },
      },
    ]);
  });

  it('follows relationships backwards with the <name>Inverse fields', async () => {
    const data = await t.ok(`{
      devices(where: { id: { in: ["d1", "d4"] } }, orderBy: [{ id: ASC }]) {
        nodes {
          id
          hostsInverse {
            totalCount
            nodes {
              id
              ... on Asset {
                name
                coversInverse { nodes { id ... on Engagement { title hasEngagementInverse { nodes { ... on Client { name } } } } } }
              }
            }
          }
        }
      }
    }`);
    expect(data.devices.nodes).toEqual([
      {
        id: 'd1',
        hostsInverse: {
          totalCount: 1,
          nodes: [
            {
              id: 'a1',
              name: 'HQ',
              coversInverse: {
                nodes: [{ id: 'g1', title: 'Core banking', hasEngagementInverse: { nodes: [{ name: 'Acme Bank' }] } }],
              },
            },
          ],
        },
      },
      {
        id: 'd4',
        hostsInverse: {
          totalCount: 1,
          nodes: [
            {
              id: 'a2',
              name: 'Plant 7',
              coversInverse: {
                nodes: [{ id: 'g4', title: 'Grid', hasEngagementInverse: { nodes: [{ name: 'Delta Energy' }] } }],
              },
            },
          ],
        },
      },
    ]);
  });

  it('filters the inverse side with the generic twin filter', async () => {
    const data = await t.ok(
      '{ twin(id: "e1") { ... on Employee { ledByInverse(where: { properties: [{ path: "status", eq: "active" }] }) { nodes { id } } } } }',
    );
    expect(data.twin.ledByInverse.nodes).toEqual([{ id: 'g1' }]);
  });

  it('pages related twins forward and backward at every level, for every parent', async () => {
    const query = `query ($after: String, $before: String) {
      clients(where: { id: { in: ["c1", "c4"] } }, orderBy: [{ id: ASC }]) {
        nodes {
          id
          first: hasEngagement(first: 1, orderBy: [{ title: ASC }]) { pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id } }
          next: hasEngagement(first: 1, after: $after, orderBy: [{ title: ASC }]) { pageInfo { hasNextPage hasPreviousPage } nodes { id } }
          last: hasEngagement(last: 1, before: $before, orderBy: [{ title: ASC }]) { pageInfo { hasNextPage hasPreviousPage startCursor } nodes { id } }
        }
      }
    }`;
    const firstPage = await t.ok(query);
    const [c1, c4] = firstPage.clients.nodes;
    // Claims < Core banking
    expect(c1.first).toEqual({
      pageInfo: { hasNextPage: true, hasPreviousPage: false, endCursor: expect.any(String) },
      nodes: [{ id: 'g2' }],
    });
    expect(c4.first).toEqual({
      pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: expect.any(String) },
      nodes: [{ id: 'g4' }],
    });
    expect(c1.last.nodes).toEqual([{ id: 'g1' }]);
    expect(c1.last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });

    const after = await t.ok(query, { after: c1.first.pageInfo.endCursor, before: c1.last.pageInfo.startCursor });
    const c1Next = after.clients.nodes[0];
    expect(c1Next.next).toEqual({ pageInfo: { hasNextPage: false, hasPreviousPage: true }, nodes: [{ id: 'g1' }] });
    expect(c1Next.last.nodes).toEqual([{ id: 'g2' }]);
    expect(c1Next.last.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('a nested connection refuses a negative first, like a root list does', async () => {
    const result = await t.gql('{ twin(id: "c1") { ... on Client { hasEngagement(first: -1) { nodes { id } } } } }');
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['InvalidArgument']);
  });

  it("pages a nested level with a cursor and still returns the edges' relationships", async () => {
    const first = await t.ok(
      '{ twin(id: "g1") { ... on Engagement { covers(first: 1, orderBy: [{ name: ASC }]) { pageInfo { endCursor } edges { relationship { scope } node { id } } } } } }',
    );
    expect(first.twin.covers.edges).toEqual([{ relationship: { scope: 'partial' }, node: { id: 'a3' } }]);
    const next = await t.ok(
      'query ($after: String) { twin(id: "g1") { ... on Engagement { covers(first: 1, after: $after, orderBy: [{ name: ASC }]) { pageInfo { hasNextPage } edges { relationship { id scope } node { id } } } } } }',
      {
        after: first.twin.covers.pageInfo.endCursor,
      },
    );
    expect(next.twin.covers).toEqual({
      pageInfo: { hasNextPage: false },
      edges: [{ relationship: { id: 'g1/relationships/g1-covers-a1', scope: 'full' }, node: { id: 'a1' } }],
    });
  });
});

describe('components', () => {
  it('read as nested objects, filter and sort on their properties', async () => {
    const data = await t.ok(`{
      all: devices(orderBy: [{ id: ASC }]) { nodes { id diagnostics { errorCount lastError } } }
      failing: devices(where: { diagnostics: { errorCount: { gt: 0 } } }, orderBy: [{ diagnostics: { errorCount: DESC } }]) { nodes { id } }
    }`);
    expect(data.all.nodes).toEqual([
      { id: 'd1', diagnostics: { errorCount: 3, lastError: 'E42' } },
      { id: 'd2', diagnostics: { errorCount: 0, lastError: null } },
      { id: 'd3', diagnostics: { errorCount: 1, lastError: null } },
      { id: 'd4', diagnostics: { errorCount: null, lastError: null } },
    ]);
    expect(ids(data.failing)).toEqual(['d1', 'd3']);
  });
});

describe('the change log', () => {
  it('changes(after, first) pages it in seq order', async () => {
    const all = await t.ok('{ changes(after: 0, first: 1000) { seq type subject } }');
    expect(all.changes.length).toBeGreaterThan(20);
    expect(all.changes.map((c: { seq: number }) => c.seq)).toEqual(all.changes.map((_: unknown, i: number) => i + 1));
    expect(all.changes[0]).toMatchObject({ type: 'MODEL_CREATE' });
    const page = await t.ok('{ changes(after: 5, first: 3) { seq } }');
    expect(page.changes).toEqual([{ seq: 6 }, { seq: 7 }, { seq: 8 }]);
  });

  it('first: 0 is an empty page, and a page larger than one read is InvalidArgument', async () => {
    expect(await t.ok('{ changes(after: 0, first: 0) { seq } }')).toEqual({ changes: [] });
    const [error] = await t.fails('{ changes(after: 0, first: 20000) { seq } }');
    expect(error.extensions?.code).toBe('InvalidArgument');
  });
});
