/**
 * Engagement KPIs (src/analytics/kpis.ts): budget variance, revenue margin, duration, burn rate and the burn
 * index (share of budget spent ÷ share of planned time gone), and the robust-z anomaly test of the burn
 * index against the engagement's peers. Every expected figure below is worked out by hand from the dates
 * and amounts of hand-built engagements, at a fixed clock.
 */
import {
  ANOMALY_Z,
  burnIndex,
  engagementKpis,
  MIN_PEERS,
  peerStats,
  type EngagementFacts,
  type EngagementKpis,
} from '../../src/analytics/compute/kpis';

const at = (iso: string): number => Date.parse(iso);

/** KPIs of one engagement judged within a portfolio (itself included, as the server does). */
function kpisIn(portfolio: readonly EngagementFacts[], id: string, now: number): EngagementKpis {
  const e = portfolio.find((x) => x.id === id);
  if (!e) throw new Error(`no engagement ${id}`);
  return engagementKpis(e, peerStats(portfolio, now), now);
}

/** KPIs of an engagement on its own (a portfolio of one: never enough peers to judge it). */
const alone = (e: EngagementFacts, now: number): EngagementKpis => engagementKpis(e, peerStats([e], now), now);

/**
 * A closed engagement whose burn index is exactly `index` (closed: time share 1, so index = spend / budget).
 * Dates: 2024-01-01 to 2024-04-10 (100 days).
 */
function closedWithIndex(id: string, index: number, offering: string | undefined = 'consulting'): EngagementFacts {
  return {
    id,
    budget: 100_000,
    spend: 100_000 * index,
    startDate: '2024-01-01',
    endDate: '2024-04-10',
    status: 'closed',
    offering,
  };
}

/** Nine peers whose log burn indices are −0.2, −0.1, −0.1, 0, 0, 0, 0.1, 0.1, 0.2. */
const NORMAL_LOGS = [-0.2, -0.1, -0.1, 0, 0, 0, 0.1, 0.1, 0.2];
const normalPeers = (offering: string | undefined = 'consulting', prefix = 'n'): EngagementFacts[] =>
  NORMAL_LOGS.map((l, i) => closedWithIndex(`${prefix}${i}`, Math.exp(l), offering));

