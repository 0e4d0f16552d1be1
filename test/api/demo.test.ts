/**
 * The seeded demo over HTTP and graphql-ws: KPIs, the profit model, device failure risk, metric forecasts
 * and prediction subscriptions, checked against what the generator planted (planFirm knows which engagements
 * burn money and which devices wear out) and against naive baselines the test computes itself.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/config';
import { readCatalogue } from '../../src/demo/catalogue';
import { planFirm } from '../../src/demo/firm';
import type { GqlError } from '../support/api-harness';
import { DEMO_AS_OF, useSeededDemo } from '../support/demo-db';

const demo = useSeededDemo();
const firm = planFirm(readCatalogue(path.join(PACKAGE_ROOT, 'seeds', 'firm.json')), Date.parse(DEMO_AS_OF));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const days = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / DAY);

interface EngagementRow {
  id: string;
  budget: number;
  spend: number;
  revenue: number;
  startDate: string;
  endDate: string;
  status: string;
  kpis: {
    budgetVariance: number;
    budgetVarianceRatio: number;
    revenueMargin: number | null;
    durationDays: number;
    anomaly: boolean;
    anomalyReason: string | null;
    burnIndex: number | null;
  };
}

async function closedEngagements(): Promise<EngagementRow[]> {
  const data = await demo.app.ok<{ engagements: { nodes: EngagementRow[] } }>(`{
    engagements(where: { status: { eq: Closed } }, first: 1000, orderBy: [{ id: ASC }]) {
      nodes { id budget spend revenue startDate endDate status kpis { budgetVariance budgetVarianceRatio revenueMargin durationDays anomaly anomalyReason burnIndex } }
    }
  }`);
  return data.engagements.nodes;
}

describe('engagement KPIs', () => {
  it('are the budget variance, margin and duration of a known closed engagement', async () => {
    const [first] = await closedEngagements();
    const { engagement } = await demo.app.ok(
      `query ($id: ID!) { engagement: twin(id: $id) { ... on Engagement { budget spend revenue startDate endDate kpis { budgetVariance budgetVarianceRatio revenueMargin durationDays elapsedDays burnIndex } } } }`,
      { id: first.id },
    );
    expect(engagement.kpis.budgetVariance).toBeCloseTo(engagement.budget - engagement.spend, 6);
    expect(engagement.kpis.budgetVarianceRatio).toBeCloseTo(
      (engagement.budget - engagement.spend) / engagement.budget,
      9,
    );
    expect(engagement.kpis.revenueMargin).toBeCloseTo((engagement.revenue - engagement.spend) / engagement.revenue, 9);
    expect(engagement.kpis.durationDays).toBe(days(engagement.startDate, engagement.endDate));
    expect(engagement.kpis.elapsedDays).toBe(engagement.kpis.durationDays);
    // Closed: all the planned time is gone, so the burn index is the share of budget spent.
    expect(engagement.kpis.burnIndex).toBeCloseTo(engagement.spend / engagement.budget, 9);
  });

  it("measure a running engagement's elapsed time to its newest spend reading (the data's time, not the clock's)", async () => {
    const id = firm.truth.engagements.find((e) => e.status === 'active')!.id;
    const { twin } = await demo.app.ok(
      `query ($id: ID!) { twin(id: $id) { ... on Engagement { startDate spendToDate { latest { time } } kpis { elapsedDays } } } }`,
      { id },
    );
    const readAt = Date.parse(twin.spendToDate.latest.time);
    expect(readAt).toBeLessThanOrEqual(Date.parse(DEMO_AS_OF));
    expect(twin.kpis.elapsedDays).toBe(Math.round(((readAt - Date.parse(twin.startDate)) / DAY) * 10) / 10);
  });

  it('flag most of the engagements planted to burn money fast, and few others, saying why', async () => {
    const rows = await closedEngagements();
    const planted = new Set(
      firm.truth.engagements.filter((e) => e.anomalous && e.status === 'closed').map((e) => e.id),
    );
    const flagged = rows.filter((r) => r.kpis.anomaly);
    const hits = flagged.filter((r) => planted.has(r.id)).length;
    expect(planted.size).toBeGreaterThanOrEqual(5);
    expect(hits / planted.size).toBeGreaterThanOrEqual(0.8); // recall
    expect(hits / flagged.length).toBeGreaterThanOrEqual(0.8); // precision
    for (const r of flagged)
      expect(r.kpis.anomalyReason).toMatch(
        /burns at [\d.]+× the planned rate .* the \d+ engagements of \w+ it is compared with \(median [\d.]+×; robust z = -?[\d.]+, threshold 3\.5\)/,
      );
  });
});

describe('profit prediction', () => {
  it('beats predicting the mean profit on held-out engagements, by a margin the test measures itself', async () => {
    const { profitModel } = await demo.app.ok(
      `{ profitModel { trainingSize excludedAnomalies level heldOut { points mae baselineMae coverage skill } } }`,
    );
    // The naive baseline, computed here from the data: leave-one-out mean profit over the same closed engagements.
    const rows = (await closedEngagements()).filter((r) => !r.kpis.anomaly);
    const profits = rows.map((r) => r.revenue - r.spend);
    const sum = profits.reduce((a, b) => a + b, 0);
    const baseline = profits.reduce((a, p) => a + Math.abs(p - (sum - p) / (profits.length - 1)), 0) / profits.length;
    expect(profitModel.trainingSize).toBe(rows.length);
    expect(profitModel.heldOut.points).toBe(rows.length);
    expect(profitModel.heldOut.baselineMae).toBeCloseTo(baseline, -2);
    expect(profitModel.heldOut.mae).toBeLessThan(0.6 * baseline);
    // The 95 % interval covers held-out profits at close to the stated rate.
    expect(profitModel.heldOut.coverage).toBeGreaterThan(0.9);
    expect(profitModel.heldOut.coverage).toBeLessThan(0.99);
  });

  it('predicts open engagements, and hypothetical ones with predictProfit', async () => {
    const { engagements } = await demo.app.ok(
      `{ engagements(where: { status: { eq: Active } }, first: 5) { nodes { id profitPrediction { value interval { lower upper level } closed features { budget offering } model { trainingSize } } } } }`,
    );
    expect(engagements.nodes.length).toBeGreaterThan(0);
    for (const e of engagements.nodes) {
      const p = e.profitPrediction;
      expect(p.closed).toBe(false);
      expect(p.interval.lower).toBeLessThan(p.value);
      expect(p.interval.upper).toBeGreaterThan(p.value);
      expect(p.interval.level).toBe(0.95);
    }
    const { small, large } = await demo.app.ok(`{
      small: predictProfit(input: { budget: 50000, durationDays: 60, offering: Tax, industry: Banking, leadRole: Partner }) { value interval { lower upper } }
      large: predictProfit(input: { budget: 500000, durationDays: 60, offering: Tax, industry: Banking, leadRole: Partner }) { value interval { lower upper } }
    }`);
    expect(small.value).toBeGreaterThan(0);
    // Profit per euro of budget: ten times the budget, about ten times the profit and the interval's width.
    expect(large.value / small.value).toBeGreaterThan(8);
    expect(large.interval.upper - large.interval.lower).toBeGreaterThan(
      8 * (small.interval.upper - small.interval.lower),
    );
  });

  it('refuses a hypothetical engagement without a positive, finite budget, with a stable code', async () => {
    const errors: GqlError[] = await demo.app.fails(
      `{ predictProfit(input: { budget: -5, durationDays: 30, offering: Tax }) { value } }`,
    );
    expect(errors[0].extensions?.code).toBe('InvalidArgument');
    expect(errors[0].message).toMatch(/budget must be a positive number/);
    // A literal too large for a double is Infinity to GraphQL: refused the same way.
    const infinite: GqlError[] = await demo.app.fails(
      `{ predictProfit(input: { budget: 1e400, durationDays: 30, offering: Tax }) { value } }`,
    );
    expect(infinite[0].extensions?.code).toBe('InvalidArgument');
    expect(infinite[0].message).toMatch(/budget must be a positive number of euros; got Infinity/);
  });

  it('retrains by itself once ten more engagements have closed, and learns from them', async () => {
    const before = (await demo.app.ok(`{ profitModel { trainingSize trainedAt } }`)).profitModel;
    const { engagements } = await demo.app.ok(
      `{ engagements(where: { status: { eq: Active } }, first: 10, orderBy: [{ id: ASC }]) { nodes { id budget } } }`,
    );
    expect(engagements.nodes).toHaveLength(10);
    for (const e of engagements.nodes as { id: string; budget: number }[]) {
      // Closed on budget with a 20 % margin: ordinary engagements the model should take in.
      await demo.app.ok(
        `mutation ($id: ID!, $spend: Float!, $revenue: Float!) { updateEngagement(id: $id, input: { status: Closed, spend: $spend, revenue: $revenue }) { id } }`,
        {
          id: e.id,
          spend: 0.8 * e.budget,
          revenue: e.budget,
        },
      );
    }
    // Retraining runs in the background: given half a minute, as a busy machine may take a while.
    let after = before;
    const deadline = Date.now() + 30_000;
    while (after.trainedAt === before.trainedAt && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = (await demo.app.ok(`{ profitModel { trainingSize trainedAt reason } }`)).profitModel;
    }
    expect(after.reason).toBe('10 engagements closed since the last training');
    expect(after.trainingSize).toBe(before.trainingSize + 10);
  });

  it('retrains on request', async () => {
    const before = (await demo.app.ok(`{ profitModel { trainedAt } }`)).profitModel.trainedAt;
    const { retrainProfitModel } = await demo.app.ok(
      `mutation { retrainProfitModel { trainedAt reason trainingSize } }`,
    );
    expect(retrainProfitModel.reason).toBe('requested');
    expect(Date.parse(retrainProfitModel.trainedAt)).toBeGreaterThanOrEqual(Date.parse(before));
  });
});

/** Hourly vibration readings after `from`, climbing linearly from `start` to `end` cm/s. */
function degrading(
  twinId: string,
  from: number,
  hours: number,
  start: number,
  end: number,
): { twinId: string; name: string; time: string; value: number }[] {
  return Array.from({ length: hours }, (_, h) => ({
    twinId,
    name: 'vibration',
    time: new Date(from + (h + 1) * HOUR).toISOString(),
    value: start + ((end - start) * h) / (hours - 1) + 0.01 * Math.sin(h),
  }));
}

