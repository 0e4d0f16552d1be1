/**
 * Twingraph replicas as separate processes, for the tests that put several of them on one store: each is
 * `twingraph start` in a child (test/support/serve-child.ts) configured by the environment it is given, reached
 * over HTTP and graphql-ws as a client reaches it, and stopped with SIGTERM or killed with SIGKILL; what is still
 * running when a file's tests end is killed (killLeftovers). Also the NATS server the commit bus needs, and the
 * store settings that put every replica on one SQLite file or on the Neo4j server of NEO4J_URI — always said
 * explicitly, so that a NEO4J_URI in the test's own environment (as `npm run test:neo4j` sets it) never moves a
 * SQLite suite onto Neo4j.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { neo4jFromEnv, wipeNeo4j } from '../neo4j/server';
import { killIfRunning, terminate } from '../support/terminate';

const CHILD = path.join(__dirname, '..', 'support', 'serve-child.ts');
export const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => fs.existsSync(p));
/**
 * Every process started here (replicas and NATS servers); killLeftovers, in afterAll, kills those still running,
 * so that a test failing half-way (or a replica that never serves) leaves no process, and no open pipe keeping
 * jest from exiting.
 */
const started: ChildProcess[] = [];

/** SIGKILL to every process started here that is still running. */
export function killLeftovers(): void {
  started.forEach(killIfRunning);
}

export interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** What it has written to stderr so far. */
  stderr(): string;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The store variables that put replicas on one SQLite file. */
export function sqliteStoreEnv(file: string): Record<string, string> {
  return { TWINGRAPH_DB: file, NEO4J_URI: '' };
}

/** The store variables that put replicas on the Neo4j server of NEO4J_URI (its credentials too, when set). */
export function neo4jStoreEnv(): Record<string, string> {
  const names = ['NEO4J_URI', 'NEO4J_USER', 'NEO4J_PASSWORD', 'NEO4J_DATABASE'] as const;
  return Object.fromEntries(names.flatMap((n) => (process.env[n] === undefined ? [] : [[n, process.env[n]!]])));
}

/** Empties the Neo4j database of NEO4J_URI, as a fresh SQLite file is empty. */
export async function wipeTestNeo4j(): Promise<void> {
  const server = neo4jFromEnv();
  if (!server) throw new Error('NEO4J_URI is not set');
  await wipeNeo4j(server);
}

/** Starts a replica; resolves once it serves GraphQL (its log line with the URL). */
export async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', TWINGRAPH_PLUGINS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      // Only the start matters; later output is read and dropped, so that the pipe never fills.
      if (buffered.length > 1_000_000) return;
      buffered += d.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(buffered);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`replica ${name} exited (${code}) before serving: ${stderr}`)));
  });
  return { name, child, url, exited, stderr: () => stderr };
}

/**
 * Starts several replicas at once (on a new SQLite file they also race to create its schema); if one fails,
 * stops those that did start before failing, so that no process outlives the test.
 */
export async function startReplicas(names: readonly string[], env: Record<string, string>): Promise<Replica[]> {
  const started = await Promise.allSettled(names.map((name) => startReplica(name, env)));
  const replicas = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(replicas.map(stopReplica));
    throw failed.reason;
  }
  return replicas;
}

/** SIGTERM, and waits for the exit (a replica drains and closes its store); SIGKILL if it hangs there. */
export async function stopReplica(replica: Replica): Promise<void> {
  await terminate(replica.child);
}

/** A GraphQL operation over HTTP; GraphQL errors are thrown, naming the replica. */
export async function gql(replica: Replica, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await fetch(replica.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`${replica.name}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Every seq a replica's `changed(since:)` subscription delivers, in arrival order. */
export class Subscriber {
  readonly seqs: number[] = [];
  readonly client: Client;
  errors: unknown[] = [];
  constructor(replica: Replica, since: number) {
    this.client = createClient({ url: replica.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    this.client.subscribe(
      { query: `subscription { changed(since: ${since}) { seq } }` },
      {
        next: (r) => {
          const seq = (r.data as { changed?: { seq: number } } | undefined)?.changed?.seq;
          if (seq !== undefined) this.seqs.push(Number(seq));
          else this.errors.push(r.errors);
        },
        error: (e) => this.errors.push(e),
        complete: () => undefined,
      },
    );
  }
  get last(): number {
    return this.seqs[this.seqs.length - 1];
  }
}

export interface Nats {
  readonly url: string;
  stop(): void;
}

/** It listens within milliseconds on a quiet machine; a loaded one may take a few seconds to run it at all. */
const NATS_START_MS = 20_000;

/**
 * A nats-server on `port`, resolved once it accepts connections: a replica started before it would only be
 * degraded until its bus's next retry, a second later (the tests want it connected from the start), and on a
 * busy machine a fixed pause after the spawn was not always enough for the server to start.
 */
export async function spawnNats(port: number): Promise<ChildProcess> {
  if (!NATS_SERVER) throw new Error('nats-server is not installed');
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  started.push(child);
  const deadline = Date.now() + NATS_START_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`nats-server did not listen on ${port} within ${NATS_START_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

/** Whether something accepts a TCP connection on the loopback port (the connection is closed at once). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A nats-server on a free loopback port, once it listens. */
export async function startNats(): Promise<Nats> {
  const port = await freePort();
  const child = await spawnNats(port);
  return { url: `nats://127.0.0.1:${port}`, stop: () => void child.kill() };
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
