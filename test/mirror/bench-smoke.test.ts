/** `npm run bench:mirror` at a tiny size, so that the benchmark cannot rot unnoticed (its figures are not judged here). */
import { mirrorBench } from '../../bench/mirror';

describe('bench:mirror', () => {
  it('drains creates, spread patches and busy-twin patches, one request per create and per spread patch', async () => {
    const r = await mirrorBench({ twins: 300, patches: 300, hot: 60 });
    expect(r.adtLimits.creates).toMatchObject({ entries: 301, requests: 301 });
    expect(r.adtLimits.patches).toMatchObject({ entries: 300, requests: 300 });
    // 60 changes to 10 twins: coalesced, at most a few requests per twin.
    expect(r.adtLimits.hot.entries).toBe(60);
    expect(r.adtLimits.hot.requests).toBeLessThanOrEqual(30);
    expect(r.raisedLimits.patches.requests).toBe(300);
    expect(r.maxPerTwinPerSecond).toBeLessThanOrEqual(10);
  }, 60_000);
});
