/**
 * The predictions' GraphQL types (what a prediction says: a value, its interval, and the method's error on data
 * it did not see), and the analytics' results turned into them. The fields and root fields that serve them are
 * in prediction.resolver.ts and twin-fields.ts.
 */
import 'reflect-metadata';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { EngagementKpis as Kpis } from '../compute/kpis';
import type { EngagementProfit, FailureRiskResult, ProfitModelInfo } from '../compute/results';
import type { HeldOutError as HeldOut, SeriesForecast } from '../compute/types';
import { DateTimeScalar, LongScalar } from '../../graphql/scalars';
import { ClientIndustry, LeadRole, ServiceLine } from './profit-enums';

@ObjectType({ description: 'The range a predicted value falls in with the stated probability.' })
export class PredictionInterval {
  @Field(() => Float, { description: 'The lower bound.' }) lower!: number;
  @Field(() => Float, { description: 'The upper bound.' }) upper!: number;
  @Field(() => Float, { description: 'Its probability, e.g. 0.95.' }) level!: number;
}

@ObjectType({
  description:
    'A time range in hours from now with its probability; upper is null when it lies beyond the horizon the method looks at.',
})
export class HoursInterval {
  @Field(() => Float, { description: 'The lower bound, hours from now.' }) lower!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'The upper bound, hours from now; null beyond the horizon looked at.',
  })
  upper!: number | null;
  @Field(() => Float, { description: 'Its probability, e.g. 0.95.' }) level!: number;
}

@ObjectType({ description: 'How a prediction method did on data it was not fitted on, next to a naive baseline.' })
export class HeldOutError {
  @Field(() => Int, { description: 'Held-out points the figures are measured on.' }) points!: number;
  @Field(() => Float, { description: 'Mean absolute error of the method.' }) mae!: number;
  @Field(() => Float, { description: 'Mean absolute error of the baseline.' }) baselineMae!: number;
  @Field(() => String, { description: 'What the baseline predicts.' }) baseline!: string;
  @Field(() => Float, { nullable: true, description: 'Share of held-out points inside the prediction interval.' })
  coverage!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: '1 − mae / baselineMae: above 0 when the method beats the baseline.',
  })
  skill!: number | null;
}

@ObjectType({ description: 'One coefficient of a linear model.' })
export class ModelCoefficient {
  @Field(() => String, { description: 'The feature, e.g. logBudget or offering=tax.' }) feature!: string;
  @Field(() => Float, { description: 'Its coefficient.' }) value!: number;
}

@ObjectType({ description: "The regression that predicts engagements' final profit, and how good it is." })
export class ProfitModel {
  @Field(() => String, { description: 'The method, in words.' }) method!: string;
  @Field(() => DateTimeScalar, { description: 'When it was trained.' }) trainedAt!: string;
  @Field(() => String, {
    description: 'Why it was trained: first use, requested, or engagements closed since the last training.',
  })
  reason!: string;
  @Field(() => Int, { description: 'Closed engagements it was trained on.' }) trainingSize!: number;
  @Field(() => Int, {
    description: 'Closed engagements left out because their spend was anomalous (see EngagementKpis.anomaly).',
  })
  excludedAnomalies!: number;
  @Field(() => Float, { description: 'The level of its prediction intervals.' }) level!: number;
  @Field(() => HeldOutError, { description: 'Cross-validated error in EUR, against predicting the mean profit.' })
  heldOut!: HeldOutError;
  @Field(() => [ModelCoefficient], { description: 'Coefficients on profit per euro of budget.' })
  coefficients!: ModelCoefficient[];
}

@ObjectType({ description: 'What a profit prediction was made from.' })
export class ProfitFeaturesValue {
  @Field(() => Float, { description: 'Budget, EUR.' }) budget!: number;
  @Field(() => Float, { description: 'Planned length in days.' }) durationDays!: number;
  @Field(() => ServiceLine, { description: "The service line of the engagement's offering." }) offering!: string;
  @Field(() => ClientIndustry, { nullable: true, description: "The client's industry; null when unknown." })
  industry!: string | null;
  @Field(() => LeadRole, { nullable: true, description: "The lead's role; null when unknown." })
  leadRole!: string | null;
}

