/**
 * The Neo4j schema: the constraints and indexes created at start-up (idempotent, each in its own
 * transaction, as Neo4j requires), and the one-off updates that bring outbox entries written by earlier
 * versions up to date. The storage layout itself is documented in encoding.ts.
 */
import { MODELS_PARTITION, OUTBOX_BARRIER_TYPES } from '../changes';
import type { Neo4jDb } from './db';
import { lockOutbox } from './outbox';

/** Constraints and indexes created at start (idempotent). */
export const SCHEMA_STATEMENTS: readonly string[] = [
  'CREATE CONSTRAINT twin_id IF NOT EXISTS FOR (t:Twin) REQUIRE t.`$dtId` IS UNIQUE',
  'CREATE CONSTRAINT model_id IF NOT EXISTS FOR (m:Model) REQUIRE m.id IS UNIQUE',
  'CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE',
  'CREATE CONSTRAINT outbox_seq IF NOT EXISTS FOR (o:OutboxEntry) REQUIRE o.seq IS UNIQUE',
  'CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE',
  'CREATE CONSTRAINT lease_name IF NOT EXISTS FOR (l:Lease) REQUIRE l.name IS UNIQUE',
  'CREATE CONSTRAINT api_key_name IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.name IS UNIQUE',
  'CREATE CONSTRAINT api_key_hash IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.hash IS UNIQUE',
  'CREATE INDEX twin_model IF NOT EXISTS FOR (t:Twin) ON (t._model)',
  'CREATE INDEX change_time IF NOT EXISTS FOR (c:Change) ON (c.time)',
  'CREATE INDEX outbox_status IF NOT EXISTS FOR (o:OutboxEntry) ON (o.status, o.seq)',
  // For claimOutbox: a partition's entries in seq order; partition heads (each partition's first pending
  // entry, the only entries with a `head` property, so that outbox_head and outbox_partition_head hold only
  // heads) in seq order, and by partition.
  'CREATE INDEX outbox_partition IF NOT EXISTS FOR (o:OutboxEntry) ON (o.partition, o.seq)',
  'CREATE INDEX outbox_head IF NOT EXISTS FOR (o:OutboxEntry) ON (o.head, o.seq)',
  'CREATE INDEX outbox_partition_head IF NOT EXISTS FOR (o:OutboxEntry) ON (o.partition, o.head)',
  // Served an earlier claim query.
  'DROP INDEX outbox_waiting IF EXISTS',
  'DROP INDEX outbox_leased IF EXISTS',
  'DROP INDEX outbox_barrier IF EXISTS',
  'CREATE INDEX metric_point IF NOT EXISTS FOR (p:MetricPoint) ON (p.twin, p.name, p.ts)',
];

/** Creates constraints and indexes, then updates outbox entries enqueued by earlier versions. */
export async function migrate(db: Neo4jDb): Promise<void> {
  for (const statement of SCHEMA_STATEMENTS) await db.session('WRITE', (tx) => tx.run(statement));
  // Outbox entries enqueued before entries carried `barrier` (model changes only: a small partition).
  await db.session('WRITE', (tx) =>
    tx.run(
      // `seq IS NOT NULL` (always true) lets outbox_partition (partition, seq) serve it; without it Neo4j
      // scans the whole change log at every start.
      'MATCH (o:OutboxEntry) WHERE o.partition = $partition AND o.seq IS NOT NULL AND o.barrier IS NULL MATCH (c:Change {seq: o.seq}) WHERE c.type IN $types SET o.barrier = true',
      {
        partition: MODELS_PARTITION,
        types: [...OUTBOX_BARRIER_TYPES],
      },
    ),
  );
  // Outbox entries enqueued before partitions had heads: marked once (the outbox counter remembers it).
  await db.session('WRITE', async (tx) => {
    await lockOutbox(tx);
    await tx.run(
      "MATCH (l:Counter {name: 'outbox'}) WHERE l.heads IS NULL " +
        "CALL (l) { MATCH (o:OutboxEntry) WHERE o.status = 'pending' AND o.seq IS NOT NULL WITH o.partition AS partition, min(o.seq) AS first " +
        'MATCH (h:OutboxEntry {seq: first}) SET h.head = true } ' +
        'SET l.heads = true',
    );
  });
}
