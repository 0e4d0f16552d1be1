/**
 * Identities limited to some models (an API key's --models, a token's twingraph_models claim): twins of
 * other models behave as absent in every read — by id, in lists and their totals, through relationships —
 * are refused on write with FORBIDDEN, writing nothing, and their changes never reach the identity, neither
 * live nor through `since` replays nor `changes(after:)`.
 */
import { M, TestApp, waitUntil, type Received } from '../support/api-harness';
import { bearer, createKey, gqlAs, wsClientAs } from '../support/auth';

describe('an identity scoped to the Client model', () => {
  let t: TestApp;
  let scoped: string;
  let full: string;
  let seqBefore: number;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_AUTH: 'required' } }).start();
    scoped = bearer(await createKey(t.store, { name: 'crm', role: 'writer', models: [M.client] }));
    full = bearer(await createKey(t.store, { name: 'ops', role: 'writer' }));
    seqBefore = await t.latestSeq();
    for (const [id, model, properties] of [
      ['client-1', M.client, { name: 'Acme' }],
      ['client-2', M.client, { name: 'Globex' }],
      ['eng-1', M.engagement, { title: 'Audit' }],
    ] as const) {
      const r = await gqlAs(
        t.url,
        full,
        'mutation($id: ID!, $m: String!, $p: JSON) { createTwin(id: $id, modelId: $m, properties: $p) { id } }',
        { id, m: model, p: properties },
      );
      expect(r.errors).toBeUndefined();
    }
    const r = await gqlAs(
      t.url,
      full,
      'mutation { createRelationship(sourceId: "client-1", id: "e1", name: "hasEngagement", targetId: "eng-1") { id } }',
    );
    expect(r.errors).toBeUndefined();
  });
  afterAll(() => t?.close());

  const asScoped = (query: string, variables?: Record<string, unknown>) => gqlAs(t.url, scoped, query, variables);

  it('sees twins of its models (and their subtypes), and no others, by id', async () => {
    const { data } = await asScoped('{ a: twin(id: "client-1") { id } b: twin(id: "eng-1") { id } }');
    expect(data).toEqual({ a: { id: 'client-1' }, b: null });
  });

  it('counts and lists only its twins', async () => {
    const { data } = await asScoped(
      '{ twins(first: 50) { totalCount nodes { id } } engagements { totalCount nodes { id } } }',
    );
    expect(data!.twins.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['client-1', 'client-2']);
    expect(data!.twins.totalCount).toBe(2);
    expect(data!.engagements).toEqual({ totalCount: 0, nodes: [] });
  });

  it('does not reach out-of-scope twins through relationships', async () => {
    const { data } = await asScoped(
      '{ twin(id: "client-1") { ... on Client { hasEngagement { totalCount nodes { id } } } } }',
    );
    expect(data!.twin.hasEngagement).toEqual({ totalCount: 0, nodes: [] });
    const unscoped = await gqlAs(
      t.url,
      full,
      '{ twin(id: "client-1") { ... on Client { hasEngagement { totalCount } } } }',
    );
    expect(unscoped.data!.twin.hasEngagement.totalCount).toBe(1);
  });

  it('is refused writes to out-of-scope twins and models with FORBIDDEN, writing nothing', async () => {
    const before = await t.latestSeq();
    for (const [query, what] of [
      [
        'mutation { patchTwin(id: "eng-1", patch: [{ op: replace, path: "/title", value: "X" }]) { id } }',
        "twin 'eng-1'",
      ],
      [
        `mutation { createTwin(id: "eng-2", modelId: "${M.engagement}", properties: { title: "Y" }) { id } }`,
        `model '${M.engagement}'`,
      ],
      ['mutation { deleteTwin(id: "eng-1") { deleted } }', "twin 'eng-1'"],
      [
        'mutation { createRelationship(sourceId: "client-2", id: "e2", name: "hasEngagement", targetId: "eng-1") { id } }',
        "twin 'eng-1'",
      ],
    ]) {
      const { errors } = await asScoped(query);
      expect(errors![0]).toMatchObject({ message: expect.stringContaining(what), extensions: { code: 'FORBIDDEN' } });
    }
    expect(await t.latestSeq()).toBe(before);
    // Its own twins it may write.
    const ok = await asScoped(
      'mutation { patchTwin(id: "client-2", patch: [{ op: replace, path: "/name", value: "Globex AG" }]) { id } }',
    );
    expect(ok.errors).toBeUndefined();
  });

  it('reads only the changes of its twins in changes(after:)', async () => {
    const { data } = await asScoped(`{ changes(after: ${seqBefore}, first: 100) { subject } }`);
    const subjects: string[] = data!.changes.map((c: { subject: string }) => c.subject);
    expect(subjects).toEqual(expect.arrayContaining(['client-1', 'client-2', 'client-1/relationships/e1']));
    expect(subjects.filter((s) => s.startsWith('eng-'))).toEqual([]);
  });

  it('receives only the changes of its twins, live and replayed with since', async () => {
    const client = wsClientAs(t.url, scoped);
    const live = await t.subscribe('subscription { changed { subject } }', {}, client);
    const replay = await t.subscribe(`subscription { changed(since: ${seqBefore}) { subject } }`, {}, client);
    await gqlAs(
      t.url,
      full,
      'mutation { patchTwin(id: "eng-1", patch: [{ op: replace, path: "/title", value: "Z" }]) { id } }',
    );
    await gqlAs(
      t.url,
      full,
      'mutation { patchTwin(id: "client-1", patch: [{ op: replace, path: "/name", value: "Acme SA" }]) { id } }',
    );
    const subjectsOf = (r: Received) => r.events.map((e) => (e as { subject: string }).subject);
    await live.waitFor(1);
    expect(subjectsOf(live)).toEqual(['client-1']);
    // Replayed: the two clients' creates and the relationship, then live: the second client-1 change.
    await waitUntil(() => subjectsOf(replay).filter((s) => s === 'client-1').length >= 2, 'the replay reaches now');
    const replayed = subjectsOf(replay);
    expect(replayed.filter((s) => s.startsWith('eng-'))).toEqual([]);
    expect(replayed[replayed.length - 1]).toBe('client-1');
    await client.dispose();
  });

  it('cannot follow the predictions of an out-of-scope twin: it is not found', async () => {
    const client = wsClientAs(t.url, scoped);
    const received = await t.subscribe('subscription { predictionChanged(twinIds: ["eng-1"]) { twinId } }', {}, client);
    await received.ended();
    expect(received.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'DigitalTwinNotFound' }) }),
    ]);
    await client.dispose();
  });
});

