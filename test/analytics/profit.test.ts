/**
 * Profit prediction (src/analytics/profit.ts): OLS of profit per euro of budget on log budget, duration/100 and
 * one-hot service line, industry and lead role, with a t-based prediction interval scaled back by the budget,
 * and 5-fold cross-validation. The data are synthetic, drawn from seeded streams (src/demo/random.ts) from a
 * known linear process, so the figures quoted below are the same on every run. Where exact values are
 * checked, they come from a small least-squares solver written here, independent of the library.
 */
import {
  MIN_TRAINING,
  trainProfitModel,
  type ProfitExample,
  type ProfitFeatures,
  type ProfitModel,
} from '../../src/analytics/compute/profit';
import type { ErrorCode } from '../../src/errors';
import { Random } from '../../src/demo/random';
import { expectThrowsCode } from '../support/throws';

// ---------------------------------------------------------------------------------------------------------
// The synthetic process: profit / budget = linear in the features + N(0, 0.03²).

const TRUTH = {
  logBudget: -0.03,
  duration: 0.08, // per 100 days
  offering: { projects: 0, advisory: 0.1, support: -0.05 } as Record<string, number>,
  industry: { retail: 0, finance: -0.04, health: 0.06 } as Record<string, number>,
  leadRole: { manager: 0, director: 0.05 } as Record<string, number>,
  intercept: 0.5,
  noise: 0.03,
};
// The most common category is never the alphabetically first, so that the reference really is chosen by frequency.
const OFFERING_WEIGHTS: Record<string, number> = { projects: 5, advisory: 3, support: 2 };
const INDUSTRY_WEIGHTS: Record<string, number> = { retail: 5, finance: 3, health: 2 };
const ROLE_WEIGHTS: Record<string, number> = { manager: 6, director: 4 };

function truthRatio(f: ProfitFeatures): number {
  return (
    TRUTH.intercept +
    TRUTH.logBudget * Math.log(f.budget) +
    (TRUTH.duration * f.durationDays) / 100 +
    TRUTH.offering[f.offering] +
    TRUTH.industry[f.industry!] +
    TRUTH.leadRole[f.leadRole!]
  );
}

function synthetic(seed: number, n: number, prefix = 'e'): ProfitExample[] {
  const r = new Random(seed, 'profit');
  const out: ProfitExample[] = [];
  for (let i = 0; i < n; i++) {
    const features: ProfitFeatures = {
      budget: r.logNormal(100_000, 0.8),
      durationDays: r.int(30, 365),
      offering: r.weighted(Object.keys(OFFERING_WEIGHTS), (o) => OFFERING_WEIGHTS[o]),
      industry: r.weighted(Object.keys(INDUSTRY_WEIGHTS), (o) => INDUSTRY_WEIGHTS[o]),
      leadRole: r.weighted(Object.keys(ROLE_WEIGHTS), (o) => ROLE_WEIGHTS[o]),
    };
    const ratio = truthRatio(features) + r.normal(0, TRUTH.noise);
    out.push({ ...features, id: `${prefix}${String(i).padStart(4, '0')}`, profit: ratio * features.budget });
  }
  return out;
}

const NOW = new Date('2025-06-01T00:00:00Z');
const coefficient = (model: ProfitModel, name: string): number => {
  const i = model.featureNames.indexOf(name);
  if (i < 0) throw new Error(`no feature ${name} in ${model.featureNames.join(', ')}`);
  return model.coefficients[i];
};
const coverage = (model: ProfitModel, data: readonly ProfitExample[], level: number): number =>
  data.filter((e) => {
    const p = model.predict(e, level);
    return e.profit >= p.lower && e.profit <= p.upper;
  }).length / data.length;

const expectError = (code: ErrorCode, run: () => unknown, message?: RegExp): string =>
  expectThrowsCode(run, code, message);

// ---------------------------------------------------------------------------------------------------------
// A tiny independent least-squares solver (Gauss–Jordan with partial pivoting) for the exact checks.

