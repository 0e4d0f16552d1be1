/**
 * Forecasting a numeric telemetry series with Grafana's augurs (WASM): MSTL with a daily season and an
 * AutoETS trend when the series has a usable daily season, AutoETS without season otherwise. The series
 * is first put on a regular grid; the same method is scored on the newest `horizon` points it did not see
 * (the backtest) before it is fitted on everything and asked for the forecast.
 *
 * augurs is loaded lazily with require(): it is ESM-only, which the compiled CommonJS server can require()
 * on Node >= 20.19 (jest cannot; see test/support/esm-transform.js), and nothing should pay for two WASM
 * instances until a forecast is actually asked for.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as AugursEts from '@bsull/augurs/ets' with { 'resolution-mode': 'import' };
import type * as AugursMstl from '@bsull/augurs/mstl' with { 'resolution-mode': 'import' };
import { TwingraphError } from '../../errors';
import type { HeldOutError, NumericSeries, SeriesForecast } from './types';

export interface ForecastOptions {
  /** Steps to forecast: a whole number from 1 to MAX_HORIZON, and no more than the resampled series' length. */
  horizon: number;
  /** Level of the prediction interval, strictly between 0 and 1 (default 0.95). */
  level?: number;
}

/** Fewest grid points (after resampling) a forecast is made from; AutoETS itself needs 5. */
export const MIN_POINTS = 8;
/** Longest horizon accepted, whatever the history: a week of minutes is already past what ETS can say much about. */
export const MAX_HORIZON = 1000;
/** Farthest a forecast reaches past the series' last time, whatever its step: a year (daily steps stop at 365). */
export const MAX_HORIZON_HOURS = 8760;
/**
 * Newest grid steps kept; older history is dropped. Bounds memory when a few early points sit far from the
 * rest (the grid would otherwise span the gap at the median step), and bounds time: forecasting is
 * synchronous and costs about 50 µs per step with MSTL (measured: 10,080 minute steps with a 1440-step
 * season take about 0.5 s with the backtest). A week of minutes still holds several daily seasons.
 */
export const MAX_HISTORY = 10_080;

const DAY_MS = 86_400_000;
/** A median spacing within this share of a whole division of a day is taken to be that division (jittered clocks). */
const STEP_SNAP = 0.01;
/** Dates past this are not representable (ECMAScript's time range). */
const MAX_EPOCH_MS = 8.64e15;
/**
 * augurs fits reliably when the data's magnitude is roughly between 1e-8 and 1e30 (measured with 0.10.2:
 * outside it MSTL finds no trend model or returns intervals of the wrong scale). Series whose typical
 * magnitude is outside this narrower window are fitted divided by a power of two, which is exact.
 */
const SAFE_MAGNITUDE = { min: 1e-4, max: 1e12 } as const;

/**
 * Forecasts `options.horizon` steps after the series' last time, with a prediction interval at
 * `options.level`, and reports how the same method did on the newest `horizon` points when it did not see
 * them. Synchronous: the WASM models are small and run in a few tens of milliseconds for a month of hours.
 *
 * Throws TwingraphError `InvalidArgument` for a bad horizon (more than MAX_HORIZON steps, or reaching more
 * than MAX_HORIZON_HOURS past the last time), level or series shape, and `InsufficientData`
 * when the series has fewer than MIN_POINTS grid points or fewer than `horizon`.
 */
