/**
 * The bulk-write benchmark (bench/bulk.ts, run at full size by `npm run bench:bulk`) at toy size, as that
 * script runs (tsx, the server and the import each in a process of its own), so that it cannot rot unnoticed.
 * Not a speed test: it checks that every phase ran without a refused batch and that each store holds what the
 * phases wrote, one change-log entry per write, numbered without gaps.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** This process's environment without the Neo4j variables (`npm run test:neo4j` sets them): the bench is SQLite's. */
const sqliteEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NEO4J_')));

test('the bulk-write benchmark runs end to end, over HTTP and through twingraph import', () => {
  const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/bulk.ts'], {
    cwd: ROOT,
    env: { ...sqliteEnv, BENCH_BULK_TWINS: '300', BENCH_BULK_BATCH: '100', BENCH_BULK_PROFILE: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const out = run.stdout;
  for (const phase of [
    'upsertTwins, creating 330 twins',
    'patchTwins',
    'upsertTwins, replacing',
    'upsertRelationships',
  ])
    expect(out).toMatch(new RegExp(`${phase}.* writes in [\\d.]+ s: +[\\d,]+/s; server CPU [\\d.]+ µs a write`));
  expect(out).toMatch(/store afterwards: 330 twins, 300 relationships, 1530 change-log entries for as many writes/);
  expect(out).toMatch(
    /storage floor .*: scattered [\d.]+ µs, id order [\d.]+ µs of CPU a write; the server's patches cost [\d.]+× and [\d.]+× that/,
  );
  expect(out).toMatch(/330 twins and 300 relationships: checked in [\d.]+ s, written in [\d.]+ s/);
  expect(out).toMatch(/store afterwards: 330 twins, 300 relationships, 630 change-log entries for as many writes/);
}, 150_000);
