/**
 * Device failure risk (src/analytics/failure-risk.ts): a wear-out model on the daily-peak vibration trend and
 * a Poisson–Gamma model on the state history, combined as independent competing risks. Every device is
 * synthetic and drawn from a seeded PRNG, so the figures quoted below are the same on every run.
 */
import {
  assessFailureRisk,
  countFailures,
  fitFleetPrior,
  observeFailures,
  VIBRATION_FAILURE_THRESHOLD,
  type DeviceTelemetryHistory,
  type FailureRisk,
  type FleetPrior,
} from '../../src/analytics/compute/failure-risk';
import type { NumericSeries } from '../../src/analytics/compute/types';
import { mulberry32 } from '../../src/demo/random';
import { expectThrowsCode } from '../support/throws';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 1);
const THRESHOLD = VIBRATION_FAILURE_THRESHOLD;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Knuth's method; fine for the small means a failure count has. */
function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Marsaglia–Tsang, with the shape < 1 boost. */
function gamma(random: () => number, shape: number, rate: number): number {
  if (shape < 1) return gamma(random, shape + 1, rate) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = gaussian(random);
    const v = (1 + c * z) ** 3;
    if (v > 0 && Math.log(random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

interface Machine {
  /** Healthy vibration level, cm/s. */
  readonly base: number;
  /** Daily load cycle amplitude, cm/s. */
  readonly amplitude: number;
  readonly phase: number;
  /** Innovation standard deviation of the hourly AR(1) noise, cm/s. */
  readonly noise: number;
  readonly ar: number;
  /** Day the bearing starts to wear (Infinity: never). */
  readonly onsetDay: number;
  /** Wear, cm/s per day at onset. */
  readonly ratePerDay: number;
  /** Relative growth of the wear rate per day (0: linear wear). */
  readonly acceleration: number;
}

const HEALTHY: Machine = {
  base: 0.22,
  amplitude: 0.04,
  phase: 0.3,
  noise: 0.012,
  ar: 0.5,
  onsetDay: Infinity,
  ratePerDay: 0,
  acceleration: 0,
};

/** Hourly vibration from START for `days` days: wear path + daily cycle + AR(1) noise, never negative. */
function vibration(random: () => number, m: Machine, days: number): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  let e = 0;
  for (let h = 0; h < days * 24; h++) {
    const d = h / 24;
    const worn = d > m.onsetDay ? m.ratePerDay * (d - m.onsetDay) * (1 + m.acceleration * (d - m.onsetDay)) : 0;
    e = m.ar * e + m.noise * gaussian(random);
    times.push(START + h * HOUR);
    values.push(Math.max(0, m.base + worn + m.amplitude * Math.sin(2 * Math.PI * (d + m.phase)) + e));
  }
  return { times, values };
}

/** Healthy temperature with a daily cycle, rising by `risePerDay`. */
function temperature(random: () => number, days: number, risePerDay: number): NumericSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let h = 0; h < days * 24; h++) {
    times.push(START + h * HOUR);
    values.push(45 + risePerDay * (h / 24) + 5 * Math.sin((2 * Math.PI * h) / 24) + gaussian(random));
  }
  return { times, values };
}

/** The device as seen at hour `nowHour`: readings up to and including it. */
function snapshot(
  series: { times: number[]; values: number[] },
  nowHour: number,
  states: DeviceTelemetryHistory['states'] = [],
): DeviceTelemetryHistory {
  return {
    now: START + nowHour * HOUR,
    vibration: { times: series.times.slice(0, nowHour + 1), values: series.values.slice(0, nowHour + 1) },
    states,
  };
}

/** A running device since START with no failure. */
const RUNNING = [{ time: START, state: 'processing' }];

/** A fleet of 40 devices, 90 days each, rates Gamma(2, 1000 d): a failure every 500 days on average. */
function fleetPrior(): FleetPrior {
  const random = mulberry32(7);
  return fitFleetPrior(
    Array.from({ length: 40 }, () => ({ failures: poisson(random, gamma(random, 2, 1000) * 90), observedDays: 90 })),
  );
}

const expectCode = (run: () => unknown, code: 'InvalidArgument' | 'InsufficientData'): string =>
  expectThrowsCode(run, code);

