/**
 * `npm run bench:analytics` (builds dist/, then `node bench/run.mjs analytics`): how good and how fast the
 * predictions are on the seeded demo (as of 2026-11-25T00:00Z, the tests' demo), judged against what the
 * generator planted and against naive baselines:
 *
 * - profit: the model's cross-validated MAE next to predicting the mean profit, and its interval's coverage;
 * - KPI anomalies: precision and recall against the engagements planted to burn money fast;
 * - failure risk: how well the 7-day probability ranks the devices whose wear reaches the limit within 7 days
 *   (ROC AUC), the mean probability of those and of the others, and how often the 95 % time-to-failure
 *   interval holds the planted limit time;
 * - forecasts: for a sample of every numeric telemetry, 24 steps forecast from the points before the last day,
 *   against the actual last day: MAE next to the seasonal naive forecast ("same time yesterday"), and coverage;
 * - the time each takes.
 *
 * The harness is TypeScript run through tsx; the measured code is the tsc-compiled dist/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Catalogue from '../src/demo/catalogue';
import type * as Load from '../src/demo/load';
import type * as Models from '../src/services/models';
import type * as Analytics from '../src/analytics/service';
import type * as Sqlite from '../src/store/sqlite/store';
import type * as Files from '../src/dtdl/files';
import type { Twin } from '../src/store/types';

const ROOT = path.resolve(__dirname, '..');
const dist = <T>(module: string): T => require(path.join(ROOT, 'dist', module)) as T;
const AS_OF = Date.parse('2026-11-25T00:00:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

function auc(scores: readonly number[], labels: readonly boolean[]): number {
  // Mann–Whitney: the chance that a positive outranks a negative (ties count half).
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

const f2 = (x: number): string => x.toFixed(2);
const f3 = (x: number): string => x.toFixed(3);
const eur = (x: number): string => `${Math.round(x).toLocaleString('en-US')} EUR`;

export async function run(): Promise<void> {
  const { openSqliteStore } = dist<typeof Sqlite>('store/sqlite/store.js');
  const { ModelService } = dist<typeof Models>('services/models.js');
  const { AnalyticsService } = dist<typeof Analytics>('analytics/service.js');
  const { loadDemo } = dist<typeof Load>('demo/load.js');
  const { readCatalogue } = dist<typeof Catalogue>('demo/catalogue.js');
  const { collectDocuments } = dist<typeof Files>('dtdl/files.js');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-analytics-'));
  const store = await openSqliteStore({ path: path.join(dir, 'demo.db') });
  try {
    const models = new ModelService(store);
    await models.load();
    const summary = await loadDemo(store, models, {
      catalogue: readCatalogue(path.join(ROOT, 'seeds', 'firm.json')),
      documents: collectDocuments([path.join(ROOT, 'dtdl')]),
      asOf: AS_OF,
    });
    const { firm } = summary;
    console.log(
      `seeded demo as of ${summary.asOf}: ${summary.twins} twins, ${summary.metricPoints.toLocaleString('en-US')} telemetry points in ${(summary.ms / 1000).toFixed(1)} s`,
    );
    const analytics = new AnalyticsService(store, () => models.current, { now: () => AS_OF });

    // Profit
    let t0 = performance.now();
    const profit = await analytics.profitModel();
    const trainMs = performance.now() - t0;
    const h = profit.model.heldOut;
    console.log(
      `profit model: ${profit.model.trainingSize} closed engagements (${profit.excludedAnomalies} anomalous left out), 5-fold CV: MAE ${eur(h.mae)} vs ${eur(h.baselineMae)} predicting the mean ` +
        `(${f2(h.mae / h.baselineMae)}×, skill ${f2(1 - h.mae / h.baselineMae)}); 95 % interval coverage ${f3(h.coverage ?? NaN)}; trained in ${trainMs.toFixed(0)} ms`,
    );

    // KPI anomalies
    const engagements = new Map(
      (await store.queryTwins({ where: { ofModel: 'dtmi:twingraph:demo:Engagement;1' }, first: 1000 })).items.map(
        (t) => [t.$dtId, t],
      ),
    );
    let flagged = 0;
    let hits = 0;
    const planted = firm.truth.engagements.filter((e) => e.anomalous && e.status !== 'proposed');
    for (const e of engagements.values()) {
      const k = await analytics.engagementKpis(e);
      if (!k.anomaly) continue;
      flagged++;
      if (planted.some((p) => p.id === e.$dtId)) hits++;
    }
    console.log(
      `KPI anomalies: ${flagged} flagged, ${hits} of ${planted.length} planted (started) ones: precision ${f2(hits / flagged)}, recall ${f2(hits / planted.length)}`,
    );

    // Failure risk
    const allDevices: Twin[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await store.queryTwins({
        where: { ofModel: 'dtmi:twingraph:demo:Device;1' },
        first: 1000,
        ...(cursor && { after: cursor }),
      });
      allDevices.push(...page.items);
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor ?? undefined;
    }
    await analytics.failureRisk(allDevices[0], 168); // fits the fleet prior
    const truth = new Map(firm.truth.devices.map((d) => [d.id, d]));
    const scores: number[] = [];
    const labels: boolean[] = [];
    let intervals = 0;
    let inside = 0;
    t0 = performance.now();
    for (const device of allDevices) {
      const d = truth.get(device.$dtId)!;
      if (d.wornOutAt !== undefined) continue; // failed already: certain, nothing to predict
      const risk = await analytics.failureRisk(device, 168);
      scores.push(risk.probability);
      labels.push(d.wearLimitAt !== undefined && d.wearLimitAt > AS_OF && d.wearLimitAt <= AS_OF + 7 * DAY);
      if (d.wearLimitAt !== undefined && d.wearLimitAt > AS_OF && risk.lower !== null) {
        intervals++;
        const hoursToLimit = (d.wearLimitAt - Date.parse(risk.asOf)) / HOUR;
        if (hoursToLimit >= risk.lower && (risk.upper === null || hoursToLimit <= risk.upper)) inside++;
      }
    }
    const riskMs = (performance.now() - t0) / scores.length;
    const positives = labels.filter(Boolean).length;
    const mean = (want: boolean) =>
      scores.filter((_, i) => labels[i] === want).reduce((a, b) => a + b, 0) / labels.filter((l) => l === want).length;
    console.log(
      `failure risk (7 days) on ${scores.length} running devices, ${positives} of them planted to reach the limit within 7 days: ROC AUC ${f3(auc(scores, labels))}; ` +
        `mean probability ${f2(mean(true))} for those, ${f3(mean(false))} for the others; 95 % time-to-failure interval holds the planted limit time for ${inside} of ${intervals} wearing devices (${f2(inside / intervals)}); ${riskMs.toFixed(2)} ms per device`,
    );

    // Forecasts
    const cut = new Date(AS_OF - DAY).toISOString();
    const sample = [
      ...['temperature', 'vibration', 'utilisation'].flatMap((name) =>
        firm.devices.filter((_, i) => i % 15 === 0).map((d) => ({ twinId: d.id, name })),
      ),
      ...['hoursBooked', 'spendToDate'].flatMap((name) =>
        firm.engagements
          .filter((e, i) => i % 4 === 0 && firm.truth.engagements[i].status !== 'closed' && e.start < AS_OF - 20 * DAY)
          .map((e) => ({ twinId: e.id, name })),
      ),
    ];
    const byName = new Map<
      string,
      { n: number; err: number; naive: number; covered: number; ms: number; series: number }
    >();
    for (const key of sample) {
      t0 = performance.now();
      const f = await analytics.forecast(key, 24, 0.95, cut);
      const ms = performance.now() - t0;
      const actual = await store.readMetrics({ ...key, from: cut, limit: 24 });
      const before = await store.readMetrics({ ...key, to: cut, limit: 24, descending: true });
      const yesterday = before.reverse();
      const s = byName.get(key.name) ?? { n: 0, err: 0, naive: 0, covered: 0, ms: 0, series: 0 };
      s.series++;
      s.ms += ms;
      f.points.forEach((p, i) => {
        const y = actual[i];
        if (!y || y.time !== p.time || typeof y.value !== 'number') return;
        s.n++;
        s.err += Math.abs(y.value - p.value);
        s.naive += Math.abs(y.value - (yesterday[i].value as number));
        if (y.value >= p.lower && y.value <= p.upper) s.covered++;
      });
      byName.set(key.name, s);
    }
    for (const [name, s] of byName) {
      console.log(
        `forecast ${name.padEnd(12)} ${String(s.series).padStart(3)} series × 24 h: MAE ${s.err / s.n < 10 ? f3(s.err / s.n) : f2(s.err / s.n)} vs ${s.naive / s.n < 10 ? f3(s.naive / s.n) : f2(s.naive / s.n)} same-time-yesterday ` +
          `(${f2(s.err / s.naive)}×); 95 % interval coverage ${f3(s.covered / s.n)}; ${(s.ms / s.series).toFixed(0)} ms per forecast (with its backtest)`,
      );
    }
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
