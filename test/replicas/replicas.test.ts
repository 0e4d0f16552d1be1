/**
 * Several Twingraph replicas on one store (SQLite in WAL mode, three processes): a subscriber on any replica
 * receives every change made through any replica, in seq order, exactly once; a replica killed with SIGKILL
 * and started again lets its subscribers resume with `since` and miss nothing; a model uploaded through one
 * replica becomes queryable on the others; `/readyz` reports the replica's lag. Run with the NATS commit bus
 * (`nats-server`, Debian's package) and with polling alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { mulberry32 } from '../../src/demo/random';
import { waitUntil } from '../support/api-harness';
import { describeWhen } from '../support/shared';

const CHILD = path.join(__dirname, '..', 'support', 'serve-child.ts');
const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => fs.existsSync(p));
const CLIENT = 'dtmi:twingraph:demo:Client;1';

interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', TWINGRAPH_PLUGINS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(buffered);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`replica ${name} exited (${code}) before serving: ${stderr}`)));
  });
  return { name, child, url };
}

async function stopReplica(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = new Promise((resolve) => replica.child.once('exit', resolve));
  replica.child.kill('SIGTERM');
  await exited;
}

async function gql(replica: Replica, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await fetch(replica.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`${replica.name}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Every seq a replica's subscription delivers (`changed`, from `since`). */
class Subscriber {
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

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function replicaSuite(mode: 'nats' | 'polling'): void {
  let dir: string;
  let nats: ChildProcess | undefined;
  let env: Record<string, string>;
  let replicas: Replica[] = [];
  const subscribers: Subscriber[] = [];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `twingraph-replicas-${mode}-`));
    env = { TWINGRAPH_DB: path.join(dir, 'shared.db') };
    if (mode === 'nats') {
      const port = await freePort();
      nats = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      env = { ...env, TWINGRAPH_NATS_URL: `nats://127.0.0.1:${port}`, TWINGRAPH_LOG_POLL_MS: '1000' };
      // nats-server listens within milliseconds; the replicas' clients retry their first connect anyway.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } else env = { ...env, TWINGRAPH_LOG_POLL_MS: '100' };
    // The first replica loads the models into the empty store; the others find them there.
    replicas = [await startReplica('a', { ...env, TWINGRAPH_SEED: 'models' })];
    replicas.push(...(await Promise.all(['b', 'c'].map((n) => startReplica(n, { ...env, TWINGRAPH_SEED: 'none' })))));
  });
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    await Promise.all(replicas.map(stopReplica));
    nats?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every change made through any replica to subscribers on every replica, in order, exactly once', async () => {
    const start = Number(
      (await gql(replicas[0], '{ changes(after: 0, first: 10000) { seq } }')).changes.at(-1)?.seq ?? 0,
    );
    subscribers.push(...replicas.map((r) => new Subscriber(r, start)));
    const random = mulberry32(7);
    const writes = 60;
    for (let batch = 0; batch < writes; batch += 10)
      await Promise.all(
        range(batch, batch + 9).map((i) =>
          gql(
            replicas[Math.floor(random() * replicas.length)],
            `mutation($id: ID!) { createTwin(id: $id, modelId: "${CLIENT}", properties: { name: "C" }) { id } }`,
            { id: `r-${i}` },
          ),
        ),
      );
    await waitUntil(
      () => subscribers.every((s) => s.seqs.length >= writes),
      'every subscriber has every change',
      20_000,
    );
    for (const s of subscribers) expect(s.seqs).toEqual(range(start + 1, start + writes));
  });

  it('makes a model uploaded through one replica queryable on the others', async () => {
    const type = mode === 'nats' ? 'Valve' : 'Gauge';
    const model = {
      '@context': 'dtmi:dtdl:context;3',
      '@id': `dtmi:test:replicas:${type};1`,
      '@type': 'Interface',
      contents: [{ '@type': 'Property', name: 'reading', schema: 'double' }],
    };
    await gql(replicas[1], 'mutation($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }', { d: [model] });
    for (const replica of [replicas[0], replicas[2]]) {
      let seen = false;
      const deadline = Date.now() + 10_000;
      while (!seen && Date.now() < deadline) {
        seen = (await gql(replica, `{ __type(name: "${type}") { name } }`)).__type !== null;
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect({ replica: replica.name, seen }).toEqual({ replica: replica.name, seen: true });
    }
  });

  it('lets the subscribers of a replica killed with SIGKILL resume on its successor with since, missing nothing', async () => {
    const victim = replicas[2];
    const before = subscribers[2];
    const resumeFrom = before.last;
    const writes = [];
    for (let i = 0; i < 30; i++) {
      writes.push(
        gql(
          replicas[i % 2],
          `mutation { createTwin(id: "k-${i}", modelId: "${CLIENT}", properties: { name: "K" }) { id } }`,
        ),
      );
      if (i === 10) victim.child.kill('SIGKILL');
    }
    await Promise.all(writes);
    const successor = await startReplica('c2', { ...env, TWINGRAPH_SEED: 'none' });
    replicas[2] = successor;
    const resumed = new Subscriber(successor, before.last ?? resumeFrom);
    subscribers.push(resumed);
    const newest = subscribers[0].last;
    await waitUntil(() => resumed.last >= newest, 'the resumed subscriber catches up', 20_000);
    const all = [...before.seqs, ...resumed.seqs];
    expect(all).toEqual(range(all[0], newest));
    const ready = await (await fetch(new URL('/readyz', successor.url))).json();
    expect(ready).toMatchObject({ status: 'ready', lag: 0 });
  });
}

describeWhen(
  NATS_SERVER !== undefined,
  'three replicas on one store, with the NATS commit bus',
  'nats-server is not installed (apt-get install nats-server)',
  () => replicaSuite('nats'),
);
describe('three replicas on one store, polling the change log', () => replicaSuite('polling'));
