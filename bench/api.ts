/**
 * `npm run bench:api` (builds dist/, then `node bench/run.mjs api`, which loads this file through tsx and
 * unhooks tsx again, so that neither process pays for a require hook at run time): the real Twingraph server
 * under load, and beside it a bare Apollo Server 5 on the same stack (@apollo/server + @as-integrations/express5 +
 * express) with a one-field schema answering from a Map, as the ceiling the API layer is measured against.
 *
 * Two processes, which share the machine's cores (so the load generator's CPU is the servers' loss):
 *   - the server process (a child, `bench/run.mjs api --server-host`): Twingraph (startApp from the
 *     tsc-compiled dist/, a temp SQLite file, LOG_LEVEL silent, the demo models of dtdl/), seeded directly through its store with
 *     clients → engagements → assets → devices; the bare Apollo Server on another port, holding the same
 *     twins in a Map; and the change driver (patchTwin through the store, commit times from onCommit);
 *   - the load-generator process (this one): autocannon through its API, then the graphql-ws subscribers.
 * The servers are driven one at a time, never both at once.
 *
 * Figures: (a) twin by id (ids rotating over every seeded twin) on both servers and their ratio (goal: at
 * least 85% of the bare server's throughput); (b) a 2-level traversal page (clients → engagements → assets)
 * on Twingraph; (c) subscription delivery: 1,000 graphql-ws subscriptions of twinChanged (100 WebSocket
 * connections × 10) while the driver commits 500 patches per second for 10 s; latency commit → receipt in
 * this process (clocks of the two processes aligned by a ping exchange), delivered vs expected, exact
 * (goal: p99 < 50 ms, nothing lost or duplicated). Run twice: filtered (each subscription watches 10
 * clients, so each change goes to 10 subscriptions: 5,000 deliveries/s) and unfiltered (every subscription
 * gets every change: 500,000 deliveries/s). The run waits for every delivery (up to 3 minutes after the
 * last commit) before counting, so a server that falls behind shows as latency, not as loss.
 *
 * Sizes: BENCH_API_SECONDS (default 10), BENCH_API_CONNECTIONS (50), BENCH_API_CLIENTS (1,000 clients; each
 * with 3 engagements covering 2 assets hosting 2 devices), BENCH_API_SUBSCRIBERS (1,000), BENCH_API_RATE (500).
 * BENCH_API_PHASES picks parts: http, filtered, all (above) and traversal, byid, patch, overload, cold (issue 13:
 * Twingraph against the hand-written server of ./handwritten.ts, each pair twice in ABBA order, see
 * ./api-compare.ts); the default is every one but `all`, whose minutes of draining `overload` replaces.
 * BENCH_API_OVERLOAD_RATE (200 writes/s offered) and BENCH_API_OVERLOAD_SECONDS (4) size `overload`.
 * BENCH_API_ACCEPT_ENCODING (e.g. `gzip` or `br`) sends that Accept-Encoding with every HTTP request of the
 * load, so that both servers compress what they answer over 1 KB (the comparison first checks which answers
 * come compressed, and that they decompress to the same bytes).
 * BENCH_API_STORE=neo4j runs Twingraph on Neo4j (NEO4J_URI's server, emptied first, or else the test launcher's
 * Neo4j 5: ./api-neo4j.ts): http, filtered, all and patch (patchTwin over HTTP) on Twingraph alone, as the
 * hand-written server reads SQLite.
 * BENCH_API_SERVER_ARGS adds node flags to the server process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`),
 * BENCH_API_HANDWRITTEN_ARGS to the hand-written server's.
 * test/api/bench-smoke.test.ts runs the same pieces at toy size, in one process, against src/.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app';
import { compareWithHandwritten, PATCH_DEVICE, PATCHED_DEVICES } from './api-compare';
import { apiBenchNeo4j, neo4jConfigEnv } from './api-neo4j';
import type { Config } from '../src/config';
import type { RelationshipWrite, TwinWrite } from '../src/store/port';

// ── Sizes ─────────────────────────────────────────────────────────────────────────────────────────────

export interface SeedSizes {
  readonly clients: number;
  readonly engagementsPerClient: number;
  readonly assetsPerEngagement: number;
  readonly devicesPerAsset: number;
}

export const FULL_SEED: SeedSizes = {
  clients: 1000,
  engagementsPerClient: 3,
  assetsPerEngagement: 2,
  devicesPerAsset: 2,
};

export interface HttpLoadOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
}

export interface SubscriptionOptions {
  readonly mode: 'filtered' | 'all';
  readonly subscribers: number;
  /** Subscriptions per WebSocket connection. */
  readonly perConnection: number;
  /** Filtered mode: how many clients each subscription watches. */
  readonly watch: number;
  /** Commits per second, and how many. */
  readonly rate: number;
  readonly changes: number;
  /** How long to wait for deliveries after the last commit before counting the rest as lost. */
  readonly drainTimeoutMs?: number;
  /** The driver stops after this long even if it has not made `changes` commits (default: 1.5 × changes / rate). */
  readonly maxDriveMs?: number;
}

// ── The server side ───────────────────────────────────────────────────────────────────────────────────

/** The code under test: dist/ in the benchmark, src/ in the smoke test. */
export interface AppImpl {
  readonly startApp: (config: Config) => Promise<App>;
  readonly loadConfig: (env: NodeJS.ProcessEnv) => Config;
}

