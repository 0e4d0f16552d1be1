/**
 * The analytics service: gathers what the analytics stage (src/analytics) computes from, out of the store,
 * and keeps what is costly to recompute (the portfolio of engagements and its peer groups, the profit model,
 * the fleet's failure prior) until a change makes it stale.
 *
 * It follows the change feed: a change to an engagement, a client, an employee, an offering or one of the
 * relationships between them drops the portfolio; engagements that close are counted, and once enough have
 * closed since the profit model was trained, it is retrained and its listeners are told.
 */
import { DEMO_MODELS } from '../demo-models';
import { TwingraphError } from '../errors';
import { assessFailureRisk, fitFleetPrior, observeFailures, type FleetPrior } from '../analytics/failure-risk';
import { forecastSeries } from '../analytics/forecast';
import { burnIndex, engagementKpis, peerStats, type EngagementFacts, type EngagementKpis, type PeerStats } from '../analytics/kpis';
import { trainProfitModel, type ProfitExample, type ProfitFeatures, type ProfitPrediction } from '../analytics/profit';
import type { EngagementProfit, FailureRiskResult, ProfitModelInfo } from '../analytics/results';
import type { NumericSeries, SeriesForecast } from '../analytics/types';
import type { ChangeFeed } from '../events';
import type { TwinStore } from '../store/port';
import type { Filter } from '../store/query';
import type { ChangeEntry, JsonPatch, MetricSeriesKey, Twin } from '../store/types';
import type { ModelSnapshot } from './models';

const DAY_MS = 86_400_000;
const PAGE = 1000;
/** Days of vibration the failure-risk trend is fitted on (the failure-risk default), read with a day to spare. */
const RISK_WINDOW_DAYS = 7;
/** Days of state history for a device's random-failure rate, and of the fleet's for the prior. */
const STATE_HISTORY_DAYS = 30;
/** The fleet prior is refitted at most this often: it moves slowly, and fitting it reads every device. */
const FLEET_PRIOR_TTL_MS = 10 * 60_000;
/** The newest points a forecast is made from (a month of hours; the forecaster caps history itself too). */
const FORECAST_HISTORY = 10_080;

export interface AnalyticsOptions {
  /** The clock (epoch ms) for KPIs of running engagements. */
  readonly now?: () => number;
  /** Retrain the profit model once this many engagements have closed since it was trained (default 10). */
  readonly retrainAfterClosed?: number;
}

interface PortfolioEntry extends EngagementFacts {
  readonly industry?: string;
  readonly leadRole?: string;
  readonly modelId: string;
}

interface Portfolio {
  readonly entries: ReadonlyMap<string, PortfolioEntry>;
  readonly peers: PeerStats;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function statusClosedBy(change: ChangeEntry): boolean {
  if (change.type === 'Twin.Create') return (change.body as Twin | undefined)?.status === 'closed';
  if (change.type !== 'Twin.Update') return false;
  return ((change.patch ?? []) as JsonPatch).some((op) => op.path === '/status' && (op.op === 'add' || op.op === 'replace') && op.value === 'closed');
}

export class AnalyticsService {
  private portfolio: Promise<Portfolio> | undefined;
  private profit: Promise<ProfitModelInfo> | undefined;
  private fleetPrior: { at: number; prior: Promise<FleetPrior> } | undefined;
  private closedSinceTraining = 0;
  private retraining: Promise<ProfitModelInfo> | undefined;
  private readonly retrainListeners = new Set<(info: ProfitModelInfo) => void>();
  private following: { return(): Promise<unknown> } | undefined;
  private readonly now: () => number;
  private readonly retrainAfterClosed: number;

  constructor(
    private readonly store: TwinStore,
    private readonly snapshot: () => ModelSnapshot,
    options: AnalyticsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retrainAfterClosed = options.retrainAfterClosed ?? 10;
  }

  // ── Following changes ─────────────────────────────────────────────────────────────────────────

