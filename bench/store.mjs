// npm run bench:store — the store workload (bench/store-workload.ts) at full size against the compiled
// adapters in dist/: 100,000 twins, 200,000 relationships, point and one-hop reads, 3-hop traversals,
// indexed range queries, 1,000,000 metric points and their aggregates. Prints one line per figure, with
// the goal where there is one, then peak RSS and the database file size.
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

/** `runWorkload(store, label, { sizes, seed, log })`: see bench/store-workload.ts. */
export const { runWorkload, FULL_SIZES, formatFigure } = workload;

function scaled(scale) {
  if (scale === 1) return {};
  const sizes = {};
  for (const [k, v] of Object.entries(FULL_SIZES)) {
    sizes[k] = k.endsWith('Batch') || k === 'aggregateSeries' ? v : Math.max(1, Math.round(v * scale));
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

async function main() {
  const { openSqliteStore, openNeo4jStore, connectNeo4j } = require(path.join(root, 'dist', 'store', 'index.js'));
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
  // Neo4j, when NEO4J_URI is set: the database is emptied first, so point it at one you can wipe.
  if (process.env.NEO4J_URI) {
    const database = process.env.NEO4J_DATABASE;
    const connect = () =>
      connectNeo4j({ uri: process.env.NEO4J_URI, user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD });
    const wipe = async () => {
      const driver = connect();
      const session = driver.session({ ...(database && { database }) });
      try {
        // In batches: one transaction over millions of nodes would exhaust Neo4j's transaction memory.
        for (;;) {
          const deleted = await session.executeWrite(async (tx) =>
            (await tx.run('MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n')).records[0].get('n'),
          );
          if (Number(deleted) === 0) break;
        }
      } finally {
        await session.close();
        await driver.close();
      }
    };
    stores.push({
      label: 'neo4j',
      open: async () => {
        await wipe();
        return openNeo4jStore({ driver: connect(), ...(database && { database }) });
      },
      size: () => `(server side: see the Neo4j store files of ${process.env.NEO4J_URI})`,
      cleanup: wipe,
    });
  }
  // ──────────────────────────────────────────────────────────────────────────────────────────────────

  try {
    for (const entry of stores) {
      console.log(`\n${entry.label}: ${JSON.stringify({ ...FULL_SIZES, ...sizes })}`);
      const store = await entry.open();
      let result;
      try {
        result = await runWorkload(store, entry.label, { sizes, log: (line) => console.log(line) });
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
  }
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