export interface ServerInfo {
  readonly pid: number;
  readonly twingraphUrl: string;
  readonly bareUrl: string;
  readonly twinIds: readonly string[];
  readonly clientIds: readonly string[];
  readonly sentinelId: string;
  readonly twins: number;
  readonly relationships: number;
  readonly seedMs: number;
  readonly startMs: number;
  readonly dbFile: string;
}

export interface DriveResult {
  /** Per commit made: its seq, when it committed (epoch ms, the server process's clock) and which client it patched. */
  readonly seqs: number[];
  readonly commitAt: number[];
  readonly targets: number[];
  readonly elapsedMs: number;
}

/** What the load generator asks of the process that runs the servers (in-process, or over IPC). */
export interface ServerHost {
  info(): Promise<ServerInfo>;
  /** process.cpuUsage() of the server process, in microseconds. */
  cpu(): Promise<{ user: number; system: number }>;
  /** The server process's clock: epoch milliseconds, sub-millisecond resolution. */
  now(): Promise<number>;
  /** Patches the sentinel twin (which every subscription watches) once; resolves with the commit's seq. */
  sentinel(): Promise<number>;
  /**
   * Commits `count` patches of clients' names at `rate` per second, through the store; stops early after
   * `maxMs` (a server too busy to commit at the rate still ends the run in bounded time).
   */
  drive(rate: number, count: number, maxMs: number): Promise<DriveResult>;
  /** Change-feed subscribers the server has. */
  subscribers(): Promise<number>;
  close(): Promise<void>;
}

/** The phases run against the hand-written server (./api-compare.ts). */
const COMPARED = ['traversal', 'byid', 'patch', 'overload', 'cold'];

export const now = (): number => performance.timeOrigin + performance.now();

/** Sorts after every client id, so that the pages of clients(first: 10) hold only regular clients until the last. */
const SENTINEL_ID = 'sentinel-client';
const MODEL = (name: string): string => `dtmi:twingraph:demo:${name};1`;
const BARE_TYPE_DEFS = 'type Twin { id: ID! name: String etag: String } type Query { twin(id: ID!): Twin }';

interface BareTwin {
  readonly id: string;
  readonly name?: string;
  readonly etag: string;
}

