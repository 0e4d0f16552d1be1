/**
 * The store benchmark's workload, for any TwinStore: `bench/store.mjs` runs it at full size against the
 * compiled adapters in dist/ (SQLite, and Neo4j beside it), and test/store/bench-smoke.test.ts runs it at a
 * tiny size so that it cannot rot unnoticed.
 *
 * Only types come from src/: at run time the workload touches nothing but the store it is given, so the
 * figures measure the adapter that was opened (from dist/ in the benchmark), not a second copy of it.
 *
 * Deterministic: ids, properties, relationship ends, metric values and every random read come from one
 * seeded PRNG (mulberry32).
 */
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../src/demo/random';
import type { Filter, ModelInput, RelationshipWrite, StoreCounts, TwinStore, TwinWrite } from '../src/store';

export interface WorkloadSizes {
  /** Twins created, in batches of `twinBatch` (createTwins). */
  readonly twins: number;
  readonly twinBatch: number;
  /** Relationships between random twins, in batches of `relationshipBatch` (putRelationships). */
  readonly relationships: number;
  readonly relationshipBatch: number;
  /** getTwin of random ids. */
  readonly pointReads: number;
  /** listRelationships, and separately neighbors, of random twins. */
  readonly oneHopReads: number;
  /** traverse from a random twin, 3 hops out. */
  readonly traversals: number;
  /** Filtered, sorted, paged queries on an indexed property. */
  readonly queries: number;
  /** Metric series (one per twin, the first `series` twins) × points per series, appended with logPoints: false. */
  readonly series: number;
  readonly pointsPerSeries: number;
  readonly metricBatch: number;
  /** Points appended with logPoints: true (a second telemetry name on the same series twins). */
  readonly loggedPoints: number;
  /** Series in the multi-series aggregate. */
  readonly aggregateSeries: number;
  /** Untimed calls before each timed read phase. */
  readonly warmup: number;
  /**
   * Single writes (patchTwin of a random twin, one at a time, then `writeConcurrency` in flight): what an API
   * write costs. At most one per twin the workload made.
   */
  readonly singleWrites?: number;
  readonly writeConcurrency?: number;
  /** Subscribers on the change feed while `subscriptionWrites` single writes commit (at most one per twin). */
  readonly subscribers?: number;
  readonly subscriptionWrites?: number;
}

export const FULL_SIZES: WorkloadSizes = {
  twins: 100_000,
  twinBatch: 2_000,
  relationships: 200_000,
  relationshipBatch: 2_000,
  pointReads: 10_000,
  oneHopReads: 10_000,
  traversals: 1_000,
  queries: 1_000,
  series: 1_000,
  pointsPerSeries: 1_000,
  metricBatch: 10_000,
  loggedPoints: 100_000,
  aggregateSeries: 100,
  warmup: 1_000,
  singleWrites: 1_000,
  writeConcurrency: 16,
  subscribers: 100,
  subscriptionWrites: 500,
};

/** One measured figure: `rate` figures are operations per second, `ms` figures are milliseconds. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: '/s' | 'ms';
  /** Milliseconds per operation, for rates. */
  readonly each?: number;
  /** Where the brief sets one: at least this many per second. */
  readonly goal?: number;
}

export interface WorkloadResult {
  readonly label: string;
  readonly sizes: WorkloadSizes;
  readonly figures: Figure[];
  /** What the store reports at the end, and what the workload wrote. */
  readonly counts: StoreCounts;
  readonly expected: { models: number; twins: number; relationships: number; metricPoints: number };
  /** Items the read phases returned (a sanity check that they read something). */
  readonly returned: {
    pointReads: number;
    relationships: number;
    neighbors: number;
    traversed: number;
    queried: number;
    buckets: number;
    metricPoints: number;
  };
}

/**
 * The change feed the server puts over a store (src/events' ChangeFeed), as far as the workload uses it:
 * subscribers iterate what it delivers. Passed in by the runner, so that the workload still imports only types.
 */
