/**
 * Subscriptions over Server-Sent Events (graphql-sse's protocol) at /graphql/stream, for clients that cannot
 * use WebSockets, with graphql-sse's own client over Node's fetch: in both of the protocol's modes a
 * subscription receives the changes made over HTTP, resumes with `since`, and is let go of the moment its
 * client leaves. Everything else is as over WebSocket: the identity from the Authorization header (401 without
 * one where one is required), the Origin check, the limits on depth and cost, roles and model scopes, the
 * connections an identity may hold (counted with its WebSockets), the response size cap, and error codes on
 * every refusal, graphql-sse's own included, never INTERNAL_SERVER_ERROR.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, NetworkError, type Client } from 'graphql-sse';
import pino from 'pino';
import { createAuthenticator } from '../../src/access/authenticate';
import { IdentitySlots } from '../../src/api/identity-slots';
import { OperationLimits } from '../../src/api/operation-limits';
import { createSseEndpoint, type SseEndpoint } from '../../src/api/sse';
import { guardedResults } from '../../src/api/sse-results';
import { createTransportCore } from '../../src/api/transport-core';
import {
  M,
  Received,
  retriedUntil,
  subscribeStarted as subscribe,
  TestApp,
  waitUntil,
  type GqlError,
} from '../support/api-harness';
import { bearer, createKey, rsaSigner, wsClientAs, type Signer } from '../support/auth';

const createClientTwin = `mutation ($id: ID!, $name: String) { createClient(id: $id, input: { name: $name }) { id } }`;
const renameClient = `mutation ($id: ID!, $name: String) { updateClient(id: $id, input: { name: $name }) { id } }`;

/** A graphql-sse client of `t`'s stream endpoint that does not retry (a refusal is seen as it is). */
function sseClient(
  t: TestApp,
  options: { authorization?: string; singleConnection?: boolean; headers?: Record<string, string> } = {},
): Client {
  return createClient({
    url: `${t.url}/stream`,
    fetchFn: fetch,
    retryAttempts: 0,
    singleConnection: options.singleConnection ?? false,
    headers: { ...options.headers, ...(options.authorization && { authorization: options.authorization }) },
  });
}

/** The HTTP status and coded errors a refused request got (graphql-sse's client reports them as a NetworkError). */
async function refusalOf(received: Received): Promise<{ status: number; errors: GqlError[] }> {
  await received.ended();
  const error = received.errors[0];
  if (!(error instanceof NetworkError) || !error.response)
    throw new Error(`expected a refused request, got ${JSON.stringify(received.errors)}`);
  const response = error.response as Response;
  const body = (await response.json()) as { errors: GqlError[] };
  return { status: response.status, errors: body.errors };
}

/** The errors of the one result a refused operation got on its stream. */
async function operationErrors(received: Received): Promise<GqlError[]> {
  await received.ended();
  expect(received.events).toEqual([]);
  return received.errors as GqlError[];
}