/** A bare Apollo Server 5 on Express 5: the same stack as Twingraph's, with a one-field schema answering from a Map. */
export async function startBareServer(
  twins: ReadonlyMap<string, BareTwin>,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer({
    typeDefs: BARE_TYPE_DEFS,
    resolvers: { Query: { twin: (_root: unknown, args: { id: string }) => twins.get(args.id) ?? null } },
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use('/graphql', express.json({ limit: 1024 * 1024 }), expressMiddleware(apollo));
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, close: () => apollo.stop() };
}

/** Seeds the demo graph through the store: clients → hasEngagement → engagements → covers → assets → hosts → devices. */
async function seed(
  app: App,
  sizes: SeedSizes,
): Promise<{ twins: TwinWrite[]; bare: Map<string, BareTwin>; relationships: number; clientIds: string[] }> {
  const twins: TwinWrite[] = [];
  const relationships: RelationshipWrite[] = [];
  const clientIds: string[] = [];
  const twin = (id: string, model: string, body: Record<string, unknown>): void =>
    void twins.push({ id, twin: { $metadata: { $model: MODEL(model) }, ...body } });
  const rel = (sourceId: string, name: string, targetId: string, body: Record<string, unknown> = {}): void =>
    void relationships.push({
      sourceId,
      relationshipId: `${name}-${targetId}`,
      relationship: { $targetId: targetId, $relationshipName: name, ...body },
    });
  const industries = [
    'banking',
    'insurance',
    'retail',
    'manufacturing',
    'publicSector',
    'healthcare',
    'technology',
    'energy',
  ];
  twin(SENTINEL_ID, 'Client', { name: 'Sentinel', industry: 'technology' });
  for (let c = 0; c < sizes.clients; c++) {
    const client = `client-${c}`;
    clientIds.push(client);
    twin(client, 'Client', {
      name: `Client ${c}`,
      email: `office@client-${c}.example`,
      country: 'NL',
      industry: industries[c % industries.length],
      address: { city: 'Utrecht', country: 'NL' },
    });
    for (let e = 0; e < sizes.engagementsPerClient; e++) {
      const engagement = `engagement-${c}-${e}`;
      twin(engagement, 'Engagement', {
        title: `Engagement ${e} of client ${c}`,
        status: 'active',
        budget: 10_000 * (e + 1),
        startDate: '2024-01-01',
      });
      rel(client, 'hasEngagement', engagement, { since: '2024-01-01' });
      for (let a = 0; a < sizes.assetsPerEngagement; a++) {
        const asset = `asset-${c}-${e}-${a}`;
        twin(asset, 'Asset', { name: `Asset ${a} of ${engagement}`, assetType: 'building' });
        rel(engagement, 'covers', asset, { scope: 'full' });
        for (let d = 0; d < sizes.devicesPerAsset; d++) {
          const device = `device-${c}-${e}-${a}-${d}`;
          // Valid against the model (its component present), so that patchTwin's validation passes.
          twin(device, 'Device', { deviceType: 'chiller', capacity: 4, diagnostics: { $metadata: {} } });
          rel(asset, 'hosts', device);
        }
      }
    }
  }
  const bare = new Map<string, BareTwin>();
  const { store } = app.services;
  for (let i = 0; i < twins.length; i += 2000) {
    for (const t of await store.createTwins(twins.slice(i, i + 2000))) {
      // The Twingraph query asks for the name of Clients only (`... on Client { name }`): the Map holds the same.
      const name = t.$metadata.$model === MODEL('Client') ? (t as { name?: string }).name : undefined;
      bare.set(t.$dtId, { id: t.$dtId, ...(name !== undefined && { name }), etag: t.$etag });
    }
  }
  for (let i = 0; i < relationships.length; i += 2000) await store.putRelationships(relationships.slice(i, i + 2000));
  return { twins, bare, relationships: relationships.length, clientIds };
}

/** Starts Twingraph (seeded) and the bare server in this process. */
export async function createServerHost(impl: AppImpl, sizes: SeedSizes): Promise<ServerHost> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-api-'));
  const dbFile = path.join(dir, 'api.db');
  const config = impl.loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    TWINGRAPH_DB: dbFile,
    TWINGRAPH_SEED: 'models',
  });
  let t0 = performance.now();
  const app = await impl.startApp(config);
  const startMs = performance.now() - t0;
  t0 = performance.now();
  const seeded = await seed(app, sizes);
  const seedMs = performance.now() - t0;
  const bare = await startBareServer(seeded.bare);
  const { store } = app.services;

  // Commit times, by seq, of what the driver writes; registered after the feed's listener, which only
  // schedules its read, so nothing is delivered before the time is taken.
  let recording: { seqs: number[]; commitAt: number[] } | undefined;
  const stopListening = store.onCommit((seq) => {
    if (recording) {
      recording.seqs.push(seq);
      recording.commitAt.push(now());
    }
  });
  let patches = 0;
  const patchClient = async (id: string): Promise<number> => {
    const rec = { seqs: [] as number[], commitAt: [] as number[] };
    recording = rec;
    try {
      await store.patchTwin(id, [{ op: 'replace', path: '/name', value: `${id} patch ${++patches}` }]);
    } finally {
      recording = undefined;
    }
    if (rec.seqs.length !== 1) throw new Error(`expected one commit for a patch, saw ${rec.seqs.length}`);
    return rec.seqs[0];
  };

  const info: ServerInfo = {
    pid: process.pid,
    twingraphUrl: app.server.url,
    bareUrl: bare.url,
    twinIds: seeded.twins.map((t) => t.id),
    clientIds: seeded.clientIds,
    sentinelId: SENTINEL_ID,
    twins: seeded.twins.length,
    relationships: seeded.relationships,
    seedMs,
    startMs,
    dbFile,
  };
  return {
    info: async () => info,
    cpu: async () => process.cpuUsage(),
    now: async () => now(),
    sentinel: () => patchClient(SENTINEL_ID),
    subscribers: async () => app.services.feed.subscriberCount,
    drive: async (rate, count, maxMs) => {
      const result: DriveResult & { elapsedMs: number } = { seqs: [], commitAt: [], targets: [], elapsedMs: 0 };
      const clients = seeded.clientIds;
      const started = performance.now();
      let lastWrite = started;
      for (let written = 0; written < count && performance.now() - started < maxMs;) {
        const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate));
        for (; written < due && performance.now() - started < maxMs; written++) {
          // Every client in turn, in a scattered order: each is patched count / clients times.
          const target = (written * 7919) % clients.length;
          const rec = { seqs: [] as number[], commitAt: [] as number[] };
          recording = rec;
          try {
            await store.patchTwin(clients[target], [
              { op: 'replace', path: '/name', value: `${clients[target]} patch ${++patches}` },
            ]);
          } finally {
            recording = undefined;
          }
          result.seqs.push(rec.seqs[0]);
          result.commitAt.push(rec.commitAt[0]);
          result.targets.push(target);
          lastWrite = performance.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      // Up to the last commit: the timer above may fire long after it when deliveries starve the event loop.
      return { ...result, elapsedMs: lastWrite - started };
    },
    close: async () => {
      stopListening();
      await bare.close();
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ── The load generator ────────────────────────────────────────────────────────────────────────────────

export interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  '2xx': number;
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; average: number; max: number };
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  requests?: AutocannonRequest[];
  verifyBody?: (body: string) => boolean;
}) => Promise<AutocannonResult>;
// autocannon ships no types: required, not imported.
const autocannon = require('autocannon') as Autocannon;

export interface LoadResult {
  readonly label: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  /** 200 responses that carry GraphQL errors or no data. */
  readonly graphqlErrors: number;
  /** CPU over the measured run, in % of one core. */
  readonly serverCpu: number;
  readonly loadCpu: number;
  /** Server CPU time per request, in microseconds: less sensitive than req/s to what else runs on the machine. */
  readonly serverUsPerRequest: number;
}

/** The Accept-Encoding the load sends (BENCH_API_ACCEPT_ENCODING), if any. */
export const ACCEPT_ENCODING = process.env.BENCH_API_ACCEPT_ENCODING || undefined;
const LOAD_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  ...(ACCEPT_ENCODING && { 'accept-encoding': ACCEPT_ENCODING }),
};
const JSON_HEADERS = { 'content-type': 'application/json' };

export function rotating(query: string, variables: (i: number) => Record<string, unknown>): AutocannonRequest[] {
  let i = 0;
  return [
    {
      method: 'POST',
      headers: LOAD_HEADERS,
      setupRequest: (request) => ({ ...request, body: JSON.stringify({ query, variables: variables(i++) }) }),
    },
  ];
}

