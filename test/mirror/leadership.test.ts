/**
 * One active mirror among replicas: the store's named leases (Leases.takeLease/giveLease) and the mirror's
 * leadership on top of them. Two store handles on one store stand for two replicas. On SQLite always; on
 * Neo4j when NEO4J_URI is set (npm run test:neo4j).
 *
 * What must hold: one holder at a time; a new holder learns how long ago the last one's lease ended; the
 * active mirror stops sending before its term can end in the store, so two replicas never send at once, even
 * when the active one can no longer reach the store; a graceful stop hands over at once, yet the next one
 * waits out a rate window before it sends.
 */
import { MirrorLeadership, MIRROR_LEASE, type LeadershipOptions } from '../../src/mirror/leadership';
import { openStore, type StoreConfig } from '../../src/store/open';
import type { Leases, TwinStore } from '../../src/store/port';
import { onSharedStores } from '../support/shared-store';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A replica's worker as the leadership drives it: when it ran, by the clock the leadership uses. */
class Recorder {
  readonly spans: { from: number; to?: number }[] = [];
  start(): void {
    this.spans.push({ from: performance.now() });
  }
  async stop(): Promise<void> {
    this.spans[this.spans.length - 1].to = performance.now();
  }
  get running(): boolean {
    const last = this.spans.at(-1);
    return last !== undefined && last.to === undefined;
  }
}

/** A store that can be cut off, as a replica that loses its connection is. */
function severable(store: Leases): Leases & { sever(): void } {
  let severed = false;
  return {
    sever: () => void (severed = true),
    takeLease: (...args) => (severed ? Promise.reject(new Error('connection lost')) : store.takeLease(...args)),
    giveLease: (...args) => (severed ? Promise.reject(new Error('connection lost')) : store.giveLease(...args)),
  };
}

const quiet = { warn: () => undefined, info: () => undefined };
const FAST: LeadershipOptions = { leaseMs: 1000, guardMs: 300, windowMs: 400, renewMs: 100 };

/** Polls `condition` until it holds; a generous deadline, as a busy machine can be seconds late. */
async function until(condition: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

function leaseSuite(config: () => Promise<StoreConfig>): void {
  let a: TwinStore;
  let b: TwinStore;
  beforeAll(async () => {
    const c = await config();
    [a, b] = [await openStore(c), await openStore(c)];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  describe('a named lease', () => {
    it('is held by one holder at a time, renewed by it, and taken by another once given back, saying how long ago', async () => {
      expect(await a.takeLease('t1', 'replica-a', 10_000)).toEqual({ sincePreviousMs: Infinity });
      expect(await b.takeLease('t1', 'replica-b', 10_000)).toBeNull();
      // Renewing is taking again: no previous holder to wait for.
      expect(await a.takeLease('t1', 'replica-a', 10_000)).toEqual({ sincePreviousMs: Infinity });
      // Only its holder gives it back.
      await b.giveLease('t1', 'replica-b');
      expect(await b.takeLease('t1', 'replica-b', 10_000)).toBeNull();
      await a.giveLease('t1', 'replica-a');
      await sleep(50);
      const taken = await b.takeLease('t1', 'replica-b', 10_000);
      expect(taken?.sincePreviousMs).toBeGreaterThanOrEqual(40);
      expect(taken?.sincePreviousMs).toBeLessThan(5_000);
      expect(await a.takeLease('t1', 'replica-a', 10_000)).toBeNull();
    });

    it('runs out when its holder stops renewing it, and the next holder learns when it did', async () => {
      // A second's lease: b's first ask must come before it runs out, however slow the machine.
      expect(await a.takeLease('t2', 'replica-a', 1000)).not.toBeNull();
      expect(await b.takeLease('t2', 'replica-b', 1000)).toBeNull();
      await sleep(1400);
      const taken = await b.takeLease('t2', 'replica-b', 10_000);
      expect(taken?.sincePreviousMs).toBeGreaterThanOrEqual(150);
      expect(taken?.sincePreviousMs).toBeLessThan(5_000);
    });

    it('is one per name', async () => {
      expect(await a.takeLease('t3', 'replica-a', 10_000)).not.toBeNull();
      expect(await b.takeLease('t4', 'replica-b', 10_000)).not.toBeNull();
      expect(await b.takeLease('t3', 'replica-b', 10_000)).toBeNull();
      expect(await a.takeLease('t4', 'replica-a', 10_000)).toBeNull();
    });

    it('goes to exactly one of many replicas asking at once', async () => {
      const asks = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).takeLease('t5', `replica-${i}`, 10_000)),
      );
      expect(asks.filter((t) => t !== null)).toHaveLength(1);
    });
  });

  describe('the active mirror', () => {
    /** Every leadership a test starts, stopped after it whatever happened, so that none holds the lease on. */
    const started: MirrorLeadership[] = [];
    const leadership = (store: Leases, holder: string, worker: Recorder): MirrorLeadership => {
      const l = new MirrorLeadership(store, holder, FAST, worker, quiet);
      started.push(l);
      return l;
    };
    afterEach(async () => {
      await Promise.all(started.splice(0).map((l) => l.stop()));
    });

    it('is one replica at a time; when it stops, another takes over after a rate window', async () => {
      const [wa, wb] = [new Recorder(), new Recorder()];
      const la = leadership(a, 'mirror-a', wa);
      la.start();
      await until(() => la.leading);
      const lb = leadership(b, 'mirror-b', wb);
      lb.start();
      await sleep(500);
      expect([la.leading, lb.leading]).toEqual([true, false]);
      expect([wa.running, wb.running]).toEqual([true, false]);
      expect(la.maySend()).toBe(true);
      expect(lb.maySend()).toBe(false);

      await la.stop();
      expect(wa.running).toBe(false);
      await until(() => lb.leading);
      expect(wb.spans[0].from - wa.spans[0].to!).toBeGreaterThanOrEqual(FAST.windowMs - 20);
      expect(wb.spans[0].from - wa.spans[0].to!).toBeLessThan(FAST.windowMs + 3000);
      await lb.stop();
      expect(wb.running).toBe(false);
    });

    it('stops sending before its term can end when it cannot reach the store, and only then does another take over', async () => {
      const cut = severable(a);
      const [wa, wb] = [new Recorder(), new Recorder()];
      const la = leadership(cut, 'mirror-c', wa);
      la.start();
      await until(() => la.leading);
      const lb = leadership(b, 'mirror-d', wb);
      lb.start();
      await sleep(300);
      cut.sever();
      let lastSend = 0;
      const watch = setInterval(() => {
        if (la.maySend()) lastSend = performance.now();
      }, 1);
      // Cleared whatever happens: a timer left running would keep jest from exiting.
      try {
        await until(() => lb.leading);
      } finally {
        clearInterval(watch);
      }
      // The old one gave up sending at least the guard before the new one began.
      expect(wa.running).toBe(false);
      expect(la.maySend()).toBe(false);
      expect(wb.spans[0].from - lastSend).toBeGreaterThanOrEqual(FAST.guardMs - 20);
      expect(wb.spans[0].from - wa.spans[0].to!).toBeGreaterThanOrEqual(FAST.guardMs - 20);
    });

    it('gives its lease back on stop, so that a replica started next leads at once', async () => {
      const w = new Recorder();
      const l = leadership(a, 'mirror-e', w);
      l.start();
      await until(() => l.leading);
      await l.stop();
      expect(await b.takeLease(MIRROR_LEASE, 'someone-else', 1000)).not.toBeNull();
      await b.giveLease(MIRROR_LEASE, 'someone-else');
    });
  });
}

onSharedStores('leases and the active mirror', leaseSuite);
