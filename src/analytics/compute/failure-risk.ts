/**
 * Failure risk of a device: a wear-out model on the vibration trend and a random-failure model on the state
 * history, combined as independent competing risks.
 *
 * Wear-out regresses each day's peak vibration on time rather than the hourly readings. Hourly residuals
 * around a straight line carry the daily load cycle, so they are strongly autocorrelated and the OLS standard
 * errors that the prediction bands rest on would be too small; daily means remove the cycle too but track the
 * wrong quantity, since the threshold is first reached at the peak of the cycle, a fixed amplitude above the
 * mean. The daily peak is the quantity that fails, with nearly independent day-to-day noise.
 *
 * The straight line is right for linear wear and lags accelerating wear: there the probabilities come out low
 * and the intervals late (see the test file for measured coverage), which a quadratic or log-scale fit on a
 * week of daily peaks would trade for much wider or, on linear wear, badly pessimistic answers.
 */
import { TwingraphError } from '../../errors';
import { linearRegression, mean, tCdf, tQuantile } from './stats';
import type { NumericSeries } from './types';

/** 7.1 mm/s: the ISO 10816 zone C/D boundary for medium machines, in the DTDL model's cm/s. */
export const VIBRATION_FAILURE_THRESHOLD = 0.71;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const LEVEL = 0.95;
/** Past a year a straight-line extrapolation of a week's trend says nothing useful. */
const CAP_DAYS = 365;
const MAX_HORIZON_HOURS = CAP_DAYS * 24;
const DEFAULT_WINDOW_DAYS = 7;
const MAX_WINDOW_DAYS = 365;
const MIN_POINTS = 24;
/** Two residual degrees of freedom: fewer and the t quantile (12.7 at df 1) makes every band useless. */
const MIN_DAYS = 4;
/** A day with fewer readings than this share of a full day may have missed its peak hours. */
const MIN_DAY_COVERAGE = 0.5;
/** Below this many devices a method-of-moments variance is noise. */
const MIN_FLEET = 5;
/** Weak prior: half a failure's worth of information (the Jeffreys shape). */
const WEAK_SHAPE = 0.5;
const FAILED = 'failed';

export interface DeviceTelemetryHistory {
  /** Epoch milliseconds; readings and states after it are ignored. */
  readonly now: number;
  readonly vibration: NumericSeries;
  readonly temperature?: NumericSeries;
  /** The `stateChange` series: the state entered, at the time it was entered. */
  readonly states: readonly { readonly time: number; readonly state: string }[];
}

/** Gamma prior of a device's random-failure rate: shape `alpha`, rate `beta` in days (mean alpha / beta failures per day). */
export interface FleetPrior {
  readonly alpha: number;
  readonly beta: number;
  /** Devices it was fitted on (0 for the default prior). */
  readonly devices: number;
}

/** What the fleet prior is fitted on, per device. */
export interface FailureObservation {
  readonly failures: number;
  /** Days at risk: the observed span less the time spent in 'failed'. */
  readonly observedDays: number;
}

export interface FailureRiskOptions {
  readonly horizonHours: number;
  /** Vibration (cm/s) that counts as failure; 0.71 unless given. */
  readonly threshold?: number;
  /** Whole days of vibration to fit the trend on, ending at `now`; 7 unless given. */
  readonly windowDays?: number;
}

