/**
 * Crash safety of the store: the SQLite store, or the Neo4j store when NEO4J_URI is set (`npm run test:neo4j`).
 * A child process (test/support/crash-writer.ts) writes continuously to one database and is killed with SIGKILL
 * after a random time, several rounds in a row, each round continuing from what the previous ones left. After
 * every kill the database is reopened and checked:
 * - every write the child saw acknowledged is there (or was superseded by a later write in the change log);
 * - nothing is half-written: the change log replays to exactly the stored twins, relationships and metric
 *   points, and the outbox holds exactly the mirrored changes;
 * - the change-log `seq` runs from firstSeq to latestSeq without a gap and never goes back;
 * - SQLite: the file passes PRAGMA integrity_check. Neo4j, where the kill drops a client, not the database:
 *   the server ends the dead client's transaction (which would otherwise hold its locks), the change counter
 *   equals the newest seq, and no lock marker (`_lock`) was committed.
 *
 * The seed (TWINGRAPH_CRASH_SEED, default below) fixes the writer's choices and the run times; where the kill
 * lands is up to the scheduler, so every check holds for any kill point.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import {
  type ChangeEntry,
  type JsonValue,
  type OutboxStats,
  type Relationship,
  type StoreCounts,
  type Twin,
} from '../../src/store';
import { openStore } from '../../src/store/open';
import { neo4jFromEnv, runOnNeo4j, wipeNeo4j, type Neo4jServer } from '../neo4j/server';
import { killIfRunning } from '../support/terminate';
import {
  crashStoreConfig,
  CRASH_TELEMETRY,
  seededRandom,
  type RelationshipKey,
  MAX_TWINS_AT_ONCE,
  type TwinAck,
  type WriteAck,
  type WriterLine,
} from '../support/crash-writer';

const SEED = Number(process.env.TWINGRAPH_CRASH_SEED ?? 20240607);
const NEO4J = neo4jFromEnv();
const ROUNDS = 7;
/**
 * A write to Neo4j is a transaction of six statements over the network and a commit that syncs the server's
 * log, 15 to 60 ms on a busy 2-core machine, where SQLite's is well under one: rounds run ten times longer.
 */
const RUN_SCALE = NEO4J ? 10 : 1;
const MIN_RUN_MS = 100 * RUN_SCALE;
const MAX_RUN_MS = 600 * RUN_SCALE;
const MIN_ACKNOWLEDGED_WRITES = 200;
/**
 * Writes each round has acknowledged before its kill, whatever its run time: on a busy machine a run of a few
 * hundred milliseconds may see few writes, or none past the models; the kill then waits for them, so that
 * every round writes and the rounds reach MIN_ACKNOWLEDGED_WRITES. On a quiet machine the run time decides.
 */
const MIN_ROUND_WRITES = Math.ceil(MIN_ACKNOWLEDGED_WRITES / ROUNDS);
/**
 * How long the writer may take to start (tsx compiles the store on the fly, a few seconds; more on a busy
 * machine) before the round fails.
 */
const READY_TIMEOUT_MS = 60_000;
const WRITER = path.join(__dirname, '..', 'support', 'crash-writer.ts');
/** Violations listed in a failure message; the rest are counted. */
const SHOWN = 30;

type ReadyLine = Extract<WriterLine, { op: 'ready' }>;

interface OutboxRow {
  seq: number;
  partition: string;
  status: string;
  attempts: number;
}

/** What the reopened database holds after a kill. */
interface Snapshot {
  /** ['ok'], or what is wrong: PRAGMA integrity_check's rows (SQLite), the server checks' findings (Neo4j). */
  integrity: string[];
  /** Size of the write-ahead log the kill left behind (recovered on open; SQLite only). */
  walBytes: number;
  firstSeq: number;
  latestSeq: number;
  changes: ChangeEntry[];
  twins: Map<string, Twin>;
  relationships: Map<string, Relationship>;
  points: Map<string, JsonValue>;
  counts: StoreCounts;
  outbox: OutboxRow[];
  outboxStats: OutboxStats;
}

interface Round {
  index: number;
  runMs: number;
  ready?: ReadyLine;
  acks: WriteAck[];
  /** Patches of a concurrent set, each acknowledged by its own promise (the set's line may not have come). */
  patched: TwinAck[];
  /** The write begun and not acknowledged when the writer died, if any. */
  inFlight?: WriteAck['op'];
  /** stdout lines that were not the writer's JSON. */
  garbage: string[];
  /** Whether the test sent SIGKILL while the writer was running. */
  killed: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  snapshot: Snapshot;
}

function pointKey(twinId: string, name: string, time: string): string {
  return `${twinId}\n${name}\n${time}`;
}

