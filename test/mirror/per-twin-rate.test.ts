/**
 * ADT takes at most 10 writes a second on one twin and its relationships (not adjustable). The mirror keeps
 * every twin under the configured limit at the ADT side — here lowered to 3 so that a short test can show it —
 * however the writes arrive, and a burst of changes to one twin goes out coalesced rather than queued.
 */
import { TestApp } from '../support/api-harness';
import { maxWritesPerTwinPerSecond } from '../support/adt-rates';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { adtState, drained, twingraphState } from '../support/mirror-state';

const PER_TWIN = 3;
let adt: AdtServer;
let t: TestApp;

beforeAll(async () => {
  adt = await startAdtServer();
  t = await new TestApp({
    env: { ADT_ENDPOINT: adt.url, ADT_RATE_PER_TWIN: String(PER_TWIN), ADT_COALESCE_MS: '0' },
  }).start();
  await t.ok('mutation { createClient(id: "busy", input: { name: "Busy" }) { id } }');
  await drained(t.store);
  adt.requests.length = 0;
});
afterAll(async () => {
  await t?.close();
  await adt?.stop();
});

describe('the per-twin rate at ADT', () => {
  it(`never exceeds ${PER_TWIN} writes per second on a twin whose changes cannot be merged`, async () => {
    // A property change and a relationship change, alternately: no two consecutive changes of the same subject.
    for (let i = 0; i < 12; i++) {
      await t.ok(`mutation { createEngagement(id: "e${i}", input: { title: "E${i}" }) { id } }`);
      await t.ok(`mutation { updateClient(id: "busy", input: { country: "C${i}" }) { id } }`);
      await t.ok(
        `mutation { createRelationship(sourceId: "busy", id: "r${i}", name: "hasEngagement", targetId: "e${i}") { id } }`,
      );
    }
    await drained(t.store, 60_000);
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
    const busyWrites = adt.requests.filter((r) => r.write && r.twinIds.includes('busy'));
    expect(busyWrites.length).toBeGreaterThanOrEqual(12);
    expect(busyWrites.every((r) => r.status < 400)).toBe(true);
    expect(maxWritesPerTwinPerSecond(adt.requests)).toBe(PER_TWIN);
    // …which takes time: at 3 a second, the busy twin's writes span several seconds.
    expect(busyWrites[busyWrites.length - 1].time - busyWrites[0].time).toBeGreaterThan(
      ((busyWrites.length - PER_TWIN) / PER_TWIN) * 1000 - 200,
    );
  }, 60_000);

  it('sends a burst of 200 changes to one twin as a handful of requests', async () => {
    adt.requests.length = 0;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.ok(`mutation { updateClient(id: "busy", input: { email: "v${i}@example.com" }) { id } }`),
      ),
    );
    await drained(t.store, 30_000);
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
    const writes = adt.requests.filter((r) => r.write);
    expect(writes.length).toBeLessThan(20);
    expect(maxWritesPerTwinPerSecond(adt.requests)).toBeLessThanOrEqual(PER_TWIN);
  }, 60_000);
});
