/**
 * What the analytics stage answers, independent of GraphQL and of the store: plain values that the API
 * maps to its `Prediction`-family types and that subscriptions compare to decide whether something changed.
 */

/** A numeric series, times in epoch milliseconds ascending, one value per time. */
export interface NumericSeries {
  readonly times: readonly number[];
  readonly values: readonly number[];
}

/** How good a prediction method was on data it did not see. */
export interface HeldOutError {
  /** How many held-out points the figures are measured on. */
  readonly points: number;
  /** Mean absolute error of the method on them. */
  readonly mae: number;
  /** The same error of a naive baseline, to judge `mae` against. */
  readonly baselineMae: number;
  /** What the baseline predicts, in words (for example "the mean of the training data"). */
  readonly baseline: string;
  /** Share of held-out points inside the stated prediction interval (null when the method has none). */
  readonly coverage: number | null;
}

export interface ForecastPoint {
  /** ISO 8601 time of the step. */
  readonly time: string;
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
}

export interface SeriesForecast {
  /** The method, in words, for example "MSTL (24-step season) with an AutoETS trend (augurs)". */
  readonly method: string;
  /** Level of the prediction interval, e.g. 0.95. */
  readonly level: number;
  /** The step between forecast points, in milliseconds (the series' median spacing). */
  readonly stepMs: number;
  readonly points: readonly ForecastPoint[];
  /** The same method fitted without the newest `horizon` points and scored on them; null when too short. */
  readonly backtest: HeldOutError | null;
}
