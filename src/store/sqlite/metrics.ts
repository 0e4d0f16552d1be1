/**
 * Metrics in SQLite: the append primitive the telemetry rule (../writes.ts) runs on, and the reads (ranges,
 * windows, latest points). A series (twin, name) gets an id in `metric_series` once; its points are rows of
 * `metric_points` keyed by (series, time) without a rowid, so that a range is one index scan.
 */
import { isoTime } from '../changes';
import type { Primitives } from '../effects';
import type { MetricAggregation, MetricRange } from '../port';
import { checkAggregation, checkMetricRange, metricWindows } from '../reads';
import type { MetricBucket, MetricPoint, MetricSeriesKey } from '../types';
import type { Row, SqliteDb, WriteTx } from './db';
import { requireTwinExists } from './twins';

const DEFAULT_METRIC_LIMIT = 10_000;
const MAX_METRIC_LIMIT = 100_000;
/** Metric points per INSERT statement (4 parameters each, far below SQLite's 32,766). */
const POINTS_PER_STATEMENT = 64;

function pointFromRow(twinId: string, name: string, row: Row): MetricPoint {
  return {
    twinId,
    name,
    time: isoTime(row.ts as number),
    value: row.json != null ? JSON.parse(row.json as string) : (row.value as number),
  };
}

/** The id of a series, created in this transaction if it has none (the cache takes it after the commit). */
function seriesId(db: SqliteDb, twinId: string, name: string, newSeries: Map<string, number>): number {
  const key = `${twinId}\n${name}`;
  let id = db.seriesIds.get(key) ?? newSeries.get(key);
  if (id === undefined) {
    const row = db.sql('SELECT id FROM metric_series WHERE twin = ? AND name = ?').get(twinId, name) as Row | undefined;
    id = row
      ? (row.id as number)
      : Number(db.sql('INSERT INTO metric_series (twin, name) VALUES (?, ?)').run(twinId, name).lastInsertRowid);
    newSeries.set(key, id);
  }
  return id;
}

export function metricPrimitives(db: SqliteDb, tx: WriteTx): Pick<Primitives, 'appendPoints'> {
  return {
    appendPoints: (points) => {
      // Resolve each series once per call (points of one series come many at a time), then insert in
      // (series, time) order: the primary key's order, so rows append to the B-tree instead of landing
      // all over it. The sort is stable, so of two points with one time the later still wins.
      const byTwin = new Map<string, Map<string, number>>();
      const series = new Float64Array(points.length);
      for (let i = 0; i < points.length; i++) {
        const p = points[i];
        let names = byTwin.get(p.twinId);
        if (!names) byTwin.set(p.twinId, (names = new Map()));
        let id = names.get(p.name);
        if (id === undefined) names.set(p.name, (id = seriesId(db, p.twinId, p.name, tx.newSeries)));
        series[i] = id;
      }
      const order = Array.from(points.keys()).sort((a, b) => series[a] - series[b] || points[a].ts - points[b].ts);
      // Rows go in POINTS_PER_STATEMENT at a time: one statement step per row costs about twice as much.
      const many = db.sql(
        `INSERT OR REPLACE INTO metric_points (series, ts, value, json) VALUES ${'(?, ?, ?, ?), '.repeat(POINTS_PER_STATEMENT - 1)}(?, ?, ?, ?)`,
      );
      const one = db.sql('INSERT OR REPLACE INTO metric_points (series, ts, value, json) VALUES (?, ?, ?, ?)');
      const args: unknown[] = new Array(POINTS_PER_STATEMENT * 4);
      let i = 0;
      for (; i + POINTS_PER_STATEMENT <= order.length; i += POINTS_PER_STATEMENT) {
        for (let j = 0; j < POINTS_PER_STATEMENT; j++) {
          const k = order[i + j];
          const p = points[k];
          args[j * 4] = series[k];
          args[j * 4 + 1] = p.ts;
          args[j * 4 + 2] = p.value;
          args[j * 4 + 3] = p.json;
        }
        many.run(args);
      }
      for (; i < order.length; i++) {
        const p = points[order[i]];
        one.run(series[order[i]], p.ts, p.value, p.json);
      }
      tx.rows += points.length;
    },
  };
}

function existingSeries(db: SqliteDb, key: MetricSeriesKey): number | undefined {
  const cached = db.seriesIds.get(`${key.twinId}\n${key.name}`);
  if (cached !== undefined) return cached;
  const row = db.sql('SELECT id FROM metric_series WHERE twin = ? AND name = ?').get(key.twinId, key.name) as
    Row | undefined;
  return row?.id as number | undefined;
}

export async function readMetrics(db: SqliteDb, range: MetricRange): Promise<MetricPoint[]> {
  db.check();
  const { from, to } = checkMetricRange(range);
  requireTwinExists(db, range.twinId);
  const series = existingSeries(db, range);
  if (series === undefined) return [];
  const limit = Math.min(range.limit ?? DEFAULT_METRIC_LIMIT, MAX_METRIC_LIMIT);
  const rows = db
    .sql(
      `SELECT ts, value, json FROM metric_points WHERE series = ? AND ts >= ? AND ts < ? ORDER BY ts ${range.descending ? 'DESC' : 'ASC'} LIMIT ?`,
    )
    .all(series, from, to, limit) as Row[];
  return rows.map((r) => pointFromRow(range.twinId, range.name, r));
}

export async function aggregateMetrics(db: SqliteDb, request: MetricAggregation): Promise<MetricBucket[][]> {
  db.check();
  const { from, to, windowMs } = checkAggregation(request);
  const aggregate = db.sql(
    'SELECT CAST((ts - @from) / @w AS INTEGER) AS b, count(*) AS count, min(value) AS min, max(value) AS max, avg(value) AS avg, sum(value) AS sum, max(ts) AS lastTs ' +
      'FROM metric_points WHERE series = @series AND ts >= @from AND ts < @to AND value IS NOT NULL GROUP BY b ORDER BY b',
  );
  const valueAtTime = db.sql('SELECT value FROM metric_points WHERE series = ? AND ts = ?');
  return request.series.map((key) => {
    const series = existingSeries(db, key);
    if (series === undefined) return [];
    return (aggregate.all({ series, from, to, w: windowMs }) as Row[]).map((row) =>
      metricWindows.bucket(from, windowMs, row, (ts) => (valueAtTime.get(series, ts) as Row).value as number),
    );
  });
}

export async function latestMetrics(
  db: SqliteDb,
  series: readonly MetricSeriesKey[],
): Promise<(MetricPoint | undefined)[]> {
  db.check();
  const latest = db.sql('SELECT ts, value, json FROM metric_points WHERE series = ? ORDER BY ts DESC LIMIT 1');
  return series.map((key) => {
    const id = existingSeries(db, key);
    const row = id === undefined ? undefined : (latest.get(id) as Row | undefined);
    return row ? pointFromRow(key.twinId, key.name, row) : undefined;
  });
}
