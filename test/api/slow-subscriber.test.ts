/**
 * A subscriber that falls more than TWINGRAPH_MAX_SUBSCRIBER_LAG changes behind is told so over the real
 * transports, graphql-ws and Server-Sent Events: it gets every change up to where it was cut off, then one
 * error with `extensions.code` SlowConsumer and `extensions.resumeSeq`, the seq of the last change it got; and
 * a new subscription with `since` set to that seq gets every change it missed, in order, none lost or
 * repeated, and goes on live. The change feed (test/events/change-feed.test.ts) and the subscription groups
 * (test/api/subscription-groups.test.ts) test the rule in-process; this is what a client on a socket sees.
 *
 * The client falls behind for real: it stops reading its socket, so that the server's writes fill the socket's
 * buffers and then wait, and with them the server's pulls from the change feed (each event is written before
 * the next is taken). Its events are made large (one 4 KB name, asked for under many aliases) so that the
 * buffers fill after a few dozen changes. How many fit depends on the kernel, so the writes go on until the
 * server's own feed subscription for this client is more than the lag limit behind the feed's head: the one
 * thing a client cannot see, read from the app's objects as the harness reads the subscriber count. Then the
 * client reads again; the server's pending write completes, its next pull finds the subscriber too far behind,
 * and the error follows the events already on their way.
 */
import http from 'node:http';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import WebSocket from 'ws';
import type { ChangeSubscription } from '../../src/events/subscription';
import { Received, subscribeStarted, TestApp, waitUntil, type GqlError } from '../support/api-harness';

const MAX_LAG = 100;
/** Writes enough to fill any loopback buffers many times over with these events: a bound, not an expectation. */
const MAX_WRITES = 1_000;
const ALIASES = 40;

const createClientTwin = `mutation ($id: ID!) { createClient(id: $id, input: { name: "v0" }) { id } }`;
const renameClient = `mutation ($id: ID!, $name: String) { updateClient(id: $id, input: { name: $name }) { id } }`;

/** Write `i`'s name: its index, then enough to make every alias of it weigh 4 KB. */
const nameFor = (i: number): string => `${i}:${'x'.repeat(4_000)}`;
const indexOf = (name: string): number => Number(name.slice(0, name.indexOf(':')));

/** The subscription that falls behind: each event carries the twin's name ALIASES times (some 160 KB). */
const heavy = (id: string): string => {
  const aliases = Array.from({ length: ALIASES }, (_, i) => `a${i}: twin { ... on Client { name } }`).join(' ');
  return `subscription { twinChanged(twinIds: ["${id}"]) { seq ${aliases} } }`;
};
/** The subscription that resumes: the seq and the name once are all it needs to check what it got. */
const resuming = (id: string): string =>
  `subscription ($since: Long) { twinChanged(twinIds: ["${id}"], since: $since) { seq twin { ... on Client { name } } } }`;

