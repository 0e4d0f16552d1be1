/**
 * MirrorWorker, the continuous scheduler that drains the outbox into ADT: specified against a real SQLite store
 * (opened with the outbox) and an in-memory ADT (test/support/fake-adt.ts) whose answers each test scripts per
 * call — throttling, outages, refusals, missing targets, and requests that hang until the worker cancels them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { comparableTwin } from '../../src/mirror/reconcile';
import { MirrorWorker, type MirrorOptions } from '../../src/mirror/worker';
import type { TwinStore } from '../../src/store/port';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { JsonObject, ModelInput, TwinInput } from '../../src/store/types';
import { adtErrors, FakeAdt, type Call } from '../support/fake-adt';
import { modelInput } from '../support/store-fixtures';

const MODEL = 'dtmi:test:Meter;1';
const meter: ModelInput = modelInput(MODEL, {
  contents: [
    { '@type': 'Property', name: 'name', schema: 'string' },
    { '@type': 'Property', name: 'reading', schema: 'double' },
    { '@type': 'Relationship', name: 'feeds' },
  ],
});

const OPTIONS: MirrorOptions = {
  limits: { perSecond: { models: 100_000, createDelete: 100_000, patch: 100_000 }, perTwin: 100_000 },
  concurrency: 4,
  batchSize: 8,
  leaseMs: 5_000,
  coalesceMs: 0,
  backoff: { baseMs: 5, maxMs: 50 },
  maxDependencyAttempts: 3,
  idlePollMs: 10,
  cutOffGraceMs: 100,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function meterTwin(name: string, reading = 0): TwinInput {
  return { $metadata: { $model: MODEL }, name, reading } as TwinInput;
}

/** Polls `predicate` until it holds; a generous deadline, as a busy machine can be seconds late. */
async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Harness {
  readonly store: TwinStore;
  readonly adt: FakeAdt;
  readonly worker: MirrorWorker;
  /** The seqs of every non-empty claim the worker made, in order. */
  readonly claims: number[][];
  /** Resolves once nothing is pending (everything acknowledged or parked). */
  drained(): Promise<void>;
  dead(): Promise<number>;
}

let open: { dir: string; store: TwinStore; worker: MirrorWorker }[] = [];