export function forecastSeries(series: NumericSeries, options: ForecastOptions): SeriesForecast {
  const level = checkLevel(options.level ?? 0.95);
  const horizon = checkHorizon(options.horizon);
  const grid = resample(series);
  const n = grid.values.length;
  if (n < MIN_POINTS) {
    throw new TwingraphError(
      'InsufficientData',
      `A forecast needs at least ${MIN_POINTS} points on a regular grid; the series has ${n} ` +
        `(${describeInput(series, grid)}). Supply more history.`,
    );
  }
  if (horizon > n) {
    throw new TwingraphError(
      'InsufficientData',
      `A ${horizon}-step horizon needs at least ${horizon} steps of history; the series has ${n} steps of ` +
        `${formatStep(grid.stepMs)}. Ask for at most ${n} steps or supply more history.`,
    );
  }
  if (horizon * grid.stepMs > MAX_HORIZON_HOURS * 3_600_000) {
    throw new TwingraphError(
      'InvalidArgument',
      `A forecast reaches at most ${MAX_HORIZON_HOURS} hours (a year) past the last point; ${horizon} steps of ${formatStep(grid.stepMs)} would reach ` +
        `${Math.round((horizon * grid.stepMs) / 3_600_000)} hours. Ask for at most ${Math.floor((MAX_HORIZON_HOURS * 3_600_000) / grid.stepMs)} steps.`,
    );
  }
  const lastForecastTime = grid.lastTime + horizon * grid.stepMs;
  if (lastForecastTime > MAX_EPOCH_MS) {
    throw new TwingraphError(
      'InvalidArgument',
      `The forecast would end past the latest representable date (${horizon} steps of ${formatStep(grid.stepMs)} after the last time).`,
    );
  }

  const plan = choosePlan(grid, horizon);
  const backtest = heldOut(grid.values, plan, horizon, level);
  const fit = fitAndPredict(grid.values, plan, horizon, level);
  const points = fit.point.map((value, i) => ({
    time: new Date(grid.lastTime + (i + 1) * grid.stepMs).toISOString(),
    value,
    lower: fit.lower[i]!,
    upper: fit.upper[i]!,
  }));
  return { method: describeMethod(plan, grid, fit), level, stepMs: grid.stepMs, points, backtest };
}

// ---------------------------------------------------------------------------------------------------------
// Arguments

function checkLevel(level: number): number {
  if (!(typeof level === 'number' && level > 0 && level < 1)) {
    throw new TwingraphError(
      'InvalidArgument',
      `The interval level must be a number strictly between 0 and 1 (for example 0.95); got ${String(level)}.`,
    );
  }
  return level;
}

function checkHorizon(horizon: number): number {
  if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= MAX_HORIZON)) {
    throw new TwingraphError(
      'InvalidArgument',
      `The horizon must be a whole number of steps from 1 to ${MAX_HORIZON}; got ${String(horizon)}.`,
    );
  }
  return horizon;
}

// ---------------------------------------------------------------------------------------------------------
// Resampling

interface Grid {
  readonly values: number[];
  readonly stepMs: number;
  readonly lastTime: number;
  /** Grid steps with no point of their own, filled by linear interpolation. */
  readonly interpolated: number;
  /** Input points left out: non-finite time or value. */
  readonly ignored: number;
  /** Whether points older than MAX_HISTORY steps were dropped. */
  readonly truncated: boolean;
}

function resample(series: NumericSeries): Grid {
  const { times } = series;
  if (times.length !== series.values.length) {
    throw new TwingraphError(
      'InvalidArgument',
      `A series needs one value per time; got ${times.length} times and ${series.values.length} values.`,
    );
  }
  let ts: number[] = [];
  let vs: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    const v = series.values[i]!;
    if (Number.isFinite(t) && Number.isFinite(v)) {
      if (Math.abs(t) > MAX_EPOCH_MS) {
        throw new TwingraphError(
          'InvalidArgument',
          `Time ${t} is not an epoch-milliseconds time (ECMAScript dates end at ±${MAX_EPOCH_MS}).`,
        );
      }
      ts.push(t);
      vs.push(v);
    }
  }
  const ignored = times.length - ts.length;
  if (!isAscending(ts)) [ts, vs] = sortByTime(ts, vs);

  const spacings: number[] = [];
  for (let i = 1; i < ts.length; i++) if (ts[i]! > ts[i - 1]!) spacings.push(ts[i]! - ts[i - 1]!);
  // Fewer than two distinct times: no step to put on a grid; the caller reports the single point it makes.
  if (spacings.length === 0) {
    const level = vs.length === 0 ? [] : [mean(vs)];
    return { values: level, stepMs: 0, lastTime: ts[ts.length - 1] ?? 0, interpolated: 0, ignored, truncated: false };
  }
  const stepMs = snapStep(median(spacings));
  const lastTime = ts[ts.length - 1]!;
  const span = Math.round((lastTime - ts[0]!) / stepMs) + 1;
  const length = Math.min(span, MAX_HISTORY);
  const sums = new Float64Array(length);
  const counts = new Uint32Array(length);
  for (let i = 0; i < ts.length; i++) {
    const stepsBack = Math.round((lastTime - ts[i]!) / stepMs);
    if (stepsBack >= length) continue;
    const index = length - 1 - stepsBack;
    sums[index]! += vs[i]!;
    counts[index]! += 1;
  }
  const out = new Array<number>(length);
  let interpolated = 0;
  let previous = -1;
  for (let i = 0; i < length; i++) {
    if (counts[i] === 0) continue;
    out[i] = bucketMean(sums[i]!, counts[i]!, ts, vs, lastTime, stepMs, length - 1 - i);
    if (previous >= 0 && i - previous > 1) {
      interpolated += i - previous - 1;
      const from = out[previous]!;
      const to = out[i]!;
      for (let j = previous + 1; j < i; j++) out[j] = from + ((to - from) * (j - previous)) / (i - previous);
    }
    previous = i;
  }
  // When history was truncated the oldest kept steps may have no point before them to interpolate from.
  const first = out.findIndex((v) => v !== undefined);
  const values = out.slice(first);
  return { values, stepMs, lastTime, interpolated, ignored, truncated: span > MAX_HISTORY || first > 0 };
}

