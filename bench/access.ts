/**
 * `npm run bench:access` (also run at the end of `npm run bench:api`): what access control and the
 * prediction pool cost and buy, on the compiled server (dist/), each server in a child process of its own
 * (`node bench/run.mjs access --serve`), the load generated here.
 *
 * (a) Identities: twin by id (ids rotating over the demo's twins) with authentication off, with an API key
 *     and with a JWT (RS256, verified against a public key), in ABBA order repeated BENCH_ACCESS_ROUNDS times
 *     (default 2: off, key, jwt, jwt, key, off, off, key, …), each BENCH_ACCESS_SECONDS (default 8) with 50
 *     connections; reported as each one's throughput ÷ off's and as the server's CPU time per request
 *     (process.cpuUsage in the server, over the measured seconds only) ÷ off's, medians of the runs (goal:
 *     identities cost under 5%). On a machine shared with other work, throughput swings far more between runs
 *     than 5%; CPU per request is the steadier figure.
 * (b) Predictions off the event loop: /healthz every 10 ms while BENCH_ACCESS_HEAVY (4) clients loop on the
 *     heaviest query the default cost limit allows among forecasts (a page of 100 devices' temperature
 *     forecasts), with TWINGRAPH_PREDICTION_THREADS=0 (on the event loop) and with the default pool; /healthz
 *     p50/p99 (goal: p99 under 100 ms with the pool) and forecasts completed.
 * The demo firm is seeded once (scale BENCH_ACCESS_SCALE, default 0.2) into a temp SQLite file that every
 * server opens.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(__dirname, '..');
const dist = (module: string) => require(path.join(ROOT, 'dist', module));

interface Autocannon {
  (options: {
    url: string;
    connections: number;
    duration: number;
    requests: { method: string; headers: Record<string, string>; setupRequest: (r: object) => object }[];
    verifyBody?: (body: string) => boolean;
  }): Promise<{
    requests: { total: number };
    duration: number;
    latency: { p99: number };
    non2xx: number;
    mismatches: number;
  }>;
}
const autocannon = require('autocannon') as Autocannon;

const SECONDS = Number(process.env.BENCH_ACCESS_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ACCESS_ROUNDS ?? 2);
const HEAVY = Number(process.env.BENCH_ACCESS_HEAVY ?? 4);
const SCALE = process.env.BENCH_ACCESS_SCALE ?? '0.2';

// ── The server side ───────────────────────────────────────────────────────────────────────────────────

async function serve(): Promise<void> {
  const { loadConfig } = dist('config.js');
  const { startApp } = dist('app.js');
  const pino = require('pino');
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    TWINGRAPH_SEED: 'none',
  });
  const app = await startApp(config, pino({ level: 'silent' }));
  process.send!({ url: app.server.url });
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system });
    } else if (message === 'stop') {
      await app.close();
      process.exit(0);
    }
  });
}

function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(path.join(ROOT, 'bench', 'run.mjs'), ['access', '--serve'], { env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ url: (m as { url: string }).url, child }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await exited;
}

// ── The load side ─────────────────────────────────────────────────────────────────────────────────────

async function twinIds(url: string, authorization?: string): Promise<string[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    body: JSON.stringify({ query: '{ twins(first: 1000) { nodes { id } } }' }),
  });
  const body = (await response.json()) as { data: { twins: { nodes: { id: string }[] } } };
  return body.data.twins.nodes.map((n) => n.id);
}

/** The server's CPU time so far, in microseconds. */
function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const listen = (m: unknown): void => {
      if (typeof m !== 'object' || m === null || !('cpuMicros' in m)) return;
      child.off('message', listen);
      resolve((m as { cpuMicros: number }).cpuMicros);
    };
    child.on('message', listen);
    child.send('cpu');
  });
}

async function twinById(
  url: string,
  child: ChildProcess,
  ids: readonly string[],
  authorization?: string,
): Promise<{ rps: number; cpuPerRequest: number }> {
  let i = 0;
  const headers = { 'content-type': 'application/json', ...(authorization && { authorization }) };
  const requests = [
    {
      method: 'POST',
      headers,
      setupRequest: (r: object) => ({
        ...r,
        body: JSON.stringify({
          query: 'query($id: ID!) { twin(id: $id) { id etag } }',
          variables: { id: ids[i++ % ids.length] },
        }),
      }),
    },
  ];
  const verifyBody = (body: string) => body.startsWith('{"data":{"twin":{');
  await autocannon({ url, connections: 50, duration: 2, requests, verifyBody });
  const cpu0 = await serverCpu(child);
  const r = await autocannon({ url, connections: 50, duration: SECONDS, requests, verifyBody });
  const cpu = (await serverCpu(child)) - cpu0;
  if (r.non2xx > 0 || r.mismatches > 0)
    throw new Error(`twin by id: ${r.non2xx} non-2xx, ${r.mismatches} wrong bodies`);
  return { rps: r.requests.total / r.duration, cpuPerRequest: cpu / r.requests.total };
}

const FORECASTS =
  '{ devices(first: 100) { nodes { id temperature { forecast(horizon: 24) { points { time value } } } } } }';

