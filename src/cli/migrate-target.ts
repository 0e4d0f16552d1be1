/**
 * The Neo4j side of `twingraph migrate`: writes what the SQLite source holds in the Neo4j adapter's layout, as
 * it is (ETags, times, seqs, outbox state and API-key hashes kept), batch by batch. Twins, relationships and
 * models go through the adapter's own write primitives (src/store/neo4j: twins.ts, relationships.ts,
 * models.ts), so they are encoded exactly as the adapter writes them; the change log, the outbox, metric points,
 * API keys and the change counter are written here, in the layout of changes.ts, outbox.ts, metrics.ts and
 * keys.ts there (see encoding.ts for the twins' and schema.ts for the constraints).
 *
 * Resumable: a `MigrationProgress` node records the source, its fingerprint, the phase and the cursor, and
 * every batch commits in one transaction with its advance of that node, so a migration interrupted anywhere
 * goes on from its last batch, nothing written twice or left out. The change counter is written last: until
 * then the target is marked unfinished, and it is not a Twingraph store to start a server on.
 */
import { DEFAULT_LIMITS } from '../store/documents';
import { Neo4jDb } from '../store/neo4j/db';
import type { CypherDriver, CypherRunner } from '../store/neo4j/driver';
import { modelPrimitives } from '../store/neo4j/models';
import { relationshipPrimitives } from '../store/neo4j/relationships';
import { openNeo4jStore, type Neo4jStore } from '../store/neo4j/store';
import { twinPrimitives } from '../store/neo4j/twins';
import type { ApiKeyRecord } from '../store/port';
import { modelFromRow, type ChangeRow, type ModelRow } from '../store/rows';
import type { Relationship } from '../store/types';
import type { SourceOutboxEntry, SourcePoint, SourceTwin } from './migrate-source';

/** The phases, in the order they run: twins before their relationships, the change counter last. */
export const PHASES = ['models', 'twins', 'relationships', 'points', 'changes', 'outbox', 'keys', 'counters'] as const;
export type Phase = (typeof PHASES)[number] | 'done';

export interface Progress {
  readonly source: string;
  readonly fingerprint: string;
  readonly phase: Phase;
  /** The cursor within the phase (JSON), absent at its start. */
  readonly cursor?: unknown;
}

/** Nodes a Twingraph store holds: a target with any of them is not empty (the outbox lock Counter aside). */
const DATA_LABELS = ['Twin', 'Model', 'Change', 'OutboxEntry', 'MetricPoint', 'ApiKey'] as const;

export class Neo4jTarget {
  private constructor(
    private readonly db: Neo4jDb,
    private readonly store: Neo4jStore,
  ) {}

  /** Opens the store (which creates its constraints and indexes) on a driver this object keeps for its writes. */
  static async open(driver: CypherDriver, database: string | undefined): Promise<Neo4jTarget> {
    const store = await openNeo4jStore({ driver, ...(database && { database }), outbox: true, ownsDriver: false });
    return new Neo4jTarget(new Neo4jDb(driver, database, true, DEFAULT_LIMITS, Date.now, false), store);
  }

