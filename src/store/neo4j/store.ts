/**
 * The production store: Neo4j 5 through neo4j-driver, Cypher 5. Writes run the shared rules (../writes.ts)
 * inside one managed write transaction, which the driver retries on transient errors; every read of a
 * twin or relationship inside a write locks it first (`SET x._lock = true REMOVE x._lock`), which is how
 * Neo4j avoids lost updates under read committed, so ETag checks cannot race. The change-log counter is
 * locked the same way and bumped in the same transaction, which keeps `seq` contiguous.
 *
 * The storage layout is documented in encoding.ts.
 */
import { TwingraphError } from '../../errors';
import {
  isMirrored,
  isOutboxBarrier,
  isoTime,
  MODELS_PARTITION,
  OUTBOX_BARRIER_TYPES,
  outboxHeadsToExamine,
  outboxPartition,
  type PendingChange,
} from '../changes';
import { DEFAULT_LIMITS, type DocumentLimits } from '../documents';
import { relationshipKey, runAsync, type AsyncPrimitives, type Steps } from '../effects';
import type {
  ClaimOptions,
  CommitListener,
  FailOptions,
  ListModelsOptions,
  MetricAggregation,
  MetricRange,
  PruneOptions,
  ReadChangesOptions,
  StoreCounts,
  TwinStore,
} from '../port';
import {
  checkCursorFits,
  checkFilter,
  checkOrderBy,
  checkPath,
  planPage,
  toPage,
  valueAt,
  type Hop,
  type NeighborQuery,
  type Page,
  type PropertyPath,
  type Traversal,
  type TwinQuery,
} from '../query';
import {
  checkAggregation,
  checkIds,
  dependencyClosure,
  checkMetricRange,
  checkNeighborQuery,
  checkTraversal,
  metricWindows,
  pruneCutoff,
} from '../reads';
import type {
  ChangeEntry,
  JsonPatch,
  MetricBucket,
  MetricPoint,
  MetricSeriesKey,
  ModelRecord,
  OutboxEntry,
  OutboxStats,
  Relationship,
  Twin,
} from '../types';
import { RulesStore } from '../rules-store';
import type { WriteContext } from '../writes';
import {
  compileFilter,
  CypherParams,
  keysetCondition,
  modelLabel,
  orderByClause,
  relationshipTypes,
  traversalMatch,
} from './compile';
import type { CypherDriver, CypherRecord, CypherRunner } from './driver';
import { flatten, quote } from './encoding';

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

/** Constraints and indexes created at start (idempotent). */
export const SCHEMA_STATEMENTS: readonly string[] = [
  'CREATE CONSTRAINT twin_id IF NOT EXISTS FOR (t:Twin) REQUIRE t.`$dtId` IS UNIQUE',
  'CREATE CONSTRAINT model_id IF NOT EXISTS FOR (m:Model) REQUIRE m.id IS UNIQUE',
  'CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE',
  'CREATE CONSTRAINT outbox_seq IF NOT EXISTS FOR (o:OutboxEntry) REQUIRE o.seq IS UNIQUE',
  'CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE',
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

const DEFAULT_METRIC_LIMIT = 10_000;
const MAX_WRITE_ATTEMPTS = 5;
const MAX_METRIC_LIMIT = 100_000;
const TWIN_ID = '`$dtId`';
const RELATIONSHIP_ID = '`$relationshipId`';

type Props = Record<string, unknown>;

function parseJson<T>(text: unknown): T {
  return JSON.parse(text as string) as T;
}

function modelFromProps(p: Props, includeDefinition: boolean): ModelRecord {
  return {
    id: p.id as string,
    uploadTime: p.uploadTime as string,
    decommissioned: p.decommissioned === true,
    ancestors: [...((p.ancestors as string[] | null) ?? [])],
    dependencies: [...((p.dependencies as string[] | null) ?? [])],
    ...(p.displayName != null && { displayName: parseJson<Record<string, string>>(p.displayName) }),
    ...(p.description != null && { description: parseJson<Record<string, string>>(p.description) }),
    ...(includeDefinition && { definition: parseJson(p.definition) }),
  };
}

function changeFromProps(p: Props): ChangeEntry {
  return {
    seq: Number(p.seq),
    time: p.time as string,
    type: p.type as ChangeEntry['type'],
    subject: p.subject as string,
    ...(p.model != null && { modelId: p.model as string }),
    ...(p.twin != null && { twinId: p.twin as string }),
    ...(p.relationship != null && { relationshipId: p.relationship as string }),
    ...(p.patch != null && { patch: parseJson<JsonPatch>(p.patch) }),
    body: parseJson(p.body),
  };
}

function outboxFromProps(o: Props, c: Props): OutboxEntry {
  return {
    seq: Number(o.seq),
    partition: o.partition as string,
    change: changeFromProps(c),
    attempts: Number(o.attempts),
    status: o.status as OutboxEntry['status'],
    availableAt: isoTime(Number(o.availableAt)),
    ...(o.lastError != null && { lastError: o.lastError as string }),
    ...(o.resync === true && { resync: true }),
  };
}

/** The node or relationship properties that store an ADT document (see encoding.ts); `$` fields are not flattened. */
function storedProperties(document: Twin | Relationship, system: Props): Props {
  const { properties, paths, types } = flatten(document);
  return { ...properties, ...system, _body: JSON.stringify(document), _paths: paths, _types: types };
}

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    code === 'ServiceUnavailable' ||
    code === 'SessionExpired' ||
    (typeof code === 'string' && code.startsWith('Neo.TransientError'))
  );
}