export interface FailureRisk {
  readonly horizonHours: number;
  /** P(failure within the horizon) = 1 − (1 − wear)(1 − random); 1 when the newest state is 'failed'. */
  readonly probability: number;
  readonly wearProbability: number;
  readonly randomProbability: number;
  /** Hours from `now` until the fitted daily-peak vibration reaches the threshold; null when its slope is not significantly positive or the crossing is more than a year away. */
  readonly timeToFailureHours: number | null;
  /** Earliest plausible failure: where the upper prediction band reaches the threshold (null: beyond a year). */
  readonly lower: number | null;
  /** Latest plausible failure: where the lower prediction band reaches it, plus a day for the next daily peak (null: beyond a year, or never). */
  readonly upper: number | null;
  readonly level: number;
  /** Slope of the daily-peak vibration, cm/s per day. */
  readonly vibrationTrendPerDay: number | null;
  /** The fitted daily-peak vibration at `now` (not the newest reading, which may sit in a trough of the daily cycle). */
  readonly vibrationNow: number | null;
  /** Slope of the daily mean temperature, °C per day: a driver to show, not an input of the probabilities. */
  readonly temperatureTrendPerDay: number | null;
  readonly threshold: number;
  readonly failuresObserved: number;
  readonly observedDays: number;
  /** Posterior mean of the random-failure rate, failures per day. */
  readonly failureRatePerDay: number;
  readonly method: string;
}

// Quantiles depend only on the degrees of freedom, which take a handful of values.
const quantiles = new Map<number, number>();
function tCritical(df: number): number {
  let q = quantiles.get(df);
  if (q === undefined) {
    q = tQuantile(1 - (1 - LEVEL) / 2, df);
    quantiles.set(df, q);
  }
  return q;
}

function invalid(message: string): never {
  throw new TwingraphError('InvalidArgument', message);
}

function isSorted(states: readonly { time: number }[]): boolean {
  for (let i = 1; i < states.length; i++) if (!(states[i]!.time >= states[i - 1]!.time)) return false;
  return true;
}

function sortedStates<S extends { time: number; state: string }>(states: readonly S[]): readonly S[] {
  const finite = states.every((s) => Number.isFinite(s.time)) ? states : states.filter((s) => Number.isFinite(s.time));
  return isSorted(finite) ? finite : [...finite].sort((a, b) => a.time - b.time);
}

/**
 * Transitions into 'failed' at times `from < t ≤ to` (half-open like the telemetry windows, so that adjacent
 * windows do not count one twice). A repeated 'failed' entry is not a new failure: the previous state decides,
 * even when it lies before `from`.
 */
export function countFailures(
  states: readonly { readonly time: number; readonly state: string }[],
  from = -Infinity,
  to = Infinity,
): number {
  let failures = 0;
  let previous: string | undefined;
  for (const s of sortedStates(states)) {
    if (s.state === FAILED && previous !== FAILED && s.time > from && s.time <= to) failures++;
    previous = s.state;
  }
  return failures;
}

/**
 * A device's failures and days at risk up to `now`, defined as `assessFailureRisk` uses them, so that a fleet
 * prior fitted on these matches the per-device update. Time spent in 'failed' is not at risk: a failed device
 * cannot fail again until it is repaired.
 */
export function observeFailures(
  history: Pick<DeviceTelemetryHistory, 'now' | 'states' | 'vibration'>,
): FailureObservation {
  const { now } = history;
  const states = sortedStates(history.states).filter((s) => s.time <= now);
  let start = Infinity;
  if (states.length > 0) start = states[0]!.time;
  for (const t of history.vibration.times) {
    if (Number.isFinite(t) && t <= now) {
      start = Math.min(start, t);
      break; // ascending: the first finite one is the oldest
    }
  }
  if (!Number.isFinite(start)) return { failures: 0, observedDays: 0 };
  let down = 0;
  for (let i = 0; i < states.length; i++) {
    if (states[i]!.state !== FAILED) continue;
    const end = i + 1 < states.length ? states[i + 1]!.time : now;
    down += Math.max(0, end - states[i]!.time);
  }
  return { failures: countFailures(states, -Infinity, now), observedDays: Math.max(0, (now - start - down) / DAY_MS) };
}