describe('device failure risk', () => {
  const healthy = firm.truth.devices.filter((d) => !d.wearing && d.wornOutAt === undefined);

  it('is low for a healthy device and rises when its telemetry is made to degrade', async () => {
    const id = healthy[7].id;
    const risk = async () =>
      (
        await demo.app.ok(
          `query ($id: ID!) { twin(id: $id) { ... on Device { failureRisk(horizonHours: 168) { asOf probability wearProbability timeToFailureHours timeToFailure { lower upper } } } } }`,
          { id },
        )
      ).twin.failureRisk;
    const before = await risk();
    expect(before.probability).toBeLessThan(0.2);
    const last = Date.parse(before.asOf);
    // Six days of vibration climbing from 0.3 to 0.62 cm/s: still under the 0.71 limit, but not for long.
    const { recordMetrics } = await demo.app.ok(
      `mutation ($points: [MetricPointInput!]!) { recordMetrics(points: $points) }`,
      { points: degrading(id, last, 6 * 24, 0.3, 0.62) },
    );
    expect(recordMetrics).toBe(144);
    const after = await risk();
    expect(Date.parse(after.asOf)).toBe(last + 144 * HOUR);
    expect(after.probability).toBeGreaterThan(0.5);
    expect(after.probability).toBeGreaterThan(before.probability);
    expect(after.timeToFailureHours).toBeGreaterThan(0);
    expect(after.timeToFailureHours).toBeLessThan(14 * 24);
    expect(after.timeToFailure.lower).toBeLessThanOrEqual(after.timeToFailureHours);
  });

  it('is higher for devices the generator wears out than for healthy ones', async () => {
    const wearing = firm.truth.devices.filter((d) => d.wearing && d.wornOutAt === undefined).slice(0, 20);
    const ids = [...wearing.map((d) => d.id), ...healthy.slice(20, 40).map((d) => d.id)];
    const { twins } = await demo.app.ok(
      `query ($ids: [ID!]) { twins(where: { id: { in: $ids } }, first: 100) { nodes { id ... on Device { failureRisk(horizonHours: 720) { probability } } } } }`,
      { ids },
    );
    const p = new Map<string, number>(
      twins.nodes.map((n: { id: string; failureRisk: { probability: number } }) => [n.id, n.failureRisk.probability]),
    );
    const mean = (list: string[]) => list.reduce((a, id) => a + p.get(id)!, 0) / list.length;
    expect(mean(wearing.map((d) => d.id))).toBeGreaterThan(mean(healthy.slice(20, 40).map((d) => d.id)) + 0.2);
  });

  it('is certain for a device that has failed', async () => {
    const failed = firm.truth.devices.find((d) => d.wornOutAt !== undefined)!;
    const { twin } = await demo.app.ok(
      `query ($id: ID!) { twin(id: $id) { ... on Device { state failureRisk { probability timeToFailureHours } } } }`,
      { id: failed.id },
    );
    expect(twin.state).toBe('Failed');
    expect(twin.failureRisk).toEqual({ probability: 1, timeToFailureHours: 0 });
  });
});