export interface FeedLike {
  subscribe(options?: { since?: number }): AsyncIterator<{ seq: number }> & { return(): Promise<unknown> };
  close(): Promise<void>;
}

export interface WorkloadOptions {
  readonly sizes?: Partial<WorkloadSizes>;
  /** A change feed over the store: with it, the workload measures commit-to-delivery for subscribers. */
  readonly feed?: (store: TwinStore) => FeedLike;
  readonly seed?: number;
  /** Each figure as one table line, as it is measured (default: none). */
  readonly log?: (line: string) => void;
}

export const BASE_MODEL = 'dtmi:bench:Asset;1';
export const SUB_MODELS = ['dtmi:bench:Sensor;1', 'dtmi:bench:Room;1', 'dtmi:bench:Pump;1'] as const;
const RELATIONSHIP_NAMES = ['feeds', 'isLocatedIn'] as const;
const METRIC_START = Date.parse('2024-01-01T00:00:00Z');
const METRIC_STEP_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A base interface with name, temperature and an Object-valued location, and three interfaces extending it. */
export function benchModels(): ModelInput[] {
  const base: ModelInput = {
    id: BASE_MODEL,
    ancestors: [],
    dependencies: [],
    displayName: { en: 'Asset' },
    definition: {
      '@context': 'dtmi:dtdl:context;3',
      '@id': BASE_MODEL,
      '@type': 'Interface',
      displayName: 'Asset',
      contents: [
        { '@type': 'Property', name: 'name', schema: 'string' },
        { '@type': 'Property', name: 'temperature', schema: 'double' },
        {
          '@type': 'Property',
          name: 'location',
          schema: {
            '@type': 'Object',
            fields: [
              { name: 'building', schema: 'string' },
              { name: 'floor', schema: 'integer' },
            ],
          },
        },
        { '@type': 'Relationship', name: 'feeds', target: BASE_MODEL },
        { '@type': 'Relationship', name: 'isLocatedIn', target: BASE_MODEL },
        { '@type': 'Telemetry', name: 'reading', schema: 'double' },
        { '@type': 'Telemetry', name: 'humidity', schema: 'double' },
      ],
    },
  };
  const subs = SUB_MODELS.map((id): ModelInput => ({
    id,
    ancestors: [BASE_MODEL],
    dependencies: [BASE_MODEL],
    definition: {
      '@context': 'dtmi:dtdl:context;3',
      '@id': id,
      '@type': 'Interface',
      extends: BASE_MODEL,
      contents: [{ '@type': 'Property', name: 'serial', schema: 'string' }],
    },
  }));
  return [base, ...subs];
}

export const twinId = (i: number): string => `twin-${i}`;