@ObjectType({ description: 'A predicted final profit (revenue − spend, EUR) with its prediction interval.' })
export class ProfitPrediction {
  @Field(() => Float, { description: 'Predicted final profit, EUR.' }) value!: number;
  @Field(() => PredictionInterval, { description: 'The range the profit falls in with the stated probability.' })
  interval!: PredictionInterval;
  @Field(() => Float, {
    nullable: true,
    description: 'Revenue − spend so far (final once closed); null for hypothetical engagements.',
  })
  actual!: number | null;
  @Field(() => Boolean, {
    description:
      'Whether the engagement has closed (then `actual` is final and the prediction is what the model would have said).',
  })
  closed!: boolean;
  @Field(() => ProfitFeaturesValue, { description: 'What the prediction was made from.' })
  features!: ProfitFeaturesValue;
  @Field(() => ProfitModel, { description: 'The profit model that made it.' }) model!: ProfitModel;
}

@InputType({ description: 'A hypothetical engagement to predict the profit of.' })
export class ProfitInput {
  @Field(() => Float, { description: 'EUR.' }) budget!: number;
  @Field(() => Float, { description: 'Planned length in days.' }) durationDays!: number;
  @Field(() => ServiceLine, { description: 'The service line, as ServiceOffering.line reads (e.g. Consulting).' })
  offering!: string;
  @Field(() => ClientIndustry, {
    nullable: true,
    description: "The client's industry, as Client.industry reads (e.g. Banking); leave it out when unknown.",
  })
  industry?: string;
  @Field(() => LeadRole, {
    nullable: true,
    description: "The lead's role, as Employee.role reads (e.g. Partner); leave it out when unknown.",
  })
  leadRole?: string;
}

@ObjectType({
  description:
    'Engagement KPIs, computed from its properties and its peers (the engagements of the same service line).',
})
export class EngagementKpis {
  @Field(() => Float, { nullable: true, description: 'Budget − spend, EUR: positive while under budget.' })
  budgetVariance!: number | null;
  @Field(() => Float, { nullable: true, description: 'Budget variance as a share of budget.' }) budgetVarianceRatio!:
    number | null;
  @Field(() => Float, { nullable: true, description: '(Revenue − spend) / revenue.' }) revenueMargin!: number | null;
  @Field(() => Int, { nullable: true, description: 'End − start, days (planned while open, actual once closed).' })
  durationDays!: number | null;
  @Field(() => Float, { nullable: true, description: 'Days since the start (to the end, once closed).' }) elapsedDays!:
    number | null;
  @Field(() => Float, { nullable: true, description: 'Spend per elapsed day, EUR.' }) burnRatePerDay!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Share of budget spent ÷ share of planned time gone: 1 is on plan.',
  })
  burnIndex!: number | null;
  @Field(() => Boolean, { description: "Whether the burn index is far outside its peers' (robust z beyond 3.5)." })
  anomaly!: boolean;
  @Field(() => String, { nullable: true, description: 'Why it is anomalous, in words, with the figures.' })
  anomalyReason!: string | null;
  @Field(() => String, { nullable: true, description: 'The service line whose engagements are its peers.' })
  peerGroup!: string | null;
  @Field(() => Int, { description: 'How many peers its burn index is compared with.' }) peerCount!: number;
  @Field(() => Float, { nullable: true, description: "The peers' median burn index." }) peerMedianBurnIndex!:
    number | null;
}

