/**
 * `npm run bench:start-cold` (builds dist/, then `node bench/run.mjs start-cold`): how long `twingraph start`
 * takes on an existing store to its first answer, as bench:api's `cold` phase measures it (a fresh process,
 * a twin by id polled every 5 ms), but many times over and without the load that follows, so that a change
 * to the start can be told from noise on a busy machine: issue 13 asks for at most 1.5× the hand-written
 * server's start (bench/handwritten.ts).
 *
 * The store is seeded as bench:api seeds it (its createServerHost, from dist/). Each round starts every side
 * once, in an order that rotates from round to round; the figures are each side's median and quartiles, and
 * RSS after the first answer and a second of idling. The sides: this tree (`twingraph`), the hand-written
 * server (`handwritten`), the hand-written server with the start-up caches bin/twingraph.js enables
 * (`handwritten-cached`: the same code and resolution caches, in a folder of its own, warmed by one untimed
 * start first), so that the caches' share of the difference shows, and, when BENCH_COLD_BASE names another built checkout of Twingraph (its own
 * bin/ and dist/), that one (`base`), for a before/after of a change. BENCH_COLD_RUNS sets the rounds
 * (default 7), BENCH_COLD_CLIENTS the seed's size (default bench:api's 1,000 clients), BENCH_COLD_ARGS node
 * flags for the Twingraph sides (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServerHost, FULL_SEED, TWIN_BY_ID } from './api';
import { freePort, handwrittenScript, post, rssMb } from './api-compare';

const ROOT = path.resolve(__dirname, '..');

interface Side {
  readonly name: string;
  readonly command: (port: number) => { args: string[]; env: NodeJS.ProcessEnv };
}

interface ColdStart {
  readonly firstAnswerMs: number;
  /** CPU time of the server process (all its threads) at its first answer: steadier than the wall clock on a busy machine. */
  readonly cpuMs: number;
  readonly rssMb: number;
}

