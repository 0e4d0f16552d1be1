/**
 * The side-by-side half of `npm run bench:api` (issue 13): Twingraph against the hand-written server of
 * ./handwritten.ts, on the same machine and the same SQLite file, each workload pair run twice in ABBA order
 * (Twingraph, hand-written, hand-written, Twingraph) so that a drift in the machine's load over the run weighs
 * on both sides alike; each pair gives one ratio. Every server runs in its own process, apart from the load
 * generator (this process); only one is driven at a time.
 *
 * Before any load, the hand-written server's answers to the benchmark's queries are checked to be byte for
 * byte Twingraph's (every traversal page, a spread of twins by id): a faster server that answered something
 * else would prove nothing.
 *
 * Workloads (BENCH_API_PHASES names): `traversal` (clients → hasEngagement → covers, 100 twins a page, pages
 * rotating), `byid` (twin by id, ids rotating), `patch` (patchTwin of one property, /capacity, on 3,000
 * devices in a scattered order), `overload` (1,000 unfiltered twinChanged subscriptions while the server's
 * own driver offers writes faster than they can be delivered: throughput and commit-to-delivery latency),
 * `cold` (a fresh process on the existing store to its first answer, then RSS after a short load and 2 s idle).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import ts from 'typescript';
import type { HttpLoadOptions, LoadResult, ServerHost, ServerInfo, SubscriptionResult } from './api';

/** The load generator's pieces, from ./api.ts (passed in: it imports this module). */
export type LoadTools = Pick<
  typeof import('./api'),
  'runLoad' | 'runSubscriptions' | 'formatLoad' | 'rotating' | 'TRAVERSAL' | 'TWIN_BY_ID'
>;

const ROOT = path.resolve(__dirname, '..');

export const PATCH_DEVICE =
  'mutation($id: ID!, $patch: [JsonPatchOperation!]!){ patchTwin(id: $id, patch: $patch){ id etag } }';
/** How many devices the patch workload spreads its writes over. */
export const PATCHED_DEVICES = 3000;

type HostCalls = Pick<ServerHost, 'cpu' | 'now' | 'sentinel' | 'drive' | 'subscribers' | 'close'>;

/**
 * The hand-written server as plain JavaScript: transpiled here (TypeScript's transpileModule), so that its
 * process runs without a TypeScript hook, as Twingraph's dist/ does; its imports resolve from this project's
 * node_modules through NODE_PATH.
 */
export function handwrittenScript(): { file: string; env: NodeJS.ProcessEnv; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-handwritten-'));
  const source = fs.readFileSync(path.join(__dirname, 'handwritten.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const file = path.join(dir, 'handwritten.cjs');
  fs.writeFileSync(file, outputText);
  return {
    file,
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Forks the hand-written server in host mode and talks to it over IPC, as bench/api.ts does with Twingraph's. */
function forkHandwritten(
  script: ReturnType<typeof handwrittenScript>,
  info: ServerInfo,
): Promise<{ host: HostCalls; url: string; pid: number; child: ChildProcess }> {
  const extra = (process.env.BENCH_API_HANDWRITTEN_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = fork(
    script.file,
    ['host', JSON.stringify({ dbFile: info.dbFile, clientIds: info.clientIds, sentinelId: info.sentinelId })],
    { env: script.env, execArgv: extra, stdio: 'inherit' },
  );
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  const call = (method: string, ...args: unknown[]): Promise<never> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, method, args });
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      for (const p of pending.values()) p.reject(new Error(`the hand-written server exited (${code})`));
      reject(new Error(`the hand-written server exited (${code})`));
    });
    child.on('message', (message: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) {
        const host: HostCalls = {
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
        call('info').then(
          (i: { url: string; pid: number }) => resolve({ host, url: i.url, pid: i.pid, child }),
          reject,
        );
      } else if (message.id !== undefined) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) p?.reject(new Error(message.error));
        else p?.resolve(message.result);
      }
    });
  });
}

export async function post(url: string, query: string, variables: Record<string, unknown>): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return response.text();
}

