/**
 * The analytics service (src/analytics/service.ts) on a small hand-made firm in an in-memory store: what it
 * reads fresh and what it caches, which changes it tells its listeners about, when it retrains, and that its
 * KPIs are the same whenever a data set is read.
 */
import path from 'node:path';
import type { ProfitInputsMoved, ProfitModelInfo } from '../../src/analytics/compute/results';
import { collectDocuments } from '../../src/dtdl';
import { PACKAGE_ROOT } from '../../src/config';
import { DEMO_MODELS } from '../../src/demo/models';
import { isTwingraphError } from '../../src/errors';
import { ChangeFeed } from '../../src/events';
import { AnalyticsService } from '../../src/analytics/service';
import { ModelService } from '../../src/services/models';
import type { TwinStore } from '../../src/store/port';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { JsonObject, MetricPoint, Twin } from '../../src/store/types';
import { rel, twinInput } from '../support/store-fixtures';

const DAY = 86_400_000;
/** Where the firm's telemetry ends. */
const DATA_TIME = Date.parse('2026-03-01T00:00:00Z');
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Polls until `condition` holds (15 s at most: a busy machine can be seconds late). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Firm {
  readonly store: TwinStore;
  readonly models: ModelService;
  /** Closed engagements per client. */
  readonly closedOf: ReadonlyMap<string, string[]>;
}

/**
 * One tax offering, two clients (banking, retail), two leads (partner, manager); 40 closed engagements with
 * profits that depend on the client's industry, two running ones with spend readings up to DATA_TIME, and six
 * more running ones without any (`spare-0` … `spare-5`) to close in tests.
 */
async function firm(): Promise<Firm> {
  const store = openSqliteStore({ path: ':memory:' });
  const models = new ModelService(store);
  await models.upload(collectDocuments([path.join(PACKAGE_ROOT, 'dtdl')]).map((d) => d.text));
  const twin = (id: string, model: string, properties: JsonObject) => ({ id, twin: twinInput(model, properties) });
  const twins = [
    twin('tax', DEMO_MODELS.offering, { name: 'Tax', line: 'tax' }),
    twin('bank', DEMO_MODELS.client, { name: 'Bank', industry: 'banking' }),
    twin('shop', DEMO_MODELS.client, { name: 'Shop', industry: 'retail' }),
    twin('partner', DEMO_MODELS.employee, { name: 'P', role: 'partner' }),
    twin('manager', DEMO_MODELS.employee, { name: 'M', role: 'manager' }),
  ];
  const relationships: { sourceId: string; relationshipId: string; relationship: ReturnType<typeof rel> }[] = [];
  const closedOf = new Map<string, string[]>([
    ['bank', []],
    ['shop', []],
  ]);
  const engage = (id: string, client: string, lead: string, properties: JsonObject): void => {
    twins.push(twin(id, DEMO_MODELS.engagement, properties));
    relationships.push(
      { sourceId: client, relationshipId: `${client}-${id}`, relationship: rel(id, 'hasEngagement') },
      { sourceId: id, relationshipId: `${id}-uses`, relationship: rel('tax', 'uses') },
      { sourceId: id, relationshipId: `${id}-lead`, relationship: rel(lead, 'ledBy') },
    );
  };
  for (let i = 0; i < 40; i++) {
    const client = i % 2 === 0 ? 'bank' : 'shop';
    const budget = 50_000 + 5_000 * i;
    const start = Date.parse('2025-01-01') + i * 3 * DAY;
    const margin = (client === 'bank' ? 0.3 : 0.1) + 0.04 * Math.sin(i);
    const spend = budget * (0.8 + 0.03 * Math.cos(i));
    engage(`closed-${String(i).padStart(2, '0')}`, client, i % 3 === 0 ? 'manager' : 'partner', {
      status: 'closed',
      budget,
      spend,
      revenue: spend / (1 - margin),
      startDate: isoDate(start),
      endDate: isoDate(start + (30 + (i % 7) * 10) * DAY),
    });
    closedOf.get(client)!.push(`closed-${String(i).padStart(2, '0')}`);
  }
  const running = { status: 'active', budget: 200_000, spend: 50_000, startDate: '2026-01-01', endDate: '2026-12-27' };
  engage('open-bank', 'bank', 'partner', running);
  engage('open-shop', 'shop', 'manager', running);
  for (let i = 0; i < 6; i++)
    engage(`spare-${i}`, 'shop', 'partner', { ...running, budget: 100_000, spend: 80_000, revenue: 100_000 });
  await store.createTwins(twins);
  await store.putRelationships(relationships);
  // Spend readings, daily, up to DATA_TIME: the running engagements' data ends there.
  const points: MetricPoint[] = [];
  for (const id of ['open-bank', 'open-shop']) {
    for (let t = Date.parse('2026-01-01'); t <= DATA_TIME; t += DAY)
      points.push({
        twinId: id,
        name: 'spendToDate',
        time: new Date(t).toISOString(),
        value: (50_000 * (t - Date.parse('2026-01-01'))) / (DATA_TIME - Date.parse('2026-01-01')),
      });
  }
  await store.appendMetrics(points);
  return { store, models, closedOf };
}

