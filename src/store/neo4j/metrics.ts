/**
 * Metrics in Neo4j: the append primitive the telemetry rule (../writes.ts) runs on, and the reads (ranges,
 * windows, latest points). A point is a `MetricPoint` node keyed by (twin, name, ts) through the
 * metric_point index; numbers are in `value`, other JSON values as text in `json`.
 */
import { isoTime } from '../changes';
import type { AsyncPrimitives } from '../effects';
import type { MetricAggregation, MetricRange } from '../port';
import { checkAggregation, checkMetricRange, metricWindows } from '../reads';
import type { MetricBucket, MetricPoint, MetricSeriesKey } from '../types';
import { parseJson, records, type Neo4jDb } from './db';
import type { CypherRecord, CypherRunner } from './driver';
import { requireTwinExists } from './twins';

const DEFAULT_METRIC_LIMIT = 10_000;
const MAX_METRIC_LIMIT = 100_000;

export function metricPrimitives(tx: CypherRunner): Pick<AsyncPrimitives, 'appendPoints'> {
  return {
    appendPoints: async (points) => {
      await records(
        tx,
        'UNWIND $points AS p MERGE (m:MetricPoint {twin: p.twin, name: p.name, ts: p.ts}) SET m.value = p.value, m.json = p.json',
        {
          points: points.map((p) => ({ twin: p.twinId, name: p.name, ts: p.ts, value: p.value, json: p.json })),
        },
      );
    },
  };
}

function point(key: MetricSeriesKey, r: CypherRecord): MetricPoint {
  const json = r.get('json');
  return {
    twinId: key.twinId,
    name: key.name,
    time: isoTime(Number(r.get('ts'))),
    value: json != null ? parseJson(json) : (r.get('value') as number),
  };
}

export async function readMetrics(db: Neo4jDb, range: MetricRange): Promise<MetricPoint[]> {
  const { from, to } = checkMetricRange(range);
  const limit = Math.min(range.limit ?? DEFAULT_METRIC_LIMIT, MAX_METRIC_LIMIT);
  return db.read(async (tx) => {
    await requireTwinExists(tx, range.twinId);
    const result = await tx.run(
      `MATCH (p:MetricPoint {twin: $twin, name: $name}) WHERE p.ts >= $from AND p.ts < $to RETURN p.ts AS ts, p.value AS value, p.json AS json ORDER BY ts ${range.descending ? 'DESC' : 'ASC'} LIMIT $limit`,
      { twin: range.twinId, name: range.name, from, to, limit: db.int(limit) },
    );
    return result.records.map((r) => point(range, r));
  });
}

export async function aggregateMetrics(db: Neo4jDb, request: MetricAggregation): Promise<MetricBucket[][]> {
  const { from, to, windowMs } = checkAggregation(request);
  return db.read(async (tx) => {
    const out: MetricBucket[][] = [];
    for (const key of request.series) {
      const buckets = (
        await tx.run(
          'MATCH (p:MetricPoint {twin: $twin, name: $name}) WHERE p.ts >= $from AND p.ts < $to AND p.value IS NOT NULL ' +
            'WITH toInteger(floor((p.ts - $from) / $w)) AS b, p ' +
            'RETURN b, count(p) AS count, min(p.value) AS min, max(p.value) AS max, avg(p.value) AS avg, sum(p.value) AS sum, max(p.ts) AS lastTs ORDER BY b',
          { twin: key.twinId, name: key.name, from, to, w: windowMs },
        )
      ).records.map((r) =>
        Object.fromEntries(['b', 'count', 'min', 'max', 'avg', 'sum', 'lastTs'].map((k) => [k, Number(r.get(k))])),
      );
      const lastValues = new Map<number, number>();
      if (buckets.length > 0) {
        const found = (
          await tx.run(
            'UNWIND $ts AS ts MATCH (p:MetricPoint {twin: $twin, name: $name, ts: ts}) RETURN ts, p.value AS value',
            {
              twin: key.twinId,
              name: key.name,
              ts: buckets.map((b) => b.lastTs),
            },
          )
        ).records;
        for (const r of found) lastValues.set(Number(r.get('ts')), r.get('value') as number);
      }
      out.push(buckets.map((row) => metricWindows.bucket(from, windowMs, row, (ts) => lastValues.get(ts)!)));
    }
    return out;
  });
}

export async function latestMetrics(
  db: Neo4jDb,
  series: readonly MetricSeriesKey[],
): Promise<(MetricPoint | undefined)[]> {
  return db.read(async (tx) => {
    const out: (MetricPoint | undefined)[] = [];
    for (const key of series) {
      const record = (
        await tx.run(
          // `ts IS NOT NULL` (always true) lets metric_point serve the seek and the order: a composite index
          // is used only with a predicate on each of its properties, and without one Neo4j scans every point.
          'MATCH (p:MetricPoint {twin: $twin, name: $name}) WHERE p.ts IS NOT NULL RETURN p.ts AS ts, p.value AS value, p.json AS json ORDER BY ts DESC LIMIT 1',
          {
            twin: key.twinId,
            name: key.name,
          },
        )
      ).records[0];
      out.push(record ? point(key, record) : undefined);
    }
    return out;
  });
}