/** A raw request to the stream endpoint, for what a hand-made (or hostile) client sends. */
async function raw(
  t: TestApp,
  init: RequestInit & { path?: string },
): Promise<{ status: number; headers: Headers; errors?: GqlError[]; text: string }> {
  const response = await fetch(`${t.url}/stream${init.path ?? ''}`, init);
  const text = await response.text();
  let errors: GqlError[] | undefined;
  try {
    errors = (JSON.parse(text) as { errors?: GqlError[] }).errors;
  } catch {
    errors = undefined;
  }
  return { status: response.status, headers: response.headers, errors, text };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('subscriptions over Server-Sent Events', () => {
  const t = new TestApp();
  const clients: Client[] = [];
  const client = (options?: Parameters<typeof sseClient>[1]): Client => {
    const c = sseClient(t, options);
    clients.push(c);
    return c;
  };
  /** The change feed's subscribers that are the app's own (its features follow the log too). */
  let baseline: number;
  beforeAll(async () => {
    await t.start();
    baseline = t.subscriberCount;
  });
  afterAll(async () => {
    for (const c of clients) c.dispose();
    await t.close();
  });

  describe.each([
    ['distinct connections mode', false],
    ['single connection mode', true],
  ])('in %s', (_mode, singleConnection) => {
    const id = `sse-${singleConnection ? 'single' : 'distinct'}`;

    it('a subscription receives a twin change made over HTTP', async () => {
      const received = await subscribe(
        t,
        client({ singleConnection }),
        `subscription { twinChanged(twinIds: ["${id}"]) { type subject twin { __typename ... on Client { name } } } }`,
      );
      await t.ok(createClientTwin, { id, name: 'Over SSE' });
      expect(await received.waitFor(1)).toEqual([
        { type: 'TWIN_CREATE', subject: id, twin: { __typename: 'ClientTwin', name: 'Over SSE' } },
      ]);
      received.stop();
    });

    it('resuming with since gets every change missed while away, in order, then live ones', async () => {
      const query = `subscription ($since: Long) { twinChanged(twinIds: ["${id}"], since: $since) { seq twin { ... on Client { name } } } }`;
      const first = client({ singleConnection });
      const before = await subscribe(t, first, query);
      await t.ok(renameClient, { id, name: 'seen' });
      const [seen] = await before.waitFor(1);
      first.dispose();
      const missed = Array.from({ length: 30 }, (_, i) => `missed-${i}`);
      for (const name of missed) await t.ok(renameClient, { id, name });

      const resumed = await subscribe(t, client({ singleConnection }), query, { since: seen.seq });
      await resumed.waitFor(missed.length);
      await sleep(150);
      expect(resumed.events.map((e) => e.twin.name)).toEqual(missed);
      expect(resumed.events.map((e) => e.seq)).toEqual(missed.map((_, i) => seen.seq + 1 + i));
      await t.ok(renameClient, { id, name: 'live' });
      expect((await resumed.waitFor(missed.length + 1))[missed.length].twin).toEqual({ name: 'live' });
      resumed.stop();
    });

    it('the server lets go of a subscription the moment its client unsubscribes or leaves', async () => {
      // Every subscription of the tests before has been let go of: none has leaked.
      await waitUntil(() => t.subscriberCount === baseline, 'no subscription is left over');
      const count = baseline;
      const c = client({ singleConnection });
      const one = await subscribe(t, c, `subscription { twinChanged(twinIds: ["${id}-quiet"]) { seq } }`);
      await subscribe(t, c, `subscription { relationshipChanged(twinIds: ["${id}-quiet"]) { seq } }`);
      expect(t.subscriberCount).toBe(count + 2);
      // No change of these twins is coming: the server must not wait for one to notice.
      one.stop();
      await waitUntil(() => t.subscriberCount === count + 1, 'the unsubscribed subscription is let go of');
      c.dispose();
      await waitUntil(() => t.subscriberCount === count, "the departed client's subscription is let go of");
    });

    it('refuses an operation that does not validate, on its own, with its code', async () => {
      const c = client({ singleConnection });
      const other = await subscribe(t, c, `subscription { twinChanged(twinIds: ["${id}"]) { seq } }`);
      const errors = await operationErrors(await subscribe(t, c, 'subscription { twinChanged { shoeSize } }'));
      expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
      await t.ok(renameClient, { id, name: 'still streaming' });
      await other.waitFor(1);
      other.stop();
    });
  });

  it('runs queries and mutations too, as over WebSocket', async () => {
    await t.ok(createClientTwin, { id: 'sse-query', name: 'before' });
    const c = client();
    const query = new Received(() => undefined);
    c.subscribe({ query: '{ twin(id: "sse-query") { id } }' }, query.sink as never);
    expect(await query.waitFor(1)).toEqual([{ id: 'sse-query' }]);
    await query.ended();
    expect(query.completed).toBe(true);
    const mutation = new Received(() => undefined);
    c.subscribe({ query: renameClient, variables: { id: 'sse-query', name: 'by SSE' } }, mutation.sink as never);
    expect(await mutation.waitFor(1)).toEqual([{ id: 'sse-query' }]);
    expect((await t.ok('{ twin(id: "sse-query") { ... on Client { name } } }')).twin.name).toBe('by SSE');
  });

  it('refuses a subscription deeper than TWINGRAPH_MAX_DEPTH', async () => {
    let inner = 'id';
    for (let i = 0; i < 7; i++) inner = `relationships { target { ${inner} } }`;
    const errors = await operationErrors(
      await subscribe(t, client(), `subscription { twinChanged { twin { ${inner} } } }`),
    );
    expect(errors).toEqual([
      {
        message: 'Query depth limit of 12 exceeded, found 17. (TWINGRAPH_MAX_DEPTH)',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });

  it('refuses a subscription with more aliases than TWINGRAPH_MAX_ALIASES', async () => {
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: seq`).join(' ');
    const errors = await operationErrors(await subscribe(t, client(), `subscription { twinChanged { ${aliases} } }`));
    expect(errors[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errors[0].message).toMatch(/TWINGRAPH_MAX_ALIASES/);
  });

  it('refuses a costly subscription with QUERY_TOO_COSTLY, before it starts', async () => {
    const count = t.subscriberCount;
    const errors = await operationErrors(
      await subscribe(
        t,
        client(),
        'subscription { twinChanged { twin { ... on Client { hasEngagement(first: 1000) { nodes { covers(first: 1000) { nodes { id } } } } } } } }',
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COSTLY' }) }),
    ]);
    expect(t.subscriberCount).toBe(count);
  });

  it('refuses a document that does not parse with GRAPHQL_PARSE_FAILED, and an unknown operation name with OPERATION_RESOLUTION_FAILURE', async () => {
    const broken = await operationErrors(await subscribe(t, client(), 'subscription { twinChanged( { seq } }'));
    expect(broken[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const c = client();
    const unknown = new Received(() => undefined);
    c.subscribe({ query: 'subscription A { twinChanged { seq } }', operationName: 'B' }, unknown.sink as never);
    const errors = await operationErrors(unknown);
    expect(errors).toEqual([
      { message: "Unable to identify the operation 'B' to run.", extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
    ]);
  });

  it('ends a subscription whose arguments the server refuses (since beyond the newest change) with that code', async () => {
    const errors = await operationErrors(
      await subscribe(t, client(), 'subscription { twinChanged(since: 999999999) { seq } }'),
    );
    expect(errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'InvalidArgument' }) }),
    ]);
  });

  it('answers a subscription POSTed to /graphql with a clear error naming both subscription endpoints', async () => {
    const answer = await t.gql('subscription { twinChanged { seq } }');
    expect(answer.status).toBe(400);
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/WebSocket.*graphql-ws.*Server-Sent Events.*\/stream.*graphql-sse/),
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);
  });

  describe('hostile or hand-made requests get a clear error with a stable code', () => {
    const stream = { accept: 'text/event-stream', 'content-type': 'application/json' };

    it('a body larger than TWINGRAPH_MAX_BODY: 413 PAYLOAD_TOO_LARGE', async () => {
      const answer = await raw(t, {
        method: 'POST',
        headers: stream,
        body: JSON.stringify({ query: `{ twin(id: "${'x'.repeat(2 * 1024 * 1024)}") { id } }` }),
      });
      expect(answer.status).toBe(413);
      expect(answer.errors).toEqual([
        { message: expect.stringMatching(/TWINGRAPH_MAX_BODY/), extensions: { code: 'PAYLOAD_TOO_LARGE' } },
      ]);
    });

    it('a body that is not JSON: 400 BAD_REQUEST', async () => {
      const answer = await raw(t, { method: 'POST', headers: stream, body: '{"query": "subscription {' });
      expect(answer.status).toBe(400);
      expect(answer.errors).toEqual([
        { message: expect.stringMatching(/^The request body is not valid JSON/), extensions: { code: 'BAD_REQUEST' } },
      ]);
    });

    it.each([
      ['JSON that is not an object', '[1, 2]', /Missing query/],
      ['no query', '{}', /Missing query/],
      ['a query that is not a string', '{ "query": 42 }', /Invalid query/],
      ['variables that are not an object', '{ "query": "{ models { id } }", "variables": [1] }', /Invalid variables/],
    ])('%s: 400 BAD_REQUEST', async (_what, body, message) => {
      const answer = await raw(t, { method: 'POST', headers: stream, body });
      expect(answer.status).toBe(400);
      expect(answer.errors).toEqual([{ message: expect.stringMatching(message), extensions: { code: 'BAD_REQUEST' } }]);
    });

    it('a body that is not JSON at all (another content type): 415 with BAD_REQUEST', async () => {
      const answer = await raw(t, {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'text/plain' },
        body: 'subscription { twinChanged { seq } }',
      });
      expect(answer.status).toBe(415);
      expect(answer.errors).toEqual([
        { message: expect.stringMatching(/application\/json/), extensions: { code: 'BAD_REQUEST' } },
      ]);
    });

    it('a request that asks for no event stream and names no reserved one: 404 NOT_FOUND saying how', async () => {
      const answer = await raw(t, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ models { id } }' }),
      });
      expect(answer.status).toBe(404);
      expect(answer.errors).toEqual([
        { message: expect.stringMatching(/text\/event-stream.*PUT/), extensions: { code: 'NOT_FOUND' } },
      ]);
    });

    it('a token nobody reserved: 404 NOT_FOUND', async () => {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const answer = await raw(t, {
          method,
          path: '?operationId=1',
          headers: { ...stream, 'x-graphql-event-stream-token': 'guessed' },
          ...(method === 'POST' && { body: JSON.stringify({ query: '{ models { id } }' }) }),
        });
        expect(answer.status).toBe(404);
        expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })]);
      }
    });

    it('a mutation over GET: 405 with BAD_REQUEST, writing nothing', async () => {
      const before = await t.latestSeq();
      const query = encodeURIComponent('mutation { createClient(id: "by-get", input: { name: "G" }) { id } }');
      const answer = await raw(t, { method: 'GET', path: `?query=${query}`, headers: { accept: 'text/event-stream' } });
      expect(answer.status).toBe(405);
      expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
      expect(await t.latestSeq()).toBe(before);
    });

    it('an operation id used twice on one reserved stream: 409 CONFLICT', async () => {
      const token = await (await fetch(`${t.url}/stream`, { method: 'PUT' })).text();
      const op = (): Promise<{ status: number; errors?: GqlError[] }> =>
        raw(t, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
          body: JSON.stringify({
            query: 'subscription { twinChanged(twinIds: ["none"]) { seq } }',
            extensions: { operationId: 'same' },
          }),
        });
      expect((await op()).status).toBe(202);
      const again = await op();
      expect(again.status).toBe(409);
      expect(again.errors).toEqual([expect.objectContaining({ extensions: { code: 'CONFLICT' } })]);
      // Connecting and leaving ends the stream and its operation.
      const count = t.subscriberCount;
      const controller = new AbortController();
      const connected = await fetch(`${t.url}/stream`, {
        headers: { accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
        signal: controller.signal,
      });
      expect(connected.status).toBe(200);
      controller.abort();
      await waitUntil(() => t.subscriberCount === count - 1, 'the stream and its operation are let go of');
    });

    it('takes an Accept header that lists more than text/event-stream, as curl users write it', async () => {
      const controller = new AbortController();
      const response = await fetch(`${t.url}/stream`, {
        method: 'POST',
        headers: { accept: 'text/event-stream, */*', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ models { id } }' }),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(await response.text()).toMatch(/event: next\ndata: \{"data":\{"models":\[/);
    });
  });
});

describe('subscriptions over Server-Sent Events, with identities required', () => {
  let t: TestApp;
  let signer: Signer;
  const clients: Client[] = [];
  const client = (authorization?: string, options: { singleConnection?: boolean } = {}): Client => {
    const c = sseClient(t, { authorization, ...options });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    signer = await rsaSigner();
    t = await new TestApp({
      env: {
        TWINGRAPH_AUTH: 'required',
        TWINGRAPH_MAX_SOCKETS_PER_IDENTITY: '2',
        TWINGRAPH_JWT_PUBLIC_KEY: signer.publicKeyPem,
      },
    }).start();
  });
  afterAll(async () => {
    for (const c of clients) c.dispose();
    await t?.close();
  });

  it('refuses a subscription without a credential with 401 UNAUTHENTICATED, before it starts', async () => {
    const count = t.subscriberCount;
    const { status, errors } = await refusalOf(await subscribe(t, client(), 'subscription { twinChanged { seq } }'));
    expect(status).toBe(401);
    expect(errors).toEqual([
      { message: expect.stringMatching(/requires authentication/), extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect(t.subscriberCount).toBe(count);
  });

  it('refuses a wrong credential with 401 UNAUTHENTICATED, saying why', async () => {
    const { status, errors } = await refusalOf(
      await subscribe(t, client(`Bearer tgk_${'A'.repeat(43)}`), 'subscription { twinChanged { seq } }'),
    );
    expect(status).toBe(401);
    expect(errors).toEqual([
      { message: expect.stringMatching(/API key is not known/), extensions: { code: 'UNAUTHENTICATED' } },
    ]);
  });

  it("takes the identity from the Authorization header, and applies the same roles as HTTP: a reader's mutation is FORBIDDEN", async () => {
    const reader = bearer(await createKey(t.store, { name: 'sse-reader', role: 'reader' }));
    const before = await t.latestSeq();
    const refused = new Received(() => undefined);
    client(reader).subscribe(
      { query: 'mutation { createClient(id: "not-by-a-reader", input: { name: "R" }) { id } }' },
      refused.sink as never,
    );
    const errors = await operationErrors(refused);
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("createClient needs the writer role; the API key 'sse-reader'"),
        extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
      }),
    ]);
    expect(await t.latestSeq()).toBe(before);
  });

  it('records the caller of a mutation over SSE as the actor of its change', async () => {
    const writer = bearer(await createKey(t.store, { name: 'sse-writer', role: 'writer' }));
    const before = await t.latestSeq();
    const done = new Received(() => undefined);
    client(writer).subscribe({ query: createClientTwin, variables: { id: 'by-sse', name: 'W' } }, done.sink as never);
    await done.waitFor(1);
    expect((await t.store.readChanges({ after: before })).map((c) => c.actor)).toEqual(['sse-writer']);
  });

  it("an identity limited to some models receives none of other models' changes", async () => {
    const scoped = bearer(await createKey(t.store, { name: 'sse-crm', role: 'reader', models: [M.client] }));
    const writer = bearer(await createKey(t.store, { name: 'sse-ops', role: 'writer' }));
    const received = await subscribe(t, client(scoped), 'subscription { twinChanged { subject modelId } }');
    const write = async (query: string): Promise<void> => {
      const done = new Received(() => undefined);
      client(writer).subscribe({ query }, done.sink as never);
      await done.waitFor(1);
    };
    await write('mutation { createEngagement(id: "scope-eng", input: { title: "Hidden" }) { id } }');
    await write('mutation { createClient(id: "scope-client", input: { name: "Seen" }) { id } }');
    await write('mutation { createAsset(id: "scope-asset", input: { name: "Hidden" }) { id } }');
    // Changes arrive in commit order: once a later client's has, the asset's was passed over, not still coming.
    await write('mutation { createClient(id: "scope-client-2", input: { name: "Seen" }) { id } }');
    await received.waitFor(2);
    expect(received.events).toEqual([
      { subject: 'scope-client', modelId: M.client },
      { subject: 'scope-client-2', modelId: M.client },
    ]);
    received.stop();
  });

  it('counts event streams with WebSockets against TWINGRAPH_MAX_SOCKETS_PER_IDENTITY: the third is refused with 429 LimitExceeded', async () => {
    const key = bearer(await createKey(t.store, { name: 'sse-busy', role: 'reader' }));
    const other = bearer(await createKey(t.store, { name: 'sse-other', role: 'reader' }));
    const socket = wsClientAs(t.url, key);
    const held = [
      await t.subscribe('subscription { twinChanged { seq } }', {}, socket),
      await subscribe(t, client(key), 'subscription { twinChanged { seq } }'),
    ];
    expect(held.map((r) => r.errors)).toEqual([[], []]);
    const { status, errors } = await refusalOf(await subscribe(t, client(key), 'subscription { twinChanged { seq } }'));
    expect(status).toBe(429);
    expect(errors).toEqual([
      {
        message: expect.stringMatching(/'sse-busy' holds 2 .*TWINGRAPH_MAX_SOCKETS_PER_IDENTITY/),
        extensions: { code: 'LimitExceeded' },
      },
    ]);
    // A reserved stream (single connection mode) takes a slot too.
    const reserve = await fetch(`${t.url}/stream`, { method: 'PUT', headers: { authorization: key } });
    expect(reserve.status).toBe(429);
    // Another identity is not concerned; a stream let go of makes room.
    expect((await subscribe(t, client(other), 'subscription { twinChanged { seq } }')).errors).toEqual([]);
    held[1].stop();
    // The server gives the slot back when it sees the stream close, a moment after the client closed it.
    const again = await retriedUntil(
      () => subscribe(t, client(key), 'subscription { twinChanged { seq } }'),
      (received) => received.errors.length === 0,
    );
    expect(again.errors).toEqual([]);
    await socket.dispose();
  });

  it("does not let another identity use a reserved stream's token", async () => {
    const owner = bearer(await createKey(t.store, { name: 'sse-owner', role: 'reader' }));
    const intruder = bearer(await createKey(t.store, { name: 'sse-intruder', role: 'reader' }));
    const reserved = await fetch(`${t.url}/stream`, { method: 'PUT', headers: { authorization: owner } });
    expect(reserved.status).toBe(201);
    const token = await reserved.text();
    const attempt = await fetch(`${t.url}/stream`, {
      headers: { authorization: intruder, accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
    });
    expect(attempt.status).toBe(404);
    expect(await attempt.json()).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })] });
  });

  it('ends a subscription with UNAUTHENTICATED when its token expires', async () => {
    // Expiring 3 to 4 s from now (exp is in whole seconds): time enough to start the subscription on a busy
    // machine; the end must follow exp itself, well before the verifier's 30 s of clock tolerance run out.
    const token = await signer.sign(
      { sub: 'sse-user', roles: ['reader'] },
      { expiresIn: Math.floor(Date.now() / 1000) + 4 },
    );
    const received = await subscribe(t, client(bearer(token)), 'subscription { twinChanged { seq } }');
    expect(received.errors).toEqual([]);
    await received.ended(15_000);
    expect(received.errors).toEqual([
      { message: 'Unauthorized: the credential expired.', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect(received.completed).toBe(true);
  });
});

describe('event streams and browser origins', () => {
  const ALLOWED = 'http://localhost:5173';
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_CORS_ORIGINS: ALLOWED } }).start();
  });
  afterAll(() => t?.close());

  const open = (origin?: string): Promise<Response> =>
    fetch(`${t.url}/stream`, {
      method: 'POST',
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        ...(origin && { origin }),
      },
      body: JSON.stringify({ query: '{ models { id } }' }),
    });

  it("opens streams for a listed origin (with CORS headers), the server's own, and clients that send no Origin", async () => {
    const listed = await open(ALLOWED);
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    await listed.text();
    for (const origin of [t.origin, undefined]) {
      const response = await open(origin);
      expect(response.status).toBe(200);
      await response.text();
    }
  });

  it("answers a listed origin's preflight, allowing the Authorization header and the stream token", async () => {
    const response = await fetch(`${t.url}/stream`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, x-graphql-event-stream-token',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/PUT/);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization.*x-graphql-event-stream-token/);
  });

  it('refuses any other origin with 403 FORBIDDEN, before any operation runs', async () => {
    const before = await t.latestSeq();
    for (const origin of ['https://evil.example', 'null']) {
      // A CORS "simple" request a page on any site could send without a preflight.
      const response = await fetch(`${t.url}/stream`, {
        method: 'POST',
        headers: { origin, accept: 'text/event-stream', 'content-type': 'text/plain; application/json' },
        body: JSON.stringify({ query: 'mutation { createClient(id: "csrf", input: { name: "X" }) { id } }' }),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await response.json()).toEqual({
        errors: [{ message: expect.stringMatching(/TWINGRAPH_CORS_ORIGINS/), extensions: { code: 'FORBIDDEN' } }],
      });
    }
    expect(await t.latestSeq()).toBe(before);
  });
});

describe('event streams with small limits', () => {
  let t: TestApp;
  const clients: Client[] = [];
  beforeAll(async () => {
    t = await new TestApp({
      env: { TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET: '2', TWINGRAPH_MAX_RESPONSE: '2kb' },
    }).start();
  });
  afterAll(async () => {
    for (const c of clients) c.dispose();
    await t?.close();
  });

  it('refuses an operation past TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET on one reserved stream with LimitExceeded, keeping the others', async () => {
    const c = sseClient(t, { singleConnection: true });
    clients.push(c);
    const held = [
      await subscribe(t, c, 'subscription { twinChanged { seq } }'),
      await subscribe(t, c, 'subscription { twinChanged { seq } }'),
    ];
    const refused = await operationErrors(await subscribe(t, c, 'subscription { twinChanged { seq } }'));
    expect(refused).toEqual([
      {
        message: expect.stringMatching(/TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET/),
        extensions: { code: 'LimitExceeded' },
      },
    ]);
    await t.ok(createClientTwin, { id: 'limits-1', name: 'L' });
    await Promise.all(held.map((s) => s.waitFor(1)));
    // A completed one makes room, once the server has had the client's word that it completed.
    held[0].stop();
    const again = await retriedUntil(
      () => subscribe(t, c, 'subscription { twinChanged { seq } }'),
      (received) => received.errors.length === 0,
    );
    expect(again.errors).toEqual([]);
  });

  it('replaces an event larger than TWINGRAPH_MAX_RESPONSE with RESPONSE_TOO_LARGE, as over HTTP', async () => {
    const c = sseClient(t);
    clients.push(c);
    const received = await subscribe(
      t,
      c,
      'subscription { twinChanged(twinIds: ["big"]) { twin { ... on Client { name } } } }',
    );
    await t.ok(createClientTwin, { id: 'big', name: 'x'.repeat(4000) });
    await waitUntil(() => received.errors.length > 0, 'the event is refused');
    expect(received.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/TWINGRAPH_MAX_RESPONSE/),
        extensions: expect.objectContaining({ code: 'RESPONSE_TOO_LARGE' }),
      }),
    ]);
    received.stop();
  });
});

describe("the endpoint's own streams and reservations", () => {
  const t = new TestApp();
  let server: http.Server;
  let url: string;
  let endpoint: SseEndpoint;
  beforeAll(async () => {
    await t.start();
    const { config, services } = { config: t.config, services: t.app.services };
    const log = pino({ level: 'silent' });
    const guards = {
      auth: createAuthenticator(config.access, services.store),
      limits: new OperationLimits(config.access),
    };
    endpoint = createSseEndpoint({
      path: '/stream',
      core: createTransportCore(config, services, guards, log),
      auth: guards.auth,
      slots: new IdentitySlots(config.access.maxSocketsPerIdentity),
      config,
      log,
      reservationTimeoutMs: 300,
    });
    server = http.createServer((req, res) => endpoint.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await t.close();
  });

  it('a reserved stream nobody connects to is let go of after the reservation timeout, with the subscriptions POSTed to it', async () => {
    const token = await (await fetch(url, { method: 'PUT' })).text();
    const count = t.subscriberCount;
    const posted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
      body: JSON.stringify({ query: 'subscription { twinChanged { seq } }', extensions: { operationId: 'early' } }),
    });
    expect(posted.status).toBe(202);
    await waitUntil(() => t.subscriberCount === count + 1, 'the subscription starts');
    await waitUntil(() => t.subscriberCount === count, 'the abandoned subscription is let go of');
    const late = await fetch(url, { headers: { accept: 'text/event-stream', 'x-graphql-event-stream-token': token } });
    expect(late.status).toBe(404);
  });

  it('disposing (a stopping server) ends every event stream and reservation, letting their subscriptions go', async () => {
    const count = t.subscriberCount;
    const received = new Received(() => undefined);
    const before = t.app.services.feed.subscriptionsStarted;
    createClient({ url, fetchFn: fetch, retryAttempts: 0 }).subscribe(
      { query: 'subscription { twinChanged { seq } }' },
      received.sink as never,
    );
    const token = await (await fetch(url, { method: 'PUT' })).text();
    const posted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
      body: JSON.stringify({ query: 'subscription { twinChanged { seq } }', extensions: { operationId: 'waiting' } }),
    });
    expect(posted.status).toBe(202);
    await waitUntil(() => t.app.services.feed.subscriptionsStarted === before + 2, 'both subscriptions start');
    expect(t.subscriberCount).toBe(count + 2);
    await endpoint.dispose();
    expect(t.subscriberCount).toBe(count);
    // The client hears that its stream ended without its operation completing: it may resume elsewhere.
    await received.ended();
    expect(received.errors).toEqual([expect.any(NetworkError)]);
  });
});

describe("a subscription's results on their way to an event stream", () => {
  /** A source of events that records how many were asked for, and whether it was let go of. */
  function source(events: number[], failWith?: Error) {
    const state = { asked: 0, returned: false };
    const iterator: AsyncIterableIterator<number> = {
      next: async () => {
        state.asked++;
        if (state.returned) return { done: true, value: undefined };
        if (events.length) return { done: false, value: events.shift()! };
        if (failWith) throw failWith;
        return new Promise(() => undefined);
      },
      return: async () => {
        state.returned = true;
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return { iterator, state };
  }
  const guard = (ready: () => Promise<void>, expiresInMs?: number) => ({
    ready,
    expiresInMs,
    expired: () => -1,
    failed: () => -2,
  });

  it('are pulled from the feed only when the stream can take another', async () => {
    const { iterator, state } = source([1, 2, 3]);
    let open!: () => void;
    let gate = new Promise<void>((resolve) => (open = resolve));
    const results = guardedResults(
      iterator,
      guard(() => gate),
    );
    const first = results.next();
    await sleep(20);
    expect(state.asked).toBe(0);
    open();
    expect(await first).toEqual({ done: false, value: 1 });
    expect(state.asked).toBe(1);
    gate = new Promise<void>((resolve) => (open = resolve));
    void results.next();
    await sleep(20);
    expect(state.asked).toBe(1);
    await results.return(undefined);
  });

  it('let go of the feed at once when returned, even while waiting for an event', async () => {
    const { iterator, state } = source([]);
    const results = guardedResults(
      iterator,
      guard(() => Promise.resolve()),
    );
    const waiting = results.next();
    await sleep(10);
    await results.return(undefined);
    expect(state.returned).toBe(true);
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('end with one last result when the feed throws, and when the credential expires', async () => {
    const failing = guardedResults(
      source([1], new Error('SlowConsumer')).iterator,
      guard(() => Promise.resolve()),
    );
    expect([await failing.next(), await failing.next(), await failing.next()]).toEqual([
      { done: false, value: 1 },
      { done: false, value: -2 },
      { done: true, value: undefined },
    ]);
    const expiring = source([]);
    const expired = guardedResults(
      expiring.iterator,
      guard(() => Promise.resolve(), 30),
    );
    expect([await expired.next(), await expired.next()]).toEqual([
      { done: false, value: -1 },
      { done: true, value: undefined },
    ]);
    expect(expiring.state.returned).toBe(true);
  });
});
