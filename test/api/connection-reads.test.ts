/**
 * What a relationship connection asks the store for (issue 13). connection-selection.test.ts holds that the
 * answers are right whatever is read; a connection that reads too much answers the same, so this file holds
 * the reads themselves, through a spy on the store port's `neighbors`: one read per level of a query, batched
 * over every parent; the relationships only where some `edges { relationship }` is selected; one more than
 * `first` only where `pageInfo { hasNextPage }` is; and cursors, which the store has no part in, made from the twins read and
 * only where a client selects them.
 */
import * as storeQuery from '../../src/store/query';
import type { NeighborQuery } from '../../src/store/query';
import { useTestApp } from '../support/api-harness';
import { seedDemoGraph } from './fixtures';

const t = useTestApp();
beforeAll(() => seedDemoGraph(t.store));
afterEach(() => jest.restoreAllMocks());

const CLIENTS = ['c1', 'c2', 'c3', 'c4', 'c5'];

/** Runs `operation` and returns the neighbour reads it asked of the store, in order. */
async function neighborReads(operation: string): Promise<NeighborQuery[]> {
  // On the store behind the counting Proxy of t.store, which would hand back its own wrapper, not the spy.
  const spy = jest.spyOn(t.instrumented.target, 'neighbors');
  try {
    await t.ok(operation);
    return spy.mock.calls.map(([read]) => read);
  } finally {
    spy.mockRestore();
  }
}

/** The one read of a single-level operation; its ids sorted, as the order within a batch is no rule. */
async function onlyRead(operation: string): Promise<NeighborQuery> {
  const reads = await neighborReads(operation);
  expect(reads).toHaveLength(1);
  return { ...reads[0], ids: [...reads[0].ids].sort() };
}

/** Every client's engagements, five at most, with `selection` under the connection. */
const engagements = (selection: string): string =>
  `{ clients(first: 10) { nodes { id hasEngagement(first: 5) { ${selection} } } } }`;

