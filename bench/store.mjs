// npm run bench:store — the store workload (bench/store-workload.ts) at full size against the compiled
// adapters in dist/, SQLite and Neo4j one after the other: 100,000 twins, 200,000 relationships, point and
// one-hop reads, 3-hop traversals, indexed range queries, 1,000,000 metric points and their aggregates,
// single writes one at a time and 16 in flight, and 100 subscribers of the change feed while writes commit.
// Prints one line per figure as it is measured, with the goal where there is one, then both stores side by
// side, peak RSS and the database file size.
//
// Neo4j: the server of NEO4J_URI (NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) — its database is emptied
// first and last, so point it at one you can wipe — or, without NEO4J_URI, the test launcher of
// `npm run test:neo4j` started for the run (Java 17+ and Maven; bench/neo4j-launcher.ts), or neither when
// BENCH_NEO4J=off or Java is missing (the reason is printed).
//
// The workload is TypeScript, loaded through tsx (esbuild strips the types; the loop runs as written).
// It imports only types from src/, so every store call runs the tsc-compiled code in dist/.
//
// BENCH_SCALE=0.1 runs a tenth of every size (quick look); the goals are meant for the full size.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { require as tsxRequire } from 'tsx/cjs/api';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workload = tsxRequire('./store-workload.ts', import.meta.url);
const { startBenchNeo4j, wipeNeo4j } = tsxRequire('./neo4j-launcher.ts', import.meta.url);

/** `runWorkload(store, label, { sizes, seed, log })`: see bench/store-workload.ts. */
export const { runWorkload, FULL_SIZES, formatFigure } = workload;

function scaled(scale) {
  if (scale === 1) return {};
  const sizes = {};
  for (const [k, v] of Object.entries(FULL_SIZES)) {
    // Batch sizes, the series aggregated together, writes in flight and subscribers are shapes, not volumes.
    const shape = k.endsWith('Batch') || ['aggregateSeries', 'writeConcurrency', 'subscribers'].includes(k);
    sizes[k] = shape ? v : Math.max(1, Math.round(v * scale));
  }
  return sizes;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
function fileSize(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Every figure once, with each store's value beside it (rates per second, times in ms). */
function printSideBySide(results) {
  const value = (f) =>
    f === undefined
      ? '—'
      : f.unit === '/s'
        ? `${Math.round(f.value).toLocaleString('en-US')}/s${f.each !== undefined ? ` (${f.each.toFixed(2)} ms)` : ''}`
        : `${f.value.toFixed(f.value >= 100 ? 0 : 2)} ms`;
  console.log(`\n${'figure'.padEnd(80)} ${results.map((r) => r.label.padEnd(26)).join(' ')}`);
  for (const figure of results[0].figures) {
    const cells = results.map((r) => value(r.figures.find((f) => f.name === figure.name)).padEnd(26));
    console.log(`${figure.name.padEnd(80)} ${cells.join(' ')}`);
  }
}

async function main() {
  const { openSqliteStore, openNeo4jStore, connectNeo4j } = require(path.join(root, 'dist', 'store', 'index.js'));
  const { ChangeFeed } = require(path.join(root, 'dist', 'events', 'index.js'));
  // The feed as the server sets it up over its store (default window, lag limit and back-pressure).
  const feed = (store) => new ChangeFeed(store);
  const cpus = os.cpus();
  console.log(
    `machine: node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${mb(os.totalmem())} RAM, ${os.platform()} ${os.release()}`,
  );
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const sizes = scaled(scale);
  if (scale !== 1) console.log(`BENCH_SCALE=${scale}: sizes are scaled down; the goals apply to the full size`);
  const started = performance.now();

  // ── Stores to measure ─────────────────────────────────────────────────────────────────────────────
  // Each entry opens a fresh, empty store, and says how to report its size and to clean up afterwards.
  const stores = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-store-'));
  const dbFile = path.join(dir, 'bench.db');
  stores.push({
    label: 'sqlite',
    open: () => openSqliteStore({ path: dbFile }),
    size: () => `${mb(fileSize(dbFile))} database file + ${mb(fileSize(`${dbFile}-wal`))} WAL (${dbFile})`,
    sizeAfterClose: () => `${mb(fileSize(dbFile) + fileSize(`${dbFile}-wal`))} after close (WAL checkpointed)`,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  });
  // Neo4j: NEO4J_URI's server (emptied first, so point it at one you can wipe), or the test launcher.
  let launched;
  let neo4jUri = process.env.NEO4J_URI;
  if (!neo4jUri && process.env.BENCH_NEO4J !== 'off') {
    launched = await startBenchNeo4j();
    if (launched.skipped) console.log(`neo4j: not measured: ${launched.skipped}`);
    else {
      neo4jUri = launched.uri;
      console.log(`neo4j: started the test launcher's Neo4j 5 at ${neo4jUri} (embedded, Community, 2 GB heap)`);
    }
  } else if (!neo4jUri) console.log('neo4j: not measured (BENCH_NEO4J=off)');
  if (neo4jUri) {
    const database = launched ? undefined : process.env.NEO4J_DATABASE;
    const connect = () =>
      launched
        ? connectNeo4j({ uri: neo4jUri })
        : connectNeo4j({ uri: neo4jUri, user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD });
    const wipe = () =>
      wipeNeo4j({
        uri: neo4jUri,
        ...(!launched && { user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD, database }),
      });
    stores.push({
      label: 'neo4j',
      open: async () => {
        await wipe();
        return openNeo4jStore({ driver: connect(), ...(database && { database }) });
      },
      size: () => `(server side: see the Neo4j store files of ${neo4jUri})`,
      cleanup: wipe,
    });
  }
  // ──────────────────────────────────────────────────────────────────────────────────────────────────

  const results = [];
  try {
    for (const entry of stores) {
      console.log(`\n${entry.label}: ${JSON.stringify({ ...FULL_SIZES, ...sizes })}`);
      const store = await entry.open();
      let result;
      try {
        result = await runWorkload(store, entry.label, { sizes, feed, log: (line) => console.log(line) });
        results.push(result);
        console.log(`${entry.label.padEnd(7)} size: ${entry.size()}`);
      } finally {
        await store.close();
      }
      if (entry.sizeAfterClose) console.log(`${entry.label.padEnd(7)} size: ${entry.sizeAfterClose()}`);
      const { counts, expected } = result;
      const ok =
        counts.twins === expected.twins &&
        counts.relationships === expected.relationships &&
        counts.metricPoints === expected.metricPoints;
      console.log(
        `${entry.label.padEnd(7)} counts: ${counts.models} models, ${counts.twins} twins, ${counts.relationships} relationships, ${counts.metricPoints} metric points, ${counts.changes} change-log entries${ok ? '' : `  MISMATCH, expected ${JSON.stringify(expected)}`}`,
      );
      console.log(`${entry.label.padEnd(7)} returned: ${JSON.stringify(result.returned)}`);
    }
  } finally {
    for (const entry of stores) await entry.cleanup?.();
    await launched?.stop?.();
  }
  if (results.length > 1) printSideBySide(results);
  console.log(
    `\npeak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}; total time ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
