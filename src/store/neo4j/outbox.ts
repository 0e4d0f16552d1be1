/**
 * The outbox in Neo4j: claims, leases, acknowledgements, retries and dead letters over `OutboxEntry` nodes,
 * which changes.ts creates with their `Change`. Each partition's first pending entry carries `head`, kept
 * here under the outbox lock (the `outbox` Counter node) by every writer that moves it, so that a claim costs
 * what it examines, not the backlog. Entries are read back joined with their change, as one row of the
 * shared columns (../rows.ts).
 */
import { outboxHeadsToExamine } from '../changes';
import type { ClaimOptions, FailOptions } from '../port';
import { outboxFromRow, type ChangeRow, type OutboxRow } from '../rows';
import type { OutboxEntry, OutboxStats } from '../types';
import type { Neo4jDb, Props } from './db';
import type { CypherRunner } from './driver';

function outboxRow(o: Props, c: Props): OutboxRow {
  return {
    ...(c as unknown as ChangeRow),
    seq: o.seq as number,
    partition: o.partition as string,
    status: o.status as string,
    attempts: o.attempts as number,
    available_at: o.availableAt as number,
    last_error: o.lastError as string | null,
    resync: o.resync as boolean | null,
  };
}

/** One outbox writer at a time where heads change or are read to claim (enqueue, claim, ack, park, retry). */
export async function lockOutbox(tx: CypherRunner): Promise<void> {
  await tx.run("MERGE (l:Counter {name: 'outbox'}) ON CREATE SET l.value = 0 SET l._lock = true REMOVE l._lock");
}

/**
 * Makes these entries, just enqueued and each the first of its partition in its write, their partitions'
 * heads, unless a partition has one already (an entry pending before it). Under the outbox lock (taken after
 * the change counter's, as by every writer), so that no acknowledgement removes that head unseen.
 */
export async function headFirstEntries(tx: CypherRunner, firsts: readonly number[]): Promise<void> {
  if (firsts.length === 0) return;
  await lockOutbox(tx);
  await tx.run(
    'UNWIND $firsts AS s MATCH (o:OutboxEntry {seq: s}) WHERE NOT EXISTS { MATCH (h:OutboxEntry) WHERE h.partition = o.partition AND h.head = true } SET o.head = true',
    { firsts },
  );
}

/**
 * Makes the first pending entry of each partition named its head, and no other entry (after entries of
 * theirs were acknowledged, parked or put back in line). Two index seeks per partition: its entries in seq
 * order up to the first pending one (past its dead letters only), and its head.
 */
async function fixHeads(tx: CypherRunner, partitions: readonly string[]): Promise<void> {
  if (partitions.length === 0) return;
  await tx.run(
    'UNWIND $partitions AS p ' +
      "CALL (p) { MATCH (n:OutboxEntry) WHERE n.partition = p AND n.seq IS NOT NULL AND n.status = 'pending' WITH n ORDER BY n.seq LIMIT 1 RETURN collect(n) AS first } " +
      'CALL (p) { MATCH (h:OutboxEntry) WHERE h.partition = p AND h.head = true RETURN collect(h) AS heads } ' +
      'FOREACH (h IN [x IN heads WHERE NOT x IN first] | REMOVE h.head) ' +
      'FOREACH (n IN [x IN first WHERE x.head IS NULL] | SET n.head = true)',
    { partitions: [...partitions] },
  );
}