describe("a relationship connection's store reads", () => {
  it('reads a level once for all its parents, the twins alone and first of each, when only nodes are selected', async () => {
    const read = await onlyRead(engagements('nodes { id }'));
    expect(read.ids).toEqual(CLIENTS);
    expect(read.hop).toMatchObject({ direction: 'out', names: ['hasEngagement'], withRelationships: false });
    expect(read.first).toBe(5);
  });

  it('reads one more than first when pageInfo { hasNextPage } is selected, and still no relationship', async () => {
    const read = await onlyRead(engagements('nodes { id } pageInfo { more: hasNextPage }'));
    expect(read.ids).toEqual(CLIENTS);
    expect(read.hop.withRelationships).toBe(false);
    expect(read.first).toBe(6);
  });

  it("reads the relationships when an edge's relationship is selected", async () => {
    const read = await onlyRead(engagements('edges { relationship { id } }'));
    expect(read.ids).toEqual(CLIENTS);
    // Absent means true (Hop.withRelationships): only an explicit false spares the read.
    expect(read.hop.withRelationships).not.toBe(false);
    expect(read.first).toBe(5);
  });

  it('asks the store nothing more for cursors, and makes them only where selected', async () => {
    // Cursors are encoded from the twins read (their order keys), so selecting them must not widen the read.
    // The spy sees calls from other modules only: the root list's own cursors (query.ts: toPage) are not counted.
    const encode = jest.spyOn(storeQuery, 'encodeCursor');
    const plain = await onlyRead(engagements('nodes { id }'));
    expect(encode).not.toHaveBeenCalled();
    const withCursors = await onlyRead(engagements('edges { cursor node { id } }'));
    expect(withCursors).toEqual(plain);
    // c1 has two engagements, c3 and c4 one each: one cursor per edge shown.
    expect(encode).toHaveBeenCalledTimes(4);
    encode.mockClear();
    const ends = await onlyRead(engagements('pageInfo { startCursor endCursor }'));
    // The ends of a page are among what it shows: no more is read for them than for the nodes.
    expect(ends).toEqual(plain);
    // Two per parent with any engagement, not one per engagement read.
    expect(encode).toHaveBeenCalledTimes(6);
  });

  it("pages on from a cursor without reading a relationship, unless an edge's relationship is selected", async () => {
    const target = t.instrumented.target;
    const first = await t.ok(`{ twin(id: "c1") { ... on Client { hasEngagement(first: 1) { edges { cursor } } } } }`);
    const after = first.twin.hasEngagement.edges[0].cursor as string;
    const paged = (selection: string): string =>
      `{ twin(id: "c1") { ... on Client { hasEngagement(first: 1, after: "${after}") { ${selection} } } } }`;
    // The page itself is a traversal; the relationships it came through would be a neighbour read of the parent.
    const listed = jest.spyOn(target, 'neighbors');
    const data = await t.ok(paged('nodes { id }'));
    expect(data.twin.hasEngagement.nodes).toEqual([{ id: 'g2' }]);
    expect(listed).not.toHaveBeenCalled();
    const withRelationship = await t.ok(paged('edges { cursor relationship { id } node { id } }'));
    expect(withRelationship.twin.hasEngagement.edges).toEqual([
      { cursor: expect.any(String), relationship: { id: 'c1/relationships/c1-hasEngagement-g2' }, node: { id: 'g2' } },
    ]);
    expect(listed).toHaveBeenCalledTimes(1);
  });

  it("reads a filtered, ordered connection in one call for all its parents, each operation's variables deciding its filter", async () => {
    const operation = `query ($budget: Float) { clients(first: 10) { nodes { id hasEngagement(first: 5, where: { budget: { gte: $budget } }, orderBy: [{ budget: DESC }]) { nodes { id } } } } }`;
    const engagementsOf = (data: {
      clients: { nodes: { id: string; hasEngagement: { nodes: { id: string }[] } }[] };
    }) => Object.fromEntries(data.clients.nodes.map((c) => [c.id, c.hasEngagement.nodes.map((n) => n.id)]));
    const spy = jest.spyOn(t.instrumented.target, 'neighbors');
    // The filter and order are made once for the operation, not per parent: the same document with other
    // variables must not get the first one's.
    expect(engagementsOf(await t.ok(operation, { budget: 0 }))).toEqual({
      c1: ['g1', 'g2'],
      c2: [],
      c3: ['g3'],
      c4: ['g4'],
      c5: [],
    });
    expect(engagementsOf(await t.ok(operation, { budget: 100_000 }))).toEqual({
      c1: ['g1'],
      c2: [],
      c3: [],
      c4: ['g4'],
      c5: [],
    });
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('reads the relationships wherever the selection merged at that place asks for them, though the filter is made once', async () => {
    // One field node (the fragment's) under two lists; under the second, a sibling merged with it selects the
    // relationships. What is made once per operation must not carry the first place's selection to the second.
    const data = await t.ok(`
      fragment F on Client { hasEngagement(first: 5, where: { budget: { gte: 0 } }) { edges { node { id } } } }
      {
        b: clients(first: 10) { nodes { id ...F } }
        a: clients(first: 10) { nodes { id ...F hasEngagement(first: 5, where: { budget: { gte: 0 } }) { edges { relationship { id } } } } }
      }`);
    const c1 = (list: { nodes: { id: string; hasEngagement: unknown }[] }) => list.nodes.find((n) => n.id === 'c1');
    expect(c1(data.b)?.hasEngagement).toEqual({ edges: [{ node: { id: 'g1' } }, { node: { id: 'g2' } }] });
    expect(c1(data.a)?.hasEngagement).toEqual({
      edges: [
        { node: { id: 'g1' }, relationship: { id: 'c1/relationships/c1-hasEngagement-g1' } },
        { node: { id: 'g2' }, relationship: { id: 'c1/relationships/c1-hasEngagement-g2' } },
      ],
    });
  });

  it("makes a root list's cursors only when an edge's cursor is selected", async () => {
    const target = t.instrumented.target;
    const query = target.queryTwins.bind(target);
    let made = 0;
    // The store's page encodes its cursors when `cursors` is first read: count the reads.
    jest.spyOn(target, 'queryTwins').mockImplementation(async (q) => {
      const page = await query(q);
      return new Proxy(page, {
        get: (page, key, receiver) => (key === 'cursors' && made++, Reflect.get(page, key, receiver)),
      });
    });
    await t.ok('{ clients(first: 10) { nodes { id } } }');
    await t.ok('{ clients(first: 10) { edges { node { id } } pageInfo { hasNextPage endCursor } } }');
    expect(made).toBe(0);
    const data = await t.ok('{ clients(first: 10) { edges { cursor } } }');
    expect(data.clients.edges).toHaveLength(5);
    expect(data.clients.edges.every((e: { cursor: unknown }) => typeof e.cursor === 'string')).toBe(true);
    expect(made).toBeGreaterThan(0);
  });

  it('reads a two-level traversal in one call per level, over every parent of that level', async () => {
    const reads = await neighborReads(
      `{ clients(first: 10) { nodes { id hasEngagement(first: 5) { nodes { id covers(first: 3) { nodes { id } } } } } } }`,
    );
    // Five clients, then the four engagements they lead to: a read per parent would be nine.
    expect(reads.map((r) => [r.hop.names, [...r.ids].sort(), r.first])).toEqual([
      [['hasEngagement'], CLIENTS, 5],
      [['covers'], ['g1', 'g2', 'g3', 'g4'], 3],
    ]);
  });
});
