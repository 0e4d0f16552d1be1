/**
 * What the SQLite adapter keeps between reads and writes (issue 13), and that nothing kept is ever stale:
 * pages of neighbours and the models a model stands for (kept until a write of twins, relationships or
 * models, here or through another connection to the file), query pages served from parsed twins by etag,
 * twins a commit wrote (cached as written), change-log entries made of the write's own objects, and the
 * model records writes look up. Two stores on one file stand for two processes: what one commits, the other
 * reads at once (no 20 ms wait, unlike a point read of a twin it has cached).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NeighborQuery } from '../../src/store/query';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/store';
import { expectCode, M, modelInput, rel, seedSite, twinInput } from '../support/store-fixtures';

let dir: string;
let a: SqliteStore;
let b: SqliteStore;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-kept-'));
  const file = path.join(dir, 'shared.db');
  a = openSqliteStore({ path: file });
  b = openSqliteStore({ path: file });
  await seedSite(a);
});

afterEach(async () => {
  await a.close();
  await b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rooms = (withRelationships?: boolean): NeighborQuery => ({
  ids: ['f1', 'f2'],
  hop: {
    direction: 'out',
    names: ['hasRoom'],
    where: { ofModel: M.room },
    ...(withRelationships !== undefined && { withRelationships }),
  },
  first: 10,
});

const idsOf = (pages: { twin: { $dtId: string } }[][]): string[][] => pages.map((p) => p.map((n) => n.twin.$dtId));

describe('pages of neighbours', () => {
  it('are read again after a write through another connection, at once', async () => {
    expect(idsOf(await b.neighbors(rooms()))).toEqual([
      ['r1', 'r2'],
      ['r1', 'r3'],
    ]);
    await a.putRelationship('f1', 'f1-r4', rel('r4', 'hasRoom'));
    expect(idsOf(await b.neighbors(rooms()))).toEqual([
      ['r1', 'r2', 'r4'],
      ['r1', 'r3'],
    ]);
    await a.deleteRelationship('f1', 'f1-r1');
    expect(idsOf(await b.neighbors(rooms()))).toEqual([
      ['r2', 'r4'],
      ['r1', 'r3'],
    ]);
  });

  it('are read again after a write through the same store', async () => {
    expect(idsOf(await a.neighbors(rooms()))).toEqual([
      ['r1', 'r2'],
      ['r1', 'r3'],
    ]);
    await a.putRelationship('f1', 'f1-r4', rel('r4', 'hasRoom'));
    expect(idsOf(await a.neighbors(rooms()))).toEqual([
      ['r1', 'r2', 'r4'],
      ['r1', 'r3'],
    ]);
  });

  it('follow a change of the twins their filter reads', async () => {
    const big: NeighborQuery = { ...rooms(), hop: { ...rooms().hop, where: { path: ['area'], op: 'gt', value: 15 } } };
    expect(idsOf(await b.neighbors(big))).toEqual([['r2'], ['r3']]);
    await a.patchTwin('r1', [{ op: 'replace', path: '/area', value: 50 }]);
    expect(idsOf(await b.neighbors(big))).toEqual([
      ['r1', 'r2'],
      ['r1', 'r3'],
    ]);
    await b.patchTwin('r2', [{ op: 'replace', path: '/area', value: 5 }]);
    expect(idsOf(await b.neighbors(big))).toEqual([['r1'], ['r1', 'r3']]);
  });

  it('read no relationships when asked for the twins alone, and are the same twins', async () => {
    const full = await b.neighbors(rooms());
    const twinsOnly = await b.neighbors(rooms(false));
    expect(idsOf(twinsOnly)).toEqual(idsOf(full));
    expect(full.flat().map((n) => n.relationship.$relationshipId)).toEqual(['f1-r1', 'f1-r2', 'f2-r1', 'f2-r3']);
    expect(twinsOnly.flat().every((n) => n.relationship === undefined)).toBe(true);
  });

  it('hold the relationships as they are now', async () => {
    await b.neighbors(rooms());
    await a.patchRelationship('f1', 'f1-r2', [{ op: 'add', path: '/note', value: 'new' }]);
    const [f1] = await b.neighbors(rooms());
    expect(f1.find((n) => n.twin.$dtId === 'r2')?.relationship).toMatchObject({ note: 'new' });
  });
});

describe('queries', () => {
  it('see a model uploaded through another connection that extends the one they ask for, at once', async () => {
    const query = { where: { ofModel: M.room }, first: 100 };
    expect((await b.queryTwins(query)).items.map((t) => t.$dtId)).toEqual(['r1', 'r2', 'r3', 'r4']);
    const studio = 'dtmi:test:Studio;1';
    await a.putModels([modelInput(studio, { extends: [M.room], ancestors: [M.room, M.space] })]);
    await a.createTwin('r0', twinInput(studio, { name: 'R0' }));
    expect((await b.queryTwins(query)).items.map((t) => t.$dtId)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('answer twins as they are now, though the same twins were read before', async () => {
    const query = { where: { ofModel: M.room }, first: 100 };
    await b.queryTwins(query);
    await a.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'changed' }]);
    const [r1] = (await b.queryTwins(query)).items;
    expect(r1).toMatchObject({ $dtId: 'r1', name: 'changed' });
    expect(r1.$etag).toBe((await a.getTwin('r1')).$etag);
  });

  it('page on from a cursor through the id index, and hand out cursors only as asked', async () => {
    const first = await b.queryTwins({ where: { ofModel: M.room }, first: 2 });
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await b.queryTwins({ where: { ofModel: M.room }, first: 2, after: first.pageInfo.endCursor! });
    expect(next.items.map((t) => t.$dtId)).toEqual(['r3', 'r4']);
    expect(next.cursors).toHaveLength(2);
    expect(next.pageInfo.startCursor).toBe(next.cursors[0]);
    const empty = await b.queryTwins({ where: { ofModel: M.room }, first: 0 });
    expect(empty.pageInfo).toMatchObject({ startCursor: null, endCursor: null, hasNextPage: true });
  });
});

describe('writes', () => {
  it('leave the twins they wrote in the cache, frozen, as stored', async () => {
    const written = await a.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'cached' }]);
    const read = await a.getTwin('r1');
    expect(read).toEqual(written);
    expect(Object.isFrozen(read)).toBe(true);
    expect(await b.getTwin('r1')).toEqual(written);
  });

  it('leave nothing of a refused write in a group commit, and the last state of a twin written twice', async () => {
    await a.createTwin('x', twinInput(M.room, { name: 'x0' }));
    const outcomes = await Promise.allSettled([
      a.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'one' }]),
      a.patchTwin('x', [{ op: 'replace', path: '/name', value: 'x1' }]),
      a.patchTwin('x', [{ op: 'replace', path: '/name', value: 'x2' }]),
      a.patchTwin('r2', [{ op: 'replace', path: '/name', value: 'refused' }], { ifMatch: 'W/"stale"' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    for (const id of ['r1', 'x', 'r2']) expect(await a.getTwin(id)).toEqual(await b.getTwin(id));
    expect((await a.getTwin('x')).name).toBe('x2');
    expect((await a.getTwin('r2')).name).toBe('R2');
  });

  it('record change-log entries that read the same from memory as from the file', async () => {
    const before = await a.latestSeq();
    await Promise.all([
      a.patchTwin('r1', [{ op: 'replace', path: '/name', value: 'one' }], { actor: 'someone' }),
      a.putRelationship('f1', 'f1-r4', rel('r4', 'hasRoom', { note: 'n' })),
      a.createTwin('y', twinInput(M.sensor, { kind: 'co2' })),
    ]);
    const fromMemory = await a.readChanges({ after: before });
    const fromFile = await b.readChanges({ after: before });
    expect(fromMemory).toHaveLength(3);
    expect(fromMemory).toEqual(fromFile);
    expect(fromMemory.every((e) => Object.isFrozen(e.body))).toBe(true);
  });

  it('check models as they are now, decommissioned through another connection or the same store', async () => {
    await b.createTwin('s9', twinInput(M.sensor, { kind: 'temp' }));
    await a.decommissionModel(M.sensor);
    await expectCode(b.createTwin('s10', twinInput(M.sensor, { kind: 'temp' })), 'ModelDecommissioned');
    await expectCode(a.createTwin('s11', twinInput(M.sensor, { kind: 'temp' })), 'ModelDecommissioned');
    // A twin may keep a decommissioned model.
    await b.patchTwin('s9', [{ op: 'replace', path: '/kind', value: 'co2' }]);
  });
});
