/**
 * Hostile input over HTTP: whatever a caller sends ends in a precise error with a stable code, never
 * INTERNAL_SERVER_ERROR, and nothing is written. Deeply nested JSON (built as text here: the test's own
 * JSON.stringify would overflow on it), JSON Patch paths that reach for the prototype, and a subscription
 * POSTed to the HTTP endpoint.
 */
import { TestApp } from '../support/api-harness';

const DEPTH = 200_000;

/** `{"a":[[[…1…]]]}`, lists nested `depth` deep (2 bytes a level: 400 KB, under the 1 MB body limit), as JSON text. */
function nestedObject(depth: number): string {
  return '{"a":' + '['.repeat(depth) + '1' + ']'.repeat(depth) + '}';
}

interface Answer {
  status: number;
  errors?: { message: string; extensions?: { code?: string } }[];
  data?: unknown;
}

describe('hostile input over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp().start();
    await t.ok('mutation { createClient(id: "acme", input: { name: "Acme" }) { id } }');
  });
  afterAll(() => t?.close());

  /** POSTs a GraphQL request whose variables are given as JSON text. */
  async function post(query: string, variablesJson: string): Promise<Answer> {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`,
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  }

  const codes = (answer: Answer): (string | undefined)[] => (answer.errors ?? []).map((e) => e.extensions?.code);

  it(`refuses ${DEPTH.toLocaleString('en-US')}-deep properties in createTwin as bad input, writing nothing`, async () => {
    const answer = await post(
      'mutation ($p: JSON!) { createTwin(id: "deep", modelId: "dtmi:twingraph:demo:Client;1", properties: $p) { id } }',
      `{"p":${nestedObject(DEPTH)}}`,
    );
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(answer.errors![0].message).toMatch(/nested deeper than 100 levels/);
    expect((await t.gql('{ twin(id: "deep") { id } }')).data).toEqual({ twin: null });
  });

  it(`refuses a ${DEPTH.toLocaleString('en-US')}-deep DTDL document in uploadModels, storing nothing`, async () => {
    const before = await t.ok<{ models: unknown[] }>('{ models { id } }');
    const answer = await post(
      'mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }',
      `{"d":[${nestedObject(DEPTH)}]}`,
    );
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(answer.errors![0].message).toMatch(/nested deeper than 100 levels/);
    expect((await t.ok<{ models: unknown[] }>('{ models { id } }')).models).toHaveLength(before.models.length);
  });

  it('refuses a deep JSON literal in the query text the same way', async () => {
    const literal = '{ a: ' + '['.repeat(150) + '1' + ']'.repeat(150) + ' }';
    const answer = await t.gql(
      `mutation { createTwin(id: "deep", modelId: "dtmi:twingraph:demo:Client;1", properties: ${literal}) { id } }`,
    );
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(answer.errors![0].message).toMatch(/nested deeper than 100 levels/);
  });

  it('takes JSON nested as deep as the limit', async () => {
    const value = '['.repeat(99) + '"x"' + ']'.repeat(99);
    const answer = await post(
      'mutation ($p: JSON!) { createTwin(id: "deep-ok", modelId: "dtmi:twingraph:demo:Client;1", properties: $p) { id } }',
      `{"p":{"name":${value}}}`,
    );
    // The scalar takes it; the model then refuses a list where it wants a string.
    expect(codes(answer)).toEqual(['ValidationFailed']);
  });

  it.each([['/__proto__/polluted'], ['/constructor/prototype/polluted'], ['/name/__proto__']])(
    'refuses a JSON Patch path %s with JsonPatchInvalid, writing nothing',
    async (path) => {
      const before = await t.ok<{ twin: { etag: string } }>('{ twin(id: "acme") { etag } }');
      const answer = await t.gql(
        'mutation ($patch: [JsonPatchOperation!]!) { patchTwin(id: "acme", patch: $patch) { id } }',
        { patch: [{ op: 'add', path, value: true }] },
      );
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['JsonPatchInvalid']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await t.ok<{ twin: { etag: string } }>('{ twin(id: "acme") { etag } }')).twin.etag).toBe(
        before.twin.etag,
      );
    },
  );

  it('answers a subscription POSTed over HTTP with a clear error, not an internal one', async () => {
    const answer = await t.gql('subscription { twinChanged { seq } }');
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0].extensions?.code).toBe('BAD_REQUEST');
    expect(answer.errors![0].message).toMatch(/graphql-ws/);
  });
});

describe('hostile input over WebSocket', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({
      env: { TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET: '3', TWINGRAPH_MAX_BODY: '64kb' },
    }).start();
  });
  afterAll(() => t?.close());

  it('refuses a subscription past the per-connection cap with LimitExceeded, keeping the others', async () => {
    const client = t.wsClient();
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await t.subscribe('subscription { twinChanged { seq } }', {}, client));
    const refused = await t.subscribe('subscription { twinChanged { seq } }', {}, client);
    expect(refused.errors.flat()).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'LimitExceeded' }) }),
    ]);
    for (const subscription of held) expect(subscription.errors).toEqual([]);
    await t.ok('mutation { createClient(id: "ws-1", input: { name: "W" }) { id } }');
    await Promise.all(held.map((s) => s.waitFor(1)));
  });

  it('closes a connection whose message is larger than the body limit (1009), as HTTP refuses such a body', async () => {
    let closed: { code?: number } | undefined;
    const client = t.wsClient({ onClosed: (event) => (closed = event as { code?: number }) });
    const big = 'x'.repeat(80 * 1024);
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: `subscription { twinChanged(twinIds: ["${big}"]) { seq } }` },
        {
          next: () => undefined,
          error: resolve,
          complete: () => resolve('completed'),
        },
      );
    });
    expect(outcome).toBeDefined();
    expect(closed?.code).toBe(1009);
  });
});
