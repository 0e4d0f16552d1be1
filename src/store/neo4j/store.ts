/**
 * The production store: Neo4j 5 through neo4j-driver, Cypher 5. Writes run the shared rules (../writes.ts)
 * inside managed write transactions, which the driver retries on transient errors; writes that arrive
 * together share one (group commit: ./group-commit.ts). Every read of a twin or relationship inside a write
 * locks it first (`SET x._lock = true REMOVE x._lock`), which is how Neo4j avoids lost updates under read
 * committed, so ETag checks cannot race. The change-log counter is locked the same way, first, and bumped in
 * the same transaction, which keeps `seq` contiguous.
 *
 * This file opens the store and assembles the adapter: Neo4jStore is the TwinStore, its writes are
 * RulesStore's run through `transact` here, and every other method is a call of the part that holds it, one
 * file per role (models.ts, twins.ts, relationships.ts, queries.ts, graph.ts, metrics.ts, changes.ts,
 * outbox.ts, housekeeping.ts), over the one Neo4jDb they share (db.ts). The schema is schema.ts's, the
 * storage layout encoding.ts's.
 */
import { TwingraphError } from '../../errors';
import { isoTime } from '../changes';
import { DEFAULT_LIMITS, type DocumentLimits } from '../documents';
import { runAsync, type Steps } from '../effects';
import type {
  ApiKeyRecord,
  ClaimOptions,
  CommitListener,
  FailOptions,
  LeaseTaken,
  ListModelsOptions,
  MetricAggregation,
  MetricRange,
  PruneOptions,
  ReadChangesOptions,
  StoreCounts,
  TwinStore,
} from '../port';
import type { Hop, NeighborQuery, Page, PropertyPath, Traversal, TwinQuery } from '../query';
import { RulesStore } from '../rules-store';
import type {
  ChangeEntry,
  MetricBucket,
  MetricPoint,
  MetricSeriesKey,
  ModelRecord,
  OutboxEntry,
  OutboxStats,
  Relationship,
  Twin,
} from '../types';
import type { WriteContext } from '../writes';
import * as changes from './changes';
import { Neo4jDb } from './db';
import type { CypherDriver, CypherRunner } from './driver';
import * as graph from './graph';
import { GroupCommit } from './group-commit';
import * as housekeeping from './housekeeping';
import * as keys from './keys';
import * as leases from './leases';
import * as metrics from './metrics';
import * as models from './models';
import * as outbox from './outbox';
import * as queries from './queries';
import * as relationships from './relationships';
import { migrate } from './schema';
import * as twins from './twins';

export { SCHEMA_STATEMENTS } from './schema';

export interface Neo4jStoreOptions {
  readonly driver: CypherDriver;
  /** The Neo4j database (default: the server's default database). */
  readonly database?: string;
  readonly outbox?: boolean;
  readonly limits?: Partial<DocumentLimits>;
  readonly now?: () => number;
  readonly indexedProperties?: readonly PropertyPath[];
  /** Close the driver when the store closes (default true). */
  readonly ownsDriver?: boolean;
}

const MAX_WRITE_ATTEMPTS = 5;
/**
 * Writes in one transaction at most. Sixteen take a store from about 100 to about 190 single patches a second
 * (bench:api's patch phase, 50 connections); a bulk write brings up to 1,000 items, and Neo4j holds a
 * transaction's changes in memory until its commit.
 */
const MAX_GROUP_WRITES = 16;

/** What a write's work returns in its group: its value, and the newest seq it wrote (0: none). */
interface Written<T> {
  readonly value: T;
  readonly lastSeq: number;
}

export class Neo4jStore extends RulesStore implements TwinStore {
  readonly kind = 'neo4j';
  readonly outbox: boolean;
  protected readonly limits: DocumentLimits;
  private readonly db: Neo4jDb;
  private readonly groups: GroupCommit<CypherRunner>;

