/**
 * Subscribers with the same selection share one GraphQL execution per change and one serialized payload
 * (src/api/subscription-groups.ts), over WebSocket and Server-Sent Events alike, and lose none of their
 * guarantees: a subscriber shares only with those whose execution would be equal (same document, operation,
 * variables, role and scope: a scoped identity never sees an out-of-scope twin, not even in a nested field);
 * a subscriber resuming with `since` joins the live ones and gets every change once, in order; the size cap
 * holds for every member; one that falls behind ends with SlowConsumer and its resume seq while the others go
 * on; nested reads are as of each change (a fresh context per execution); and what reaches the wire is byte for
 * byte what graphql-ws and graphql-sse send without sharing.
 *
 * The transports are served here on a port of the suite's own, from a core whose executions are counted, beside
 * a test app whose store, change feed and services they use (writes go to the store directly).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, type ExecutionArgs } from 'graphql';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import type { Client as WsClient } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';
import { createAuthenticator } from '../../src/access/authenticate';
import type { Identity } from '../../src/access/identity';
import { IdentitySlots } from '../../src/api/identity-slots';
import { OperationLimits } from '../../src/api/operation-limits';
import { createSseEndpoint } from '../../src/api/sse';
import { isSharedPayloads, type SharedPayloads } from '../../src/api/subscription-groups';
import { createTransportCore, type PreparedOperation, type TransportCore } from '../../src/api/transport-core';
import { attachGraphqlWs, graphqlWsOptions } from '../../src/api/ws';
import { M, Received, subscribeStarted as subscribe, TestApp, twinInput, waitUntil } from '../support/api-harness';
import { bearer, createKey, wsClientAs } from '../support/auth';

const GRAPHQL = '/graphql';
const STREAM = '/graphql/stream';

/** The transports on a port of their own, over `t`'s services, with every execution recorded. */
interface Served {
  readonly url: string;
  readonly core: TransportCore;
  readonly executions: ExecutionArgs[];
  /** Executions of the change with this seq. */
  executionsOf(seq: number): ExecutionArgs[];
  close(): Promise<void>;
}

