/**
 * Convergence: thousands of mixed writes through the GraphQL API while the ADT side throttles, fails, drops
 * connections (before and after applying the write) and answers slowly for part of the time; once the mirror
 * has drained, ADT holds exactly what Twingraph holds — models, twins, relationships — and no twin ever got
 * more writes in a second than ADT allows.
 */
import { TestApp } from '../support/api-harness';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { adtState, drained, twingraphState } from '../support/mirror-state';
import { runWorkload } from '../support/mirror-workload';
import { maxWritesPerTwinPerSecond } from '../support/adt-rates';

const PER_TWIN = 10;
let adt: AdtServer;
let t: TestApp;

beforeAll(async () => {
  adt = await startAdtServer({ seed: 7 });
  // The server enforces ADT's per-twin limit like ADT: a mirror that overran it would get 429s (and be slow), and
  // the request log below shows it never did.
  adt.faults.set({ perTwinWriteLimit: { perSecond: PER_TWIN } });
  t = await new TestApp({
    env: {
      ADT_ENDPOINT: adt.url,
      ADT_COALESCE_MS: '20',
      ADT_RETRY_BASE_MS: '50',
      ADT_RETRY_MAX_MS: '1000',
      ADT_RATE_PER_TWIN: String(PER_TWIN),
    },
  }).start();
});
afterAll(async () => {
  await t?.close();
  await adt?.stop();
});

describe('mirror convergence under faults', () => {
  it('ends with ADT equal to Twingraph after 3,000 mixed writes, a third of them sent while ADT misbehaves', async () => {
    // Faults for a stretch of the mirror's traffic (its requests 300 to 1,500 of some 2,500), while writes keep coming.
    adt.faults.set({
      perTwinWriteLimit: { perSecond: PER_TWIN },
      throttle: { probability: 0.08, retryAfterSeconds: 1 },
      unavailable: { probability: 0.05 },
      drop: { probability: 0.04, afterWrite: false },
      delayMs: [0, 30],
      appliesTo: (request) => request.seq >= 300 && request.seq < 1500,
    });
    adt.faults.hook((request) =>
      request.seq >= 300 && request.seq < 1500 && request.write && request.random() < 0.02
        ? { type: 'drop', afterWrite: true }
        : undefined,
    );
    const result = await runWorkload((q, v) => t.gql(q, v), { seed: 42, writes: 3000, concurrency: 8 });
    expect(result.ok).toBeGreaterThan(2000);

    await drained(t.store, 180_000);
    const [ours, theirs] = [await twingraphState(t.store), adtState(adt)];
    // Once in several runs under load (CI, December 2026) ADT ended without one twin and its relationship that
    // Twingraph had (the first twin of a model uploaded moments before); not reproduced since. Should it happen
    // again, say what the mirror did with them.
    const differing = [
      ...Object.keys(ours.twins).filter((id) => !(id in theirs.twins)),
      ...Object.keys(theirs.twins).filter((id) => !(id in ours.twins)),
    ];
    if (differing.length > 0) {
      const log = await t.store.readChanges({ after: 0, limit: 10_000 });
      console.log(
        JSON.stringify({
          differing,
          deadLetters: await t.store.listDeadLetters({ limit: 50 }),
          changes: log
            .filter((c) => c.type.startsWith('Model.') || differing.includes(c.twinId ?? c.subject))
            .map((c) => [c.seq, c.type, c.subject]),
          requests: adt.requests.filter((r) => differing.some((id) => JSON.stringify(r).includes(id))).slice(0, 50),
        }),
      );
    }
    expect(theirs).toEqual(ours);
    expect(Object.keys(ours.twins).length).toBeGreaterThan(80);
    expect(Object.keys(ours.relationships).length).toBeGreaterThan(30);

    const faults = adt.requests.filter((r) => r.faulted !== undefined);
    expect(faults.filter((r) => r.faulted === 'throttle').length).toBeGreaterThan(10);
    expect(faults.filter((r) => r.faulted === 'unavailable').length).toBeGreaterThan(10);
    expect(faults.filter((r) => r.faulted === 'drop').length).toBeGreaterThan(10);
    expect(faults.filter((r) => r.faulted === 'drop-after-write').length).toBeGreaterThan(5);
    const { mirrorStatus } = await t.ok('{ mirrorStatus { pending dead retries } }');
    expect(mirrorStatus).toMatchObject({ pending: 0, dead: 0 });
    expect(mirrorStatus.retries).toBeGreaterThan(0);
    // Every write that reached ADT counts, refused or not.
    expect(maxWritesPerTwinPerSecond(adt.requests)).toBeLessThanOrEqual(PER_TWIN);
  }, 240_000);
});