/**
 * Empirical-Bayes Gamma prior of the per-device failure rate: method of moments on the fleet's rates
 * x/e, with the mean the pooled rate Σx/Σe and the between-device variance
 * v = (Σ e (x/e − m)² − (N − 1) m) / (Σe − Σe²/Σe), the part of the rates' spread that Poisson noise does not explain.
 * The prior never carries more information than the fleet itself (beta ≤ Σe): when v ≤ 0 the fleet looks
 * homogeneous and the prior is the pooled Gamma(Σx, Σe). With fewer than 5 devices or no failure at all the
 * variance cannot be estimated, and the prior is a weak Gamma(½, ·) centred on the pooled Jeffreys rate (Σx + ½)/Σe
 * (one failure a year with no exposure at all). Devices with no days at risk carry no rate information and are skipped.
 */
export function fitFleetPrior(devices: readonly FailureObservation[]): FleetPrior {
  let n = 0;
  let x = 0;
  let e = 0;
  let e2 = 0;
  for (const d of devices) {
    if (!Number.isFinite(d.failures) || d.failures < 0 || !Number.isFinite(d.observedDays) || d.observedDays < 0) {
      invalid(
        `fitFleetPrior needs non-negative finite failures and observedDays; got ${d.failures} failures in ${d.observedDays} days.`,
      );
    }
    if (d.observedDays === 0) continue;
    n++;
    x += d.failures;
    e += d.observedDays;
    e2 += d.observedDays * d.observedDays;
  }
  if (n >= MIN_FLEET && x > 0) {
    const m = x / e;
    let spread = 0;
    for (const d of devices) {
      if (d.observedDays > 0) spread += d.observedDays * (d.failures / d.observedDays - m) ** 2;
    }
    const denominator = e - e2 / e;
    const v = denominator > 0 ? (spread - (n - 1) * m) / denominator : 0;
    const beta = v > 0 ? Math.min(m / v, e) : e;
    return { alpha: m * beta, beta, devices: n };
  }
  const rate = e > 0 ? (x + WEAK_SHAPE) / e : 1 / 365;
  return { alpha: WEAK_SHAPE, beta: WEAK_SHAPE / rate, devices: n };
}

/** OLS of daily peaks on time (days from `now`), with what its prediction bands need. */
interface PeakTrend {
  readonly n: number;
  readonly df: number;
  readonly q: number;
  readonly intercept: number;
  readonly slope: number;
  readonly xbar: number;
  readonly sxx: number;
  /** Residual standard deviation; 0 when the peaks lie on a line (constant series). */
  readonly s: number;
}

function fitLine(xs: readonly number[], ys: readonly number[]): PeakTrend {
  const n = xs.length;
  const { m, b } = linearRegression(xs.map((x, i) => [x, ys[i]!]));
  const xbar = mean(xs as number[]);
  let sxx = 0;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - xbar) ** 2;
    sse += (ys[i]! - (b + m * xs[i]!)) ** 2;
  }
  let slope = m;
  let intercept = b;
  let s = Math.sqrt(sse / (n - 2));
  // Rounding leaves ~1e-17 of "noise" on a constant series; a t model would then call a 1e-17 slope
  // significant. Below this the peaks are exactly on a line and the predictive distribution is a point mass.
  const scale = Math.max(1e-300, ...ys.map(Math.abs));
  if (!(s > 1e-9 * scale)) {
    s = 0;
    if (Math.abs(slope) * Math.sqrt(sxx) <= 1e-9 * scale) {
      slope = 0;
      intercept = mean(ys as number[]);
    }
  }
  const df = n - 2;
  return { n, df, q: tCritical(df), intercept, slope, xbar, sxx, s };
}

const fitted = (f: PeakTrend, x: number): number => f.intercept + f.slope * x;
const predictionSe = (f: PeakTrend, x: number): number => f.s * Math.sqrt(1 + 1 / f.n + (x - f.xbar) ** 2 / f.sxx);

/** P(daily peak at x ≥ threshold) under the t(n − 2) predictive distribution. */
function exceedance(f: PeakTrend, x: number, threshold: number): number {
  const mu = fitted(f, x);
  if (f.s === 0) return mu >= threshold ? 1 : 0;
  return 1 - tCdf((threshold - mu) / predictionSe(f, x), f.df);
}

