/**
 * The analytics service: gathers what the analytics stage (src/analytics) computes from, out of the store,
 * and keeps what is costly to recompute (the portfolio of engagements and its peer groups, the profit model,
 * the fleet's failure prior) until a change makes it stale.
 *
 * It follows the change feed: a change to an engagement, a client, an employee, an offering or one of the
 * relationships between them drops the portfolio; engagements that close are counted, and once enough have
 * closed since the profit model was trained, it is retrained and its listeners are told. A change beside an
 * engagement that moves what its profit is predicted from (its client's industry, its lead's role, its
 * offering's service line, or which of them it has) is told to the same listeners, with the engagements it
 * touches. What one engagement's profit is predicted from is read fresh from the store (batched), never
 * from the cached portfolio, so a prediction made after a change has been committed reflects it.
 *
 * KPIs of running engagements measure time to the data's own time (the newest `spendToDate` reading), not
 * to the clock, so that a data set gives the same figures whenever it is read.
 */
import { DEMO_MODELS } from '../demo/models';
import { TwingraphError } from '../errors';
import { fitFleetPrior, observeFailures, type FleetPrior } from './compute/failure-risk';
import { inlineCompute, type ComputePool } from './compute/pool';
import {
  burnIndex,
  engagementKpis,
  peerStats,
  type EngagementFacts,
  type EngagementKpis,
  type PeerStats,
} from './compute/kpis';
import {
  checkFeatures,
  trainProfitModel,
  type ProfitExample,
  type ProfitFeatures,
  type ProfitPrediction,
} from './compute/profit';
import type { EngagementProfit, FailureRiskResult, ProfitInputsMoved, ProfitModelInfo } from './compute/results';
import type { NumericSeries, SeriesForecast } from './compute/types';
import type { ChangeFeed } from '../events';
import type { MetricStore, TwinReads } from '../store/port';
import type { Filter } from '../store/query';
import type { ChangeEntry, JsonPatch, MetricSeriesKey, Twin } from '../store/types';
import type { ModelSnapshot } from '../services/models';

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
/** The relationships an engagement's profit is predicted along: its offering, its lead and (incoming) its client. */
const USES = 'uses';
const LED_BY = 'ledBy';
const HAS_ENGAGEMENT = 'hasEngagement';
/** The telemetry whose newest reading says how far an engagement's data goes. */
const SPEND_TO_DATE = 'spendToDate';

export interface AnalyticsOptions {
  /**
   * The clock (epoch ms): when the profit model was trained, and the fallback for KPIs of running engagements
   * when no engagement has a `spendToDate` reading to measure time to.
   */
  readonly now?: () => number;
  /** Retrain the profit model once this many engagements have closed since it was trained (default 10). */
  readonly retrainAfterClosed?: number;
  /** Where forecasts and failure risks are computed (default inline; the feature gives it a thread pool). */
  readonly compute?: ComputePool;
}

interface PortfolioEntry extends EngagementFacts {
  readonly industry?: string;
  readonly leadRole?: string;
  readonly modelId: string;
}

interface Portfolio {
  readonly entries: ReadonlyMap<string, PortfolioEntry>;
  readonly peers: PeerStats;
  /** The newest spendToDate reading of any engagement: the time of engagements that have none. */
  readonly dataTime: number | undefined;
}

/**
 * Called after every training of the profit model (the first, on first use, included) with the new model, and,
 * with `moved`, when a change beside some engagements may have moved their predicted profit.
 */
export type ProfitListener = (info: ProfitModelInfo, moved?: ProfitInputsMoved) => void;

/**
 * Loads values by key, gathering the keys asked for in one turn of the event loop into one call of `batch`
 * (so that a page of engagements costs one store call, not one per engagement).
 */
class Batcher<V> {
  private pending = new Map<string, { resolve: (value: V | undefined) => void; reject: (error: unknown) => void }[]>();

  constructor(private readonly batch: (keys: readonly string[]) => Promise<(V | undefined)[]>) {}

