/**
 * `npm run test:neo4j`: the suites that need a Neo4j server, run against a real Neo4j 5 started for the
 * purpose. It builds the launcher (pom.xml, Neo4jLauncher.java; Maven downloads Neo4j into ~/.m2 on first
 * use, and later builds need no network), starts it on a free loopback port with a temporary store, waits
 * for its READY line, then runs jest in band (the suites share the one database, and each wipes it) with
 * NEO4J_URI set: the store contract (test/store/neo4j.test.ts), the crash test (test/store/crash.test.ts),
 * the API end-to-end suites (test/api/), three replicas on the one Neo4j (test/replicas/neo4j.test.ts), model
 * uploads through two replicas at once and the model-write lease under them (test/replicas/model-uploads-neo4j,
 * model-lock), the mirror on three replicas and its leases (test/mirror/replicas-neo4j, leadership) and
 * `twingraph migrate` from SQLite (test/cli/migrate.test.ts). Arguments replace that list of suites (jest's
 * path patterns).
 *
 * The totals go to node_modules/.cache/twingraph-neo4j/jest-summary.json (the summary reporter's file, named
 * through TWINGRAPH_JEST_SUMMARY), which .ci/run adds to its closing line. Neo4j is stopped however the run
 * ends: by closing the launcher's stdin (it also stops if this process is killed outright), then SIGTERM.
 *
 * Without Java 17+ or Maven the run is reported as skipped, with the reason, and succeeds; under CI (CI set)
 * it fails instead, as CI must always run these suites.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
/** Maven's build directory (pom.xml says the same): ignored by git, prettier and eslint, cleared by npm ci. */
const BUILD = path.join(ROOT, 'node_modules', '.cache', 'twingraph-neo4j');
const CLASSPATH_FILE = path.join(BUILD, 'classpath.txt');
const LAUNCHER_CLASS = path.join(BUILD, 'classes', 'Neo4jLauncher.class');
export const SUMMARY_FILE = path.join(BUILD, 'jest-summary.json');
const SUITES = [
  'test/store/neo4j.test.ts',
  'test/store/crash.test.ts',
  'test/api/',
  'test/replicas/neo4j.test.ts',
  'test/replicas/model-uploads-neo4j.test.ts',
  'test/replicas/model-lock.test.ts',
  'test/mirror/replicas-neo4j.test.ts',
  'test/mirror/leadership.test.ts',
  'test/cli/migrate.test.ts',
];
/**
 * API suites that never reach Neo4j, left out rather than run twice on SQLite: the seeded demo (demo,
 * readme-tour) is a prepared SQLite database of 7.2 million metric points, the benchmark smoke test starts its
 * own SQLite servers, and config reads environments only.
 */
const NOT_ON_NEO4J = 'test/api/(demo|readme-tour|bench-smoke|config)\\.test\\.ts$';
/** A cold start on a busy 2-core machine takes 5 to 15 s; the first one after a build a little more. */
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 20_000;
/**
 * The heap fixed at start (Neo4j warns when the initial size is left to the JVM), and the three packages that
 * Neo4j 5 reads by reflection on Java 17: java.nio for its page cache's direct buffers, sun.nio.ch and java.io
 * for the file descriptors of its transaction logs (preallocation, fadvise). Without them it still runs,
 * slower, with warnings in its debug log.
 */
const JVM_OPTIONS = [
  '-Xms1g',
  '-Xmx2g',
  '-XX:+ExitOnOutOfMemoryError',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
];
const CI = Boolean(process.env.CI) && process.env.CI !== 'false';

function log(message) {
  process.stderr.write(`test:neo4j: ${message}\n`);
}

function writeSummary(summary) {
  fs.mkdirSync(BUILD, { recursive: true });
  fs.writeFileSync(SUMMARY_FILE, JSON.stringify(summary));
}

/** The first line a command prints for its version, or undefined when it cannot be run. */
function version(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.split('\n').find((line) => line.trim() !== '');
}

