/**
 * The change-feed benchmark (bench/events.ts, run at full size by `npm run bench:events`) at a tiny size, so
 * that it cannot rot unnoticed. Not a speed test: it checks that every subscriber got every change once, in
 * order, and that the feed read each commit from the store at most once.
 */
import { runEventsBench } from '../../bench/events';

test('the change-feed benchmark runs end to end and delivers exactly', async () => {
  const result = await runEventsBench({ subscribers: 25, rate: 200, seconds: 0.5, twins: 20 });
  expect(result.writes).toBe(100);
  expect(result.delivered).toBe(result.expected);
  expect(result.expected).toBe(25 * 100);
  expect(result.outOfOrder).toBe(0);
  expect(result.storeReads).toBeLessThanOrEqual(result.writes);
  expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.max);
});
