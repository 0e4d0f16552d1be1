/**
 * The change-feed benchmark (bench/events.ts, run at full size by `npm run bench:events`) at a tiny size, so
 * that it cannot rot unnoticed. Not a speed test: it checks that every subscriber got every change once, in
 * order, and that the feed read each commit from the store at most once; and that the GraphQL part
 * (bench/events-graphql.ts) delivers exactly too, both with shared executions and without.
 */
import { runEventsBench } from '../../bench/events';
import { runSubscriptionsBench } from '../../bench/events-graphql';

test('the change-feed benchmark runs end to end and delivers exactly', async () => {
  const result = await runEventsBench({ subscribers: 25, rate: 200, seconds: 0.5, twins: 20 });
  expect(result.writes).toBe(100);
  expect(result.delivered).toBe(result.expected);
  expect(result.expected).toBe(25 * 100);
  expect(result.outOfOrder).toBe(0);
  expect(result.storeReads).toBeLessThanOrEqual(result.writes);
  expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.max);
});

test('the subscriptions benchmark runs both ways end to end, delivers exactly, and shares one execution per commit', async () => {
  const result = await runSubscriptionsBench({ subscribers: 12, sockets: 3, rate: 100, seconds: 0.3, twins: 5 });
  expect(result.phases.map((p) => p.shared)).toEqual([false, true, true, false]);
  for (const phase of result.phases) {
    expect(phase.writes).toBe(30);
    expect(phase.delivered).toBe(phase.expected);
    expect(phase.expected).toBe(12 * 30);
    expect(phase.outOfOrder).toBe(0);
    expect(phase.ended).toBe(0);
    expect(phase.executions).toBe(phase.shared ? 30 : 12 * 30);
  }
  expect(result.ratios.executions).toBeCloseTo(1 / 12);
}, 60_000);