/** A bucket's mean; summing huge values can overflow where their mean does not. */
function bucketMean(
  sum: number,
  count: number,
  ts: number[],
  vs: number[],
  lastTime: number,
  stepMs: number,
  stepsBack: number,
): number {
  const plain = sum / count;
  if (Number.isFinite(plain)) return plain;
  let m = 0;
  let k = 0;
  for (let i = 0; i < ts.length; i++) {
    if (Math.round((lastTime - ts[i]!) / stepMs) === stepsBack) m += (vs[i]! - m) / ++k;
  }
  return m;
}

/** Jittered timestamps give a median spacing just off the intended one, which would hide the daily season. */
function snapStep(medianSpacing: number): number {
  const perDay = Math.round(DAY_MS / medianSpacing);
  if (perDay >= 1 && DAY_MS % perDay === 0) {
    const snapped = DAY_MS / perDay;
    if (Math.abs(snapped - medianSpacing) <= STEP_SNAP * medianSpacing) return snapped;
  }
  return Math.max(1, Math.round(medianSpacing));
}

function isAscending(ts: readonly number[]): boolean {
  for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) return false;
  return true;
}

function sortByTime(ts: number[], vs: number[]): [number[], number[]] {
  const order = ts.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]! || a - b);
  return [order.map((i) => ts[i]!), order.map((i) => vs[i]!)];
}

// ---------------------------------------------------------------------------------------------------------
// Method choice

interface Plan {
  /** Daily season in steps, or null for AutoETS without season. */
  readonly season: number | null;
  /**
   * Weekly season in steps, beside the daily one, when the series holds two weeks besides the horizon:
   * business telemetry differs between weekdays and weekends, and a daily season alone averages the two
   * (on the demo's device temperatures the week cut the error by a tenth and brought the interval's coverage
   * from 0.99 to 0.95).
   */
  readonly week: number | null;
  /** Why there is no season, in words (null when there is one). */
  readonly noSeasonBecause: string | null;
}

function choosePlan(grid: Grid, horizon: number): Plan {
  const perDay = DAY_MS / grid.stepMs;
  if (!Number.isInteger(perDay) || perDay < 2) {
    const because =
      perDay < 2
        ? `a step of ${formatStep(grid.stepMs)} leaves fewer than 2 steps per day`
        : `a day is not a whole number of ${formatStep(grid.stepMs)} steps`;
    return { season: null, week: null, noSeasonBecause: because };
  }
  if (grid.values.length < 2 * perDay) {
    return {
      season: null,
      week: null,
      noSeasonBecause: `${grid.values.length} steps cover less than the 2 full days (${2 * perDay} steps) a daily season needs`,
    };
  }
  // The backtest fits the same method without the horizon's points: decide on the shorter series.
  const week = 7 * perDay;
  return { season: perDay, week: grid.values.length - horizon >= 2 * week ? week : null, noSeasonBecause: null };
}

/** Fewest points the plan's method is fitted on: MSTL needs two full seasons of its longest. */
function minimumFit(plan: Plan): number {
  return plan.season === null ? MIN_POINTS : Math.max(MIN_POINTS, 2 * (plan.week ?? plan.season));
}

// ---------------------------------------------------------------------------------------------------------
// Fitting

interface Fit {
  readonly point: number[];
  readonly lower: number[];
  readonly upper: number[];
  /** How the forecast was actually made when it was not the plan's augurs model. */
  readonly fallback: 'constant' | { readonly reason: string; readonly by: 'ets' | 'naive' } | null;
}

