/**
 * The API test harness: a whole Twingraph app (store, change feed, services, HTTP and WebSocket server)
 * started in-process on 127.0.0.1 on a free port, with a fresh SQLite file (or, when NEO4J_URI is set, as
 * `npm run test:neo4j` sets it, the Neo4j database there, wiped first), and reached only the way a
 * client reaches it: GraphQL over HTTP (fetch) and over WebSocket (graphql-ws with `ws`). The app's own
 * objects are at hand for what a client cannot see: seeding in bulk, and the change feed's subscriber count
 * (to know when a subscription has started on the server, so that a test never races its own subscribe).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';
import { startApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { openStore } from '../../src/store/open';
import type { TwinStore } from '../../src/store/port';
import type { JsonObject, TwinInput } from '../../src/store/types';
import { wipeNeo4j } from '../neo4j/server';

/** The demo models (dtdl/). */
export const M = {
  party: 'dtmi:twingraph:demo:Party;1',
  client: 'dtmi:twingraph:demo:Client;1',
  employee: 'dtmi:twingraph:demo:Employee;1',
  engagement: 'dtmi:twingraph:demo:Engagement;1',
  offering: 'dtmi:twingraph:demo:ServiceOffering;1',
  asset: 'dtmi:twingraph:demo:Asset;1',
  device: 'dtmi:twingraph:demo:Device;1',
  diagnostics: 'dtmi:twingraph:demo:Diagnostics;1',
} as const;

/** A twin body for the store (ADT JSON); devices get their (required) diagnostics component. */
export function twinInput(model: string, properties: JsonObject = {}): TwinInput {
  const component =
    model === M.device && properties.diagnostics === undefined ? { diagnostics: { $metadata: {} } } : {};
  return { $metadata: { $model: model }, ...component, ...properties } as TwinInput;
}

export interface GqlError {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: Record<string, unknown> & { code?: string };
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: GqlError[];
}

/**
 * Polls until `condition` holds; fails with `what` after `timeoutMs`. The deadline only bounds a wait for
 * something that must happen: it is generous, as a busy CI machine can be seconds late, and a test that means
 * "at once" says what it would otherwise have waited for.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Tries `attempt` until `accepted(result)`, for up to `timeoutMs`, and returns the last result (for the test's
 * own expectation). For a limit that a departing client makes room under: the server hears the client go a
 * moment after it has gone (later on a busy machine), and a refused try changes nothing.
 */