export async function claimOutbox(db: Neo4jDb, options: ClaimOptions): Promise<OutboxEntry[]> {
  const now = db.now();
  return db.session('WRITE', async (tx) => {
    // One claimer at a time, so that two workers never take the same entries.
    await lockOutbox(tx);
    // A partition's claimable entries are its pending ones before the first that is waiting to retry,
    // leased, or a barrier not the oldest entry pending (a barrier goes only as the oldest of all): none
    // when its head (first pending entry) is blocked. So the claim looks at heads in seq order (at most
    // outboxHeadsToExamine, blocked ones included; outbox_head), keeps the first `limit` unblocked ones,
    // takes each one's run of claimable entries (outbox_partition), and the first `limit` of those in seq
    // order. The i-th unblocked head's partition can add at most limit - i entries (the heads before it are
    // older), and is read no further than `limit` entries: the cost is bounded by the heads examined and
    // `limit`, however long the backlog of a blocked partition.
    const records = (
      await tx.run(
        'MATCH (h:OutboxEntry) WHERE h.head = true AND h.seq IS NOT NULL WITH h ORDER BY h.seq LIMIT $examine ' +
          'WITH collect(h) AS heads ' +
          'WITH [h IN heads WHERE h.availableAt <= $now AND coalesce(h.claimedUntil, 0) <= $now AND (h.barrier IS NULL OR h.seq = heads[0].seq)][0..$limit] AS open ' +
          'UNWIND range(0, size(open) - 1) AS i WITH open[i] AS h, $limit - i AS room ' +
          'CALL (h, room) { ' +
          "MATCH (o:OutboxEntry) WHERE o.partition = h.partition AND o.seq >= h.seq AND o.status = 'pending' WITH o ORDER BY o.seq LIMIT $limit " +
          'WITH collect(o) AS run ' +
          'WITH run, [j IN range(1, size(run) - 1) WHERE run[j].availableAt > $now OR coalesce(run[j].claimedUntil, 0) > $now OR run[j].barrier = true | j] AS stops ' +
          'RETURN run[0..coalesce(stops[0], size(run))][0..room] AS run } ' +
          'UNWIND run AS o WITH o ORDER BY o.seq LIMIT $limit ' +
          'MATCH (c:Change {seq: o.seq}) RETURN properties(o) AS o, properties(c) AS c ORDER BY o.seq',
        { now, limit: db.int(options.limit), examine: db.int(outboxHeadsToExamine(options.limit)) },
      )
    ).records;
    const claimed = records.map((r) => outboxFromRow(outboxRow(r.get('o') as Props, r.get('c') as Props)));
    if (claimed.length > 0) {
      await tx.run('UNWIND $seqs AS s MATCH (o:OutboxEntry {seq: s}) SET o.claimedUntil = $until', {
        seqs: claimed.map((e) => e.seq),
        until: now + options.leaseMs,
      });
    }
    return claimed;
  });
}

export async function renewOutbox(db: Neo4jDb, seqs: readonly number[], leaseMs: number): Promise<void> {
  await db.session('WRITE', (tx) =>
    tx.run(
      "MATCH (o:OutboxEntry) WHERE o.seq IN $seqs AND o.status = 'pending' AND o.claimedUntil IS NOT NULL SET o.claimedUntil = $until",
      {
        seqs: [...seqs],
        until: db.now() + leaseMs,
      },
    ),
  );
}

export async function ackOutbox(db: Neo4jDb, seqs: readonly number[]): Promise<void> {
  await db.session('WRITE', async (tx) => {
    await lockOutbox(tx);
    const headless = (
      await tx.run(
        'MATCH (o:OutboxEntry) WHERE o.seq IN $seqs WITH o, o.partition AS partition, o.head AS head DELETE o WITH partition, head WHERE head = true RETURN DISTINCT partition',
        { seqs: [...seqs] },
      )
    ).records.map((r) => r.get('partition') as string);
    await fixHeads(tx, headless);
  });
}

export async function releaseOutbox(db: Neo4jDb, seqs: readonly number[]): Promise<void> {
  await db.session('WRITE', (tx) =>
    tx.run("MATCH (o:OutboxEntry) WHERE o.seq IN $seqs AND o.status = 'pending' SET o.claimedUntil = null", {
      seqs: [...seqs],
    }),
  );
}