function fitAndPredict(values: readonly number[], plan: Plan, horizon: number, level: number): Fit {
  const first = values[0]!;
  if (values.every((v) => v === first)) {
    // augurs fits a constant series, but MSTL returns it with noise in the sixth decimal; the exact answer is
    // the constant itself, and no spread was ever seen, so the interval has none either.
    const same = new Array<number>(horizon).fill(first);
    return { point: same, lower: same, upper: same, fallback: 'constant' };
  }
  const scale = fittingScale(values);
  const scaled = scale === 1 ? Float64Array.from(values) : Float64Array.from(values, (v) => v / scale);
  let reason: string;
  try {
    const raw =
      plan.season === null
        ? predictEts(scaled, horizon, level)
        : predictMstl(scaled, plan.week === null ? [plan.season] : [plan.season, plan.week], horizon, level);
    const fit = unscale(raw, scale);
    if (fit) return { ...fit, fallback: null };
    reason = 'augurs returned a non-finite forecast or interval';
  } catch (error) {
    reason = `augurs could not fit it (${error instanceof Error ? error.message : String(error)})`;
  }
  if (plan.season !== null) {
    try {
      const fit = unscale(predictEts(scaled, horizon, level), scale);
      if (fit) return { ...fit, fallback: { reason, by: 'ets' } };
    } catch {
      // Fall through to the naive forecast, which cannot fail.
    }
  }
  return { ...naiveForecast(values, plan.season, horizon, level), fallback: { reason, by: 'naive' } };
}

/** 1, unless the typical magnitude is outside what augurs fits reliably; then the nearest power of two to it. */
function fittingScale(values: readonly number[]): number {
  const magnitudes = values.map(Math.abs);
  let typical = median(magnitudes);
  if (typical === 0) typical = Math.max(...magnitudes);
  if (typical >= SAFE_MAGNITUDE.min && typical <= SAFE_MAGNITUDE.max) return 1;
  return 2 ** Math.round(Math.log2(typical));
}

interface RawForecast {
  readonly point: ArrayLike<number>;
  readonly intervals?: { readonly lower: ArrayLike<number>; readonly upper: ArrayLike<number> } | undefined;
}

function unscale(raw: RawForecast, scale: number): Omit<Fit, 'fallback'> | null {
  const intervals = raw.intervals;
  if (!intervals) return null;
  const point = Array.from(raw.point, (v) => v * scale);
  const lower = Array.from(intervals.lower, (v) => v * scale);
  const upper = Array.from(intervals.upper, (v) => v * scale);
  const finite = (xs: number[]) => xs.every(Number.isFinite);
  if (!(finite(point) && finite(lower) && finite(upper))) return null;
  return { point, lower, upper };
}

function predictMstl(values: Float64Array, periods: number[], horizon: number, level: number): RawForecast {
  const model = augursMstl().MSTL.ets(periods);
  try {
    model.fit(values);
    return model.predict(horizon, level);
  } finally {
    model.free();
  }
}

function predictEts(values: Float64Array, horizon: number, level: number): RawForecast {
  // Season length 1 and "ZZN": any error and trend type, no seasonal component (augurs' non_seasonal()).
  const model = new (augursEts().AutoETS)(1, 'ZZN');
  try {
    model.fit(values);
    return model.predict(horizon, level);
  } finally {
    model.free();
  }
}

/**
 * Last resort when augurs cannot fit (values so extreme that its likelihood overflows): the (seasonal) naive
 * forecast, with an interval from the empirical `level` quantile of the absolute k-step changes in the series.
 */
function naiveForecast(
  values: readonly number[],
  season: number | null,
  horizon: number,
  level: number,
): Omit<Fit, 'fallback'> {
  const n = values.length;
  const point: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let k = 1; k <= horizon; k++) {
    const value = naiveValue(values, n, season, k);
    const lag = Math.min(k, n - 1);
    const changes: number[] = [];
    for (let i = lag; i < n; i++) changes.push(Math.abs(values[i]! - values[i - lag]!));
    changes.sort((a, b) => a - b);
    const spread = clampFinite(changes[Math.min(changes.length - 1, Math.ceil(level * changes.length) - 1)] ?? 0);
    point.push(value);
    lower.push(clampFinite(value - spread));
    upper.push(clampFinite(value + spread));
  }
  return { point, lower, upper };
}

/** The naive forecast `k` steps after the first `end` values: one season earlier, or the last value. */
function naiveValue(values: readonly number[], end: number, season: number | null, k: number): number {
  if (season === null || season > end) return values[end - 1]!;
  return values[end - season + ((k - 1) % season)]!;
}

function clampFinite(x: number): number {
  return Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, x));
}