async function serve(t: TestApp, options: { shared?: boolean; cacheChars?: number } = {}): Promise<Served> {
  const { config, services } = { config: t.config, services: t.app.services };
  const log = pino({ level: 'silent' });
  const guards = {
    auth: createAuthenticator(config.access, services.store),
    limits: new OperationLimits(config.access),
  };
  const executions: ExecutionArgs[] = [];
  const core = createTransportCore(config, services, guards, log, {
    ...options,
    execute: (args) => {
      executions.push(args);
      return execute(args);
    },
  });
  const slots = new IdentitySlots(config.access.maxSocketsPerIdentity);
  const sse = createSseEndpoint({ path: STREAM, core, auth: guards.auth, slots, config, log });
  const server = http.createServer((req, res) => (sse.handles(req) ? sse.handle(req, res) : res.writeHead(404).end()));
  const ws = attachGraphqlWs(server, GRAPHQL, graphqlWsOptions(core, guards.auth, slots, config), {
    maxMessageBytes: config.limits.maxBodyBytes,
    origins: [],
    hostAllowed: () => true,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${GRAPHQL}`;
  return {
    url,
    core,
    executions,
    executionsOf: (seq) => executions.filter((args) => (args.rootValue as { seq?: unknown } | undefined)?.seq === seq),
    close: async () => {
      await Promise.all([ws.dispose(), sse.dispose()]);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function sseClientAs(served: Served, authorization: string, singleConnection = false): SseClient {
  return createSseClient({
    url: `${served.url}/stream`,
    fetchFn: fetch,
    retryAttempts: 0,
    singleConnection,
    headers: { authorization },
  });
}

async function createClientTwin(t: TestApp, id: string, name: string): Promise<number> {
  await t.store.createTwins([{ id, twin: twinInput(M.client, { name }) }]);
  return t.latestSeq();
}

async function rename(t: TestApp, id: string, name: string): Promise<number> {
  await t.store.patchTwin(id, [{ op: 'replace', path: '/name', value: name }]);
  return t.latestSeq();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('subscribers sharing executions', () => {
  const t = new TestApp({
    env: {
      TWINGRAPH_AUTH: 'required',
      TWINGRAPH_PLUGINS: '',
      TWINGRAPH_MAX_RESPONSE: '4kb',
      TWINGRAPH_MAX_SUBSCRIBER_LAG: '100',
    },
  });
  let shared: Served;
  let unshared: Served;
  const keys: Record<string, string> = {};
  const clients: { dispose(): unknown }[] = [];
  const ws = (served: Served, key: string): WsClient => {
    const client = wsClientAs(served.url, keys[key]);
    clients.push(client);
    return client;
  };
  const sse = (served: Served, key: string, singleConnection = false): SseClient => {
    const client = sseClientAs(served, keys[key], singleConnection);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    await t.start();
    for (const [name, role, models] of [
      ['reader-a', 'reader', undefined],
      ['reader-b', 'reader', undefined],
      ['reader-c', 'reader', undefined],
      ['writer', 'writer', undefined],
      ['crm-a', 'reader', [M.client]],
      ['crm-b', 'reader', [M.client]],
    ] as const)
      keys[name] = bearer(await createKey(t.store, { name, role, ...(models && { models: [...models] }) }));
    shared = await serve(t);
    unshared = await serve(t, { shared: false });
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await shared?.close();
    await unshared?.close();
    await t.close();
  });

  describe.each([
    ['shared (the default)', () => shared, 1],
    ['not shared', () => unshared, 12],
  ])('twelve subscribers with one document, %s', (_mode, served, executionsPerChange) => {
    it(`run ${executionsPerChange} execution(s) per change, and each gets every change in order`, async () => {
      const id = `same-${executionsPerChange}`;
      const query = `subscription { twinChanged(twinIds: ["${id}"]) { seq type twin { ... on Client { name } } } }`;
      // Three partners (keys of the same role), two sockets each, two subscriptions on each socket.
      const received: Received[] = [];
      for (const key of ['reader-a', 'reader-b', 'reader-c'])
        for (let socket = 0; socket < 2; socket++) {
          const client = ws(served(), key);
          for (let i = 0; i < 2; i++) received.push(await subscribe(t, client, query));
        }
      const seqs = [await createClientTwin(t, id, 'v0'), await rename(t, id, 'v1'), await rename(t, id, 'v2')];
      for (const r of received) await r.waitFor(3);
      for (const r of received)
        expect(r.events).toEqual([
          { seq: seqs[0], type: 'TWIN_CREATE', twin: { name: 'v0' } },
          { seq: seqs[1], type: 'TWIN_UPDATE', twin: { name: 'v1' } },
          { seq: seqs[2], type: 'TWIN_UPDATE', twin: { name: 'v2' } },
        ]);
      for (const seq of seqs) expect(served().executionsOf(seq)).toHaveLength(executionsPerChange);
      for (const r of received) r.stop();
    });
  });

  it('share only with equal variables (in any key order): other variables are another group, with their own payload', async () => {
    const query =
      'subscription ($ids: [ID!], $named: Boolean!) { twinChanged(twinIds: $ids) { seq twin @include(if: $named) { id } } }';
    const client = ws(shared, 'reader-a');
    const a = await subscribe(t, client, query, { ids: ['var-1', 'var-2'], named: true });
    const b = await subscribe(t, client, query, { named: true, ids: ['var-1', 'var-2'] });
    const c = await subscribe(t, client, query, { ids: ['var-2', 'var-1'], named: true });
    const d = await subscribe(t, client, query, { ids: ['var-1', 'var-2'], named: false });
    const seq = await createClientTwin(t, 'var-1', 'V');
    for (const r of [a, b, c, d]) await r.waitFor(1);
    expect([a.events, b.events, c.events]).toEqual([
      [{ seq, twin: { id: 'var-1' } }],
      [{ seq, twin: { id: 'var-1' } }],
      [{ seq, twin: { id: 'var-1' } }],
    ]);
    expect(d.events).toEqual([{ seq }]);
    // {a, b}, {c}, {d}.
    expect(shared.executionsOf(seq)).toHaveLength(3);
    for (const r of [a, b, c, d]) r.stop();
  });

  it('share only within one role and one scope: a scoped subscriber never sees an out-of-scope twin, not even nested', async () => {
    await t.store.createTwins([
      { id: 'scope-client', twin: twinInput(M.client, { name: 'Acme' }) },
      { id: 'scope-eng', twin: twinInput(M.engagement, { title: 'Audit' }) },
    ]);
    await t.store.putRelationship('scope-client', 'r1', { $targetId: 'scope-eng', $relationshipName: 'hasEngagement' });
    const query =
      'subscription { twinChanged(twinIds: ["scope-client", "scope-eng"]) { subject twin { ... on Client { name hasEngagement { nodes { id } } } } } }';
    const crmA = await subscribe(t, ws(shared, 'crm-a'), query);
    const crmB = await subscribe(t, sse(shared, 'crm-b'), query);
    const reader = await subscribe(t, ws(shared, 'reader-b'), query);
    const writer = await subscribe(t, ws(shared, 'writer'), query);
    await t.store.patchTwin('scope-eng', [{ op: 'replace', path: '/title', value: 'Hidden' }]);
    const hidden = await t.latestSeq();
    const seen = await rename(t, 'scope-client', 'Acme 2');
    for (const r of [reader, writer]) await r.waitFor(2);
    for (const r of [crmA, crmB]) await r.waitFor(1);
    await sleep(100);
    const scopedView = [{ subject: 'scope-client', twin: { name: 'Acme 2', hasEngagement: { nodes: [] } } }];
    expect(crmA.events).toEqual(scopedView);
    expect(crmB.events).toEqual(scopedView);
    const fullView = [
      { subject: 'scope-eng', twin: {} },
      { subject: 'scope-client', twin: { name: 'Acme 2', hasEngagement: { nodes: [{ id: 'scope-eng' }] } } },
    ];
    expect(reader.events).toEqual(fullView);
    expect(writer.events).toEqual(fullView);
    // The engagement's change: the reader's group and the writer's; the client's: the scoped group's too.
    expect(shared.executionsOf(hidden)).toHaveLength(2);
    const executions = shared.executionsOf(seen);
    expect(executions).toHaveLength(3);
    // Each ran as its group's role and scope, as nobody in particular.
    const identities = executions.map((args) => (args.contextValue as { identity: Identity }).identity);
    expect(identities).toEqual(
      expect.arrayContaining([
        { name: 'subscription group', via: 'key', role: 'reader', models: [M.client] },
        { name: 'subscription group', via: 'key', role: 'reader' },
        { name: 'subscription group', via: 'key', role: 'writer' },
      ]),
    );
    for (const r of [crmA, crmB, reader, writer]) r.stop();
  });

  it('read nested twins as of each change, not as of the first', async () => {
    const [client, engagement] = ['fresh-client', 'fresh-eng'];
    await t.store.createTwins([
      { id: client, twin: twinInput(M.client, { name: 'C0' }) },
      { id: engagement, twin: twinInput(M.engagement, { title: 'T0' }) },
    ]);
    await t.store.putRelationship(client, 'r1', { $targetId: engagement, $relationshipName: 'hasEngagement' });
    const received = await subscribe(
      t,
      ws(shared, 'reader-a'),
      `subscription { twinChanged(twinIds: ["${client}"]) { twin { ... on Client { name hasEngagement { nodes { title } } } } } }`,
    );
    await rename(t, client, 'C1');
    await received.waitFor(1);
    await t.store.patchTwin(engagement, [{ op: 'replace', path: '/title', value: 'T1' }]);
    await rename(t, client, 'C2');
    expect((await received.waitFor(2)).map((e) => e.twin)).toEqual([
      { name: 'C1', hasEngagement: { nodes: [{ title: 'T0' }] } },
      { name: 'C2', hasEngagement: { nodes: [{ title: 'T1' }] } },
    ]);
    received.stop();
  });

  it('a subscriber resuming with since joins the live ones: every change once, in order, one execution per live change', async () => {
    const query =
      'subscription ($since: Long) { twinChanged(twinIds: ["resume-1"], since: $since) { seq twin { ... on Client { name } } } }';
    const start = await t.latestSeq();
    const live = await subscribe(t, ws(shared, 'reader-a'), query);
    const missed = [await createClientTwin(t, 'resume-1', 'm0')];
    for (let i = 1; i < 5; i++) missed.push(await rename(t, 'resume-1', `m${i}`));
    await live.waitFor(5);
    const resumed = await subscribe(t, ws(shared, 'reader-b'), query, { since: start });
    await resumed.waitFor(5);
    // The same document with the seq written into it, over an event stream.
    const inline = await subscribe(
      t,
      sse(shared, 'reader-c'),
      `subscription { twinChanged(twinIds: ["resume-1"], since: ${missed[4]}) { seq twin { ... on Client { name } } } }`,
    );
    const after = [await rename(t, 'resume-1', 'l0'), await rename(t, 'resume-1', 'l1')];
    await Promise.all([live.waitFor(7), resumed.waitFor(7), inline.waitFor(2)]);
    await sleep(100);
    const names = ['m0', 'm1', 'm2', 'm3', 'm4', 'l0', 'l1'];
    const all = [...missed, ...after].map((seq, i) => ({ seq, twin: { name: names[i] } }));
    expect(live.events).toEqual(all);
    expect(resumed.events).toEqual(all);
    expect(inline.events).toEqual(all.slice(5));
    for (const seq of after) expect(shared.executionsOf(seq)).toHaveLength(1);
    for (const r of [live, resumed, inline]) r.stop();
  });

  it('over WebSocket and both event stream modes, one execution per change for all of them', async () => {
    const query = 'subscription { twinChanged(twinIds: ["mixed-1"]) { seq subject } }';
    const received = [
      await subscribe(t, ws(shared, 'reader-a'), query),
      await subscribe(t, sse(shared, 'reader-b'), query),
      await subscribe(t, sse(shared, 'reader-c', true), query),
      await subscribe(t, sse(shared, 'reader-c', true), query),
    ];
    const seqs = [await createClientTwin(t, 'mixed-1', 'X'), await rename(t, 'mixed-1', 'Y')];
    for (const r of received) expect(await r.waitFor(2)).toEqual(seqs.map((seq) => ({ seq, subject: 'mixed-1' })));
    for (const seq of seqs) expect(shared.executionsOf(seq)).toHaveLength(1);
    for (const r of received) r.stop();
  });

  it('replace an event over TWINGRAPH_MAX_RESPONSE with RESPONSE_TOO_LARGE for every member, and go on', async () => {
    const query = 'subscription { twinChanged(twinIds: ["big-1"]) { seq twin { ... on Client { name } } } }';
    const received = [
      await subscribe(t, ws(shared, 'reader-a'), query),
      await subscribe(t, sse(shared, 'reader-b'), query),
      await subscribe(t, sse(shared, 'reader-c', true), query),
    ];
    const big = await createClientTwin(t, 'big-1', 'x'.repeat(5000));
    const small = await rename(t, 'big-1', 'small');
    for (const r of received) await waitUntil(() => r.events.length === 1, 'the small event arrives');
    for (const r of received) {
      expect(r.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/TWINGRAPH_MAX_RESPONSE/),
          extensions: expect.objectContaining({ code: 'RESPONSE_TOO_LARGE' }),
        }),
      ]);
      expect(r.events).toEqual([{ seq: small, twin: { name: 'small' } }]);
    }
    expect(shared.executionsOf(big)).toHaveLength(1);
    for (const r of received) r.stop();
  });

  describe('what reaches the wire is what the protocol libraries send without sharing', () => {
    /** The raw text of graphql-ws messages one socket receives after subscribing as operation `id`. */
    async function rawWs(served: Served, query: string, id: string): Promise<{ messages: string[]; close(): void }> {
      const socket = new WebSocket(served.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      const messages: string[] = [];
      socket.on('message', (data) => messages.push(String(data)));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: keys['reader-a'] } }));
      await waitUntil(() => messages.length === 1, 'connection_ack');
      const before = t.app.services.feed.subscriptionsStarted;
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
      await waitUntil(() => t.app.services.feed.subscriptionsStarted > before, 'the subscription starts');
      return { messages, close: () => socket.close() };
    }

    /** The raw text of an event stream, distinct connections mode. */
    async function rawSse(served: Served, query: string): Promise<{ text: () => string; close(): void }> {
      const abort = new AbortController();
      const before = t.app.services.feed.subscriptionsStarted;
      const response = await fetch(`${served.url}/stream`, {
        method: 'POST',
        headers: { authorization: keys['reader-a'], accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
        signal: abort.signal,
      });
      let text = '';
      const decoder = new TextDecoder();
      void (async () => {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
      })().catch(() => undefined);
      await waitUntil(() => t.app.services.feed.subscriptionsStarted > before, 'the subscription starts');
      return { text: () => text, close: () => abort.abort() };
    }

    it('graphql-ws next messages and graphql-sse next events, byte for byte', async () => {
      const query =
        'subscription { twinChanged(twinIds: ["wire-1"]) { seq type time patch body twin { __typename ... on Client { name address { city } } } } }';
      const [a, b] = [await rawWs(shared, query, 'op "1"'), await rawWs(unshared, query, 'op "1"')];
      const [c, d] = [await rawSse(shared, query), await rawSse(unshared, query)];
      await t.store.createTwins([
        { id: 'wire-1', twin: twinInput(M.client, { name: 'Ünïcode ✓', address: { city: 'Zürich' } }) },
      ]);
      await rename(t, 'wire-1', 'line\nbreak "quoted"');
      await waitUntil(() => a.messages.length === 3 && b.messages.length === 3, 'two next messages on each socket');
      await waitUntil(() => (c.text().match(/event: next/g) ?? []).length === 2, 'two events on the shared stream');
      await waitUntil(() => (d.text().match(/event: next/g) ?? []).length === 2, 'two events on the other stream');
      expect(a.messages).toEqual(b.messages);
      expect(JSON.parse(a.messages[2])).toMatchObject({
        id: 'op "1"',
        type: 'next',
        payload: { data: { twinChanged: { twin: { name: 'line\nbreak "quoted"' } } } },
      });
      // Each stream starts with graphql-sse's keep-alive comment, which may come before or after the first event.
      const events = (text: string) => text.split('\n\n').filter((e) => e.startsWith('event:'));
      expect(events(c.text())).toEqual(events(d.text()));
      for (const raw of [a, b, c, d]) raw.close();
    });
  });
});

describe('a group, in process', () => {
  const t = new TestApp({ env: { TWINGRAPH_PLUGINS: '', TWINGRAPH_MAX_SUBSCRIBER_LAG: '100' } });
  let served: Served;
  let small: Served;
  const reader: Identity = { name: 'partner', via: 'key', role: 'reader' };
  beforeAll(async () => {
    await t.start();
    await t.store.createTwins([{ id: 'p-1', twin: twinInput(M.client, { name: 'P' }) }]);
    served = await serve(t);
    small = await serve(t, { cacheChars: 1 });
  });
  afterAll(async () => {
    await served?.close();
    await small?.close();
    await t.close();
  });

  /** A member subscribed straight through the core, as a transport does. */
  async function member(on: Served, variables: Record<string, unknown> = {}): Promise<SharedPayloads> {
    const query = 'subscription ($since: Long) { twinChanged(twinIds: ["p-1"], since: $since) { seq } }';
    const prepared = on.core.prepare({ query, variables }, reader) as PreparedOperation;
    const { schema, document, operationName, variableValues } = prepared;
    const result = await on.core.subscribe({
      schema,
      document,
      operationName,
      variableValues,
      contextValue: on.core.context(reader, prepared.operation.operation),
    });
    if (!isSharedPayloads(result)) throw new Error('expected shared payloads');
    return result;
  }

  async function take(payloads: SharedPayloads, n: number): Promise<number[]> {
    const seqs: number[] = [];
    while (seqs.length < n) {
      const next = await payloads.next();
      if (next.done) throw new Error(`ended after ${seqs.length} of ${n}`);
      seqs.push((JSON.parse(next.value) as { data: { twinChanged: { seq: number } } }).data.twinChanged.seq);
    }
    return seqs;
  }

  async function touch(n: number): Promise<number[]> {
    const seqs: number[] = [];
    for (let i = 0; i < n; i++) seqs.push(await rename(t, 'p-1', `P${i}`));
    return seqs;
  }

  it('keeps a payload for a member that reads later, and runs none twice', async () => {
    const [fast, slow] = [await member(served), await member(served)];
    const seqs = await touch(10);
    served.executions.length = 0;
    expect(await take(fast, 10)).toEqual(seqs);
    expect(await take(slow, 10)).toEqual(seqs);
    expect(served.executions).toHaveLength(10);
    await Promise.all([fast.return(), slow.return()]);
  });

  it('past its cache budget runs a change again for a member that reads later, which still gets every change in order', async () => {
    const [fast, slow] = [await member(small), await member(small)];
    const seqs = await touch(10);
    small.executions.length = 0;
    expect(await take(fast, 10)).toEqual(seqs);
    expect(await take(slow, 10)).toEqual(seqs);
    expect(small.executions.length).toBeGreaterThan(10);
    await Promise.all([fast.return(), slow.return()]);
  });

  it('ends a member that falls behind with SlowConsumer and its resume seq, while the others go on; resuming rejoins', async () => {
    const start = await t.latestSeq();
    const [reading, stalled] = [await member(served), await member(served)];
    const seqs: number[] = [];
    for (let i = 0; i < 120; i++) {
      seqs.push(...(await touch(1)));
      expect(await take(reading, 1)).toEqual(seqs.slice(-1));
    }
    const failure = await stalled.next().then(
      () => undefined,
      (error: unknown) => error as { code?: string; resumeSeq?: number },
    );
    expect(failure).toMatchObject({ code: 'SlowConsumer', resumeSeq: start });
    const resumed = await member(served, { since: failure!.resumeSeq });
    expect(await take(resumed, 120)).toEqual(seqs);
    const more = await touch(3);
    served.executions.length = 0;
    expect(await take(reading, 3)).toEqual(more);
    expect(await take(resumed, 3)).toEqual(more);
    expect(served.executions).toHaveLength(3);
    await Promise.all([reading.return(), resumed.return()]);
  });

  it('lets go of the feed subscription at once when a member ends, even while it waits for a change', async () => {
    const count = t.subscriberCount;
    const waiting = await member(served);
    expect(t.subscriberCount).toBe(count + 1);
    const pending = waiting.next();
    await waiting.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(t.subscriberCount).toBe(count);
  });
});
