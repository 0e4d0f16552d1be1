/**
 * Subscriptions over graphql-ws: every change after the start, in order; filtered by model (subtypes
 * included), twin ids and property paths; relationship, telemetry and model changes; and resuming after a
 * disconnect with `since`, without a gap or a repeat.
 */
import { M, useTestApp, waitUntil } from '../support/api-harness';

const t = useTestApp();

const createClient = `mutation ($id: ID!, $name: String, $industry: Industry) { createClient(id: $id, input: { name: $name, industry: $industry }) { id etag } }`;
const renameClient = `mutation ($id: ID!, $name: String) { updateClient(id: $id, input: { name: $name }) { id name } }`;

async function settle(ms = 150): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('resuming with since', () => {
  it('a subscription that disconnects, misses 100 writes and resumes with since gets all 100 in order, then live ones', async () => {
    await t.ok(createClient, { id: 'resume-1', name: 'v0' });
    const query =
      'subscription ($since: Long) { twinChanged(twinIds: ["resume-1"], since: $since) { seq type twin { ... on Client { name } } } }';

    const first = t.wsClient();
    const before = await t.subscribe(query, {}, first);
    for (const name of ['v1', 'v2', 'v3']) await t.ok(renameClient, { id: 'resume-1', name });
    const seen = await before.waitFor(3);
    expect(seen.map((e) => e.twin.name)).toEqual(['v1', 'v2', 'v3']);
    const lastSeq = seen[2].seq as number;
    expect(typeof lastSeq).toBe('number');

    await first.dispose();

    for (let i = 0; i < 100; i++) await t.ok(renameClient, { id: 'resume-1', name: `missed-${i}` });

    const resumed = await t.subscribe(query, { since: lastSeq });
    const replayed = await resumed.waitFor(100);
    await settle();
    expect(replayed).toHaveLength(100);
    expect(replayed.map((e) => e.twin.name)).toEqual(Array.from({ length: 100 }, (_, i) => `missed-${i}`));
    expect(replayed.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => lastSeq + 1 + i));
    expect(new Set(replayed.map((e) => e.type))).toEqual(new Set(['TWIN_UPDATE']));

    // Then it is live.
    await t.ok(renameClient, { id: 'resume-1', name: 'live' });
    const all = await resumed.waitFor(101);
    expect(all[100]).toEqual({ seq: lastSeq + 101, type: 'TWIN_UPDATE', twin: { name: 'live' } });
    resumed.stop();
  });

  it('refuses a since beyond the newest change with InvalidArgument', async () => {
    const received = await t.subscribe('subscription { twinChanged(since: 999999999) { seq } }');
    await received.ended();
    expect(received.events).toEqual([]);
    expect(received.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'InvalidArgument' }) }),
    ]);
  });
});

describe('leaving', () => {
  it('the server lets go of a subscription whose client unsubscribes, at once', async () => {
    await t.ok(createClient, { id: 'leave-1', name: 'leave' });
    const client = t.wsClient();
    const count = t.subscriberCount;
    const received = await t.subscribe('subscription { twinChanged(twinIds: ["leave-1"]) { seq } }', {}, client);
    expect(t.subscriberCount).toBe(count + 1);
    received.stop();
    // No further change of leave-1 is coming: the server must not wait for one to notice.
    await waitUntil(() => t.subscriberCount === count, 'the server ends the unsubscribed subscription');
  });

  it('the server lets go of the subscriptions of a client that disconnects, at once', async () => {
    await t.ok(createClient, { id: 'leave-2', name: 'leave' });
    const client = t.wsClient();
    const count = t.subscriberCount;
    await t.subscribe('subscription { twinChanged(twinIds: ["leave-2"]) { seq } }', {}, client);
    await t.subscribe('subscription { relationshipChanged(twinIds: ["leave-2"]) { seq } }', {}, client);
    expect(t.subscriberCount).toBe(count + 2);
    await client.dispose();
    await waitUntil(() => t.subscriberCount === count, "the server ends the disconnected client's subscriptions");
  });
});

