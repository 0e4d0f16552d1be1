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
import { collectDocuments } from '../../src/cli/dtdl-validate';
import { PACKAGE_ROOT } from '../../src/config';
import { readCatalogue } from '../../src/seed/catalogue';
import { loadDemo } from '../../src/seed/load';
import { ModelService } from '../../src/services/models';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { TestApp } from './api-harness';

/** The hour the test demo ends at: fixed, so that figures are the same on every run and the cache stays valid. */
export const DEMO_AS_OF = '2026-11-25T00:00:00Z';

const CACHE_DIR = path.join(os.tmpdir(), 'twingraph-demo-cache');
const LOCK_STALE_MS = 5 * 60_000;

function sourcesHash(): string {
  const hash = crypto.createHash('sha256').update(DEMO_AS_OF);
  const files = [
    path.join(PACKAGE_ROOT, 'seeds', 'firm.json'),
    ...fs.readdirSync(path.join(PACKAGE_ROOT, 'dtdl')).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(PACKAGE_ROOT, 'dtdl', f)),
    ...fs.readdirSync(path.join(PACKAGE_ROOT, 'src', 'seed')).sort().map((f) => path.join(PACKAGE_ROOT, 'src', 'seed', f)),
    ...['schema.ts', 'store.ts', 'compile.ts'].map((f) => path.join(PACKAGE_ROOT, 'src', 'store', 'sqlite', f)),
    path.join(PACKAGE_ROOT, 'src', 'store', 'writes.ts'),
  ];
  for (const file of files) hash.update(file).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

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
        for (const suffix of ['', '-wal', '-shm']) fs.rmSync(partial + suffix, { force: true });
        await seed(partial);
        fs.renameSync(partial, db);
        // Copies for older sources are of no more use: 230 MB each.
        for (const f of fs.readdirSync(CACHE_DIR)) if (f.endsWith('.db') && f !== `${key}.db`) fs.rmSync(path.join(CACHE_DIR, f), { force: true });
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
