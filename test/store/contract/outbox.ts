/**
 * The outbox: mirrored changes enqueued with their write, claimed in order per partition under a lease,
 * acknowledged, retried, parked as dead letters. The clock is the test's, so leases and delays are exact.
 */
import type { OutboxEntry } from '../../../src/store/types';
import { M, modelInput, rel, seedModels, twinInput, useStore, type OpenStore } from '../../support/store-fixtures';

const LEASE = 30_000;

export function outboxContract(open: OpenStore): void {
  describe('outbox', () => {
    const h = useStore(open, { outbox: true });
    const claim = (limit = 100, leaseMs = LEASE): Promise<OutboxEntry[]> => h.store.claimOutbox({ limit, leaseMs });
    const seqs = (entries: readonly OutboxEntry[]): number[] => entries.map((e) => e.seq);

    it('says it is on', () => {
      expect(h.store.outbox).toBe(true);
    });

    it('enqueues every mirrored change with its write, in seq order, and no telemetry or command invocation', async () => {
      await seedModels(h.store);
      await h.store.createTwins([
        { id: 'a', twin: twinInput(M.room) },
        { id: 'b', twin: twinInput(M.room) },
      ]);
      await h.store.putRelationship('a', 'a-b', rel('b', 'next'));
      await h.store.patchTwin('a', [{ op: 'add', path: '/name', value: 'A' }]);
      await h.store.appendMetrics([{ twinId: 'a', name: 'temp', time: '2024-05-01T11:00:00Z', value: 1 }]);
      await h.store.recordCommand('a', 'reboot');
      await h.store.deleteTwin('b', { cascade: true });
      await h.store.decommissionModel(M.sensor);

      const changes = await h.store.readChanges({ after: 0 });
      // Telemetry and command invocations are not mirrored: ADT keeps no telemetry and has no commands.
      const mirrored = changes.filter((c) => c.type !== 'Telemetry' && c.type !== 'Command.Invoke');
      expect(mirrored.length).toBe(changes.length - 2);
      // The decommission (last) waits until everything before it is acknowledged.
      const entries = [...(await claim())];
      expect(seqs(entries)).toEqual(mirrored.slice(0, -1).map((c) => c.seq));
      expect(await h.store.outboxStats()).toEqual({
        pending: mirrored.length,
        dead: 0,
        oldestPendingTime: h.clock.iso(),
      });
      await h.store.ackOutbox(seqs(entries));
      entries.push(...(await claim()));
      expect(seqs(entries)).toEqual(mirrored.map((c) => c.seq));
      for (const entry of entries) {
        expect(entry).toEqual({
          seq: entry.change.seq,
          partition: expect.any(String),
          change: mirrored.find((c) => c.seq === entry.seq),
          attempts: 0,
          status: 'pending',
          availableAt: h.clock.iso(),
        });
      }
    });

    it('enqueues nothing for a failed write', async () => {
      await seedModels(h.store);
      await h.store.ackOutbox(seqs(await claim()));
      await expect(h.store.createTwin('x', twinInput('dtmi:test:Nope;1'))).rejects.toMatchObject({
        code: 'ModelNotFound',
      });
      await expect(
        h.store.createTwins([
          { id: 'x', twin: twinInput(M.room) },
          { id: 'y', twin: twinInput('dtmi:test:Nope;1') },
        ]),
      ).rejects.toMatchObject({ code: 'ModelNotFound' });
      h.clock.advance(LEASE);
      expect(await claim()).toEqual([]);
      expect(await h.store.outboxStats()).toEqual({ pending: 0, dead: 0 });
    });

    it("puts a twin's changes and its outgoing relationships' changes in one partition, and all model changes in one", async () => {
      await h.store.putModels([modelInput(M.space)]);
      await h.store.putModels([modelInput(M.room, { extends: [M.space] })]);
      await h.store.createTwin('a', twinInput(M.room));
      await h.store.createTwin('b', twinInput(M.room));
      await h.store.putRelationship('a', 'a-b', rel('b', 'next'));
      await h.store.patchTwin('b', [{ op: 'add', path: '/x', value: 1 }]);
      const [space, room, a, b, ab, bPatch] = await claim();
      expect(space.partition).toBe(room.partition);
      expect(ab.partition).toBe(a.partition);
      expect(bPatch.partition).toBe(b.partition);
      expect(new Set([space.partition, a.partition, b.partition]).size).toBe(3);
    });

    describe('claiming', () => {
      /** a: create, patch; b: create; a: patch — seqs 1…4 in partitions a, a, b, a. */
      let s: { aCreate: number; aPatch: number; bCreate: number; aPatch2: number };
      beforeEach(async () => {
        await seedModels(h.store);
        await h.store.ackOutbox(seqs(await claim()));
        await h.store.createTwin('a', twinInput(M.room));
        await h.store.patchTwin('a', [{ op: 'add', path: '/n', value: 1 }]);
        await h.store.createTwin('b', twinInput(M.room));
        await h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 2 }]);
        const latest = await h.store.latestSeq();
        s = { aCreate: latest - 3, aPatch: latest - 2, bCreate: latest - 1, aPatch2: latest };
      });

      it('claims entries in seq order, several consecutive entries of one partition together, up to limit', async () => {
        expect(seqs(await claim(2))).toEqual([s.aCreate, s.aPatch]);
        expect(seqs(await claim())).toEqual([s.bCreate]);
      });

      it('never claims an entry while an earlier entry of its partition is in flight', async () => {
        expect(seqs(await claim(1))).toEqual([s.aCreate]);
        expect(seqs(await claim())).toEqual([s.bCreate]);
        expect(await claim()).toEqual([]);
        await h.store.ackOutbox([s.aCreate]);
        expect(seqs(await claim())).toEqual([s.aPatch, s.aPatch2]);
      });

      it('gives leased entries to nobody else until the lease expires, then claims them again', async () => {
        expect(seqs(await claim(10, 1000))).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        expect(await claim()).toEqual([]);
        h.clock.advance(999);
        expect(await claim()).toEqual([]);
        h.clock.advance(2);
        const again = await claim();
        expect(seqs(again)).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        expect(again[0].attempts).toBe(0);
      });

      it('gives released entries back at once, without counting an attempt, in their place in the order', async () => {
        expect(seqs(await claim(10, 60_000))).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        await h.store.ackOutbox([s.aCreate]);
        await h.store.releaseOutbox([s.aPatch, s.aPatch2]);
        const again = await claim();
        expect(seqs(again)).toEqual([s.aPatch, s.aPatch2]);
        expect(again.map((e) => e.attempts)).toEqual([0, 0]);
        // bCreate is still leased: releasing only what was named.
        expect((await h.store.outboxStats()).pending).toBe(3);
      });

      it('hands out a model decommission or delete only once it is the oldest entry pending (everything written before it goes first)', async () => {
        const decommission = (await h.store.decommissionModel(M.room)) && (await h.store.latestSeq());
        await h.store.patchTwin('b', [{ op: 'add', path: '/n', value: 3 }]);
        const bPatch = await h.store.latestSeq();
        expect(seqs(await claim(10, 60_000))).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2, bPatch]);
        await h.store.ackOutbox([s.aCreate, s.aPatch, s.aPatch2, bPatch]);
        // bCreate is still out, so the decommission waits.
        expect(await claim()).toEqual([]);
        await h.store.releaseOutbox([s.bCreate]);
        expect(seqs(await claim())).toEqual([s.bCreate]);
        await h.store.ackOutbox([s.bCreate]);
        expect(seqs(await claim())).toEqual([decommission]);
      });

      it('holds back the model changes after a barrier that is not yet oldest, but no other partition', async () => {
        const decommission = (await h.store.decommissionModel(M.room)) && (await h.store.latestSeq());
        await h.store.putModels([modelInput('dtmi:test:Extra;1')]);
        const extra = await h.store.latestSeq();
        await h.store.patchTwin('b', [{ op: 'add', path: '/n', value: 3 }]);
        const bPatch = await h.store.latestSeq();
        expect(seqs(await claim(10, 60_000))).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2, bPatch]);
        await h.store.ackOutbox([s.aCreate, s.aPatch, s.bCreate, s.aPatch2, bPatch]);
        expect(seqs(await claim())).toEqual([decommission, extra]);
      });

      it("claims a partition's entries up to the first one that waits, however far down it is", async () => {
        expect(seqs(await claim(10, 60_000))).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        await h.store.failOutbox(s.aPatch, { error: '503', retryAfterMs: 5000 });
        await h.store.releaseOutbox([s.aCreate, s.aPatch2]);
        expect(seqs(await claim())).toEqual([s.aCreate]);
        await h.store.ackOutbox([s.aCreate]);
        h.clock.advance(5000);
        expect(seqs(await claim())).toEqual([s.aPatch, s.aPatch2]);
      });

      it('renews the leases of claimed entries: they stay out of reach until the new lease ends', async () => {
        expect(seqs(await claim(10, 1000))).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        h.clock.advance(900);
        await h.store.renewOutbox([s.aCreate, s.bCreate], 1000);
        await h.store.renewOutbox([], 1000);
        h.clock.advance(101);
        // aPatch's and aPatch2's leases are over, but aCreate (before them) and bCreate are renewed.
        expect(await claim()).toEqual([]);
        h.clock.advance(898);
        expect(await claim()).toEqual([]);
        h.clock.advance(1);
        const again = await claim();
        expect(seqs(again)).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        expect(again.map((e) => e.attempts)).toEqual([0, 0, 0, 0]);
      });

      it('renews only entries still pending and leased: released, acknowledged and dead ones are left as they are', async () => {
        expect(seqs(await claim(10, 60_000))).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        await h.store.ackOutbox([s.aCreate]);
        await h.store.releaseOutbox([s.aPatch]);
        await h.store.failOutbox(s.aPatch2, { error: '400', dead: true });
        const dead = await h.store.listDeadLetters();
        await h.store.renewOutbox([s.aCreate, s.aPatch, s.bCreate, s.aPatch2], 600_000);
        expect(await h.store.listDeadLetters()).toEqual(dead);
        expect(await h.store.outboxStats()).toMatchObject({ pending: 2, dead: 1 });
        // The released entry is claimable at once; the renewed one only when its new lease ends.
        expect(seqs(await claim(10, 60_000))).toEqual([s.aPatch]);
        h.clock.advance(60_000);
        expect(seqs(await claim(10, 60_000))).toEqual([s.aPatch]);
        h.clock.advance(540_000);
        expect(seqs(await claim())).toEqual([s.aPatch, s.bCreate]);
      });

      it('puts a dead letter back at the head of its partition, and moves the head on past entries acknowledged together', async () => {
        expect(seqs(await claim(1))).toEqual([s.aCreate]);
        await h.store.failOutbox(s.aCreate, { error: '400', dead: true });
        expect(await h.store.retryDeadLetters([s.aCreate])).toBe(1);
        expect(seqs(await claim())).toEqual([s.aCreate, s.aPatch, s.bCreate, s.aPatch2]);
        await h.store.ackOutbox([s.aCreate, s.aPatch]);
        await h.store.releaseOutbox([s.bCreate, s.aPatch2]);
        expect(seqs(await claim())).toEqual([s.bCreate, s.aPatch2]);
        await h.store.ackOutbox([s.bCreate, s.aPatch2]);
        // A partition emptied and written again.
        await h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 3 }]);
        expect(seqs(await claim())).toEqual([await h.store.latestSeq()]);
      });

      it('removes acknowledged entries for good', async () => {
        await claim();
        await h.store.ackOutbox([s.aCreate, s.bCreate]);
        h.clock.advance(LEASE + 1);
        expect(seqs(await claim())).toEqual([s.aPatch, s.aPatch2]);
        expect((await h.store.outboxStats()).pending).toBe(2);
        await h.store.ackOutbox([s.aPatch, s.aPatch2]);
        h.clock.advance(LEASE + 1);
        expect(await claim()).toEqual([]);
        expect(await h.store.outboxStats()).toEqual({ pending: 0, dead: 0 });
      });

      it('delays a failed entry by retryAfterMs, counting the attempt and keeping the error; its partition waits behind it', async () => {
        await claim(1);
        await h.store.failOutbox(s.aCreate, { error: '429 Too Many Requests', retryAfterMs: 5000 });
        expect(seqs(await claim())).toEqual([s.bCreate]);
        h.clock.advance(4999);
        expect(await claim()).toEqual([]);
        h.clock.advance(1);
        const retried = await claim();
        expect(seqs(retried)).toEqual([s.aCreate, s.aPatch, s.aPatch2]);
        expect(retried[0]).toMatchObject({
          attempts: 1,
          lastError: '429 Too Many Requests',
          status: 'pending',
          availableAt: h.clock.iso(),
        });
        await h.store.failOutbox(s.aCreate, { error: 'again', retryAfterMs: 10 });
        h.clock.advance(10);
        expect((await claim(1))[0]).toMatchObject({ seq: s.aCreate, attempts: 2, lastError: 'again' });
      });

      it('makes a failed entry claimable at once without retryAfterMs', async () => {
        await claim(1);
        await h.store.failOutbox(s.aCreate, { error: 'oops' });
        expect((await claim(1))[0]).toMatchObject({ seq: s.aCreate, attempts: 1, lastError: 'oops' });
      });

      it('parks an entry failed as dead in the dead letters, where it no longer blocks its partition', async () => {
        await claim(1);
        await h.store.failOutbox(s.aCreate, { error: '400 InvalidArgument', dead: true });
        const [dead] = await h.store.listDeadLetters();
        expect(dead).toMatchObject({ seq: s.aCreate, status: 'dead', attempts: 1, lastError: '400 InvalidArgument' });
        expect(dead.change.seq).toBe(s.aCreate);
        expect(dead.change.type).toBe('Twin.Create');
        expect(seqs(await claim())).toEqual([s.aPatch, s.bCreate, s.aPatch2]);
        expect(await h.store.outboxStats()).toMatchObject({ pending: 3, dead: 1 });
      });

      it('says whether partitions hold an entry still pending before a seq: in line, leased or waiting, but not parked', async () => {
        const before = (seq: number, ...partitions: string[]): Promise<boolean> =>
          h.store.pendingBefore(seq, partitions);
        expect(await before(s.bCreate, 'twin:a')).toBe(true);
        expect(await before(s.aCreate, 'twin:a')).toBe(false);
        expect(await before(s.aPatch2, 'twin:b', 'models')).toBe(true);
        expect(await before(s.bCreate, 'twin:b', 'models', 'twin:nobody')).toBe(false);
        await claim(1);
        expect(await before(s.bCreate, 'twin:a')).toBe(true);
        await h.store.failOutbox(s.aCreate, { error: '503', retryAfterMs: 5000 });
        expect(await before(s.bCreate, 'twin:a')).toBe(true);
        await h.store.failOutbox(s.aCreate, { error: '400', dead: true });
        await h.store.ackOutbox([s.aPatch]);
        expect(await before(s.bCreate, 'twin:a')).toBe(false);
        expect(await before(s.aPatch2 + 1, 'twin:a')).toBe(true);
      });
    });

    describe('a busy partition', () => {
      const limit = 5;
      /** `busy`: a create and many more than limit × 10 patches; then `c`: a create and a patch. */
      let busy: number[];
      let c: number[];
      beforeEach(async () => {
        await seedModels(h.store);
        await h.store.ackOutbox(seqs(await claim()));
        await h.store.createTwin('busy', twinInput(M.room));
        for (let i = 0; i < limit * 10 + 30; i++)
          await h.store.patchTwin('busy', [{ op: 'add', path: '/n', value: i }]);
        await h.store.createTwin('c', twinInput(M.room));
        await h.store.patchTwin('c', [{ op: 'add', path: '/n', value: 1 }]);
        const latest = await h.store.latestSeq();
        busy = Array.from({ length: limit * 10 + 31 }, (_, i) => latest - 2 - (limit * 10 + 30) + i);
        c = [latest - 1, latest];
      });

      it('whose first entry waits to retry does not keep the other partitions from being claimed, however many entries it holds', async () => {
        expect(seqs(await claim(1))).toEqual([busy[0]]);
        await h.store.failOutbox(busy[0], { error: '503 Service Unavailable', retryAfterMs: 60_000 });
        expect(seqs(await claim(limit))).toEqual(c);
        await h.store.ackOutbox(c);
        expect(await claim(limit)).toEqual([]);
        h.clock.advance(60_000);
        expect(seqs(await claim(limit))).toEqual(busy.slice(0, limit));
        expect(await claim(limit)).toEqual([]);
        await h.store.ackOutbox(busy.slice(0, limit));
        expect(seqs(await claim(limit))).toEqual(busy.slice(limit, 2 * limit));
      });

      it('whose first entry is in flight does not keep the other partitions from being claimed', async () => {
        expect(seqs(await claim(1))).toEqual([busy[0]]);
        expect(seqs(await claim(limit))).toEqual(c);
        await h.store.ackOutbox([busy[0], ...c]);
        expect(seqs(await claim(limit))).toEqual(busy.slice(1, limit + 1));
      });

      it('whose first entry is a dead letter does not block itself', async () => {
        expect(seqs(await claim(1))).toEqual([busy[0]]);
        await h.store.failOutbox(busy[0], { error: '400 Bad Request', dead: true });
        expect(seqs(await claim(limit))).toEqual(busy.slice(1, limit + 1));
      });
    });

    describe('many partitions', () => {
      it('interleaves their runs in seq order, up to limit, whatever their lengths', async () => {
        await seedModels(h.store);
        await h.store.ackOutbox(seqs(await claim()));
        // Twins t0…t3: a create, then patches round-robin; t1 gets two more patches at the end.
        const order: number[] = [];
        for (let i = 0; i < 4; i++)
          order.push((await h.store.createTwin(`t${i}`, twinInput(M.room))) && (await h.store.latestSeq()));
        for (let round = 0; round < 2; round++) {
          for (let i = 0; i < 4; i++) {
            await h.store.patchTwin(`t${i}`, [{ op: 'add', path: '/n', value: round }]);
            order.push(await h.store.latestSeq());
          }
        }
        for (let k = 0; k < 2; k++) {
          await h.store.patchTwin('t1', [{ op: 'add', path: '/m', value: k }]);
          order.push(await h.store.latestSeq());
        }
        expect(seqs(await claim(5))).toEqual(order.slice(0, 5));
        // Every partition's first entry is in flight now.
        expect(await claim()).toEqual([]);
        await h.store.ackOutbox(order.slice(0, 5));
        expect(seqs(await claim(3))).toEqual(order.slice(5, 8));
        await h.store.releaseOutbox(order.slice(5, 8));
        expect(seqs(await claim())).toEqual(order.slice(5));
      });

      it('claims what the rules say through a long run of random operations', async () => {
        await seedModels(h.store);
        await h.store.ackOutbox(seqs(await claim()));
        type Entry = {
          partition: string;
          status: 'pending' | 'dead';
          availableAt: number;
          claimedUntil: number | null;
          barrier: boolean;
        };
        const entries = new Map<number, Entry>();
        let seen = await h.store.latestSeq();
        const twins = new Set<string>();
        const models: { id: string; state: 'new' | 'decommissioned' | 'deleted' }[] = [];
        let state = 20240501;
        const random = (n: number): number => {
          state = (state * 1103515245 + 12345) % 2147483648;
          return Math.floor((state / 2147483648) * n);
        };
        const some = (): number[] => [...entries.keys()].filter(() => random(3) === 0);
        const expected = (limit: number): number[] => {
          const now = h.clock.now();
          const pending = [...entries].filter(([, e]) => e.status === 'pending').sort(([a], [b]) => a - b);
          const blocked = new Set<string>();
          const out: number[] = [];
          for (const [seq, e] of pending) {
            if (out.length >= limit) break;
            if (blocked.has(e.partition)) continue;
            if (e.availableAt > now || (e.claimedUntil ?? 0) > now || (e.barrier && seq !== pending[0][0]))
              blocked.add(e.partition);
            else out.push(seq);
          }
          return out;
        };
        for (let step = 0; step < 160; step++) {
          const op = random(11);
          if (op <= 2) {
            const twin = `t${random(6)}`;
            if (twins.has(twin)) {
              await h.store.patchTwin(twin, [{ op: 'add', path: '/n', value: step }]);
            } else {
              await h.store.createTwin(twin, twinInput(M.room));
              twins.add(twin);
            }
          } else if (op === 3) {
            const model = models.find((m) => m.state !== 'deleted' && random(2) === 0);
            if (model) {
              if (model.state === 'new') await h.store.decommissionModel(model.id);
              else await h.store.deleteModel(model.id);
              model.state = model.state === 'new' ? 'decommissioned' : 'deleted';
            } else {
              const id = `dtmi:test:Random${models.length};1`;
              await h.store.putModels([modelInput(id)]);
              models.push({ id, state: 'new' });
            }
          } else if (op <= 5) {
            const limit = 1 + random(6);
            const leaseMs = 1000 * (1 + random(4));
            const want = expected(limit);
            expect([step, seqs(await claim(limit, leaseMs))]).toEqual([step, want]);
            for (const seq of want) entries.get(seq)!.claimedUntil = h.clock.now() + leaseMs;
          } else if (op === 6) {
            const acked = some();
            await h.store.ackOutbox(acked);
            for (const seq of acked) entries.delete(seq);
          } else if (op === 7) {
            const released = some();
            await h.store.releaseOutbox(released);
            for (const seq of released)
              if (entries.get(seq)!.status === 'pending') entries.get(seq)!.claimedUntil = null;
          } else if (op === 8) {
            const failed = some().slice(0, 2);
            for (const seq of failed) {
              const dead = random(3) === 0;
              const retryAfterMs = 500 * random(4);
              await h.store.failOutbox(seq, { error: 'e', dead, retryAfterMs });
              Object.assign(entries.get(seq)!, {
                status: dead ? 'dead' : 'pending',
                availableAt: h.clock.now() + retryAfterMs,
                claimedUntil: null,
              });
            }
          } else if (op === 9) {
            const renewed = some();
            const leaseMs = 1000 * (1 + random(4));
            await h.store.renewOutbox(renewed, leaseMs);
            for (const seq of renewed) {
              const e = entries.get(seq)!;
              if (e.status === 'pending' && e.claimedUntil !== null) e.claimedUntil = h.clock.now() + leaseMs;
            }
          } else if (random(3) === 0) {
            const dead = some().filter((seq) => entries.get(seq)!.status === 'dead');
            if (random(2) === 0) {
              expect(await h.store.retryDeadLetters(dead)).toBe(dead.length);
              for (const seq of dead)
                Object.assign(entries.get(seq)!, { status: 'pending', availableAt: h.clock.now(), claimedUntil: null });
            } else {
              expect(await h.store.dropDeadLetters(dead)).toBe(dead.length);
              for (const seq of dead) entries.delete(seq);
            }
          } else {
            h.clock.advance(250 * random(10));
          }
          for (const c of await h.store.readChanges({ after: seen })) {
            const model = c.type.startsWith('Model.');
            entries.set(c.seq, {
              partition: model ? 'models' : `twin:${c.twinId}`,
              status: 'pending',
              availableAt: h.clock.now(),
              claimedUntil: null,
              barrier: c.type === 'Model.Decommission' || c.type === 'Model.Delete',
            });
            seen = c.seq;
          }
        }
        const statuses = [...entries.values()].map((e) => e.status);
        expect(await h.store.outboxStats()).toMatchObject({
          pending: statuses.filter((x) => x === 'pending').length,
          dead: statuses.filter((x) => x === 'dead').length,
        });
        h.clock.advance(10_000);
        expect(seqs(await claim(1000))).toEqual(expected(1000));
      });
    });

    describe('statistics and dead letters', () => {
      let first: number;
      beforeEach(async () => {
        await seedModels(h.store);
        await h.store.ackOutbox(seqs(await claim()));
        for (const id of ['a', 'b', 'c', 'd']) {
          h.clock.advance(1000);
          await h.store.createTwin(id, twinInput(M.room));
        }
        first = (await h.store.latestSeq()) - 3;
      });

      it('counts pending and dead entries, and says when the oldest pending change happened', async () => {
        expect(await h.store.outboxStats()).toEqual({ pending: 4, dead: 0, oldestPendingTime: h.clock.iso(-3000) });
        await claim();
        await h.store.failOutbox(first, { error: 'x', dead: true });
        await h.store.ackOutbox([first + 1]);
        expect(await h.store.outboxStats()).toEqual({ pending: 2, dead: 1, oldestPendingTime: h.clock.iso(-1000) });
      });

      it('lists dead letters in seq order, at most limit', async () => {
        await claim();
        for (const seq of [first + 2, first, first + 1])
          await h.store.failOutbox(seq, { error: `e${seq}`, dead: true });
        expect(seqs(await h.store.listDeadLetters())).toEqual([first, first + 1, first + 2]);
        expect(seqs(await h.store.listDeadLetters({ limit: 2 }))).toEqual([first, first + 1]);
      });

      it('puts some or all dead letters back in line with retryDeadLetters', async () => {
        await claim();
        for (const seq of [first, first + 1, first + 2]) await h.store.failOutbox(seq, { error: 'e', dead: true });
        expect(await h.store.retryDeadLetters([first + 1, first + 3])).toBe(1);
        expect(seqs(await h.store.listDeadLetters())).toEqual([first, first + 2]);
        h.clock.advance(LEASE + 1);
        const claimed = await claim();
        expect(seqs(claimed)).toEqual([first + 1, first + 3]);
        expect(claimed[0].status).toBe('pending');
        expect(await h.store.retryDeadLetters()).toBe(2);
        expect(await h.store.listDeadLetters()).toEqual([]);
        expect(seqs(await claim())).toEqual([first, first + 2]);
      });

      it('marks the entries it puts back resync, until they are acknowledged; a fresh entry carries no resync', async () => {
        const claimed = await claim();
        expect(claimed.map((e) => 'resync' in e)).toEqual([false, false, false, false]);
        await h.store.failOutbox(first, { error: 'e', dead: true });
        await h.store.failOutbox(first + 1, { error: 'e', dead: true });
        const [dead] = await h.store.listDeadLetters();
        expect(dead).not.toHaveProperty('resync');
        expect(await h.store.retryDeadLetters([first])).toBe(1);
        const [retried] = await claim();
        expect(retried).toMatchObject({ seq: first, resync: true, status: 'pending', attempts: 0 });
        // Failing keeps the mark, in line or among the dead letters; retrying a marked one keeps it too.
        await h.store.failOutbox(first, { error: 'again', retryAfterMs: 10 });
        h.clock.advance(10);
        expect(await claim()).toEqual([expect.objectContaining({ seq: first, resync: true, attempts: 1 })]);
        await h.store.failOutbox(first, { error: 'dead again', dead: true });
        expect((await h.store.listDeadLetters()).map((e) => [e.seq, e.resync])).toEqual([
          [first, true],
          [first + 1, undefined],
        ]);
        expect(await h.store.retryDeadLetters()).toBe(2);
        const again = await claim();
        expect(again.map((e) => [e.seq, e.resync])).toEqual([
          [first, true],
          [first + 1, true],
        ]);
        await h.store.ackOutbox([first]);
        await h.store.releaseOutbox([first + 1]);
        expect(await claim()).toEqual([expect.objectContaining({ seq: first + 1, resync: true })]);
      });

      it('removes some or all dead letters for good with dropDeadLetters', async () => {
        await claim();
        for (const seq of [first, first + 1, first + 2]) await h.store.failOutbox(seq, { error: 'e', dead: true });
        expect(await h.store.dropDeadLetters([first, first + 3])).toBe(1);
        expect(seqs(await h.store.listDeadLetters())).toEqual([first + 1, first + 2]);
        expect(await h.store.dropDeadLetters()).toBe(2);
        expect(await h.store.listDeadLetters()).toEqual([]);
        expect(await h.store.outboxStats()).toMatchObject({ pending: 1, dead: 0 });
        h.clock.advance(LEASE + 1);
        expect(seqs(await claim())).toEqual([first + 3]);
      });

      it('never prunes change-log entries still in the outbox, pending or dead', async () => {
        const latest = await h.store.latestSeq();
        expect(await h.store.pruneChanges({ keepLast: 0 })).toBe(first - 1);
        expect(await h.store.firstSeq()).toBe(first);
        await claim();
        await h.store.failOutbox(first + 1, { error: 'e', dead: true });
        await h.store.ackOutbox([first, first + 2, first + 3]);
        expect(await h.store.pruneChanges({ keepLast: 0 })).toBe(1);
        expect(await h.store.firstSeq()).toBe(first + 1);
        expect((await h.store.listDeadLetters())[0].change.subject).toBe('b');
        await h.store.dropDeadLetters();
        expect(await h.store.pruneChanges({ keepLast: 0 })).toBe(3);
        expect(await h.store.firstSeq()).toBe(latest + 1);
      });
    });
  });

  describe('outbox when off', () => {
    const h = useStore(open);

    it('enqueues nothing: claimOutbox returns nothing and the statistics stay at zero', async () => {
      expect(h.store.outbox).toBe(false);
      await seedModels(h.store);
      await h.store.createTwin('a', twinInput(M.room));
      expect(await h.store.claimOutbox({ limit: 10, leaseMs: LEASE })).toEqual([]);
      expect(await h.store.outboxStats()).toEqual({ pending: 0, dead: 0 });
      expect(await h.store.listDeadLetters()).toEqual([]);
      expect(await h.store.pruneChanges({ keepLast: 0 })).toBe(await h.store.latestSeq());
    });
  });
}