function expectFinite(risk: FailureRisk): void {
  for (const [key, value] of Object.entries(risk)) {
    if (typeof value === 'number') expect({ key, finite: Number.isFinite(value) }).toEqual({ key, finite: true });
  }
  for (const p of [risk.probability, risk.wearProbability, risk.randomProbability]) {
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
  }
  for (const t of [risk.timeToFailureHours, risk.lower, risk.upper])
    if (t !== null) expect(t).toBeGreaterThanOrEqual(0);
  if (risk.lower !== null && risk.timeToFailureHours !== null)
    expect(risk.lower).toBeLessThanOrEqual(risk.timeToFailureHours);
  if (risk.upper !== null && risk.timeToFailureHours !== null)
    expect(risk.timeToFailureHours).toBeLessThanOrEqual(risk.upper);
}

/** Hours from `nowHour` to the first reading at or above the threshold (the simulated truth). */
function trueCrossing(series: { values: number[] }, nowHour: number): number {
  const first = series.values.findIndex((v, h) => h > nowHour && v >= THRESHOLD);
  return first < 0 ? Infinity : first - nowHour;
}

interface Coverage {
  readonly devices: number;
  readonly coverage: number;
  readonly early: number;
  readonly late: number;
  readonly meanWidthDays: number;
  readonly openEnded: number;
}

/**
 * Degrading devices seen 1 to 30 days before their first reading at the threshold, with at least a full
 * window of wear behind them; how often the 95 % interval holds that time (a null upper end counts as open).
 */
function coverage(seed: number, devices: number, acceleration: number): Coverage {
  const random = mulberry32(seed);
  let covered = 0;
  let early = 0;
  let late = 0;
  let width = 0;
  let openEnded = 0;
  let n = 0;
  while (n < devices) {
    const m: Machine = {
      base: 0.15 + 0.15 * random(),
      amplitude: 0.02 + 0.05 * random(),
      phase: random(),
      noise: 0.008 + 0.015 * random(),
      ar: 0.7 * random(),
      onsetDay: 10,
      ratePerDay: 0.01 + 0.04 * random(),
      acceleration: acceleration * random(),
    };
    const series = vibration(random, m, 120);
    const first = series.values.findIndex((v) => v >= THRESHOLD);
    const nowHour = Math.max(Math.floor(first - (1 + 29 * random()) * 24), 24 * 17);
    if (first < 0 || nowHour >= first) continue;
    n++;
    const risk = assessFailureRisk(snapshot(series, nowHour, RUNNING), fleetPrior(), { horizonHours: 168 });
    const truth = first - nowHour;
    if (risk.lower === null || truth < risk.lower) early++;
    else if (risk.upper !== null && truth > risk.upper) late++;
    else covered++;
    if (risk.upper === null) openEnded++;
    else width += (risk.upper - (risk.lower ?? 0)) / 24;
  }
  return { devices, coverage: covered / devices, early, late, meanWidthDays: width / (devices - openEnded), openEnded };
}