// ---------------------------------------------------------------------------------------------------------
// Backtest

function heldOut(values: readonly number[], plan: Plan, horizon: number, level: number): HeldOutError | null {
  const end = values.length - horizon;
  if (end < minimumFit(plan)) return null;
  const training = values.slice(0, end);
  const fit = fitAndPredict(training, plan, horizon, level);
  let error = 0;
  let baselineError = 0;
  let covered = 0;
  for (let k = 1; k <= horizon; k++) {
    const actual = values[end + k - 1]!;
    error += Math.abs(fit.point[k - 1]! - actual);
    baselineError += Math.abs(naiveValue(training, end, plan.season, k) - actual);
    if (fit.lower[k - 1]! <= actual && actual <= fit.upper[k - 1]!) covered++;
  }
  return {
    points: horizon,
    mae: clampFinite(error / horizon),
    baselineMae: clampFinite(baselineError / horizon),
    baseline:
      plan.season === null
        ? 'the last value before the held-out points'
        : `the value one daily season (${plan.season} steps) earlier`,
    coverage: covered / horizon,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Words

function describeMethod(plan: Plan, grid: Grid, fit: Fit): string {
  let method: string;
  if (fit.fallback === 'constant') {
    method = `constant series (every value ${grid.values[0]}): the forecast repeats it with a zero-width interval; no model fitted`;
  } else if (fit.fallback !== null) {
    const by =
      fit.fallback.by === 'ets'
        ? 'AutoETS without season (augurs)'
        : `a ${plan.season === null ? '' : 'seasonal '}naive forecast with an interval from the empirical spread of past changes`;
    method = `${by}, because ${fit.fallback.reason}`;
  } else if (plan.season !== null) {
    method =
      plan.week === null
        ? `MSTL with a ${plan.season}-step daily season and an AutoETS trend (augurs)`
        : `MSTL with ${plan.season}-step daily and ${plan.week}-step weekly seasons and an AutoETS trend (augurs)`;
  } else {
    method = `AutoETS without season (augurs); no daily season because ${plan.noSeasonBecause}`;
  }
  const notes = [`on a ${formatStep(grid.stepMs)} grid`];
  if (grid.interpolated > 0) notes.push(`${grid.interpolated} of ${grid.values.length} steps interpolated across gaps`);
  if (grid.ignored > 0) notes.push(`${grid.ignored} non-finite point${grid.ignored === 1 ? '' : 's'} ignored`);
  if (grid.truncated) notes.push(`only the newest ${grid.values.length} steps used`);
  return `${method}; ${notes.join(', ')}`;
}

function describeInput(series: NumericSeries, grid: Grid): string {
  const parts = [`${series.times.length} given`];
  if (grid.ignored > 0) parts.push(`${grid.ignored} with a non-finite time or value`);
  if (grid.stepMs > 0) parts.push(`resampled at ${formatStep(grid.stepMs)}`);
  else if (grid.values.length > 0) parts.push('all at one time');
  return parts.join(', ');
}

function formatStep(ms: number): string {
  const units: [number, string][] = [
    [DAY_MS, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}

// ---------------------------------------------------------------------------------------------------------
// Small statistics

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mean(xs: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += (xs[i]! - m) / (i + 1);
  return m;
}

// ---------------------------------------------------------------------------------------------------------
// augurs

type MstlEntry = typeof AugursMstl;
type EtsEntry = typeof AugursEts;

let mstlEntry: MstlEntry | undefined;
let etsEntry: EtsEntry | undefined;

function augursMstl(): MstlEntry {
  mstlEntry ??= loadEntry<MstlEntry>('mstl');
  return mstlEntry;
}

function augursEts(): EtsEntry {
  etsEntry ??= loadEntry<EtsEntry>('ets');
  return etsEntry;
}

/**
 * Each augurs entry point is its own wasm-bindgen module with its own WASM instance. Its default init would
 * fetch() the .wasm next to it, which is asynchronous; initSync with the bytes keeps forecasting synchronous.
 * The package's exports map does not expose the .wasm files, so they are found next to the resolved entry.
 */
function loadEntry<T extends { initSync(module: { module: Uint8Array }): unknown }>(name: 'mstl' | 'ets'): T {
  const specifier = `@bsull/augurs/${name}`;
  const entry = require(specifier) as T;
  entry.initSync({ module: readFileSync(join(dirname(require.resolve(specifier)), `${name}_bg.wasm`)) });
  return entry;
}
