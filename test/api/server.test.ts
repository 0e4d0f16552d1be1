/**
 * The server around GraphQL: GraphiQL for browsers (served from node_modules, no CDN), health and readiness
 * probes, GraphQL over HTTP and WebSocket on one port and path, and a graceful shutdown: running requests
 * finish, WebSocket clients get a close frame, and the store is closed last.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startApp } from '../../src/app';
import { loadConfig, PACKAGE_ROOT } from '../../src/config';
import { openStore } from '../../src/store/open';
import { M, TestApp, twinInput, useTestApp, waitUntil } from '../support/api-harness';

describe('GraphiQL, health and readiness', () => {
  const t = useTestApp();

  it('serves the GraphiQL page to a browser that GETs /graphql', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<title>Twingraph GraphiQL</title>');
    expect(page).toContain('/graphiql/yoga-graphiql.umd.js');
    expect(page).toContain('/graphiql/graphiql.css');
    expect(page).toContain('"endpoint":"/graphql"');
  });

  it.each([
    ['/graphiql/yoga-graphiql.umd.js', /javascript/],
    ['/graphiql/graphiql.css', /text\/css/],
  ])('serves the GraphiQL asset %s from the server itself', async (asset, type) => {
    const response = await fetch(`${t.origin}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('does not answer a GET that asks for JSON with the page', async () => {
    const response = await fetch(t.url, { headers: { accept: 'application/json' } });
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    await response.arrayBuffer();
  });

  it('answers /healthz while running', async () => {
    const response = await fetch(`${t.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it("answers /readyz with the store kind, the schema version, the number of models, the newest seq, its lag and the features' health", async () => {
    const response = await fetch(`${t.origin}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      store: t.store.kind,
      schemaVersion: expect.any(Number),
      models: 8,
      seq: expect.any(Number),
      lag: 0,
      // The devices feature with no broker configured: nothing to wait for (test/devices/health.test.ts has a lost one).
      features: { devices: { ready: true, detail: { mqtt: expect.objectContaining({ enabled: false }) } } },
    });
  });

  it('answers /readyz with 503 while the store does not answer, and recovers', async () => {
    const restore = t.instrumented.fail('ping', new Error('database is locked'));
    try {
      const response = await fetch(`${t.origin}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'unavailable', reason: 'database is locked' });
      expect((await fetch(`${t.origin}/healthz`)).status).toBe(200);
    } finally {
      restore();
    }
    expect((await fetch(`${t.origin}/readyz`)).status).toBe(200);
  });

  it('answers GraphQL over HTTP and over WebSocket on the same port and path', async () => {
    expect(t.wsUrl).toBe(t.url.replace('http://', 'ws://'));
    expect(await t.ok('{ models { id } }')).toEqual({
      models: expect.arrayContaining([{ id: M.client }, { id: M.device }]),
    });
    const client = t.wsClient();
    const result = await new Promise<unknown>((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: '{ model(id: "dtmi:twingraph:demo:Party;1") { id extendedBy } }' },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    expect(result).toEqual({
      data: { model: { id: M.party, extendedBy: expect.arrayContaining([M.client, M.employee]) } },
    });
  });
});

describe('a server started without models (TWINGRAPH_SEED=none)', () => {
  const t = useTestApp({ models: 'none' });

  it('serves the core schema, and is ready', async () => {
    expect(await (await fetch(`${t.origin}/readyz`)).json()).toMatchObject({ status: 'ready', models: 0 });
    expect(await t.ok('{ models { id } twins { totalCount nodes { id } } }')).toEqual({
      models: [],
      twins: { totalCount: 0, nodes: [] },
    });
  });

  it('gets the types of the models uploaded to it', async () => {
    const documents = fs
      .readdirSync(path.join(PACKAGE_ROOT, 'dtdl'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => fs.readFileSync(path.join(PACKAGE_ROOT, 'dtdl', f), 'utf8'));
    const data = await t.ok(
      'mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id } } }',
      { documents },
    );
    expect(data.uploadModels.models).toHaveLength(8);
    expect(await t.ok('mutation { createClient(id: "c", input: { name: "First" }) { __typename } }')).toEqual({
      createClient: { __typename: 'ClientTwin' },
    });
    expect(await (await fetch(`${t.origin}/readyz`)).json()).toMatchObject({ status: 'ready', models: 8 });
  });
});

describe('a start on a store that has models', () => {
  it('serves them without counting the store to learn whether it is empty (the demo has millions of rows)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-restart-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TWINGRAPH_DB: path.join(dir, 'twingraph.db'),
      TWINGRAPH_SEED: 'models',
      TWINGRAPH_LOG_POLL_MS: '0',
    });
    try {
      await (await startApp(config)).close();
      let counted = 0;
      const app = await startApp(config, pino({ level: 'silent' }), {
        openStore: async (storeConfig) => {
          const store = await openStore(storeConfig);
          const counts = store.counts.bind(store);
          store.counts = () => (counted++, counts());
          return store;
        },
      });
      try {
        expect(app.services.models.current.records).toHaveLength(8);
        expect(counted).toBe(0);
      } finally {
        await app.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('graceful shutdown', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('lets a request in flight finish, sends WebSocket clients a close frame, then closes the store', async () => {
    t = await new TestApp().start();
    await t.store.createTwin('c-1', twinInput(M.client, { name: 'Contoso' }));
    const closes: { code: number; reason: string }[] = [];
    const client = t.wsClient({ onClosed: (event) => closes.push(event as { code: number; reason: string }) });
    const subscription = await t.subscribe('subscription { twinChanged { seq } }', {}, client);

    // A slow request: its store query is held until released.
    const held = t.instrumented.hold('queryTwins');
    const slow = t.gql<{ clients: { nodes: { id: string }[] } }>('{ clients { nodes { id name } } }');
    await waitUntil(() => held.waiting() > 0, 'the request reaches the store');

    const closing = t.app.close();
    await waitUntil(() => closes.length > 0, 'the WebSocket client is closed');
    expect(closes[0].code).toBe(1001);
    await subscription.ended();
    // The store stays open while the request runs.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.instrumented.closed).toBe(false);

    held.release();
    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(answered.data).toEqual({ clients: { nodes: [{ id: 'c-1', name: 'Contoso' }] } });
    await closing;
    expect(t.instrumented.closed).toBe(true);
    await expect(t.instrumented.target.ping()).rejects.toThrow();
    // Nothing listens any more.
    await expect(fetch(`${t.origin}/healthz`)).rejects.toThrow();
  });
});