describe('engagement KPIs at a fixed clock', () => {
  test('a closed engagement: variance, margin, actual duration, burn rate, and burn index = spend / budget', () => {
    // 2025-01-01 to 2025-04-11 is 31 + 28 + 31 + 10 = 100 days.
    const closed: EngagementFacts = {
      id: 'closed',
      budget: 100_000,
      spend: 80_000,
      revenue: 120_000,
      startDate: '2025-01-01',
      endDate: '2025-04-11',
      status: 'closed',
      offering: 'consulting',
    };
    const k = alone(closed, at('2025-06-01T00:00:00Z'));
    expect(k.budgetVariance).toBe(20_000);
    expect(k.budgetVarianceRatio).toBeCloseTo(0.2, 12);
    expect(k.revenueMargin).toBeCloseTo(40_000 / 120_000, 12);
    expect(k.durationDays).toBe(100);
    // Once closed, elapsed time stops at the end date, however late `now` is.
    expect(k.elapsedDays).toBe(100);
    expect(k.burnRatePerDay).toBeCloseTo(800, 9);
    expect(k.burnIndex).toBeCloseTo(0.8, 12);
    expect(k.anomaly).toBe(false);
    expect(k.anomalyReason).toBeNull();
  });

  test('an active engagement: elapsed time runs to now, burn index compares spent share with time share', () => {
    // 2025-01-01 to 2025-12-27 is 360 days; 2025-03-01T12:00Z is 31 + 28 + 0.5 = 59.5 days after the start.
    const active: EngagementFacts = {
      id: 'active',
      budget: 200_000,
      spend: 50_000,
      startDate: '2025-01-01',
      endDate: '2025-12-27',
      status: 'active',
    };
    const now = at('2025-03-01T12:00:00Z');
    const k = alone(active, now);
    expect(k.budgetVariance).toBe(150_000);
    expect(k.budgetVarianceRatio).toBeCloseTo(0.75, 12);
    expect(k.revenueMargin).toBeNull(); // no revenue yet
    expect(k.durationDays).toBe(360);
    expect(k.elapsedDays).toBe(59.5);
    expect(k.burnRatePerDay).toBeCloseTo(50_000 / 59.5, 9);
    // 25 % of the budget in 59.5 / 360 = 16.5 % of the time: 1.51× the planned rate.
    expect(k.burnIndex).toBeCloseTo(0.25 / (59.5 / 360), 12);
    expect(k.burnIndex).toBeCloseTo(1.5126, 4);
    expect(burnIndex(active, now)).toBe(k.burnIndex);
  });

  test('elapsed days are rounded to a tenth, burn rate uses the unrounded time', () => {
    const e: EngagementFacts = {
      id: 'e',
      budget: 1000,
      spend: 1000,
      startDate: '2025-01-01',
      endDate: '2025-12-27',
      status: 'active',
    };
    const now = at('2025-01-11T08:00:00Z'); // 10 + 1/3 days
    const k = alone(e, now);
    expect(k.elapsedDays).toBe(10.3);
    expect(k.burnRatePerDay).toBeCloseTo(1000 / (10 + 1 / 3), 9);
  });

  test('an overdue open engagement: its time share is capped at 1.5', () => {
    // Planned 2025-01-01 to 2025-01-31 (30 days); at 2025-03-02 60 days have gone: time share 2, capped to 1.5.
    const overdue: EngagementFacts = {
      id: 'late',
      budget: 10_000,
      spend: 12_000,
      startDate: '2025-01-01',
      endDate: '2025-01-31',
      status: 'active',
    };
    const now = at('2025-03-02T00:00:00Z');
    const k = alone(overdue, now);
    expect(k.durationDays).toBe(30);
    expect(k.elapsedDays).toBe(60);
    expect(k.budgetVariance).toBe(-2_000);
    expect(k.budgetVarianceRatio).toBeCloseTo(-0.2, 12);
    expect(k.burnIndex).toBeCloseTo(1.2 / 1.5, 12); // not 1.2 / 2
    // Below the cap the share is not touched: at 40 days (share 4/3) the index is 1.2 / (4/3) = 0.9.
    expect(burnIndex(overdue, at('2025-02-10T00:00:00Z'))).toBeCloseTo(0.9, 12);
  });

  test('a closed engagement that overran its budget has a negative variance and a burn index above 1', () => {
    const k = alone(
      {
        id: 'over',
        budget: 50_000,
        spend: 65_000,
        revenue: 60_000,
        startDate: '2025-01-01',
        endDate: '2025-03-02',
        status: 'closed',
      },
      at('2025-06-01'),
    );
    expect(k.budgetVariance).toBe(-15_000);
    expect(k.budgetVarianceRatio).toBeCloseTo(-0.3, 12);
    expect(k.revenueMargin).toBeCloseTo(-5_000 / 60_000, 12);
    expect(k.durationDays).toBe(60);
    expect(k.burnRatePerDay).toBeCloseTo(65_000 / 60, 9);
    expect(k.burnIndex).toBeCloseTo(1.3, 12);
  });
});

test('a running engagement whose facts say when they are as of: elapsed time runs to then, whatever the clock', () => {
  // Spend read at 2025-03-01T12:00Z (59.5 days in); the clock is months later, or earlier than the data.
  const active: EngagementFacts = {
    id: 'as-of',
    budget: 200_000,
    spend: 50_000,
    startDate: '2025-01-01',
    endDate: '2025-12-27',
    status: 'active',
    asOf: at('2025-03-01T12:00:00Z'),
  };
  for (const now of [at('2025-09-30T00:00:00Z'), at('2025-01-02T00:00:00Z'), at('2031-01-01T00:00:00Z')]) {
    const k = alone(active, now);
    expect(k.elapsedDays).toBe(59.5);
    expect(k.burnRatePerDay).toBeCloseTo(50_000 / 59.5, 9);
    expect(k.burnIndex).toBeCloseTo(0.25 / (59.5 / 360), 12);
  }
  // Peers are measured to their own as-of times too: the group's median does not move with the clock.
  const peers = NORMAL_LOGS.map((l, i): EngagementFacts => ({ ...active, id: `p${i}`, spend: 50_000 * Math.exp(l) }));
  const early = peerStats(peers, at('2025-02-01T00:00:00Z'));
  const late = peerStats(peers, at('2026-02-01T00:00:00Z'));
  expect(late.all!.medianLog).toBeCloseTo(early.all!.medianLog, 12);
  expect(Math.exp(early.all!.medianLog)).toBeCloseTo(0.25 / (59.5 / 360), 9);
});