/** Java's feature release (17 for "17.0.15", 8 for "1.8.0"), or undefined. */
function javaRelease(line) {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(line ?? '');
  if (!match) return undefined;
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

/** Why the suites cannot run here, or undefined when Java 17+ and Maven are there. */
function missingTools() {
  const java = version('java', ['-version']);
  if (java === undefined) return 'java was not found (Neo4j 5 needs Java 17 or newer)';
  const release = javaRelease(java);
  if (release === undefined || release < 17) return `Neo4j 5 needs Java 17 or newer; java is ${java.trim()}`;
  if (version('mvn', ['-v']) === undefined) return 'mvn (Maven) was not found';
  return undefined;
}

function newerThan(file, sources) {
  if (!fs.existsSync(file)) return false;
  const built = fs.statSync(file).mtimeMs;
  return sources.every((source) => fs.statSync(source).mtimeMs <= built);
}

/** The launcher's classpath, building it first unless the build is current and its jars are all in ~/.m2. */
function buildLauncher() {
  const sources = [path.join(HERE, 'pom.xml'), path.join(HERE, 'Neo4jLauncher.java')];
  const current =
    newerThan(LAUNCHER_CLASS, sources) &&
    newerThan(CLASSPATH_FILE, sources) &&
    fs
      .readFileSync(CLASSPATH_FILE, 'utf8')
      .trim()
      .split(path.delimiter)
      .every((jar) => fs.existsSync(jar));
  if (!current) {
    log('building the Neo4j launcher (the first build downloads Neo4j, 212 jars and about 130 MB, into ~/.m2)');
    const started = Date.now();
    // Maven's output is shown only when it fails (quiet, it still prints colour resets).
    const result = spawnSync('mvn', ['-B', '-q', '-f', path.join(HERE, 'pom.xml'), 'compile'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) {
      // eslint-disable-next-line no-control-regex
      process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`.replace(/\u001b\[[0-9;]*m/g, ''));
      throw new Error(`mvn compile failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
    }
    log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return [path.join(BUILD, 'classes'), fs.readFileSync(CLASSPATH_FILE, 'utf8').trim()].join(path.delimiter);
}

/** Starts the launcher; resolves with the process and its Bolt URI once it has printed READY. */
function startNeo4j(classpath) {
  const started = Date.now();
  const child = spawn('java', [...JVM_OPTIONS, '-cp', classpath, 'Neo4jLauncher'], { stdio: ['pipe', 'pipe', 'pipe'] });
  readline.createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[neo4j] ${line}\n`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Neo4j was not ready after ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the Neo4j launcher exited before it was ready (${signal ?? `exit ${code}`})`));
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const ready = /^READY (bolt:\/\/\S+)$/.exec(line);
      if (!ready) return process.stdout.write(`[neo4j] ${line}\n`);
      clearTimeout(timer);
      log(`Neo4j is ready at ${ready[1]} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolve({ child, uri: ready[1] });
    });
  });
}

/** Stops the launcher: end of stdin asks it to shut down; SIGTERM, then SIGKILL, if it does not. */
function stopNeo4j(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const term = setTimeout(() => child.kill('SIGTERM'), STOP_TIMEOUT_MS);
    const kill = setTimeout(() => child.kill('SIGKILL'), 2 * STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve();
    });
    child.stdin.end();
  });
}

function runJest(uri, patterns) {
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const env = {
    ...process.env,
    NEO4J_URI: uri,
    TWINGRAPH_JEST_SUMMARY: path.relative(ROOT, SUMMARY_FILE),
  };
  // The launcher runs without authentication; a user or password set for another server would be refused.
  delete env.NEO4J_USER;
  delete env.NEO4J_PASSWORD;
  delete env.NEO4J_DATABASE;
  const child = spawn(
    process.execPath,
    [jest, '--runInBand', '--testPathIgnorePatterns', '/node_modules/', NOT_ON_NEO4J, '--', ...patterns],
    { cwd: ROOT, env, stdio: 'inherit' },
  );
  return {
    child,
    done: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))),
  };
}

async function main() {
  fs.rmSync(SUMMARY_FILE, { force: true });
  const missing = missingTools();
  if (missing !== undefined) {
    if (CI) {
      log(`FAILED: ${missing}. CI must run the Neo4j suites: install a JDK 17 and Maven.`);
      writeSummary({ passed: 0, failed: 1, skipped: 0, suitesFailed: 1, reason: missing });
      return 1;
    }
    log(`skipped: ${missing}`);
    writeSummary({ passed: 0, failed: 0, skipped: 1, suitesFailed: 0, reason: missing });
    return 0;
  }

  const started = Date.now();
  const classpath = buildLauncher();
  const { child: neo4j, uri } = await startNeo4j(classpath);
  let jest;
  const interrupt = (signal) => {
    log(`${signal}: stopping`);
    jest?.child.kill(signal);
    void stopNeo4j(neo4j).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    jest = runJest(uri, process.argv.length > 2 ? process.argv.slice(2) : SUITES);
    return await jest.done;
  } finally {
    const stopping = Date.now();
    await stopNeo4j(neo4j);
    log(
      `Neo4j stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s; ` +
        `the whole run took ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    if (!fs.existsSync(SUMMARY_FILE)) writeSummary({ passed: 0, failed: 1, skipped: 0, suitesFailed: 1 });
    process.exitCode = 1;
  },
);
