/**
 * The API benchmark (bench/api.ts, run at full size by `npm run bench:api`) at toy size, in one process and
 * against src/, so that it cannot rot unnoticed. Not a speed test: it checks that both servers answer every
 * request without an error, that the traversal returns nested twins, and that every subscriber gets every
 * change it should, once, in order.
 */
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import {
  createServerHost,
  formatLoad,
  formatSubscriptions,
  runApiBench,
  type ApiBenchResult,
  type LoadResult,
  type ServerHost,
} from '../../bench/api';

let host: ServerHost;
let result: ApiBenchResult;
const lines: string[] = [];

beforeAll(async () => {
  host = await createServerHost(
    { startApp: (config) => startApp(config), loadConfig },
    { clients: 10, engagementsPerClient: 2, assetsPerEngagement: 2, devicesPerAsset: 1 },
  );
  result = await runApiBench(host, {
    http: { connections: 2, seconds: 1, warmupSeconds: 0 },
    subscriptions: [
      { mode: 'filtered', subscribers: 5, perConnection: 5, watch: 2, rate: 100, changes: 20 },
      { mode: 'all', subscribers: 5, perConnection: 2, watch: 0, rate: 100, changes: 20 },
    ],
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await host?.close();
});

function expectClean(load: LoadResult): void {
  expect(load.requests).toBeGreaterThan(0);
  expect({
    errors: load.errors,
    timeouts: load.timeouts,
    non2xx: load.non2xx,
    graphqlErrors: load.graphqlErrors,
  }).toEqual({ errors: 0, timeouts: 0, non2xx: 0, graphqlErrors: 0 });
  expect(load.rps).toBeGreaterThan(0);
  expect(load.p50).toBeLessThanOrEqual(load.p99);
}

test('the seeded graph is what the benchmark asked for', async () => {
  const info = await host.info();
  // 10 clients × 2 engagements × 2 assets × 1 device, and the sentinel client.
  expect(info.twins).toBe(10 + 20 + 40 + 40 + 1);
  expect(info.relationships).toBe(20 + 40 + 40);
  expect(info.clientIds).toHaveLength(10);
});

test('twin by id runs clean on Twingraph and on the bare Apollo Server', () => {
  expectClean(result.http!.twinById);
  expectClean(result.http!.bareTwinById);
  expect(result.http!.ratio).toBeGreaterThan(0);
});

test('the 2-level traversal runs clean and returns clients with their engagements and assets', () => {
  expectClean(result.http!.traversal);
  // First page: 10 clients, 2 engagements each, 2 assets per engagement.
  expect(result.http!.traversal.twinsPerPage).toBe(10 + 20 + 40);
  expect(result.http!.traversal.pages).toBeGreaterThanOrEqual(1);
});

test('every subscriber gets every change it watches, once and in order', () => {
  const [filtered, all] = result.subscriptions;
  // Filtered: 5 subscriptions × 2 clients watched = each of the 10 clients watched once.
  expect(filtered).toMatchObject({
    mode: 'filtered',
    changes: 20,
    expected: 20,
    delivered: 20,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    outOfOrder: 0,
    subscriptionErrors: 0,
  });
  expect(all).toMatchObject({
    mode: 'all',
    changes: 20,
    expected: 100,
    delivered: 100,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    outOfOrder: 0,
    subscriptionErrors: 0,
  });
  for (const s of result.subscriptions) {
    expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.max);
    expect(Number.isFinite(s.latencyMs.p99)).toBe(true);
  }
});

test('the report has a line per figure, with the goals', () => {
  expect(lines).toContain(formatLoad(result.http!.twinById));
  expect(lines.some((l) => l.includes('goal ≥ 85%'))).toBe(true);
  expect(lines).toEqual(expect.arrayContaining(formatSubscriptions(result.subscriptions[0])));
  expect(lines.some((l) => l.includes('goal p99 < 50 ms'))).toBe(true);
});