test('a closed engagement took its actual length, even when its data or the clock says it has not started', () => {
  // Closed by hand on the day it was to start, before any spend reading after that day came in.
  const closed: EngagementFacts = {
    id: 'short',
    budget: 100_000,
    spend: 80_000,
    startDate: '2025-01-01',
    endDate: '2025-04-11',
    status: 'closed',
    asOf: at('2024-12-31T23:00:00Z'),
  };
  const k = alone(closed, at('2024-12-01T00:00:00Z'));
  expect(k.elapsedDays).toBe(100);
  expect(k.burnIndex).toBeCloseTo(0.8, 12);
});

describe('missing data gives null, not a made-up figure', () => {
  const now = at('2025-06-01T00:00:00Z');
  const base: EngagementFacts = {
    id: 'b',
    budget: 100_000,
    spend: 40_000,
    revenue: 90_000,
    startDate: '2025-01-01',
    endDate: '2025-12-27',
    status: 'active',
  };

  test('no budget: no variance, no variance ratio, no burn index; burn rate and margin still known', () => {
    const k = alone({ ...base, budget: undefined }, now);
    expect(k.budgetVariance).toBeNull();
    expect(k.budgetVarianceRatio).toBeNull();
    expect(k.burnIndex).toBeNull();
    expect(k.burnRatePerDay).toBeCloseTo(40_000 / 151, 9); // 2025-01-01 to 2025-06-01 is 151 days
    expect(k.revenueMargin).toBeCloseTo(50_000 / 90_000, 12);
  });

  test('a budget of 0: variance is −spend but there is no ratio and no burn index', () => {
    const k = alone({ ...base, budget: 0 }, now);
    expect(k.budgetVariance).toBe(-40_000);
    expect(k.budgetVarianceRatio).toBeNull();
    expect(k.burnIndex).toBeNull();
  });

  test('no spend: no variance, no margin, no burn rate or index', () => {
    const k = alone({ ...base, spend: undefined }, now);
    expect(k.budgetVariance).toBeNull();
    expect(k.budgetVarianceRatio).toBeNull();
    expect(k.revenueMargin).toBeNull();
    expect(k.burnRatePerDay).toBeNull();
    expect(k.burnIndex).toBeNull();
  });

  test('no dates: no duration, no elapsed time, no burn rate, no burn index', () => {
    const k = alone({ ...base, startDate: undefined, endDate: undefined }, now);
    expect(k.durationDays).toBeNull();
    expect(k.elapsedDays).toBeNull();
    expect(k.burnRatePerDay).toBeNull();
    expect(k.burnIndex).toBeNull();
    // Money figures do not need dates.
    expect(k.budgetVariance).toBe(60_000);
  });

  test('a start but no end: elapsed time and burn rate, but no duration and so no burn index', () => {
    const k = alone({ ...base, endDate: undefined }, now);
    expect(k.durationDays).toBeNull();
    expect(k.elapsedDays).toBe(151);
    expect(k.burnRatePerDay).toBeCloseTo(40_000 / 151, 9);
    expect(k.burnIndex).toBeNull();
  });

  test('an unparseable date counts as missing', () => {
    const k = alone({ ...base, startDate: 'soon' }, now);
    expect(k.durationDays).toBeNull();
    expect(k.elapsedDays).toBeNull();
    expect(k.burnIndex).toBeNull();
  });

  test('a proposed engagement that has not started: planned duration only', () => {
    const k = alone(
      { id: 'p', budget: 80_000, spend: 0, startDate: '2025-09-01', endDate: '2025-11-30', status: 'proposed' },
      now,
    );
    expect(k.durationDays).toBe(90);
    expect(k.elapsedDays).toBeNull();
    expect(k.burnRatePerDay).toBeNull();
    expect(k.burnIndex).toBeNull();
    expect(k.budgetVariance).toBe(80_000);
    expect(k.anomaly).toBe(false);
  });

  test('less than a day in: elapsed time shows, but no burn rate or index (too early to tell)', () => {
    const k = alone({ ...base, startDate: '2025-05-31T12:00:00Z' }, now);
    expect(k.elapsedDays).toBe(0.5);
    expect(k.burnRatePerDay).toBeNull();
    expect(k.burnIndex).toBeNull();
  });

  test('revenue 0 (or missing): no margin rather than a division by zero', () => {
    expect(alone({ ...base, revenue: 0 }, now).revenueMargin).toBeNull();
    expect(alone({ ...base, revenue: undefined }, now).revenueMargin).toBeNull();
  });

  test('a closed engagement without an end date has no elapsed time or burn index', () => {
    const k = alone({ ...base, status: 'closed', endDate: undefined }, now);
    expect(k.elapsedDays).toBeNull();
    expect(k.burnIndex).toBeNull();
  });

  test('no spend yet (0) gives no burn index, hence never an anomaly', () => {
    expect(burnIndex({ ...base, spend: 0 }, now)).toBeNull();
  });
});