describe("an identity scoped to some models, and the analytics' portfolio-wide figures", () => {
  let t: TestApp;
  let scoped: string;
  let full: string;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_AUTH: 'required' } }).start();
    scoped = bearer(await createKey(t.store, { name: 'field', role: 'reader', models: [M.engagement, M.device] }));
    full = bearer(await createKey(t.store, { name: 'ops', role: 'writer' }));
    for (const [id, model, properties] of [
      ['eng-1', M.engagement, { title: 'Audit', budget: 1000 }],
      ['dev-1', M.device, { deviceType: 'chiller' }],
    ] as const) {
      const r = await gqlAs(
        t.url,
        full,
        'mutation($id: ID!, $m: String!, $p: JSON) { createTwin(id: $id, modelId: $m, properties: $p) { id } }',
        { id, m: model, p: properties },
      );
      expect(r.errors).toBeUndefined();
    }
  });
  afterAll(() => t?.close());

  it("is refused an engagement's KPIs, profit prediction and the profit model: they are computed over every engagement", async () => {
    for (const query of [
      '{ twin(id: "eng-1") { ... on Engagement { kpis { budgetVariance } } } }',
      '{ twin(id: "eng-1") { ... on Engagement { profitPrediction { value } } } }',
      '{ profitModel { trainingSize } }',
    ]) {
      const scopedAnswer = await gqlAs(t.url, scoped, query);
      expect(scopedAnswer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(scopedAnswer.errors![0].message).toMatch(/whole portfolio/);
      const fullAnswer = await gqlAs(t.url, full, query);
      expect(fullAnswer.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('FORBIDDEN');
    }
  });

  it("still gets the figures that come from a twin's own telemetry (a device's failure risk)", async () => {
    const answer = await gqlAs(
      t.url,
      scoped,
      '{ twin(id: "dev-1") { ... on Device { failureRisk(horizonHours: 24) { probability } } } }',
    );
    expect(answer.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('FORBIDDEN');
    expect(answer.data?.twin).not.toBeNull();
  });
});