export async function failOutbox(db: Neo4jDb, seq: number, options: FailOptions): Promise<void> {
  const status = options.dead ? 'dead' : 'pending';
  await db.session('WRITE', async (tx) => {
    // Parking an entry (or, from an out-of-date worker, putting a dead letter back) changes its partition's head.
    await lockOutbox(tx);
    const moved = (
      await tx.run(
        'MATCH (o:OutboxEntry {seq: $seq}) WITH o, o.status AS was ' +
          'SET o.attempts = o.attempts + 1, o.lastError = $error, o.status = $status, o.availableAt = $at, o.claimedUntil = null ' +
          'WITH o, was WHERE was <> $status RETURN o.partition AS partition',
        { seq, error: options.error, status, at: db.now() + (options.retryAfterMs ?? 0) },
      )
    ).records.map((r) => r.get('partition') as string);
    await fixHeads(tx, moved);
  });
}

export async function pendingBefore(db: Neo4jDb, seq: number, partitions: readonly string[]): Promise<boolean> {
  return db.read(
    async (tx) =>
      (
        await tx.run(
          "MATCH (o:OutboxEntry) WHERE o.partition IN $partitions AND o.seq < $seq AND o.status = 'pending' RETURN o.seq LIMIT 1",
          { partitions: [...partitions], seq },
        )
      ).records.length > 0,
  );
}

export async function outboxStats(db: Neo4jDb): Promise<OutboxStats> {
  const r = await db.read(
    async (tx) =>
      (
        await tx.run(
          // Counted through outbox_status; the oldest pending change is the first pending one.
          "OPTIONAL MATCH (o:OutboxEntry) WHERE o.status = 'pending' AND o.seq IS NOT NULL WITH count(o) AS pending, min(o.seq) AS first " +
            "OPTIONAL MATCH (d:OutboxEntry) WHERE d.status = 'dead' AND d.seq IS NOT NULL WITH pending, first, count(d) AS dead " +
            'OPTIONAL MATCH (c:Change {seq: first}) RETURN pending, dead, c.time AS oldest',
        )
      ).records[0],
  );
  const oldest = r?.get('oldest');
  return {
    pending: Number(r?.get('pending') ?? 0),
    dead: Number(r?.get('dead') ?? 0),
    ...(oldest != null && { oldestPendingTime: oldest as string }),
  };
}

export async function listDeadLetters(db: Neo4jDb, options: { limit?: number } = {}): Promise<OutboxEntry[]> {
  return db.read(async (tx) =>
    (
      await tx.run(
        "MATCH (o:OutboxEntry) WHERE o.status = 'dead' AND o.seq IS NOT NULL WITH o ORDER BY o.seq LIMIT $limit MATCH (c:Change {seq: o.seq}) RETURN properties(o) AS o, properties(c) AS c ORDER BY o.seq",
        { limit: db.int(options.limit ?? 100) },
      )
    ).records.map((r) => outboxFromRow(outboxRow(r.get('o') as Props, r.get('c') as Props))),
  );
}

export async function retryDeadLetters(db: Neo4jDb, seqs?: readonly number[]): Promise<number> {
  return db.session('WRITE', async (tx) => {
    await lockOutbox(tx);
    const r = (
      await tx.run(
        // `seq IS NOT NULL` (always true) lets outbox_status (status, seq) find the dead letters, as below.
        "MATCH (o:OutboxEntry) WHERE o.status = 'dead' AND o.seq IS NOT NULL AND ($seqs IS NULL OR o.seq IN $seqs) SET o.status = 'pending', o.attempts = 0, o.availableAt = $now, o.claimedUntil = null, o.resync = true " +
          'RETURN count(o) AS n, collect(DISTINCT o.partition) AS partitions',
        { seqs: seqs ? [...seqs] : null, now: db.now() },
      )
    ).records[0];
    await fixHeads(tx, (r?.get('partitions') as string[] | undefined) ?? []);
    return Number(r?.get('n') ?? 0);
  });
}

export async function dropDeadLetters(db: Neo4jDb, seqs?: readonly number[]): Promise<number> {
  return db.session('WRITE', async (tx) =>
    Number(
      (
        await tx.run(
          "MATCH (o:OutboxEntry) WHERE o.status = 'dead' AND o.seq IS NOT NULL AND ($seqs IS NULL OR o.seq IN $seqs) DELETE o RETURN count(*) AS n",
          { seqs: seqs ? [...seqs] : null },
        )
      ).records[0].get('n'),
    ),
  );
}
