/**
 * `npm run bench:events` (or `npx tsx bench/events.ts`): the change feed under the product's goal: 1,000
 * subscribers, each consuming in its own `for await` loop, and 500 changes per second (one patch of a
 * random twin per commit, through a SQLite store in a temp file) for 10 s. Prints delivery latency (commit
 * → the consumer's loop body) p50/p99/max, delivered vs expected (exact: every subscriber gets every change
 * once, in order) and the store's change-log reads.
 *
 * EVENTS_SUBSCRIBERS, EVENTS_RATE, EVENTS_SECONDS override the sizes. test/events/bench-smoke.test.ts runs
 * the same function at a tiny size, so that the benchmark cannot rot unnoticed. Then it measures the same
 * subscribers through GraphQL, with shared executions and without (./events-graphql.ts); EVENTS_PHASES
 * (`feed,graphql`) picks the parts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ChangeFeed } from '../src/events';
import type { TwinStore } from '../src/store/port';
import { openSqliteStore } from '../src/store/sqlite/store';
import type { ModelInput } from '../src/store/types';
import { mulberry32 } from '../src/demo/random';
import { optionsFromEnv, percentile, runCompiled, runSubscriptionsBench } from './events-graphql';

export interface EventsBenchOptions {
  readonly subscribers: number;
  /** Commits per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly twins: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface EventsBenchResult {
  readonly writes: number;
  readonly expected: number;
  readonly delivered: number;
  /** Entries that did not follow the previous one's seq (a loss, a duplicate or a reordering). */
  readonly outOfOrder: number;
  readonly latencyMs: { p50: number; p99: number; max: number };
  readonly achievedRate: number;
  /** readChanges calls during the run (all of them the feed's own when every subscriber keeps up). */
  readonly storeReads: number;
  readonly peakRssMb: number;
}

/** The meter model the store-level benches write (bench:mirror too). */
export const MODEL = 'dtmi:bench:Meter;1';
/** Latency histogram: 10 µs buckets up to 10 s. */
const BUCKET_MS = 0.01;
const BUCKETS = 1_000_000;

export const model: ModelInput = {
  id: MODEL,
  ancestors: [],
  dependencies: [],
  definition: {
    '@context': 'dtmi:dtdl:context;3',
    '@id': MODEL,
    '@type': 'Interface',
    contents: [
      { '@type': 'Property', name: 'reading', schema: 'double' },
      { '@type': 'Property', name: 'name', schema: 'string' },
    ],
  },
};

/** Counts the store's change-log reads, passing everything through. */
function countReads(store: TwinStore): { store: TwinStore; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property === 'readChanges')
        return (...args: Parameters<TwinStore['readChanges']>) => (reads++, target.readChanges(...args));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, reads: () => reads };
}