/**
 * Wear probability over [0, h] days: the largest exceedance probability on the interval. Failure by h includes
 * the level being above threshold at any single time in it, so this is a lower bound on P(failure by h) and,
 * unlike the probability at h alone, cannot fall as the horizon grows (it would, for a flat or falling trend,
 * once the mean moves away faster than the band widens). The exceedance z-score has one stationary point,
 * x̄ − slope·(1 + 1/n)·Sxx / (threshold − ȳ), so the endpoints and that point give the supremum exactly.
 */
function wearProbability(f: PeakTrend, h: number, threshold: number): number {
  let p = Math.max(exceedance(f, 0, threshold), exceedance(f, h, threshold));
  const d = threshold - fitted(f, f.xbar);
  if (f.s > 0 && d !== 0) {
    const x = f.xbar - (f.slope * (1 + 1 / f.n) * f.sxx) / d;
    if (x > 0 && x < h) p = Math.max(p, exceedance(f, x, threshold));
  }
  return p;
}

/** First x in [0, cap] where the band reaches the threshold, by bisection: valid for a convex or an increasing band, which cross at most once upwards. */
function firstCrossing(band: (x: number) => number, threshold: number, cap: number): number | null {
  if (band(0) >= threshold) return 0;
  if (!(band(cap) >= threshold)) return null;
  let lo = 0;
  let hi = cap;
  for (let i = 0; i < 48; i++) {
    const mid = (lo + hi) / 2;
    if (band(mid) >= threshold) hi = mid;
    else lo = mid;
  }
  return hi;
}