type HeavyEvent = { seq: number } & Record<string, { name: string }>;
type LightEvent = { seq: number; twin: { name: string } };

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Starts `start`, which subscribes once, and returns the feed subscription the server made for it (the
 * ChangeFeed's own, whose resumeSeq is how far the server has taken changes for this client).
 */
async function serverSideOf(t: TestApp, start: () => Promise<unknown>): Promise<ChangeSubscription> {
  const feed = t.app.services.feed;
  const spy = jest.spyOn(feed, 'subscribe');
  try {
    await start();
    expect(spy).toHaveBeenCalledTimes(1);
    return spy.mock.results[0].value as ChangeSubscription;
  } finally {
    spy.mockRestore();
  }
}

/**
 * Renames twin `id` until the server's subscription `server` is more than MAX_LAG changes behind the feed's
 * head: the server can no longer send to the client, which has stopped reading. Returns the seq of the last
 * write.
 */
async function writeUntilBehind(t: TestApp, id: string, server: ChangeSubscription): Promise<number> {
  const feed = t.app.services.feed;
  for (let i = 1; i <= MAX_WRITES; i++) {
    await t.ok(renameClient, { id, name: nameFor(i) });
    if (feed.deliveredSeq - server.resumeSeq! > MAX_LAG) return t.latestSeq();
  }
  throw new Error(
    `after ${MAX_WRITES} writes the server still kept up with a client that reads nothing (at ${server.resumeSeq}, head ${feed.deliveredSeq})`,
  );
}

/**
 * What a client that fell behind must have received: every change from `first` up to the seq it is told to
 * resume from, in order, then that error alone. Returns the resume seq.
 */
function expectCutOff(events: HeavyEvent[], errors: GqlError[], first: number, server: ChangeSubscription): number {
  expect(errors).toEqual([
    {
      message: expect.stringContaining(`fell more than ${MAX_LAG} changes behind`),
      extensions: { code: 'SlowConsumer', resumeSeq: expect.any(Number) },
    },
  ]);
  const resumeSeq = errors[0].extensions!.resumeSeq as number;
  expect(errors[0].message).toContain(`resubscribe with since: ${resumeSeq}`);
  expect(resumeSeq).toBe(server.resumeSeq);
  expect(events.map((e) => e.seq)).toEqual(range(first, resumeSeq));
  // Each event is the change it says it is: write i made seq first + i - 1.
  for (const event of events) {
    expect(indexOf(event.a0.name)).toBe(event.seq - first + 1);
    expect(event[`a${ALIASES - 1}`]).toEqual(event.a0);
  }
  return resumeSeq;
}

/** Resumes from `since` and checks that every change after it up to `last` arrives, in order, then live ones. */
async function expectResumed(
  t: TestApp,
  client: Parameters<typeof subscribeStarted>[1],
  id: string,
  since: number,
  first: number,
  last: number,
): Promise<void> {
  const resumed = await subscribeStarted<LightEvent>(t, client, resuming(id), { since });
  try {
    const missed = range(since + 1, last);
    const replayed = await resumed.waitFor(missed.length);
    expect(replayed.map((e) => e.seq)).toEqual(missed);
    expect(replayed.map((e) => indexOf(e.twin.name))).toEqual(missed.map((seq) => seq - first + 1));
    // Replayed to the head, it goes on live; nothing came twice on the way (the next is the live one).
    await t.ok(renameClient, { id, name: 'live:after' });
    const all = await resumed.waitFor(missed.length + 1);
    expect(all.slice(missed.length)).toEqual([{ seq: last + 1, twin: { name: 'live:after' } }]);
    expect(resumed.errors).toEqual([]);
  } finally {
    resumed.stop();
  }
}

// ── Event streams read by hand ─────────────────────────────────────────────────────────────────────
// graphql-sse's client reads its stream through fetch, which it does not let a caller stop reading: the stream
// that falls behind is opened and read here, as the protocol describes it.

const OPERATION_ID = 'slow';

/** A request to the stream endpoint; `streams` collects it, for the test to destroy whatever happens. */
function streamRequest(
  t: TestApp,
  streams: http.ClientRequest[],
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<http.IncomingMessage> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, method, path: '/graphql/stream', headers }, resolve);
    streams.push(request);
    request.on('error', reject);
    request.end(body);
  });
}

