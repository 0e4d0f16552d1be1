/**
 * A request ADT never answers must not hold its twin up for good, nor keep the mirror from stopping: every
 * request has a deadline (ADT_REQUEST_TIMEOUT_MS), after which it is retried; stopping cancels what is in
 * flight and gives the changes back untouched. A write left unanswered, or cut off by the stop, is retried or
 * given back only once that deadline has passed again: ADT may still apply a request it had received, and
 * nothing newer of the twin must reach ADT before it.
 */
import { createAdt } from '../../src/mirror/client';
import { TestApp } from '../support/api-harness';
import { startAdtServer, type AdtServer, type Fault } from '../support/adt-server';
import { adtState, drained, twingraphState } from '../support/mirror-state';

let adt: AdtServer;
let t: TestApp;

/** A Twingraph mirroring to the test ADT: each change at once, this request deadline, quick retries. */
const mirroringApp = (deadlineMs: number): Promise<TestApp> =>
  new TestApp({
    env: {
      ADT_ENDPOINT: adt.url,
      ADT_COALESCE_MS: '0',
      ADT_REQUEST_TIMEOUT_MS: String(deadlineMs),
      ADT_RETRY_BASE_MS: '20',
      ADT_RETRY_MAX_MS: '200',
    },
  }).start();

/** Gives the first patch of twin `id` that ADT receives `fault`; counts the twin's patches. */
function faultFirstPatch(id: string, fault: Fault): () => number {
  let patches = 0;
  adt.faults.hook((r) =>
    r.op === 'twins.patch' && r.path === `/digitaltwins/${id}` && patches++ === 0 ? fault : undefined,
  );
  return () => patches;
}

beforeAll(async () => {
  adt = await startAdtServer();
  t = await mirroringApp(300);
});
afterAll(async () => {
  await t?.close();
  await adt?.stop();
});

describe('requests ADT never answers', () => {
  it("time out and are sent again; the twin's later changes follow", async () => {
    await t.ok('mutation { createClient(id: "slow", input: { name: "Slow" }) { id } }');
    await drained(t.store);
    // The first patch of the twin gets no answer for a minute.
    const patches = faultFirstPatch('slow', { type: 'delay', ms: 60_000 });
    await t.ok('mutation { updateClient(id: "slow", input: { country: "BE" }) { id } }');
    await t.ok('mutation { updateClient(id: "slow", input: { email: "slow@example.com" }) { id } }');
    await drained(t.store, 10_000);
    adt.faults.hook(undefined);
    expect(patches()).toBeGreaterThanOrEqual(2);
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
    const { mirrorStatus } = await t.ok('{ mirrorStatus { retries lastError { message } } }');
    expect(mirrorStatus.retries).toBeGreaterThan(0);
    expect(mirrorStatus.lastError.message).toMatch(/did not answer PATCH \/digitaltwins\/slow within 300 ms/);
  });
});

describe('what a request left unanswered means', () => {
  afterEach(() => adt.faults.hook(undefined));

  it('a write may still land (NoAnswer, which holds its twin back); a read changes nothing (a network error)', async () => {
    const client = createAdt(adt.url, { timeoutMs: 100 });
    adt.faults.hook(() => ({ type: 'delay', ms: 1000 }));
    await expect(client.getTwin('quiet')).rejects.toMatchObject({
      code: 'NetworkError',
      message: 'ADT did not answer GET /digitaltwins/quiet within 100 ms',
    });
    await expect(client.patchTwin('quiet', [{ op: 'add', path: '/name', value: 'Q' }])).rejects.toMatchObject({
      code: 'NoAnswer',
      message: 'ADT did not answer PATCH /digitaltwins/quiet within 100 ms',
    });
  });
});

describe('a request ADT applies after it stopped being waited for', () => {
  // A deadline of 1.5 s: the retry would come within about 2 s of the send (the deadline, the backoff and the
  // worker's idle poll) were it not held back until 3 s.
  let late: TestApp;
  beforeAll(async () => {
    late = await mirroringApp(1500);
  });
  afterAll(() => late?.close());

  it('holds its twin back for the deadline, so that it cannot land after a newer change of the twin', async () => {
    await late.ok('mutation { createClient(id: "late", input: { name: "Late", country: "FR" }) { id } }');
    await drained(late.store);
    // The first patch is not answered within the deadline, but ADT applies it 2.4 s after it was sent: within
    // twice the deadline, as a request ADT had received is.
    const patches = faultFirstPatch('late', { type: 'delay', ms: 2400, lands: true });
    await late.ok('mutation { updateClient(id: "late", input: { country: "BE" }) { id } }');
    // A newer change of the twin while the first is out, unanswered.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await late.ok('mutation { updateClient(id: "late", input: { country: "NL" }) { id } }');
    await drained(late.store, 10_000);
    // Past the late landing, whenever the outbox drained.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    adt.faults.hook(undefined);
    expect(patches()).toBeGreaterThanOrEqual(2);
    // Nothing more of the twin reached ADT before the deadline had passed twice since the unanswered patch.
    const [unanswered, ...after] = adt.requests.filter((r) => r.write && r.path === '/digitaltwins/late').slice(1);
    expect(after.length).toBeGreaterThan(0);
    for (const request of after) expect(request.time - unanswered.time).toBeGreaterThanOrEqual(2 * 1500 - 50);
    const { twins } = adtState(adt);
    expect(twins.late).toEqual((await twingraphState(late.store)).twins.late);
    expect(JSON.parse(twins.late)).toMatchObject({ country: 'NL' });
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
