/**
 * `npm run bench:replicas`: three Twingraph replicas (the compiled server, `bin/twingraph.js start`, each its
 * own process) on one SQLite file in WAL mode, with a graphql-ws subscriber of every change on each; writes
 * at BENCH_REPLICAS_RATE per second (default 100) for BENCH_REPLICAS_SECONDS (10), each through a replica
 * chosen at random. Latency is from the change's commit time (its `time`, stamped by the writing replica's
 * store) to its arrival at each subscriber, all on this machine's clock. Run with polling alone
 * (TWINGRAPH_LOG_POLL_MS=500, the default) and with the NATS commit bus (`nats-server` on a free port).
 * Deliveries on the writing replica itself are counted apart: they never wait for the tail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const ROOT = path.resolve(__dirname, '..');
const RATE = Number(process.env.BENCH_REPLICAS_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_REPLICAS_SECONDS ?? 10);
const NATS = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => fs.existsSync(p));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function replica(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'twingraph.js'), 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', TWINGRAPH_PLUGINS: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(buffered);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`a replica exited (${code})`)));
  });
  return { url, child };
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(mode: 'polling' | 'nats', dir: string): Promise<void> {
  const db = path.join(dir, `${mode}.db`);
  let env: Record<string, string> = { TWINGRAPH_DB: db };
  let nats: ChildProcess | undefined;
  if (mode === 'nats') {
    const port = await freePort();
    nats = spawn(NATS!, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    env = { ...env, TWINGRAPH_NATS_URL: `nats://127.0.0.1:${port}` };
  }
  const replicas = [await replica({ ...env, TWINGRAPH_SEED: 'models' })];
  replicas.push(...(await Promise.all([1, 2].map(() => replica({ ...env, TWINGRAPH_SEED: 'none' })))));
  const writer = new Map<string, number>();
  const local: number[] = [];
  const remote: number[] = [];
  const received = replicas.map(() => 0);
  const clients: Client[] = replicas.map((r, i) => {
    const client = createClient({ url: r.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    client.subscribe(
      { query: 'subscription { twinChanged { twinId time } }' },
      {
        next: (result) => {
          const change = (result.data as { twinChanged: { twinId: string; time: string } }).twinChanged;
          const latency = Date.now() - Date.parse(change.time);
          (writer.get(change.twinId) === i ? local : remote).push(latency);
          received[i] += 1;
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    return client;
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const total = RATE * SECONDS;
  const started = Date.now();
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const target = Math.floor(Math.random() * replicas.length);
    writer.set(`b-${i}`, target);
    writes.push(
      fetch(replicas[target].url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation { createTwin(id: "b-${i}", modelId: "dtmi:twingraph:demo:Client;1", properties: { name: "B" }) { id } }`,
        }),
      }),
    );
  }
  await Promise.all(writes);
  const deadline = Date.now() + 10_000;
  while (received.some((n) => n < total) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  local.sort((a, b) => a - b);
  remote.sort((a, b) => a - b);
  console.log(
    `${mode.padEnd(8)} delivered ${received.join(' / ')} of ${total} per replica; ` +
      `other replicas' changes p50 ${percentile(remote, 0.5)} ms, p99 ${percentile(remote, 0.99)} ms; ` +
      `own changes p50 ${percentile(local, 0.5)} ms, p99 ${percentile(local, 0.99)} ms`,
  );
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise((resolve) => {
          r.child.once('exit', resolve);
          r.child.kill('SIGTERM');
        }),
    ),
  );
  nats?.kill();
}

export function run(): void {
  void (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-replicas-'));
    try {
      console.log(`three replicas on one SQLite file; ${RATE} writes/s for ${SECONDS} s through random replicas`);
      await measure('polling', dir);
      if (NATS) await measure('nats', dir);
      else console.log('nats: skipped (nats-server is not installed)');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