export async function retriedUntil<T>(
  attempt: () => Promise<T>,
  accepted: (result: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (accepted(result) || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every error of a GraphQL response has a string extensions.code (the API's promise). */
export function expectCodes(errors: readonly GqlError[] | undefined): void {
  expect(errors?.length).toBeGreaterThan(0);
  for (const error of errors ?? []) expect(typeof error.extensions?.code).toBe('string');
}

// ── Store instrumentation ─────────────────────────────────────────────────────────────────────────

/**
 * A TwinStore that counts every method call (a Proxy over the real one), and can hold calls of one method
 * until released (to keep a request in flight).
 */
export class InstrumentedStore {
  readonly calls = new Map<string, number>();
  private readonly held = new Map<string, { gate: Promise<void>; release: () => void; waiting: number }>();
  private readonly failing = new Map<string, Error>();
  readonly store: TwinStore;
  closed = false;

  constructor(readonly target: TwinStore) {
    this.store = new Proxy(target, {
      get: (t, property, receiver) => {
        const value = Reflect.get(t, property, receiver) as unknown;
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          this.calls.set(property, (this.calls.get(property) ?? 0) + 1);
          if (property === 'close') this.closed = true;
          const failure = this.failing.get(property);
          if (failure) return Promise.reject(failure);
          const hold = this.held.get(property);
          if (!hold) return (value as (...a: unknown[]) => unknown).apply(t, args);
          hold.waiting++;
          return hold.gate.then(() => (value as (...a: unknown[]) => unknown).apply(t, args));
        };
      },
    });
  }

  /** Calls of every method since the last reset. */
  get total(): number {
    let sum = 0;
    for (const n of this.calls.values()) sum += n;
    return sum;
  }

  reset(): void {
    this.calls.clear();
  }

  /** Holds every later call of `method` until the returned function is called. */
  hold(method: keyof TwinStore): { release: () => void; waiting: () => number } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const entry = { gate, release, waiting: 0 };
    this.held.set(method, entry);
    return {
      release: () => {
        this.held.delete(method);
        release();
      },
      waiting: () => entry.waiting,
    };
  }

  /** Makes every later call of `method` reject with `error`, until the returned function is called. */
  fail(method: keyof TwinStore, error: Error): () => void {
    this.failing.set(method, error);
    return () => this.failing.delete(method);
  }

  /** Waits until nothing has called the store for `quietMs` (the change feed reads after commits). */
  async settle(quietMs = 60): Promise<void> {
    let last = -1;
    for (;;) {
      const now = this.total;
      if (now === last) return;
      last = now;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }
}

// ── Subscriptions ─────────────────────────────────────────────────────────────────────────────────

/** A client of either transport, as far as subscribing goes (graphql-ws's and graphql-sse's both are). */
export interface SubscribingClient {
  subscribe(request: { query: string; variables?: Record<string, unknown> }, sink: never): () => void;
}

/**
 * Subscribes and resolves once the server has started the subscription (or refused it), so that every change
 * committed afterwards is one it must deliver.
 */
export async function subscribeStarted<T = Record<string, any>>(
  t: TestApp,
  client: SubscribingClient,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Received<T>> {
  const before = t.app.services.feed.subscriptionsStarted;
  let unsubscribe: () => void = () => undefined;
  const received = new Received<T>(() => unsubscribe());
  unsubscribe = client.subscribe({ query, variables }, received.sink as never);
  await waitUntil(
    () => t.app.services.feed.subscriptionsStarted > before || received.errors.length > 0 || received.completed,
    'the server starts the subscription',
  );
  return received;
}

/** What one graphql-ws subscription received. */
export class Received<T = Record<string, unknown>> {
  /** The value of the subscription's root field, one per `next` message without errors. */
  readonly events: T[] = [];
  /** GraphQL errors of `next` messages, and whatever `error` reported (errors array, close event, Error). */
  readonly errors: unknown[] = [];
  completed = false;

  constructor(private readonly unsubscribe: () => void) {}

  readonly sink = {
    next: (result: { data?: Record<string, unknown> | null; errors?: readonly unknown[] }) => {
      if (result.errors?.length) this.errors.push(...result.errors);
      else if (result.data) this.events.push(Object.values(result.data)[0] as T);
    },
    error: (error: unknown) => {
      this.errors.push(error);
    },
    complete: () => {
      this.completed = true;
    },
  };

  /** Waits until at least `count` events have arrived, and returns them all. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<T[]> {
    await waitUntil(
      () => this.events.length >= count || this.completedOrFailed,
      `${count} events (have ${this.events.length})`,
      timeoutMs,
    );
    if (this.events.length < count)
      throw new Error(
        `the subscription ended after ${this.events.length} of ${count} events: ${JSON.stringify(this.errors)}`,
      );
    return this.events;
  }

  /** Waits until the subscription ends (complete or error). */
  async ended(timeoutMs = 15_000): Promise<void> {
    await waitUntil(() => this.completedOrFailed, 'the subscription ends', timeoutMs);
  }

  /** Unsubscribes (sends graphql-ws `complete`). */
  stop(): void {
    this.unsubscribe();
  }

  private get completedOrFailed(): boolean {
    return this.completed || this.errors.length > 0;
  }
}

// ── The app ───────────────────────────────────────────────────────────────────────────────────────

export interface TestAppOptions {
  /** `demo`: the models in dtdl/ are loaded at start (default); `none`: the app starts without models. */
  readonly models?: 'demo' | 'none';
  /** More environment variables for loadConfig (LOG_LEVEL is silent, PORT 0, HOST 127.0.0.1, TWINGRAPH_DB a temp file). */
  readonly env?: Record<string, string>;
}

// ── The store ─────────────────────────────────────────────────────────────────────────────────────

/**
 * With NEO4J_URI set, the store variables that put a TestApp on that Neo4j server (its credentials and
 * database too, when given); none otherwise. A TestApp given its own TWINGRAPH_DB (a prepared SQLite
 * database, such as the seeded demo) stays on it.
 */
function neo4jEnv(options: TestAppOptions): Record<string, string> {
  if (!process.env.NEO4J_URI || options.env?.TWINGRAPH_DB !== undefined) return {};
  const names = ['NEO4J_URI', 'NEO4J_USER', 'NEO4J_PASSWORD', 'NEO4J_DATABASE'] as const;
  return Object.fromEntries(
    names.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])),
  );
}

export class TestApp {
  private started: { app: App; config: Config; instrumented: InstrumentedStore; dir: string } | undefined;
  private readonly clients = new Set<Client>();

  constructor(private readonly options: TestAppOptions = {}) {}

  async start(): Promise<this> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-api-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TWINGRAPH_DB: path.join(dir, 'twingraph.db'),
      TWINGRAPH_SEED: this.options.models === 'none' ? 'none' : 'models',
      // One process: its own commits reach its feed directly. Polling the log for other replicas' commits
      // (test/replicas) would add store calls that tests counting them would see.
      TWINGRAPH_LOG_POLL_MS: '0',
      ...neo4jEnv(this.options),
      ...this.options.env,
    });
    let instrumented: InstrumentedStore | undefined;
    try {
      const app = await startApp(config, pino({ level: config.logLevel }), {
        openStore: async (storeConfig) => {
          // Each app starts on an empty database, as on a fresh SQLite file.
          if (storeConfig.kind === 'neo4j') await wipeNeo4j(storeConfig);
          instrumented = new InstrumentedStore(await openStore(storeConfig));
          return instrumented.store;
        },
      });
      this.started = { app, config, instrumented: instrumented!, dir };
      return this;
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private get s(): NonNullable<TestApp['started']> {
    if (!this.started) throw new Error('the test app has not started');
    return this.started;
  }

  get app(): App {
    return this.s.app;
  }

  get config(): Config {
    return this.s.config;
  }

  /** http://127.0.0.1:<port>/graphql */
  get url(): string {
    return this.s.app.server.url;
  }

  get origin(): string {
    return new URL(this.url).origin;
  }

  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws');
  }

  /** The store the app uses (counted: see `instrumented`). */
  get store(): TwinStore {
    return this.s.instrumented.store;
  }

  get instrumented(): InstrumentedStore {
    return this.s.instrumented;
  }

  get subscriberCount(): number {
    return this.s.app.services.feed.subscriberCount;
  }

  /** POSTs a GraphQL operation; never throws for GraphQL errors. */
  async gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, ...(variables && { variables }) }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: GqlError[] };
    return { status: response.status, ...body };
  }

  /** Runs an operation that must succeed, and returns its data. */
  async ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await this.gql<T>(query, variables);
    if (result.errors?.length || !result.data)
      throw new Error(`expected no errors, got ${JSON.stringify(result.errors, null, 2)}`);
    return result.data;
  }

  /** Runs an operation that must fail; returns its errors (each checked to carry extensions.code). */
  async fails(query: string, variables?: Record<string, unknown>): Promise<GqlError[]> {
    const result = await this.gql(query, variables);
    expectCodes(result.errors);
    return result.errors!;
  }

  /** A graphql-ws client (closed by `close()`). */
  wsClient(options: { onClosed?: (event: unknown) => void } = {}): Client {
    const client = createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      ...(options.onClosed && { on: { closed: options.onClosed } }),
    });
    this.clients.add(client);
    return client;
  }

  /**
   * Subscribes and resolves once the server has started the subscription (or refused it), so that every
   * change committed afterwards is one it must deliver.
   */
  async subscribe<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    client: Client = this.wsClient(),
  ): Promise<Received<T>> {
    // Counted by starts, not by live subscribers: a subscription another test stopped may be let go of at the
    // same moment, which would hide this one in a live count.
    const before = this.s.app.services.feed.subscriptionsStarted;
    let unsubscribe: () => void = () => undefined;
    const received = new Received<T>(() => unsubscribe());
    unsubscribe = client.subscribe({ query, variables }, received.sink as never);
    await waitUntil(
      () => this.s.app.services.feed.subscriptionsStarted > before || received.errors.length > 0 || received.completed,
      'the server starts the subscription',
    );
    return received;
  }

  /** The newest seq of the change log. */
  latestSeq(): Promise<number> {
    return this.s.instrumented.target.latestSeq();
  }

  /** Closes the WebSocket clients, the app (server, feed, store), and removes the database. */
  async close(): Promise<void> {
    const started = this.started;
    if (!started) return;
    this.started = undefined;
    await Promise.all([...this.clients].map((c) => c.dispose()));
    this.clients.clear();
    await started.app.close();
    fs.rmSync(started.dir, { recursive: true, force: true });
  }
}

/** A TestApp for a describe block (or file): started before its tests, closed after. */
export function useTestApp(options: TestAppOptions = {}): TestApp {
  const t = new TestApp(options);
  beforeAll(() => t.start());
  afterAll(() => t.close());
  return t;
}