describe('burn-rate anomalies against peers of the same service line', () => {
  const now = at('2025-06-30T00:00:00Z');
  /**
   * An active engagement that has spent 150 % of its budget in half its planned time (2025-01-01 to 2025-12-27
   * is 360 days; 2025-06-30 is day 180): burn index 3.
   */
  const hot: EngagementFacts = {
    id: 'hot',
    budget: 100_000,
    spend: 150_000,
    startDate: '2025-01-01',
    endDate: '2025-12-27',
    status: 'active',
    offering: 'consulting',
  };
  /** A closed engagement that spent a third of its budget: burn index 1/3. */
  const cold = closedWithIndex('cold', 1 / 3);

  test('the constants are the documented ones', () => {
    expect(ANOMALY_Z).toBe(3.5);
    expect(MIN_PEERS).toBe(8);
  });

  test('burning 3× the planned rate among nine on-plan peers is flagged, with the figures named', () => {
    const portfolio = [...normalPeers(), hot];
    const k = kpisIn(portfolio, 'hot', now);
    expect(k.burnIndex).toBeCloseTo(3, 12);
    // Ten log indices: −0.2, −0.1, −0.1, 0, 0, 0, 0.1, 0.1, 0.2, ln 3. Median 0; absolute deviations
    // 0, 0, 0, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, ln 3 have median 0.1; scale 0.14826; z = ln 3 / 0.14826 = 7.41.
    const z = Math.log(3) / (1.4826 * 0.1);
    expect(z).toBeCloseTo(7.41, 2);
    expect(k.anomaly).toBe(true);
    expect(k.peerGroup).toBe('consulting');
    expect(k.peerCount).toBe(10); // the engagement itself is part of its peer group
    expect(k.peerMedianBurnIndex).toBeCloseTo(1, 9);
    expect(k.anomalyReason).toBe(
      'Spend burns at 3.00× the planned rate (150 % of budget spent in 50 % of the planned time), ' +
        'far above the 10 engagements of consulting it is compared with (median 1.00×; robust z = 7.4, threshold 3.5).',
    );
  });

  test('peers within the normal spread are not flagged, even the most extreme of them', () => {
    const portfolio = [...normalPeers(), hot];
    const stats = peerStats(portfolio, now);
    for (const e of normalPeers()) {
      const k = engagementKpis(e, stats, now);
      expect(k.anomaly).toBe(false);
      expect(k.anomalyReason).toBeNull();
      expect(k.peerGroup).toBe('consulting');
      expect(k.peerCount).toBe(10);
    }
    // The widest normal peer, log index 0.2, is 0.2 / 0.14826 = 1.35 robust deviations out.
    expect(engagementKpis(closedWithIndex('x', Math.exp(0.2)), stats, now).anomaly).toBe(false);
  });

  test('the threshold is on |z| > 3.5: inside is not flagged, outside is', () => {
    const stats = peerStats([...normalPeers(), closedWithIndex('ref', 1)], now);
    // Ten logs: the nine, plus 0: median 0, MAD 0.1 (deviations 0,0,0,0,0.1,0.1,0.1,0.1,0.2,0.2 → median 0.1).
    const scale = 1.4826 * 0.1;
    const inside = engagementKpis(closedWithIndex('in', Math.exp(3.4 * scale)), stats, now);
    const outside = engagementKpis(closedWithIndex('out', Math.exp(3.6 * scale)), stats, now);
    expect(inside.anomaly).toBe(false);
    expect(outside.anomaly).toBe(true);
    expect(outside.anomalyReason).toContain('robust z = 3.6');
  });

  test('burning far below the peers (a third of the budget for the whole time) is flagged too', () => {
    const portfolio = [...normalPeers(), cold];
    const k = kpisIn(portfolio, 'cold', now);
    expect(k.burnIndex).toBeCloseTo(1 / 3, 12);
    expect(k.anomaly).toBe(true);
    expect(k.anomalyReason).toBe(
      'Spend burns at 0.33× the planned rate (33 % of budget spent in 100 % of the planned time), ' +
        'far below the 10 engagements of consulting it is compared with (median 1.00×; robust z = -7.4, threshold 3.5).',
    );
  });

  test('an overdue engagement is reported with its capped time share', () => {
    // Planned 30 days (2025-01-01 to 2025-01-31), 180 days gone: time share capped at 150 %; 600 % spent → 4×.
    const late: EngagementFacts = {
      id: 'late',
      budget: 10_000,
      spend: 60_000,
      startDate: '2025-01-01',
      endDate: '2025-01-31',
      status: 'active',
      offering: 'consulting',
    };
    const k = kpisIn([...normalPeers(), late], 'late', now);
    expect(k.burnIndex).toBeCloseTo(4, 12);
    expect(k.anomalyReason).toContain('at 4.00× the planned rate (600 % of budget spent in 150 % of the planned time)');
  });

  test('each line is judged against its own peers', () => {
    // Training runs hot as a rule (index ≈ 3); consulting is on plan. A 3× training engagement is normal
    // in training, while the same figure in consulting is an anomaly.
    const training = NORMAL_LOGS.map((l, i) => closedWithIndex(`t${i}`, 3 * Math.exp(l), 'training'));
    const hotTraining: EngagementFacts = { ...hot, id: 'hotTraining', offering: 'training' };
    const portfolio = [...normalPeers(), ...training, hot, hotTraining];
    const stats = peerStats(portfolio, now);
    expect([...stats.byLine.keys()].sort()).toEqual(['consulting', 'training']);
    expect(stats.byLine.get('training')!.count).toBe(10);
    expect(Math.exp(stats.byLine.get('training')!.medianLog)).toBeCloseTo(3, 9);

    const t = engagementKpis(hotTraining, stats, now);
    expect(t.peerGroup).toBe('training');
    expect(t.peerMedianBurnIndex).toBeCloseTo(3, 9);
    expect(t.anomaly).toBe(false);

    const c = engagementKpis(hot, stats, now);
    expect(c.peerGroup).toBe('consulting');
    expect(c.anomaly).toBe(true);
  });

  test(`a line with fewer than ${MIN_PEERS} engagements is judged against all engagements`, () => {
    // Consulting: the nine normal peers. Training: two normal ones and a 3× one — three, too few.
    const training = [closedWithIndex('t0', 1, 'training'), closedWithIndex('t1', Math.exp(0.1), 'training')];
    const hotTraining: EngagementFacts = { ...hot, id: 'hotTraining', offering: 'training' };
    const portfolio = [...normalPeers(), ...training, hotTraining];
    const stats = peerStats(portfolio, now);
    expect(stats.byLine.has('training')).toBe(false);
    expect(stats.byLine.has('consulting')).toBe(true);
    expect(stats.all!.count).toBe(12);

    const k = engagementKpis(hotTraining, stats, now);
    expect(k.peerGroup).toBe('all engagements');
    expect(k.peerCount).toBe(12);
    // Twelve logs: the nine, 0, 0.1 and ln 3; the middle pair is 0, 0, so the median is 0. Absolute deviations
    // sorted: 0,0,0,0, 0.1,0.1,0.1,0.1,0.1, 0.2,0.2, ln 3: median 0.1, so z = ln 3 / 0.14826 = 7.41 again.
    expect(k.anomaly).toBe(true);
    expect(k.anomalyReason).toContain('far above the 12 engagements of all engagements it is compared with');
    expect(k.anomalyReason).toContain('robust z = 7.4');
  });

  test(`exactly ${MIN_PEERS} in a line is enough for a line of its own; one fewer is not`, () => {
    const eight = NORMAL_LOGS.slice(0, MIN_PEERS).map((l, i) => closedWithIndex(`a${i}`, Math.exp(l), 'audit'));
    const seven = NORMAL_LOGS.slice(0, MIN_PEERS - 1).map((l, i) => closedWithIndex(`b${i}`, Math.exp(l), 'build'));
    const stats = peerStats([...eight, ...seven], now);
    expect(stats.byLine.get('audit')?.count).toBe(MIN_PEERS);
    expect(stats.byLine.has('build')).toBe(false);
    expect(engagementKpis(seven[0], stats, now).peerGroup).toBe('all engagements');
    expect(engagementKpis(eight[0], stats, now).peerGroup).toBe('audit');
  });

  test('engagements without a line are judged against all engagements', () => {
    const noLine: EngagementFacts = { ...hot, id: 'noLine', offering: undefined };
    const k = kpisIn([...normalPeers(), noLine], 'noLine', now);
    expect(k.peerGroup).toBe('all engagements');
    expect(k.peerCount).toBe(10);
    expect(k.anomaly).toBe(true);
  });

  test('engagements without a burn index are not peers', () => {
    const proposed: EngagementFacts = {
      id: 'p',
      budget: 1000,
      startDate: '2026-01-01',
      endDate: '2026-02-01',
      status: 'proposed',
      offering: 'consulting',
    };
    const noBudget: EngagementFacts = {
      id: 'nb',
      spend: 1000,
      startDate: '2025-01-01',
      endDate: '2025-02-01',
      status: 'closed',
      offering: 'consulting',
    };
    const stats = peerStats([...normalPeers(), hot, proposed, noBudget], now);
    expect(stats.byLine.get('consulting')!.count).toBe(10);
    expect(stats.all!.count).toBe(10);
    const k = engagementKpis(proposed, stats, now);
    expect(k.burnIndex).toBeNull();
    expect(k.anomaly).toBe(false);
    expect(k.peerGroup).toBe('consulting'); // the group it belongs to is still named
  });

  test('too few engagements anywhere: nothing is flagged, however extreme', () => {
    const few = [...normalPeers().slice(0, MIN_PEERS - 2), hot]; // seven in all
    const k = kpisIn(few, 'hot', now);
    expect(k.peerGroup).toBe('all engagements');
    expect(k.peerCount).toBe(MIN_PEERS - 1);
    expect(k.anomaly).toBe(false);
    expect(k.anomalyReason).toBeNull();
  });

  test('peers with zero MAD are scaled by 1.2533 × their mean absolute deviation (Iglewicz and Hoaglin)', () => {
    // Nine engagements exactly on plan and one at 3×: median and MAD of the logs are both 0; the mean absolute
    // deviation is ln 3 / 10, so the scale is 1.2533 × 0.10986 = 0.13769 and the 3× burner's z = ln 3 / 0.13769 = 7.98.
    const onPlan = Array.from({ length: 9 }, (_, i) => closedWithIndex(`z${i}`, 1));
    const stats = peerStats([...onPlan, hot], now);
    expect(stats.byLine.get('consulting')!.scale).toBeCloseTo((1.2533 * Math.log(3)) / 10, 12);
    const k = engagementKpis(hot, stats, now);
    expect(k.anomaly).toBe(true);
    expect(k.anomalyReason).toContain('robust z = 8.0');
    for (const e of onPlan) expect(engagementKpis(e, stats, now).anomaly).toBe(false);
  });

  test('identical peers (no spread at all) never flag, and nothing is divided by zero', () => {
    const same = Array.from({ length: 10 }, (_, i) => closedWithIndex(`s${i}`, 1));
    const stats = peerStats(same, now);
    expect(stats.byLine.get('consulting')!.scale).toBe(0);
    for (const e of same) {
      const k = engagementKpis(e, stats, now);
      expect(k.anomaly).toBe(false);
      expect(k.anomalyReason).toBeNull();
      expect(k.peerMedianBurnIndex).toBe(1);
      expect(Number.isNaN(k.burnIndex)).toBe(false);
    }
  });

  test('an empty portfolio has no peer group at all', () => {
    const stats = peerStats([], now);
    expect(stats.all).toBeUndefined();
    expect(stats.byLine.size).toBe(0);
    const k = engagementKpis(hot, stats, now);
    expect(k.peerGroup).toBeNull();
    expect(k.peerCount).toBe(0);
    expect(k.peerMedianBurnIndex).toBeNull();
    expect(k.anomaly).toBe(false);
    expect(k.burnIndex).toBeCloseTo(3, 12);
  });

  test('the peer statistics do not depend on the order of the engagements', () => {
    const portfolio = [...normalPeers(), ...normalPeers('training', 't'), hot, cold];
    const forward = peerStats(portfolio, now);
    const backward = peerStats([...portfolio].reverse(), now);
    expect(backward.all).toEqual(forward.all);
    expect(new Map(backward.byLine)).toEqual(new Map(forward.byLine));
  });
});
