/**
 * The SQLite adapter: the store contract in memory, and what only a file shows — data that survives
 * closing and reopening, and migrations that run once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { outboxHeadsToExamine } from '../../src/store/changes';
import { MIGRATIONS } from '../../src/store/sqlite/schema';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { describeStoreContract } from './contract';
import { expectCode, M, rel, seedModels, TestClock, twinInput } from '../support/store-fixtures';

describeStoreContract('SQLite', async (options) => openSqliteStore({ path: ':memory:', ...options }));

describe('SQLite outbox claims', () => {
  it('look at no more than outboxHeadsToExamine(limit) partitions: behind more blocked ones, a claim returns fewer than are claimable', async () => {
    const clock = new TestClock();
    const store = openSqliteStore({ path: ':memory:', outbox: true, now: clock.now });
    try {
      await seedModels(store);
      await store.ackOutbox((await store.claimOutbox({ limit: 100, leaseMs: 1000 })).map((e) => e.seq));
      await store.createTwins(
        Array.from({ length: outboxHeadsToExamine(1) }, (_, i) => ({ id: `t${i}`, twin: twinInput(M.room) })),
      );
      expect(await store.claimOutbox({ limit: 5000, leaseMs: 60_000 })).toHaveLength(outboxHeadsToExamine(1));
      await store.createTwin('late', twinInput(M.room));
      expect(await store.claimOutbox({ limit: 1, leaseMs: 60_000 })).toEqual([]);
      const limit = Math.ceil((outboxHeadsToExamine(1) + 1) / 20);
      expect(outboxHeadsToExamine(limit)).toBeGreaterThan(outboxHeadsToExamine(1));
      expect((await store.claimOutbox({ limit, leaseMs: 60_000 })).map((e) => e.change.subject)).toEqual(['late']);
    } finally {
      await store.close();
    }
  });

  it('read the outbox through its indexes only, never scanning it or the change log, once the planner has statistics', async () => {
    const store = openSqliteStore({ path: ':memory:', outbox: true });
    const prepare = jest.spyOn(Database.prototype, 'prepare');
    try {
      await seedModels(store);
      await store.createTwins(Array.from({ length: 3000 }, (_, i) => ({ id: `t${i}`, twin: twinInput(M.room) })));
      await store.claimOutbox({ limit: 10, leaseMs: 1000 });
      const call = prepare.mock.calls.findIndex(([text]) => text.startsWith('WITH RECURSIVE'));
      const db = prepare.mock.contexts[call] as Database.Database;
      db.exec('ANALYZE');
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${prepare.mock.calls[call][0]}`).all({ now: 0, limit: 250, examine: 5000 }) as {
          detail: string;
        }[]
      ).map((r) => r.detail);
      expect(plan).toContain('SCAN outbox USING COVERING INDEX outbox_heads');
      expect(
        plan.filter(
          (line) =>
            /^SCAN (?!(w|heads|open|walk)\b)/.test(line) && line !== 'SCAN outbox USING COVERING INDEX outbox_heads',
        ),
      ).toEqual([]);
    } finally {
      prepare.mockRestore();
      await store.close();
    }
  });
});

describe('SQLite group commit', () => {
  it('commits the writes asked for in one turn together, a refused one alone refused, each as its own actor', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      await seedModels(store);
      await store.createTwin('r1', twinInput(M.room, { name: 'R1' }));
      const before = await store.latestSeq();
      const commits: number[] = [];
      store.onCommit((seq) => commits.push(seq));
      // One turn: the first write runs at once; the others wait for the turn's end and commit as one.
      const outcomes = await Promise.allSettled([
        store.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'one' }], { actor: 'a' }),
        store.createTwin('r2', twinInput(M.room, { name: 'R2' }), { actor: 'b' }),
        store.patchTwin('missing', [{ op: 'replace', path: '/name', value: 'x' }]),
        store.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'two' }], { actor: 'c' }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      await expectCode(Promise.reject((outcomes[2] as PromiseRejectedResult).reason), 'DigitalTwinNotFound');
      expect(commits).toEqual([before + 1, before + 3]);
      const entries = await store.readChanges({ after: before });
      expect(entries.map((e) => [e.seq, e.type, e.subject, e.actor])).toEqual([
        [before + 1, 'Twin.Update', 'r1', 'a'],
        [before + 2, 'Twin.Create', 'r2', 'b'],
        [before + 3, 'Twin.Update', 'r1', 'c'],
      ]);
      expect((await store.getTwin('r1')).name).toBe('two');
      expect((outcomes[3] as PromiseFulfilledResult<{ $etag: string }>).value.$etag).toBe(
        (await store.getTwin('r1')).$etag,
      );
    } finally {
      await store.close();
    }
  });

  it('commits the writes a close finds waiting for their turn before it closes', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await seedModels(store);
    const writes = [
      store.createTwin('x1', twinInput(M.room, { name: 'X1' })),
      store.createTwin('x2', twinInput(M.room, { name: 'X2' })),
    ];
    await store.close();
    expect((await Promise.all(writes)).map((t) => t.$dtId)).toEqual(['x1', 'x2']);
  });
});

describe('SQLite adapter, file-backed', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-store-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const userVersion = (file: string): number => {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  };

  it("brings the planner's statistics up to date soon after the open, not in it: a start after a crash answers first", async () => {
    const file = path.join(dir, 'twins.db');
    const writer = openSqliteStore({ path: file });
    await seedModels(writer);
    await writer.createTwins(Array.from({ length: 2000 }, (_, i) => ({ id: `t${i}`, twin: twinInput(M.room) })));
    // The writer never closes (a close would leave fresh statistics): the file's are stale, as after a crash.
    const analyzedTwins = (): number => {
      const db = new Database(file, { readonly: true });
      try {
        if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get()) return 0;
        return (db.prepare("SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl = 'twins'").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(analyzedTwins()).toBe(0);
    const store = openSqliteStore({ path: file });
    try {
      expect(analyzedTwins()).toBe(0);
      expect((await store.getTwin('t7'))?.$dtId).toBe('t7');
      const deadline = Date.now() + 10_000;
      while (analyzedTwins() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(analyzedTwins()).toBeGreaterThan(0);
    } finally {
      await store.close();
      await writer.close();
    }
  });

  it('creates the database file and its folder, and names its kind', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'twins.db');
    const store = openSqliteStore({ path: file });
    expect(store.kind).toBe('sqlite');
    await store.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('keeps everything across close and reopen, and numbers changes on from where it stopped', async () => {
    const file = path.join(dir, 'twins.db');
    const clock = new TestClock();
    const store = openSqliteStore({ path: file, outbox: true, now: clock.now });
    await seedModels(store);
    await store.createTwins([
      { id: 'a', twin: twinInput(M.room, { name: 'A', area: 10 }) },
      { id: 'b', twin: twinInput(M.room, { name: 'B', area: 20 }) },
    ]);
    await store.putRelationship('a', 'a-b', rel('b', 'next', { w: 1 }));
    await store.appendMetrics([{ twinId: 'a', name: 'temp', time: '2024-05-01T10:00:00Z', value: 21 }]);
    await store.decommissionModel(M.sensor);
    const state = {
      models: await store.listModels({ includeDefinition: true }),
      twins: await store.getTwins(['a', 'b']),
      relationships: await store.listRelationships('a'),
      metrics: await store.readMetrics({ twinId: 'a', name: 'temp' }),
      changes: await store.readChanges({ after: 0 }),
      outbox: await store.outboxStats(),
      counts: await store.counts(),
    };
    await store.close();

    const reopened = openSqliteStore({ path: file, outbox: true, now: clock.now });
    try {
      expect({
        models: await reopened.listModels({ includeDefinition: true }),
        twins: await reopened.getTwins(['a', 'b']),
        relationships: await reopened.listRelationships('a'),
        metrics: await reopened.readMetrics({ twinId: 'a', name: 'temp' }),
        changes: await reopened.readChanges({ after: 0 }),
        outbox: await reopened.outboxStats(),
        counts: await reopened.counts(),
      }).toEqual(state);
      expect(
        (
          await reopened.queryTwins({ where: { ofModel: M.space }, orderBy: [{ path: ['area'], direction: 'desc' }] })
        ).items.map((t) => t.$dtId),
      ).toEqual(['b', 'a']);

      const latest = await reopened.latestSeq();
      await reopened.appendMetrics([{ twinId: 'a', name: 'temp', time: '2024-05-01T10:01:00Z', value: 22 }]);
      await reopened.patchTwin('a', [{ op: 'replace', path: '/area', value: 11 }], { ifMatch: state.twins[0]!.$etag });
      expect((await reopened.readChanges({ after: latest })).map((c) => c.seq)).toEqual([latest + 1, latest + 2]);
      expect((await reopened.readMetrics({ twinId: 'a', name: 'temp' })).map((p) => p.value)).toEqual([21, 22]);
    } finally {
      await reopened.close();
    }
  });

  it('applies its migrations once: reopening leaves the schema version and the data as they were', async () => {
    const file = path.join(dir, 'twins.db');
    const store = openSqliteStore({ path: file });
    await seedModels(store);
    await store.createTwin('a', twinInput(M.room, { name: 'A' }));
    await store.close();
    expect(userVersion(file)).toBe(MIGRATIONS.length);

    for (let i = 0; i < 2; i++) {
      const again = openSqliteStore({ path: file });
      expect((await again.getTwin('a')).name).toBe('A');
      expect(await again.counts()).toMatchObject({ models: 7, twins: 1 });
      await again.ensurePropertyIndexes([['name']]);
      await again.close();
      expect(userVersion(file)).toBe(MIGRATIONS.length);
    }
  });

  it('migrates an outbox written before barriers were marked: a pending model delete still waits until it is the oldest entry', async () => {
    const file = path.join(dir, 'v1.db');
    const clock = new TestClock();
    const db = new Database(file);
    db.exec(MIGRATIONS[0]);
    db.pragma('user_version = 1');
    const entries: [string, string, string][] = [
      ['Twin.Create', 'a', 'twin:a'],
      ['Model.Delete', M.sensor, 'models'],
      ['Model.Create', M.meetingPod, 'models'],
      ['Twin.Update', 'b', 'twin:b'],
    ];
    for (const [type, subject, partition] of entries) {
      const seq = db
        .prepare("INSERT INTO changes (time, type, subject, body) VALUES (?, ?, ?, '{}')")
        .run(clock.iso(), type, subject).lastInsertRowid;
      db.prepare('INSERT INTO outbox (seq, partition, available_at) VALUES (?, ?, ?)').run(seq, partition, clock.now());
    }
    db.close();

    const store = openSqliteStore({ path: file, outbox: true, now: clock.now });
    try {
      expect(userVersion(file)).toBe(MIGRATIONS.length);
      const first = await store.claimOutbox({ limit: 10, leaseMs: 1000 });
      expect(first.map((e) => e.seq)).toEqual([1, 4]);
      expect(first.map((e) => 'resync' in e)).toEqual([false, false]);
      await store.ackOutbox([1, 4]);
      expect((await store.claimOutbox({ limit: 10, leaseMs: 1000 })).map((e) => e.change.type)).toEqual([
        'Model.Delete',
        'Model.Create',
      ]);
    } finally {
      await store.close();
    }
  });

  it('reads, within 20 ms, what another connection to the same file wrote, even for twins it has read before', async () => {
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 25));
    const file = path.join(dir, 'shared.db');
    const a = openSqliteStore({ path: file });
    const b = openSqliteStore({ path: file });
    try {
      await seedModels(a);
      await a.createTwin('r1', twinInput(M.room, { name: 'first' }));
      expect((await b.getTwin('r1')).name).toBe('first');
      await a.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'second' }]);
      await settle();
      expect((await b.getTwin('r1')).name).toBe('second');
      // A write checks its ETag against the committed state, whatever the cache holds.
      const stale = (await b.getTwin('r1')).$etag;
      await a.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'third' }]);
      await expectCode(
        b.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'lost' }], { ifMatch: stale }),
        'PreconditionFailed',
      );
      await a.deleteTwin('r1');
      await settle();
      await expectCode(b.getTwin('r1'), 'DigitalTwinNotFound');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('hands out twins that callers cannot change under each other', async () => {
    const store = openSqliteStore({ path: path.join(dir, 'frozen.db') });
    try {
      await seedModels(store);
      await store.createTwin('r1', twinInput(M.room, { name: 'kept' }));
      const read = await store.getTwin('r1');
      expect(() => {
        (read as Record<string, unknown>).name = 'changed';
      }).toThrow(TypeError);
      expect((await store.getTwin('r1')).name).toBe('kept');
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by a newer schema', () => {
    const file = path.join(dir, 'newer.db');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStore({ path: file })).toThrow(/newer Twingraph/);
    // The refused file is left as it was.
    expect(userVersion(file)).toBe(MIGRATIONS.length + 1);
  });
});