/** The whole body of an answer that is not a stream. */
async function textOf(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Distinct connections mode: the operation POSTed asking for an event stream, which is its answer. */
function distinctStream(t: TestApp, streams: http.ClientRequest[], query: string): Promise<http.IncomingMessage> {
  return streamRequest(
    t,
    streams,
    'POST',
    { accept: 'text/event-stream', 'content-type': 'application/json' },
    JSON.stringify({ query }),
  );
}

/**
 * Single connection mode: a stream reserved with PUT and connected with GET, and the operation POSTed with
 * its token. Resolves with the connected stream once the operation is accepted.
 */
async function reservedStream(t: TestApp, streams: http.ClientRequest[], query: string): Promise<http.IncomingMessage> {
  const reserved = await streamRequest(t, streams, 'PUT', {});
  expect(reserved.statusCode).toBe(201);
  const token = await textOf(reserved);
  const stream = await streamRequest(t, streams, 'GET', {
    accept: 'text/event-stream',
    'x-graphql-event-stream-token': token,
  });
  const posted = await streamRequest(
    t,
    streams,
    'POST',
    { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
    JSON.stringify({ query, extensions: { operationId: OPERATION_ID } }),
  );
  expect(posted.statusCode).toBe(202);
  await textOf(posted);
  return stream;
}

/**
 * Reads an event stream's `event: <type>\ndata: <json>` blocks (a blank line after each; comments, which
 * keep the stream alive, left out) up to and including the first `complete`. A distinct stream ends there; a
 * reserved one stays open for its other operations.
 */
function readUntilComplete(stream: http.IncomingMessage): Promise<{ type: string; data: unknown }[]> {
  return new Promise((resolve, reject) => {
    const messages: { type: string; data: unknown }[] = [];
    let text = '';
    const onData = (chunk: string): void => {
      text += chunk;
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const type = /^event: (\w+)$/m.exec(block)?.[1];
        if (type === undefined) continue;
        const data = /^data: (.*)$/m.exec(block)?.[1];
        messages.push({ type, data: data ? (JSON.parse(data) as unknown) : undefined });
        if (type === 'complete') {
          stream.off('data', onData);
          stream.pause();
          return resolve(messages);
        }
      }
    };
    // Decoded as a whole stream, so that a character split between chunks is not mangled.
    stream.setEncoding('utf8');
    stream.on('data', onData);
    stream.on('error', reject);
    stream.on('end', () => reject(new Error(`the stream ended before complete: ${JSON.stringify(messages)}`)));
  });
}

/**
 * Opens an event stream subscribed to `heavy(id)`, in either mode, and does not read it. Resolves once the
 * server has started the subscription, with the server's side of it and the stream (awaited by the caller
 * after its writes: the answer's head may wait for the first event).
 */
async function unreadStream(
  t: TestApp,
  streams: http.ClientRequest[],
  id: string,
  single: boolean,
): Promise<{ server: ChangeSubscription; stream: Promise<http.IncomingMessage> }> {
  let stream!: Promise<http.IncomingMessage>;
  const server = await serverSideOf(t, async () => {
    const started = t.app.services.feed.subscriptionsStarted;
    stream = single ? reservedStream(t, streams, heavy(id)) : distinctStream(t, streams, heavy(id));
    // Awaited after the writes; a failure before then must not go unhandled meanwhile.
    stream.catch(() => undefined);
    await waitUntil(() => t.app.services.feed.subscriptionsStarted > started, 'the server starts the subscription');
  });
  return { server, stream };
}

describe('a subscriber that falls behind', () => {
  const t = new TestApp({ env: { TWINGRAPH_MAX_SUBSCRIBER_LAG: String(MAX_LAG) } });
  beforeAll(() => t.start());
  afterAll(() => t.close());

  it('over graphql-ws gets every change up to its resume seq, then SlowConsumer with resumeSeq; resuming with since gets the rest, in order', async () => {
    const id = 'slow-ws';
    await t.ok(createClientTwin, { id });
    const sockets: WebSocket[] = [];
    // graphql-ws hides its socket: a WebSocket that records itself is how this client gets at it, to stop reading.
    class RecordedWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const clients: WsClient[] = [];
    const wsClient = (): WsClient => {
      const client = createWsClient({ url: t.wsUrl, webSocketImpl: RecordedWebSocket, retryAttempts: 0 });
      clients.push(client);
      return client;
    };
    try {
      const baseline = t.subscriberCount;
      let received!: Received<HeavyEvent>;
      const server = await serverSideOf(t, async () => {
        received = await t.subscribe<HeavyEvent>(heavy(id), {}, wsClient());
      });
      const first = (await t.latestSeq()) + 1;
      expect(sockets).toHaveLength(1);
      // Paused only while the writes commit: graphql-ws's server ends a connection that leaves its ping
      // unanswered for 12 s.
      sockets[0].pause();

      const last = await writeUntilBehind(t, id, server);
      // While it did not read, the client got nothing: what the server sent waits in the socket's buffers.
      expect(received.events).toEqual([]);
      expect(received.errors).toEqual([]);
      sockets[0].resume();
      await received.ended();

      // graphql-ws's client hands an `error` message's errors to the sink as one array.
      const errors = received.errors.flat() as GqlError[];
      const resumeSeq = expectCutOff(received.events, errors, first, server);
      expect(last - resumeSeq).toBeGreaterThan(MAX_LAG);
      // The server let go of it: a subscriber cut off holds nothing.
      await waitUntil(() => t.subscriberCount === baseline, 'the server lets go of the slow subscription');

      await expectResumed(t, wsClient(), id, resumeSeq, first, last);
    } finally {
      // A socket still paused would never read the close handshake dispose() waits for.
      for (const socket of sockets) socket.terminate();
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });

  describe.each([
    ['distinct connections mode', false],
    ['single connection mode', true],
  ])('over Server-Sent Events in %s', (_mode, single) => {
    it('gets every change up to its resume seq, then SlowConsumer with resumeSeq and complete; resuming with since gets the rest, in order', async () => {
      const id = `slow-sse-${single ? 'single' : 'distinct'}`;
      await t.ok(createClientTwin, { id });
      const streams: http.ClientRequest[] = [];
      const resumer: SseClient = createSseClient({
        url: `${t.url}/stream`,
        fetchFn: fetch,
        retryAttempts: 0,
        singleConnection: single,
      });
      try {
        const baseline = t.subscriberCount;
        const { server, stream } = await unreadStream(t, streams, id, single);
        const first = (await t.latestSeq()) + 1;

        // The stream is not read (no 'data' listener, so it does not flow) until the writes are done.
        const last = await writeUntilBehind(t, id, server);
        const response = await stream;
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
        const messages = await readUntilComplete(response);

        // In single connection mode each event names its operation, and the payload is inside.
        const ofOperation = single
          ? messages.map(({ type, data }) => {
              const { id: operationId, payload } = data as { id: string; payload?: unknown };
              expect(operationId).toBe(OPERATION_ID);
              return { type, data: payload };
            })
          : messages;
        expect(ofOperation.at(-1)).toEqual({ type: 'complete', data: undefined });
        const results = ofOperation.slice(0, -1).map(({ type, data }) => {
          expect(type).toBe('next');
          return data as { data?: { twinChanged: HeavyEvent }; errors?: GqlError[] };
        });
        // The error is the last result, after every event, and the only one with errors.
        const errors = results.at(-1)?.errors ?? [];
        const events = results.slice(0, -1).map((r) => {
          expect(r.errors).toBeUndefined();
          return r.data!.twinChanged;
        });
        const resumeSeq = expectCutOff(events, errors, first, server);
        expect(last - resumeSeq).toBeGreaterThan(MAX_LAG);
        await waitUntil(() => t.subscriberCount === baseline, 'the server lets go of the slow subscription');
        // A reserved stream outlives its operations: the failure ended the operation, not the stream.
        if (single) expect(response.readableEnded).toBe(false);

        await expectResumed(t, resumer, id, resumeSeq, first, last);
      } finally {
        for (const request of streams) request.destroy();
        resumer.dispose();
      }
    });
  });
});

describe('an event stream whose client reads nothing at all', () => {
  /** Short, so that the spec need not wait out the default 30 s. */
  const STALL_MS = 1000;
  const t = new TestApp({
    env: { TWINGRAPH_MAX_SUBSCRIBER_LAG: String(MAX_LAG), TWINGRAPH_STREAM_STALL_MS: String(STALL_MS) },
  });
  beforeAll(() => t.start());
  afterAll(() => t.close());

  // It never asks for its next change, so the lag limit never ends it: the stall limit is what lets it go.
  it.each([
    ['distinct connections mode', false],
    ['single connection mode', true],
  ])(
    'is dropped once what was written to it lies unread for TWINGRAPH_STREAM_STALL_MS (%s), and its subscription with it',
    async (_mode, single) => {
      const id = `stalled-sse-${single ? 'single' : 'distinct'}`;
      await t.ok(createClientTwin, { id });
      const streams: http.ClientRequest[] = [];
      try {
        const baseline = t.subscriberCount;
        const { server, stream } = await unreadStream(t, streams, id, single);
        await writeUntilBehind(t, id, server);
        await waitUntil(() => t.subscriberCount === baseline, 'the server drops the stalled stream');
        // The server closed the stream's socket: a client that reads again gets what was on its way, then the end.
        const response = await stream;
        let closed = response.socket.destroyed;
        response.socket.once('close', () => (closed = true));
        response.resume();
        await waitUntil(() => closed, 'the client, reading again, finds the stream closed');
      } finally {
        for (const request of streams) request.destroy();
      }
    },
  );
});
