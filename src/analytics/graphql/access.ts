/**
 * What the analytics' resolvers ask of the analytics service, and how they find it: the app puts the running
 * service under `GraphContext.features.analytics`. One object serves every request (the service batches and
 * caches itself), so nothing is built per request.
 */
import type { EngagementKpis } from '../compute/kpis';
import type { ProfitFeatures, ProfitPrediction } from '../compute/profit';
import type { EngagementProfit, FailureRiskResult, ProfitInputsMoved, ProfitModelInfo } from '../compute/results';
import type { SeriesForecast } from '../compute/types';
import { TwingraphError } from '../../errors';
import { featureContext } from '../../graphql/plugin';
import type { GraphContext } from '../../graphql/graph-context';
import type { MetricSeriesKey, Twin } from '../../store/types';
import type { AnalyticsService } from '../service';

/** The plugin's name, and its key in GraphContext.features. */
export const ANALYTICS = 'analytics';

export interface AnalyticsAccess {
  engagementKpis(twin: Twin): Promise<EngagementKpis>;
  /** Null when the engagement lacks what the model predicts from (budget, dates, an offering). */
  engagementProfit(twin: Twin, level?: number): Promise<EngagementProfit | null>;
  predictProfit(
    features: ProfitFeatures,
    level?: number,
  ): Promise<{ prediction: ProfitPrediction; model: ProfitModelInfo }>;
  profitModel(): Promise<ProfitModelInfo>;
  retrainProfitModel(): Promise<ProfitModelInfo>;
  /** Called after every retraining, whoever asked for it, and after a change that moves some engagements' inputs. */
  onRetrain(listener: (info: ProfitModelInfo, moved?: ProfitInputsMoved) => void): () => void;
  failureRisk(twin: Twin, horizonHours: number): Promise<FailureRiskResult>;
  /** Forecast from the newest points of the series (before `before`, when given). */
  forecast(key: MetricSeriesKey, horizon: number, level?: number, before?: string): Promise<SeriesForecast>;
}

/**
 * The analytics as `ctx`'s caller may use them. An identity limited to some models (an API key's `--models`, a
 * token's models claim) gets the figures of a twin that come from that twin's own telemetry (forecasts,
 * failure risk), and is refused the ones computed over the whole portfolio (KPIs against peer groups, the
 * profit model and its predictions): those carry what the other models' twins hold, which the scope hides.
 */
export function analyticsOf(ctx: GraphContext): AnalyticsAccess {
  const access = featureContext<AnalyticsAccess>(ctx, ANALYTICS);
  // Contexts made outside a request (tests, tools) may carry no identity: no scope then.
  return ctx.identity?.models ? withinScope(access) : access;
}

function portfolioWide(what: string): TwingraphError {
  return new TwingraphError(
    'FORBIDDEN',
    `Forbidden: ${what} is computed over the whole portfolio, beyond the models this identity may use; ask with an identity that is not limited to some models.`,
  );
}

function withinScope(access: AnalyticsAccess): AnalyticsAccess {
  return {
    ...access,
    engagementKpis: () => Promise.reject(portfolioWide("an engagement's KPIs (against its peers)")),
    engagementProfit: () => Promise.reject(portfolioWide("an engagement's profit prediction")),
    predictProfit: () => Promise.reject(portfolioWide('a profit prediction')),
    profitModel: () => Promise.reject(portfolioWide('the profit model')),
    retrainProfitModel: () => Promise.reject(portfolioWide('the profit model')),
    // Retrainings move profit predictions, which this identity is refused: it hears of none.
    onRetrain: () => () => undefined,
  };
}

export function analyticsAccess(service: AnalyticsService): AnalyticsAccess {
  return {
    engagementKpis: (twin) => service.engagementKpis(twin),
    engagementProfit: (twin, level) => service.engagementProfit(twin, level),
    predictProfit: (features, level) => service.predictProfit(features, level),
    profitModel: () => service.profitModel(),
    retrainProfitModel: () => service.retrain(),
    onRetrain: (listener) => service.onRetrain(listener),
    failureRisk: (twin, horizonHours) => service.failureRisk(twin, horizonHours),
    forecast: (key, horizon, level, before) => service.forecast(key, horizon, level, before),
  };
}
