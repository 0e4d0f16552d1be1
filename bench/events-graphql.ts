/**
 * The subscriptions' delivery, run by `npm run bench:events` after the change feed alone (./events.ts): many
 * subscribers with one document (`twinChanged` with a typed twin, as partners write it) over graphql-ws, under
 * a steady write rate, with and without shared executions (src/api/subscription-groups.ts), in ABBA order in one
 * process, and the ratios.
 *
 * Everything of the server runs as in production (the app's store, feed and services; the transport core's
 * checks; graphql-ws's protocol core with the options src/api/ws.ts gives it), except, by default, the sockets:
 * each fake socket takes a message, notes its seq and when it arrived, and reports it written on the next tick,
 * as `ws` reports a write the kernel took. So the default figures are the server's work per delivered event
 * (GraphQL execution, serialization, framing, the feed), not the network's or a client's. With
 * EVENTS_GQL_TRANSPORT=ws they go over real WebSockets on loopback to clients in the same process instead.
 *
 * It runs on tsc's output, as the server does (`runCompiled`: src/ and this file compiled into a temporary
 * directory, run by plain node in a child process): under tsx, esbuild's keepNames wraps every named closure in
 * a defineProperty call, which makes building a GraphQL context (a few dozen closures) 30 times slower than
 * compiled (10 µs instead of 0.3 µs) and would weigh on whichever mode builds more of them. EVENTS_GQL_TSX=1
 * runs it in the tsx process instead, to try changes quickly.
 *
 * EVENTS_GQL_SUBSCRIBERS (1,000), EVENTS_GQL_SOCKETS (100), EVENTS_GQL_RATE (commits/s, 100),
 * EVENTS_GQL_SECONDS (5) and EVENTS_GQL_TRANSPORT (`memory` or `ws`) set the run; test/events/bench-smoke.test.ts
 * runs a tiny one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execute } from 'graphql';
import { makeServer } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';
import { createAuthenticator } from '../src/access/authenticate';
import { IdentitySlots } from '../src/api/identity-slots';
import { OperationLimits } from '../src/api/operation-limits';
import { createTransportCore } from '../src/api/transport-core';
import { attachGraphqlWs, graphqlWsOptions, type GraphqlWsOptions } from '../src/api/ws';
import { startApp, type App } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { mulberry32 } from '../src/demo/random';

export interface SubscriptionsBenchOptions {
  readonly subscribers: number;
  /** Connections the subscribers are spread over (graphql-ws allows 100 subscriptions per socket by default). */
  readonly sockets: number;
  /**
   * `memory` (the default): graphql-ws's protocol core with fake sockets, the server's work alone; `ws`: real
   * WebSockets over loopback, to clients in this process (which share its CPU).
   */
  readonly transport?: 'memory' | 'ws';
  /** Commits per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly twins: number;
  readonly seed?: number;
  /** How long the subscribers may take to receive everything after the last commit (default 60 s). */
  readonly drainMs?: number;
  readonly log?: (line: string) => void;
}

export interface PhaseResult {
  readonly shared: boolean;
  readonly writes: number;
  readonly expected: number;
  readonly delivered: number;
  /** Events that did not follow their subscription's previous seq (a loss, a duplicate or a reordering). */
  readonly outOfOrder: number;
  /** Subscriptions ended by an error (SlowConsumer when they fall too far behind). */
  readonly ended: number;
  readonly executions: number;
  /** Commits per second the writer achieved (the feed holds writers back while subscribers lag). */
  readonly achievedRate: number;
  /** Events delivered per second, from the first commit to the last delivery. */
  readonly throughput: number;
  /** Server CPU (user + system) per delivered event, µs. */
  readonly cpuPerEventUs: number;
  readonly latencyMs: { p50: number; p99: number; max: number };
}

export interface SubscriptionsBenchResult {
  /** In the order they ran: not shared, shared, shared, not shared. */
  readonly phases: readonly PhaseResult[];
  /** Shared ÷ not shared, over both pairs. */
  readonly ratios: { throughput: number; cpuPerEvent: number; p50: number; p99: number; executions: number };
}

const QUERY = 'subscription { twinChanged { seq type subject twin { __typename ... on Client { name industry } } } }';
const CLIENT = 'dtmi:twingraph:demo:Client;1';
/** Latency histogram: 10 µs buckets up to 60 s. */
const BUCKET_MS = 0.01;
const BUCKETS = 6_000_000;
const SEQ = /"seq":(\d+)/;
const HEAD = /^\{"id":"([^"]*)","type":"(\w+)"/;

