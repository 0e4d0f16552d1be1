/**
 * Profit prediction: ordinary least squares (ml-regression-multivariate-linear) trained on closed
 * engagements, predicting the final profit of open and hypothetical ones with a prediction interval.
 *
 * The regression's target is profit per euro of budget, not profit: profit's spread grows with the size of
 * the engagement, and one constant residual variance (which the OLS interval assumes) fits the ratio far
 * better. Features are what is known while an engagement runs and when one is only proposed: log budget,
 * duration, and the service line, the client's industry and the lead's role, one-hot against the most common
 * category. The interval is the classical one, ŷ ± t(n−p) · √(s² + x′ Σ x), scaled back by the budget.
 * Quality is measured by k-fold cross-validation on the training data: MAE in euros against the naive
 * baseline of predicting the training folds' mean profit, and the interval's coverage.
 */
import type MultivariateLinearRegression = require('ml-regression-multivariate-linear');
import { TwingraphError } from '../../errors';
import { tQuantile } from './stats';
import type { HeldOutError } from './types';

export interface ProfitFeatures {
  /** EUR, > 0. */
  readonly budget: number;
  /** Planned (or, once closed, actual) length in days, > 0. */
  readonly durationDays: number;
  /** Service line of the offering used, e.g. `consulting`. */
  readonly offering: string;
  readonly industry?: string | null;
  readonly leadRole?: string | null;
}

export interface ProfitExample extends ProfitFeatures {
  readonly id: string;
  /** Final revenue minus final spend, EUR. */
  readonly profit: number;
}