describe('wear-out', () => {
  test('a healthy flat device has a low 7-day probability and no time to failure', () => {
    const random = mulberry32(1);
    const series = vibration(random, HEALTHY, 30);
    const risk = assessFailureRisk(snapshot(series, 30 * 24 - 1, RUNNING), fleetPrior(), { horizonHours: 168 });
    expectFinite(risk);
    expect(risk.probability).toBeLessThan(0.05);
    expect(risk.wearProbability).toBeLessThan(1e-3);
    expect(risk.timeToFailureHours).toBeNull();
    expect(risk.upper).toBeNull();
    expect(Math.abs(risk.vibrationTrendPerDay!)).toBeLessThan(0.01);
    // The fitted daily peak: base + cycle amplitude + the noise's daily maximum.
    expect(risk.vibrationNow!).toBeGreaterThan(HEALTHY.base + HEALTHY.amplitude);
    expect(risk.vibrationNow!).toBeLessThan(0.35);
    expect(risk.level).toBe(0.95);
    expect(risk.threshold).toBe(THRESHOLD);
  });

  test('as one device wears, its 7-day probability rises and its time to failure shrinks towards the true crossing', () => {
    const random = mulberry32(2);
    // 0.02 cm/s a day from day 10: the daily peaks reach 0.71 around day 32.
    const m: Machine = { ...HEALTHY, base: 0.2, onsetDay: 10, ratePerDay: 0.02 };
    const series = vibration(random, m, 60);
    // Snapshots a window apart, so that each rests on new daily peaks: three days apart, the estimate from 7
    // noisy peaks dipped between neighbours for 23 % of 300 such devices; a week apart, for 1 %.
    const snapshots = [16, 23, 30].map((day) => {
      const nowHour = day * 24;
      const risk = assessFailureRisk(snapshot(series, nowHour, RUNNING), fleetPrior(), { horizonHours: 168 });
      expectFinite(risk);
      return { day, risk, truth: trueCrossing(series, nowHour) };
    });
    const probabilities = snapshots.map((s) => s.risk.probability);
    for (let i = 1; i < probabilities.length; i++) expect(probabilities[i]!).toBeGreaterThan(probabilities[i - 1]!);
    expect(probabilities[0]!).toBeLessThan(0.05);
    expect(probabilities[probabilities.length - 1]!).toBeGreaterThan(0.9);
    for (const { day, risk, truth } of snapshots) {
      expect(risk.vibrationTrendPerDay!).toBeGreaterThan(0.01);
      expect(risk.timeToFailureHours).not.toBeNull();
      // On day 16 the window still holds a day from before the wear began (its interval ends 48 h before the true crossing).
      if (day - 7 < m.onsetDay) continue;
      expect(risk.lower!).toBeLessThanOrEqual(truth);
      expect(risk.upper!).toBeGreaterThanOrEqual(truth);
    }
    const ttf = snapshots.map((s) => s.risk.timeToFailureHours!);
    for (let i = 1; i < ttf.length; i++) expect(ttf[i]!).toBeLessThan(ttf[i - 1]!);
  });

  test('of 300 healthy devices none has a 7-day probability near 5 %; the few with a chance trend get a distant time to failure', () => {
    const random = mulberry32(13);
    const prior = fleetPrior();
    const risks = Array.from({ length: 300 }, () =>
      assessFailureRisk(snapshot(vibration(random, HEALTHY, 30), 30 * 24 - 1, RUNNING), prior, { horizonHours: 168 }),
    );
    expect(Math.max(...risks.map((r) => r.probability))).toBeLessThan(0.02);
    // A two-sided 95 % slope test calls about 2.5 % of flat devices rising; measured here: 12 of 300 (4 %),
    // the earliest at 96 days.
    const withTtf = risks.filter((r) => r.timeToFailureHours !== null);
    expect(withTtf.length).toBeLessThanOrEqual(18);
    for (const r of withTtf) expect(r.timeToFailureHours!).toBeGreaterThan(60 * 24);
  });

  test('the 95 % time-to-failure interval holds the true crossing for at least 93 % of 300 linearly wearing devices', () => {
    const result = coverage(3, 300, 0);
    // Measured: 0.977 (7 early misses, none late, intervals 8.8 days wide on average); 0.980 on 1000 other
    // devices. A little above 95 % because the upper end allows a whole day for the next daily peak.
    expect(result.coverage).toBeGreaterThanOrEqual(0.93);
    expect(result.meanWidthDays).toBeLessThan(14);
    expect(result.openEnded).toBeLessThan(15);
  });

  test('known limitation: a straight line lags an accelerating wear path, so misses are early ones', () => {
    // Wear rate growing by up to 5 % of its initial value a day. Measured: 0.81 here (38 early misses, none
    // late), 0.84 on 1000 other devices, 0.93 when the growth is at most 2 % a day.
    const result = coverage(4, 200, 0.05);
    expect(result.coverage).toBeGreaterThanOrEqual(0.8);
    expect(result.early).toBeGreaterThan(5 * result.late);
  });

  test('a constant series (zero residual variance) gives a point-mass prediction, never NaN', () => {
    const flat = {
      times: Array.from({ length: 240 }, (_, h) => START + h * HOUR),
      values: new Array<number>(240).fill(0.25),
    };
    const below = assessFailureRisk({ now: START + 239 * HOUR, vibration: flat, states: RUNNING }, fleetPrior(), {
      horizonHours: 720,
    });
    expectFinite(below);
    expect(below.wearProbability).toBe(0);
    expect(below.vibrationTrendPerDay).toBe(0);
    expect(below.vibrationNow).toBeCloseTo(0.25, 12);
    expect([below.timeToFailureHours, below.lower, below.upper]).toEqual([null, null, null]);

    const above = { times: flat.times, values: new Array<number>(240).fill(0.8) };
    const failing = assessFailureRisk({ now: START + 239 * HOUR, vibration: above, states: RUNNING }, fleetPrior(), {
      horizonHours: 24,
    });
    expectFinite(failing);
    expect(failing.wearProbability).toBe(1);
    expect(failing.probability).toBe(1);
    expect([failing.timeToFailureHours, failing.lower, failing.upper]).toEqual([0, 0, 0]);
  });

  test('a noise-free ramp crosses where the line does; the interval is that time to a day later', () => {
    // Hourly 0.2 + 0.02 cm/s per day for 10 days: the line reaches 0.71 15.5 days (373 h) after the newest reading.
    const times = Array.from({ length: 240 }, (_, h) => START + h * HOUR);
    const values = times.map((_, h) => 0.2 + (0.02 * h) / 24);
    const now = START + 239 * HOUR;
    const risk = assessFailureRisk({ now, vibration: { times, values }, states: RUNNING }, fleetPrior(), {
      horizonHours: 168,
    });
    expectFinite(risk);
    const crossing = ((THRESHOLD - values[239]!) / 0.02) * 24;
    expect(risk.timeToFailureHours!).toBeCloseTo(crossing, 6);
    expect(risk.lower!).toBeCloseTo(crossing, 6);
    expect(risk.upper!).toBeCloseTo(crossing + 24, 6);
    expect(risk.wearProbability).toBe(0);
    expect(
      assessFailureRisk({ now, vibration: { times, values }, states: RUNNING }, fleetPrior(), { horizonHours: 24 * 16 })
        .wearProbability,
    ).toBe(1);
  });

  test('temperature is reported as a driver and changes no probability', () => {
    const random = mulberry32(5);
    const series = vibration(random, { ...HEALTHY, onsetDay: 5, ratePerDay: 0.02 }, 20);
    const base = snapshot(series, 20 * 24 - 1, RUNNING);
    const withTemperature = { ...base, temperature: temperature(random, 20, 0.4) };
    const a = assessFailureRisk(base, fleetPrior(), { horizonHours: 168 });
    const b = assessFailureRisk(withTemperature, fleetPrior(), { horizonHours: 168 });
    expect(a.temperatureTrendPerDay).toBeNull();
    expect(b.temperatureTrendPerDay!).toBeGreaterThan(0.3);
    expect(b.temperatureTrendPerDay!).toBeLessThan(0.5);
    expect({ ...b, temperatureTrendPerDay: null }).toEqual(a);
  });
});