/** Warms up, then measures: autocannon through its API, in this process. */
export async function runLoad(
  host: Pick<ServerHost, 'cpu'>,
  label: string,
  url: string,
  requests: () => AutocannonRequest[],
  options: HttpLoadOptions,
): Promise<LoadResult> {
  // Compressed answers reach verifyBody as undecodable text: with an Accept-Encoding the load counts only
  // transport errors and non-2xx answers (the comparison checked the compressed answers before).
  const verifyBody = ACCEPT_ENCODING
    ? undefined
    : (body: string): boolean => body.startsWith('{"data":') && !body.includes('"errors"');
  if (options.warmupSeconds > 0)
    await autocannon({
      url,
      connections: options.connections,
      duration: options.warmupSeconds,
      requests: requests(),
      verifyBody,
    });
  const serverBefore = await host.cpu();
  const loadBefore = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: requests(),
    verifyBody,
  });
  const wallUs = (performance.now() - t0) * 1000;
  const serverAfter = await host.cpu();
  const load = process.cpuUsage(loadBefore);
  const serverUs = serverAfter.user - serverBefore.user + serverAfter.system - serverBefore.system;
  return {
    label,
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    graphqlErrors: r.mismatches,
    serverCpu: (100 * serverUs) / wallUs,
    loadCpu: (100 * (load.user + load.system)) / wallUs,
    serverUsPerRequest: serverUs / Math.max(1, r.requests.total),
  };
}

export const TWIN_BY_ID = 'query($id: ID!){ twin(id:$id){ id ... on Client { name } etag } }';
export const BARE_TWIN_BY_ID = 'query($id: ID!){ twin(id:$id){ id name etag } }';
export const TRAVERSAL =
  'query($after: String){ clients(first: 10, after: $after) { nodes { id name hasEngagement(first: 5) { nodes { id title budget covers(first: 3) { nodes { id name } } } } } } }';

async function postGraphql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
}

/** Every page start of `clients(first: 10)`: null, then each page's endCursor. Also checks the traversal's shape. */
export async function traversalCursors(url: string): Promise<{ cursors: (string | null)[]; twinsPerPage: number }> {
  const cursors: (string | null)[] = [null];
  for (;;) {
    const page = await postGraphql(
      url,
      'query($after: String){ clients(first: 10, after: $after) { pageInfo { endCursor hasNextPage } } }',
      { after: cursors[cursors.length - 1] },
    );
    if (page.errors) throw new Error(`clients page: ${page.errors[0].message}`);
    const info = (page.data!.clients as { pageInfo: { endCursor: string | null; hasNextPage: boolean } }).pageInfo;
    if (!info.hasNextPage || !info.endCursor) break;
    cursors.push(info.endCursor);
  }
  const sample = await postGraphql(url, TRAVERSAL, { after: cursors[0] });
  if (sample.errors) throw new Error(`traversal: ${sample.errors[0].message}`);
  type Node = { id: string; hasEngagement?: { nodes: (Node & { covers?: { nodes: Node[] } })[] } };
  const nodes = (sample.data!.clients as { nodes: Node[] }).nodes;
  const twinsPerPage = nodes.reduce(
    (n, c) => n + 1 + (c.hasEngagement?.nodes ?? []).reduce((m, e) => m + 1 + (e.covers?.nodes.length ?? 0), 0),
    0,
  );
  return { cursors, twinsPerPage };
}