@ObjectType({ description: 'The risk that a device fails within a horizon, and when it is expected to.' })
export class FailureRisk {
  @Field(() => DateTimeScalar, { description: 'The newest vibration reading: the risk is as of then.' }) asOf!: string;
  @Field(() => Float, { description: 'The horizon the probability is for, hours.' }) horizonHours!: number;
  @Field(() => Float, {
    description:
      'Probability of failure within the horizon: wear-out and random failures as competing risks (1 when the device has failed).',
  })
  probability!: number;
  @Field(() => Float, { description: 'From the vibration trend reaching the failure threshold.' })
  wearProbability!: number;
  @Field(() => Float, { description: "From the device's failure history, shrunk towards the fleet's." })
  randomProbability!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Hours until the vibration trend reaches the threshold; null when it is not rising significantly or is more than a year away.',
  })
  timeToFailureHours!: number | null;
  @Field(() => HoursInterval, {
    nullable: true,
    description:
      'Interval of the time to failure, hours (upper null: beyond a year); null when no failure is in sight.',
  })
  timeToFailure!: HoursInterval | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'asOf + timeToFailureHours.' }) expectedFailureTime!:
    string | null;
  @Field(() => Float, { nullable: true, description: 'Fitted daily-peak vibration now, cm/s.' }) vibrationNow!:
    number | null;
  @Field(() => Float, { nullable: true, description: 'cm/s per day.' }) vibrationTrendPerDay!: number | null;
  @Field(() => Float, { nullable: true, description: '°C per day (shown, not used in the probabilities).' })
  temperatureTrendPerDay!: number | null;
  @Field(() => Float, { description: 'Vibration counted as failure, cm/s.' }) threshold!: number;
  @Field(() => Int, { description: "Failures in the device's stateChange history." }) failuresObserved!: number;
  @Field(() => Float, { description: 'Days of history the failure rate is estimated from.' }) observedDays!: number;
  @Field(() => Float, { description: 'Posterior mean of the random-failure rate, per day.' })
  failureRatePerDay!: number;
  @Field(() => String, { description: 'The method, in words.' }) method!: string;
}

@ObjectType({ description: 'One step of a forecast.' })
export class ForecastPoint {
  @Field(() => DateTimeScalar, { description: 'The time of the step.' }) time!: string;
  @Field(() => Float, { description: 'The forecast value.' }) value!: number;
  @Field(() => Float, { description: 'The lower bound of its interval.' }) lower!: number;
  @Field(() => Float, { description: 'The upper bound of its interval.' }) upper!: number;
}

@ObjectType({
  description: 'A forecast of a numeric series with its prediction interval, and its error on the recent past.',
})
export class MetricForecast {
  @Field(() => String, { description: 'The method, in words.' }) method!: string;
  @Field(() => Float, { description: 'Level of the intervals.' }) level!: number;
  @Field(() => Float, { description: "Seconds between forecast points (the series' typical spacing)." })
  stepSeconds!: number;
  @Field(() => [ForecastPoint], { description: 'The forecast steps, oldest first.' }) points!: ForecastPoint[];
  @Field(() => HeldOutError, {
    nullable: true,
    description: 'The method fitted without the newest points and scored on them; null for short series.',
  })
  backtest!: HeldOutError | null;
}

export enum PredictionKind {
  PROFIT = 'PROFIT',
  FAILURE_RISK = 'FAILURE_RISK',
}
registerEnumType(PredictionKind, {
  name: 'PredictionKind',
  description: "PROFIT: an engagement's predicted final profit; FAILURE_RISK: a device's failure risk.",
  valuesConfig: {
    PROFIT: { description: "An engagement's predicted final profit." },
    FAILURE_RISK: { description: "A device's failure risk." },
  },
});

export enum PredictionCause {
  INITIAL = 'INITIAL',
  CHANGE = 'CHANGE',
  RETRAINED = 'RETRAINED',
}
registerEnumType(PredictionCause, {
  name: 'PredictionCause',
  description: 'Why a prediction update was sent.',
  valuesConfig: {
    INITIAL: { description: 'The current prediction, sent first when the subscription starts.' },
    CHANGE: {
      description:
        'A committed change moved it (changeType and seq say which): to the twin, its relationships or telemetry, or beside an engagement.',
    },
    RETRAINED: { description: 'The profit model was trained again.' },
  },
});

