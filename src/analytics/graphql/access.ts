/**
 * What the analytics' resolvers ask of the analytics service, and how they find it: the app puts the running
 * service under `GraphContext.features.analytics`. One object serves every request (the service batches and
 * caches itself), so nothing is built per request.
 */
import type { EngagementKpis } from '../compute/kpis';
import type { ProfitFeatures, ProfitPrediction } from '../compute/profit';
import type { EngagementProfit, FailureRiskResult, ProfitInputsMoved, ProfitModelInfo } from '../compute/results';
import type { SeriesForecast } from '../compute/types';
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

export function analyticsOf(ctx: GraphContext): AnalyticsAccess {
  return featureContext<AnalyticsAccess>(ctx, ANALYTICS);
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