/** The other process's clock minus this one's, from the ping with the shortest round trip. */
export async function clockOffset(
  host: Pick<ServerHost, 'now'>,
  rounds = 20,
): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity };
  for (let i = 0; i < rounds; i++) {
    const t0 = now();
    const theirs = await host.now();
    const t1 = now();
    if (t1 - t0 < best.rttMs) best = { offsetMs: theirs - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  return best;
}

export interface SubscriptionResult {
  readonly mode: 'filtered' | 'all';
  readonly subscribers: number;
  readonly connections: number;
  readonly changes: number;
  readonly requested: { readonly changes: number; readonly rate: number };
  readonly achievedRate: number;
  readonly expected: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unexpected: number;
  readonly outOfOrder: number;
  readonly subscriptionErrors: number;
  readonly latencyMs: { p50: number; p99: number; max: number };
  readonly drainMs: number;
  /** Deliveries per second, from the first commit to the last delivery. */
  readonly deliveryRate: number;
  readonly serverCpu: number;
  readonly loadCpu: number;
  /** Server CPU time per delivery, in microseconds (commits and the feed included). */
  readonly serverUsPerDelivery: number;
  readonly clock: { offsetMs: number; rttMs: number };
}

/** Growable columns of (subscriber, seq, receivedAt). */
class Deliveries {
  subscriber = new Int32Array(1 << 16);
  seq = new Float64Array(1 << 16);
  at = new Float64Array(1 << 16);
  length = 0;
  push(subscriber: number, seq: number, at: number): void {
    if (this.length === this.seq.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.subscriber = grow(this.subscriber);
      this.seq = grow(this.seq);
      this.at = grow(this.at);
    }
    this.subscriber[this.length] = subscriber;
    this.seq[this.length] = seq;
    this.at[this.length++] = at;
  }
}

const SUBSCRIPTION_ALL = 'subscription { twinChanged { seq twinId } }';
const SUBSCRIPTION_IDS = 'subscription($ids: [ID!]) { twinChanged(ids: $ids) { seq twinId } }';

/** graphql-ws subscribers of twinChanged in this process, while the server process's driver commits patches. */
export async function runSubscriptions(
  host: Pick<ServerHost, 'cpu' | 'now' | 'sentinel' | 'drive'>,
  info: ServerInfo,
  options: SubscriptionOptions,
  url = info.twingraphUrl,
): Promise<SubscriptionResult> {
  const wsUrl = url.replace(/^http/, 'ws');
  const connections = Math.ceil(options.subscribers / options.perConnection);
  const clientCount = info.clientIds.length;
  // Filtered: subscription s watches clients s, s + stride, s + 2·stride, … so that each client has
  // subscribers × watch / clients watchers, spread over the connections.
  const stride = Math.max(1, Math.floor(clientCount / options.watch));
  const watchers: number[][] = Array.from({ length: clientCount }, () => []);
  const watched: Set<number>[] = [];
  for (let s = 0; s < options.subscribers; s++) {
    const set = new Set<number>();
    if (options.mode === 'filtered') for (let k = 0; k < options.watch; k++) set.add((s + k * stride) % clientCount);
    else for (let c = 0; c < clientCount; c++) set.add(c);
    watched.push(set);
    for (const c of set) watchers[c].push(s);
  }

  const clients: Client[] = [];
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        keepAlive: 0,
      });
      clients[i] = client;
      await new Promise<void>((resolve, reject) => {
        const off = client.on('connected', () => (off(), offError(), resolve()));
        const offError = client.on(
          'error',
          (e) => (off(), offError(), reject(e instanceof Error ? e : new Error(`WebSocket error on connection ${i}`))),
        );
      });
    }),
  );

  const deliveries = new Deliveries();
  const liveSince = new Float64Array(options.subscribers).fill(-1);
  let live = 0;
  let errors = 0;
  let firstError: unknown;
  let delivered = 0;
  const unsubscribes: (() => void)[] = [];
  for (let s = 0; s < options.subscribers; s++) {
    const client = clients[Math.floor(s / options.perConnection)];
    const payload =
      options.mode === 'all'
        ? { query: SUBSCRIPTION_ALL }
        : {
            query: SUBSCRIPTION_IDS,
            variables: { ids: [info.sentinelId, ...[...watched[s]].map((c) => info.clientIds[c])] },
          };
    unsubscribes.push(
      client.subscribe<{ twinChanged: { seq: number; twinId: string } }>(payload, {
        next: (result) => {
          const at = now();
          const change = result.data?.twinChanged;
          if (!change) {
            errors++;
            firstError ??= result.errors;
            return;
          }
          if (change.twinId === info.sentinelId) {
            if (liveSince[s] < 0) live++;
            liveSince[s] = change.seq;
            return;
          }
          delivered++;
          deliveries.push(s, change.seq, at);
        },
        error: (error) => {
          errors++;
          firstError ??= error;
        },
        complete: () => undefined,
      }),
    );
  }

  // Live when every subscription has received a sentinel change: from then on it must get every change.
  const liveDeadline = performance.now() + 60_000;
  while (live < options.subscribers) {
    if (performance.now() > liveDeadline)
      throw new Error(
        `only ${live} of ${options.subscribers} subscriptions went live in 60 s (${errors} errors: ${String(firstError)})`,
      );
    await host.sentinel();
    const wait = performance.now() + 1000;
    while (live < options.subscribers && performance.now() < wait)
      await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Deliveries after the last sentinel only; the last sentinel itself may still be arriving at some.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const clock = await clockOffset(host);

  const serverBefore = await host.cpu();
  const loadBefore = process.cpuUsage();
  const t0 = performance.now();
  const drive = await host.drive(
    options.rate,
    options.changes,
    options.maxDriveMs ?? (1500 * options.changes) / options.rate,
  );
  let expected = 0;
  for (const target of drive.targets) expected += watchers[target].length;

  const drainStart = performance.now();
  const drainTimeout = options.drainTimeoutMs ?? 60_000;
  let lastProgress = performance.now();
  let lastCount = delivered;
  while (delivered < expected && performance.now() - drainStart < drainTimeout) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (delivered !== lastCount) {
      lastCount = delivered;
      lastProgress = performance.now();
    } else if (performance.now() - lastProgress > 5000) break;
  }
  const waitedMs = performance.now() - drainStart;
  const wallUs = (performance.now() - t0) * 1000;
  const serverAfter = await host.cpu();
  const load = process.cpuUsage(loadBefore);
  const serverUs = serverAfter.user - serverBefore.user + serverAfter.system - serverBefore.system;
  // A little longer, to catch duplicates that would arrive after the expected count.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const unsubscribe of unsubscribes) unsubscribe();
  await Promise.all(clients.map((c) => c.dispose()));

  // Exactness: per subscription, every change of what it watches after its sentinel, once, in order.
  const commitAt = new Map<number, { at: number; target: number }>();
  drive.seqs.forEach((seq, i) =>
    commitAt.set(seq, { at: drive.commitAt[i] - clock.offsetMs, target: drive.targets[i] }),
  );
  const lastSeq = new Float64Array(options.subscribers).fill(-1);
  const got = new Uint32Array(options.subscribers);
  const latencies = new Float64Array(deliveries.length);
  let n = 0;
  let duplicated = 0;
  let unexpected = 0;
  let outOfOrder = 0;
  for (let i = 0; i < deliveries.length; i++) {
    const s = deliveries.subscriber[i];
    const seq = deliveries.seq[i];
    const commit = commitAt.get(seq);
    if (!commit || !watched[s].has(commit.target)) unexpected++;
    else if (seq === lastSeq[s]) duplicated++;
    else if (seq < lastSeq[s]) outOfOrder++;
    else {
      lastSeq[s] = seq;
      got[s]++;
      latencies[n++] = deliveries.at[i] - commit.at;
    }
  }
  // From the last commit to the last delivery (both on this process's clock).
  let lastReceipt = -Infinity;
  for (let i = 0; i < deliveries.length; i++) lastReceipt = Math.max(lastReceipt, deliveries.at[i]);
  const lastCommit = drive.commitAt.length > 0 ? drive.commitAt[drive.commitAt.length - 1] - clock.offsetMs : NaN;
  const drainMs = deliveries.length > 0 ? Math.max(0, lastReceipt - lastCommit) : waitedMs;
  const sorted = latencies.subarray(0, n).sort();
  const pct = (p: number): number => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil(n * p) - 1)]);
  const valid = got.reduce((a, b) => a + b, 0);
  return {
    mode: options.mode,
    subscribers: options.subscribers,
    connections,
    changes: drive.seqs.length,
    requested: { changes: options.changes, rate: options.rate },
    achievedRate: drive.seqs.length / (drive.elapsedMs / 1000),
    expected,
    delivered: valid,
    lost: expected - valid,
    duplicated,
    unexpected,
    outOfOrder,
    subscriptionErrors: errors,
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: n === 0 ? NaN : sorted[n - 1] },
    drainMs,
    deliveryRate: valid / (wallUs / 1e6),
    serverCpu: (100 * serverUs) / wallUs,
    loadCpu: (100 * (load.user + load.system)) / wallUs,
    serverUsPerDelivery: serverUs / Math.max(1, valid),
    clock,
  };
}