  constructor(options: Neo4jStoreOptions) {
    super();
    this.db = new Neo4jDb(
      options.driver,
      options.database,
      options.outbox ?? false,
      { ...DEFAULT_LIMITS, ...options.limits },
      options.now ?? Date.now,
      options.ownsDriver ?? true,
    );
    this.outbox = this.db.outbox;
    this.limits = this.db.limits;
    const { db } = this;
    this.groups = new GroupCommit<CypherRunner>({
      // The counter first: every write transaction takes it before any twin or relationship, so that two of
      // them (two replicas' groups) never each hold what the other waits for.
      transaction: (body) =>
        db.session('WRITE', async (tx) => {
          await changes.lockCounter(tx);
          return body(tx);
        }),
      committed: (values) => {
        const lastSeq = Math.max(0, ...(values as Written<unknown>[]).map((w) => w.lastSeq));
        if (lastSeq > 0) changes.notifyCommit(db, lastSeq);
      },
      // Another writer created the same twin, model or counter first: run the group again, now that it is
      // visible, so that each caller gets the answer they would have got after it.
      isCollision: (error) =>
        (error as { code?: unknown })?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed',
      maxWrites: MAX_GROUP_WRITES,
      maxAttempts: MAX_WRITE_ATTEMPTS,
    });
  }

  /** Creates constraints and indexes (schema.ts), and the property indexes asked for. */
  async init(indexedProperties: readonly PropertyPath[] = []): Promise<void> {
    await migrate(this.db);
    if (indexedProperties.length > 0) await this.ensurePropertyIndexes(indexedProperties);
  }

  /**
   * Runs one write's rules with every primitive over its transaction, in a group commit (./group-commit.ts):
   * the writes that arrive while a transaction is in flight share the next one. Tells the listeners after the
   * commit.
   */
  protected async transact<T>(rules: (ctx: WriteContext) => Steps<T>, actor: string | undefined): Promise<T> {
    const { db } = this;
    const ctx = { time: isoTime(db.now()), limits: db.limits };
    const written = await this.groups.submit<Written<T>>(async (tx) => {
      const state: changes.WriteState = { lastSeq: 0, actor };
      const value = await runAsync(rules(ctx), {
        ...models.modelPrimitives(tx),
        ...twins.twinPrimitives(tx),
        ...relationships.relationshipPrimitives(db, tx),
        ...metrics.metricPrimitives(tx),
        ...changes.changePrimitives(db, tx, state),
      });
      return { value, lastSeq: state.lastSeq };
    });
    return written.value;
  }

  // ── Models (the writes are RulesStore's) ───────────────────────────────────────────────────────

  listModels(options?: ListModelsOptions): Promise<ModelRecord[]> {
    return models.listModels(this.db, options);
  }

  getModel(id: string, options?: { includeDefinition?: boolean }): Promise<ModelRecord> {
    return models.getModel(this.db, id, options);
  }

  lockModels(holder: string, leaseMs: number): Promise<boolean> {
    return models.lockModels(this.db, holder, leaseMs);
  }

  unlockModels(holder: string): Promise<void> {
    return models.unlockModels(this.db, holder);
  }

  // ── Leases ──────────────────────────────────────────────────────────────────────────────────────

  takeLease(name: string, holder: string, leaseMs: number): Promise<LeaseTaken | null> {
    return leases.takeLease(this.db, name, holder, leaseMs);
  }

  giveLease(name: string, holder: string): Promise<void> {
    return leases.giveLease(this.db, name, holder);
  }

  // ── Twin and relationship reads ─────────────────────────────────────────────────────────────────

  getTwin(id: string): Promise<Twin> {
    return twins.getTwin(this.db, id);
  }

  getTwins(ids: readonly string[]): Promise<(Twin | undefined)[]> {
    return twins.getTwins(this.db, ids);
  }

  getRelationship(sourceId: string, relationshipId: string): Promise<Relationship> {
    return relationships.getRelationship(this.db, sourceId, relationshipId);
  }

  listRelationships(sourceId: string, options?: { name?: string }): Promise<Relationship[]> {
    return relationships.listRelationships(this.db, sourceId, options);
  }

  listIncomingRelationships(targetId: string, options?: { name?: string }): Promise<Relationship[]> {
    return relationships.listIncomingRelationships(this.db, targetId, options);
  }

  queryTwins(query: TwinQuery): Promise<Page<Twin>> {
    return queries.queryTwins(this.db, query);
  }

  traverse(traversal: Traversal): Promise<Page<Twin>> {
    return graph.traverse(this.db, traversal);
  }

  neighbors(query: NeighborQuery): Promise<{ twin: Twin; relationship: Relationship }[][]> {
    return graph.neighbors(this.db, query);
  }

