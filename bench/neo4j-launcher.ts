/**
 * A Neo4j 5 for the benchmarks when none is configured: the test launcher of `npm run test:neo4j`
 * (test/neo4j/pom.xml and Neo4jLauncher.java: Neo4j Community embedded, Bolt on a free loopback port, a
 * throwaway store, no authentication), built with Maven on first use as test/neo4j/run.mjs builds it, started
 * here and stopped when the benchmark ends (closing its stdin stops it, also if the benchmark dies).
 *
 * `startBenchNeo4j()` resolves with `{ uri, stop }`, or with `{ skipped: reason }` when Java 17+ or Maven is
 * missing, so that a benchmark can report SQLite alone and say why. `wipeNeo4j` empties a database in batches.
 * Used by bench/store.mjs and bench/api-neo4j.ts (through tsx).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import neo4j from 'neo4j-driver';

const ROOT = path.resolve(__dirname, '..');
const LAUNCHER = path.join(ROOT, 'test', 'neo4j');
/** Where pom.xml has Maven build (run.mjs reads the same place). */
const BUILD = path.join(ROOT, 'node_modules', '.cache', 'twingraph-neo4j');
const CLASSPATH_FILE = path.join(BUILD, 'classpath.txt');
/** As run.mjs gives them (its comment says why), the initial heap as large as the maximum. */
const JVM_OPTIONS = [
  '-Xms2g',
  '-Xmx2g',
  '-XX:+ExitOnOutOfMemoryError',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
];
const READY_TIMEOUT_MS = 180_000;

export type BenchNeo4j = { readonly uri: string; stop(): Promise<void> } | { readonly skipped: string };

function firstLine(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.split('\n').find((line) => line.trim() !== '');
}

function missingTools(): string | undefined {
  const java = firstLine('java', ['-version']);
  if (java === undefined) return 'java was not found (Neo4j 5 needs Java 17 or newer)';
  const match = /version "(\d+)(?:\.(\d+))?/.exec(java);
  const release = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (release < 17) return `Neo4j 5 needs Java 17 or newer; java is ${java.trim()}`;
  if (firstLine('mvn', ['-v']) === undefined) return 'mvn (Maven) was not found';
  return undefined;
}

const mtime = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);

/**
 * The launcher's classpath, building it first unless it is current: the class newer than its source, the
 * classpath newer than the pom (Maven rewrites the file only when the classpath changes), every jar in ~/.m2.
 */
function classpath(log: (line: string) => void): string {
  const classFile = path.join(BUILD, 'classes', 'Neo4jLauncher.class');
  const jars = fs.existsSync(CLASSPATH_FILE)
    ? fs.readFileSync(CLASSPATH_FILE, 'utf8').trim().split(path.delimiter)
    : [];
  const current =
    mtime(classFile) >= mtime(path.join(LAUNCHER, 'Neo4jLauncher.java')) &&
    mtime(CLASSPATH_FILE) >= mtime(path.join(LAUNCHER, 'pom.xml')) &&
    jars.length > 0 &&
    jars.every((jar) => fs.existsSync(jar));
  if (!current) {
    log('neo4j: building the test launcher (the first build downloads Neo4j into ~/.m2)');
    const result = spawnSync('mvn', ['-B', '-q', '-f', path.join(LAUNCHER, 'pom.xml'), 'compile'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`mvn compile failed: ${result.stdout}${result.stderr}`);
  }
  return [path.join(BUILD, 'classes'), fs.readFileSync(CLASSPATH_FILE, 'utf8').trim()].join(path.delimiter);
}

export async function startBenchNeo4j(log: (line: string) => void = console.log): Promise<BenchNeo4j> {
  const missing = missingTools();
  if (missing) return { skipped: missing };
  const child = spawn('java', [...JVM_OPTIONS, '-cp', classpath(log), 'Neo4jLauncher'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  readline.createInterface({ input: child.stderr! }).on('line', (line) => (errors += `${line}\n`));
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Neo4j was not ready in time')), READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the Neo4j launcher exited (${signal ?? code}) before it was ready: ${errors}`));
    });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^READY (bolt:\/\/\S+)$/.exec(line);
      if (!ready) return;
      clearTimeout(timer);
      resolve(ready[1]);
    });
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin!.end();
    });
  return { uri, stop };
}

export interface Neo4jTarget {
  readonly uri: string;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
}

/** Deletes every node, 20,000 at a time (one transaction over millions would exhaust its memory). */
export async function wipeNeo4j(target: Neo4jTarget): Promise<void> {
  const auth = target.user !== undefined ? neo4j.auth.basic(target.user, target.password ?? '') : undefined;
  const driver = neo4j.driver(target.uri, auth, { disableLosslessIntegers: true });
  const session = driver.session({ ...(target.database && { database: target.database }) });
  try {
    for (;;) {
      const deleted = await session.executeWrite(
        async (tx) => (await tx.run('MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n')).records[0],
      );
      if (Number(deleted.get('n')) === 0) break;
    }
  } finally {
    await session.close();
    await driver.close();
  }
}