export async function runEventsBench(options: EventsBenchOptions): Promise<EventsBenchResult> {
  const log = options.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-events-'));
  const raw = openSqliteStore({ path: path.join(dir, 'events.db') });
  const { store, reads } = countReads(raw);
  const random = mulberry32(options.seed ?? 42);
  const twinIds = Array.from({ length: options.twins }, (_, i) => `meter-${i}`);
  await store.putModels([model]);
  for (let i = 0; i < twinIds.length; i += 1000) {
    await store.createTwins(
      twinIds.slice(i, i + 1000).map((id) => ({ id, twin: { $metadata: { $model: MODEL }, name: id, reading: 0 } })),
    );
  }

  const writes = Math.round(options.rate * options.seconds);
  const firstSeq = (await store.latestSeq()) + 1;
  // When each seq was committed; registered before the feed's listener, so it runs first.
  const committedAt = new Float64Array(writes);
  store.onCommit((seq) => {
    if (seq >= firstSeq && seq < firstSeq + writes) committedAt[seq - firstSeq] = performance.now();
  });

  const feed = new ChangeFeed(store);
  const histogram = new Uint32Array(BUCKETS);
  let delivered = 0;
  let outOfOrder = 0;
  let maxLatency = 0;
  const subscriptions = Array.from({ length: options.subscribers }, () => feed.subscribe());
  await Promise.all(subscriptions.map((s) => s.ready()));
  const consumers = subscriptions.map(async (subscription) => {
    let last = firstSeq - 1;
    let count = 0;
    for await (const change of subscription) {
      const latency = performance.now() - committedAt[change.seq - firstSeq];
      histogram[Math.min(BUCKETS - 1, Math.floor(latency / BUCKET_MS))]++;
      if (latency > maxLatency) maxLatency = latency;
      if (change.seq !== last + 1) outOfOrder++;
      last = change.seq;
      delivered++;
      if (++count === writes) break;
    }
  });

  log(
    `${options.subscribers} subscribers, ${options.rate} commits/s for ${options.seconds} s (${writes} patches of ${options.twins} twins), SQLite file in ${dir}`,
  );
  const readsBefore = reads();
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  let peakRss = process.memoryUsage().rss;
  const started = performance.now();
  for (let written = 0; written < writes;) {
    const due = Math.min(writes, Math.floor(((performance.now() - started) / 1000) * options.rate));
    for (; written < due; written++) {
      const id = twinIds[Math.floor(random() * twinIds.length)];
      await store.patchTwin(id, [{ op: 'replace', path: '/reading', value: Math.round(random() * 1e6) / 100 }]);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(consumers);
  clearInterval(rssSampler);
  const storeReads = reads() - readsBefore;

  await feed.close();
  await raw.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const expected = writes * options.subscribers;
  const result: EventsBenchResult = {
    writes,
    expected,
    delivered,
    outOfOrder,
    latencyMs: {
      p50: percentile(histogram, delivered, 0.5),
      p99: percentile(histogram, delivered, 0.99),
      max: maxLatency,
    },
    achievedRate: writes / elapsed,
    storeReads,
    peakRssMb: peakRss / 1024 / 1024,
  };
  log(`commits: ${writes} in ${elapsed.toFixed(2)} s (${result.achievedRate.toFixed(0)}/s)`);
  log(
    `delivered: ${delivered} of ${expected} expected (${expected - delivered} missing), ${outOfOrder} out of order or duplicated`,
  );
  log(
    `delivery latency, commit → consumer: p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, max ${maxLatency.toFixed(2)} ms (goal: p99 < 50 ms)`,
  );
  log(
    `store readChanges calls: ${storeReads} (${(storeReads / writes).toFixed(2)} per commit, for ${options.subscribers} subscribers)`,
  );
  log(`peak RSS: ${result.peakRssMb.toFixed(0)} MB`);
  return result;
}

/** The machine's load, printed before and after: the figures vary with what else runs on it. */
function loadAverage(): string {
  return `load average: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`;
}

if (require.main === module) {
  const cpus = os.cpus();
  console.log(`machine: node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores`);
  console.log(loadAverage());
  const phases = (process.env.EVENTS_PHASES ?? 'feed,graphql').split(',');
  (async () => {
    if (phases.includes('feed')) {
      const result = await runEventsBench({
        subscribers: Number(process.env.EVENTS_SUBSCRIBERS ?? 1000),
        rate: Number(process.env.EVENTS_RATE ?? 500),
        seconds: Number(process.env.EVENTS_SECONDS ?? 10),
        twins: 10_000,
        log: (line) => console.log(line),
      });
      if (result.delivered !== result.expected || result.outOfOrder !== 0) process.exitCode = 1;
    }
    if (phases.includes('graphql')) {
      const log = (line: string): void => console.log(line);
      if (process.env.EVENTS_GQL_TSX) {
        const result = await runSubscriptionsBench(optionsFromEnv(log));
        if (result.phases.some((p) => p.outOfOrder !== 0)) process.exitCode = 1;
      } else if (runCompiled(log) !== 0) process.exitCode = 1;
    }
    console.log(loadAverage());
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