  neighborCounts(ids: readonly string[], hop: Hop): Promise<number[]> {
    return graph.neighborCounts(this.db, ids, hop);
  }

  // ── Metrics (appendMetrics is RulesStore's) ─────────────────────────────────────────────────────

  readMetrics(range: MetricRange): Promise<MetricPoint[]> {
    return metrics.readMetrics(this.db, range);
  }

  aggregateMetrics(request: MetricAggregation): Promise<MetricBucket[][]> {
    return metrics.aggregateMetrics(this.db, request);
  }

  latestMetrics(series: readonly MetricSeriesKey[]): Promise<(MetricPoint | undefined)[]> {
    return metrics.latestMetrics(this.db, series);
  }

  // ── Change log ──────────────────────────────────────────────────────────────────────────────────

  readChanges(options: ReadChangesOptions): Promise<ChangeEntry[]> {
    return changes.readChanges(this.db, options);
  }

  latestSeq(): Promise<number> {
    return changes.latestSeq(this.db);
  }

  firstSeq(): Promise<number> {
    return changes.firstSeq(this.db);
  }

  pruneChanges(options: PruneOptions): Promise<number> {
    return changes.pruneChanges(this.db, options);
  }

  onCommit(listener: CommitListener): () => void {
    return changes.onCommit(this.db, listener);
  }

  // ── Outbox ──────────────────────────────────────────────────────────────────────────────────────

  claimOutbox(options: ClaimOptions): Promise<OutboxEntry[]> {
    return outbox.claimOutbox(this.db, options);
  }

  renewOutbox(seqs: readonly number[], leaseMs: number): Promise<void> {
    return outbox.renewOutbox(this.db, seqs, leaseMs);
  }

  ackOutbox(seqs: readonly number[]): Promise<void> {
    return outbox.ackOutbox(this.db, seqs);
  }

  releaseOutbox(seqs: readonly number[]): Promise<void> {
    return outbox.releaseOutbox(this.db, seqs);
  }

  failOutbox(seq: number, options: FailOptions): Promise<void> {
    return outbox.failOutbox(this.db, seq, options);
  }

  pendingBefore(seq: number, partitions: readonly string[]): Promise<boolean> {
    return outbox.pendingBefore(this.db, seq, partitions);
  }

  outboxStats(): Promise<OutboxStats> {
    return outbox.outboxStats(this.db);
  }

  listDeadLetters(options?: { limit?: number }): Promise<OutboxEntry[]> {
    return outbox.listDeadLetters(this.db, options);
  }

  retryDeadLetters(seqs?: readonly number[]): Promise<number> {
    return outbox.retryDeadLetters(this.db, seqs);
  }

  dropDeadLetters(seqs?: readonly number[]): Promise<number> {
    return outbox.dropDeadLetters(this.db, seqs);
  }

  // ── Housekeeping ────────────────────────────────────────────────────────────────────────────────

  ensurePropertyIndexes(paths: readonly PropertyPath[]): Promise<void> {
    return housekeeping.ensurePropertyIndexes(this.db, paths);
  }

  counts(): Promise<StoreCounts> {
    return housekeeping.counts(this.db);
  }

  ping(): Promise<void> {
    return housekeeping.ping(this.db);
  }

  close(): Promise<void> {
    return housekeeping.close(this.db);
  }

  // ── API keys ────────────────────────────────────────────────────────────────────────────────────

  createKey(key: ApiKeyRecord): Promise<void> {
    return keys.createKey(this.db, key);
  }

  listKeys(): Promise<ApiKeyRecord[]> {
    return keys.listKeys(this.db);
  }

  findKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return keys.findKey(this.db, hash);
  }

  revokeKey(name: string, time: string): Promise<boolean> {
    return keys.revokeKey(this.db, name, time);
  }
}

/** Opens the Neo4j store: checks the connection, then creates constraints and indexes. */
export async function openNeo4jStore(options: Neo4jStoreOptions): Promise<Neo4jStore> {
  try {
    await options.driver.verifyConnectivity();
  } catch (error) {
    if (options.ownsDriver ?? true) await options.driver.close().catch(() => undefined);
    throw new TwingraphError(
      'StoreUnavailable',
      `Cannot reach Neo4j: ${(error as Error).message}. Check NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD.`,
    );
  }
  const store = new Neo4jStore(options);
  await store.init(options.indexedProperties);
  return store;
}