/** The latency below which `fraction` of `total` fell, from a histogram of BUCKET_MS buckets (bench/events.ts's too). */
export function percentile(histogram: Uint32Array, total: number, fraction: number): number {
  const rank = Math.ceil(total * fraction);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= rank) return (i + 1) * BUCKET_MS;
  }
  return Infinity;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** The app the phases share: the demo models, `twins` clients, nothing else running. */
async function openBenchApp(twins: number): Promise<{ app: App; config: Config; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-subscriptions-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    TWINGRAPH_DB: path.join(dir, 'bench.db'),
    // The repository's models, wherever this runs from (compiled, it runs from a temporary directory).
    TWINGRAPH_DTDL_DIR: path.join(process.env.EVENTS_GQL_ROOT ?? path.resolve(__dirname, '..'), 'dtdl'),
    TWINGRAPH_SEED: 'models',
    TWINGRAPH_PLUGINS: '',
    TWINGRAPH_LOG_POLL_MS: '0',
  });
  const app = await startApp(config, pino({ level: 'silent' }));
  for (let i = 0; i < twins; i += 1000)
    await app.services.store.createTwins(
      Array.from({ length: Math.min(1000, twins - i) }, (_, j) => ({
        id: `client-${i + j}`,
        twin: { $metadata: { $model: CLIENT }, name: `Client ${i + j}`, industry: 'banking' },
      })),
    );
  return {
    app,
    config,
    close: async () => {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How the phase's connections reach graphql-ws. */
interface Transport {
  /** Opens a connection whose messages go to `receive`, and starts `count` subscriptions on it; resolves to its close. */
  connect(receive: (data: string) => void, count: number): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const subscribeMessage = (id: number): string =>
  JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: QUERY } });

/**
 * graphql-ws's protocol core with fake sockets: each message is taken as it is sent, and reported written on
 * the next tick, as `ws` reports a write the kernel took. What src/api/ws.ts writes shared payloads to is the
 * same fake, as `ws`'s WebSocket.
 */
function memoryTransport(options: GraphqlWsOptions): Transport {
  const server = makeServer(options);
  return {
    connect: async (receive, count) => {
      const socket = {
        OPEN: 1,
        readyState: 1,
        send: (data: string, done: (error?: Error) => void) => {
          receive(data);
          process.nextTick(done);
        },
        close: () => undefined,
      };
      let onMessage: (data: string) => Promise<void> = async () => undefined;
      const closed = server.opened(
        {
          protocol: 'graphql-transport-ws',
          // As graphql-ws's use/ws sends: through the socket, resolved when it reports the write.
          send: (data) =>
            new Promise((resolve, reject) => socket.send(data, (error) => (error ? reject(error) : resolve()))),
          close: () => undefined,
          onMessage: (cb) => (onMessage = cb),
        },
        { socket: socket as unknown as WebSocket, request: { headers: {} } as IncomingMessage },
      );
      await onMessage(JSON.stringify({ type: 'connection_init' }));
      // Not awaited: graphql-ws runs the whole subscription inside its handler of the subscribe message.
      for (let i = 0; i < count; i++) void onMessage(subscribeMessage(i));
      return () => closed(1000, 'done');
    },
    close: async () => undefined,
  };
}