function relationshipKey(sourceId: string, relationshipId: string): string {
  return `${sourceId}\n${relationshipId}`;
}

function relationshipSubject(r: RelationshipKey): string {
  return `${r.sourceId}/relationships/${r.relationshipId}`;
}

function report(violations: string[]): string[] {
  return violations.length <= SHOWN
    ? violations
    : [...violations.slice(0, SHOWN), `… and ${violations.length - SHOWN} more`];
}

let live: ChildProcess | undefined;

/**
 * Runs the writer until `runMs` after it is ready and MIN_ROUND_WRITES of its writes (models aside) are
 * acknowledged, then kills it with SIGKILL; resolves once its output is closed.
 */
function runWriter(database: string, seed: number, index: number, runMs: number): Promise<Omit<Round, 'snapshot'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), WRITER, database, String(seed), String(index)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    live = child;
    const round: Omit<Round, 'snapshot'> = {
      index,
      runMs,
      acks: [],
      patched: [],
      garbage: [],
      killed: false,
      code: null,
      signal: null,
      stderr: '',
    };
    let exited = false;
    const kill = (): void => {
      if (exited) return;
      round.killed = true;
      child.kill('SIGKILL');
    };
    // Writes acknowledged (models aside), and whether the run time is up: then the kill comes as soon as there
    // are MIN_ROUND_WRITES.
    let written = 0;
    let due = false;
    const runOut = (): void => {
      due = true;
      if (written >= MIN_ROUND_WRITES) kill();
    };
    let killTimer: NodeJS.Timeout | undefined;
    const readyTimer = setTimeout(kill, READY_TIMEOUT_MS);
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const text = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        let line: WriterLine;
        try {
          line = JSON.parse(text) as WriterLine;
        } catch {
          round.garbage.push(text);
          continue;
        }
        if (line.op === 'ready') {
          round.ready = line;
          clearTimeout(readyTimer);
          if (!NEO4J) killTimer = setTimeout(runOut, runMs);
        } else if (line.op === 'begin') {
          round.inFlight = line.write;
        } else if (line.op === 'patched') {
          round.patched.push(line.twin);
        } else {
          round.inFlight = undefined;
          round.acks.push(line);
          if (line.op !== 'putModels') written++;
          // Neo4j plans each statement the first time it sees it, which can take the first round's whole run
          // time: there the run time counts from the first write.
          if (NEO4J && killTimer === undefined && line.op !== 'putModels') killTimer = setTimeout(runOut, runMs);
          if (due && written >= MIN_ROUND_WRITES) kill();
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (round.stderr += chunk));
    child.on('exit', () => (exited = true));
    child.on('error', reject);
    // 'close' comes after stdout is drained: every line the writer got out before dying has been read. A line
    // cut short by the kill (no newline) was never acknowledged, and is dropped.
    child.on('close', (code, signal) => {
      clearTimeout(readyTimer);
      clearTimeout(killTimer);
      live = undefined;
      resolve({ ...round, code, signal });
    });
  });
}

/** What a plain connection finds in the SQLite file: its integrity and its outbox. */
function inspectSqlite(database: string): Pick<Snapshot, 'integrity' | 'outbox'> {
  const raw = new Database(database);
  try {
    return {
      integrity: (raw.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check),
      outbox: raw.prepare('SELECT seq, partition, status, attempts FROM outbox ORDER BY seq').all() as OutboxRow[],
    };
  } finally {
    raw.close();
  }
}

/** How long the server may take to end the transaction of a client that was killed. */
const DEAD_CLIENT_MS = 10_000;