function formatNumber(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** One table line: `label  figure  value unit  (ms each)  goal`. */
export function formatFigure(label: string, f: Figure): string {
  const value = `${formatNumber(f.value)} ${f.unit}`.padStart(14);
  const each = f.each !== undefined ? `${f.each.toFixed(3)} ms each`.padStart(17) : ''.padStart(17);
  const goal =
    f.goal !== undefined
      ? `  goal ≥ ${f.goal.toLocaleString('en-US')} /s  ${f.value >= f.goal ? 'met' : 'MISSED'}`
      : '';
  return `${label.padEnd(7)} ${f.name.padEnd(60)} ${value} ${each}${goal}`;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

export async function runWorkload(
  store: TwinStore,
  label: string,
  options: WorkloadOptions = {},
): Promise<WorkloadResult> {
  const sizes: WorkloadSizes = { ...FULL_SIZES, ...options.sizes };
  const random = mulberry32(options.seed ?? 20240601);
  const pick = (n: number): number => Math.floor(random() * n);
  const figures: Figure[] = [];
  const returned = {
    pointReads: 0,
    relationships: 0,
    neighbors: 0,
    traversed: 0,
    queried: 0,
    buckets: 0,
    metricPoints: 0,
  };
  const report = (f: Figure): void => {
    figures.push(f);
    options.log?.(formatFigure(label, f));
  };
  /** Times `count` operations (one call each, awaited in turn) and reports the rate. */
  const rate = async (
    name: string,
    count: number,
    op: (i: number) => Promise<unknown>,
    goal?: number,
  ): Promise<void> => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await op(i);
    const ms = performance.now() - t0;
    report({ name, value: (count / ms) * 1000, unit: '/s', each: ms / count, ...(goal !== undefined && { goal }) });
  };
  const warm = async (op: (i: number) => Promise<unknown>): Promise<void> => {
    for (let i = 0; i < sizes.warmup; i++) await op(i);
  };
  const batches = async <T>(
    name: string,
    items: number,
    batch: number,
    make: (i: number) => T,
    write: (chunk: T[]) => Promise<unknown>,
    goal?: number,
  ): Promise<void> => {
    let busy = 0;
    for (let start = 0; start < items; start += batch) {
      const chunk: T[] = [];
      for (let i = start; i < Math.min(items, start + batch); i++) chunk.push(make(i));
      const t0 = performance.now();
      await write(chunk);
      busy += performance.now() - t0;
    }
    report({ name, value: (items / busy) * 1000, unit: '/s', ...(goal !== undefined && { goal }) });
  };

  // 1. Models, then twins in batches (building the inputs is left out of the time; the store's own work is in).
  await store.putModels(benchModels());
  const modelOf = (i: number): string => SUB_MODELS[i % SUB_MODELS.length];
  await batches<TwinWrite>(
    `twin inserts, createTwins × ${sizes.twinBatch.toLocaleString('en-US')}`,
    sizes.twins,
    sizes.twinBatch,
    (i) => ({
      id: twinId(i),
      twin: {
        $metadata: { $model: modelOf(i) },
        name: `Asset ${i}`,
        temperature: Math.round(random() * 1000) / 10,
        location: { building: `B${pick(50)}`, floor: pick(20) },
        serial: `SN-${(i * 7919) % 1_000_003}`,
      },
    }),
    (chunk) => store.createTwins(chunk),
    50_000,
  );

  // 2. Relationships between random twins.
  await batches<RelationshipWrite>(
    `relationship inserts, putRelationships × ${sizes.relationshipBatch.toLocaleString('en-US')}`,
    sizes.relationships,
    sizes.relationshipBatch,
    (i) => {
      const source = pick(sizes.twins);
      // Any other twin (ADT allows no relationship from a twin to itself).
      const target = (source + 1 + pick(sizes.twins - 1)) % sizes.twins;
      return {
        sourceId: twinId(source),
        relationshipId: `rel-${i}`,
        relationship: {
          $targetId: twinId(target),
          $relationshipName: RELATIONSHIP_NAMES[i % RELATIONSHIP_NAMES.length],
          weight: i % 10,
        },
      };
    },
    (chunk) => store.putRelationships(chunk),
  );

  // 3. Point reads.
  const randomTwin = (): string => twinId(pick(sizes.twins));
  const readTwin = async (): Promise<void> => {
    const twin = await store.getTwin(randomTwin());
    if (twin.$dtId) returned.pointReads++;
  };
  await warm(readTwin);
  returned.pointReads = 0;
  await rate('point reads, getTwin', sizes.pointReads, readTwin, 50_000);

  // 4. One-hop reads: a twin's outgoing relationships; its neighbours (twins joined, as a GraphQL field reads them).
  const listOut = async (): Promise<void> => {
    returned.relationships += (await store.listRelationships(randomTwin())).length;
  };
  await warm(listOut);
  returned.relationships = 0;
  await rate('one-hop reads, listRelationships', sizes.oneHopReads, listOut);
  const neighborsOut = async (): Promise<void> => {
    const [list] = await store.neighbors({ ids: [randomTwin()], hop: { direction: 'out' }, first: 50 });
    returned.neighbors += list.length;
  };
  await warm(neighborsOut);
  returned.neighbors = 0;
  await rate('one-hop reads, neighbors (first 50)', sizes.oneHopReads, neighborsOut);

  // 5. Three hops out from one twin, first page of 50.
  const threeHops = async (): Promise<void> => {
    const page = await store.traverse({
      from: { path: ['$dtId'], op: 'eq', value: randomTwin() },
      hops: [{ direction: 'out' }, { direction: 'out' }, { direction: 'out' }],
      first: 50,
    });
    returned.traversed += page.items.length;
  };
  await warm(async (i) => (i < Math.min(sizes.warmup, 100) ? threeHops() : undefined));
  returned.traversed = 0;
  await rate('3-hop traversals, traverse (first 50)', sizes.traversals, threeHops);

  // 6. Filtered, sorted, paged query on an indexed property.
  let t0 = performance.now();
  await store.ensurePropertyIndexes([['temperature']]);
  report({ name: 'ensurePropertyIndexes([temperature]) on the twins', value: performance.now() - t0, unit: 'ms' });
  const rangeQuery = async (): Promise<void> => {
    const low = pick(980) / 10;
    const where: Filter = {
      and: [
        { ofModel: SUB_MODELS[pick(SUB_MODELS.length)] },
        { path: ['temperature'], op: 'gte', value: low },
        { path: ['temperature'], op: 'lt', value: low + 2 },
      ],
    };
    const page = await store.queryTwins({ where, orderBy: [{ path: ['temperature'], direction: 'asc' }], first: 50 });
    returned.queried += page.items.length;
  };
  await warm(async (i) => (i < Math.min(sizes.warmup, 100) ? rangeQuery() : undefined));
  returned.queried = 0;
  await rate('queries: ofModel + temperature range, sort, first 50', sizes.queries, rangeQuery);

  // 7. Metrics: live-ingest shape, each batch a few timestamps of every series (one change entry per twin).
  const seriesTwins = Math.min(sizes.series, sizes.twins);
  const appendPoints = async (
    name: string,
    totalPoints: number,
    logPoints: boolean,
    startStep: number,
  ): Promise<void> => {
    await batches(
      `metric points, appendMetrics × ${sizes.metricBatch.toLocaleString('en-US')}, logPoints ${logPoints}`,
      totalPoints,
      sizes.metricBatch,
      (i) => ({
        twinId: twinId(i % seriesTwins),
        name,
        time: new Date(METRIC_START + (startStep + Math.floor(i / seriesTwins)) * METRIC_STEP_MS).toISOString(),
        value: Math.round((20 + random() * 10) * 100) / 100,
      }),
      (chunk) => store.appendMetrics(chunk, { logPoints }),
    );
  };
  const metricPoints = seriesTwins * sizes.pointsPerSeries;
  await appendPoints('reading', metricPoints, false, 0);
  await appendPoints('humidity', sizes.loggedPoints, true, 0);

  const from = new Date(METRIC_START).toISOString();
  const to = new Date(METRIC_START + sizes.pointsPerSeries * METRIC_STEP_MS).toISOString();
  /** Times `runs` calls after one untimed call; reports the median; returns what the last call counted. */
  const repeatMs = async (name: string, runs: number, op: () => Promise<number>): Promise<number> => {
    let n = await op();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      n = await op();
      times.push(performance.now() - start);
    }
    report({ name: `${name} (median of ${runs})`, value: median(times), unit: 'ms' });
    return n;
  };
  const hours = Math.ceil((sizes.pointsPerSeries * METRIC_STEP_MS) / HOUR_MS);
  returned.buckets += await repeatMs(
    `aggregateMetrics, 1 series × ${sizes.pointsPerSeries} points, ${hours} hourly windows`,
    20,
    async () => {
      const [buckets] = await store.aggregateMetrics({
        series: [{ twinId: twinId(pick(seriesTwins)), name: 'reading' }],
        from,
        to,
        windowMs: HOUR_MS,
      });
      return buckets.length;
    },
  );
  const many = Math.min(sizes.aggregateSeries, seriesTwins);
  returned.buckets += await repeatMs(`aggregateMetrics, ${many} series, hourly windows`, 5, async () => {
    const first = pick(seriesTwins - many + 1);
    const series = Array.from({ length: many }, (_, k) => ({ twinId: twinId(first + k), name: 'reading' }));
    const result = await store.aggregateMetrics({ series, from, to, windowMs: HOUR_MS });
    return result.reduce((n, b) => n + b.length, 0);
  });
  returned.metricPoints = await repeatMs(
    `readMetrics, ${sizes.pointsPerSeries}-point range of 1 series`,
    20,
    async () => {
      const points = await store.readMetrics({
        twinId: twinId(pick(seriesTwins)),
        name: 'reading',
        from,
        to,
        limit: sizes.pointsPerSeries,
      });
      return points.length;
    },
  );

  // 8. Single writes, as the API makes them: one JSON Patch per transaction, awaited in turn, then several in
  // flight (what concurrent clients cause; SQLite commits those asked for together in one transaction).
  const singleWrites = Math.min(sizes.singleWrites ?? 0, sizes.twins);
  let version = 0;
  const patchOne = (): Promise<unknown> =>
    store.patchTwin(randomTwin(), [{ op: 'replace', path: '/temperature', value: (version++ % 1000) / 10 }]);
  if (singleWrites > 0) {
    const latencies: number[] = [];
    await rate('single writes, patchTwin one at a time', singleWrites, async () => {
      const start = performance.now();
      await patchOne();
      latencies.push(performance.now() - start);
    });
    report({ name: 'single writes, patchTwin: p99 latency', value: percentile(latencies, 0.99), unit: 'ms' });
    const inFlight = Math.max(1, sizes.writeConcurrency ?? 1);
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < singleWrites) await patchOne();
      }),
    );
    const ms = performance.now() - start;
    report({ name: `single writes, patchTwin, ${inFlight} in flight`, value: (singleWrites / ms) * 1000, unit: '/s' });
  }

  // 9. Subscriptions: subscribers of every change on the feed while single writes commit; from each commit (the
  // store's commit listener) to its delivery to every subscriber.
  const subscriptionWrites = Math.min(sizes.subscriptionWrites ?? 0, sizes.twins);
  if (options.feed && subscriptionWrites > 0 && (sizes.subscribers ?? 0) > 0) {
    const feed = options.feed(store);
    const committedAt = new Map<number, number>();
    const stopListening = store.onCommit((seq) => committedAt.set(seq, performance.now()));
    const since = await store.latestSeq();
    const last = since + subscriptionWrites;
    const latencies: number[] = [];
    let delivered = 0;
    const subscriptions = Array.from({ length: sizes.subscribers! }, () => feed.subscribe({ since }));
    const readers = subscriptions.map(async (subscription) => {
      for (;;) {
        const next = await subscription.next();
        if (next.done) return;
        delivered++;
        latencies.push(performance.now() - (committedAt.get(next.value.seq) ?? performance.now()));
        if (next.value.seq >= last) return;
      }
    });
    const start = performance.now();
    for (let i = 0; i < subscriptionWrites; i++) await patchOne();
    await Promise.all(readers);
    const ms = performance.now() - start;
    stopListening();
    await Promise.all(subscriptions.map((s) => s.return()));
    await feed.close();
    const name = `subscriptions: ${sizes.subscribers} subscribers, ${subscriptionWrites} single writes`;
    report({ name: `${name}, commit to delivery p50`, value: median(latencies), unit: 'ms' });
    report({ name: `${name}, commit to delivery p99`, value: percentile(latencies, 0.99), unit: 'ms' });
    report({ name: `${name}, deliveries`, value: (delivered / ms) * 1000, unit: '/s' });
  }

  t0 = performance.now();
  const counts = await store.counts();
  report({ name: 'counts()', value: performance.now() - t0, unit: 'ms' });
  return {
    label,
    sizes,
    figures,
    counts,
    expected: {
      models: 1 + SUB_MODELS.length,
      twins: sizes.twins,
      relationships: sizes.relationships,
      metricPoints: metricPoints + sizes.loggedPoints,
    },
    returned,
  };
}