interface TimeToFailure {
  readonly point: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

/**
 * Inverse prediction: the interval is the set of times at which the threshold lies inside the 95 % band. The
 * upper band is convex, so below the threshold now and above it at the cap means exactly one crossing in
 * between. The lower band rises for good only when slope > q·se(slope) (the slope's 95 % interval excludes 0);
 * otherwise it turns down again and the interval has no upper end, which is also when the point estimate is
 * withheld, so the point, when present, has a lower end and, unless beyond the cap, an upper end.
 */
function timeToFailure(f: PeakTrend, threshold: number): TimeToFailure {
  const upperBand = (x: number): number => fitted(f, x) + f.q * predictionSe(f, x);
  const lowerBand = (x: number): number => fitted(f, x) - f.q * predictionSe(f, x);
  if (lowerBand(0) >= threshold) return { point: 0, lower: 0, upper: 0 };
  const lower = firstCrossing(upperBand, threshold, CAP_DAYS);
  const significant = f.slope > 0 && f.slope * f.slope * f.sxx > f.q * f.q * f.s * f.s;
  const already = fitted(f, 0) >= threshold;
  if (!significant) return { point: already ? 0 : null, lower, upper: null };
  const crossing = already ? 0 : (threshold - f.intercept) / f.slope;
  // The fitted level is that of the daily peak, which a reading only shows once a day: the first reading at the
  // threshold comes at the first peak after the level gets there, up to a day later. Without this day a
  // steep trend's narrow interval missed the true crossing late one time in ten.
  const latest = firstCrossing(lowerBand, threshold, CAP_DAYS);
  const upper = latest === null || latest + 1 > CAP_DAYS ? null : latest + 1;
  if (crossing > CAP_DAYS) return { point: null, lower, upper };
  // Bisection stops a hair past a crossing; with no residual noise the bands are the line and could land beyond the point.
  return {
    point: crossing,
    lower: lower === null ? crossing : Math.min(lower, crossing),
    upper: upper === null ? null : Math.max(upper, crossing),
  };
}

interface DailyBlocks {
  /** Readings in the window. */
  readonly points: number;
  /** Per usable day (24 h block ending at now − k days): when its peak was, in days from now, and the peak. */
  readonly peakTimes: number[];
  readonly peaks: number[];
  readonly means: number[];
  readonly meanTimes: number[];
}

// Bound once for the per-reading loop: inside a vm context (Jest) every global lookup goes through an
// interceptor and cost 50× more, enough to make 720 readings take most of a millisecond.
const { floor } = Math;
const isFiniteNumber = Number.isFinite;

/** Days are 24 h blocks counted back from `now`, not calendar days, so that the newest one is complete. */
function dailyBlocks(series: NumericSeries, now: number, windowDays: number): DailyBlocks {
  const count = new Array<number>(windowDays).fill(0);
  const sum = new Array<number>(windowDays).fill(0);
  const peak = new Array<number>(windowDays).fill(-Infinity);
  const peakAt = new Array<number>(windowDays).fill(0);
  let points = 0;
  const { times: ts, values: vs } = series;
  const length = Math.min(ts.length, vs.length);
  for (let i = 0; i < length; i++) {
    const t = ts[i]!;
    const v = vs[i]!;
    if (!isFiniteNumber(t) || !isFiniteNumber(v) || t > now) continue;
    const k = floor((now - t) / DAY_MS);
    if (k >= windowDays) continue;
    points++;
    count[k]!++;
    sum[k]! += v;
    if (v > peak[k]!) {
      peak[k] = v;
      peakAt[k] = (t - now) / DAY_MS;
    }
  }
  // A full day's reading count, whatever the sampling rate: the median over the days that have any.
  const counts = count.filter((c) => c > 0).sort((a, b) => a - b);
  const typical = counts.length > 0 ? counts[Math.floor(counts.length / 2)]! : 0;
  const needed = Math.max(1, Math.ceil(MIN_DAY_COVERAGE * typical));
  const blocks: DailyBlocks = { points, peakTimes: [], peaks: [], means: [], meanTimes: [] };
  for (let k = windowDays - 1; k >= 0; k--) {
    if (count[k]! < needed) continue;
    blocks.peakTimes.push(peakAt[k]!);
    blocks.peaks.push(peak[k]!);
    blocks.means.push(sum[k]! / count[k]!);
    blocks.meanTimes.push(-k - 0.5);
  }
  return blocks;
}

function finite(x: number, fallback = 0): number {
  return Number.isFinite(x) ? x : fallback;
}

const clamp01 = (p: number): number => Math.min(1, Math.max(0, finite(p)));

const hours = (days: number | null): number | null =>
  days === null || !Number.isFinite(days) ? null : Math.max(0, days * 24);

function round(x: number, digits: number): string {
  return Number(x.toPrecision(digits)).toString();
}

/**
 * Failure risk over `horizonHours` from the vibration trend (wear-out) and the state history (random failures).
 * Throws InvalidArgument for a horizon that is not in (0, 8760] hours and for malformed options or prior, and
 * InsufficientData when the window has too little vibration to fit a trend, unless the device is in 'failed'.
 */
export function assessFailureRisk(
  history: DeviceTelemetryHistory,
  prior: FleetPrior,
  options: FailureRiskOptions,
): FailureRisk {
  const { horizonHours } = options;
  if (
    typeof horizonHours !== 'number' ||
    !Number.isFinite(horizonHours) ||
    horizonHours <= 0 ||
    horizonHours > MAX_HORIZON_HOURS
  ) {
    invalid(`horizonHours must be a number in (0, ${MAX_HORIZON_HOURS}]; got ${String(horizonHours)}.`);
  }
  const threshold = options.threshold ?? VIBRATION_FAILURE_THRESHOLD;
  if (!Number.isFinite(threshold) || threshold <= 0)
    invalid(`threshold must be a positive number of cm/s; got ${threshold}.`);
  const windowDays = options.windowDays ?? DEFAULT_WINDOW_DAYS;
  if (!Number.isInteger(windowDays) || windowDays < MIN_DAYS || windowDays > MAX_WINDOW_DAYS) {
    invalid(`windowDays must be a whole number of days in [${MIN_DAYS}, ${MAX_WINDOW_DAYS}]; got ${windowDays}.`);
  }
  const { now } = history;
  if (!Number.isFinite(now)) invalid(`now must be a finite epoch-milliseconds time; got ${now}.`);
  if (!(Number.isFinite(prior.alpha) && prior.alpha > 0 && Number.isFinite(prior.beta) && prior.beta > 0)) {
    invalid(`The fleet prior needs a positive finite alpha and beta; got Gamma(${prior.alpha}, ${prior.beta}).`);
  }
  const horizonDays = horizonHours / 24;

  // Random failures: Gamma(α + x, β + e) posterior; the chance of at least one failure in h days is one minus
  // the negative-binomial probability of none, which keeps the rate's uncertainty (1 − exp(−λ̂h) would drop it).
  const observed = observeFailures(history);
  const alpha = prior.alpha + observed.failures;
  const beta = prior.beta + observed.observedDays;
  const randomProbability = clamp01(-Math.expm1(-alpha * Math.log1p(horizonDays / beta)));
  const failureRatePerDay = alpha / beta;

  const states = sortedStates(history.states).filter((s) => s.time <= now);
  const failedNow = states.length > 0 && states[states.length - 1]!.state === FAILED;

  const blocks = dailyBlocks(history.vibration, now, windowDays);
  const enough = blocks.points >= MIN_POINTS && blocks.peaks.length >= MIN_DAYS;
  if (!enough && !failedNow) {
    throw new TwingraphError(
      'InsufficientData',
      `Failure risk needs vibration on at least ${MIN_DAYS} of the last ${windowDays} days (24 h blocks ending at now), each with readings ` +
        `covering at least half the day, and at least ${MIN_POINTS} readings in all; found ${blocks.points} readings covering ${blocks.peaks.length} such days.`,
    );
  }

  const temperature = history.temperature ? dailyBlocks(history.temperature, now, windowDays) : undefined;
  const temperatureTrendPerDay =
    temperature && temperature.means.length >= MIN_DAYS
      ? finite(fitLine(temperature.meanTimes, temperature.means).slope)
      : null;

  const trend = enough ? fitLine(blocks.peakTimes, blocks.peaks) : undefined;
  const wear = trend ? clamp01(wearProbability(trend, horizonDays, threshold)) : 0;
  const ttf = trend ? timeToFailure(trend, threshold) : { point: null, lower: null, upper: null };

  const randomText =
    `random failures: ${observed.failures} failure(s) in ${round(observed.observedDays, 3)} days at risk, Poisson rate with a ` +
    `Gamma(${round(prior.alpha, 3)}, ${round(prior.beta, 3)} d) prior fitted on ${prior.devices} device(s), ` +
    `negative-binomial chance of at least one failure`;
  const wearText = trend
    ? `wear-out: OLS of the daily peak vibration on time over the last ${windowDays} days (${trend.n} days), t(${trend.df}) prediction ` +
      `of the peak reaching ${threshold} cm/s, time to failure where the line and its ${LEVEL * 100} % prediction bands cross it`
    : 'wear-out: not assessed (too little vibration)';
  const method = failedNow
    ? `newest state is 'failed': probability 1, time to failure 0; components for reference: ${wearText}; ${randomText}`
    : `${wearText}; ${randomText}; combined as independent competing risks`;

  return {
    horizonHours,
    probability: failedNow ? 1 : clamp01(1 - (1 - wear) * (1 - randomProbability)),
    wearProbability: wear,
    randomProbability,
    timeToFailureHours: failedNow ? 0 : hours(ttf.point),
    lower: failedNow ? 0 : hours(ttf.lower),
    upper: failedNow ? 0 : hours(ttf.upper),
    level: LEVEL,
    vibrationTrendPerDay: trend ? finite(trend.slope) : null,
    vibrationNow: trend ? finite(fitted(trend, 0)) : null,
    temperatureTrendPerDay,
    threshold,
    failuresObserved: observed.failures,
    observedDays: finite(observed.observedDays),
    failureRatePerDay: finite(failureRatePerDay),
    method,
  };
}
