/**
 * The store benchmark's workload (bench/store-workload.ts, run at full size by `npm run bench:store`) at a
 * tiny size, so that the benchmark cannot rot unnoticed. Not a speed test: it checks only that every phase
 * runs and that what was written and read adds up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWorkload, type WorkloadSizes } from '../../bench/store-workload';
import { openSqliteStore } from '../../src/store';

const sizes: WorkloadSizes = {
  twins: 60,
  twinBatch: 25,
  relationships: 150,
  relationshipBatch: 40,
  pointReads: 20,
  oneHopReads: 20,
  traversals: 5,
  queries: 50,
  series: 6,
  pointsPerSeries: 90,
  metricBatch: 100,
  loggedPoints: 30,
  aggregateSeries: 3,
  warmup: 2,
};

test('the store benchmark workload runs end to end on SQLite and its counts add up', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-smoke-'));
  const store = openSqliteStore({ path: path.join(dir, 'bench.db') });
  const lines: string[] = [];
  try {
    const result = await runWorkload(store, 'sqlite', { sizes, log: (line) => lines.push(line) });

    expect(result.counts).toMatchObject(result.expected);
    expect(result.expected).toEqual({ models: 4, twins: 60, relationships: 150, metricPoints: 6 * 90 + 30 });
    // Models, twins, relationships, and one telemetry entry per twin per metric batch.
    expect(result.counts.changes).toBeGreaterThanOrEqual(4 + 60 + 150);

    expect(result.returned.pointReads).toBe(sizes.pointReads);
    expect(result.returned.relationships).toBeGreaterThan(0);
    expect(result.returned.neighbors).toBeGreaterThan(0);
    expect(result.returned.traversed).toBeGreaterThan(0);
    expect(result.returned.queried).toBeGreaterThan(0);
    // 90 one-minute points: two hourly windows per series.
    expect(result.returned.buckets).toBe(2 + 2 * sizes.aggregateSeries);
    expect(result.returned.metricPoints).toBe(sizes.pointsPerSeries);

    for (const figure of result.figures) {
      expect(Number.isFinite(figure.value)).toBe(true);
      expect(figure.value).toBeGreaterThanOrEqual(0);
    }
    const rates = result.figures.filter((f) => f.unit === '/s');
    expect(rates.length).toBeGreaterThanOrEqual(8);
    expect(rates.every((f) => f.value > 0)).toBe(true);
    expect(lines).toHaveLength(result.figures.length);
    expect(lines.some((line) => line.includes('goal ≥ 50,000 /s'))).toBe(true);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