  /** Follows the change feed from now on, dropping what goes stale. */
  follow(feed: ChangeFeed): void {
    const subscription = feed.subscribe({ filter: (c) => c.type.startsWith('Twin.') || c.type.startsWith('Relationship.') || c.type.startsWith('Model.') });
    this.following = subscription;
    void (async () => {
      try {
        for await (const change of subscription) this.observe(change);
      } catch {
        // Fell behind (SlowConsumer) or the feed failed: forget everything cached and follow again.
        this.portfolio = undefined;
        if (this.following === subscription) this.follow(feed);
      }
    })();
  }

  async close(): Promise<void> {
    const following = this.following;
    this.following = undefined;
    await following?.return();
  }

  /** Called after every retraining with the new model. */
  onRetrain(listener: (info: ProfitModelInfo) => void): () => void {
    this.retrainListeners.add(listener);
    return () => this.retrainListeners.delete(listener);
  }

  private isOf(modelId: string | undefined, of: string): boolean {
    if (!modelId) return false;
    return modelId === of || (this.snapshot().models.interfaces.get(modelId)?.ancestors.includes(of) ?? false);
  }

  private observe(change: ChangeEntry): void {
    if (change.type.startsWith('Model.')) {
      this.portfolio = undefined;
      return;
    }
    const relevant = [DEMO_MODELS.engagement, DEMO_MODELS.client, DEMO_MODELS.employee, DEMO_MODELS.offering].some((m) => this.isOf(change.modelId, m));
    if (!relevant) return;
    this.portfolio = undefined;
    if (this.isOf(change.modelId, DEMO_MODELS.engagement) && statusClosedBy(change)) {
      this.closedSinceTraining += 1;
      if (this.profit && this.closedSinceTraining >= this.retrainAfterClosed) {
        void this.retrain(`${this.closedSinceTraining} engagements closed since the last training`).catch(() => undefined);
      }
    }
  }

  // ── The portfolio of engagements ──────────────────────────────────────────────────────────────

  private async allOf(modelId: string): Promise<Twin[]> {
    const where: Filter = { ofModel: modelId };
    const out: Twin[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.queryTwins({ where, first: PAGE, ...(after && { after }) });
      out.push(...page.items);
      if (!page.pageInfo.hasNextPage) return out;
      after = page.pageInfo.endCursor ?? undefined;
    }
  }

  private async neighbor(ids: readonly string[], direction: 'out' | 'in', name: string): Promise<(Twin | undefined)[]> {
    const found: (Twin | undefined)[] = [];
    for (let i = 0; i < ids.length; i += PAGE) {
      const part = await this.store.neighbors({ ids: ids.slice(i, i + PAGE), hop: { direction, names: [name] }, first: 1 });
      found.push(...part.map((list) => list[0]?.twin));
    }
    return found;
  }

  private loadPortfolio(): Promise<Portfolio> {
    this.portfolio ??= (async () => {
      if (!this.snapshot().models.interfaces.has(DEMO_MODELS.engagement)) return { entries: new Map(), peers: peerStats([], this.now()) };
      const engagements = await this.allOf(DEMO_MODELS.engagement);
      const ids = engagements.map((e) => e.$dtId);
      const [offerings, leads, clients] = await Promise.all([this.neighbor(ids, 'out', 'uses'), this.neighbor(ids, 'out', 'ledBy'), this.neighbor(ids, 'in', 'hasEngagement')]);
      const entries = new Map<string, PortfolioEntry>();
      engagements.forEach((e, i) => {
        const entry: PortfolioEntry = {
          id: e.$dtId,
          modelId: e.$metadata.$model,
          budget: num(e.budget),
          spend: num(e.spend),
          revenue: num(e.revenue),
          startDate: str(e.startDate),
          endDate: str(e.endDate),
          status: str(e.status),
          offering: str(offerings[i]?.line),
          industry: str(clients[i]?.industry),
          leadRole: str(leads[i]?.role),
        };
        entries.set(e.$dtId, entry);
      });
      return { entries, peers: peerStats([...entries.values()], this.now()) };
    })().catch((error: unknown) => {
      this.portfolio = undefined;
      throw error;
    });
    return this.portfolio;
  }