/** The server's WebSocket endpoint on a loopback port (./ws.ts's attachGraphqlWs), and `ws` clients in this process. */
async function socketTransport(options: GraphqlWsOptions, config: Config): Promise<Transport> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const endpoint = attachGraphqlWs(server, '/graphql', options, {
    maxMessageBytes: config.limits.maxBodyBytes,
    origins: [],
    hostAllowed: () => true,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    connect: async (receive, count) => {
      const socket = new WebSocket(url, 'graphql-transport-ws');
      let acknowledged!: () => void;
      const ack = new Promise<void>((resolve) => (acknowledged = resolve));
      socket.on('message', (data) => {
        const text = String(data);
        if (text.startsWith('{"type":"connection_ack"')) acknowledged();
        else receive(text);
      });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await ack;
      for (let i = 0; i < count; i++) socket.send(subscribeMessage(i));
      return () =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.close();
        });
    },
    close: async () => {
      await endpoint.dispose();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One phase: subscribe everyone, write at the rate, wait until everything is delivered, unsubscribe. */
async function runPhase(
  { services }: App,
  config: Config,
  shared: boolean,
  options: SubscriptionsBenchOptions,
): Promise<PhaseResult> {
  const log = pino({ level: 'silent' });
  const guards = {
    auth: createAuthenticator(config.access, services.store),
    limits: new OperationLimits(config.access),
  };
  let executions = 0;
  const core = createTransportCore(config, services, guards, log, {
    shared,
    execute: (args) => {
      executions++;
      return execute(args);
    },
  });
  const wsOptions = graphqlWsOptions(core, guards.auth, new IdentitySlots(Number.MAX_SAFE_INTEGER), config);
  const transport = options.transport === 'ws' ? await socketTransport(wsOptions, config) : memoryTransport(wsOptions);

  const { store, feed } = services;
  const writes = Math.round(options.rate * options.seconds);
  const firstSeq = (await store.latestSeq()) + 1;
  const committedAt = new Float64Array(writes);
  const stopTiming = store.onCommit((seq) => {
    if (seq >= firstSeq && seq < firstSeq + writes) committedAt[seq - firstSeq] = performance.now();
  });
  const histogram = new Uint32Array(BUCKETS);
  let delivered = 0;
  let outOfOrder = 0;
  let ended = 0;
  /** Subscriptions that have every change, or were ended. */
  let finished = 0;
  let maxLatency = 0;
  let lastDeliveryAt = 0;

  const baseline = feed.subscriberCount;
  const perSocket = Math.ceil(options.subscribers / options.sockets);
  const closers: (() => Promise<void>)[] = [];
  const startedBefore = feed.subscriptionsStarted;
  let subscribed = 0;
  for (let s = 0; s < options.sockets && subscribed < options.subscribers; s++) {
    const subscriptions = new Map<string, { last: number; count: number }>();
    const receive = (data: string): void => {
      const head = HEAD.exec(data);
      if (!head) return;
      const [, id, type] = head;
      let subscription = subscriptions.get(id);
      if (!subscription) subscriptions.set(id, (subscription = { last: firstSeq - 1, count: 0 }));
      if (type !== 'next') {
        if (type === 'error') {
          ended++;
          finished++;
        }
        return;
      }
      const seq = Number(SEQ.exec(data)?.[1]);
      const now = performance.now();
      const latency = now - committedAt[seq - firstSeq];
      histogram[Math.min(BUCKETS - 1, Math.floor(latency / BUCKET_MS))]++;
      if (latency > maxLatency) maxLatency = latency;
      if (seq !== subscription.last + 1) outOfOrder++;
      subscription.last = seq;
      delivered++;
      if (++subscription.count === writes) finished++;
      lastDeliveryAt = now;
    };
    const count = Math.min(perSocket, options.subscribers - subscribed);
    closers.push(await transport.connect(receive, count));
    subscribed += count;
  }
  await waitUntil(() => feed.subscriptionsStarted - startedBefore >= subscribed, 60_000);

  const random = mulberry32(options.seed ?? 42);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let written = 0; written < writes;) {
    const due = Math.min(writes, Math.floor(((performance.now() - started) / 1000) * options.rate));
    for (; written < due; written++) {
      const id = `client-${Math.floor(random() * options.twins)}`;
      await store.patchTwin(id, [{ op: 'replace', path: '/name', value: `Client ${Math.round(random() * 1e6)}` }]);
    }
    await sleep(1);
  }
  const writing = (performance.now() - started) / 1000;
  const expected = writes * subscribed;
  await waitUntil(() => finished >= subscribed, options.drainMs ?? 60_000);
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (Math.max(lastDeliveryAt, started) - started) / 1000;

  stopTiming();
  await Promise.all(closers.map((close) => close()));
  await waitUntil(() => feed.subscriberCount <= baseline, 10_000);
  await transport.close();

  return {
    shared,
    writes,
    expected,
    delivered,
    outOfOrder,
    ended,
    executions,
    achievedRate: writes / writing,
    throughput: delivered / elapsed,
    cpuPerEventUs: delivered > 0 ? (cpu.user + cpu.system) / delivered : Infinity,
    latencyMs: {
      p50: percentile(histogram, delivered, 0.5),
      p99: percentile(histogram, delivered, 0.99),
      max: maxLatency,
    },
  };
}

