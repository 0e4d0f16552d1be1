/**
 * A request ADT never answers must not hold its twin up for good, nor keep the mirror from stopping: every
 * request has a deadline (ADT_REQUEST_TIMEOUT_MS), after which it is retried; stopping cancels what is in
 * flight and gives the changes back untouched, once that deadline has passed again (ADT may still apply a
 * request it had received, and nothing newer of the twin must reach ADT before it).
 */
import { TestApp } from '../support/api-harness';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { adtState, drained, twingraphState } from '../support/mirror-state';

let adt: AdtServer;
let t: TestApp;

beforeAll(async () => {
  adt = await startAdtServer();
  t = await new TestApp({
    env: {
      ADT_ENDPOINT: adt.url,
      ADT_COALESCE_MS: '0',
      ADT_REQUEST_TIMEOUT_MS: '300',
      ADT_RETRY_BASE_MS: '20',
      ADT_RETRY_MAX_MS: '200',
    },
  }).start();
});
afterAll(async () => {
  await t?.close();
  await adt?.stop();
});

describe('requests ADT never answers', () => {
  it("time out and are sent again; the twin's later changes follow", async () => {
    await t.ok('mutation { createClient(id: "slow", input: { name: "Slow" }) { id } }');
    await drained(t.store);
    let hung = 0;
    // The first patch of the twin gets no answer for a minute.
    adt.faults.hook((r) =>
      r.op === 'twins.patch' && r.path === '/digitaltwins/slow' && hung++ === 0
        ? { type: 'delay', ms: 60_000 }
        : undefined,
    );
    await t.ok('mutation { updateClient(id: "slow", input: { country: "BE" }) { id } }');
    await t.ok('mutation { updateClient(id: "slow", input: { email: "slow@example.com" }) { id } }');
    await drained(t.store, 10_000);
    adt.faults.hook(undefined);
    expect(hung).toBeGreaterThanOrEqual(2);
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
    const { mirrorStatus } = await t.ok('{ mirrorStatus { retries lastError { message } } }');
    expect(mirrorStatus.retries).toBeGreaterThan(0);
    expect(mirrorStatus.lastError.message).toMatch(/did not answer PATCH \/digitaltwins\/slow within 300 ms/);
  });
});

describe('stopping with a request in flight', () => {
  // A long deadline, so that only the cancel can end the request quickly.
  let slow: TestApp;
  beforeAll(async () => {
    slow = await new TestApp({
      env: { ADT_ENDPOINT: adt.url, ADT_COALESCE_MS: '0', ADT_REQUEST_TIMEOUT_MS: '20000' },
    }).start();
    await drained(slow.store);
  });
  afterAll(() => slow?.close());

  it('cancels it, and the change waits, untried, held for the request deadline, for the next start', async () => {
    const t = slow;
    adt.faults.hook((r) => (r.path.startsWith('/digitaltwins/stuck') ? { type: 'delay', ms: 60_000 } : undefined));
    const mirror = t.app.features.get('mirror')!;
    await t.ok('mutation { createClient(id: "stuck", input: { name: "Stuck" }) { id } }');
    const deadline = Date.now() + 5000;
    while (!adt.requests.some((r) => r.path === '/digitaltwins/stuck')) {
      if (Date.now() > deadline) throw new Error('the create never reached ADT');
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopping = Date.now();
    await mirror.stop();
    expect(Date.now() - stopping).toBeLessThan(5000);
    // Held: ADT may still apply the cancelled request within its deadline.
    expect(await t.store.claimOutbox({ limit: 10, leaseMs: 1 })).toEqual([]);
    expect(await t.store.outboxStats()).toMatchObject({ pending: 1, dead: 0 });
    // The deadline's end, brought forward by hand: then it is back in line as it was.
    await t.store.renewOutbox([await t.store.latestSeq()], 0);
    const [entry] = await t.store.claimOutbox({ limit: 10, leaseMs: 1 });
    expect(entry).toMatchObject({ attempts: 0, change: { type: 'Twin.Create', subject: 'stuck' } });
    expect(await t.store.listDeadLetters()).toEqual([]);
    adt.faults.hook(undefined);
  });
});