  /** The twin's facts, from the portfolio, overlaid with the twin as the caller read it (it may be newer). */
  private async factsOf(twin: Twin): Promise<{ facts: PortfolioEntry; portfolio: Portfolio }> {
    const portfolio = await this.loadPortfolio();
    const known = portfolio.entries.get(twin.$dtId);
    const facts: PortfolioEntry = {
      ...known,
      id: twin.$dtId,
      modelId: twin.$metadata.$model,
      budget: num(twin.budget),
      spend: num(twin.spend),
      revenue: num(twin.revenue),
      startDate: str(twin.startDate),
      endDate: str(twin.endDate),
      status: str(twin.status),
    };
    return { facts, portfolio };
  }

  async engagementKpis(twin: Twin): Promise<EngagementKpis> {
    const { facts, portfolio } = await this.factsOf(twin);
    return engagementKpis(facts, portfolio.peers, this.now());
  }

  // ── Profit ────────────────────────────────────────────────────────────────────────────────────

  private async train(reason: string): Promise<ProfitModelInfo> {
    const portfolio = await this.loadPortfolio();
    const now = this.now();
    const examples: ProfitExample[] = [];
    let excludedAnomalies = 0;
    for (const e of portfolio.entries.values()) {
      if (e.status !== 'closed' || e.budget === undefined || e.spend === undefined || e.revenue === undefined || !e.offering) continue;
      const durationDays = e.startDate && e.endDate ? (Date.parse(e.endDate) - Date.parse(e.startDate)) / DAY_MS : NaN;
      if (!(durationDays > 0) || !(e.budget > 0) || burnIndex(e, now) === null) continue;
      if (engagementKpis(e, portfolio.peers, now).anomaly) {
        excludedAnomalies++;
        continue;
      }
      examples.push({ id: e.id, budget: e.budget, durationDays, offering: e.offering, industry: e.industry ?? null, leadRole: e.leadRole ?? null, profit: e.revenue - e.spend });
    }
    const model = trainProfitModel(examples, { now: new Date(now) });
    this.closedSinceTraining = 0;
    return { model, excludedAnomalies, reason };
  }

  /** The current profit model, trained on first use. */
  profitModel(): Promise<ProfitModelInfo> {
    this.profit ??= this.train('first use').catch((error: unknown) => {
      this.profit = undefined;
      throw error;
    });
    return this.profit;
  }

  /** Trains the profit model again on the closed engagements there are now; tells the retrain listeners. */
  retrain(reason = 'requested'): Promise<ProfitModelInfo> {
    this.retraining ??= (async () => {
      try {
        this.portfolio = undefined;
        const info = await this.train(reason);
        this.profit = Promise.resolve(info);
        for (const listener of this.retrainListeners) {
          try {
            listener(info);
          } catch {
            // A listener's failure is its own.
          }
        }
        return info;
      } finally {
        this.retraining = undefined;
      }
    })();
    return this.retraining;
  }

  async predictProfit(features: ProfitFeatures, level?: number): Promise<{ prediction: ProfitPrediction; model: ProfitModelInfo }> {
    const model = await this.profitModel();
    return { prediction: model.model.predict(features, level), model };
  }

  /** The predicted final profit of an engagement; null when it lacks a budget, dates or an offering to predict from. */
  async engagementProfit(twin: Twin, level?: number): Promise<EngagementProfit | null> {
    const { facts } = await this.factsOf(twin);
    const durationDays = facts.startDate && facts.endDate ? (Date.parse(facts.endDate) - Date.parse(facts.startDate)) / DAY_MS : NaN;
    if (facts.budget === undefined || !(facts.budget > 0) || !(durationDays > 0) || !facts.offering) return null;
    const features: ProfitFeatures = { budget: facts.budget, durationDays, offering: facts.offering, industry: facts.industry ?? null, leadRole: facts.leadRole ?? null };
    const { prediction, model } = await this.predictProfit(features, level);
    const actual = facts.revenue !== undefined && facts.spend !== undefined ? facts.revenue - facts.spend : null;
    return { ...prediction, features, actual, closed: facts.status === 'closed', model };
  }

  // ── Devices ───────────────────────────────────────────────────────────────────────────────────