/** What the Neo4j server holds after the writer was killed, read over a connection of its own. */
async function inspectNeo4j(server: Neo4jServer): Promise<Pick<Snapshot, 'integrity' | 'outbox'>> {
  const integrity: string[] = [];
  // The kill drops the writer's connection mid-transaction; the server must roll that transaction back (or
  // finish its commit) and release its locks, or the next writer would wait on them.
  const deadline = Date.now() + DEAD_CLIENT_MS;
  let open: Record<string, unknown>[];
  do {
    open = await runOnNeo4j(
      server,
      "SHOW TRANSACTIONS YIELD transactionId, currentQuery, status WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN transactionId, currentQuery, status",
    );
    if (open.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  } while (open.length > 0 && Date.now() < deadline);
  for (const t of open)
    integrity.push(
      `transaction ${String(t.transactionId)} (${String(t.status)}) is still open: ${String(t.currentQuery)}`,
    );
  const [counter] = await runOnNeo4j(
    server,
    "OPTIONAL MATCH (counter:Counter {name: 'changes'}) OPTIONAL MATCH (c:Change) RETURN counter.value AS value, max(c.seq) AS latest",
  );
  if ((counter.value ?? 0) !== (counter.latest ?? 0))
    integrity.push(`the change counter is ${String(counter.value)}, the newest change ${String(counter.latest)}`);
  const [locks] = await runOnNeo4j(
    server,
    'CALL () { MATCH (n) WHERE n._lock IS NOT NULL RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() WHERE r._lock IS NOT NULL RETURN count(r) AS relationships } RETURN nodes, relationships',
  );
  if (locks.nodes !== 0 || locks.relationships !== 0)
    integrity.push(
      `lock markers were committed on ${String(locks.nodes)} nodes and ${String(locks.relationships)} relationships`,
    );
  const outbox = (await runOnNeo4j(
    server,
    'MATCH (o:OutboxEntry) RETURN o.seq AS seq, o.partition AS partition, o.status AS status, o.attempts AS attempts ORDER BY o.seq',
  )) as unknown as OutboxRow[];
  return { integrity: integrity.length === 0 ? ['ok'] : integrity, outbox };
}

/** Reopens the database after a kill: the store recovers it; a second, plain connection checks it. */
async function inspect(database: string): Promise<Snapshot> {
  const wal = `${database}-wal`;
  const walBytes = !NEO4J && fs.existsSync(wal) ? fs.statSync(wal).size : 0;
  // Neo4j's checks come first: they wait for the server to be done with the killed writer.
  const neo4jChecks = NEO4J ? await inspectNeo4j(NEO4J) : undefined;
  const store = await openStore(crashStoreConfig(database));
  try {
    const { integrity, outbox } = neo4jChecks ?? inspectSqlite(database);

    const changes: ChangeEntry[] = [];
    for (let batch = await store.readChanges({ after: 0, limit: 10_000 }); batch.length > 0;) {
      changes.push(...batch);
      batch = await store.readChanges({ after: batch[batch.length - 1].seq, limit: 10_000 });
    }

    const twins = new Map<string, Twin>();
    let cursor: string | undefined;
    do {
      const page = await store.queryTwins({ first: 1000, ...(cursor !== undefined && { after: cursor }) });
      for (const twin of page.items) twins.set(twin.$dtId, twin);
      cursor = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
    } while (cursor !== undefined);

    const relationships = new Map<string, Relationship>();
    const points = new Map<string, JsonValue>();
    for (const id of twins.keys()) {
      for (const r of await store.listRelationships(id))
        relationships.set(relationshipKey(r.$sourceId, r.$relationshipId), r);
      for (const p of await store.readMetrics({ twinId: id, name: CRASH_TELEMETRY, limit: 100_000 }))
        points.set(pointKey(p.twinId, p.name, p.time), p.value);
    }

    return {
      integrity,
      walBytes,
      firstSeq: await store.firstSeq(),
      latestSeq: await store.latestSeq(),
      changes,
      twins,
      relationships,
      points,
      counts: await store.counts(),
      outbox,
      outboxStats: await store.outboxStats(),
    };
  } finally {
    await store.close();
  }
}

/** The state the change log describes, and whatever in it does not follow from the entries before. */
function replay(changes: readonly ChangeEntry[]): {
  twins: Map<string, Twin>;
  relationships: Map<string, Relationship>;
  points: Map<string, JsonValue>;
  violations: string[];
} {
  const twins = new Map<string, Twin>();
  const relationships = new Map<string, Relationship>();
  const points = new Map<string, JsonValue>();
  const violations: string[] = [];
  for (const change of changes) {
    const at = `seq ${change.seq} (${change.type} ${change.subject})`;
    switch (change.type) {
      case 'Twin.Create':
      case 'Twin.Update':
      case 'Twin.Delete': {
        const twin = change.body as unknown as Twin;
        const id = twin.$dtId;
        if (change.twinId !== id || change.subject !== id)
          violations.push(`${at}: names twin '${change.twinId}' but its body is twin '${id}'`);
        const before = twins.get(id);
        if (change.type === 'Twin.Create') {
          if (before) violations.push(`${at}: creates a twin that already exists`);
          twins.set(id, twin);
        } else if (!before) {
          violations.push(`${at}: changes a twin that does not exist`);
        } else if (change.type === 'Twin.Update') {
          twins.set(id, twin);
        } else {
          if (!isDeepStrictEqual(before, twin)) violations.push(`${at}: its body is not the twin's last state`);
          for (const r of relationships.values()) {
            if (r.$sourceId === id || r.$targetId === id)
              violations.push(`${at}: deletes a twin that relationship ${r.$sourceId}/${r.$relationshipId} still uses`);
          }
          twins.delete(id);
          for (const key of [...points.keys()]) if (key.startsWith(`${id}\n`)) points.delete(key);
        }
        break;
      }
      case 'Relationship.Create':
      case 'Relationship.Update':
      case 'Relationship.Delete': {
        const relationship = change.body as unknown as Relationship;
        const key = relationshipKey(relationship.$sourceId, relationship.$relationshipId);
        const before = relationships.get(key);
        if (change.type === 'Relationship.Create' && before)
          violations.push(`${at}: creates a relationship that already exists`);
        if (change.type !== 'Relationship.Create' && !before)
          violations.push(`${at}: changes a relationship that does not exist`);
        if (change.type === 'Relationship.Delete') {
          if (before && !isDeepStrictEqual(before, relationship))
            violations.push(`${at}: its body is not the relationship's last state`);
          relationships.delete(key);
        } else {
          for (const end of [relationship.$sourceId, relationship.$targetId]) {
            if (!twins.has(end)) violations.push(`${at}: points from or to twin '${end}', which does not exist`);
          }
          relationships.set(key, relationship);
        }
        break;
      }
      case 'Telemetry': {
        const twinId = change.twinId ?? '';
        if (!twins.has(twinId)) violations.push(`${at}: telemetry for twin '${twinId}', which does not exist`);
        for (const p of (change.body as { points: { name: string; time: string; value: JsonValue }[] }).points)
          points.set(pointKey(twinId, p.name, p.time), p.value);
        break;
      }
      case 'Model.Create':
        break;
      default:
        violations.push(`${at}: the writer makes no such change`);
    }
  }
  return { twins, relationships, points, violations };
}

/** The fields of a change-log entry that an acknowledgement speaks for. */
type Described = Record<string, JsonValue | undefined>;

function describeChange(change: ChangeEntry, keys: readonly string[]): Described {
  const body = change.body as Record<string, JsonValue>;
  const all: Described = {
    type: change.type,
    subject: change.subject,
    etag: body.$etag,
    counter: body.counter,
    points: body.points,
  };
  return Object.fromEntries(keys.map((k) => [k, all[k]]));
}

/** The change-log entries an acknowledged write must have produced, in order. */
function expectedChanges(ack: WriteAck): Described[] {
  switch (ack.op) {
    case 'putModels':
      return [{ type: 'Model.Create', subject: ack.model }];
    case 'createTwin':
      return [{ type: 'Twin.Create', subject: ack.twin.id, etag: ack.twin.etag, counter: 0 }];
    case 'createTwins':
      return ack.twins.map((t) => ({ type: 'Twin.Create', subject: t.id, etag: t.etag, counter: 0 }));
    case 'patchTwin':
      return [{ type: 'Twin.Update', subject: ack.twin.id, etag: ack.twin.etag, counter: ack.twin.counter }];
    case 'patchTwins':
      return ack.twins.map((t) => ({ type: 'Twin.Update', subject: t.id, etag: t.etag, counter: t.counter }));
    case 'patchConcurrently':
      // Separate writes: the store commits them in an order of its choosing.
      return bySubject(
        ack.twins.map((t) => ({ type: 'Twin.Update', subject: t.id, etag: t.etag, counter: t.counter })),
      );
    case 'putRelationship':
      return [
        {
          type: ack.replaced ? 'Relationship.Update' : 'Relationship.Create',
          subject: relationshipSubject(ack.relationship),
          etag: ack.relationship.etag,
        },
      ];
    case 'deleteRelationship':
      return [{ type: 'Relationship.Delete', subject: relationshipSubject(ack.relationship) }];
    case 'deleteTwin':
      // A cascade deletes the relationships first, in no particular order.
      return [
        ...ack.relationships
          .map((r) => ({ type: 'Relationship.Delete', subject: relationshipSubject(r) }))
          .sort((a, b) => (a.subject < b.subject ? -1 : 1)),
        { type: 'Twin.Delete', subject: ack.id },
      ];
    case 'appendMetrics': {
      const byTwin = new Map<string, JsonValue[]>();
      for (const p of ack.points) {
        if (!byTwin.has(p.twinId)) byTwin.set(p.twinId, []);
        byTwin.get(p.twinId)!.push({ name: p.name, time: p.time, value: p.value });
      }
      return [...byTwin].map(([twinId, points]) => ({ type: 'Telemetry', subject: twinId, points }));
    }
  }
}

function bySubject(described: Described[]): Described[] {
  return described.sort((a, b) => (String(a.subject) < String(b.subject) ? -1 : 1));
}

/**
 * Whether unacknowledged entries are what the write in flight at the kill (`inFlight`, as the writer said
 * before it began) can leave: nothing when none was in flight; else entries of that write's kind only, from
 * one transaction (one time), except a concurrent set of patches, which is several writes the store may have
 * committed in more than one transaction before the kill.
 */
function isOneWrite(entries: readonly ChangeEntry[], inFlight: WriteAck['op'] | undefined): boolean {
  if (entries.length === 0) return true;
  if (inFlight === undefined) return false;
  const types = entries.map((e) => e.type);
  const only = (...kinds: ChangeEntry['type'][]): boolean => types.every((t) => kinds.includes(t));
  const oneTime = new Set(entries.map((e) => e.time)).size === 1;
  const distinctTwins =
    entries.length <= MAX_TWINS_AT_ONCE && new Set(entries.map((e) => e.subject)).size === entries.length;
  switch (inFlight) {
    case 'putModels':
      return entries.length === 1 && only('Model.Create');
    case 'createTwin':
      return entries.length === 1 && only('Twin.Create');
    case 'patchTwin':
      return entries.length === 1 && only('Twin.Update');
    case 'putRelationship':
      return entries.length === 1 && only('Relationship.Create', 'Relationship.Update');
    case 'deleteRelationship':
      return entries.length === 1 && only('Relationship.Delete');
    case 'createTwins':
      return oneTime && distinctTwins && only('Twin.Create');
    case 'patchTwins':
      return oneTime && distinctTwins && only('Twin.Update');
    case 'patchConcurrently':
      return distinctTwins && only('Twin.Update');
    case 'appendMetrics':
      return oneTime && only('Telemetry');
    case 'deleteTwin':
      return (
        oneTime &&
        types.slice(0, -1).every((t) => t === 'Relationship.Delete') &&
        types[types.length - 1] === 'Twin.Delete'
      );
  }
}

/** Seqs after `seq` at which the change log touches a subject, by subject. */
class Later {
  private readonly bySubject = new Map<string, ChangeEntry[]>();

  constructor(changes: readonly ChangeEntry[]) {
    for (const c of changes) {
      if (!this.bySubject.has(c.subject)) this.bySubject.set(c.subject, []);
      this.bySubject.get(c.subject)!.push(c);
    }
  }

  /** Entries for `subject` of one of `types` with a seq above `seq`. */
  after(subject: string, seq: number, ...types: ChangeEntry['type'][]): ChangeEntry[] {
    return (this.bySubject.get(subject) ?? []).filter((c) => c.seq > seq && types.includes(c.type));
  }

  /** Whether `etag` is what a write after `seq` gave the subject. */
  laterEtag(subject: string, seq: number, etag: string): boolean {
    return this.after(subject, seq, 'Twin.Create', 'Twin.Update', 'Relationship.Create', 'Relationship.Update').some(
      (c) => (c.body as { $etag?: string }).$etag === etag,
    );
  }
}

describe(`the ${NEO4J ? 'Neo4j' : 'SQLite'} store, killed with SIGKILL while a child process writes (seed ${SEED})`, () => {
  let dir: string;
  const rounds: Round[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-crash-'));
    if (NEO4J) await wipeNeo4j(NEO4J);
    const database = NEO4J ? NEO4J.uri : path.join(dir, 'twins.db');
    const random = seededRandom(SEED);
    for (let index = 0; index < ROUNDS; index++) {
      const runMs = MIN_RUN_MS + Math.floor(random() * (MAX_RUN_MS - MIN_RUN_MS + 1));
      const seed = Math.floor(random() * 2 ** 31);
      const run = await runWriter(database, seed, index, runMs);
      rounds.push({ ...run, snapshot: await inspect(database) });
      if (run.signal !== 'SIGKILL') break; // The writer died on its own: the first test says why.
    }
  });

  afterAll(() => {
    if (live) killIfRunning(live);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('kills the writer with SIGKILL while it is still writing, in every round, after at least 200 acknowledged writes overall', () => {
    const outcome = rounds.map((r) => ({
      round: r.index,
      ready: r.ready !== undefined,
      killedWhileRunning: r.killed && r.signal === 'SIGKILL' && r.code === null,
      wroteThisRound: r.acks.some((a) => a.op !== 'putModels'),
      garbage: r.garbage,
      ...(r.signal !== 'SIGKILL' && { code: r.code, stderr: r.stderr }),
    }));
    expect(outcome).toEqual(
      rounds.map((_, round) => ({ round, ready: true, killedWhileRunning: true, wroteThisRound: true, garbage: [] })),
    );
    expect(rounds).toHaveLength(ROUNDS);
    expect(rounds.reduce((n, r) => n + r.acks.length, 0)).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGED_WRITES);
    // The kills interrupt a live database: at least one left a write-ahead log for the reopen to recover. (A
    // Neo4j server is not killed, only its client: it has no such log to show.)
    if (!NEO4J) expect(rounds.some((r) => r.snapshot.walBytes > 0)).toBe(true);
    // The writes of several twins at once were among them: bulk patches, and concurrent ones acknowledged
    // one by one.
    const acks = rounds.flatMap((r) => r.acks);
    expect(acks.some((a) => a.op === 'patchTwins')).toBe(true);
    expect(acks.some((a) => a.op === 'patchConcurrently')).toBe(true);
    expect(rounds.some((r) => r.patched.length > 0)).toBe(true);
  });

  it(`opens cleanly after every kill: ${NEO4J ? 'no transaction of the dead writer is left, nor any lock marker' : 'PRAGMA integrity_check is ok'}`, () => {
    expect(rounds.map((r) => r.snapshot.integrity)).toEqual(rounds.map(() => ['ok']));
  });

  it('numbers the change log from firstSeq to latestSeq without a gap, and latestSeq never goes back', () => {
    const violations: string[] = [];
    let previous = 0;
    for (const { index, snapshot, acks } of rounds) {
      const { firstSeq, latestSeq, changes } = snapshot;
      if (firstSeq !== 1) violations.push(`round ${index}: firstSeq is ${firstSeq}, not 1 (nothing was pruned)`);
      if (changes.length !== latestSeq - firstSeq + 1)
        violations.push(`round ${index}: ${changes.length} entries between seq ${firstSeq} and ${latestSeq}`);
      changes.forEach((c, i) => {
        if (c.seq !== firstSeq + i)
          violations.push(`round ${index}: entry ${i} has seq ${c.seq}, expected ${firstSeq + i}`);
      });
      if (snapshot.counts.changes !== changes.length)
        violations.push(
          `round ${index}: counts() says ${snapshot.counts.changes} changes, the log has ${changes.length}`,
        );
      if (latestSeq < previous) violations.push(`round ${index}: latestSeq went back from ${previous} to ${latestSeq}`);
      const lastAcked = acks.length > 0 ? acks[acks.length - 1].seq : 0;
      if (latestSeq < lastAcked)
        violations.push(`round ${index}: latestSeq ${latestSeq} is below the acknowledged seq ${lastAcked}`);
      previous = latestSeq;
    }
    expect(report(violations)).toEqual([]);
  });

  it('records each acknowledged write in the change log at the seqs it was acknowledged with, leaving at most the write in flight unacknowledged', () => {
    const violations: string[] = [];
    let start = 0;
    for (const { index, ready, acks, snapshot, inFlight } of rounds) {
      const bySeq = new Map(snapshot.changes.map((c) => [c.seq, c]));
      const entries = (from: number, to: number): ChangeEntry[] => {
        const out: ChangeEntry[] = [];
        for (let seq = from + 1; seq <= to; seq++) {
          const change = bySeq.get(seq);
          if (change) out.push(change);
          else violations.push(`round ${index}: seq ${seq} is missing`);
        }
        return out;
      };
      // The writer starts from what the previous round's check saw: nothing happened in between.
      let cursor = start;
      const startup = acks.filter((a) => a.op === 'putModels');
      for (const ack of startup) {
        if (ack.prev !== cursor)
          violations.push(`round ${index}: putModels acknowledged after seq ${ack.prev}, expected ${cursor}`);
        cursor = ack.seq;
      }
      if (ready?.latestSeq !== cursor)
        violations.push(`round ${index}: the writer started at seq ${ready?.latestSeq}, expected ${cursor}`);
      for (const ack of acks.slice(startup.length)) {
        if (ack.prev !== cursor)
          violations.push(`round ${index}: ${ack.op} acknowledged after seq ${ack.prev}, expected ${cursor}`);
        const expected = expectedChanges(ack);
        const keys = Object.keys(expected[0] ?? {});
        let actual = entries(ack.prev, ack.seq).map((c) => describeChange(c, keys));
        if (ack.op === 'patchConcurrently') actual = bySubject(actual);
        if (ack.op === 'deleteTwin')
          actual.splice(
            0,
            actual.length - 1,
            ...actual.slice(0, -1).sort((a, b) => (String(a.subject) < String(b.subject) ? -1 : 1)),
          );
        if (!isDeepStrictEqual(actual, expected))
          violations.push(
            `round ${index}: ${ack.op} at seqs ${ack.prev + 1}..${ack.seq}: expected ${JSON.stringify(expected)}, the log has ${JSON.stringify(actual)}`,
          );
        cursor = ack.seq;
      }
      const unacknowledged = entries(cursor, snapshot.latestSeq);
      if (!isOneWrite(unacknowledged, inFlight)) {
        violations.push(
          `round ${index}: more than the write in flight is unacknowledged: ${JSON.stringify(unacknowledged.map((c) => [c.seq, c.type, c.subject, c.time]))}`,
        );
      }
      start = snapshot.latestSeq;
    }
    expect(report(violations)).toEqual([]);
  });

  it('keeps every acknowledged write: created twins, patched counters and ETags (bulk and concurrent patches too), relationships, deletes and metric points', () => {
    const violations: string[] = [];
    for (const { index, snapshot } of rounds) {
      const { twins, relationships, points } = snapshot;
      const later = new Later(snapshot.changes);
      const acks = rounds.slice(0, index + 1).flatMap((r) => r.acks);
      const twinKept = (id: string, counter: number, etag: string, seq: number, what: string): void => {
        const stored = twins.get(id);
        if (!stored) {
          if (later.after(id, seq, 'Twin.Delete').length === 0)
            violations.push(
              `after round ${index}: twin ${id} (${what} at seq ${seq}) is gone, and no later change deleted it`,
            );
          return;
        }
        if (typeof stored.counter !== 'number' || stored.counter < counter)
          violations.push(
            `after round ${index}: twin ${id} has counter ${String(stored.counter)}, but ${counter} was acknowledged at seq ${seq}`,
          );
        if (stored.$etag !== etag && !later.laterEtag(id, seq, stored.$etag))
          violations.push(
            `after round ${index}: twin ${id} has ETag ${stored.$etag}, neither the acknowledged ${etag} nor a later one`,
          );
      };
      for (const ack of acks) {
        switch (ack.op) {
          case 'putModels':
            break;
          case 'createTwin':
          case 'patchTwin':
            twinKept(ack.twin.id, ack.twin.counter, ack.twin.etag, ack.seq, ack.op);
            break;
          case 'createTwins':
          case 'patchTwins':
          case 'patchConcurrently':
            for (const t of ack.twins) twinKept(t.id, t.counter, t.etag, ack.seq, ack.op);
            break;
          case 'putRelationship': {
            const r = ack.relationship;
            const subject = relationshipSubject(r);
            const stored = relationships.get(relationshipKey(r.sourceId, r.relationshipId));
            if (!stored) {
              if (later.after(subject, ack.seq, 'Relationship.Delete').length === 0)
                violations.push(
                  `after round ${index}: relationship ${subject} (seq ${ack.seq}) is gone, and no later change deleted it`,
                );
            } else if (stored.$etag !== r.etag && !later.laterEtag(subject, ack.seq, stored.$etag)) {
              violations.push(
                `after round ${index}: relationship ${subject} has ETag ${stored.$etag}, neither the acknowledged ${r.etag} nor a later one`,
              );
            } else if (stored.$etag === r.etag && stored.$targetId !== r.targetId) {
              violations.push(
                `after round ${index}: relationship ${subject} points at ${stored.$targetId}, not the acknowledged ${r.targetId}`,
              );
            }
            break;
          }
          case 'deleteRelationship':
          case 'deleteTwin': {
            const gone = ack.op === 'deleteTwin' ? ack.relationships : [ack.relationship];
            for (const r of gone) {
              if (
                relationships.has(relationshipKey(r.sourceId, r.relationshipId)) &&
                later.after(relationshipSubject(r), ack.seq, 'Relationship.Create').length === 0
              ) {
                violations.push(
                  `after round ${index}: relationship ${relationshipSubject(r)}, deleted at seq ${ack.seq}, is back`,
                );
              }
            }
            if (
              ack.op === 'deleteTwin' &&
              twins.has(ack.id) &&
              later.after(ack.id, ack.seq, 'Twin.Create').length === 0
            ) {
              violations.push(`after round ${index}: twin ${ack.id}, deleted at seq ${ack.seq}, is back`);
            }
            break;
          }
          case 'appendMetrics':
            for (const p of ack.points) {
              if (!twins.has(p.twinId)) {
                if (later.after(p.twinId, ack.seq, 'Twin.Delete').length === 0)
                  violations.push(
                    `after round ${index}: point ${p.twinId} ${p.time} lost with its twin, which no later change deleted`,
                  );
                continue;
              }
              const key = pointKey(p.twinId, p.name, p.time);
              if (!points.has(key) || !isDeepStrictEqual(points.get(key), p.value)) {
                violations.push(
                  `after round ${index}: point ${p.twinId} ${p.name} ${p.time} is ${JSON.stringify(points.get(key))}, ${JSON.stringify(p.value)} was acknowledged`,
                );
              }
            }
            break;
        }
      }
      // A patch of a concurrent set counts from its own promise, whether or not the set's line came.
      for (const t of rounds.slice(0, index + 1).flatMap((r) => r.patched)) {
        const own = snapshot.changes.find(
          (c) => c.subject === t.id && c.type === 'Twin.Update' && (c.body as { $etag?: string }).$etag === t.etag,
        );
        if (own) twinKept(t.id, t.counter, t.etag, own.seq, 'patched concurrently');
        else
          violations.push(
            `after round ${index}: the acknowledged patch of ${t.id} to ${t.etag} is not in the change log`,
          );
      }
    }
    expect(report(violations)).toEqual([]);
  });

  it('leaves nothing half-written: replaying the change log reproduces exactly the stored twins, relationships and metric points', () => {
    const violations: string[] = [];
    for (const { index, snapshot } of rounds) {
      const replayed = replay(snapshot.changes);
      violations.push(...replayed.violations.map((v) => `after round ${index}: ${v}`));
      const compare = <T>(what: string, stored: Map<string, T>, expected: Map<string, T>): void => {
        for (const [key, value] of stored) {
          if (!expected.has(key))
            violations.push(`after round ${index}: stored ${what} ${JSON.stringify(key)} is not in the change log`);
          else if (!isDeepStrictEqual(value, expected.get(key)))
            violations.push(
              `after round ${index}: stored ${what} ${JSON.stringify(key)} differs from the change log's`,
            );
        }
        for (const key of expected.keys())
          if (!stored.has(key))
            violations.push(`after round ${index}: ${what} ${JSON.stringify(key)} of the change log is not stored`);
      };
      compare('twin', snapshot.twins, replayed.twins);
      compare('relationship', snapshot.relationships, replayed.relationships);
      compare('metric point', snapshot.points, replayed.points);
      const created = new Set(snapshot.changes.filter((c) => c.type === 'Twin.Create').map((c) => c.subject));
      for (const id of snapshot.twins.keys())
        if (!created.has(id)) violations.push(`after round ${index}: twin ${id} has no Twin.Create in the change log`);
      for (const r of snapshot.relationships.values()) {
        for (const end of [r.$sourceId, r.$targetId]) {
          if (!snapshot.twins.has(end))
            violations.push(
              `after round ${index}: relationship ${r.$sourceId}/${r.$relationshipId} uses twin ${end}, which does not exist`,
            );
        }
      }
      // counts() sees rows that per-twin reads cannot reach: relationships and points of twins that are gone.
      const { counts } = snapshot;
      const expectedCounts = {
        twins: replayed.twins.size,
        relationships: replayed.relationships.size,
        metricPoints: replayed.points.size,
      };
      const actualCounts = {
        twins: counts.twins,
        relationships: counts.relationships,
        metricPoints: counts.metricPoints,
      };
      if (!isDeepStrictEqual(actualCounts, expectedCounts))
        violations.push(
          `after round ${index}: counts() are ${JSON.stringify(actualCounts)}, the change log gives ${JSON.stringify(expectedCounts)}`,
        );
    }
    expect(report(violations)).toEqual([]);
  });

  it('keeps the outbox in step with the change log: every mirrored change has its entry, and every entry its change', () => {
    const violations: string[] = [];
    for (const { index, snapshot } of rounds) {
      const bySeq = new Map(snapshot.changes.map((c) => [c.seq, c]));
      const mirrored = snapshot.changes.filter((c) => c.type !== 'Telemetry');
      const queued = new Map(snapshot.outbox.map((o) => [o.seq, o]));
      for (const o of snapshot.outbox) {
        const change = bySeq.get(o.seq);
        if (!change) violations.push(`after round ${index}: outbox entry ${o.seq} has no change`);
        else if (change.type === 'Telemetry')
          violations.push(`after round ${index}: outbox entry ${o.seq} is telemetry, which is not mirrored`);
        else {
          const partition = change.type.startsWith('Model.') ? 'models' : `twin:${change.twinId}`;
          if (o.partition !== partition || o.status !== 'pending' || o.attempts !== 0) {
            violations.push(
              `after round ${index}: outbox entry ${o.seq} is ${JSON.stringify(o)}, expected pending in partition ${partition}`,
            );
          }
        }
      }
      // Nothing was acknowledged to the outbox, so every mirrored change is still in it.
      for (const c of mirrored)
        if (!queued.has(c.seq))
          violations.push(`after round ${index}: change ${c.seq} (${c.type} ${c.subject}) is not in the outbox`);
      if (snapshot.outboxStats.pending !== mirrored.length || snapshot.outboxStats.dead !== 0) {
        violations.push(
          `after round ${index}: outboxStats() is ${JSON.stringify(snapshot.outboxStats)}, expected ${mirrored.length} pending and none dead`,
        );
      }
    }
    expect(report(violations)).toEqual([]);
  });
});
