/**
 * The change log in SQLite: the primitive that numbers and stores a write's changes (and enqueues the
 * mirrored ones in the outbox, in the same transaction), the reads, pruning, and the commit listeners.
 * `changes.seq` is AUTOINCREMENT, so numbers roll back with their transaction and are never reused after a
 * prune: the newest one is sqlite_sequence's.
 */
import { isMirrored, isOutboxBarrier, outboxPartition, type PendingChange } from '../changes';
import type { Primitives } from '../effects';
import type { CommitListener, PruneOptions, ReadChangesOptions } from '../port';
import { pruneCutoff } from '../reads';
import { changeFromRow, type ChangeRow } from '../rows';
import type { ChangeEntry } from '../types';
import { deepFreeze } from '../../freeze';
import type { CommittedRow, Row, SqliteDb, WriteTx } from './db';

function changeColumns(db: SqliteDb, change: PendingChange, actor: string | undefined): unknown[] {
  return [
    change.time,
    change.type,
    change.subject,
    change.modelId ?? null,
    change.twinId ?? null,
    change.relationshipId ?? null,
    change.patch ? JSON.stringify(change.patch) : null,
    typeof change.body === 'object' && change.body !== null ? db.json(change.body) : JSON.stringify(change.body),
    change.actor ?? actor ?? null,
  ];
}

/**
 * The row as `SELECT * FROM changes` reads it back, with the change it was made from when that is a twin's or
 * a relationship's (see CommittedRow).
 */
function rowOf(seq: number, columns: unknown[], change: PendingChange): CommittedRow {
  const [time, type, subject, model, twin, relationship, patch, body, actor] = columns as (string | null)[];
  const written = change.type.startsWith('Twin.') || change.type.startsWith('Relationship.') ? change : undefined;
  return {
    seq,
    time: time!,
    type: type!,
    subject: subject!,
    model,
    twin,
    relationship,
    patch,
    body: body!,
    actor,
    written,
  };
}

/**
 * The entry of a row, as changeFromRow parses it, but from the objects the write serialized when this
 * connection still holds them (frozen first: every reader of the entry shares them).
 */
function entryOf(row: CommittedRow): ChangeEntry {
  const change = row.written;
  if (!change) return changeFromRow(row);
  // Built field by field, in changeFromRow's order, rather than from spread pieces (one object each).
  const entry: { -readonly [K in keyof ChangeEntry]: ChangeEntry[K] } = {
    seq: row.seq,
    time: row.time,
    type: change.type,
    subject: row.subject,
  } as ChangeEntry;
  if (row.model != null) entry.modelId = row.model;
  if (row.twin != null) entry.twinId = row.twin;
  if (row.relationship != null) entry.relationshipId = row.relationship;
  if (change.patch) entry.patch = deepFreeze(change.patch);
  entry.body = deepFreeze(change.body);
  if (row.actor != null) entry.actor = row.actor;
  return entry;
}

/**
 * How many committed rows `recentChanges` keeps, at least: always the whole last commit too, so that the feed
 * reads a batch write of a thousand changes from memory as it reads a single write's.
 */
const RECENT_CHANGES = 256;

/** After a commit: its rows join the recent ones, which start again when another connection has written between. */
export function rememberCommitted(db: SqliteDb, rows: readonly CommittedRow[]): void {
  if (rows.length === 0) return;
  const version = db.dataVersion.get() as number;
  const recent = db.recentChanges;
  const last = recent[recent.length - 1];
  if (version !== db.recentVersion || !last || rows[0].seq !== last.seq + 1) db.recentChanges = [...rows];
  else {
    recent.push(...rows);
    const keep = Math.max(RECENT_CHANGES, rows.length);
    if (recent.length > keep) recent.splice(0, recent.length - keep);
  }
  db.recentVersion = version;
}

/**
 * The entries after `after` from the recent rows, when they hold all of them: nobody else has committed
 * since (data_version unchanged), so their last is the newest entry in the file. Undefined otherwise.
 */
function recentAfter(db: SqliteDb, after: number, limit: number): ChangeRow[] | undefined {
  const recent = db.recentChanges;
  if (recent.length === 0 || db.connection.inTransaction) return undefined;
  const first = recent[0].seq;
  if (after < first - 1 || after > recent[recent.length - 1].seq) return undefined;
  if ((db.dataVersion.get() as number) !== db.recentVersion) {
    db.recentChanges = [];
    return undefined;
  }
  return recent.slice(after - first + 1, after - first + 1 + limit);
}

export function changePrimitives(db: SqliteDb, tx: WriteTx): Pick<Primitives, 'appendChanges'> {
  return {
    appendChanges: (changes) => {
      const insert = db.sql(
        'INSERT INTO changes (time, type, subject, model, twin, relationship, patch, body, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const enqueue = db.sql('INSERT INTO outbox (seq, partition, available_at, barrier) VALUES (?, ?, ?, ?)');
      const now = db.now();
      const actor = tx.actor;
      return changes.map((change) => {
        const columns = changeColumns(db, change, actor);
        const seq = Number(insert.run(...columns).lastInsertRowid);
        tx.changes.push(rowOf(seq, columns, change));
        if (db.outbox && isMirrored(change.type))
          enqueue.run(seq, outboxPartition(change), now, isOutboxBarrier(change.type) ? 1 : 0);
        tx.lastSeq = seq;
        return seq;
      });
    },
  };
}

/** Tells the commit listeners the newest `seq` of a committed write. */
export function notifyCommit(db: SqliteDb, seq: number): void {
  for (const listener of db.listeners) {
    try {
      listener(seq);
    } catch {
      // A listener's failure is its own; the write has committed.
    }
  }
}

export async function readChanges(db: SqliteDb, options: ReadChangesOptions): Promise<ChangeEntry[]> {
  db.check();
  const limit = Math.min(Math.max(options.limit ?? 1000, 1), 10_000);
  return (
    recentAfter(db, options.after, limit) ??
    (db.sql('SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?').all(options.after, limit) as ChangeRow[])
  ).map(entryOf);
}

/** The newest `seq` ever given (0: none), whether or not it was pruned since. */
export function latest(db: SqliteDb): number {
  const row = db.sql("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").get() as Row | undefined;
  return (row?.seq as number | undefined) ?? 0;
}

export async function latestSeq(db: SqliteDb): Promise<number> {
  db.check();
  return latest(db);
}

export async function firstSeq(db: SqliteDb): Promise<number> {
  db.check();
  const row = db.sql('SELECT min(seq) AS seq FROM changes').get() as Row;
  return (row.seq as number | null) ?? latest(db) + 1;
}

export async function pruneChanges(db: SqliteDb, options: PruneOptions): Promise<number> {
  db.check();
  return db.connection
    .transaction(() => {
      const since =
        options.before === undefined
          ? undefined
          : (db.sql('SELECT min(seq) AS seq FROM changes WHERE time >= ?').get(options.before) as Row).seq;
      const pending = (db.sql('SELECT min(seq) AS seq FROM outbox').get() as Row).seq;
      const cutoff = pruneCutoff(options, {
        latest: latest(db),
        firstSince: (since as number | null) ?? undefined,
        oldestInOutbox: (pending as number | null) ?? undefined,
      });
      // The recent rows may hold some of those.
      db.recentChanges = [];
      return db.sql('DELETE FROM changes WHERE seq < ?').run(cutoff).changes;
    })
    .immediate();
}

export function onCommit(db: SqliteDb, listener: CommitListener): () => void {
  db.listeners.add(listener);
  return () => db.listeners.delete(listener);
}
