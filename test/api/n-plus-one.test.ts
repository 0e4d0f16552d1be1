/**
 * N+1: nested fields are served by per-request DataLoaders (one batched store call per level), so the number
 * of store round trips of a nested query is the same over 10 twins as over 1,000. Counted on the real store
 * through a Proxy that counts every TwinStore method call the app makes.
 */
import type { RelationshipWrite, TwinWrite } from '../../src/store/port';
import { M, twinInput, useTestApp } from '../support/api-harness';

// Store round trips are what these queries test, over 1,000 clients with unpaged nested listings: the cost limit
// (cost.test.ts) is set out of the way.
const t = useTestApp({ env: { TWINGRAPH_MAX_COST: '1000000000' } });

const CLIENTS = 1000;
const ENGAGEMENTS_PER_CLIENT = 2;
const ASSETS = 300;
const DEVICES = 600;
const pad = (n: number): string => String(n).padStart(4, '0');

beforeAll(async () => {
  const twins: TwinWrite[] = [];
  const relationships: RelationshipWrite[] = [];
  const rel = (
    sourceId: string,
    name: string,
    targetId: string,
    properties: Record<string, string> = {},
  ): RelationshipWrite => ({
    sourceId,
    relationshipId: `${name}-${targetId}`,
    relationship: { $targetId: targetId, $relationshipName: name, ...properties },
  });
  for (let d = 0; d < DEVICES; d++)
    twins.push({ id: `d${pad(d)}`, twin: twinInput(M.device, { deviceType: 'sensor' }) });
  for (let a = 0; a < ASSETS; a++) {
    twins.push({ id: `a${pad(a)}`, twin: twinInput(M.asset, { name: `Asset ${a}` }) });
    for (let k = 0; k < 4; k++) relationships.push(rel(`a${pad(a)}`, 'hosts', `d${pad((a * 2 + k) % DEVICES)}`));
  }
  for (let c = 0; c < CLIENTS; c++) {
    twins.push({ id: `c${pad(c)}`, twin: twinInput(M.client, { name: `Client ${c}` }) });
    for (let e = 0; e < ENGAGEMENTS_PER_CLIENT; e++) {
      const engagement = `g${pad(c)}-${e}`;
      twins.push({ id: engagement, twin: twinInput(M.engagement, { title: `Engagement ${c}.${e}` }) });
      relationships.push(rel(`c${pad(c)}`, 'hasEngagement', engagement, { since: '2024-01-01' }));
      for (let k = 0; k < 2; k++)
        relationships.push(rel(engagement, 'covers', `a${pad((c * 7 + e * 3 + k) % ASSETS)}`));
    }
  }
  for (let i = 0; i < twins.length; i += 2000) await t.store.createTwins(twins.slice(i, i + 2000));
  for (let i = 0; i < relationships.length; i += 2000) await t.store.putRelationships(relationships.slice(i, i + 2000));
  // The change feed reads what the seeding committed; let it finish before counting.
  await t.instrumented.settle();
});

/** Runs a query and returns its data and the store calls it made, by method. */
async function counted(
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data: Record<string, any>; calls: Record<string, number>; total: number }> {
  await t.instrumented.settle();
  t.instrumented.reset();
  const data = await t.ok(query, variables);
  const calls = Object.fromEntries(t.instrumented.calls);
  return { data, calls, total: t.instrumented.total };
}

describe('store round trips of a nested query do not grow with the number of twins', () => {
  it('three levels of relationships under a list: the same over 10 clients as over 1,000', async () => {
    const query = `query ($n: Int) {
      clients(first: $n, orderBy: [{ id: ASC }]) {
        nodes { id hasEngagement(first: 5) { nodes { id covers(first: 5) { nodes { id hosts(first: 3) { totalCount } } } } } }
      }
    }`;
    const small = await counted(query, { n: 10 });
    const large = await counted(query, { n: CLIENTS });

    expect(small.data.clients.nodes).toHaveLength(10);
    expect(large.data.clients.nodes).toHaveLength(CLIENTS);
    const first = large.data.clients.nodes[0];
    expect(first.hasEngagement.nodes).toHaveLength(ENGAGEMENTS_PER_CLIENT);
    expect(first.hasEngagement.nodes[0].covers.nodes).toHaveLength(2);
    expect(first.hasEngagement.nodes[0].covers.nodes[0].hosts.totalCount).toBe(4);

    expect(large.calls).toEqual(small.calls);
    expect(large.total).toBe(small.total);
    // One list query, then one batched call per nested level (neighbours, and the counts for totalCount).
    expect(small.total).toBeLessThanOrEqual(6);
  });

  it('relationship listings, edges, inverse fields, counts and twin lookups: the same over 10 clients as over 1,000', async () => {
    const query = `query ($n: Int) {
      clients(first: $n) {
        totalCount
        nodes {
          id
          relationships { id target { id ... on Engagement { title } } }
          hasEngagement(first: 2) {
            totalCount
            edges {
              relationship { since source { id } }
              node { id hasEngagementInverse(first: 1) { totalCount nodes { id } } covers(first: 1) { nodes { ... on Asset { name } } } }
            }
          }
        }
      }
    }`;
    const small = await counted(query, { n: 10 });
    const large = await counted(query, { n: CLIENTS });
    expect(large.data.clients.nodes).toHaveLength(CLIENTS);
    const node = large.data.clients.nodes[5];
    expect(node.relationships).toHaveLength(ENGAGEMENTS_PER_CLIENT);
    expect(node.hasEngagement.edges[0].node.hasEngagementInverse).toEqual({ totalCount: 1, nodes: [{ id: node.id }] });
    expect(node.hasEngagement.edges[0].relationship.source).toEqual({ id: node.id });
    expect(large.calls).toEqual(small.calls);
  });

  it('a DataLoader lives for one request: the next request sees a change made in between', async () => {
    const query = '{ twin(id: "c0001") { ... on Client { name } } }';
    expect((await t.ok(query)).twin.name).toBe('Client 1');
    await t.store.patchTwin('c0001', [{ op: 'replace', path: '/name', value: 'Renamed' }]);
    expect((await t.ok(query)).twin.name).toBe('Renamed');
  });

  it("a mutation's result fields see its own write, though the request read the twin before it", async () => {
    const data = await t.ok(`mutation {
      before: updateClient(id: "c0002", input: {}) { ... on Client { name } }
      rename: updateClient(id: "c0002", input: { name: "After" }) { ... on Client { name } }
      after: updateClient(id: "c0002", input: {}) { ... on Client { name } }
    }`);
    expect(data).toEqual({ before: { name: 'Client 2' }, rename: { name: 'After' }, after: { name: 'After' } });
  });
});