function inverse(a: readonly (readonly number[])[]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const pivot = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

interface Ols {
  beta: number[];
  /** (XᵀX)⁻¹ */
  xtxInv: number[][];
  s2: number;
  df: number;
}

/** OLS of y on the rows of x (which include the constant column). */
function ols(x: readonly number[][], y: readonly number[]): Ols {
  const p = x[0].length;
  const xtx = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => x.reduce((s, row) => s + row[i] * row[j], 0)),
  );
  const xty = Array.from({ length: p }, (_, i) => x.reduce((s, row, k) => s + row[i] * y[k], 0));
  const xtxInv = inverse(xtx);
  const beta = xtxInv.map((row) => row.reduce((s, v, j) => s + v * xty[j], 0));
  const rss = x.reduce((s, row, k) => s + (y[k] - row.reduce((t, v, j) => t + v * beta[j], 0)) ** 2, 0);
  const df = x.length - p;
  return { beta, xtxInv, s2: rss / df, df };
}

/** Prediction and interval half-width (in profit per euro) at row x0, given the t quantile. */
function olsPredict(fit: Ols, x0: readonly number[], t: number): { ratio: number; half: number } {
  const ratio = x0.reduce((s, v, j) => s + v * fit.beta[j], 0);
  let lev = 0;
  for (let i = 0; i < x0.length; i++) for (let j = 0; j < x0.length; j++) lev += x0[i] * fit.xtxInv[i][j] * x0[j];
  return { ratio, half: t * Math.sqrt(fit.s2 * (1 + lev)) };
}

/** Student's t quantiles from printed tables (and R's qt), not from the library the code uses. */
const T = { q975df37: 2.026192, q90df37: 1.304854, q995df37: 2.715409, q975df29: 2.04523 };

/** 40 engagements of one service line, no industry or lead role: the model has log budget, duration, intercept. */
function oneLine(seed: number): ProfitExample[] {
  const r = new Random(seed, 'one-line');
  return Array.from({ length: 40 }, (_, i) => {
    const budget = r.logNormal(50_000, 0.6);
    const durationDays = r.int(20, 300);
    const ratio = 0.3 - 0.02 * Math.log(budget) + (0.05 * durationDays) / 100 + r.normal(0, 0.04);
    return {
      id: `x${String(i).padStart(2, '0')}`,
      budget,
      durationDays,
      offering: 'consulting',
      profit: ratio * budget,
    };
  });
}
const row = (e: ProfitFeatures): number[] => [Math.log(e.budget), e.durationDays / 100, 1];

// ---------------------------------------------------------------------------------------------------------

describe('exact figures on a small problem, against an independent least-squares solver', () => {
  const data = oneLine(11);
  const model = trainProfitModel(data, { now: NOW });
  const reference = ols(
    data.map(row),
    data.map((e) => e.profit / e.budget),
  );

  test('the coefficients are the OLS solution for profit per euro, the intercept last', () => {
    expect(model.featureNames).toEqual(['log(budget)', 'durationDays/100', 'intercept']);
    expect(model.coefficients).toHaveLength(3);
    model.coefficients.forEach((c, i) => expect(c).toBeCloseTo(reference.beta[i], 9));
    expect(model.trainingSize).toBe(40);
    expect(model.categories).toEqual({ offering: ['consulting'], industry: [], leadRole: [] });
    expect(model.trainedAt).toBe('2025-06-01T00:00:00.000Z');
    expect(model.level).toBe(0.95);
  });

  test('the prediction is ŷ · budget and the interval ŷ ± t(n−p) · s · √(1 + x′(XᵀX)⁻¹x), times the budget', () => {
    const target: ProfitFeatures = { budget: 80_000, durationDays: 150, offering: 'consulting' };
    for (const [level, t] of [
      [0.95, T.q975df37],
      [0.8, T.q90df37],
      [0.99, T.q995df37],
    ] as const) {
      const p = model.predict(target, level);
      const ref = olsPredict(reference, row(target), t);
      expect(p.level).toBe(level);
      expect(p.value).toBeCloseTo(ref.ratio * target.budget, 4);
      // Symmetric about the prediction, with the half-width of the formula (to the 6 decimals of the t table).
      expect(p.value - p.lower).toBeCloseTo(p.upper - p.value, 6);
      expect((p.upper - p.value) / (ref.half * target.budget)).toBeCloseTo(1, 5);
    }
    // The default level is the model's.
    expect(model.predict(target)).toEqual(model.predict(target, 0.95));
  });

  test('cross-validation: 5 folds dealt round-robin in id order; MAE vs the training folds’ mean profit; coverage', () => {
    // Folds by id, whatever the input order.
    const sorted = [...data].sort((a, b) => (a.id < b.id ? -1 : 1));
    let err = 0;
    let base = 0;
    let covered = 0;
    for (let k = 0; k < 5; k++) {
      const test = sorted.filter((_, i) => i % 5 === k);
      const train = sorted.filter((_, i) => i % 5 !== k);
      const fit = ols(
        train.map(row),
        train.map((e) => e.profit / e.budget),
      );
      const meanProfit = train.reduce((s, e) => s + e.profit, 0) / train.length;
      for (const e of test) {
        const p = olsPredict(fit, row(e), T.q975df29); // 32 training examples, 3 parameters
        err += Math.abs(e.profit - p.ratio * e.budget);
        base += Math.abs(e.profit - meanProfit);
        if (Math.abs(e.profit / e.budget - p.ratio) <= p.half) covered++;
      }
    }
    expect(model.heldOut.points).toBe(40);
    expect(model.heldOut.mae).toBeCloseTo(err / 40, 3);
    expect(model.heldOut.baselineMae).toBeCloseTo(base / 40, 6);
    expect(model.heldOut.coverage).toBe(covered / 40);
    expect(model.heldOut.baseline).toBe('the mean profit of the training folds');

    // Shuffled input: the same folds, so the same held-out figures to the last bit.
    const shuffled = trainProfitModel(new Random(3, 'shuffle').shuffled(data), { now: NOW });
    expect(shuffled.heldOut).toEqual(model.heldOut);
  });
});