// ── The whole benchmark ───────────────────────────────────────────────────────────────────────────────

export interface ApiBenchOptions {
  /** Without it, the HTTP runs are left out. */
  readonly http?: HttpLoadOptions;
  readonly subscriptions: readonly SubscriptionOptions[];
  readonly log?: (line: string) => void;
}

export interface HttpResults {
  readonly twinById: LoadResult;
  readonly bareTwinById: LoadResult;
  readonly ratio: number;
  readonly traversal: LoadResult & { twinsPerPage: number; pages: number };
}

export interface ApiBenchResult {
  readonly info: ServerInfo;
  readonly http?: HttpResults;
  readonly subscriptions: SubscriptionResult[];
}

const f0 = (n: number): string => Math.round(n).toLocaleString('en-US');
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : String(n));

export function formatLoad(r: LoadResult): string {
  return `${r.label.padEnd(34)} ${f0(r.rps).padStart(7)} req/s   p50 ${f1(r.p50).padStart(5)} ms  p99 ${f1(r.p99).padStart(6)} ms   ${f0(r.requests)} requests, errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}, GraphQL errors ${ACCEPT_ENCODING ? 'not read (compressed)' : r.graphqlErrors}   CPU: server ${f0(r.serverCpu)}% (${f0(r.serverUsPerRequest)} µs/request), load generator ${f0(r.loadCpu)}%`;
}

export function formatSubscriptions(r: SubscriptionResult): string[] {
  const exact =
    r.lost === 0 && r.duplicated === 0 && r.unexpected === 0 && r.outOfOrder === 0 && r.subscriptionErrors === 0;
  const goal = r.latencyMs.p99 < 50 && exact;
  return [
    `${r.mode === 'all' ? 'unfiltered: twinChanged { seq twinId }, every subscription gets every change' : 'filtered: twinChanged(ids: [its clients]) { seq twinId }, each change goes to the subscriptions watching its client'} (${f1(r.expected / Math.max(1, r.changes))} per change)`,
    `  ${f0(r.subscribers)} subscriptions over ${f0(r.connections)} WebSocket connections (${f0(r.subscribers / r.connections)} each); ${f0(r.changes)} patches committed at ${f0(r.achievedRate)}/s (asked: ${f0(r.requested.changes)} at ${f0(r.requested.rate)}/s${
      r.changes < r.requested.changes
        ? '; the driver, in the server process, was starved and stopped at its time limit'
        : ''
    })`,
    `  delivered ${f0(r.delivered)} of ${f0(r.expected)} expected: lost ${f0(r.lost)}, duplicated ${r.duplicated}, unexpected ${r.unexpected}, out of order ${r.outOfOrder}, subscription errors ${r.subscriptionErrors}`,
    `  latency commit → receipt: p50 ${f1(r.latencyMs.p50)} ms, p99 ${f1(r.latencyMs.p99)} ms, max ${f1(r.latencyMs.max)} ms; last delivery ${f0(r.drainMs)} ms after the last commit; ${f0(r.deliveryRate)} deliveries/s   goal p99 < 50 ms, none lost: ${goal ? 'met' : 'MISSED'}`,
    `  CPU from the first commit to the last delivery: server ${f0(r.serverCpu)}% (${f1(r.serverUsPerDelivery)} µs per delivery), load generator ${f0(r.loadCpu)}% (clock offset ${f1(r.clock.offsetMs)} ms, ping ${f1(r.clock.rttMs)} ms)`,
  ];
}