export class Neo4jStore extends RulesStore implements TwinStore {
  readonly kind = 'neo4j';
  readonly outbox: boolean;
  private readonly driver: CypherDriver;
  private readonly database?: string;
  protected readonly limits: DocumentLimits;
  private readonly now: () => number;
  private readonly listeners = new Set<CommitListener>();
  private readonly ownsDriver: boolean;
  private closed = false;

  constructor(options: Neo4jStoreOptions) {
    super();
    this.driver = options.driver;
    this.database = options.database;
    this.outbox = options.outbox ?? false;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.ownsDriver = options.ownsDriver ?? true;
  }

  /** Creates constraints and indexes; each schema command runs in its own transaction, as Neo4j requires. */
  async init(indexedProperties: readonly PropertyPath[] = []): Promise<void> {
    for (const statement of SCHEMA_STATEMENTS) await this.session('WRITE', (tx) => tx.run(statement));
    // Outbox entries enqueued before entries carried `barrier` (model changes only: a small partition).
    await this.session('WRITE', (tx) =>
      tx.run(
        'MATCH (o:OutboxEntry) WHERE o.partition = $partition AND o.barrier IS NULL MATCH (c:Change {seq: o.seq}) WHERE c.type IN $types SET o.barrier = true',
        {
          partition: MODELS_PARTITION,
          types: [...OUTBOX_BARRIER_TYPES],
        },
      ),
    );
    // Outbox entries enqueued before partitions had heads: marked once (the outbox counter remembers it).
    await this.session('WRITE', async (tx) => {
      await this.lockOutbox(tx);
      await tx.run(
        "MATCH (l:Counter {name: 'outbox'}) WHERE l.heads IS NULL " +
          "CALL (l) { MATCH (o:OutboxEntry) WHERE o.status = 'pending' AND o.seq IS NOT NULL WITH o.partition AS partition, min(o.seq) AS first " +
          'MATCH (h:OutboxEntry {seq: first}) SET h.head = true } ' +
          'SET l.heads = true',
      );
    });
    if (indexedProperties.length > 0) await this.ensurePropertyIndexes(indexedProperties);
  }

  private async session<T>(mode: 'READ' | 'WRITE', work: (tx: CypherRunner) => PromiseLike<T>): Promise<T> {
    if (this.closed) throw new TwingraphError('StoreUnavailable', 'The store is closed.');
    const session = this.driver.session({ ...(this.database && { database: this.database }), defaultAccessMode: mode });
    try {
      return await (mode === 'READ'
        ? session.executeRead(async (tx) => work(tx))
        : session.executeWrite(async (tx) => work(tx)));
    } catch (error) {
      if (error instanceof TwingraphError) throw error;
      if (isUnavailable(error))
        throw new TwingraphError('StoreUnavailable', `Neo4j is unavailable: ${(error as Error).message}`);
      throw error;
    } finally {
      await session.close();
    }
  }

  private read<T>(work: (tx: CypherRunner) => PromiseLike<T>): Promise<T> {
    return this.session('READ', work);
  }

  private int(n: number): unknown {
    return this.driver.integer(n);
  }

  // ── Writes ──────────────────────────────────────────────────────────────────────────────────────

