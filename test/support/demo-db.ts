/**
 * The seeded demo, as `npm start` loads it, for end-to-end tests: generated once (per content of the seed
 * generator, catalogue and models) into a file under the OS temp directory, and copied for each test app so
 * that tests may write to it. Seeding takes about ten seconds; the copy a fraction of one. Jest workers that
 * need it at the same time take turns through a lock directory; the first seeds, the others wait.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDocuments } from '../../src/dtdl';
import { PACKAGE_ROOT } from '../../src/config';
import { readCatalogue } from '../../src/demo/catalogue';
import { loadDemo } from '../../src/demo/load';
import { ModelService } from '../../src/services/models';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { TestApp } from './api-harness';

/** The hour the test demo ends at: fixed, so that figures are the same on every run and the cache stays valid. */
export const DEMO_AS_OF = '2026-11-25T00:00:00Z';

const CACHE_DIR = path.join(os.tmpdir(), 'twingraph-demo-cache');
const LOCK_STALE_MS = 5 * 60_000;

/** Every file under `dir`, recursively, in a stable order. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : entry.isFile() ? [path.join(dir, entry.name)] : [],
    );
}

/** What the seeded database depends on: the catalogue and the models (all of seeds/ and dtdl/), the generator and how the store writes. */
function sourcesHash(): string {
  const hash = crypto.createHash('sha256').update(DEMO_AS_OF);
  const files = [
    ...filesUnder(path.join(PACKAGE_ROOT, 'seeds')),
    ...filesUnder(path.join(PACKAGE_ROOT, 'dtdl')),
    ...filesUnder(path.join(PACKAGE_ROOT, 'src', 'demo')),
    ...filesUnder(path.join(PACKAGE_ROOT, 'src', 'store')),
  ];
  for (const file of files) hash.update(path.relative(PACKAGE_ROOT, file)).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** SQLite's files of a database: the file itself, and its write-ahead log and shared-memory index when there. */
const DB_FILES = ['', '-wal', '-shm'];

async function seed(file: string): Promise<void> {
  const store = await openSqliteStore({ path: file });
  try {
    const models = new ModelService(store);
    await models.load();
    await loadDemo(store, models, {
      catalogue: readCatalogue(path.join(PACKAGE_ROOT, 'seeds', 'firm.json')),
      documents: collectDocuments([path.join(PACKAGE_ROOT, 'dtdl')]),
      asOf: Date.parse(DEMO_AS_OF),
    });
  } finally {
    // Closing the last connection checkpoints the WAL into the file, so the file alone is the database.
    await store.close();
  }
}

async function cachedDemo(): Promise<string> {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const key = sourcesHash();
  const db = path.join(CACHE_DIR, `${key}.db`);
  const lock = path.join(CACHE_DIR, `${key}.lock`);
  const deadline = Date.now() + 180_000;
  while (!fs.existsSync(db)) {
    try {
      fs.mkdirSync(lock);
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another worker to seed ${db}`);
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!fs.existsSync(db)) {
        const partial = path.join(CACHE_DIR, `${key}.${process.pid}.partial`);
        for (const suffix of DB_FILES) fs.rmSync(partial + suffix, { force: true });
        await seed(partial);
        // Closing checkpointed the log into the file: a -wal or -shm left now would belong to no database.
        for (const suffix of DB_FILES.slice(1)) fs.rmSync(partial + suffix, { force: true });
        for (const suffix of DB_FILES.slice(1)) fs.rmSync(db + suffix, { force: true });
        fs.renameSync(partial, db);
        // Copies for older sources are of no more use (230 MB each), nor are their -wal and -shm files.
        for (const f of fs.readdirSync(CACHE_DIR))
          if (/\.db(-wal|-shm)?$/.test(f) && !f.startsWith(`${key}.db`))
            fs.rmSync(path.join(CACHE_DIR, f), { force: true });
      }
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return db;
}

/** A fresh copy of the seeded demo database in a new temp directory; returns its path. */
export async function demoDatabase(): Promise<string> {
  const source = await cachedDemo();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-demo-'));
  const file = path.join(dir, 'twingraph.db');
  fs.copyFileSync(source, file);
  return file;
}

/**
 * A test app on a fresh copy of the seeded demo for the enclosing suite (started before its tests, closed and
 * deleted after them). Read `.app` inside tests.
 */
export function useSeededDemo(): { readonly app: TestApp } {
  let app: TestApp | undefined;
  let dbFile: string | undefined;
  beforeAll(async () => {
    dbFile = await demoDatabase();
    app = await new TestApp({ env: { TWINGRAPH_DB: dbFile } }).start();
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    if (dbFile) fs.rmSync(path.dirname(dbFile), { recursive: true, force: true });
  });
  return {
    get app(): TestApp {
      if (!app) throw new Error('the seeded demo app has not started');
      return app;
    },
  };
}