  private async series(twinId: string, name: string, from: number, to: number): Promise<NumericSeries> {
    const points = await this.store.readMetrics({ twinId, name, from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: 100_000 });
    const times: number[] = [];
    const values: number[] = [];
    for (const p of points) {
      if (typeof p.value !== 'number') continue;
      times.push(Date.parse(p.time));
      values.push(p.value);
    }
    return { times, values };
  }

  private async states(twinId: string, from: number, to: number): Promise<{ time: number; state: string }[]> {
    const points = await this.store.readMetrics({ twinId, name: 'stateChange', from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: 100_000 });
    return points.filter((p) => typeof p.value === 'string').map((p) => ({ time: Date.parse(p.time), state: p.value as string }));
  }

  private async fleet(): Promise<FleetPrior> {
    const now = this.now();
    if (this.fleetPrior && now - this.fleetPrior.at < FLEET_PRIOR_TTL_MS) return this.fleetPrior.prior;
    const prior = (async () => {
      const devices = await this.allOf(DEMO_MODELS.device);
      const observations = [];
      for (const device of devices) {
        const [first] = await this.store.readMetrics({ twinId: device.$dtId, name: 'vibration', limit: 1 });
        const [last] = await this.store.readMetrics({ twinId: device.$dtId, name: 'vibration', limit: 1, descending: true });
        if (!first || !last) continue;
        const end = Date.parse(last.time);
        const start = Math.max(Date.parse(first.time), end - STATE_HISTORY_DAYS * DAY_MS);
        const states = await this.states(device.$dtId, start, end + 1);
        observations.push(observeFailures({ now: end, states, vibration: { times: [start], values: [0] } }));
      }
      return fitFleetPrior(observations);
    })();
    this.fleetPrior = { at: now, prior };
    prior.catch(() => {
      if (this.fleetPrior?.prior === prior) this.fleetPrior = undefined;
    });
    return prior;
  }

  async failureRisk(twin: Twin, horizonHours: number): Promise<FailureRiskResult> {
    const id = twin.$dtId;
    const [newest] = await this.store.readMetrics({ twinId: id, name: 'vibration', limit: 1, descending: true });
    if (!newest) throw new TwingraphError('InsufficientData', `Device '${id}' has no vibration telemetry: failure risk needs at least a day of readings.`, { twinId: id });
    const now = Date.parse(newest.time);
    const end = now + 1;
    const [vibration, temperature, states, prior] = await Promise.all([
      this.series(id, 'vibration', now - (RISK_WINDOW_DAYS + 1) * DAY_MS, end),
      this.series(id, 'temperature', now - (RISK_WINDOW_DAYS + 1) * DAY_MS, end),
      this.states(id, now - STATE_HISTORY_DAYS * DAY_MS, end),
      this.fleet(),
    ]);
    // A device reported failed is failed, even before its stateChange telemetry says so.
    const history = twin.state === 'failed' && states[states.length - 1]?.state !== 'failed' ? [...states, { time: now, state: 'failed' }] : states;
    const risk = assessFailureRisk({ now, vibration, temperature, states: history }, prior, { horizonHours, windowDays: RISK_WINDOW_DAYS });
    return { ...risk, asOf: new Date(now).toISOString(), prior };
  }

  // ── Forecasts ─────────────────────────────────────────────────────────────────────────────────

  async forecast(key: MetricSeriesKey, horizon: number, level?: number, before?: string): Promise<SeriesForecast> {
    const newest = await this.store.readMetrics({ ...key, ...(before !== undefined && { to: before }), limit: FORECAST_HISTORY, descending: true });
    const times: number[] = [];
    const values: number[] = [];
    for (let i = newest.length - 1; i >= 0; i--) {
      const p = newest[i];
      if (typeof p.value !== 'number') continue;
      times.push(Date.parse(p.time));
      values.push(p.value);
    }
    if (times.length === 0) {
      throw new TwingraphError('InsufficientData', `Series '${key.name}' of twin '${key.twinId}' has no numeric points${before ? ` before ${before}` : ''} to forecast from.`, { twinId: key.twinId });
    }
    return forecastSeries({ times, values }, { horizon, ...(level !== undefined && { level }) });
  }
}