export interface ProfitPrediction {
  /** Predicted final profit, EUR. */
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

export interface ProfitModel {
  readonly method: string;
  readonly trainedAt: string;
  readonly trainingSize: number;
  readonly level: number;
  readonly heldOut: HeldOutError;
  /** The categories the model knows, per categorical feature (others count as the reference category). */
  readonly categories: {
    readonly offering: readonly string[];
    readonly industry: readonly string[];
    readonly leadRole: readonly string[];
  };
  /** Feature names in the order of `coefficients` (the intercept last), for explanations. */
  readonly featureNames: readonly string[];
  readonly coefficients: readonly number[];
  predict(features: ProfitFeatures, level?: number): ProfitPrediction;
}

/** Fewest closed engagements to train on. */
export const MIN_TRAINING = 30;
const FOLDS = 5;
const DEFAULT_LEVEL = 0.95;

interface Encoding {
  readonly offering: readonly string[];
  readonly industry: readonly string[];
  readonly leadRole: readonly string[];
}

/** Categories by frequency, the most common first: it becomes the reference level (no column of its own). */
function categories(values: readonly (string | null | undefined)[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}

function encode(e: ProfitFeatures, enc: Encoding): number[] {
  const oneHot = (value: string | null | undefined, levels: readonly string[]): number[] =>
    levels.slice(1).map((l) => (l === value ? 1 : 0));
  return [
    Math.log(e.budget),
    e.durationDays / 100,
    ...oneHot(e.offering, enc.offering),
    ...oneHot(e.industry, enc.industry),
    ...oneHot(e.leadRole, enc.leadRole),
  ];
}

function featureNames(enc: Encoding): string[] {
  return [
    'log(budget)',
    'durationDays/100',
    ...enc.offering.slice(1).map((c) => `offering=${c}`),
    ...enc.industry.slice(1).map((c) => `industry=${c}`),
    ...enc.leadRole.slice(1).map((c) => `leadRole=${c}`),
    'intercept',
  ];
}

export function checkFeatures(f: ProfitFeatures): void {
  if (!(typeof f.budget === 'number' && Number.isFinite(f.budget) && f.budget > 0))
    throw new TwingraphError('InvalidArgument', `budget must be a positive number of euros; got ${String(f.budget)}.`);
  if (!(
    typeof f.durationDays === 'number' &&
    Number.isFinite(f.durationDays) &&
    f.durationDays > 0 &&
    f.durationDays <= 3650
  )) {
    throw new TwingraphError(
      'InvalidArgument',
      `durationDays must be a number of days from 1 to 3650; got ${String(f.durationDays)}.`,
    );
  }
  if (typeof f.offering !== 'string' || f.offering.length === 0)
    throw new TwingraphError('InvalidArgument', 'offering must name a service line, e.g. consulting.');
}

interface Fit {
  readonly enc: Encoding;
  readonly weights: number[];
  /** s² (XᵀX)⁻¹, intercept last. */
  readonly covariance: number[][];
  readonly variance: number;
  readonly df: number;
}

function fit(examples: readonly ProfitExample[], enc: Encoding): Fit {
  const x = examples.map((e) => encode(e, enc));
  const y = examples.map((e) => [e.profit / e.budget]);
  // Required on the first fit (ml-matrix under it is sizeable): a server start need not load it.
  const Regression = require('ml-regression-multivariate-linear') as typeof MultivariateLinearRegression;
  const regression = new Regression(x, y, { intercept: true, statistics: true });
  const df = examples.length - (x[0].length + 1);
  return {
    enc,
    weights: regression.weights.map((w) => w[0]),
    covariance: regression.stdErrorMatrix.to2DArray(),
    variance: regression.stdError ** 2,
    df,
  };
}

function predictWith(model: Fit, features: ProfitFeatures, level: number): ProfitPrediction {
  const x = [...encode(features, model.enc), 1];
  let ratio = 0;
  for (let i = 0; i < x.length; i++) ratio += model.weights[i] * x[i];
  let leverage = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = 0; j < x.length; j++) leverage += x[i] * model.covariance[i][j] * x[j];
  const se = Math.sqrt(Math.max(0, model.variance + leverage));
  const half = tQuantile(1 - (1 - level) / 2, Math.max(1, model.df)) * se;
  return {
    value: ratio * features.budget,
    lower: (ratio - half) * features.budget,
    upper: (ratio + half) * features.budget,
    level,
  };
}

/** Deterministic folds: examples in id order, dealt round-robin. */
function folds(examples: readonly ProfitExample[], k: number): ProfitExample[][] {
  const sorted = [...examples].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out: ProfitExample[][] = Array.from({ length: k }, () => []);
  sorted.forEach((e, i) => out[i % k].push(e));
  return out;
}

function crossValidate(examples: readonly ProfitExample[], enc: Encoding, level: number): HeldOutError {
  let absError = 0;
  let absBaseline = 0;
  let covered = 0;
  let n = 0;
  const parts = folds(examples, FOLDS);
  for (let k = 0; k < parts.length; k++) {
    const training = parts.filter((_, j) => j !== k).flat();
    const model = fit(training, enc);
    const meanProfit = training.reduce((s, e) => s + e.profit, 0) / training.length;
    for (const e of parts[k]) {
      const p = predictWith(model, e, level);
      absError += Math.abs(e.profit - p.value);
      absBaseline += Math.abs(e.profit - meanProfit);
      if (e.profit >= p.lower && e.profit <= p.upper) covered++;
      n++;
    }
  }
  return {
    points: n,
    mae: absError / n,
    baselineMae: absBaseline / n,
    baseline: 'the mean profit of the training folds',
    coverage: covered / n,
  };
}

export function trainProfitModel(
  examples: readonly ProfitExample[],
  options: { level?: number; now?: Date } = {},
): ProfitModel {
  const level = options.level ?? DEFAULT_LEVEL;
  if (!(level > 0 && level < 1))
    throw new TwingraphError('InvalidArgument', `The interval level must be between 0 and 1; got ${level}.`);
  // The same bounds predict() enforces: an infinite budget or a decade-long engagement would poison every coefficient.
  const usable = examples.filter(
    (e) =>
      Number.isFinite(e.profit) &&
      Number.isFinite(e.budget) &&
      e.budget > 0 &&
      Number.isFinite(e.durationDays) &&
      e.durationDays > 0 &&
      e.durationDays <= 3650 &&
      e.offering,
  );
  const enc: Encoding = {
    offering: categories(usable.map((e) => e.offering)),
    industry: categories(usable.map((e) => e.industry)),
    leadRole: categories(usable.map((e) => e.leadRole)),
  };
  const parameters = encode(usable[0] ?? { budget: 1, durationDays: 1, offering: '' }, enc).length + 1;
  const needed = Math.max(MIN_TRAINING, parameters * 3);
  if (usable.length < needed) {
    throw new TwingraphError(
      'InsufficientData',
      `The profit model needs at least ${needed} closed engagements with budget, spend, revenue, dates and a service line to train on (${parameters} parameters); there are ${usable.length}.`,
    );
  }
  const final = fit(usable, enc);
  const heldOut = crossValidate(usable, enc, level);
  return {
    method: `Ordinary least squares (ml-regression-multivariate-linear) of profit per euro of budget on log budget, duration, service line, client industry and lead role; ${FOLDS}-fold cross-validated`,
    trainedAt: (options.now ?? new Date()).toISOString(),
    trainingSize: usable.length,
    level,
    heldOut,
    categories: enc,
    featureNames: featureNames(enc),
    coefficients: final.weights,
    predict: (features, at = level) => {
      checkFeatures(features);
      if (!(at > 0 && at < 1))
        throw new TwingraphError('InvalidArgument', `The interval level must be between 0 and 1; got ${at}.`);
      return predictWith(final, features, at);
    },
  };
}
