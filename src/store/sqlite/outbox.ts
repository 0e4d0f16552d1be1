/**
 * The outbox in SQLite: claims, leases, acknowledgements, retries and dead letters over the `outbox` table,
 * whose rows are enqueued by changes.ts with their change. Every read joins `changes` for the change itself.
 * The table keeps a `head` flag on each partition's first pending entry (maintained by triggers, see
 * schema.ts), so that a claim costs what it examines, not the backlog.
 */
import { outboxHeadsToExamine } from '../changes';
import type { ClaimOptions, FailOptions } from '../port';
import { outboxFromRow, type OutboxRow } from '../rows';
import type { OutboxEntry, OutboxStats } from '../types';
import type { Row, SqliteDb } from './db';

export async function claimOutbox(db: SqliteDb, options: ClaimOptions): Promise<OutboxEntry[]> {
  db.check();
  const now = db.now();
  return db.connection
    .transaction(() => {
      // A partition's claimable entries are its pending ones before the first that is waiting to retry,
      // leased, or a barrier not the oldest entry pending (a barrier goes only as the oldest of all): none
      // when its head (first pending entry) is blocked. So the claim looks at heads in seq order (at most
      // outboxHeadsToExamine, blocked ones included), and merges the unblocked partitions' runs in seq order
      // through a recursive CTE whose queue is ordered by seq: it takes the lowest entry queued, queues the
      // next pending entry of its partition if that one is claimable, and stops at `limit`. Its cost is the
      // heads examined plus `limit` index lookups, however long the backlog of a blocked partition.
      const rows = db
        .sql(
          'WITH RECURSIVE ' +
            'heads AS (SELECT seq, partition, available_at, claimed_until, barrier FROM outbox INDEXED BY outbox_heads WHERE head = 1 ORDER BY seq LIMIT @examine), ' +
            'open AS (SELECT seq, partition FROM heads WHERE available_at <= @now AND coalesce(claimed_until, 0) <= @now AND (barrier = 0 OR seq = (SELECT min(seq) FROM heads)) ORDER BY seq LIMIT @limit), ' +
            'walk(seq, partition) AS (SELECT seq, partition FROM open UNION ALL ' +
            'SELECT n.seq, n.partition FROM walk w CROSS JOIN outbox n ON n.seq = (' +
            "SELECT o.seq FROM outbox o INDEXED BY outbox_partition WHERE o.partition = w.partition AND o.status = 'pending' AND o.seq > w.seq ORDER BY o.seq LIMIT 1) " +
            'WHERE n.available_at <= @now AND coalesce(n.claimed_until, 0) <= @now AND n.barrier = 0 ' +
            'ORDER BY 1 LIMIT @limit) ' +
            // CROSS JOIN keeps walk the outer loop (SQLite would rather scan the outbox and look walk up).
            'SELECT o.seq, o.partition, o.status, o.attempts, o.available_at, o.last_error, o.resync, c.* FROM walk w CROSS JOIN outbox o ON o.seq = w.seq CROSS JOIN changes c ON c.seq = w.seq ORDER BY w.seq',
        )
        .all({ now, limit: options.limit, examine: outboxHeadsToExamine(options.limit) }) as OutboxRow[];
      const lease = db.sql('UPDATE outbox SET claimed_until = ? WHERE seq = ?');
      for (const row of rows) lease.run(now + options.leaseMs, row.seq);
      return rows.map(outboxFromRow);
    })
    .immediate();
}

export async function renewOutbox(db: SqliteDb, seqs: readonly number[], leaseMs: number): Promise<void> {
  db.check();
  db.sql(
    "UPDATE outbox SET claimed_until = ? WHERE status = 'pending' AND claimed_until IS NOT NULL AND seq IN (SELECT value FROM json_each(?))",
  ).run(db.now() + leaseMs, JSON.stringify(seqs));
}

export async function ackOutbox(db: SqliteDb, seqs: readonly number[]): Promise<void> {
  db.check();
  db.sql('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))').run(JSON.stringify(seqs));
}

export async function releaseOutbox(db: SqliteDb, seqs: readonly number[]): Promise<void> {
  db.check();
  db.sql(
    "UPDATE outbox SET claimed_until = NULL WHERE status = 'pending' AND seq IN (SELECT value FROM json_each(?))",
  ).run(JSON.stringify(seqs));
}

export async function failOutbox(db: SqliteDb, seq: number, options: FailOptions): Promise<void> {
  db.check();
  db.sql(
    'UPDATE outbox SET attempts = attempts + 1, last_error = ?, status = ?, available_at = ?, claimed_until = NULL WHERE seq = ?',
  ).run(options.error, options.dead ? 'dead' : 'pending', db.now() + (options.retryAfterMs ?? 0), seq);
}

export async function pendingBefore(db: SqliteDb, seq: number, partitions: readonly string[]): Promise<boolean> {
  db.check();
  return (
    db
      .sql(
        "SELECT 1 FROM outbox INDEXED BY outbox_partition WHERE status = 'pending' AND partition IN (SELECT value FROM json_each(?)) AND seq < ? LIMIT 1",
      )
      .get(JSON.stringify(partitions), seq) !== undefined
  );
}

export async function outboxStats(db: SqliteDb): Promise<OutboxStats> {
  db.check();
  // Counts from the indexes alone; the oldest pending change is the first partition head.
  const row = db
    .sql(
      "SELECT (SELECT count(*) FROM outbox INDEXED BY outbox_partition WHERE status = 'pending') AS pending, (SELECT count(*) FROM outbox INDEXED BY outbox_by_status WHERE status = 'dead') AS dead, " +
        '(SELECT c.time FROM outbox o INDEXED BY outbox_heads JOIN changes c ON c.seq = o.seq WHERE o.head = 1 ORDER BY o.seq LIMIT 1) AS oldest',
    )
    .get() as Row;
  return {
    pending: row.pending as number,
    dead: row.dead as number,
    ...(row.oldest != null && { oldestPendingTime: row.oldest as string }),
  };
}

export async function listDeadLetters(db: SqliteDb, options: { limit?: number } = {}): Promise<OutboxEntry[]> {
  db.check();
  return (
    db
      .sql(
        "SELECT o.seq, o.partition, o.status, o.attempts, o.available_at, o.last_error, o.resync, c.* FROM outbox o JOIN changes c ON c.seq = o.seq WHERE o.status = 'dead' ORDER BY o.seq LIMIT ?",
      )
      .all(options.limit ?? 100) as OutboxRow[]
  ).map(outboxFromRow);
}

export async function retryDeadLetters(db: SqliteDb, seqs?: readonly number[]): Promise<number> {
  db.check();
  const only = seqs ? ' AND seq IN (SELECT value FROM json_each(@seqs))' : '';
  return db
    .sql(
      `UPDATE outbox SET status = 'pending', attempts = 0, available_at = @now, claimed_until = NULL, resync = 1 WHERE status = 'dead'${only}`,
    )
    .run({
      now: db.now(),
      ...(seqs && { seqs: JSON.stringify(seqs) }),
    }).changes;
}

export async function dropDeadLetters(db: SqliteDb, seqs?: readonly number[]): Promise<number> {
  db.check();
  const only = seqs ? ' AND seq IN (SELECT value FROM json_each(@seqs))' : '';
  return db.sql(`DELETE FROM outbox WHERE status = 'dead'${only}`).run(seqs ? { seqs: JSON.stringify(seqs) } : {})
    .changes;
}