describe('random failures and the fleet prior', () => {
  test('transitions into failed are counted once, in half-open windows', () => {
    const states = [
      { time: 5, state: 'processing' },
      { time: 10, state: 'failed' },
      { time: 11, state: 'failed' },
      { time: 20, state: 'idle' },
      { time: 30, state: 'failed' },
    ];
    expect(countFailures(states)).toBe(2);
    expect(countFailures(states, 10, 30)).toBe(1);
    expect(countFailures(states, 9, 29)).toBe(1);
    expect(countFailures(states, 10.5, 29)).toBe(0); // the repeated entry at 11 is not a new failure
    expect(countFailures([...states].reverse())).toBe(2);
  });

  test('days at risk leave out the time spent failed', () => {
    const now = START + 30 * DAY;
    const states = [
      { time: START, state: 'processing' },
      { time: START + 10 * DAY, state: 'failed' },
      { time: START + 12 * DAY, state: 'idle' },
    ];
    expect(observeFailures({ now, states, vibration: { times: [], values: [] } })).toEqual({
      failures: 1,
      observedDays: 28,
    });
  });

  test('the method of moments recovers a known Gamma prior from a large fleet', () => {
    const random = mulberry32(6);
    // Rates Gamma(2, 400 d): mean 0.005 a day, sd 0.0035; 180 days each.
    const fleet = Array.from({ length: 3000 }, () => ({
      failures: poisson(random, gamma(random, 2, 400) * 180),
      observedDays: 180,
    }));
    const prior = fitFleetPrior(fleet);
    expect(prior.devices).toBe(3000);
    expect(prior.alpha / prior.beta).toBeCloseTo(0.005, 3);
    expect(prior.alpha).toBeGreaterThan(1.5);
    expect(prior.alpha).toBeLessThan(2.7);
  });

  test('tiny, failure-free and homogeneous fleets fall back as documented', () => {
    const tiny = fitFleetPrior([
      { failures: 1, observedDays: 100 },
      { failures: 0, observedDays: 100 },
    ]);
    expect(tiny.alpha).toBe(0.5);
    expect(tiny.alpha / tiny.beta).toBeCloseTo(1.5 / 200, 12); // pooled Jeffreys rate
    const none = fitFleetPrior(Array.from({ length: 10 }, () => ({ failures: 0, observedDays: 50 })));
    expect(none.alpha / none.beta).toBeCloseTo(0.5 / 500, 12);
    // Every device failed exactly once in the same time: no spread beyond Poisson, so the prior is the pooled fleet.
    const same = fitFleetPrior(Array.from({ length: 10 }, () => ({ failures: 1, observedDays: 50 })));
    expect(same).toEqual({ alpha: 10, beta: 500, devices: 10 });
    const empty = fitFleetPrior([]);
    expect(empty.alpha / empty.beta).toBeCloseTo(1 / 365, 12);
    expectCode(() => fitFleetPrior([{ failures: -1, observedDays: 10 }]), 'InvalidArgument');
  });

  test('past failures raise the random-failure probability; the prior shrinks 1 failure in 30 days towards the fleet mean', () => {
    const prior = fleetPrior();
    const fleetMean = prior.alpha / prior.beta;
    const random = mulberry32(8);
    const series = vibration(random, HEALTHY, 30);
    const nowHour = 30 * 24 - 1;
    const now = START + nowHour * HOUR;
    const clean = assessFailureRisk(snapshot(series, nowHour, RUNNING), prior, { horizonHours: 168 });
    // A one-hour stop: 1 failure in 30 days (less an hour) at risk.
    const failedOnce = [
      ...RUNNING,
      { time: START + 12 * DAY, state: 'failed' },
      { time: START + 12 * DAY + HOUR, state: 'idle' },
    ];
    const once = assessFailureRisk(snapshot(series, nowHour, failedOnce), prior, { horizonHours: 168 });
    expect(once.failuresObserved).toBe(1);
    expect(once.observedDays).toBeCloseTo((now - START - HOUR) / DAY, 9);
    expect(once.randomProbability).toBeGreaterThan(clean.randomProbability);
    expect(once.failureRatePerDay).toBeGreaterThan(fleetMean);
    expect(once.failureRatePerDay).toBeLessThan(1 / once.observedDays);
    // Negative-binomial predictive: 1 − (β′ / (β′ + h))^α′.
    const a = prior.alpha + 1;
    const b = prior.beta + once.observedDays;
    expect(once.randomProbability).toBeCloseTo(1 - (b / (b + 7)) ** a, 12);
    expect(once.probability).toBeCloseTo(1 - (1 - once.wearProbability) * (1 - once.randomProbability), 12);
  });
});

