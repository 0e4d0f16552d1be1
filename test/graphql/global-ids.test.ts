/**
 * Relay's Global Object Identification over HTTP: every twin, relationship and model is a `Node` whose `id`
 * no other object shares, so that a normalized client cache keyed by `__typename:id` (Apollo's default) never
 * merges two of them; `node(id)` and `nodes(ids)` fetch any of them again by that id alone.
 */
import { M, useTestApp } from '../support/api-harness';
import { seedDemoGraph } from '../api/fixtures';

const t = useTestApp();
beforeAll(async () => {
  await seedDemoGraph(t.store);
  // The same relationship id from two sources: unique only per source, as ADT has it.
  await t.ok(`mutation {
    a: createRelationship(sourceId: "g1", id: "covers-shared", name: "covers", targetId: "a2") { id }
    b: createRelationship(sourceId: "g4", id: "covers-shared", name: "covers", targetId: "a1") { id }
  }`);
});

describe('global ids', () => {
  it('keep a twin its own readable id', async () => {
    const data = await t.ok('{ twin(id: "c1") { __typename id } }');
    expect(data.twin).toEqual({ __typename: 'ClientTwin', id: 'c1' });
  });

  it('give relationships with the same ADT id from different sources different ids, the ADT id beside', async () => {
    const data = await t.ok(`{
      g1: twin(id: "g1") { ... on Engagement { covers { edges { relationship { __typename id relationshipId sourceId } } } } }
      g4: twin(id: "g4") { ... on Engagement { covers { edges { relationship { __typename id relationshipId sourceId } } } } }
    }`);
    const shared = [data.g1, data.g4].map((e: { covers: { edges: { relationship: { relationshipId: string } }[] } }) =>
      e.covers.edges.map((edge) => edge.relationship).find((r) => r.relationshipId === 'covers-shared'),
    );
    expect(shared).toEqual([
      {
        __typename: 'EngagementCoversRelationship',
        id: 'g1/relationships/covers-shared',
        relationshipId: 'covers-shared',
        sourceId: 'g1',
      },
      {
        __typename: 'EngagementCoversRelationship',
        id: 'g4/relationships/covers-shared',
        relationshipId: 'covers-shared',
        sourceId: 'g4',
      },
    ]);
  });

  it('are the same on the generic Relationship type', async () => {
    const data = await t.ok('{ relationship(sourceId: "g1", id: "covers-shared") { __typename id relationshipId } }');
    expect(data.relationship).toEqual({
      __typename: 'Relationship',
      id: 'g1/relationships/covers-shared',
      relationshipId: 'covers-shared',
    });
  });

  it('fetch a twin, a relationship and a model again with node and nodes, null for an id of nothing', async () => {
    const data = await t.ok(`{
      twin: node(id: "g1") { __typename id ... on Engagement { title } }
      relationship: node(id: "g4/relationships/covers-shared") { __typename id ... on Relationship { targetId } }
      model: node(id: "${M.client}") { __typename id ... on Model { graphqlType } }
      nothing: node(id: "nobody") { id }
      all: nodes(ids: ["c1", "nobody", "g1/relationships/covers-shared"]) { __typename id }
    }`);
    expect(data).toEqual({
      twin: { __typename: 'EngagementTwin', id: 'g1', title: 'Core banking' },
      relationship: { __typename: 'Relationship', id: 'g4/relationships/covers-shared', targetId: 'a1' },
      model: { __typename: 'Model', id: M.client, graphqlType: 'Client' },
      nothing: null,
      all: [
        { __typename: 'ClientTwin', id: 'c1' },
        null,
        { __typename: 'Relationship', id: 'g1/relationships/covers-shared' },
      ],
    });
  });

  it('are what deleteRelationship answers with, to evict from a cache', async () => {
    await t.ok(
      'mutation { createRelationship(sourceId: "c4", id: "tmp", name: "hasEngagement", targetId: "g3") { id } }',
    );
    const data = await t.ok('mutation { deleteRelationship(sourceId: "c4", id: "tmp") { id deleted } }');
    expect(data.deleteRelationship).toEqual({ id: 'c4/relationships/tmp', deleted: true });
  });
});