/** `slowClaimsMs`: every claim after the first takes this long to answer, as a busy store's may. */
function setup(options: Partial<MirrorOptions> = {}, { slowClaimsMs = 0 } = {}): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-worker-'));
  const raw = openSqliteStore({ path: path.join(dir, 'store.db'), outbox: true });
  const claims: number[][] = [];
  // The store as the worker sees it, with its claims recorded.
  const store = new Proxy(raw as TwinStore, {
    get(target, property) {
      if (property === 'claimOutbox') {
        return async (...args: Parameters<TwinStore['claimOutbox']>) => {
          if (slowClaimsMs > 0 && claims.length > 0) await sleep(slowClaimsMs);
          const entries = await target.claimOutbox(...args);
          if (entries.length > 0) claims.push(entries.map((e) => e.seq));
          return entries;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const adt = new FakeAdt();
  const worker = new MirrorWorker(store, adt, { ...OPTIONS, ...options }, undefined, () => 0.5);
  open.push({ dir, store: raw, worker });
  return {
    store,
    adt,
    worker,
    claims,
    drained: () => waitFor('the outbox to drain', async () => (await raw.outboxStats()).pending === 0),
    dead: async () => (await raw.outboxStats()).dead,
  };
}

afterEach(async () => {
  for (const { dir, store, worker } of open) {
    await worker.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  open = [];
});

/** Whether `seen` is `expected` with some elements left out (coalescing skips intermediate states). */
function isSubsequence<T>(seen: readonly T[], expected: readonly T[]): boolean {
  let i = 0;
  for (const x of expected) if (i < seen.length && seen[i] === x) i++;
  return i === seen.length;
}

const ok = (calls: readonly Call[]): Call[] => calls.filter((c) => c.outcome === 'ok');

describe('MirrorWorker', () => {
  describe('order', () => {
    it('sends the changes of one twin in commit order, batches and requests interleaving with another twin', async () => {
      const h = setup({ batchSize: 3, concurrency: 4 });
      h.adt.latencyMs = 3;
      // The twin's state in ADT after each write that reached it: its reading, or 'deleted'.
      const history: Record<string, (number | 'deleted')[]> = { A: [], B: [] };
      h.adt.onWrite = (call) => {
        if (call.key in history)
          history[call.key].push((h.adt.twins.get(call.key)?.reading as number | undefined) ?? 'deleted');
      };
      await h.store.putModels([meter]);
      h.worker.start();
      const expected: Record<string, (number | 'deleted')[]> = { A: [0], B: [0] };
      await h.store.createTwins([
        { id: 'A', twin: meterTwin('A') },
        { id: 'B', twin: meterTwin('B') },
      ]);
      for (let i = 1; i <= 10; i++) {
        await h.store.patchTwin('A', [{ op: 'replace', path: '/reading', value: i }]);
        await h.store.patchTwin('B', [{ op: 'replace', path: '/reading', value: -i }]);
        expected.A.push(i);
        expected.B.push(-i);
        if (i % 3 === 0) await sleep(4);
      }
      await h.store.deleteTwin('A');
      expected.A.push('deleted');
      await sleep(2);
      await h.store.createTwin('A', meterTwin('A again', 100));
      expected.A.push(100);
      for (let i = 101; i <= 105; i++) {
        await h.store.patchTwin('A', [{ op: 'replace', path: '/reading', value: i }]);
        expected.A.push(i);
        if (i % 2 === 0) await sleep(3);
      }
      await h.drained();

      for (const id of ['A', 'B']) {
        expect(isSubsequence(history[id], expected[id])).toBe(true);
        expect(history[id].at(-1)).toBe(expected[id].at(-1));
        expect(comparableTwin(h.adt.twins.get(id)!)).toEqual(
          comparableTwin((await h.store.getTwin(id)) as unknown as JsonObject),
        );
      }
      // In order, nothing had to be repaired: ADT never refused a write.
      expect(h.adt.calls.filter((c) => c.outcome !== 'ok')).toEqual([]);
      expect(h.worker.counters()).toMatchObject({
        mirrored: 1 + 2 + 20 + 1 + 1 + 5,
        retries: 0,
        deadLettered: 0,
        lastError: null,
      });
    });

    // A crash replays what was sent and not yet acknowledged; were two operations of one twin in that state, ADT
    // would go back to the older state for a moment. So the next operation of a partition waits for the ack.
    it('acknowledges an operation before sending the next one of its twin, so that a crash replays only the last', async () => {
      // The worker's loop is in a slow claim while the operations run, so it flushes no acks meanwhile.
      const h = setup({}, { slowClaimsMs: 300 });
      await h.store.putModels([meter]);
      await h.store.createTwin('A', meterTwin('A'));
      await h.store.createTwin('B', meterTwin('B'));
      await h.store.patchTwin('A', [{ op: 'replace', path: '/reading', value: 1 }]);
      // A relationship to A between A's two patches: the second cannot join the first's request.
      await h.store.putRelationship('B', 'B-A', { $targetId: 'A', $relationshipName: 'feeds' });
      await h.store.patchTwin('A', [{ op: 'replace', path: '/reading', value: 2 }]);
      const lastSeq = await h.store.latestSeq();
      let earlierPendingWhenSent: boolean | undefined;
      h.adt.script('patchTwin', 'A', async () => {
        earlierPendingWhenSent = await h.store.pendingBefore(lastSeq, ['twin:A']);
      });
      h.worker.start();
      await h.drained();

      expect(h.claims).toHaveLength(1);
      expect(ok(h.adt.callsOf('putTwin', 'A'))).toHaveLength(1);
      expect(ok(h.adt.callsOf('patchTwin', 'A'))).toHaveLength(1);
      expect(earlierPendingWhenSent).toBe(false);
      expect(h.adt.twins.get('A')).toMatchObject({ reading: 2 });
    });

    it('sends a create and the updates claimed with it as one PUT of the final state', async () => {
      const h = setup();
      await h.store.putModels([meter]);
      await h.store.createTwin('C', meterTwin('C'));
      await h.store.patchTwin('C', [{ op: 'replace', path: '/reading', value: 1 }]);
      await h.store.patchTwin('C', [{ op: 'replace', path: '/name', value: 'C2' }]);
      h.worker.start();
      await h.drained();

      expect(h.claims).toHaveLength(1);
      expect(h.adt.callsOf('patchTwin')).toEqual([]);
      expect(h.adt.callsOf('putTwin', 'C')).toHaveLength(1);
      expect(h.adt.callsOf('putTwin', 'C')[0].body).toMatchObject({
        name: 'C2',
        reading: 1,
        $metadata: { $model: MODEL },
      });
      expect(h.adt.twins.get('C')).toMatchObject({ name: 'C2', reading: 1 });
      expect(h.worker.counters()).toMatchObject({ mirrored: 4, requests: 2 });
    });
  });

  describe('dependencies', () => {
    /** A running worker that has mirrored the model and twin 'a'. */
    async function withTwinA(options: Parameters<typeof setup>[0]) {
      const h = setup(options);
      await h.store.putModels([meter]);
      await h.store.createTwin('a', meterTwin('a'));
      h.worker.start();
      await h.drained();
      return h;
    }

    it("sends a relationship after its target twin's create, though they were claimed apart and the create failed once", async () => {
      const h = await withTwinA({ batchSize: 4, maxDependencyAttempts: 10 });

      let relSeq = 0;
      let bSeq = 0;
      // While b's create is in flight, the relationship a → b is committed and claimed; then the create fails (503).
      h.adt.script('putTwin', 'b', async () => {
        await h.store.putRelationship('a', 'a-b', { $targetId: 'b', $relationshipName: 'feeds' });
        relSeq = await h.store.latestSeq();
        await waitFor('the relationship to be claimed', () => h.claims.some((c) => c.includes(relSeq)));
        return adtErrors.unavailable();
      });
      bSeq = (await h.store.latestSeq()) + 1;
      await h.store.createTwin('b', meterTwin('b'));
      await waitFor('the relationship to be committed', () => relSeq > 0);
      await h.drained();

      // Claimed apart: b first, then the relationship, in a claim without b (later retries may claim them together).
      const firstOf = (seq: number): number => h.claims.findIndex((c) => c.includes(seq));
      expect(firstOf(bSeq)).toBeGreaterThanOrEqual(0);
      expect(firstOf(relSeq)).toBeGreaterThan(firstOf(bSeq));
      expect(h.claims[firstOf(relSeq)]).not.toContain(bSeq);
      expect(h.adt.twins.has('b')).toBe(true);
      expect(h.adt.relationships.get('a')?.get('a-b')).toMatchObject({ $targetId: 'b', $relationshipName: 'feeds' });
      const created = ok(h.adt.callsOf('putTwin', 'b'));
      expect(created).toHaveLength(1);
      const relCalls = h.adt.callsOf('putRelationship', 'a/a-b');
      expect(ok(relCalls)).toHaveLength(1);
      expect(ok(relCalls)[0].start).toBeGreaterThanOrEqual(created[0].end!);
      expect(ok(relCalls)[0].n).toBeGreaterThan(created[0].n);
      expect(await h.dead()).toBe(0);
    });

    // The outbox orders a twin's own changes only; a relationship committed while its target's create is failing
    // must wait for that create's retry (it stays held back as long), not go to ADT and be refused meanwhile.
    test("does not send the relationship before its target exists while the target's create is being retried", async () => {
      // The same as above, stricter: the relationship waits rather than going out (to be refused) meanwhile.
      const h = await withTwinA({ batchSize: 4, maxDependencyAttempts: 10 });
      let relSeq = 0;
      h.adt.script('putTwin', 'b', async () => {
        await h.store.putRelationship('a', 'a-b', { $targetId: 'b', $relationshipName: 'feeds' });
        relSeq = await h.store.latestSeq();
        await waitFor('the relationship to be claimed', () => h.claims.some((c) => c.includes(relSeq)));
        return adtErrors.unavailable(100);
      });
      await h.store.createTwin('b', meterTwin('b'));
      await h.drained();
      const created = ok(h.adt.callsOf('putTwin', 'b'))[0];
      expect(
        h.adt
          .callsOf('putRelationship', 'a/a-b')
          .filter((c) => c.n < created.n)
          .map((c) => c.outcome),
      ).toEqual([]);
    });

    // …so the target's transient failures (an outage, its twin's throttling) never use up the relationship's
    // dependency attempts.
    test("does not park a relationship as a dead letter while its target's create is only being retried (503s)", async () => {
      const h = await withTwinA({ batchSize: 4, maxDependencyAttempts: 2 });
      // b's create meets an outage of a few hundred ms; b is never refused, so the relationship to it must get through.
      h.adt.script(
        'putTwin',
        'b',
        adtErrors.unavailable(60),
        adtErrors.unavailable(60),
        adtErrors.unavailable(60),
        adtErrors.unavailable(60),
      );
      await h.store.createTwin('b', meterTwin('b'));
      await sleep(20);
      await h.store.putRelationship('a', 'a-b', { $targetId: 'b', $relationshipName: 'feeds' });
      await h.drained();
      expect(await h.dead()).toBe(0);
      expect(h.adt.relationships.get('a')?.has('a-b')).toBe(true);
    });

    // A model's create can wait long in the outbox — behind a decommission, which goes only once everything
    // written before it is in ADT — while twins of the model, in partitions of their own, go out and are refused.
    test('does not park a twin as a dead letter while the create of its model is still in line before it', async () => {
      const h = await withTwinA({ batchSize: 4, maxDependencyAttempts: 2 });
      const KIOSK = 'dtmi:test:Kiosk;1';
      // a's patch meets an outage; the decommission behind it waits, and the Kiosk model behind the decommission.
      h.adt.script('patchTwin', 'a', ...Array.from({ length: 8 }, () => adtErrors.unavailable(40)));
      // ADT refuses a twin of a model it lacks as it refuses an invalid twin (400).
      h.adt.forever('putTwin', 'k', () =>
        h.adt.models.has(KIOSK) ? undefined : adtErrors.invalid('Model not found.'),
      );
      await h.store.patchTwin('a', [{ op: 'replace', path: '/reading', value: 1 }]);
      await h.store.decommissionModel(MODEL);
      await h.store.putModels([
        modelInput(KIOSK, { contents: [{ '@type': 'Property', name: 'name', schema: 'string' }] }),
      ]);
      await h.store.createTwin('k', { $metadata: { $model: KIOSK }, name: 'k' } as TwinInput);
      await h.drained();

      expect(await h.dead()).toBe(0);
      expect(h.adt.twins.get('k')).toMatchObject({ name: 'k' });
      // It was refused more often than maxDependencyAttempts while the model waited, so the limit was really met.
      const refused = h.adt.callsOf('putTwin', 'k').filter((c) => c.outcome === 'ValidationFailed');
      expect(refused.length).toBeGreaterThan(2);
    });

    it('parks a relationship whose target never reaches ADT after maxDependencyAttempts dependency failures; transient failures in between do not count', async () => {
      const h = setup({ maxDependencyAttempts: 3 });
      await h.store.putModels([meter]);
      await h.store.createTwins([
        { id: 'a', twin: meterTwin('a') },
        { id: 'c', twin: meterTwin('c') },
      ]);
      const cSeq = await h.store.latestSeq();
      await h.store.putRelationship('a', 'a-c', { $targetId: 'c', $relationshipName: 'feeds' });
      const relSeq = await h.store.latestSeq();
      h.adt.forever('putTwin', 'c', adtErrors.invalid('c is refused.'));
      // 'pass': ADT answers by its state — c is missing, so 404 TargetTwinNotFound.
      h.adt.script(
        'putRelationship',
        'a/a-c',
        'pass',
        adtErrors.unavailable(),
        adtErrors.unavailable(),
        'pass',
        adtErrors.unavailable(),
        'pass',
      );
      h.worker.start();
      await waitFor('two dead letters', async () => (await h.dead()) === 2);
      await sleep(150);

      expect(h.adt.callsOf('putRelationship', 'a/a-c').map((c) => c.outcome)).toEqual([
        'TargetTwinNotFound',
        'ServiceUnavailable',
        'ServiceUnavailable',
        'TargetTwinNotFound',
        'ServiceUnavailable',
        'TargetTwinNotFound',
      ]);
      const dead = await h.store.listDeadLetters();
      expect(dead.map((e) => [e.seq, e.change.type])).toEqual([
        [cSeq, 'Twin.Create'],
        [relSeq, 'Relationship.Create'],
      ]);
      expect(dead[0].lastError).toMatch(/400 ValidationFailed: c is refused\./);
      expect(dead[1]).toMatchObject({ attempts: 6 });
      expect(dead[1].lastError).toMatch(/404 TargetTwinNotFound/);
      expect(h.adt.twins.has('a')).toBe(true);
      expect(h.worker.counters()).toMatchObject({ deadLettered: 2, retries: 5, lastError: { seq: relSeq } });
    });
  });

  describe('failures', () => {
    it("parks a change ADT refuses (400 ValidationFailed) with ADT's error, and later changes of the twin still go", async () => {
      const h = setup();
      await h.store.putModels([meter]);
      await h.store.createTwin('x', meterTwin('x'));
      h.worker.start();
      await h.drained();

      h.adt.script('patchTwin', 'x', adtErrors.invalid('Invalid property reading.'));
      await h.store.patchTwin('x', [{ op: 'replace', path: '/reading', value: 1 }]);
      const refusedSeq = await h.store.latestSeq();
      await waitFor('a dead letter', async () => (await h.dead()) === 1);
      await h.store.patchTwin('x', [{ op: 'replace', path: '/name', value: 'later' }]);
      // A refused create: the twin's later change finds it missing in ADT and writes it whole.
      h.adt.script('putTwin', 'y', adtErrors.invalid('Invalid twin y.'));
      await h.store.createTwin('y', meterTwin('y'));
      const refusedCreate = await h.store.latestSeq();
      await waitFor('two dead letters', async () => (await h.dead()) === 2);
      await h.store.patchTwin('y', [{ op: 'replace', path: '/reading', value: 7 }]);
      await h.drained();

      const dead = await h.store.listDeadLetters();
      expect(dead.map((e) => [e.seq, e.change.type, e.attempts])).toEqual([
        [refusedSeq, 'Twin.Update', 1],
        [refusedCreate, 'Twin.Create', 1],
      ]);
      expect(dead[0].lastError).toMatch(/400 ValidationFailed: Invalid property reading\./);
      expect(dead[1].lastError).toMatch(/400 ValidationFailed: Invalid twin y\./);
      expect(h.adt.twins.get('x')).toMatchObject({ name: 'later', reading: 0 });
      expect(h.adt.twins.get('y')).toMatchObject({ name: 'y', reading: 7 });
      expect(h.worker.counters()).toMatchObject({ deadLettered: 2, retries: 0 });
    });

    it.each([
      ['429 throttled', adtErrors.throttled(300)],
      ['503 unavailable', adtErrors.unavailable(300)],
    ])('waits at least Retry-After before retrying a %s', async (_, error) => {
      const h = setup();
      await h.store.putModels([meter]);
      h.worker.start();
      await h.drained();
      h.adt.script('putTwin', 'r', error);
      await h.store.createTwin('r', meterTwin('r'));
      await h.drained();
      const [first, second] = h.adt.callsOf('putTwin', 'r');
      expect([first.outcome, second.outcome]).toEqual([error.code, 'ok']);
      expect(second.start - first.end!).toBeGreaterThanOrEqual(300);
      expect(h.worker.counters()).toMatchObject({ retries: 1, deadLettered: 0 });
    });

    it('without Retry-After, retries after its own (short) backoff', async () => {
      const h = setup();
      await h.store.putModels([meter]);
      h.worker.start();
      await h.drained();
      h.adt.script('putTwin', 'r', adtErrors.unavailable(), adtErrors.network());
      await h.store.createTwin('r', meterTwin('r'));
      await h.drained();
      const calls = h.adt.callsOf('putTwin', 'r');
      expect(calls.map((c) => c.outcome)).toEqual(['ServiceUnavailable', 'NetworkError', 'ok']);
      expect(calls[2].start - calls[0].end!).toBeLessThan(250);
    });
  });

  describe('stop()', () => {
    it('cancels a request hanging in ADT, resolves promptly, and gives the entry back with no attempt counted once ADT can no longer apply the request', async () => {
      const h = setup({ leaseMs: 60_000, cutOffGraceMs: 400 });
      await h.store.putModels([meter]);
      h.worker.start();
      await h.drained();
      h.adt.script('putTwin', 'h', 'hang');
      await h.store.createTwin('h', meterTwin('h'));
      const seq = await h.store.latestSeq();
      await waitFor('the request to hang', () => h.adt.inFlight().some((c) => c.method === 'putTwin' && c.key === 'h'));

      const started = Date.now();
      await h.worker.stop();
      expect(Date.now() - started).toBeLessThan(500);
      expect(h.adt.cancelAllCalls).toBe(1);
      expect(h.adt.callsOf('putTwin', 'h').map((c) => c.outcome)).toEqual(['Cancelled']);
      expect(h.worker.counters()).toMatchObject({
        running: false,
        retries: 0,
        deadLettered: 0,
        lastError: null,
        mirrored: 1,
      });

      // Held for the grace, not the minute-long lease: ADT may still apply the cancelled request, and a newer state
      // of the twin sent before it lands would be overwritten by it.
      expect(await h.store.outboxStats()).toMatchObject({ pending: 1, dead: 0 });
      expect(await h.store.claimOutbox({ limit: 10, leaseMs: 1_000 })).toEqual([]);
      await sleep(500);
      // Then back in line as it was.
      const again = await h.store.claimOutbox({ limit: 10, leaseMs: 1_000 });
      expect(again.map((e) => ({ seq: e.seq, type: e.change.type, attempts: e.attempts }))).toEqual([
        { seq, type: 'Twin.Create', attempts: 0 },
      ]);
      // Nothing more went out after the stop.
      const calls = h.adt.calls.length;
      await sleep(50);
      expect(h.adt.calls.length).toBe(calls);
    });

    it('gives back at once what it never sent', async () => {
      const h = setup({ leaseMs: 60_000, cutOffGraceMs: 60_000, concurrency: 1 });
      await h.store.putModels([meter]);
      h.worker.start();
      await h.drained();
      h.adt.script('putTwin', 'h', 'hang');
      await h.store.createTwin('h', meterTwin('h'));
      await waitFor('the request to hang', () => h.adt.inFlight().some((c) => c.method === 'putTwin' && c.key === 'h'));
      // Waits behind the hanging request (one at a time): claimed, never sent.
      await h.store.createTwin('w', meterTwin('w'));
      const waiting = await h.store.latestSeq();
      await waitFor('the second create to be claimed', () => h.claims.some((c) => c.includes(waiting)));
      await h.worker.stop();
      expect(h.adt.callsOf('putTwin', 'w')).toEqual([]);
      const again = await h.store.claimOutbox({ limit: 10, leaseMs: 1_000 });
      expect(again.map((e) => e.seq)).toEqual([waiting]);
    });

    it('a stopped worker started again mirrors what was given back', async () => {
      const h = setup({ leaseMs: 60_000 });
      await h.store.putModels([meter]);
      h.worker.start();
      h.adt.script('putTwin', 'h', 'hang');
      await h.store.createTwin('h', meterTwin('h'));
      await waitFor('the request to hang', () => h.adt.inFlight().some((c) => c.key === 'h'));
      await h.worker.stop();
      h.worker.start();
      await h.drained();
      expect(h.adt.twins.get('h')).toMatchObject({ name: 'h' });
      expect(h.worker.counters()).toMatchObject({ running: true, retries: 0 });
    });
  });

  describe('counters()', () => {
    it('count entries mirrored, requests sent, retries, dead letters, and the last error', async () => {
      const h = setup();
      expect(h.worker.counters()).toMatchObject({
        mirrored: 0,
        requests: 0,
        retries: 0,
        deadLettered: 0,
        lastError: null,
        running: false,
      });
      await h.store.putModels([meter]);
      await h.store.createTwin('x', meterTwin('x'));
      h.adt.script('putTwin', 'y', adtErrors.unavailable());
      await h.store.createTwin('y', meterTwin('y'));
      const ySeq = await h.store.latestSeq();
      h.worker.start();
      await h.drained();
      expect(h.worker.counters()).toMatchObject({
        mirrored: 3,
        requests: h.adt.calls.length,
        retries: 1,
        deadLettered: 0,
        running: true,
        lastError: { seq: ySeq },
      });
      expect(h.adt.calls).toHaveLength(4);
      expect(h.worker.counters().lastError!.message).toMatch(/503 ServiceUnavailable/);
      expect(Number.isNaN(Date.parse(h.worker.counters().lastError!.time))).toBe(false);

      h.adt.script('putTwin', 'z', adtErrors.invalid('z is invalid.'));
      await h.store.createTwin('z', meterTwin('z'));
      const zSeq = await h.store.latestSeq();
      await h.drained();
      const counters = h.worker.counters();
      expect(counters).toMatchObject({
        mirrored: 3,
        requests: h.adt.calls.length,
        retries: 1,
        deadLettered: 1,
        lastError: { seq: zSeq },
      });
      expect(counters.lastError!.message).toMatch(/400 ValidationFailed: z is invalid\./);
      expect(counters.mirroredPerSecond).toBeGreaterThan(0);
      expect(counters.requestsPerSecond).toBeGreaterThan(0);
      await h.worker.stop();
      expect(h.worker.counters().running).toBe(false);
    });
  });
});