async function healthUnderForecasts(
  url: string,
): Promise<{ p50: number; p99: number; forecasts: number; resets: number }> {
  const healthz = new URL('/healthz', url).href;
  let running = true;
  let forecasts = 0;
  let resets = 0;
  const heavy = Array.from({ length: HEAVY }, async () => {
    while (running) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: FORECASTS }),
        });
      } catch {
        // A keep-alive socket the server closed as it was being reused (ECONNRESET): ask again.
        resets += 1;
        continue;
      }
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`forecasts: ${JSON.stringify(body.errors).slice(0, 300)}`);
      forecasts += 100;
    }
  });
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  while (performance.now() < until) {
    const t0 = performance.now();
    await fetch(healthz);
    latencies.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  running = false;
  await Promise.all(heavy);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), forecasts, resets };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-access-'));
  const db = path.join(dir, 'demo.db');
  try {
    const { main: cli } = dist('cli/main.js');
    const saved = { ...process.env };
    process.env.TWINGRAPH_DB = db;
    process.env.LOG_LEVEL = 'silent';
    let t0 = performance.now();
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as never;
    const code = await cli(['seed', '--scale', SCALE]);
    process.stdout.write = write;
    process.env = saved;
    if (code !== 0) throw new Error(`seeding failed (${code})`);
    console.log(`seeded the demo at scale ${SCALE} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // (a) identities
    const { generateKeyPairSync } = await import('node:crypto');
    const jose = require('jose');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const token = await new jose.SignJWT({ roles: ['reader'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('bench')
      .setIssuer('https://issuer.example/')
      .setAudience('api://twingraph')
      .setExpirationTime('2h')
      .sign(privateKey);
    const { ApiKeys } = dist('access/api-keys.js');
    const { openStore } = dist('store/open.js');
    const store = await openStore({ kind: 'sqlite', path: db });
    const key = (await new ApiKeys(store).create({ name: 'bench', role: 'reader' })).key;
    await store.close();
    const env = {
      TWINGRAPH_DB: db,
      TWINGRAPH_PLUGINS: '',
      TWINGRAPH_JWT_PUBLIC_KEY: pem,
      TWINGRAPH_JWT_ISSUER: 'https://issuer.example/',
      TWINGRAPH_JWT_AUDIENCE: 'api://twingraph',
      TWINGRAPH_RATE_LIMIT: '0',
    };
    const variants: Record<string, { env: Record<string, string>; authorization?: string }> = {
      off: { env: { ...env, TWINGRAPH_AUTH: 'off' } },
      key: { env: { ...env, TWINGRAPH_AUTH: 'required' }, authorization: `Bearer ${key}` },
      jwt: { env: { ...env, TWINGRAPH_AUTH: 'required' }, authorization: `Bearer ${token}` },
    };
    const runs: Record<string, { rps: number; cpuPerRequest: number }[]> = { off: [], key: [], jwt: [] };
    const order = Array.from({ length: ROUNDS }, () => ['off', 'key', 'jwt', 'jwt', 'key', 'off']).flat();
    for (const name of order) {
      const variant = variants[name];
      const { url, child } = await startServer(variant.env);
      try {
        const ids = await twinIds(url, variant.authorization);
        runs[name].push(await twinById(url, child, ids, variant.authorization));
      } finally {
        await stopServer(child);
      }
    }
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    };
    const rps = (name: string) => median(runs[name].map((r) => r.rps));
    const cpu = (name: string) => median(runs[name].map((r) => r.cpuPerRequest));
    console.log(
      `\n(a) twin by id, 50 connections, ${SECONDS} s per run, ABBA order (off, key, jwt, jwt, key, off) × ${ROUNDS}; medians`,
    );
    for (const name of ['off', 'key', 'jwt'])
      console.log(
        `  auth ${name.padEnd(3)}  ${rps(name).toFixed(0).padStart(6)} req/s ÷ off ${(rps(name) / rps('off')).toFixed(3)}` +
          `   server CPU ${cpu(name).toFixed(0).padStart(4)} µs/request ÷ off ${(cpu(name) / cpu('off')).toFixed(3)}` +
          `   (runs: ${runs[name].map((r) => `${r.rps.toFixed(0)} req/s ${r.cpuPerRequest.toFixed(0)} µs`).join(', ')})`,
      );

    // (b) predictions off the event loop
    console.log(`\n(b) /healthz every 10 ms while ${HEAVY} clients loop on 100 devices' forecasts, ${SECONDS} s`);
    for (const threads of ['0', String(Math.max(1, Math.min(4, os.availableParallelism() - 1)))]) {
      const { url, child } = await startServer({
        TWINGRAPH_DB: db,
        TWINGRAPH_AUTH: 'off',
        TWINGRAPH_PREDICTION_THREADS: threads,
      });
      try {
        t0 = performance.now();
        const r = await healthUnderForecasts(url);
        const rate = r.forecasts / ((performance.now() - t0) / 1000);
        console.log(
          `  TWINGRAPH_PREDICTION_THREADS=${threads}  /healthz p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; ${rate.toFixed(0)} forecasts/s${r.resets ? ` (${r.resets} connections reset and retried)` : ''}`,
        );
      } finally {
        await stopServer(child);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function run(argv: readonly string[]): void {
  (argv[0] === '--serve' ? serve() : main()).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
