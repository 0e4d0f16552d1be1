/**
 * What the analytics answer about one twin or one model, as the services assemble it from the stage's pure
 * results and the API maps it to GraphQL.
 */
import type { FailureRisk, FleetPrior } from './failure-risk';
import type { ProfitFeatures, ProfitModel, ProfitPrediction } from './profit';

export interface ProfitModelInfo {
  readonly model: ProfitModel;
  /** Closed engagements left out of training because the KPI anomaly test flags them. */
  readonly excludedAnomalies: number;
  /** Why it was (re)trained: `first use`, `requested`, or `N engagements closed`. */
  readonly reason: string;
}

export interface EngagementProfit extends ProfitPrediction {
  readonly features: ProfitFeatures;
  /** The engagement's actual profit so far (revenue − spend): final once closed. */
  readonly actual: number | null;
  readonly closed: boolean;
  readonly model: ProfitModelInfo;
}

export interface FailureRiskResult extends FailureRisk {
  /** The newest vibration reading's time: the risk is as of then. */
  readonly asOf: string;
  readonly prior: FleetPrior;
}

/**
 * A change beside some engagements that may move their predicted profit: their client's industry, their lead's
 * role, their offering's service line, or which client, lead or offering they have.
 */
export interface ProfitInputsMoved {
  readonly engagementIds: readonly string[];
  /** The change's type (`Twin.Update`, `Relationship.Create`, …). */
  readonly cause: string;
  /** The change's seq in the change log. */
  readonly seq: number;
}