  /** The store as a server would see it, for checking what was written. */
  get asStore(): Neo4jStore {
    return this.store;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** The labels of Twingraph data the target already holds (none: empty). */
  async dataLabels(): Promise<string[]> {
    return this.db.read(async (tx) => {
      const found: string[] = [];
      for (const label of DATA_LABELS)
        if ((await tx.run(`MATCH (n:${label}) RETURN n LIMIT 1`)).records.length > 0) found.push(label);
      if ((await tx.run("MATCH (c:Counter {name: 'changes'}) RETURN c LIMIT 1")).records.length > 0)
        found.push('Counter');
      return found;
    });
  }

  async progress(): Promise<Progress | undefined> {
    const props = await this.db.read(
      async (tx) =>
        (await tx.run('MATCH (m:MigrationProgress) RETURN properties(m) AS m')).records[0]?.get('m') as
          Record<string, unknown> | undefined,
    );
    if (!props) return undefined;
    return {
      source: props.source as string,
      fingerprint: props.fingerprint as string,
      phase: props.phase as Phase,
      ...(props.cursor != null && { cursor: JSON.parse(props.cursor as string) as unknown }),
    };
  }

  /** Marks an empty target as the destination of this migration. */
  async begin(source: string, fingerprint: string): Promise<void> {
    await this.db.session('WRITE', (tx) =>
      tx.run(
        'CREATE (m:MigrationProgress {source: $source, fingerprint: $fingerprint, phase: $phase, startedAt: $now})',
        { source, fingerprint, phase: PHASES[0], now: new Date().toISOString() },
      ),
    );
  }

  /** Runs `write` and moves the progress to (phase, cursor) in one transaction. */
  private async step(phase: Phase, cursor: unknown, write: (tx: CypherRunner) => Promise<void>): Promise<void> {
    await this.db.session('WRITE', async (tx) => {
      await write(tx);
      await tx.run('MATCH (m:MigrationProgress) SET m.phase = $phase, m.cursor = $cursor', {
        phase,
        cursor: cursor === undefined ? null : JSON.stringify(cursor),
      });
    });
  }

  /** Moves to the start of the next phase after `phase`, writing nothing. */
  async advance(phase: Phase): Promise<void> {
    await this.step(nextPhase(phase), undefined, async () => undefined);
  }

  async writeModels(rows: readonly ModelRow[], then: Phase): Promise<void> {
    await this.step(then, undefined, async (tx) => {
      const models = modelPrimitives(tx);
      const records = rows.map((r) => modelFromRow(r, true));
      await models.insertModels(records.map((record) => ({ record, definition: record.definition! })));
      for (const record of records) if (record.decommissioned) await models.decommissionModel(record.id);
    });
  }

  async writeTwins(rows: readonly SourceTwin[], phase: Phase, cursor: unknown): Promise<void> {
    await this.step(phase, cursor, (tx) => twinPrimitives(tx).writeTwins(rows));
  }

  async writeRelationships(rows: readonly Relationship[], phase: Phase, cursor: unknown): Promise<void> {
    await this.step(phase, cursor, (tx) =>
      relationshipPrimitives(this.db, tx).writeRelationships(rows.map((relationship) => ({ relationship }))),
    );
  }

  /** Points are CREATEd (metrics.ts MERGEs them, to replace a point sent again; the source has each once). */
  async writePoints(rows: readonly SourcePoint[], phase: Phase, cursor: unknown): Promise<void> {
    await this.step(phase, cursor, async (tx) => {
      await tx.run(
        'UNWIND $points AS p CREATE (m:MetricPoint {twin: p.twinId, name: p.name, ts: p.ts}) SET m.value = p.value, m.json = p.json',
        { points: rows },
      );
    });
  }

  /** Change-log entries with their seqs (changes.ts: a `Change` node per entry, nulls left out). */
  async writeChanges(rows: readonly ChangeRow[], phase: Phase, cursor: unknown): Promise<void> {
    await this.step(phase, cursor, async (tx) => {
      await tx.run(
        'UNWIND $rows AS row CREATE (c:Change {seq: row.seq, time: row.time, type: row.type, subject: row.subject}) ' +
          'SET c.model = row.model, c.twin = row.twin, c.relationship = row.relationship, c.patch = row.patch, c.body = row.body, c.actor = row.actor',
        {
          rows: rows.map((r) => ({
            seq: r.seq,
            time: r.time,
            type: r.type,
            subject: r.subject,
            model: r.model ?? null,
            twin: r.twin ?? null,
            relationship: r.relationship ?? null,
            patch: r.patch ?? null,
            body: r.body,
            actor: r.actor ?? null,
          })),
        },
      );
    });
  }

  /**
   * Outbox entries as they stand (outbox.ts): pending and dead, attempts, when they may go, the last error, the
   * barrier, resync and partition-head flags. Leases are not carried over: no process holds them any more.
   */
  async writeOutbox(rows: readonly SourceOutboxEntry[], phase: Phase, cursor: unknown): Promise<void> {
    await this.step(phase, cursor, async (tx) => {
      await tx.run(
        'UNWIND $rows AS row CREATE (o:OutboxEntry {seq: row.seq, partition: row.partition, status: row.status, attempts: row.attempts, availableAt: row.availableAt}) ' +
          'SET o.lastError = row.lastError, o.barrier = row.barrier, o.resync = row.resync, o.head = row.head',
        {
          rows: rows.map((r) => ({
            seq: r.seq,
            partition: r.partition,
            status: r.status,
            attempts: r.attempts,
            availableAt: r.availableAt,
            lastError: r.lastError,
            // Flags are set only when true (a null sets no property), as the adapter keeps them.
            barrier: r.barrier || null,
            resync: r.resync || null,
            head: r.head || null,
          })),
        },
      );
    });
  }

  /** API keys with their hashes (keys.ts), revoked ones included. */
  async writeKeys(keys: readonly ApiKeyRecord[], then: Phase): Promise<void> {
    await this.step(then, undefined, async (tx) => {
      await tx.run(
        'UNWIND $keys AS k CREATE (n:ApiKey {name: k.name, role: k.role, hash: k.hash, created: k.created}) ' +
          'SET n.models = k.models, n.expires = k.expires, n.revoked = k.revoked',
        {
          keys: keys.map((k) => ({
            name: k.name,
            role: k.role,
            hash: k.hash,
            created: k.created,
            models: k.models ? [...k.models] : null,
            expires: k.expires ?? null,
            revoked: k.revoked ?? null,
          })),
        },
      );
    });
  }

  /**
   * The change counter (the next write takes latestSeq + 1, so `since` tokens stay valid) and the end of the
   * migration, in one transaction: from then on the target is a whole store.
   */
  async finish(latestSeq: number): Promise<void> {
    await this.db.session('WRITE', async (tx) => {
      await tx.run("MERGE (c:Counter {name: 'changes'}) SET c.value = $seq", { seq: latestSeq });
      // The outbox's partition heads were copied with the entries: the one-off marking at start is not needed.
      await tx.run("MERGE (l:Counter {name: 'outbox'}) ON CREATE SET l.value = 0 SET l.heads = true");
      await tx.run("MATCH (m:MigrationProgress) SET m.phase = 'done', m.cursor = null, m.finishedAt = $now", {
        now: new Date().toISOString(),
      });
    });
  }

  /** Whole-store figures to compare with the source's. */
  async counts(): Promise<{ outbox: number; apiKeys: number; latestSeq: number } & Record<string, number>> {
    const counts = await this.store.counts();
    const outbox = await this.db.read(async (tx) =>
      Number((await tx.run('MATCH (o:OutboxEntry) RETURN count(o) AS n')).records[0].get('n')),
    );
    return {
      ...counts,
      outbox,
      apiKeys: (await this.store.listKeys()).length,
      latestSeq: await this.store.latestSeq(),
    };
  }
}

export function nextPhase(phase: Phase): Phase {
  const i = PHASES.indexOf(phase as (typeof PHASES)[number]);
  return i < 0 || i === PHASES.length - 1 ? 'done' : PHASES[i + 1];
}