describe('twinChanged', () => {
  it('carries seq, type, time, subject, modelId, the patch and the new state typed by its model', async () => {
    const received = await t.subscribe(`subscription {
      twinChanged(twinIds: ["shape-1"]) {
        seq type time subject modelId twinId patch body
        twin { __typename id ... on Client { name industry } }
      }
    }`);
    const seqBefore = await t.latestSeq();
    await t.ok(createClient, { id: 'shape-1', name: 'Shape', industry: 'Retail' });
    await t.ok(renameClient, { id: 'shape-1', name: 'Shape 2' });
    await t.ok('mutation { deleteTwin(id: "shape-1") { deleted } }');
    const [created, updated, deleted] = await received.waitFor(3);
    expect(created).toEqual({
      seq: seqBefore + 1,
      type: 'TWIN_CREATE',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      subject: 'shape-1',
      modelId: M.client,
      twinId: 'shape-1',
      patch: null,
      body: expect.objectContaining({ $dtId: 'shape-1', name: 'Shape', industry: 'retail' }),
      twin: { __typename: 'ClientTwin', id: 'shape-1', name: 'Shape', industry: 'Retail' },
    });
    expect(updated).toMatchObject({
      seq: seqBefore + 2,
      type: 'TWIN_UPDATE',
      subject: 'shape-1',
      modelId: M.client,
      patch: [{ op: 'add', path: '/name', value: 'Shape 2' }],
      twin: { id: 'shape-1', name: 'Shape 2', industry: 'Retail' },
    });
    expect(deleted).toMatchObject({
      seq: seqBefore + 3,
      type: 'TWIN_DELETE',
      subject: 'shape-1',
      modelId: M.client,
      twin: null,
    });
    received.stop();
  });

  it('filtered by a model gets the changes of its subtypes too, and nothing else', async () => {
    const received = await t.subscribe(
      'subscription { twinChanged(models: ["dtmi:twingraph:demo:Party;1"]) { subject modelId twin { __typename ... on Party { name } } } }',
    );
    await t.ok('mutation { createAsset(id: "m-asset", input: { name: "not a party" }) { id } }');
    await t.ok(createClient, { id: 'm-client', name: 'A client' });
    await t.ok('mutation { createEmployee(id: "m-employee", input: { name: "An employee", role: Analyst }) { id } }');
    await t.ok('mutation { createParty(id: "m-party", input: { name: "A party" }) { id } }');
    const events = await received.waitFor(3);
    await settle();
    expect(received.events).toEqual([
      { subject: 'm-client', modelId: M.client, twin: { __typename: 'ClientTwin', name: 'A client' } },
      { subject: 'm-employee', modelId: M.employee, twin: { __typename: 'EmployeeTwin', name: 'An employee' } },
      { subject: 'm-party', modelId: M.party, twin: { __typename: 'PartyTwin', name: 'A party' } },
    ]);
    expect(events).toHaveLength(3);
    received.stop();
  });

  it("filtered by twin ids gets only those twins' changes", async () => {
    await t.ok(createClient, { id: 'ids-1', name: 'one' });
    await t.ok(createClient, { id: 'ids-2', name: 'two' });
    const received = await t.subscribe(
      'subscription { twinChanged(twinIds: ["ids-2"]) { subject twin { ... on Client { name } } } }',
    );
    await t.ok(renameClient, { id: 'ids-1', name: 'one!' });
    await t.ok(renameClient, { id: 'ids-2', name: 'two!' });
    await t.ok(renameClient, { id: 'ids-1', name: 'one!!' });
    await received.waitFor(1);
    await settle();
    expect(received.events).toEqual([{ subject: 'ids-2', twin: { name: 'two!' } }]);
    received.stop();
  });

  it('filtered by property paths gets the updates that touch them', async () => {
    await t.ok(createClient, { id: 'paths-1', name: 'before' });
    const received = await t.subscribe(
      'subscription { twinChanged(twinIds: ["paths-1"], paths: ["/email", "/address/city"]) { type patch } }',
    );
    await t.ok(renameClient, { id: 'paths-1', name: 'renamed' });
    await t.ok('mutation { updateClient(id: "paths-1", input: { email: "x@example.com" }) { id } }');
    await t.ok('mutation { updateClient(id: "paths-1", input: { country: "NL" }) { id } }');
    await t.ok('mutation { updateClient(id: "paths-1", input: { address: { city: "Leiden" } }) { id } }');
    await received.waitFor(2);
    await settle();
    expect(received.events).toEqual([
      { type: 'TWIN_UPDATE', patch: [{ op: 'add', path: '/email', value: 'x@example.com' }] },
      { type: 'TWIN_UPDATE', patch: [{ op: 'add', path: '/address', value: { city: 'Leiden' } }] },
    ]);
    received.stop();
  });
});