describe('on a known linear process with three categorical features', () => {
  const training = synthetic(1, 300);
  const model = trainProfitModel(training, { now: NOW });
  const fresh = synthetic(2, 3000, 'f');

  test('the most common category of each feature is the reference (no column of its own)', () => {
    expect(model.categories.offering[0]).toBe('projects');
    expect(model.categories.industry[0]).toBe('retail');
    expect(model.categories.leadRole[0]).toBe('manager');
    expect([...model.categories.offering].sort()).toEqual(['advisory', 'projects', 'support']);
    expect(model.featureNames).toHaveLength(2 + 2 + 2 + 1 + 1);
    expect(model.featureNames).not.toContain('offering=projects');
    expect(model.featureNames).not.toContain('industry=retail');
    expect(model.featureNames).not.toContain('leadRole=manager');
    expect(model.featureNames[model.featureNames.length - 1]).toBe('intercept');
  });

  test('the coefficients come out close to the true ones', () => {
    // Standard errors here are ≈ 0.002 (log budget), 0.003 (duration), 0.004–0.006 (categories), 0.03 (intercept).
    expect(coefficient(model, 'log(budget)')).toBeCloseTo(TRUTH.logBudget, 2); // −0.0317 measured
    expect(Math.abs(coefficient(model, 'log(budget)') - TRUTH.logBudget)).toBeLessThan(0.008);
    expect(Math.abs(coefficient(model, 'durationDays/100') - TRUTH.duration)).toBeLessThan(0.01);
    for (const c of ['advisory', 'support'])
      expect(Math.abs(coefficient(model, `offering=${c}`) - TRUTH.offering[c])).toBeLessThan(0.015);
    for (const c of ['finance', 'health'])
      expect(Math.abs(coefficient(model, `industry=${c}`) - TRUTH.industry[c])).toBeLessThan(0.015);
    expect(Math.abs(coefficient(model, 'leadRole=director') - TRUTH.leadRole.director)).toBeLessThan(0.015);
    expect(Math.abs(coefficient(model, 'intercept') - TRUTH.intercept)).toBeLessThan(0.08);
  });

  test('cross-validated MAE is far below the mean-profit baseline (measured: 0.11 of it)', () => {
    const { points, mae, baselineMae } = model.heldOut;
    expect(points).toBe(300);
    expect(baselineMae).toBeGreaterThan(0);
    expect(mae / baselineMae).toBeLessThan(0.2);
    // The noise is 3 % of the budget, so the MAE cannot beat ≈ 0.8 · 0.03 · mean budget by much.
    const meanBudget = training.reduce((s, e) => s + e.budget, 0) / training.length;
    expect(mae).toBeGreaterThan(0.5 * 0.8 * TRUTH.noise * meanBudget);
    expect(mae).toBeLessThan(2 * 0.8 * TRUTH.noise * meanBudget);
  });

  test('cross-validated coverage of the 95 % interval is near 95 % (measured: 0.957)', () => {
    expect(model.heldOut.coverage).toBeGreaterThanOrEqual(0.92);
    expect(model.heldOut.coverage).toBeLessThanOrEqual(0.98);
  });

  test('on 3000 fresh engagements from the same process, coverage is close to the level (measured 0.790 / 0.949 / 0.991)', () => {
    const c80 = coverage(model, fresh, 0.8);
    const c95 = coverage(model, fresh, 0.95);
    const c99 = coverage(model, fresh, 0.99);
    // With 3000 points the binomial standard error is ≈ 0.007 at 80 %, 0.004 at 95 %, 0.002 at 99 %.
    expect(c80).toBeGreaterThan(0.76);
    expect(c80).toBeLessThan(0.84);
    expect(c95).toBeGreaterThan(0.93);
    expect(c95).toBeLessThan(0.97);
    expect(c99).toBeGreaterThan(0.98);
    expect(c99).toBeLessThanOrEqual(1);
  });

  test('predictions on fresh data track the true expected profit', () => {
    const errors = fresh.slice(0, 500).map((e) => Math.abs(model.predict(e).value / e.budget - truthRatio(e)));
    const meanError = errors.reduce((s, x) => s + x, 0) / errors.length;
    expect(meanError).toBeLessThan(0.01); // in profit per euro; the noise alone is 0.03
  });

  test('intervals widen with the level and keep the same centre', () => {
    const target: ProfitFeatures = {
      budget: 120_000,
      durationDays: 200,
      offering: 'advisory',
      industry: 'health',
      leadRole: 'director',
    };
    const p80 = model.predict(target, 0.8);
    const p95 = model.predict(target, 0.95);
    const p99 = model.predict(target, 0.99);
    expect(p80.value).toBe(p95.value);
    expect(p99.value).toBe(p95.value);
    expect(p80.lower).toBeLessThan(p80.value);
    expect(p80.upper).toBeGreaterThan(p80.value);
    expect(p95.upper - p95.lower).toBeGreaterThan(p80.upper - p80.lower);
    expect(p99.upper - p99.lower).toBeGreaterThan(p95.upper - p95.lower);
    // For ~300 examples t quantiles are close to normal ones: z(0.995) / z(0.9) = 2.576 / 1.282 ≈ 2.01.
    expect((p99.upper - p99.lower) / (p80.upper - p80.lower)).toBeCloseTo(2.01, 1);
    // And the centre is the true expected profit per euro, times the budget.
    expect(p95.value / target.budget).toBeCloseTo(truthRatio(target), 1);
  });

  test('the training level becomes the default level of predictions and of the cross-validated coverage', () => {
    const at80 = trainProfitModel(training, { level: 0.8, now: NOW });
    expect(at80.level).toBe(0.8);
    expect(at80.coefficients).toEqual(model.coefficients);
    const target = fresh[0];
    expect(at80.predict(target)).toEqual(model.predict(target, 0.8));
    expect(at80.heldOut.mae).toBe(model.heldOut.mae);
    expect(at80.heldOut.coverage).toBeGreaterThan(0.74);
    expect(at80.heldOut.coverage).toBeLessThan(0.86);
  });

  test('unknown categories at prediction time count as the reference category', () => {
    const known: ProfitFeatures = {
      budget: 70_000,
      durationDays: 90,
      offering: 'projects',
      industry: 'retail',
      leadRole: 'manager',
    };
    const unknown: ProfitFeatures = {
      budget: 70_000,
      durationDays: 90,
      offering: 'quantum-audits',
      industry: 'mining',
      leadRole: 'intern',
    };
    const p = model.predict(unknown);
    expect(Number.isFinite(p.value)).toBe(true);
    expect(Number.isFinite(p.lower)).toBe(true);
    expect(Number.isFinite(p.upper)).toBe(true);
    expect(p).toEqual(model.predict(known));
    // Missing industry and lead role likewise.
    expect(model.predict({ budget: 70_000, durationDays: 90, offering: 'projects', industry: null })).toEqual(
      model.predict(known),
    );
    // A known non-reference category does move the prediction, by its coefficient times the budget.
    const asTraining = model.predict({ ...known, offering: 'advisory' });
    expect(asTraining.value - p.value).toBeCloseTo(coefficient(model, 'offering=advisory') * 70_000, 6);
  });

  test('training is deterministic: the same data give the same model', () => {
    const again = trainProfitModel(synthetic(1, 300), { now: NOW });
    expect(again.coefficients).toEqual(model.coefficients);
    expect(again.heldOut).toEqual(model.heldOut);
    expect(again.categories).toEqual(model.categories);
    expect(again.featureNames).toEqual(model.featureNames);
    expect(again.method).toBe(model.method);
    expect(again.predict(fresh[1], 0.9)).toEqual(model.predict(fresh[1], 0.9));
    expect(model.method).toMatch(/5-fold cross-validated/);
  });

  test('the input order does not change the folds, the categories or (beyond rounding) the coefficients', () => {
    const shuffled = trainProfitModel(new Random(7, 'shuffle').shuffled(training), { now: NOW });
    expect(shuffled.heldOut).toEqual(model.heldOut);
    expect(shuffled.categories).toEqual(model.categories);
    expect(shuffled.featureNames).toEqual(model.featureNames);
    shuffled.coefficients.forEach((c, i) => expect(c).toBeCloseTo(model.coefficients[i], 9));
  });
});