const get = async (store: TwinStore, id: string): Promise<Twin> => store.getTwin(id);

describe('the analytics service', () => {
  let f: Firm;
  const closing: { close(): Promise<void> }[] = [];
  beforeEach(async () => {
    f = await firm();
  });
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c.close();
    await f.store.close();
  });
  /** A service on the firm, following its changes when `follow` is set. */
  const service = (
    options: { now?: () => number; retrainAfterClosed?: number; store?: TwinStore; follow?: boolean } = {},
  ): AnalyticsService => {
    const analytics = new AnalyticsService(options.store ?? f.store, () => f.models.current, options);
    if (options.follow) {
      const feed = new ChangeFeed(f.store);
      analytics.follow(feed);
      closing.push(feed, analytics);
    }
    return analytics;
  };
  /** Waits until the service has taken every committed change into account. */
  const caughtUp = async (analytics: AnalyticsService): Promise<void> => {
    const seq = await f.store.latestSeq();
    await until(() => analytics.followedSeq >= seq, `the service to follow up to seq ${seq}`);
  };

  it("measures a running engagement's KPIs to its newest spend reading, so they do not drift with the clock", async () => {
    const engagement = await get(f.store, 'open-bank');
    const soon = await service({ now: () => DATA_TIME + 3 * DAY }).engagementKpis(engagement);
    const later = await service({ now: () => DATA_TIME + 300 * DAY }).engagementKpis(engagement);
    expect(later).toEqual(soon);
    // 2026-01-01 to 2026-03-01 is 59 days; the plan is 360 days; a quarter of the budget is spent.
    expect(soon.elapsedDays).toBe(59);
    expect(soon.burnIndex).toBeCloseTo(0.25 / (59 / 360), 9);
    // An engagement without readings is taken as of the newest reading of any.
    expect(
      (await service({ now: () => DATA_TIME + 300 * DAY }).engagementKpis(await get(f.store, 'spare-0'))).elapsedDays,
    ).toBe(59);
  });

  it("predicts an engagement's profit from its client as it is now, not as the cached portfolio has it", async () => {
    const analytics = service(); // not following: nothing drops its cache
    const before = await analytics.engagementProfit(await get(f.store, 'open-bank'));
    expect(before?.features.industry).toBe('banking');
    await f.store.patchTwin('bank', [{ op: 'replace', path: '/industry', value: 'retail' }]);
    await f.store.patchTwin('partner', [{ op: 'replace', path: '/role', value: 'manager' }]);
    const after = await analytics.engagementProfit(await get(f.store, 'open-bank'));
    expect(after?.features).toMatchObject({ industry: 'retail', leadRole: 'manager' });
    // Retail engagements were the less profitable ones.
    expect(after!.value).toBeLessThan(before!.value);
  });

  it("tells its listeners which engagements a change to a client's industry, a lead's role or a client relationship moves", async () => {
    const analytics = service({ follow: true });
    const moved: ProfitInputsMoved[] = [];
    analytics.onRetrain((_info, m?: ProfitInputsMoved) => void (m && moved.push(m)));
    await analytics.profitModel();

    await f.store.patchTwin('bank', [{ op: 'replace', path: '/industry', value: 'energy' }]);
    await until(() => moved.length === 1, 'the industry change');
    expect(moved[0]).toEqual({
      cause: 'Twin.Update',
      seq: await f.store.latestSeq(),
      engagementIds: expect.any(Array),
    });
    expect([...moved[0].engagementIds].sort()).toEqual([...f.closedOf.get('bank')!, 'open-bank'].sort());

    // Not what a profit is predicted from: nobody is told.
    await f.store.patchTwin('bank', [{ op: 'replace', path: '/name', value: 'Big Bank' }]);
    await f.store.patchTwin('manager', [{ op: 'replace', path: '/role', value: 'director' }]);
    await until(() => moved.length === 2, 'the role change');
    expect(moved[1].cause).toBe('Twin.Update');
    expect(moved[1].engagementIds).toContain('open-shop');
    expect(moved[1].engagementIds).not.toContain('open-bank');

    await f.store.deleteRelationship('shop', 'shop-open-shop');
    await until(() => moved.length === 3, 'the relationship change');
    expect(moved[2]).toMatchObject({ cause: 'Relationship.Delete', engagementIds: ['open-shop'] });
    await caughtUp(analytics);
    expect(moved).toHaveLength(3);
  });

  it('tells its listeners about the first training, on first use, as about any other', async () => {
    const analytics = service();
    const trained: ProfitModelInfo[] = [];
    analytics.onRetrain((info) => void trained.push(info));
    const info = await analytics.profitModel();
    expect(trained).toEqual([info]);
    expect(info.reason).toBe('first use');
    await analytics.profitModel();
    expect(trained).toHaveLength(1);
  });

  it('counts engagements that close while it trains towards the next retraining', async () => {
    // A store whose twin queries (the portfolio read training starts with) wait while `gate` is set.
    let gate: Promise<void> | undefined;
    let waitedAtGate = false;
    const gated = new Proxy(f.store, {
      get(target, property) {
        if (property === 'queryTwins') {
          return async (...args: Parameters<TwinStore['queryTwins']>) => {
            if (gate) {
              waitedAtGate = true;
              await gate;
            }
            return target.queryTwins(...args);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const analytics = service({ store: gated, retrainAfterClosed: 3, follow: true });
    const reasons: string[] = [];
    analytics.onRetrain(
      (info, moved?: ProfitInputsMoved) => void (moved || info.reason === 'first use' || reasons.push(info.reason)),
    );
    await analytics.profitModel();

    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const close = (id: string) => f.store.patchTwin(id, [{ op: 'replace', path: '/status', value: 'closed' }]);
    for (const id of ['spare-0', 'spare-1', 'spare-2']) await close(id);
    await until(() => waitedAtGate, 'the retraining to start');
    // Two more close while it trains.
    for (const id of ['spare-3', 'spare-4']) await close(id);
    await caughtUp(analytics);
    gate = undefined;
    open();
    await until(() => reasons.length === 1, 'the first retraining');
    expect(reasons[0]).toBe('3 engagements closed since the last training');

    // Those two and one more make three.
    await close('spare-5');
    await until(() => reasons.length === 2, 'the second retraining');
    expect(reasons[1]).toBe('3 engagements closed since the last training');
  });

  it('refuses a hypothetical engagement with an infinite budget or duration before (and whether or not) it has a model', async () => {
    const empty = openSqliteStore({ path: ':memory:' });
    closing.push(empty);
    const analytics = new AnalyticsService(empty, () => f.models.current);
    const refusal = async (run: () => Promise<unknown>): Promise<string> => {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      return isTwingraphError(error) ? `${error.code}: ${error.message}` : String(error);
    };
    expect(
      await refusal(() => analytics.predictProfit({ budget: Infinity, durationDays: 30, offering: 'tax' })),
    ).toMatch(/^InvalidArgument: budget must be a positive number of euros; got Infinity/);
    expect(
      await refusal(() => analytics.predictProfit({ budget: 1000, durationDays: Infinity, offering: 'tax' })),
    ).toMatch(/^InvalidArgument: durationDays must be a number of days from 1 to 3650; got Infinity/);
    expect(
      await refusal(() => analytics.predictProfit({ budget: 1000, durationDays: 30, offering: 'tax' }, Infinity)),
    ).toMatch(/^InvalidArgument: The interval level must be between 0 and 1/);
    // A valid request to a service without closed engagements is told what is missing.
    expect(await refusal(() => analytics.predictProfit({ budget: 1000, durationDays: 30, offering: 'tax' }))).toMatch(
      /^InsufficientData/,
    );
  });
});
