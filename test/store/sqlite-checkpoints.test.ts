/**
 * The SQLite store's checkpoint thread (src/store/sqlite/checkpointer.ts): once a store has committed a few
 * hundred times, or written a few batches of a thousand, a worker keeps copying the write-ahead log into the
 * database file, so the log stays short without the store's connection doing it inside a commit; every commit
 * is still there after a reopen, and a close leaves no log behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { M, seedModels, twinInput } from '../support/store-fixtures';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-checkpoints-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const walPages = (file: string): number =>
  fs.existsSync(`${file}-wal`) ? Math.floor(fs.statSync(`${file}-wal`).size / 4096) : 0;

/** The pages in the log now (since it last started over), as another connection's checkpoint reports them. */
function logPages(file: string): number {
  const probe = new Database(file);
  try {
    return (probe.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0].log;
  } finally {
    probe.close();
  }
}

/**
 * Whether a checkpoint has copied every frame of the log into the database file, read from the wal-index
 * (the -shm file) without taking part: its header's mxFrame (the last valid frame, at byte 16) against the
 * checkpoint information's nBackfill (the frames copied back, at byte 96), both in the machine's byte order
 * (https://www.sqlite.org/walformat.html). Asking SQLite instead (wal_checkpoint) would run a checkpoint.
 */
function backfilled(file: string): boolean {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(`${file}-shm`, 'r');
  try {
    if (fs.readSync(fd, header, 0, 100, 0) < 100) return false;
  } finally {
    fs.closeSync(fd);
  }
  const read = (offset: number): number =>
    os.endianness() === 'LE' ? header.readUInt32LE(offset) : header.readUInt32BE(offset);
  const mxFrame = read(16);
  return mxFrame > 0 && read(96) === mxFrame;
}

/** Waits until a checkpoint has copied the whole log back (see backfilled), failing after `ms`. */
async function backfilledWithin(file: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!backfilled(file)) {
    if (Date.now() > deadline) throw new Error(`no checkpoint copied the whole log back within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('keeps the log short under many commits, loses none, and leaves no log after a close', async () => {
  const file = path.join(dir, 'busy.db');
  const store = openSqliteStore({ path: file });
  await seedModels(store);
  // One commit each (awaited one by one): past the count at which the worker starts.
  for (let i = 0; i < 400; i++) await store.createTwin(`t${i}`, twinInput(M.room, { name: `T${i}`, area: i }));
  for (let round = 0; round < 20; round++) {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.patchTwin(`t${(round * 20 + i) % 400}`, [{ op: 'replace', path: '/area', value: round }]),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The worker copies the whole log back shortly after the last commit (a moment on a quiet machine, longer on
  // a busy one, hence waiting for it rather than for a fixed time), so the next commit starts it over: it holds
  // that commit alone. (The store's own checkpoint would have let it grow to 1,000 pages before copying it, and
  // without the worker nothing copies the last few hundred: the wait would time out.)
  await backfilledWithin(file, 20_000);
  await store.patchTwin('t0', [{ op: 'replace', path: '/name', value: 'last' }]);
  expect(logPages(file)).toBeLessThan(20);
  const last = await store.latestSeq();
  await store.close();
  expect(walPages(file)).toBe(0);

  const reopened = openSqliteStore({ path: file });
  try {
    expect(await reopened.latestSeq()).toBe(last);
    expect((await reopened.getTwin('t0')).name).toBe('last');
    expect((await reopened.getTwin('t399')).area).toBe(19);
  } finally {
    await reopened.close();
  }
});

it('starts its thread after a few batch writes too, and copies the log back once the writes pause', async () => {
  const file = path.join(dir, 'batches.db');
  const store = openSqliteStore({ path: file });
  await seedModels(store);
  // Four commits of a thousand twins: far from the hundreds of commits, and under the 1,000 pages at which
  // the store's own checkpoint would copy the log back.
  for (let batch = 0; batch < 4; batch++)
    await store.createTwins(
      Array.from({ length: 1000 }, (_, i) => ({
        id: `b${batch}-${i}`,
        twin: twinInput(M.room, { name: `Room ${batch}-${i}`, area: i }),
      })),
    );
  expect(walPages(file)).toBeGreaterThan(100);
  expect(walPages(file)).toBeLessThan(1000);
  // The writes pause: the worker copies the whole log back (waited for, as above: a busy machine takes longer),
  // and the next commit starts it over.
  await backfilledWithin(file, 20_000);
  await store.patchTwin('b0-0', [{ op: 'replace', path: '/name', value: 'last' }]);
  expect(logPages(file)).toBeLessThan(20);
  const last = await store.latestSeq();
  await store.close();

  const reopened = openSqliteStore({ path: file });
  try {
    expect(await reopened.latestSeq()).toBe(last);
    expect((await reopened.getTwin('b0-0')).name).toBe('last');
    expect((await reopened.getTwin('b3-999')).area).toBe(999);
  } finally {
    await reopened.close();
  }
});

it('closes at once when it never started its thread', async () => {
  const file = path.join(dir, 'quiet.db');
  const store = openSqliteStore({ path: file });
  await seedModels(store);
  await store.createTwin('r1', twinInput(M.room));
  const started = Date.now();
  await store.close();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(walPages(file)).toBe(0);
});