describe('what is trained on', () => {
  const clean = synthetic(21, 60);
  const junk: ProfitExample[] = [
    {
      id: 'j1',
      budget: 50_000,
      durationDays: 100,
      offering: 'consulting',
      industry: 'finance',
      leadRole: 'manager',
      profit: NaN,
    },
    {
      id: 'j2',
      budget: 50_000,
      durationDays: 100,
      offering: 'consulting',
      industry: 'finance',
      leadRole: 'manager',
      profit: Infinity,
    },
    {
      id: 'j3',
      budget: 50_000,
      durationDays: 100,
      offering: '',
      industry: 'mining',
      leadRole: 'manager',
      profit: 1_000,
    },
    {
      id: 'j4',
      budget: 50_000,
      durationDays: 100,
      offering: undefined as unknown as string,
      industry: 'mining',
      leadRole: 'manager',
      profit: 1_000,
    },
    {
      id: 'j5',
      budget: 0,
      durationDays: 100,
      offering: 'consulting',
      industry: 'finance',
      leadRole: 'manager',
      profit: 1_000,
    },
    {
      id: 'j6',
      budget: -5,
      durationDays: 100,
      offering: 'consulting',
      industry: 'finance',
      leadRole: 'manager',
      profit: 1_000,
    },
    {
      id: 'j7',
      budget: 50_000,
      durationDays: NaN,
      offering: 'consulting',
      industry: 'finance',
      leadRole: 'manager',
      profit: 1_000,
    },
    {
      id: 'j8',
      budget: 50_000,
      durationDays: 0,
      offering: 'consulting',
      industry: 'finance',
      leadRole: 'manager',
      profit: 1_000,
    },
  ];

  test('examples with non-finite profit, no service line, or a non-positive budget or duration are ignored', () => {
    const base = trainProfitModel(clean, { now: NOW });
    const withJunk = trainProfitModel([...junk.slice(0, 4), ...clean, ...junk.slice(4)], { now: NOW });
    expect(withJunk.trainingSize).toBe(60);
    expect(withJunk.heldOut.points).toBe(60);
    expect(withJunk.categories).toEqual(base.categories);
    expect(withJunk.categories.industry).not.toContain('mining');
    withJunk.coefficients.forEach((c, i) => expect(c).toBeCloseTo(base.coefficients[i], 9));
    expect(withJunk.heldOut).toEqual(base.heldOut);
    expect(withJunk.coefficients.every(Number.isFinite)).toBe(true);
  });

  test('examples with an infinite budget or duration, or one longer than ten years, are ignored too', () => {
    const base = trainProfitModel(clean, { now: NOW });
    const [first] = clean;
    const poison = [
      { ...first, id: 'inf-budget', budget: Infinity },
      { ...first, id: 'inf-duration', durationDays: Infinity },
      { ...first, id: 'decade', durationDays: 3651 },
    ];
    const trained = trainProfitModel([...clean, ...poison], { now: NOW });
    expect(trained.trainingSize).toBe(base.trainingSize);
    expect(trained.coefficients.every(Number.isFinite)).toBe(true);
    expect(trained.heldOut).toEqual(base.heldOut);
  });

  test.each([0, 1, 2, -1, NaN])(
    'training at level %p (outside (0, 1)) is InvalidArgument, not a model whose every prediction fails',
    (level) => {
      expectError('InvalidArgument', () => trainProfitModel(clean, { level }), /level must be between 0 and 1/);
    },
  );

  test(`fewer than ${MIN_TRAINING} usable examples: InsufficientData saying how many are needed and how many there are`, () => {
    expect(MIN_TRAINING).toBe(30);
    const data = synthetic(22, 29);
    expectError(
      'InsufficientData',
      () => trainProfitModel(data),
      /needs at least 30 closed engagements.*there are 29\./,
    );
    // Junk does not make up the numbers.
    expectError('InsufficientData', () => trainProfitModel([...data, ...junk]), /needs at least 30 .*there are 29\./);
    expectError('InsufficientData', () => trainProfitModel([]), /needs at least 30 .*there are 0\./);
    // Thirty is enough.
    expect(trainProfitModel(synthetic(22, 30)).trainingSize).toBe(30);
  });

  test('with many categories the minimum is three examples per parameter', () => {
    // Twelve service lines: log budget, duration, 11 one-hot columns and the intercept = 14 parameters → 42.
    const lines = Array.from({ length: 12 }, (_, i) => `line${String(i).padStart(2, '0')}`);
    const make = (n: number): ProfitExample[] => {
      const r = new Random(23, 'lines');
      return Array.from({ length: n }, (_, i) => {
        const budget = r.logNormal(60_000, 0.5);
        const durationDays = r.int(30, 200);
        const offering = lines[i % lines.length];
        return {
          id: `m${String(i).padStart(3, '0')}`,
          budget,
          durationDays,
          offering,
          profit: budget * (0.2 + 0.01 * (i % lines.length) + r.normal(0, 0.03)),
        };
      });
    };
    expectError(
      'InsufficientData',
      () => trainProfitModel(make(41)),
      /needs at least 42 .*\(14 parameters\); there are 41\./,
    );
    const model = trainProfitModel(make(42), { now: NOW });
    expect(model.trainingSize).toBe(42);
    expect(model.coefficients).toHaveLength(14);
    expect(model.coefficients.every(Number.isFinite)).toBe(true);
  });
});