describe('relationshipChanged, metricRecorded, modelChanged', () => {
  it('relationshipChanged reports creates, updates and deletes with the relationship', async () => {
    await t.ok(createClient, { id: 'rel-c', name: 'Rel client' });
    await t.ok('mutation { createEngagement(id: "rel-g", input: { title: "Rel engagement" }) { id } }');
    const received = await t.subscribe(
      'subscription { relationshipChanged(twinIds: ["rel-c"]) { type subject modelId relationshipId patch relationship { id name sourceId targetId properties } } }',
    );
    await t.ok(
      'mutation { createRelationship(sourceId: "rel-c", id: "r1", name: "hasEngagement", targetId: "rel-g", properties: { since: "2024-01-01" }) { id } }',
    );
    await t.ok(
      'mutation { updateRelationship(sourceId: "rel-c", id: "r1", patch: [{ op: replace, path: "/since", value: "2024-02-01" }]) { id } }',
    );
    await t.ok('mutation { deleteRelationship(sourceId: "rel-c", id: "r1") { deleted } }');
    const events = await received.waitFor(3);
    expect(events).toEqual([
      {
        type: 'RELATIONSHIP_CREATE',
        subject: 'rel-c/relationships/r1',
        modelId: M.client,
        relationshipId: 'r1',
        patch: null,
        relationship: {
          id: 'rel-c/relationships/r1',
          name: 'hasEngagement',
          sourceId: 'rel-c',
          targetId: 'rel-g',
          properties: { since: '2024-01-01' },
        },
      },
      {
        type: 'RELATIONSHIP_UPDATE',
        subject: 'rel-c/relationships/r1',
        modelId: M.client,
        relationshipId: 'r1',
        patch: [{ op: 'replace', path: '/since', value: '2024-02-01' }],
        relationship: {
          id: 'rel-c/relationships/r1',
          name: 'hasEngagement',
          sourceId: 'rel-c',
          targetId: 'rel-g',
          properties: { since: '2024-02-01' },
        },
      },
      {
        type: 'RELATIONSHIP_DELETE',
        subject: 'rel-c/relationships/r1',
        modelId: M.client,
        relationshipId: 'r1',
        patch: null,
        relationship: null,
      },
    ]);
    received.stop();
  });

  it('metricRecorded reports the points, filtered by telemetry name', async () => {
    await t.ok('mutation { createDevice(id: "metric-d", input: { deviceType: "fan" }) { id } }');
    const received = await t.subscribe(
      'subscription { metricRecorded(twinIds: ["metric-d"], names: ["temperature"]) { type subject modelId points { name time value } } }',
    );
    await t.ok(`mutation { recordMetrics(points: [
      { twinId: "metric-d", name: "vibration", time: "2024-05-01T10:00:00Z", value: 0.2 }
    ]) }`);
    await t.ok(`mutation { recordMetrics(points: [
      { twinId: "metric-d", name: "temperature", time: "2024-05-01T10:00:00Z", value: 21.5 },
      { twinId: "metric-d", name: "vibration", time: "2024-05-01T10:00:00Z", value: 0.3 }
    ]) }`);
    await received.waitFor(1);
    await settle();
    expect(received.events).toEqual([
      {
        type: 'TELEMETRY',
        subject: 'metric-d',
        modelId: M.device,
        points: [{ name: 'temperature', time: '2024-05-01T10:00:00.000Z', value: 21.5 }],
      },
    ]);
    received.stop();
  });

  it('modelChanged announces an upload', async () => {
    const received = await t.subscribe('subscription { modelChanged { type subject modelId } }');
    const upload = await t.ok(
      'mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id } } }',
      {
        documents: [
          {
            '@context': 'dtmi:dtdl:context;3',
            '@id': 'dtmi:test:Announced;1',
            '@type': 'Interface',
            contents: [{ '@type': 'Property', name: 'x', schema: 'double' }],
          },
        ],
      },
    );
    expect(upload.uploadModels.models).toEqual([{ id: 'dtmi:test:Announced;1' }]);
    const [event] = await received.waitFor(1);
    expect(event).toMatchObject({ type: 'MODEL_CREATE', modelId: 'dtmi:test:Announced;1' });
    received.stop();
  });

  it('several subscriptions on one connection each get their own changes', async () => {
    const client = t.wsClient();
    const twins = await t.subscribe('subscription { twinChanged(twinIds: ["multi-1"]) { type } }', {}, client);
    const everything = await t.subscribe('subscription { changed(twinIds: ["multi-1"]) { type subject } }', {}, client);
    await t.ok(createClient, { id: 'multi-1', name: 'multi' });
    await t.ok('mutation { createDevice(id: "multi-d", input: { deviceType: "x" }) { id } }');
    await t.ok(
      'mutation { createRelationship(sourceId: "multi-1", id: "r", name: "hasEngagement", targetId: "rel-g") { id } }',
    );
    await twins.waitFor(1);
    await everything.waitFor(2);
    await settle();
    expect(twins.events).toEqual([{ type: 'TWIN_CREATE' }]);
    expect(everything.events).toEqual([
      { type: 'TWIN_CREATE', subject: 'multi-1' },
      { type: 'RELATIONSHIP_CREATE', subject: 'multi-1/relationships/r' },
    ]);
  });
});