describe('metric forecasts', () => {
  it("cover the next day's actual temperatures at close to the stated 95 %", async () => {
    // Forecast each series from the points before a cut-off, then compare with the points after it.
    const cut = new Date(Date.parse(DEMO_AS_OF) - DAY).toISOString();
    const devices = firm.devices.filter((_, i) => i % 50 === 0).map((d) => d.id);
    let covered = 0;
    let total = 0;
    let absError = 0;
    let naiveError = 0;
    for (const id of devices) {
      const { twin } = await demo.app.ok(
        `query ($id: ID!, $cut: DateTime!) { twin(id: $id) { ... on Device { temperature { forecast(horizon: 24, before: $cut) { level points { time value lower upper } } actual: points(from: $cut, first: 24) { time value } before: points(to: $cut, last: 24) { value } } } } }`,
        { id, cut },
      );
      const f = twin.temperature.forecast;
      expect(f.level).toBe(0.95);
      const actual = new Map<string, number>(
        twin.temperature.actual.map((p: { time: string; value: number }) => [p.time, p.value]),
      );
      f.points.forEach((p: { time: string; value: number; lower: number; upper: number }, i: number) => {
        const y = actual.get(p.time);
        if (y === undefined) return;
        total++;
        if (y >= p.lower && y <= p.upper) covered++;
        absError += Math.abs(y - p.value);
        naiveError += Math.abs(y - twin.temperature.before[i].value);
      });
    }
    expect(total).toBeGreaterThan(1000);
    expect(covered / total).toBeGreaterThan(0.88);
    expect(covered / total).toBeLessThanOrEqual(0.995);
    // And it is about as good as "same time yesterday", a strong baseline for daily-cyclic telemetry
    // (npm run bench:analytics: 1.01× its error on 200 series).
    expect(absError).toBeLessThan(1.1 * naiveError);
  });

  it('report their error on the recent past, and refuse a series with nothing to forecast from', async () => {
    const id = firm.devices[3].id;
    const { twin } = await demo.app.ok(
      `query ($id: ID!) { twin(id: $id) { ... on Device { utilisation { forecast(horizon: 12) { method stepSeconds points { time } backtest { points mae baselineMae coverage } } } } } }`,
      { id },
    );
    expect(twin.utilisation.forecast.stepSeconds).toBe(3600);
    expect(twin.utilisation.forecast.points).toHaveLength(12);
    expect(twin.utilisation.forecast.points[0].time).toBe(DEMO_AS_OF.replace('Z', '.000Z'));
    expect(twin.utilisation.forecast.method).toMatch(/MSTL/);
    expect(twin.utilisation.forecast.backtest.points).toBe(12);
    const errors = await demo.app.fails(
      `query ($id: ID!) { twin(id: $id) { ... on Device { temperature { forecast(horizon: 12, before: "2020-01-01T00:00:00Z") { method } } } } }`,
      { id },
    );
    expect(errors[0].extensions?.code).toBe('InsufficientData');
  });
});