function describePhase(result: PhaseResult): string {
  const mode = result.shared ? 'shared    ' : 'not shared';
  return (
    `${mode}: ${result.delivered} of ${result.expected} delivered (${result.outOfOrder} out of order, ${result.ended} ended SlowConsumer), ` +
    `${Math.round(result.throughput)} events/s, ${result.cpuPerEventUs.toFixed(1)} µs CPU/event, ` +
    `latency p50 ${result.latencyMs.p50.toFixed(1)} ms p99 ${result.latencyMs.p99.toFixed(1)} ms max ${result.latencyMs.max.toFixed(0)} ms, ` +
    `commits ${Math.round(result.achievedRate)}/s, ${result.executions} executions (${(result.executions / result.writes).toFixed(2)} per commit)`
  );
}

export async function runSubscriptionsBench(options: SubscriptionsBenchOptions): Promise<SubscriptionsBenchResult> {
  const log = options.log ?? (() => undefined);
  const { app, config, close } = await openBenchApp(options.twins);
  log(
    `subscriptions: ${options.subscribers} subscribers with one document over ${options.sockets} graphql-ws connections ` +
      `(${options.transport === 'ws' ? 'WebSockets on loopback' : 'fake sockets: the server alone'}), ` +
      `${options.rate} commits/s for ${options.seconds} s, ABBA (not shared, shared, shared, not shared)`,
  );
  const phases: PhaseResult[] = [];
  try {
    for (const shared of [false, true, true, false]) {
      const result = await runPhase(app, config, shared, options);
      phases.push(result);
      log(describePhase(result));
    }
  } finally {
    await close();
  }
  const mean = (shared: boolean, of: (r: PhaseResult) => number): number => {
    const values = phases.filter((r) => r.shared === shared).map(of);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  const ratio = (of: (r: PhaseResult) => number): number => mean(true, of) / mean(false, of);
  const ratios = {
    throughput: ratio((r) => r.throughput),
    cpuPerEvent: ratio((r) => r.cpuPerEventUs),
    p50: ratio((r) => r.latencyMs.p50),
    p99: ratio((r) => r.latencyMs.p99),
    executions: ratio((r) => r.executions),
  };
  log(
    `shared ÷ not shared: throughput ${ratios.throughput.toFixed(2)}×, CPU per event ${ratios.cpuPerEvent.toFixed(2)}×, ` +
      `latency p50 ${ratios.p50.toFixed(2)}×, p99 ${ratios.p99.toFixed(2)}×, executions ${ratios.executions.toFixed(3)}×`,
  );
  return { phases, ratios };
}

/** The run the environment asks for (see the header). */
export function optionsFromEnv(log: (line: string) => void): SubscriptionsBenchOptions {
  return {
    subscribers: Number(process.env.EVENTS_GQL_SUBSCRIBERS ?? 1000),
    sockets: Number(process.env.EVENTS_GQL_SOCKETS ?? 100),
    transport: process.env.EVENTS_GQL_TRANSPORT === 'ws' ? 'ws' : 'memory',
    rate: Number(process.env.EVENTS_GQL_RATE ?? 100),
    seconds: Number(process.env.EVENTS_GQL_SECONDS ?? 5),
    twins: 1_000,
    log,
  };
}

/**
 * Compiles this file and the src/ it imports with tsc into a temporary directory and runs it there with plain
 * node, printing to this process's output; resolves to its exit status.
 */
export function runCompiled(log: (line: string) => void): number {
  const root = path.resolve(__dirname, '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-build-'));
  try {
    const tsconfig = path.join(out, 'tsconfig.json');
    fs.writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: path.join(root, 'tsconfig.json'),
        compilerOptions: { rootDir: root, outDir: out, declaration: false, sourceMap: false, types: ['node'] },
        files: [path.join(root, 'bench', 'events-graphql.ts')],
        include: [],
      }),
    );
    // The compiler's type packages and the compiled code's requires are found from here.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
    const started = performance.now();
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
    log(`compiled with tsc in ${((performance.now() - started) / 1000).toFixed(1)} s; running on plain node`);
    const child = spawnSync(process.execPath, [path.join(out, 'bench', 'events-graphql.js')], {
      stdio: 'inherit',
      env: { ...process.env, EVENTS_GQL_ROOT: root },
    });
    return child.status ?? 1;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runSubscriptionsBench(optionsFromEnv((line) => console.log(line))).then(
    (result) => {
      if (result.phases.some((p) => p.outOfOrder !== 0 || p.delivered + p.ended === 0)) process.exitCode = 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
