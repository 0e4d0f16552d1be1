/**
 * Relationship connections read what the operation selects (issue 13): the relationships only where some
 * `edges { relationship }` asks for them, one more than `first` only where `pageInfo` asks whether more
 * exist, cursors only where selected. Whatever is left unread, every answer is the one a full read gives,
 * through aliases, fragments and the same field asked two ways on one parent.
 */
import { useTestApp } from '../support/api-harness';
import { seedDemoGraph } from './fixtures';

const t = useTestApp({ env: { TWINGRAPH_MAX_COST: '1000000000' } });
beforeAll(() => seedDemoGraph(t.store));

describe('a relationship connection', () => {
  it('answers nodes alone, edges with their relationships, and both under aliases of one field', async () => {
    const data = await t.ok(`{
      twin(id: "c1") {
        ... on Client {
          plain: hasEngagement { nodes { id } }
          full: hasEngagement { edges { cursor relationship { id since } node { id } } }
        }
      }
    }`);
    expect(data.twin.plain.nodes.map((n: { id: string }) => n.id)).toEqual(['g1', 'g2']);
    expect(
      data.twin.full.edges.map((e: { relationship: { id: string; since: string }; node: { id: string } }) => [
        e.node.id,
        e.relationship,
      ]),
    ).toEqual([
      ['g1', { id: 'c1/relationships/c1-hasEngagement-g1', since: '2023-01-01' }],
      ['g2', { id: 'c1/relationships/c1-hasEngagement-g2', since: '2022-06-01' }],
    ]);
    expect(data.twin.full.edges.every((e: { cursor: string }) => typeof e.cursor === 'string')).toBe(true);
  });

  it('finds the relationship selected in a fragment, and the pageInfo selected in another', async () => {
    const data = await t.ok(`
      query { clients(where: { id: { eq: "c1" } }) { nodes { ...Engagements } } }
      fragment Engagements on Client { hasEngagement(first: 1) { ...Edges ...Paging } }
      fragment Edges on ClientHasEngagementConnection { edges { relationship { since } } }
      fragment Paging on ClientHasEngagementConnection { pageInfo { hasNextPage endCursor } }
    `);
    const engagements = data.clients.nodes[0].hasEngagement;
    expect(engagements.edges).toEqual([{ relationship: { since: '2023-01-01' } }]);
    expect(engagements.pageInfo.hasNextPage).toBe(true);
    const next = await t.ok(
      `query($after: String) { twin(id: "c1") { ... on Client { hasEngagement(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage } } } } }`,
      { after: engagements.pageInfo.endCursor },
    );
    expect(next.twin.hasEngagement).toEqual({ nodes: [{ id: 'g2' }], pageInfo: { hasNextPage: false } });
  });

  it('says whether more exist at a page boundary, for every parent of a list', async () => {
    const data = await t.ok(`{
      clients(orderBy: [{ id: ASC }]) {
        nodes { id hasEngagement(first: 1) { nodes { id } pageInfo { hasNextPage startCursor endCursor } } }
      }
    }`);
    const byClient = Object.fromEntries(
      data.clients.nodes.map(
        (c: { id: string; hasEngagement: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } } }) => [
          c.id,
          [c.hasEngagement.nodes.map((n) => n.id), c.hasEngagement.pageInfo.hasNextPage],
        ],
      ),
    );
    expect(byClient.c1).toEqual([['g1'], true]);
    expect(byClient.c4).toEqual([['g4'], false]);
    expect(byClient.c2).toEqual([[], false]);
    const empty = data.clients.nodes.find((c: { id: string }) => c.id === 'c2').hasEngagement.pageInfo;
    expect(empty).toMatchObject({ startCursor: null, endCursor: null });
  });

  it('shows no more than first, with or without pageInfo', async () => {
    const data = await t.ok(`{
      twin(id: "g1") {
        ... on Engagement {
          a: covers(first: 1) { nodes { id } }
          b: covers(first: 1) { nodes { id } pageInfo { hasNextPage } }
          c: covers(first: 0) { nodes { id } totalCount }
        }
      }
    }`);
    expect(data.twin.a).toEqual({ nodes: [{ id: 'a1' }] });
    expect(data.twin.b).toEqual({ nodes: [{ id: 'a1' }], pageInfo: { hasNextPage: true } });
    expect(data.twin.c).toEqual({ nodes: [], totalCount: 2 });
  });
});