describe('prediction subscriptions', () => {
  it("send a device's current failure risk, then a new one when its telemetry moves it", async () => {
    const id = firm.truth.devices.filter((d) => !d.wearing && d.wornOutAt === undefined)[11].id;
    const received = await demo.app.subscribe(
      `subscription ($ids: [ID!]!) { predictionChanged(twinIds: $ids) { twinId kind cause changeType seq failureRisk { asOf probability } error } }`,
      { ids: [id] },
    );
    const [initial] = await received.waitFor(1);
    expect(initial).toMatchObject({
      twinId: id,
      kind: 'FAILURE_RISK',
      cause: 'INITIAL',
      changeType: null,
      seq: null,
      error: null,
    });
    const last = Date.parse(initial.failureRisk.asOf);
    await demo.app.ok(`mutation ($points: [MetricPointInput!]!) { recordMetrics(points: $points) }`, {
      points: degrading(id, last, 6 * 24, 0.3, 0.62),
    });
    const [, moved] = await received.waitFor(2);
    expect(moved).toMatchObject({ twinId: id, kind: 'FAILURE_RISK', cause: 'CHANGE', changeType: 'TELEMETRY' });
    expect(moved.seq).toBeGreaterThan(0);
    expect(moved.failureRisk.probability).toBeGreaterThan(initial.failureRisk.probability);
    received.stop();
  });

  it("send an engagement's profit prediction again when the model is retrained", async () => {
    const id = firm.truth.engagements.find((e) => e.status === 'active')!.id;
    const received = await demo.app.subscribe(
      `subscription ($ids: [ID!]!) { predictionChanged(twinIds: $ids, kinds: [PROFIT]) { twinId kind cause profit { value model { trainedAt } } } }`,
      { ids: [id] },
    );
    await received.waitFor(1);
    await demo.app.ok(`mutation { retrainProfitModel { trainedAt } }`);
    const [, retrained] = await received.waitFor(2);
    expect(retrained).toMatchObject({ twinId: id, kind: 'PROFIT', cause: 'RETRAINED' });
    received.stop();
  });

  it("send an engagement's profit prediction again when its client moves to another industry", async () => {
    const id = firm.truth.engagements.find((e) => e.status === 'active')!.id;
    const { twin } = await demo.app.ok(
      `query ($id: ID!) { twin(id: $id) { ... on Engagement { client: hasEngagementInverse { nodes { id ... on Client { industry } } } } } }`,
      { id },
    );
    const client = twin.client.nodes[0];
    const industry = client.industry === 'Banking' ? 'energy' : 'banking';
    const received = await demo.app.subscribe(
      `subscription ($ids: [ID!]!) { predictionChanged(twinIds: $ids, kinds: [PROFIT]) { twinId cause changeType seq profit { value features { industry } } } }`,
      { ids: [id] },
    );
    await received.waitFor(1);
    await demo.app.ok(
      `mutation ($id: ID!, $industry: JSON!) { patchTwin(id: $id, patch: [{ op: replace, path: "/industry", value: $industry }]) { etag } }`,
      { id: client.id, industry },
    );
    const seq = await demo.app.latestSeq();
    const [, moved] = await received.waitFor(2);
    expect(moved).toMatchObject({
      twinId: id,
      cause: 'CHANGE',
      changeType: 'TWIN_UPDATE',
      seq,
      // The features read as Client.industry does: the enum name of the value written.
      profit: { features: { industry: industry === 'energy' ? 'Energy' : 'Banking' } },
    });
    received.stop();
  });

  it('refuse unknown twins with a stable code', async () => {
    const received = await demo.app.subscribe(
      `subscription { predictionChanged(twinIds: ["no-such-twin"]) { twinId } }`,
    );
    await received.ended();
    expect(JSON.stringify(received.errors)).toMatch(/DigitalTwinNotFound/);
  });
});