async function runHttp(
  host: ServerHost,
  info: ServerInfo,
  options: HttpLoadOptions,
  log: (line: string) => void,
): Promise<HttpResults> {
  const ids = info.twinIds;
  const twinById = await runLoad(
    host,
    'Twingraph  (a) twin by id',
    info.twingraphUrl,
    () => rotating(TWIN_BY_ID, (i) => ({ id: ids[(i * 7919) % ids.length] })),
    options,
  );
  log(formatLoad(twinById));
  const bareTwinById = await runLoad(
    host,
    'bare Apollo (a) twin by id',
    info.bareUrl,
    () => rotating(BARE_TWIN_BY_ID, (i) => ({ id: ids[(i * 7919) % ids.length] })),
    options,
  );
  log(formatLoad(bareTwinById));
  const ratio = twinById.rps / bareTwinById.rps;
  log(
    `(a) Twingraph / bare Apollo throughput: ${(100 * ratio).toFixed(0)}%   goal ≥ 85%: ${ratio >= 0.85 ? 'met' : 'MISSED'}   (by server CPU per request: ${(
      (100 * bareTwinById.serverUsPerRequest) /
      twinById.serverUsPerRequest
    ).toFixed(0)}%)`,
  );
  const { cursors, twinsPerPage } = await traversalCursors(info.twingraphUrl);
  const traversalLoad = await runLoad(
    host,
    'Twingraph  (b) 2-level traversal',
    info.twingraphUrl,
    () => rotating(TRAVERSAL, (i) => ({ after: cursors[i % cursors.length] })),
    options,
  );
  const traversal = { ...traversalLoad, twinsPerPage, pages: cursors.length };
  log(formatLoad(traversal));
  log(
    `   (b) is a page of 10 clients with up to 5 engagements each and up to 3 assets per engagement: ${twinsPerPage} twins per response, ${cursors.length} pages rotated`,
  );
  return { twinById, bareTwinById, ratio, traversal };
}

export async function runApiBench(host: ServerHost, options: ApiBenchOptions): Promise<ApiBenchResult> {
  const log = options.log ?? (() => undefined);
  const info = await host.info();
  const http = options.http && (await runHttp(host, info, options.http, log));
  const subscriptions: SubscriptionResult[] = [];
  for (const s of options.subscriptions) {
    if (http || subscriptions.length > 0) log('');
    const result = await runSubscriptions(host, info, s);
    subscriptions.push(result);
    for (const line of formatSubscriptions(result)) log(line);
  }
  return { info, ...(http && { http }), subscriptions };
}

// ── The two processes ─────────────────────────────────────────────────────────────────────────────────

type Method = keyof ServerHost;
interface HostRequest {
  id: number;
  method: Method;
  args: unknown[];
}

/** Starts the server process (bench/run.mjs api --server-host: plain node, no tsx hook) and talks to it over IPC. */
function forkServerHost(
  sizes: SeedSizes,
  env: Record<string, string> = {},
): Promise<{ host: ServerHost; child: ChildProcess }> {
  const extra = (process.env.BENCH_API_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = fork(path.join(__dirname, 'run.mjs'), ['api', '--server-host', JSON.stringify(sizes)], {
    execArgv: extra,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  const call = (method: Method, ...args: unknown[]): Promise<never> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, method, args } satisfies HostRequest);
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      for (const p of pending.values()) p.reject(new Error(`the server process exited (${code})`));
      reject(new Error(`the server process exited (${code})`));
    });
    child.on('message', (message: { ready?: boolean; error?: string; id?: number; result?: unknown }) => {
      if (message.ready) {
        const host: ServerHost = {
          info: () => call('info'),
          cpu: () => call('cpu'),
          now: () => call('now'),
          sentinel: () => call('sentinel'),
          subscribers: () => call('subscribers'),
          drive: (rate, count, maxMs) => call('drive', rate, count, maxMs),
          close: async () => {
            const exited = new Promise((done) => child.once('exit', done));
            await call('close');
            if (child.connected) child.disconnect();
            await Promise.race([exited, new Promise((done) => setTimeout(done, 5000).unref())]);
            if (child.exitCode === null) child.kill();
          },
        };
        resolve({ host, child });
      } else if (message.id === undefined && message.error) reject(new Error(message.error));
      else if (message.id !== undefined) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) p?.reject(new Error(message.error));
        else p?.resolve(message.result);
      }
    });
  });
}

/** Writes over HTTP on Twingraph alone (on Neo4j, where there is no hand-written server to compare with). */
async function patchAlone(host: ServerHost, info: ServerInfo, options: HttpLoadOptions): Promise<void> {
  const devices = info.twinIds.filter((id) => id.startsWith('device-')).slice(0, PATCHED_DEVICES);
  const result = await runLoad(
    host,
    'Twingraph  patchTwin, scattered',
    info.twingraphUrl,
    () =>
      rotating(PATCH_DEVICE, (i) => ({
        id: devices[(i * 7919) % devices.length],
        patch: [{ op: 'replace', path: '/capacity', value: i % 97 }],
      })),
    options,
  );
  console.log(`\n${formatLoad(result)}; ${(result.serverUsPerRequest / 1000).toFixed(2)} ms server CPU per write`);
  console.log(`   patchTwin of /capacity on ${devices.length} devices, scattered: ${PATCH_DEVICE}`);
}

/** The server process's side: starts the servers from dist/ and answers the load generator over IPC. */
export async function serveHost(sizes: SeedSizes): Promise<void> {
  const root = path.resolve(__dirname, '..');
  // As bin/twingraph.js does for `npm start`, before the server's code is loaded (src/heap.ts).
  const heap = require(path.join(root, 'dist', 'heap.js')) as typeof import('../src/heap');
  heap.applyHeapGrowing(heap.heapGrowingPercentOf(process.env));
  const appModule = require(path.join(root, 'dist', 'app.js')) as typeof import('../src/app');
  const configModule = require(path.join(root, 'dist', 'config.js')) as typeof import('../src/config');
  let host: ServerHost;
  try {
    host = await createServerHost(
      {
        startApp: (config) => appModule.startApp(config),
        // BENCH_API_STORE=neo4j: the parent put NEO4J_URI in this process's environment (./api-neo4j.ts).
        loadConfig: (env) => configModule.loadConfig({ ...env, ...neo4jConfigEnv() }),
      },
      sizes,
    );
  } catch (error) {
    process.send!({ error: (error as Error).stack ?? String(error) });
    process.exit(1);
  }
  process.on('message', (request: HostRequest) => {
    const method = host[request.method] as (...args: unknown[]) => Promise<unknown>;
    method(...request.args).then(
      (result) => {
        process.send!({ id: request.id, result: result ?? null });
        if (request.method === 'close') process.disconnect();
      },
      (error: unknown) => process.send!({ id: request.id, error: (error as Error).stack ?? String(error) }),
    );
  });
  process.send!({ ready: true });
}