  protected async transact<T>(rules: (ctx: WriteContext) => Steps<T>): Promise<T> {
    const ctx = { time: isoTime(this.now()), limits: this.limits };
    let lastSeq = 0;
    let result: T;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await this.session('WRITE', async (tx) => {
          const state = { lastSeq: 0 };
          const value = await runAsync(rules(ctx), this.primitives(tx, state));
          lastSeq = state.lastSeq;
          return value;
        });
        break;
      } catch (error) {
        // A uniqueness collision means another writer created the same twin, model or counter first: run the
        // rules again, now that it is visible, so that the caller gets the answer they would have got after it.
        if (
          attempt < MAX_WRITE_ATTEMPTS &&
          (error as { code?: unknown })?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed'
        )
          continue;
        throw error;
      }
    }
    if (lastSeq > 0) {
      for (const listener of this.listeners) {
        try {
          listener(lastSeq);
        } catch {
          // A listener's failure is its own; the write has committed.
        }
      }
    }
    return result;
  }

  private primitives(tx: CypherRunner, state: { lastSeq: number }): AsyncPrimitives {
    const rows = async (query: string, parameters: Props = {}): Promise<CypherRecord[]> =>
      (await tx.run(query, parameters)).records;
    const lockedTwins = async (ids: readonly string[]): Promise<Map<string, Twin>> => {
      const found = new Map<string, Twin>();
      if (ids.length === 0) return found;
      // Sorted, so that two writers lock shared twins in the same order.
      const records = await rows(
        `MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids WITH t ORDER BY t.${TWIN_ID} SET t._lock = true REMOVE t._lock RETURN t._body AS body`,
        { ids: [...ids] },
      );
      for (const r of records) {
        const twin = parseJson<Twin>(r.get('body'));
        found.set(twin.$dtId, twin);
      }
      return found;
    };
    const deleteRelationships = async (relationships: readonly Relationship[]): Promise<void> => {
      if (relationships.length === 0) return;
      await rows(
        `UNWIND $keys AS k MATCH (:Twin {${TWIN_ID}: k.source})-[r]->(:Twin) WHERE r.${RELATIONSHIP_ID} = k.id DELETE r`,
        {
          keys: relationships.map((r) => ({ source: r.$sourceId, id: r.$relationshipId })),
        },
      );
    };
    return {
      models: async (ids) => {
        const found = new Map<string, ModelRecord>();
        if (ids.length === 0) return found;
        for (const r of await rows('MATCH (m:Model) WHERE m.id IN $ids RETURN properties(m) AS m', { ids: [...ids] })) {
          const model = modelFromProps(r.get('m') as Props, false);
          found.set(model.id, model);
        }
        return found;
      },
      modelDependents: async (id) =>
        (await rows('MATCH (m:Model) WHERE $id IN m.dependencies RETURN m.id AS id ORDER BY id', { id })).map(
          (r) => r.get('id') as string,
        ),
      insertModels: async (models) => {
        await rows('UNWIND $models AS m CREATE (n:Model) SET n = m', {
          models: models.map(({ record, definition }) => ({
            id: record.id,
            uploadTime: record.uploadTime,
            decommissioned: false,
            ancestors: record.ancestors,
            dependencies: record.dependencies,
            displayName: record.displayName ? JSON.stringify(record.displayName) : null,
            description: record.description ? JSON.stringify(record.description) : null,
            definition: JSON.stringify(definition),
          })),
        });
      },
      decommissionModel: async (id) =>
        void (await rows('MATCH (m:Model {id: $id}) SET m.decommissioned = true', { id })),
      deleteModel: async (id) => void (await rows('MATCH (m:Model {id: $id}) DELETE m', { id })),
      twins: lockedTwins,
      twinModels: async (ids) => {
        const found = new Map<string, string>();
        if (ids.length === 0) return found;
        const records = await rows(
          `MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids WITH t ORDER BY t.${TWIN_ID} SET t._lock = true REMOVE t._lock RETURN t.${TWIN_ID} AS id, t._model AS model`,
          { ids: [...ids] },
        );
        for (const r of records) found.set(r.get('id') as string, r.get('model') as string);
        return found;
      },
      writeTwins: async (twinRows) => {
        // A twin that moves to another model loses the labels of its old model's line.
        for (const row of twinRows) {
          if (!row.previous || row.previous.$metadata.$model === row.twin.$metadata.$model) continue;
          const current = (
            await rows(`MATCH (t:Twin {${TWIN_ID}: $id}) RETURN labels(t) AS labels`, { id: row.twin.$dtId })
          )[0]?.get('labels') as string[] | undefined;
          const stale = (current ?? []).filter((l) => l !== 'Twin' && !row.models.includes(l));
          if (stale.length > 0)
            await rows(`MATCH (t:Twin {${TWIN_ID}: $id}) REMOVE t${stale.map((l) => `:${modelLabel(l)}`).join('')}`, {
              id: row.twin.$dtId,
            });
        }
        // New twins are CREATEd, not MERGEd: two writers creating one id then collide on the uniqueness
        // constraint, and the loser's transaction is run again (see transact), where it finds the twin.
        const groups = new Map<string, { models: readonly string[]; exists: boolean; rows: Props[] }>();
        for (const row of twinRows) {
          const key = `${row.previous ? 'replace' : 'create'}\n${row.models.join('\n')}`;
          if (!groups.has(key)) groups.set(key, { models: row.models, exists: row.previous !== undefined, rows: [] });
          const { $dtId: id, $etag: etag, $metadata: metadata } = row.twin;
          groups
            .get(key)!
            .rows.push({ id, props: storedProperties(row.twin, { $dtId: id, _etag: etag, _model: metadata.$model }) });
        }
        for (const { models, exists, rows: group } of groups.values()) {
          const labels = models.map((m) => `:${modelLabel(m)}`).join('');
          await rows(
            exists
              ? `UNWIND $rows AS row MATCH (t:Twin {${TWIN_ID}: row.id}) SET t = row.props SET t${labels}`
              : `UNWIND $rows AS row CREATE (t:Twin${labels}) SET t = row.props`,
            { rows: group },
          );
        }
      },
      deleteTwins: async (ids) => {
        await rows('MATCH (p:MetricPoint) WHERE p.twin IN $ids DELETE p', { ids: [...ids] });
        await rows(`MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids DELETE t`, { ids: [...ids] });
      },
      relationships: async (keys) => {
        const found = new Map<string, Relationship>();
        if (keys.length === 0) return found;
        const records = await rows(
          `UNWIND $keys AS k MATCH (:Twin {${TWIN_ID}: k.source})-[r]->(:Twin) WHERE r.${RELATIONSHIP_ID} = k.id SET r._lock = true REMOVE r._lock RETURN r._body AS body`,
          { keys: keys.map(([source, id]) => ({ source, id })) },
        );
        for (const r of records) {
          const relationship = parseJson<Relationship>(r.get('body'));
          found.set(relationshipKey(relationship.$sourceId, relationship.$relationshipId), relationship);
        }
        return found;
      },
      relationshipsTouching: async (twinId, limit) =>
        (
          await rows(`MATCH (:Twin {${TWIN_ID}: $id})-[r]-(:Twin) RETURN r._body AS body LIMIT $limit`, {
            id: twinId,
            limit: this.int(limit),
          })
        ).map((r) => parseJson<Relationship>(r.get('body'))),
      writeRelationships: async (relationshipRows) => {
        // A replaced relationship may change name or target: the old one goes, the new one is created.
        await deleteRelationships(relationshipRows.filter((r) => r.previous).map((r) => r.previous!));
        const byName = new Map<string, Props[]>();
        for (const { relationship: r } of relationshipRows) {
          if (!byName.has(r.$relationshipName)) byName.set(r.$relationshipName, []);
          byName.get(r.$relationshipName)!.push({
            source: r.$sourceId,
            target: r.$targetId,
            props: storedProperties(r, { $relationshipId: r.$relationshipId, _etag: r.$etag }),
          });
        }
        for (const [name, group] of byName) {
          const created = await rows(
            `UNWIND $rows AS row MATCH (s:Twin {${TWIN_ID}: row.source}) MATCH (t:Twin {${TWIN_ID}: row.target}) CREATE (s)-[r${relationshipTypes([name])}]->(t) SET r = row.props RETURN count(r) AS n`,
            { rows: group },
          );
          if (Number(created[0]?.get('n') ?? 0) !== group.length) {
            throw new TwingraphError(
              'TargetTwinNotFound',
              'A relationship endpoint was deleted while the relationship was being written; retry.',
            );
          }
        }
      },
      deleteRelationships,
      appendPoints: async (points) => {
        await rows(
          'UNWIND $points AS p MERGE (m:MetricPoint {twin: p.twin, name: p.name, ts: p.ts}) SET m.value = p.value, m.json = p.json',
          {
            points: points.map((p) => ({ twin: p.twinId, name: p.name, ts: p.ts, value: p.value, json: p.json })),
          },
        );
      },
      appendChanges: async (changes) => {
        if (changes.length === 0) return [];
        const rowsOf = changes.map((c) => this.changeRow(c));
        const records = await rows(
          "MERGE (counter:Counter {name: 'changes'}) ON CREATE SET counter.value = 0 " +
            'SET counter._lock = true REMOVE counter._lock ' +
            'WITH counter, counter.value AS base SET counter.value = base + size($rows) ' +
            'WITH base UNWIND range(0, size($rows) - 1) AS i WITH base + i + 1 AS seq, $rows[i] AS row ' +
            'CREATE (c:Change {seq: seq, time: row.time, type: row.type, subject: row.subject, model: row.model, twin: row.twin, relationship: row.relationship, patch: row.patch, body: row.body}) ' +
            "FOREACH (_ IN CASE WHEN row.partition IS NULL THEN [] ELSE [1] END | CREATE (:OutboxEntry {seq: seq, partition: row.partition, status: 'pending', attempts: 0, availableAt: $now, barrier: row.barrier})) " +
            'RETURN max(seq) AS last',
          { rows: rowsOf, now: this.now() },
        );
        state.lastSeq = Number(records[0].get('last'));
        const seqs = changes.map((_, i) => state.lastSeq - changes.length + 1 + i);
        // The first entry of each partition written here becomes its head, unless the partition has one
        // already (an entry pending before it). Under the outbox lock (taken after the change counter's, as
        // by every writer), so that no acknowledgement removes that head unseen.
        const seen = new Set<string>();
        const firsts: number[] = [];
        for (const [i, row] of rowsOf.entries()) {
          const partition = row.partition as string | null;
          if (partition !== null && !seen.has(partition)) {
            seen.add(partition);
            firsts.push(seqs[i]);
          }
        }
        if (firsts.length > 0) {
          await this.lockOutbox(tx);
          await rows(
            'UNWIND $firsts AS s MATCH (o:OutboxEntry {seq: s}) WHERE NOT EXISTS { MATCH (h:OutboxEntry) WHERE h.partition = o.partition AND h.head = true } SET o.head = true',
            { firsts },
          );
        }
        return seqs;
      },
    };
  }

  private changeRow(change: PendingChange): Props {
    return {
      time: change.time,
      type: change.type,
      subject: change.subject,
      model: change.modelId ?? null,
      twin: change.twinId ?? null,
      relationship: change.relationshipId ?? null,
      patch: change.patch ? JSON.stringify(change.patch) : null,
      body: JSON.stringify(change.body),
      partition: this.outbox && isMirrored(change.type) ? outboxPartition(change) : null,
      // Set only on barriers (null sets no property).
      barrier: isOutboxBarrier(change.type) ? true : null,
    };
  }

  // ── Model and twin reads ────────────────────────────────────────────────────────────────────────

  async listModels(options: ListModelsOptions = {}): Promise<ModelRecord[]> {
    const include = options.includeDefinition ?? false;
    const all = await this.read(async (tx) =>
      (await tx.run('MATCH (m:Model) RETURN properties(m) AS m ORDER BY m.uploadTime, m.id')).records.map((r) =>
        modelFromProps(r.get('m') as Props, include),
      ),
    );
    if (!options.dependenciesFor) return all;
    const byId = new Map(all.map((m) => [m.id, m]));
    return dependencyClosure(options.dependenciesFor, (id) => byId.get(id));
  }

  async getModel(id: string, options: { includeDefinition?: boolean } = {}): Promise<ModelRecord> {
    const props = await this.read(
      async (tx) =>
        (await tx.run('MATCH (m:Model {id: $id}) RETURN properties(m) AS m', { id })).records[0]?.get('m') as
          Props | undefined,
    );
    if (!props)
      throw new TwingraphError('ModelNotFound', `There is no model '${id}'. Check the id, or upload the model.`, {
        modelId: id,
      });
    return modelFromProps(props, options.includeDefinition ?? false);
  }

  private async readTwins(tx: CypherRunner, ids: readonly string[]): Promise<Map<string, Twin>> {
    const found = new Map<string, Twin>();
    if (ids.length === 0) return found;
    for (const r of (
      await tx.run(`MATCH (t:Twin) WHERE t.${TWIN_ID} IN $ids RETURN t._body AS body`, { ids: [...ids] })
    ).records) {
      const twin = parseJson<Twin>(r.get('body'));
      found.set(twin.$dtId, twin);
    }
    return found;
  }

  async getTwin(id: string): Promise<Twin> {
    const twin = typeof id === 'string' ? (await this.read((tx) => this.readTwins(tx, [id]))).get(id) : undefined;
    if (!twin)
      throw new TwingraphError('DigitalTwinNotFound', `There is no digital twin with id '${id}'.`, {
        twinId: String(id),
      });
    return twin;
  }

  async getTwins(ids: readonly string[]): Promise<(Twin | undefined)[]> {
    checkIds(ids);
    const found = await this.read((tx) => this.readTwins(tx, ids));
    return ids.map((id) => found.get(id));
  }

  private async requireTwinExists(tx: CypherRunner, id: string): Promise<void> {
    const exists =
      typeof id === 'string' &&
      (await tx.run(`MATCH (t:Twin {${TWIN_ID}: $id}) RETURN count(t) AS n`, { id })).records[0].get('n');
    if (!exists)
      throw new TwingraphError('DigitalTwinNotFound', `There is no digital twin with id '${id}'.`, {
        twinId: String(id),
      });
  }

  async getRelationship(sourceId: string, relationshipId: string): Promise<Relationship> {
    return this.read(async (tx) => {
      await this.requireTwinExists(tx, sourceId);
      const body = (
        await tx.run(
          `MATCH (:Twin {${TWIN_ID}: $source})-[r]->(:Twin) WHERE r.${RELATIONSHIP_ID} = $id RETURN r._body AS body`,
          { source: sourceId, id: relationshipId },
        )
      ).records[0]?.get('body');
      if (body == null) {
        throw new TwingraphError(
          'RelationshipNotFound',
          `Twin '${sourceId}' has no relationship with id '${relationshipId}'.`,
          { twinId: sourceId, relationshipId },
        );
      }
      return parseJson<Relationship>(body);
    });
  }

  async listRelationships(sourceId: string, options: { name?: string } = {}): Promise<Relationship[]> {
    return this.read(async (tx) => {
      await this.requireTwinExists(tx, sourceId);
      const result = await tx.run(
        `MATCH (:Twin {${TWIN_ID}: $id})-[r]->(:Twin) WHERE $name IS NULL OR type(r) = $name RETURN r._body AS body ORDER BY r.${RELATIONSHIP_ID}`,
        { id: sourceId, name: options.name ?? null },
      );
      return result.records.map((r) => parseJson<Relationship>(r.get('body')));
    });
  }

  async listIncomingRelationships(targetId: string, options: { name?: string } = {}): Promise<Relationship[]> {
    return this.read(async (tx) => {
      await this.requireTwinExists(tx, targetId);
      const result = await tx.run(
        `MATCH (s:Twin)-[r]->(:Twin {${TWIN_ID}: $id}) WHERE $name IS NULL OR type(r) = $name RETURN r._body AS body ORDER BY s.${TWIN_ID}, r.${RELATIONSHIP_ID}`,
        { id: targetId, name: options.name ?? null },
      );
      return result.records.map((r) => parseJson<Relationship>(r.get('body')));
    });
  }

  // ── Queries ─────────────────────────────────────────────────────────────────────────────────────

  /** Pages twins bound to `t` by `match` (a MATCH … ending with `t` in scope). */
  private async pageTwins(query: TwinQuery, match: (params: CypherParams) => string): Promise<Page<Twin>> {
    if (query.where) checkFilter(query.where);
    const orderBy = checkOrderBy(query.orderBy);
    const plan = planPage(query);
    checkCursorFits(plan.cursor, orderBy);
    const params = new CypherParams((n) => this.int(n));
    const conditions: string[] = [];
    const head = match(params);
    if (query.where) conditions.push(compileFilter(query.where, { kind: 'twin', variable: 't' }, params));
    if (plan.cursor) conditions.push(keysetCondition('t', orderBy, plan.cursor, plan.backward, params));
    const where = conditions.length ? ` WITH t WHERE ${conditions.join(' AND ')}` : '';
    const text = `${head}${where} WITH t ORDER BY ${orderByClause('t', orderBy, plan.backward)} LIMIT ${params.bindInteger(plan.limit + 1)} RETURN t._body AS body`;
    const countParams = new CypherParams((n) => this.int(n));
    const countHead = query.totalCount ? match(countParams) : '';
    const countWhere =
      query.totalCount && query.where
        ? ` WITH t WHERE ${compileFilter(query.where, { kind: 'twin', variable: 't' }, countParams)}`
        : '';
    const { twins, total } = await this.read(async (tx) => {
      const records = (await tx.run(text, params.values)).records;
      const n = query.totalCount
        ? Number(
            (await tx.run(`${countHead}${countWhere} RETURN count(t) AS n`, countParams.values)).records[0].get('n'),
          )
        : undefined;
      return { twins: records.map((r) => parseJson<Twin>(r.get('body'))), total: n };
    });
    const page = toPage(
      twins,
      plan,
      (t) => [...orderBy.map((o) => valueAt(t, o.path)), t.$dtId],
      plan.cursor !== undefined,
    );
    if (total !== undefined) page.totalCount = total;
    return page;
  }

  async queryTwins(query: TwinQuery): Promise<Page<Twin>> {
    return this.pageTwins(query, () => 'MATCH (t:Twin)');
  }

  async traverse(traversal: Traversal): Promise<Page<Twin>> {
    checkTraversal(traversal);
    return this.pageTwins(traversal, (params) => traversalMatch(traversal, params));
  }

  /** MATCH … WHERE of one hop from a set of anchor twins: `anchorId`, `r` the relationship, `o` the twin reached. */
  private hopMatch(ids: readonly string[], hop: Hop, params: CypherParams): string {
    const arrow =
      hop.direction === 'out' ? `-[r${relationshipTypes(hop.names)}]->` : `<-[r${relationshipTypes(hop.names)}]-`;
    const conditions: string[] = [];
    if (hop.edge) conditions.push(compileFilter(hop.edge, { kind: 'edge', variable: 'r' }, params));
    if (hop.where) conditions.push(compileFilter(hop.where, { kind: 'twin', variable: 'o' }, params));
    return (
      `UNWIND ${params.bind([...new Set(ids)])} AS anchorId MATCH (a:Twin {${TWIN_ID}: anchorId})${arrow}(o:Twin)` +
      (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '')
    );
  }

  async neighbors(query: NeighborQuery): Promise<{ twin: Twin; relationship: Relationship }[][]> {
    const orderBy = checkNeighborQuery(query);
    const params = new CypherParams((n) => this.int(n));
    const text =
      `${this.hopMatch(query.ids, query.hop, params)} ` +
      `WITH anchorId, r, o ORDER BY anchorId, ${orderByClause('o', orderBy, false)}, startNode(r).${TWIN_ID}, r.${RELATIONSHIP_ID} ` +
      'WITH anchorId, collect({r: r._body, o: o._body}) AS found ' +
      `WITH anchorId, found[0..${params.bindInteger(query.first)}] AS items UNWIND items AS item RETURN anchorId, item.r AS r, item.o AS o`;
    const byAnchor = new Map<string, { twin: Twin; relationship: Relationship }[]>();
    for (const record of await this.read(async (tx) => (await tx.run(text, params.values)).records)) {
      const anchor = record.get('anchorId') as string;
      if (!byAnchor.has(anchor)) byAnchor.set(anchor, []);
      byAnchor
        .get(anchor)!
        .push({ twin: parseJson<Twin>(record.get('o')), relationship: parseJson<Relationship>(record.get('r')) });
    }
    return query.ids.map((id) => byAnchor.get(id) ?? []);
  }

  async neighborCounts(ids: readonly string[], hop: Hop): Promise<number[]> {
    checkNeighborQuery({ ids, hop, first: 0 });
    const params = new CypherParams((n) => this.int(n));
    const text = `${this.hopMatch(ids, hop, params)} RETURN anchorId, count(*) AS n`;
    const counts = new Map<string, number>();
    for (const record of await this.read(async (tx) => (await tx.run(text, params.values)).records))
      counts.set(record.get('anchorId') as string, Number(record.get('n')));
    return ids.map((id) => counts.get(id) ?? 0);
  }

  // ── Metrics ─────────────────────────────────────────────────────────────────────────────────────

  private point(key: MetricSeriesKey, r: CypherRecord): MetricPoint {
    const json = r.get('json');
    return {
      twinId: key.twinId,
      name: key.name,
      time: isoTime(Number(r.get('ts'))),
      value: json != null ? parseJson(json) : (r.get('value') as number),
    };
  }

  async readMetrics(range: MetricRange): Promise<MetricPoint[]> {
    const { from, to } = checkMetricRange(range);
    const limit = Math.min(range.limit ?? DEFAULT_METRIC_LIMIT, MAX_METRIC_LIMIT);
    return this.read(async (tx) => {
      await this.requireTwinExists(tx, range.twinId);
      const result = await tx.run(
        `MATCH (p:MetricPoint {twin: $twin, name: $name}) WHERE p.ts >= $from AND p.ts < $to RETURN p.ts AS ts, p.value AS value, p.json AS json ORDER BY ts ${range.descending ? 'DESC' : 'ASC'} LIMIT $limit`,
        { twin: range.twinId, name: range.name, from, to, limit: this.int(limit) },
      );
      return result.records.map((r) => this.point(range, r));
    });
  }

  async aggregateMetrics(request: MetricAggregation): Promise<MetricBucket[][]> {
    const { from, to, windowMs } = checkAggregation(request);
    return this.read(async (tx) => {
      const out: MetricBucket[][] = [];
      for (const key of request.series) {
        const buckets = (
          await tx.run(
            'MATCH (p:MetricPoint {twin: $twin, name: $name}) WHERE p.ts >= $from AND p.ts < $to AND p.value IS NOT NULL ' +
              'WITH toInteger(floor((p.ts - $from) / $w)) AS b, p ' +
              'RETURN b, count(p) AS count, min(p.value) AS min, max(p.value) AS max, avg(p.value) AS avg, sum(p.value) AS sum, max(p.ts) AS lastTs ORDER BY b',
            { twin: key.twinId, name: key.name, from, to, w: windowMs },
          )
        ).records.map((r) =>
          Object.fromEntries(['b', 'count', 'min', 'max', 'avg', 'sum', 'lastTs'].map((k) => [k, Number(r.get(k))])),
        );
        const lastValues = new Map<number, number>();
        if (buckets.length > 0) {
          const records = (
            await tx.run(
              'UNWIND $ts AS ts MATCH (p:MetricPoint {twin: $twin, name: $name, ts: ts}) RETURN ts, p.value AS value',
              {
                twin: key.twinId,
                name: key.name,
                ts: buckets.map((b) => b.lastTs),
              },
            )
          ).records;
          for (const r of records) lastValues.set(Number(r.get('ts')), r.get('value') as number);
        }
        out.push(buckets.map((row) => metricWindows.bucket(from, windowMs, row, (ts) => lastValues.get(ts)!)));
      }
      return out;
    });
  }

  async latestMetrics(series: readonly MetricSeriesKey[]): Promise<(MetricPoint | undefined)[]> {
    return this.read(async (tx) => {
      const out: (MetricPoint | undefined)[] = [];
      for (const key of series) {
        const record = (
          await tx.run(
            'MATCH (p:MetricPoint {twin: $twin, name: $name}) RETURN p.ts AS ts, p.value AS value, p.json AS json ORDER BY ts DESC LIMIT 1',
            {
              twin: key.twinId,
              name: key.name,
            },
          )
        ).records[0];
        out.push(record ? this.point(key, record) : undefined);
      }
      return out;
    });
  }

  // ── Change log ──────────────────────────────────────────────────────────────────────────────────

  async readChanges(options: ReadChangesOptions): Promise<ChangeEntry[]> {
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 10_000);
    return this.read(async (tx) =>
      (
        await tx.run('MATCH (c:Change) WHERE c.seq > $after RETURN properties(c) AS c ORDER BY c.seq LIMIT $limit', {
          after: options.after,
          limit: this.int(limit),
        })
      ).records.map((r) => changeFromProps(r.get('c') as Props)),
    );
  }

  private async latest(tx: CypherRunner): Promise<number> {
    const value = (
      await tx.run("OPTIONAL MATCH (c:Counter {name: 'changes'}) RETURN c.value AS value")
    ).records[0]?.get('value');
    return value == null ? 0 : Number(value);
  }

  async latestSeq(): Promise<number> {
    return this.read((tx) => this.latest(tx));
  }

  async firstSeq(): Promise<number> {
    return this.read(async (tx) => {
      const first = (await tx.run('MATCH (c:Change) RETURN min(c.seq) AS seq')).records[0]?.get('seq');
      return first == null ? (await this.latest(tx)) + 1 : Number(first);
    });
  }

  async pruneChanges(options: PruneOptions): Promise<number> {
    return this.session('WRITE', async (tx) => {
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
        latest: await this.latest(tx),
        firstSince: since == null ? undefined : Number(since),
        oldestInOutbox: pending == null ? undefined : Number(pending),
      });
      return Number(
        (
          await tx.run('MATCH (c:Change) WHERE c.seq < $cutoff DELETE c RETURN count(*) AS n', { cutoff })
        ).records[0].get('n'),
      );
    });
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── Outbox ──────────────────────────────────────────────────────────────────────────────────────

  /** One outbox writer at a time where heads change or are read to claim (enqueue, claim, ack, park, retry). */
  private async lockOutbox(tx: CypherRunner): Promise<void> {
    await tx.run("MERGE (l:Counter {name: 'outbox'}) ON CREATE SET l.value = 0 SET l._lock = true REMOVE l._lock");
  }

  /**
   * Makes the first pending entry of each partition named its head, and no other entry (after entries of
   * theirs were acknowledged, parked or put back in line). Two index seeks per partition: its entries in seq
   * order up to the first pending one (past its dead letters only), and its head.
   */
  private async fixHeads(tx: CypherRunner, partitions: readonly string[]): Promise<void> {
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

  async claimOutbox(options: ClaimOptions): Promise<OutboxEntry[]> {
    const now = this.now();
    return this.session('WRITE', async (tx) => {
      // One claimer at a time, so that two workers never take the same entries.
      await this.lockOutbox(tx);
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
          { now, limit: this.int(options.limit), examine: this.int(outboxHeadsToExamine(options.limit)) },
        )
      ).records;
      const claimed = records.map((r) => outboxFromProps(r.get('o') as Props, r.get('c') as Props));
      if (claimed.length > 0) {
        await tx.run('UNWIND $seqs AS s MATCH (o:OutboxEntry {seq: s}) SET o.claimedUntil = $until', {
          seqs: claimed.map((e) => e.seq),
          until: now + options.leaseMs,
        });
      }
      return claimed;
    });
  }

  async renewOutbox(seqs: readonly number[], leaseMs: number): Promise<void> {
    await this.session('WRITE', (tx) =>
      tx.run(
        "MATCH (o:OutboxEntry) WHERE o.seq IN $seqs AND o.status = 'pending' AND o.claimedUntil IS NOT NULL SET o.claimedUntil = $until",
        {
          seqs: [...seqs],
          until: this.now() + leaseMs,
        },
      ),
    );
  }

  async ackOutbox(seqs: readonly number[]): Promise<void> {
    await this.session('WRITE', async (tx) => {
      await this.lockOutbox(tx);
      const headless = (
        await tx.run(
          'MATCH (o:OutboxEntry) WHERE o.seq IN $seqs WITH o, o.partition AS partition, o.head AS head DELETE o WITH partition, head WHERE head = true RETURN DISTINCT partition',
          { seqs: [...seqs] },
        )
      ).records.map((r) => r.get('partition') as string);
      await this.fixHeads(tx, headless);
    });
  }

  async releaseOutbox(seqs: readonly number[]): Promise<void> {
    await this.session('WRITE', (tx) =>
      tx.run("MATCH (o:OutboxEntry) WHERE o.seq IN $seqs AND o.status = 'pending' SET o.claimedUntil = null", {
        seqs: [...seqs],
      }),
    );
  }

  async failOutbox(seq: number, options: FailOptions): Promise<void> {
    const status = options.dead ? 'dead' : 'pending';
    await this.session('WRITE', async (tx) => {
      // Parking an entry (or, from an out-of-date worker, putting a dead letter back) changes its partition's head.
      await this.lockOutbox(tx);
      const moved = (
        await tx.run(
          'MATCH (o:OutboxEntry {seq: $seq}) WITH o, o.status AS was ' +
            'SET o.attempts = o.attempts + 1, o.lastError = $error, o.status = $status, o.availableAt = $at, o.claimedUntil = null ' +
            'WITH o, was WHERE was <> $status RETURN o.partition AS partition',
          { seq, error: options.error, status, at: this.now() + (options.retryAfterMs ?? 0) },
        )
      ).records.map((r) => r.get('partition') as string);
      await this.fixHeads(tx, moved);
    });
  }

  async outboxStats(): Promise<OutboxStats> {
    const r = await this.read(
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

  async listDeadLetters(options: { limit?: number } = {}): Promise<OutboxEntry[]> {
    return this.read(async (tx) =>
      (
        await tx.run(
          "MATCH (o:OutboxEntry) WHERE o.status = 'dead' AND o.seq IS NOT NULL WITH o ORDER BY o.seq LIMIT $limit MATCH (c:Change {seq: o.seq}) RETURN properties(o) AS o, properties(c) AS c ORDER BY o.seq",
          { limit: this.int(options.limit ?? 100) },
        )
      ).records.map((r) => outboxFromProps(r.get('o') as Props, r.get('c') as Props)),
    );
  }

  async retryDeadLetters(seqs?: readonly number[]): Promise<number> {
    return this.session('WRITE', async (tx) => {
      await this.lockOutbox(tx);
      const r = (
        await tx.run(
          "MATCH (o:OutboxEntry) WHERE o.status = 'dead' AND ($seqs IS NULL OR o.seq IN $seqs) SET o.status = 'pending', o.attempts = 0, o.availableAt = $now, o.claimedUntil = null, o.resync = true " +
            'RETURN count(o) AS n, collect(DISTINCT o.partition) AS partitions',
          { seqs: seqs ? [...seqs] : null, now: this.now() },
        )
      ).records[0];
      await this.fixHeads(tx, (r?.get('partitions') as string[] | undefined) ?? []);
      return Number(r?.get('n') ?? 0);
    });
  }

  async dropDeadLetters(seqs?: readonly number[]): Promise<number> {
    return this.session('WRITE', async (tx) =>
      Number(
        (
          await tx.run(
            "MATCH (o:OutboxEntry) WHERE o.status = 'dead' AND ($seqs IS NULL OR o.seq IN $seqs) DELETE o RETURN count(*) AS n",
            { seqs: seqs ? [...seqs] : null },
          )
        ).records[0].get('n'),
      ),
    );
  }

  // ── Housekeeping ────────────────────────────────────────────────────────────────────────────────

  async ensurePropertyIndexes(paths: readonly PropertyPath[]): Promise<void> {
    for (const path of paths) {
      checkPath(path);
      if (path[0].startsWith('$')) continue;
      const key = path.join('.');
      await this.session('WRITE', (tx) =>
        tx.run(
          `CREATE INDEX ${quote(`twin_property_${path.join('__')}`)} IF NOT EXISTS FOR (t:Twin) ON (t.${quote(key)})`,
        ),
      );
    }
  }

  async counts(): Promise<StoreCounts> {
    return this.read(async (tx) => {
      const n = async (query: string): Promise<number> => Number((await tx.run(query)).records[0].get('n'));
      const first = (await tx.run('MATCH (c:Change) RETURN min(c.seq) AS seq')).records[0]?.get('seq');
      const latest = await this.latest(tx);
      return {
        models: await n('MATCH (m:Model) RETURN count(m) AS n'),
        twins: await n('MATCH (t:Twin) RETURN count(t) AS n'),
        relationships: await n('MATCH (:Twin)-[r]->(:Twin) RETURN count(r) AS n'),
        metricPoints: await n('MATCH (p:MetricPoint) RETURN count(p) AS n'),
        changes: first == null ? 0 : latest - Number(first) + 1,
      };
    });
  }

  async ping(): Promise<void> {
    await this.read((tx) => tx.run('RETURN 1 AS one'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    if (this.ownsDriver) await this.driver.close();
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