describe('invalid prediction requests', () => {
  const model = trainProfitModel(synthetic(31, 60), { now: NOW });
  const ok: ProfitFeatures = { budget: 50_000, durationDays: 100, offering: 'consulting' };

  test('a valid request is answered', () => {
    expect(Number.isFinite(model.predict(ok).value)).toBe(true);
  });

  test.each([0, -1, NaN, Infinity])('budget %p is InvalidArgument', (budget) => {
    expectError('InvalidArgument', () => model.predict({ ...ok, budget }), /budget must be a positive number/);
  });

  test.each([NaN, 0, -3, 3651, Infinity])('durationDays %p is InvalidArgument', (durationDays) => {
    expectError(
      'InvalidArgument',
      () => model.predict({ ...ok, durationDays }),
      /durationDays must be a number of days from 1 to 3650/,
    );
  });

  test('an empty service line is InvalidArgument', () => {
    expectError('InvalidArgument', () => model.predict({ ...ok, offering: '' }), /offering must name a service line/);
  });

  test.each([0, 1, -0.5, 1.5, NaN])('level %p (outside (0, 1)) is InvalidArgument', (level) => {
    expectError('InvalidArgument', () => model.predict(ok, level), /level must be between 0 and 1/);
  });

  test('levels just inside (0, 1) are accepted', () => {
    const narrow = model.predict(ok, 0.01);
    const wide = model.predict(ok, 0.999);
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
    expect(Number.isFinite(wide.upper)).toBe(true);
  });
});