/** One answer as it came over the wire: its Content-Encoding, its size, and its bytes decompressed. */
async function encodedAnswer(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  acceptEncoding: string,
): Promise<{ encoding: string; bytes: number; text: string }> {
  const body = JSON.stringify({ query, variables });
  const raw = await new Promise<{ encoding: string; data: Buffer }>((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': acceptEncoding } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            encoding: String(response.headers['content-encoding'] ?? 'identity'),
            data: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
  const decoded =
    raw.encoding === 'gzip'
      ? zlib.gunzipSync(raw.data)
      : raw.encoding === 'br'
        ? zlib.brotliDecompressSync(raw.data)
        : raw.encoding === 'identity'
          ? raw.data
          : undefined;
  if (!decoded) throw new Error(`${url} answered in an encoding the benchmark does not read: ${raw.encoding}`);
  return { encoding: raw.encoding, bytes: raw.data.length, text: decoded.toString('utf8') };
}

/**
 * With an Accept-Encoding for the load: which of the two workloads' answers each server compresses, and that
 * they decompress to the same bytes as the plain answer. Both must choose alike, or the comparison would weigh
 * compression on one side only.
 */
async function checkEncodedAnswers(
  { TRAVERSAL, TWIN_BY_ID }: LoadTools,
  twingraph: string,
  handwritten: string,
  info: ServerInfo,
  acceptEncoding: string,
): Promise<string> {
  const described: string[] = [];
  for (const [name, query, variables] of [
    ['a traversal page', TRAVERSAL, { after: null }],
    ['a twin by id', TWIN_BY_ID, { id: info.twinIds[0] }],
  ] as const) {
    const plain = await post(twingraph, query, variables);
    const [a, b] = await Promise.all([
      encodedAnswer(twingraph, query, variables, acceptEncoding),
      encodedAnswer(handwritten, query, variables, acceptEncoding),
    ]);
    if (a.encoding !== b.encoding || a.text !== plain || b.text !== plain)
      throw new Error(
        `with Accept-Encoding ${acceptEncoding}, the servers answer ${name} differently: Twingraph ${a.encoding} (${a.text.length} characters), hand-written ${b.encoding} (${b.text.length}), plain ${plain.length}`,
      );
    described.push(
      `${name} (${f0(Buffer.byteLength(plain))} B) comes ${a.encoding} from both (${f0(a.bytes)} and ${f0(b.bytes)} B)`,
    );
  }
  return described.join('; ');
}

/** Every traversal page and a spread of twins by id, asked of both servers: the answers must be equal bytes. */
async function checkSameAnswers(
  { TRAVERSAL, TWIN_BY_ID }: LoadTools,
  twingraph: string,
  handwritten: string,
  info: ServerInfo,
  cursors: readonly (string | null)[],
): Promise<number> {
  const requests: [string, Record<string, unknown>][] = [
    ...cursors.map((after): [string, Record<string, unknown>] => [TRAVERSAL, { after }]),
    ...Array.from({ length: 200 }, (_, i): [string, Record<string, unknown>] => [
      TWIN_BY_ID,
      { id: info.twinIds[(i * 7919) % info.twinIds.length] },
    ]),
    [TWIN_BY_ID, { id: 'no-such-twin' }],
  ];
  for (const [query, variables] of requests) {
    const [a, b] = await Promise.all([post(twingraph, query, variables), post(handwritten, query, variables)]);
    if (a !== b || !a.startsWith('{"data":') || a.includes('"errors"'))
      throw new Error(
        `the servers answer ${JSON.stringify(variables)} differently:\n  Twingraph:    ${a.slice(0, 400)}\n  hand-written: ${b.slice(0, 400)}`,
      );
  }
  return requests.length;
}

interface Side {
  readonly name: string;
  readonly url: string;
  readonly host: HostCalls;
}

const f0 = (n: number): string => Math.round(n).toLocaleString('en-US');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : String(n));
const loadavg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** A, B, B, A: the two ratios of one workload. */
async function abba<R>(
  label: string,
  twingraph: () => Promise<R>,
  handwritten: () => Promise<R>,
  describe: (r: R) => string,
  ratio: (a: R, b: R) => { text: string; value: number },
  log: (line: string) => void,
): Promise<{ a: R[]; b: R[]; ratios: number[] }> {
  log(`── ${label} (ABBA; load average ${loadavg()})`);
  const a: R[] = [];
  const b: R[] = [];
  for (const [side, run] of [
    ['A', twingraph],
    ['B', handwritten],
    ['B', handwritten],
    ['A', twingraph],
  ] as const) {
    const r = await run();
    (side === 'A' ? a : b).push(r);
    log(`  ${side === 'A' ? 'Twingraph   ' : 'hand-written'} ${describe(r)}`);
  }
  const ratios = [ratio(a[0], b[0]), ratio(a[1], b[1])];
  log(`  Twingraph ÷ hand-written: ${ratios.map((r) => r.text).join('; ')}   (load average ${loadavg()})`);
  return { a, b, ratios: ratios.map((r) => r.value) };
}

const loadRatio = (a: LoadResult, b: LoadResult): { text: string; value: number } => ({
  value: a.rps / b.rps,
  text: `${f2(a.rps / b.rps)} by req/s (p99 ${f0(a.p99)} vs ${f0(b.p99)} ms; ${f2(b.serverUsPerRequest / a.serverUsPerRequest)} by server CPU per request)`,
});

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

interface ColdRun {
  readonly firstAnswerMs: number;
  readonly rssMb: number;
}

/**
 * A fresh server process on the existing store: the time from spawning it to the first answer of a twin by id
 * (polled every 5 ms), then a short load (traversal and twin by id) and 2 s idle, and its RSS then.
 */
async function coldRun(
  { runLoad, rotating, TRAVERSAL, TWIN_BY_ID }: LoadTools,
  command: { args: string[]; env: NodeJS.ProcessEnv },
  port: number,
  cursors: readonly (string | null)[],
  ids: readonly string[],
): Promise<ColdRun> {
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = performance.now();
  const child = spawn(process.execPath, command.args, { env: command.env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    let firstAnswerMs = NaN;
    while (performance.now() - started < 60_000) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering`);
      try {
        const body = await post(url, TWIN_BY_ID, { id: ids[0] });
        if (body.startsWith('{"data":{"twin":{')) {
          firstAnswerMs = performance.now() - started;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const load = { connections: 50, seconds: 3, warmupSeconds: 0 };
    const noCpu = { cpu: async () => ({ user: 0, system: 0 }) };
    await runLoad(noCpu, 'cold', url, () => rotating(TRAVERSAL, (i) => ({ after: cursors[i % cursors.length] })), load);
    await runLoad(noCpu, 'cold', url, () => rotating(TWIN_BY_ID, (i) => ({ id: ids[(i * 7919) % ids.length] })), load);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return { firstAnswerMs, rssMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

export interface CompareOptions {
  readonly phases: ReadonlySet<string>;
  readonly http: HttpLoadOptions;
  readonly overload: { subscribers: number; rate: number; seconds: number };
  readonly cursors: readonly (string | null)[];
  /** The Accept-Encoding the load sends, if any (BENCH_API_ACCEPT_ENCODING). */
  readonly acceptEncoding?: string;
  readonly log: (line: string) => void;
}

/** The ABBA runs of the phases asked for; the Twingraph side is the server process bench/api.ts started. */
export async function compareWithHandwritten(
  tools: LoadTools,
  twingraphHost: ServerHost,
  info: ServerInfo,
  options: CompareOptions,
): Promise<void> {
  const { phases, log, cursors } = options;
  const { runLoad, runSubscriptions, rotating, TRAVERSAL, TWIN_BY_ID } = tools;
  const loadLine = (r: LoadResult): string => tools.formatLoad(r).replace(/^.{34} /, '');
  const script = handwrittenScript();
  const hand = await forkHandwritten(script, info);
  try {
    const a: Side = { name: 'Twingraph', url: info.twingraphUrl, host: twingraphHost };
    const b: Side = { name: 'hand-written', url: hand.url, host: hand.host };
    log(
      `hand-written server pid ${hand.pid}: ${hand.url} (bench/handwritten.ts: Apollo Server 5 + express5 + graphql-ws, DataLoader over better-sqlite3 on ${info.dbFile})`,
    );
    const checked = await checkSameAnswers(tools, a.url, b.url, info, cursors);
    log(`byte-identical answers: ${checked} requests (every traversal page, 201 twins by id) asked of both: equal`);
    if (options.acceptEncoding)
      log(
        `the load sends Accept-Encoding: ${options.acceptEncoding}; ${await checkEncodedAnswers(tools, a.url, b.url, info, options.acceptEncoding)}`,
      );
    log('');
    const ids = info.twinIds;
    const load = (side: Side, label: string, request: () => ReturnType<LoadTools['rotating']>) => () =>
      runLoad(side.host, `${side.name} ${label}`, side.url, request, options.http);

    if (phases.has('traversal')) {
      const traversal = () => rotating(TRAVERSAL, (i) => ({ after: cursors[i % cursors.length] }));
      await abba(
        `2-level traversal: ${TRAVERSAL}`,
        load(a, 'traversal', traversal),
        load(b, 'traversal', traversal),
        loadLine,
        loadRatio,
        log,
      );
    }
    if (phases.has('byid')) {
      const byId = () => rotating(TWIN_BY_ID, (i) => ({ id: ids[(i * 7919) % ids.length] }));
      await abba(
        `twin by id: ${TWIN_BY_ID}`,
        load(a, 'twin by id', byId),
        load(b, 'twin by id', byId),
        loadLine,
        loadRatio,
        log,
      );
    }
    if (phases.has('patch')) {
      const devices = ids.filter((id) => id.startsWith('device-')).slice(0, PATCHED_DEVICES);
      const patch = () =>
        rotating(PATCH_DEVICE, (i) => ({
          id: devices[(i * 7919) % devices.length],
          patch: [{ op: 'replace', path: '/capacity', value: i % 97 }],
        }));
      await abba(
        `patchTwin of /capacity on ${f0(devices.length)} devices, scattered: ${PATCH_DEVICE}`,
        load(a, 'patchTwin', patch),
        load(b, 'patchTwin', patch),
        (r) => `${loadLine(r)}; ${f2(r.serverUsPerRequest / 1000)} ms server CPU per write`,
        loadRatio,
        log,
      );
    }
    if (phases.has('overload')) {
      const { subscribers, rate, seconds } = options.overload;
      const changes = Math.round(rate * seconds);
      const run = (side: Side) => () =>
        runSubscriptions(
          side.host,
          info,
          {
            mode: 'all',
            subscribers,
            perConnection: 10,
            watch: 0,
            rate,
            changes,
            drainTimeoutMs: 180_000,
            maxDriveMs: seconds * 1000,
          },
          side.url,
        );
      await abba(
        `${f0(subscribers)} unfiltered twinChanged subscriptions, writes offered at ${f0(rate)}/s for ${seconds} s`,
        run(a),
        run(b),
        (r: SubscriptionResult) =>
          `${f0(r.changes)} commits (${f0(r.achievedRate)}/s), ${f0(r.delivered)} of ${f0(r.expected)} delivered (lost ${r.lost}, duplicated ${r.duplicated}, out of order ${r.outOfOrder}, errors ${r.subscriptionErrors}), ${f0(r.deliveryRate)} messages/s, commit → delivery p50 ${f0(r.latencyMs.p50)} ms p99 ${f0(r.latencyMs.p99)} ms max ${f0(r.latencyMs.max)} ms`,
        (x, y) => ({
          value: x.deliveryRate / y.deliveryRate,
          text: `${f2(x.deliveryRate / y.deliveryRate)} by messages/s (p99 ${f0(x.latencyMs.p99)} vs ${f0(y.latencyMs.p99)} ms)`,
        }),
        log,
      );
    }
    if (phases.has('cold')) {
      const twingraphCommand = (port: number) => ({
        args: [path.join(ROOT, 'bin', 'twingraph.js'), 'start'],
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
          TWINGRAPH_DB: info.dbFile,
          TWINGRAPH_SEED: 'models',
        },
      });
      const handCommand = (port: number) => ({
        args: [script.file, 'serve', info.dbFile, String(port)],
        env: script.env,
      });
      const cold = (command: (port: number) => { args: string[]; env: NodeJS.ProcessEnv }) => async () => {
        const port = await freePort();
        return coldRun(tools, command(port), port, cursors, ids);
      };
      await abba(
        'cold start on the existing store to the first answer (a fresh process), then RSS after 3 s traversal + 3 s twin by id and 2 s idle',
        cold(twingraphCommand),
        cold(handCommand),
        (r: ColdRun) => `first answer after ${f0(r.firstAnswerMs)} ms, RSS ${f0(r.rssMb)} MB`,
        (x, y) => ({
          value: x.firstAnswerMs / y.firstAnswerMs,
          text: `start ${f2(x.firstAnswerMs / y.firstAnswerMs)}× as long, RSS ${f2(x.rssMb / y.rssMb)}×`,
        }),
        log,
      );
    }
  } finally {
    await hand.host.close().catch(() => hand.child.kill());
    script.dispose();
  }
}