describe('combined', () => {
  test('probability never falls as the horizon grows, whatever the trend', () => {
    const random = mulberry32(9);
    const machines: Machine[] = [
      HEALTHY,
      { ...HEALTHY, onsetDay: 10, ratePerDay: 0.02 },
      { ...HEALTHY, noise: 0.04, onsetDay: 5, ratePerDay: 0.005 },
      { ...HEALTHY, base: 0.75, onsetDay: 5, ratePerDay: -0.01 }, // above threshold and falling
      { ...HEALTHY, base: 0.6, onsetDay: 5, ratePerDay: -0.01 }, // near it and falling
    ];
    const horizons = [1, 6, 24, 72, 168, 336, 720, 2160, 4380, 8760];
    for (const m of machines) {
      const series = vibration(random, m, 21);
      const history = snapshot(series, 21 * 24 - 1, [
        ...RUNNING,
        { time: START + 3 * DAY, state: 'failed' },
        { time: START + 4 * DAY, state: 'idle' },
      ]);
      const risks = horizons.map((horizonHours) => assessFailureRisk(history, fleetPrior(), { horizonHours }));
      risks.forEach(expectFinite);
      for (let i = 1; i < risks.length; i++) {
        expect(risks[i]!.probability).toBeGreaterThanOrEqual(risks[i - 1]!.probability);
        expect(risks[i]!.wearProbability).toBeGreaterThanOrEqual(risks[i - 1]!.wearProbability);
        expect(risks[i]!.randomProbability).toBeGreaterThan(risks[i - 1]!.randomProbability);
      }
    }
  });

  test("a device whose newest state is 'failed' has probability 1 and time to failure 0, even with no vibration", () => {
    const random = mulberry32(10);
    const series = vibration(random, HEALTHY, 10);
    const states = [...RUNNING, { time: START + 9 * DAY, state: 'failed' }];
    const risk = assessFailureRisk(snapshot(series, 10 * 24 - 1, states), fleetPrior(), { horizonHours: 24 });
    expectFinite(risk);
    expect(risk.probability).toBe(1);
    expect([risk.timeToFailureHours, risk.lower, risk.upper]).toEqual([0, 0, 0]);
    expect(risk.wearProbability).toBeLessThan(0.01); // the components still describe the signals
    expect(risk.method).toMatch(/newest state is 'failed'/);

    const blind = assessFailureRisk(
      { now: START + 10 * DAY, vibration: { times: [], values: [] }, states },
      fleetPrior(),
      { horizonHours: 24 },
    );
    expect(blind.probability).toBe(1);
    expect(blind.vibrationTrendPerDay).toBeNull();
    // A state after `now` is not the newest state yet.
    const later = [...RUNNING, { time: START + 11 * DAY, state: 'failed' }];
    expect(
      assessFailureRisk(snapshot(series, 10 * 24 - 1, later), fleetPrior(), { horizonHours: 24 }).probability,
    ).toBeLessThan(0.05);
  });

  test('a bad horizon is InvalidArgument; too little vibration is InsufficientData saying what is needed', () => {
    const random = mulberry32(11);
    const series = vibration(random, HEALTHY, 10);
    const history = snapshot(series, 10 * 24 - 1, RUNNING);
    for (const horizonHours of [0, -1, NaN, Infinity, 8761, '24' as unknown as number]) {
      expectCode(() => assessFailureRisk(history, fleetPrior(), { horizonHours }), 'InvalidArgument');
    }
    expect(assessFailureRisk(history, fleetPrior(), { horizonHours: 8760 }).probability).toBeLessThanOrEqual(1);
    expectCode(() => assessFailureRisk(history, fleetPrior(), { horizonHours: 24, windowDays: 3 }), 'InvalidArgument');
    expectCode(() => assessFailureRisk(history, fleetPrior(), { horizonHours: 24, threshold: 0 }), 'InvalidArgument');
    expectCode(
      () => assessFailureRisk(history, { alpha: 0, beta: 1, devices: 0 }, { horizonHours: 24 }),
      'InvalidArgument',
    );

    const message = expectCode(
      () => assessFailureRisk(snapshot(series, 19, RUNNING), fleetPrior(), { horizonHours: 24 }),
      'InsufficientData',
    );
    expect(message).toMatch(/at least 4 of the last 7 days/);
    expect(message).toMatch(/found 20 readings/);
    // Three full days: 72 readings but not four days to fit a line with two degrees of freedom left.
    expectCode(
      () => assessFailureRisk(snapshot(series, 3 * 24 - 1, RUNNING), fleetPrior(), { horizonHours: 24 }),
      'InsufficientData',
    );
    expectCode(
      () =>
        assessFailureRisk({ now: START, vibration: { times: [], values: [] }, states: [] }, fleetPrior(), {
          horizonHours: 24,
        }),
      'InsufficientData',
    );
  });
});