/** The CPU time of a process's threads, from the scheduler's statistics (nanoseconds on the CPU). */
function cpuMsOf(pid: number): number {
  let ns = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

/** Spawns a server, polls it to its first answer of a twin by id, idles a second, reads its RSS and stops it. */
async function coldStart(side: Side, twinId: string): Promise<ColdStart> {
  const port = await freePort();
  const { args, env } = side.command(port);
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    while (performance.now() - started < 60_000) {
      if (child.exitCode !== null) throw new Error(`${side.name} exited (${child.exitCode}) before answering`);
      try {
        const body = await post(url, TWIN_BY_ID, { id: twinId });
        if (body.startsWith('{"data":{"twin":{')) {
          const firstAnswerMs = performance.now() - started;
          const cpuMs = cpuMsOf(child.pid!);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          return { firstAnswerMs, cpuMs, rssMb: rssMb(child.pid!) };
        }
        throw new Error(`${side.name} answered ${body.slice(0, 300)}`);
      } catch (error) {
        if ((error as Error).message.startsWith(side.name)) throw error;
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`${side.name} did not answer within 60 s`);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const quantile = (sorted: readonly number[], q: number): number => {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
};

const loadavg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function twingraphSide(name: string, root: string, dbFile: string): Side {
  const flags = (process.env.BENCH_COLD_ARGS ?? '').split(/\s+/).filter(Boolean);
  return {
    name,
    command: (port) => ({
      args: [...flags, path.join(root, 'bin', 'twingraph.js'), 'start'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        TWINGRAPH_DB: dbFile,
        TWINGRAPH_SEED: 'models',
      },
    }),
  };
}

/**
 * A preload that gives the hand-written server what bin/twingraph.js gives Twingraph (Node's compile cache,
 * or ../bin/compile-cache.js on Node 20, and ../bin/resolution-cache.js), and ends it on SIGTERM through
 * process.exit so that the caches are written, as a real server's shutdown would; with a cache folder of its
 * own beside the script (NODE_DISABLE_COMPILE_CACHE=1 turns both off here too).
 */
function handwrittenCaches(script: string): { preload: string; folder: string } {
  const dir = path.dirname(script);
  const folder = path.join(dir, 'compile-cache');
  fs.mkdirSync(folder, { mode: 0o700 });
  const preload = path.join(dir, 'caches.cjs');
  const bin = path.join(ROOT, 'bin');
  fs.writeFileSync(
    preload,
    [
      `const nodeModule = require('node:module');`,
      `if (nodeModule.enableCompileCache) nodeModule.enableCompileCache();`,
      `else require(${JSON.stringify(path.join(bin, 'compile-cache.js'))}).enableCompileCache();`,
      `require(${JSON.stringify(path.join(bin, 'resolution-cache.js'))}).enableResolutionCache();`,
      `process.once('SIGTERM', () => process.exit(0));`,
      '',
    ].join('\n'),
  );
  return { preload, folder };
}

export async function run(): Promise<void> {
  const rounds = Number(process.env.BENCH_COLD_RUNS ?? 7);
  const clients = Number(process.env.BENCH_COLD_CLIENTS ?? FULL_SEED.clients);
  const appModule = require(path.join(ROOT, 'dist', 'app.js')) as typeof import('../src/app');
  const configModule = require(path.join(ROOT, 'dist', 'config.js')) as typeof import('../src/config');
  const host = await createServerHost(
    { startApp: (config) => appModule.startApp(config), loadConfig: (env) => configModule.loadConfig(env) },
    { ...FULL_SEED, clients },
  );
  const script = handwrittenScript();
  try {
    const info = await host.info();
    const sides: Side[] = [twingraphSide('twingraph', ROOT, info.dbFile)];
    if (process.env.BENCH_COLD_BASE)
      sides.push(twingraphSide('base', path.resolve(process.env.BENCH_COLD_BASE), info.dbFile));
    sides.push({
      name: 'handwritten',
      command: (port) => ({ args: [script.file, 'serve', info.dbFile, String(port)], env: script.env }),
    });
    const cached = handwrittenCaches(script.file);
    const cachedSide: Side = {
      name: 'handwritten-cached',
      command: (port) => ({
        args: ['--require', cached.preload, script.file, 'serve', info.dbFile, String(port)],
        env: { ...script.env, NODE_COMPILE_CACHE: cached.folder },
      }),
    };
    await coldStart(cachedSide, info.twinIds[0]);
    sides.push(cachedSide);
    console.log(
      `cold start to the first answer (twin by id) on an existing store of ${info.twins} twins; ${rounds} rounds of ${sides
        .map((s) => s.name)
        .join(', ')} (order rotating); load average ${loadavg()}`,
    );
    const results = new Map<string, ColdStart[]>(sides.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      const order = sides.map((_, i) => sides[(i + round) % sides.length]);
      const line: string[] = [];
      for (const side of order) {
        const r = await coldStart(side, info.twinIds[0]);
        results.get(side.name)!.push(r);
        line.push(`${side.name} ${r.firstAnswerMs.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)})`);
      }
      console.log(`  round ${round + 1}: ${line.join(', ')}   (load average ${loadavg()})`);
    }
    const medians = new Map<string, { ms: number; cpu: number; rss: number }>();
    for (const [name, runs] of results) {
      const ms = runs.map((r) => r.firstAnswerMs).sort((a, b) => a - b);
      const cpu = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
      const rss = runs.map((r) => r.rssMb).sort((a, b) => a - b);
      medians.set(name, { ms: quantile(ms, 0.5), cpu: quantile(cpu, 0.5), rss: quantile(rss, 0.5) });
      console.log(
        `${name.padEnd(12)} first answer median ${quantile(ms, 0.5).toFixed(0)} ms (quartiles ${quantile(ms, 0.25).toFixed(0)}–${quantile(ms, 0.75).toFixed(0)}), CPU by then median ${quantile(cpu, 0.5).toFixed(0)} ms (quartiles ${quantile(cpu, 0.25).toFixed(0)}–${quantile(cpu, 0.75).toFixed(0)}), RSS median ${quantile(rss, 0.5).toFixed(0)} MB`,
      );
    }
    for (const against of ['handwritten', 'handwritten-cached']) {
      const hand = medians.get(against)!;
      for (const [name, m] of medians)
        if (!name.startsWith('handwritten'))
          console.log(
            `${name} ÷ ${against} (medians): first answer ${(m.ms / hand.ms).toFixed(2)}×, CPU ${(m.cpu / hand.cpu).toFixed(2)}×, RSS ${(m.rss / hand.rss).toFixed(2)}×`,
          );
    }
    console.log(`load average ${loadavg()}`);
  } finally {
    script.dispose();
    await host.close();
  }
}
