/**
 * The README's demo tour, run verbatim: every ```graphql block of "Explore the demo firm" against the seeded
 * demo, in order. Queries and mutations must answer without errors; subscriptions are opened as they come and
 * must each receive what the mutation after them causes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/config';
import type { Received } from '../support/api-harness';
import { useSeededDemo } from '../support/demo-db';

const SECTION = '### Explore the demo firm';

function tourBlocks(): string[] {
  const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README.md has no section '${SECTION}'`);
  const end = readme.indexOf('\n### ', start + SECTION.length);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const demo = useSeededDemo();

it('has the blocks the tour promises: queries, two subscriptions and the mutation that moves them', () => {
  const blocks = tourBlocks();
  expect(blocks.filter((b) => b.trimStart().startsWith('{'))).toHaveLength(3);
  expect(blocks.filter((b) => b.trimStart().startsWith('subscription'))).toHaveLength(2);
  expect(blocks.filter((b) => b.trimStart().startsWith('mutation'))).toHaveLength(1);
});

it('runs every block verbatim, in order, without errors', async () => {
  const subscriptions: Received[] = [];
  const answers: Record<string, any>[] = [];
  for (const block of tourBlocks()) {
    if (block.trimStart().startsWith('subscription')) {
      const subscription = await demo.app.subscribe(block);
      subscriptions.push(subscription);
      // A prediction subscription computes its first values after it has started: wait for them (one per
      // watched twin), or they could be computed after the mutation below, and nothing would be left to send.
      const watched = /predictionChanged\(twinIds:\s*\[([^\]]*)\]/.exec(block);
      if (watched) await subscription.waitFor(watched[1].split(',').filter((id) => id.trim()).length);
      continue;
    }
    const response = await demo.app.gql(block);
    expect(response.errors).toBeUndefined();
    answers.push(response.data!);
  }

  // The one-query tour of an engagement reaches its devices' telemetry and predictions.
  const engagement = answers[0].engagement;
  expect(engagement.client.nodes[0].name).toEqual(expect.any(String));
  expect(engagement.profitPrediction.interval.level).toBe(0.95);
  const device = engagement.covers.edges[0].node.hosts.nodes[0];
  expect(device.temperature.latest.numericValue).toEqual(expect.any(Number));
  expect(device.failureRisk.probability).toBeGreaterThanOrEqual(0);
  // The portfolio query finds anomalies, and the profit model beats the mean.
  expect(answers[1].engagements.nodes.some((e: { kpis: { anomaly: boolean } }) => e.kpis.anomaly)).toBe(true);
  expect(answers[1].profitModel.heldOut.mae).toBeLessThan(answers[1].profitModel.heldOut.baselineMae);
  // The device's forecast covers the next day.
  expect(answers[2].device.temperature.forecast.points).toHaveLength(24);

  // The mutation's patch reached the twin subscription; its telemetry and patch moved the device's failure risk.
  const [twinEvents, predictions] = subscriptions;
  const [update] = await twinEvents.waitFor(1);
  expect(update).toMatchObject({ type: 'TWIN_UPDATE', twin: { state: 'Blocked', queueLength: 12 } });
  await predictions.waitFor(3);
  expect(
    predictions.events
      .filter((e) => e.cause === 'INITIAL')
      .map((e) => e.kind)
      .sort(),
  ).toEqual(['FAILURE_RISK', 'PROFIT']);
  expect(predictions.events.some((e) => e.kind === 'FAILURE_RISK' && e.cause === 'CHANGE')).toBe(true);
  for (const s of subscriptions) {
    expect(s.errors).toEqual([]);
    s.stop();
  }
});