@ObjectType({ description: 'A prediction of a twin that changed (or, first, its current value).' })
export class PredictionUpdate {
  @Field(() => ID, { description: 'The twin predicted.' }) twinId!: string;
  @Field(() => PredictionKind, { description: 'Which prediction: profit or failure risk.' }) kind!: PredictionKind;
  @Field(() => DateTimeScalar, { description: 'When it was computed.' }) time!: string;
  /**
   * What caused it, as the analytics say it: Initial, Retrained, or the change type (Twin.Update, …). The
   * schema gives it as `cause` (PredictionCause) and `changeType` (see PredictionUpdateResolver).
   */
  cause!: string;
  @Field(() => LongScalar, { nullable: true, description: 'The change-log seq of the change that caused it.' }) seq!:
    number | null;
  @Field(() => ProfitPrediction, {
    nullable: true,
    description: 'For PROFIT: the prediction; null when there is none (see error).',
  })
  profit!: ProfitPrediction | null;
  @Field(() => FailureRisk, {
    nullable: true,
    description: 'For FAILURE_RISK: the prediction; null when there is none (see error).',
  })
  failureRisk!: FailureRisk | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why there is no prediction now (code: message), e.g. InsufficientData.',
  })
  error!: string | null;
}

/** A prediction update's cause in the schema's enums: why it was sent, and for a change, its type. */
export function causeOf(cause: string): { cause: PredictionCause; changeType: string | null } {
  if (cause === 'Initial') return { cause: PredictionCause.INITIAL, changeType: null };
  if (cause === 'Retrained') return { cause: PredictionCause.RETRAINED, changeType: null };
  return { cause: PredictionCause.CHANGE, changeType: cause };
}

// ── Values: the analytics' results in the shape of the types above ──────────────────────────────

const skill = (h: HeldOut): number | null => (h.baselineMae > 0 ? 1 - h.mae / h.baselineMae : null);

export function heldOutValue(h: HeldOut): HeldOutError {
  return { ...h, skill: skill(h) };
}

export function profitModelValue(info: ProfitModelInfo): ProfitModel {
  const m = info.model;
  return {
    method: m.method,
    trainedAt: m.trainedAt,
    reason: info.reason,
    trainingSize: m.trainingSize,
    excludedAnomalies: info.excludedAnomalies,
    level: m.level,
    heldOut: heldOutValue(m.heldOut),
    coefficients: m.featureNames.map((feature, i) => ({ feature, value: m.coefficients[i] })),
  };
}

export function profitValue(
  p: EngagementProfit | (Omit<EngagementProfit, 'actual' | 'closed'> & { actual?: null; closed?: false }),
): ProfitPrediction {
  return {
    value: p.value,
    interval: { lower: p.lower, upper: p.upper, level: p.level },
    actual: p.actual ?? null,
    closed: p.closed ?? false,
    features: {
      budget: p.features.budget,
      durationDays: p.features.durationDays,
      offering: p.features.offering,
      industry: p.features.industry ?? null,
      leadRole: p.features.leadRole ?? null,
    },
    model: profitModelValue(p.model),
  };
}

export function failureRiskValue(r: FailureRiskResult): FailureRisk {
  return {
    asOf: r.asOf,
    horizonHours: r.horizonHours,
    probability: r.probability,
    wearProbability: r.wearProbability,
    randomProbability: r.randomProbability,
    timeToFailureHours: r.timeToFailureHours,
    timeToFailure:
      r.lower === null && r.upper === null ? null : { lower: r.lower ?? 0, upper: r.upper, level: r.level },
    expectedFailureTime:
      r.timeToFailureHours === null
        ? null
        : new Date(Date.parse(r.asOf) + r.timeToFailureHours * 3_600_000).toISOString(),
    vibrationNow: r.vibrationNow,
    vibrationTrendPerDay: r.vibrationTrendPerDay,
    temperatureTrendPerDay: r.temperatureTrendPerDay,
    threshold: r.threshold,
    failuresObserved: r.failuresObserved,
    observedDays: r.observedDays,
    failureRatePerDay: r.failureRatePerDay,
    method: r.method,
  };
}

export function kpisValue(k: Kpis): EngagementKpis {
  return { ...k };
}

export function forecastValue(f: SeriesForecast): MetricForecast {
  return {
    method: f.method,
    level: f.level,
    stepSeconds: f.stepMs / 1000,
    points: f.points.map((p) => ({ ...p })),
    backtest: f.backtest ? heldOutValue(f.backtest) : null,
  };
}