  load(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => void this.dispatch());
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
    });
  }

  private async dispatch(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    const keys = [...pending.keys()];
    try {
      const values = await this.batch(keys);
      keys.forEach((key, i) => pending.get(key)!.forEach((w) => w.resolve(values[i])));
    } catch (error) {
      for (const waiting of pending.values()) for (const w of waiting) w.reject(error);
    }
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function statusClosedBy(change: ChangeEntry): boolean {
  if (change.type === 'Twin.Create') return (change.body as Twin | undefined)?.status === 'closed';
  if (change.type !== 'Twin.Update') return false;
  return ((change.patch ?? []) as JsonPatch).some(
    (op) => op.path === '/status' && (op.op === 'add' || op.op === 'replace') && op.value === 'closed',
  );
}

export class AnalyticsService {
  private portfolio: Promise<Portfolio> | undefined;
  private profit: Promise<ProfitModelInfo> | undefined;
  private fleetPrior: { at: number; prior: Promise<FleetPrior> } | undefined;
  private closedSinceTraining = 0;
  private retraining: Promise<ProfitModelInfo> | undefined;
  private readonly listeners = new Set<ProfitListener>();
  private following: { return(): Promise<unknown> } | undefined;
  private followed = 0;
  private readonly now: () => number;
  private readonly retrainAfterClosed: number;
  /** Where forecasts and failure risks are computed (worker threads, or inline). */
  private readonly compute: ComputePool;
  /** Fresh one-hop reads for profit predictions: an engagement's offering, lead and client. */
  private readonly offeringOf = new Batcher<Twin>((ids) => this.neighbor(ids, 'out', USES));
  private readonly leadOf = new Batcher<Twin>((ids) => this.neighbor(ids, 'out', LED_BY));
  private readonly clientOf = new Batcher<Twin>((ids) => this.neighbor(ids, 'in', HAS_ENGAGEMENT));
  /** Fresh reads of the time of an engagement's newest spendToDate reading. */
  private readonly spendAsOf = new Batcher<number>((ids) => this.newestSpendTimes(ids));

  constructor(
    private readonly store: TwinReads & MetricStore,
    private readonly snapshot: () => ModelSnapshot,
    options: AnalyticsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retrainAfterClosed = options.retrainAfterClosed ?? 10;
    this.compute = options.compute ?? inlineCompute();
  }

  // ── Following changes ─────────────────────────────────────────────────────────────────────────

  /** Follows the change feed from now on, dropping what goes stale. */
  follow(feed: ChangeFeed): void {
    const subscription = feed.subscribe({
      filter: (c) => c.type.startsWith('Twin.') || c.type.startsWith('Relationship.') || c.type.startsWith('Model.'),
    });
    this.following = subscription;
    void (async () => {
      try {
        for await (const change of subscription) {
          this.observe(change);
          this.followed = change.seq;
        }
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
    await this.compute.close();
  }

  /** The seq of the newest change it has taken into account (0 before the first). */
  get followedSeq(): number {
    return this.followed;
  }

  /**
   * Called after every training of the profit model with the new model (the first one, on first use, too),
   * and, with a second argument, when a change beside some engagements may have moved their predicted profit.
   */
  onRetrain(listener: ProfitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(info: ProfitModelInfo, moved?: ProfitInputsMoved): void {
    for (const listener of this.listeners) {
      try {
        if (moved) listener(info, moved);
        else listener(info);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  private isOf(modelId: string | undefined, of: string): boolean {
    if (!modelId) return false;
    return this.snapshot().models.isOf(modelId, of);
  }

  private observe(change: ChangeEntry): void {
    if (change.type.startsWith('Model.')) {
      this.portfolio = undefined;
      return;
    }
    const relevant = [DEMO_MODELS.engagement, DEMO_MODELS.client, DEMO_MODELS.employee, DEMO_MODELS.offering].some(
      (m) => this.isOf(change.modelId, m),
    );
    if (!relevant) return;
    this.portfolio = undefined;
    if (this.isOf(change.modelId, DEMO_MODELS.engagement) && statusClosedBy(change)) {
      this.closedSinceTraining += 1;
      if (this.profit && this.closedSinceTraining >= this.retrainAfterClosed) this.retrainForClosures();
    }
    if (this.listeners.size > 0 && this.profit) void this.tellMoved(change).catch(() => undefined);
  }

  private retrainForClosures(): void {
    void this.retrain(`${this.closedSinceTraining} engagements closed since the last training`).catch(() => undefined);
  }

  /** The engagements whose profit features a change beside them may have moved; empty when it moves none. */
  private async engagementsMovedBy(change: ChangeEntry): Promise<string[]> {
    if (change.type === 'Relationship.Create' || change.type === 'Relationship.Delete') {
      const r = change.body as { $relationshipName?: string; $sourceId?: string; $targetId?: string } | null;
      if (r?.$relationshipName === HAS_ENGAGEMENT && r.$targetId) return [r.$targetId];
      if ((r?.$relationshipName === USES || r?.$relationshipName === LED_BY) && r.$sourceId) return [r.$sourceId];
      return [];
    }
    if (change.type !== 'Twin.Update' || !change.twinId) return [];
    const touches = (property: string): boolean =>
      (change.patch ?? []).some((op) => op.path === `/${property}` || op.path.startsWith(`/${property}/`));
    let hop: { direction: 'out' | 'in'; name: string } | undefined;
    if (this.isOf(change.modelId, DEMO_MODELS.client) && touches('industry'))
      hop = { direction: 'out', name: HAS_ENGAGEMENT };
    else if (this.isOf(change.modelId, DEMO_MODELS.employee) && touches('role'))
      hop = { direction: 'in', name: LED_BY };
    else if (this.isOf(change.modelId, DEMO_MODELS.offering) && touches('line')) hop = { direction: 'in', name: USES };
    if (!hop) return [];
    const ids: string[] = [];
    for (let after: string | undefined, more = true; more;) {
      const page = await this.store.traverse({
        from: { path: ['$dtId'], op: 'eq', value: change.twinId },
        hops: [{ direction: hop.direction, names: [hop.name] }],
        first: PAGE,
        ...(after && { after }),
      });
      ids.push(...page.items.map((t) => t.$dtId));
      more = page.pageInfo.hasNextPage;
      after = page.pageInfo.endCursor ?? undefined;
    }
    return ids;
  }

  /** Tells the listeners about a change that may have moved some engagements' predicted profit. */
  private async tellMoved(change: ChangeEntry): Promise<void> {
    const engagementIds = await this.engagementsMovedBy(change);
    if (engagementIds.length === 0) return;
    // Only a trained model has predictions to move (one that failed to train answers InsufficientData, whatever the features).
    const info = await this.profit?.catch(() => undefined);
    if (info) this.tell(info, { engagementIds, cause: change.type, seq: change.seq });
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
      const part = await this.store.neighbors({
        ids: ids.slice(i, i + PAGE),
        hop: { direction, names: [name] },
        first: 1,
      });
      found.push(...part.map((list) => list[0]?.twin));
    }
    return found;
  }

  /** The time (epoch ms) of each engagement's newest spendToDate reading. */
  private async newestSpendTimes(ids: readonly string[]): Promise<(number | undefined)[]> {
    const out: (number | undefined)[] = [];
    for (let i = 0; i < ids.length; i += PAGE) {
      const points = await this.store.latestMetrics(
        ids.slice(i, i + PAGE).map((twinId) => ({ twinId, name: SPEND_TO_DATE })),
      );
      out.push(...points.map((p) => (p ? Date.parse(p.time) : undefined)));
    }
    return out;
  }

  private loadPortfolio(): Promise<Portfolio> {
    this.portfolio ??= (async () => {
      if (!this.snapshot().models.interfaces.has(DEMO_MODELS.engagement))
        return { entries: new Map(), peers: peerStats([], this.now()), dataTime: undefined };
      const engagements = await this.allOf(DEMO_MODELS.engagement);
      const ids = engagements.map((e) => e.$dtId);
      const [offerings, leads, clients, asOf] = await Promise.all([
        this.neighbor(ids, 'out', USES),
        this.neighbor(ids, 'out', LED_BY),
        this.neighbor(ids, 'in', HAS_ENGAGEMENT),
        this.newestSpendTimes(ids),
      ]);
      const times = asOf.filter((t): t is number => t !== undefined && Number.isFinite(t));
      const dataTime = times.length > 0 ? times.reduce((a, b) => Math.max(a, b)) : undefined;
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
          // Engagements without spend readings are taken as of the newest reading there is.
          asOf: asOf[i] ?? dataTime,
        };
        entries.set(e.$dtId, entry);
      });
      return { entries, peers: peerStats([...entries.values()], this.now()), dataTime };
    })().catch((error: unknown) => {
      this.portfolio = undefined;
      throw error;
    });
    return this.portfolio;
  }

  /** The facts the twin itself holds, as the caller read it. */
  private ownFacts(twin: Twin): EngagementFacts & { modelId: string } {
    return {
      id: twin.$dtId,
      modelId: twin.$metadata.$model,
      budget: num(twin.budget),
      spend: num(twin.spend),
      revenue: num(twin.revenue),
      startDate: str(twin.startDate),
      endDate: str(twin.endDate),
      status: str(twin.status),
    };
  }

  /** KPIs against the peers of the cached portfolio, with the twin as the caller read it, as of its newest spend reading. */
  async engagementKpis(twin: Twin): Promise<EngagementKpis> {
    const [portfolio, asOf] = await Promise.all([this.loadPortfolio(), this.spendAsOf.load(twin.$dtId)]);
    const facts: PortfolioEntry = {
      ...portfolio.entries.get(twin.$dtId),
      ...this.ownFacts(twin),
      asOf: asOf ?? portfolio.dataTime,
    };
    return engagementKpis(facts, portfolio.peers, this.now());
  }

  // ── Profit ────────────────────────────────────────────────────────────────────────────────────

  private async train(reason: string): Promise<ProfitModelInfo> {
    const counted = this.closedSinceTraining;
    const portfolio = await this.loadPortfolio();
    const now = this.now();
    const examples: ProfitExample[] = [];
    let excludedAnomalies = 0;
    for (const e of portfolio.entries.values()) {
      if (
        e.status !== 'closed' ||
        e.budget === undefined ||
        e.spend === undefined ||
        e.revenue === undefined ||
        !e.offering
      )
        continue;
      const durationDays = e.startDate && e.endDate ? (Date.parse(e.endDate) - Date.parse(e.startDate)) / DAY_MS : NaN;
      if (!(durationDays > 0) || !(e.budget > 0) || burnIndex(e, now) === null) continue;
      if (engagementKpis(e, portfolio.peers, now).anomaly) {
        excludedAnomalies++;
        continue;
      }
      examples.push({
        id: e.id,
        budget: e.budget,
        durationDays,
        offering: e.offering,
        industry: e.industry ?? null,
        leadRole: e.leadRole ?? null,
        profit: e.revenue - e.spend,
      });
    }
    const model = trainProfitModel(examples, { now: new Date(now) });
    // Closures that came in while it trained count towards the next training.
    this.closedSinceTraining = Math.max(0, this.closedSinceTraining - counted);
    return { model, excludedAnomalies, reason };
  }

  /** The current profit model, trained on first use (which the listeners are told like any training). */
  profitModel(): Promise<ProfitModelInfo> {
    if (!this.profit) {
      const training: Promise<ProfitModelInfo> = this.train('first use').then(
        (info) => {
          if (this.profit === training) this.tell(info);
          return info;
        },
        (error: unknown) => {
          if (this.profit === training) this.profit = undefined;
          throw error;
        },
      );
      this.profit = training;
    }
    return this.profit;
  }

  /** Trains the profit model again on the closed engagements there are now; tells the listeners. */
  retrain(reason = 'requested'): Promise<ProfitModelInfo> {
    this.retraining ??= (async () => {
      try {
        this.portfolio = undefined;
        const info = await this.train(reason);
        this.profit = Promise.resolve(info);
        this.tell(info);
        // Enough closed while it trained: again (once this one is done).
        if (this.closedSinceTraining >= this.retrainAfterClosed) queueMicrotask(() => this.retrainForClosures());
        return info;
      } finally {
        this.retraining = undefined;
      }
    })();
    return this.retraining;
  }

  async predictProfit(
    features: ProfitFeatures,
    level?: number,
  ): Promise<{ prediction: ProfitPrediction; model: ProfitModelInfo }> {
    // A request that cannot be answered is told so before (and whether or not) there is a model to answer it.
    checkFeatures(features);
    if (level !== undefined && !(level > 0 && level < 1))
      throw new TwingraphError('InvalidArgument', `The interval level must be between 0 and 1; got ${level}.`);
    const model = await this.profitModel();
    return { prediction: model.model.predict(features, level), model };
  }

  /**
   * The predicted final profit of an engagement; null when it lacks a budget, dates or an offering to predict
   * from. Its offering, lead and client are read now (batched), not from the cached portfolio: a prediction
   * made after a change to them is committed reflects it.
   */
  async engagementProfit(twin: Twin, level?: number): Promise<EngagementProfit | null> {
    const id = twin.$dtId;
    const [offering, lead, client] = await Promise.all([
      this.offeringOf.load(id),
      this.leadOf.load(id),
      this.clientOf.load(id),
    ]);
    const facts: PortfolioEntry = {
      ...this.ownFacts(twin),
      offering: str(offering?.line),
      industry: str(client?.industry),
      leadRole: str(lead?.role),
    };
    const durationDays =
      facts.startDate && facts.endDate ? (Date.parse(facts.endDate) - Date.parse(facts.startDate)) / DAY_MS : NaN;
    if (facts.budget === undefined || !(facts.budget > 0) || !(durationDays > 0) || !facts.offering) return null;
    const features: ProfitFeatures = {
      budget: facts.budget,
      durationDays,
      offering: facts.offering,
      industry: facts.industry ?? null,
      leadRole: facts.leadRole ?? null,
    };
    const { prediction, model } = await this.predictProfit(features, level);
    const actual = facts.revenue !== undefined && facts.spend !== undefined ? facts.revenue - facts.spend : null;
    return { ...prediction, features, actual, closed: facts.status === 'closed', model };
  }

  // ── Devices ───────────────────────────────────────────────────────────────────────────────────

  private async series(twinId: string, name: string, from: number, to: number): Promise<NumericSeries> {
    const points = await this.store.readMetrics({
      twinId,
      name,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      limit: 100_000,
    });
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
    const points = await this.store.readMetrics({
      twinId,
      name: 'stateChange',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      limit: 100_000,
    });
    return points
      .filter((p) => typeof p.value === 'string')
      .map((p) => ({ time: Date.parse(p.time), state: p.value as string }));
  }

  private async fleet(): Promise<FleetPrior> {
    const now = this.now();
    if (this.fleetPrior && now - this.fleetPrior.at < FLEET_PRIOR_TTL_MS) return this.fleetPrior.prior;
    const prior = (async () => {
      const devices = await this.allOf(DEMO_MODELS.device);
      const observations = [];
      for (const device of devices) {
        const [first] = await this.store.readMetrics({ twinId: device.$dtId, name: 'vibration', limit: 1 });
        const [last] = await this.store.readMetrics({
          twinId: device.$dtId,
          name: 'vibration',
          limit: 1,
          descending: true,
        });
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
    if (!newest)
      throw new TwingraphError(
        'InsufficientData',
        `Device '${id}' has no vibration telemetry: failure risk needs at least a day of readings.`,
        { twinId: id },
      );
    const now = Date.parse(newest.time);
    const end = now + 1;
    const [vibration, temperature, states, prior] = await Promise.all([
      this.series(id, 'vibration', now - (RISK_WINDOW_DAYS + 1) * DAY_MS, end),
      this.series(id, 'temperature', now - (RISK_WINDOW_DAYS + 1) * DAY_MS, end),
      this.states(id, now - STATE_HISTORY_DAYS * DAY_MS, end),
      this.fleet(),
    ]);
    // A device reported failed is failed, even before its stateChange telemetry says so.
    const history =
      twin.state === 'failed' && states[states.length - 1]?.state !== 'failed'
        ? [...states, { time: now, state: 'failed' }]
        : states;
    const risk = await this.compute.failureRisk({ now, vibration, temperature, states: history }, prior, {
      horizonHours,
      windowDays: RISK_WINDOW_DAYS,
    });
    return { ...risk, asOf: new Date(now).toISOString(), prior };
  }

  // ── Forecasts ─────────────────────────────────────────────────────────────────────────────────

  async forecast(key: MetricSeriesKey, horizon: number, level?: number, before?: string): Promise<SeriesForecast> {
    const newest = await this.store.readMetrics({
      ...key,
      ...(before !== undefined && { to: before }),
      limit: FORECAST_HISTORY,
      descending: true,
    });
    const times: number[] = [];
    const values: number[] = [];
    for (let i = newest.length - 1; i >= 0; i--) {
      const p = newest[i];
      if (typeof p.value !== 'number') continue;
      times.push(Date.parse(p.time));
      values.push(p.value);
    }
    if (times.length === 0) {
      throw new TwingraphError(
        'InsufficientData',
        `Series '${key.name}' of twin '${key.twinId}' has no numeric points${before ? ` before ${before}` : ''} to forecast from.`,
        { twinId: key.twinId },
      );
    }
    return this.compute.forecast({ times, values }, { horizon, ...(level !== undefined && { level }) });
  }
}
