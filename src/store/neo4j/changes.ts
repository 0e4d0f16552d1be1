/**
 * The change log in Neo4j: the primitive that numbers and stores a write's changes (and enqueues the
 * mirrored ones in the outbox, in the same transaction), the reads, pruning, and the commit listeners. A
 * change is a `Change` node; `seq` comes from the `changes` Counter node, locked and bumped in the write's
 * transaction, which keeps it contiguous.
 */
import { isMirrored, isOutboxBarrier, outboxPartition, type PendingChange } from '../changes';
import type { AsyncPrimitives } from '../effects';
import type { CommitListener, PruneOptions, ReadChangesOptions } from '../port';
import { pruneCutoff } from '../reads';
import { changeFromRow, type ChangeRow } from '../rows';
import type { ChangeEntry } from '../types';
import { records, type Neo4jDb, type Props } from './db';
import type { CypherRunner } from './driver';
import { headFirstEntries } from './outbox';

/** What one write transaction gathers for after its commit. */
export interface WriteState {
  /** The newest `seq` it wrote (0: none), for the commit listeners. */
  lastSeq: number;
  /** Who asked for the write: its change-log entries record them. */
  readonly actor: string | undefined;
}

function changeRow(db: Neo4jDb, change: PendingChange, actor: string | undefined): Props {
  return {
    time: change.time,
    type: change.type,
    subject: change.subject,
    model: change.modelId ?? null,
    twin: change.twinId ?? null,
    relationship: change.relationshipId ?? null,
    patch: change.patch ? JSON.stringify(change.patch) : null,
    body: JSON.stringify(change.body),
    actor: change.actor ?? actor ?? null,
    partition: db.outbox && isMirrored(change.type) ? outboxPartition(change) : null,
    // Set only on barriers (null sets no property).
    barrier: isOutboxBarrier(change.type) ? true : null,
  };
}

export function changePrimitives(
  db: Neo4jDb,
  tx: CypherRunner,
  state: WriteState,
): Pick<AsyncPrimitives, 'appendChanges'> {
  return {
    appendChanges: async (changes) => {
      if (changes.length === 0) return [];
      const actor = state.actor;
      const rowsOf = changes.map((c) => changeRow(db, c, actor));
      const written = await records(
        tx,
        "MERGE (counter:Counter {name: 'changes'}) ON CREATE SET counter.value = 0 " +
          'SET counter._lock = true REMOVE counter._lock ' +
          'WITH counter, counter.value AS base SET counter.value = base + size($rows) ' +
          'WITH base UNWIND range(0, size($rows) - 1) AS i WITH base + i + 1 AS seq, $rows[i] AS row ' +
          'CREATE (c:Change {seq: seq, time: row.time, type: row.type, subject: row.subject, model: row.model, twin: row.twin, relationship: row.relationship, patch: row.patch, body: row.body, actor: row.actor}) ' +
          "FOREACH (_ IN CASE WHEN row.partition IS NULL THEN [] ELSE [1] END | CREATE (:OutboxEntry {seq: seq, partition: row.partition, status: 'pending', attempts: 0, availableAt: $now, barrier: row.barrier})) " +
          'RETURN max(seq) AS last',
        { rows: rowsOf, now: db.now() },
      );
      state.lastSeq = Number(written[0].get('last'));
      const seqs = changes.map((_, i) => state.lastSeq - changes.length + 1 + i);
      // The first entry of each partition written here becomes its head, unless the partition has one
      // already (an entry pending before it).
      const seen = new Set<string>();
      const firsts: number[] = [];
      for (const [i, row] of rowsOf.entries()) {
        const partition = row.partition as string | null;
        if (partition !== null && !seen.has(partition)) {
          seen.add(partition);
          firsts.push(seqs[i]);
        }
      }
      await headFirstEntries(tx, firsts);
      return seqs;
    },
  };
}

/** Locks the change-log counter (made in an empty store) until the transaction ends. */
export async function lockCounter(tx: CypherRunner): Promise<void> {
  await tx.run(
    "MERGE (counter:Counter {name: 'changes'}) ON CREATE SET counter.value = 0 SET counter._lock = true REMOVE counter._lock",
  );
}

/** Tells the commit listeners the newest `seq` of a committed write. */
export function notifyCommit(db: Neo4jDb, seq: number): void {
  for (const listener of db.listeners) {
    try {
      listener(seq);
    } catch {
      // A listener's failure is its own; the write has committed.
    }
  }
}

export async function readChanges(db: Neo4jDb, options: ReadChangesOptions): Promise<ChangeEntry[]> {
  const limit = Math.min(Math.max(options.limit ?? 1000, 1), 10_000);
  return db.read(async (tx) =>
    (
      await tx.run('MATCH (c:Change) WHERE c.seq > $after RETURN properties(c) AS c ORDER BY c.seq LIMIT $limit', {
        after: options.after,
        limit: db.int(limit),
      })
    ).records.map((r) => changeFromRow(r.get('c') as ChangeRow)),
  );
}

/** The newest `seq` ever given (0: none), whether or not it was pruned since. */
export async function latest(tx: CypherRunner): Promise<number> {
  const value = (await tx.run("OPTIONAL MATCH (c:Counter {name: 'changes'}) RETURN c.value AS value")).records[0]?.get(
    'value',
  );
  return value == null ? 0 : Number(value);
}

export async function latestSeq(db: Neo4jDb): Promise<number> {
  return db.read((tx) => latest(tx));
}

export async function firstSeq(db: Neo4jDb): Promise<number> {
  return db.read(async (tx) => {
    const first = (await tx.run('MATCH (c:Change) RETURN min(c.seq) AS seq')).records[0]?.get('seq');
    return first == null ? (await latest(tx)) + 1 : Number(first);
  });
}

export async function pruneChanges(db: Neo4jDb, options: PruneOptions): Promise<number> {
  return db.session('WRITE', async (tx) => {
    const since =
      options.before === undefined
        ? undefined
        : (
            await tx.run('MATCH (c:Change) WHERE c.time >= $before RETURN min(c.seq) AS seq', {
              before: options.before,
            })
          ).records[0]?.get('seq');
    const pending = (await tx.run('MATCH (o:OutboxEntry) RETURN min(o.seq) AS seq')).records[0]?.get('seq');
    const cutoff = pruneCutoff(options, {
      latest: await latest(tx),
      firstSince: since == null ? undefined : Number(since),
      oldestInOutbox: pending == null ? undefined : Number(pending),
    });
    return Number(
      (await tx.run('MATCH (c:Change) WHERE c.seq < $cutoff DELETE c RETURN count(*) AS n', { cutoff })).records[0].get(
        'n',
      ),
    );
  });
}

export function onCommit(db: Neo4jDb, listener: CommitListener): () => void {
  db.listeners.add(listener);
  return () => db.listeners.delete(listener);
}