export async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `machine: node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const seconds = Number(process.env.BENCH_API_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 50);
  const subscribers = Number(process.env.BENCH_API_SUBSCRIBERS ?? 1000);
  const rate = Number(process.env.BENCH_API_RATE ?? 500);
  const sizes: SeedSizes = { ...FULL_SEED, clients: Number(process.env.BENCH_API_CLIENTS ?? FULL_SEED.clients) };
  const t0 = performance.now();
  // BENCH_API_STORE=neo4j: Twingraph on Neo4j (NEO4J_URI's, emptied, or the test launcher's), alone: the
  // hand-written server reads SQLite, so there is nothing to compare it with there.
  const neo4j = await apiBenchNeo4j();
  let forked;
  try {
    forked = await forkServerHost(sizes, neo4j?.env);
  } catch (error) {
    await neo4j?.stop();
    throw error;
  }
  const { host, child } = forked;
  const info = await host.info();
  console.log(
    `server process   pid ${info.pid}: Twingraph ${info.twingraphUrl} (startApp from dist/, ${neo4j ? neo4j.describe : `SQLite ${info.dbFile}`}, LOG_LEVEL silent, demo models from dtdl/),`,
  );
  console.log(
    `                 bare Apollo Server 5 ${info.bareUrl} (same twins in a Map), and the change driver (patchTwin through the store, commit times from onCommit)`,
  );
  console.log(
    `load generator   pid ${process.pid}: autocannon (API, in this process), graphql-ws subscribers (createClient + ws, in this process)`,
  );
  console.log(
    `the two processes share the ${cpus.length} cores: whatever the load generator uses, the servers do not get (CPU per run below, in % of one core)`,
  );
  console.log(
    `seeded through the store in ${f0(info.seedMs)} ms (app start ${f0(info.startMs)} ms): ${f0(info.twins)} twins (${f0(sizes.clients)} clients × ${sizes.engagementsPerClient} engagements × ${sizes.assetsPerEngagement} assets × ${sizes.devicesPerAsset} devices, + 1 sentinel client), ${f0(info.relationships)} relationships`,
  );
  console.log(
    `HTTP: ${connections} connections, ${Math.min(2, seconds)} s warm-up then ${seconds} s per run, one server at a time; ids rotate over all ${f0(info.twinIds.length)} twins\n`,
  );
  const changes = Math.round(rate * seconds);
  // BENCH_API_PHASES: any of http, filtered, all (Twingraph alone, and the bare Apollo ceiling) and traversal,
  // byid, patch, overload, cold (ABBA against the hand-written server, ./api-compare.ts), to look at some alone.
  // The default leaves out `all` (500,000 deliveries a second offered for 10 s, minutes of draining): `overload`
  // measures the same overload, briefer, beside the hand-written server.
  const phases = new Set(
    (process.env.BENCH_API_PHASES ?? 'http,filtered,traversal,byid,patch,overload,cold')
      .split(',')
      .map((p) => p.trim()),
  );
  const subscriptions: SubscriptionOptions[] = [
    { mode: 'filtered', subscribers, perConnection: 10, watch: 10, rate, changes },
    { mode: 'all', subscribers, perConnection: 10, watch: 0, rate, changes, drainTimeoutMs: 180_000 },
  ];
  const http: HttpLoadOptions = { connections, seconds, warmupSeconds: Math.min(2, seconds) };
  try {
    await runApiBench(host, {
      ...(phases.has('http') && { http }),
      subscriptions: subscriptions.filter((s) => phases.has(s.mode)),
      log: (line) => console.log(line),
    });
    if (neo4j && phases.has('patch')) await patchAlone(host, info, http);
    if (!neo4j && COMPARED.some((p) => phases.has(p))) {
      console.log('');
      const { cursors } = await traversalCursors(info.twingraphUrl);
      await compareWithHandwritten(
        { runLoad, runSubscriptions, formatLoad, rotating, TRAVERSAL, TWIN_BY_ID },
        host,
        info,
        {
          phases,
          http,
          cursors,
          acceptEncoding: ACCEPT_ENCODING,
          overload: {
            subscribers,
            rate: Number(process.env.BENCH_API_OVERLOAD_RATE ?? 200),
            seconds: Number(process.env.BENCH_API_OVERLOAD_SECONDS ?? 4),
          },
          log: (line) => console.log(line),
        },
      );
    }
  } finally {
    await host.close().catch(() => child.kill());
    await neo4j?.stop();
  }
  console.log(
    `\nload average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; total time ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
}

/** Entry point for bench/run.mjs: the load generator, or with --server-host the server process. */
export function run(argv: readonly string[]): void {
  const done = (error: unknown): void => {
    console.error(error);
    process.exitCode = 1;
    if (argv[0] === '--server-host') process.exit(1);
  };
  if (argv[0] === '--server-host') serveHost(JSON.parse(argv[1]) as SeedSizes).catch(done);
  else main().catch(done);
}
