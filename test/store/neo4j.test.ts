/**
 * The Neo4j adapter against a real Neo4j 5, whenever NEO4J_URI is set (with NEO4J_USER, NEO4J_PASSWORD and
 * optionally NEO4J_DATABASE; `npm run test:neo4j` starts a server and sets it): the same contract every store
 * passes. Each test starts from an empty database, so point it at a database you can wipe.
 *
 * Every statement the adapter sends is watched for the notifications Neo4j attaches to a query it accepts but
 * objects to (deprecated syntax that a later Neo4j refuses, cartesian products, unbounded patterns, …): after
 * the contract, none may be left but the harmless ones (a label not there yet, an index that already exists).
 */
import type { Notification } from 'neo4j-driver';
import { connectNeo4j, type CypherDriver, type CypherRunner } from '../../src/store/neo4j/driver';
import { openNeo4jStore } from '../../src/store/neo4j/store';
import { neo4jFromEnv, planOnNeo4j, runOnNeo4j, wipeNeo4j, type PlanOperator } from '../neo4j/server';
import { describeWhen } from '../support/shared';
import { describeStoreContract } from './contract';

const server = neo4jFromEnv();

/**
 * Notifications that are no fault of the statement: names that do not exist yet (any statement on an empty
 * database), and the schema statements run at every start, which are idempotent by design.
 */
const HARMLESS = new Set([
  'Neo.ClientNotification.Statement.UnknownLabelWarning',
  'Neo.ClientNotification.Statement.UnknownPropertyKeyWarning',
  'Neo.ClientNotification.Statement.UnknownRelationshipTypeWarning',
  'Neo.ClientNotification.Schema.IndexOrConstraintAlreadyExists',
  'Neo.ClientNotification.Schema.IndexOrConstraintDoesNotExist',
]);

/** Each distinct statement the adapter sent, with the parameters of its first run. */
const sent = new Map<string, Record<string, unknown>>();

/** Each notification Neo4j gave a statement, once per (code, statement). */
const notified = new Map<string, { code: string; title: string; description: string; query: string }>();

/** The driver, with every statement's notifications recorded. */
function watched(driver: CypherDriver): CypherDriver {
  const watch = (tx: CypherRunner): CypherRunner => ({
    run: async (query, parameters) => {
      if (!sent.has(query)) sent.set(query, parameters ?? {});
      const result = await tx.run(query, parameters);
      const notifications = (result as { summary?: { notifications?: Notification[] } }).summary?.notifications;
      for (const n of notifications ?? []) {
        if (HARMLESS.has(n.code)) continue;
        notified.set(`${n.code}\n${query}`, { code: n.code, title: n.title, description: n.description, query });
      }
      return result;
    },
  });
  return {
    ...driver,
    session: (config) => {
      const session = driver.session(config);
      return {
        run: (query, parameters) => watch(session).run(query, parameters),
        executeRead: (work) => session.executeRead((tx) => work(watch(tx))),
        executeWrite: (work) => session.executeWrite((tx) => work(watch(tx))),
        close: () => session.close(),
      };
    },
  };
}

describeWhen(
  server !== undefined,
  'Neo4j 5 at NEO4J_URI',
  'NEO4J_URI is not set (no Neo4j server to test against; `npm run test:neo4j` starts one)',
  () => {
    describeStoreContract('Neo4j adapter', async (options) => {
      await wipeNeo4j(server!);
      const driver = watched(connectNeo4j(server!));
      return openNeo4jStore({ driver, ...(server!.database && { database: server!.database }), ...options });
    });

    describe('storage layout', () => {
      const open = async (options: { outbox?: boolean } = {}) =>
        openNeo4jStore({
          driver: watched(connectNeo4j(server!)),
          ...(server!.database && { database: server!.database }),
          ...options,
        });
      const model = (id: string, ancestors: string[] = []) => ({
        id,
        definition: { '@id': id },
        ancestors,
        dependencies: ancestors.slice(0, 1),
      });
      const properties = async (id: string): Promise<Record<string, unknown>> =>
        (
          await runOnNeo4j(server!, 'MATCH (t:Twin {`$dtId`: $id}) RETURN properties(t) AS p, labels(t) AS l', { id })
        )[0];

      beforeEach(() => wipeNeo4j(server!));

      it('gives a twin the label of its model and of every ancestor, and moves them when the model changes', async () => {
        const store = await open();
        try {
          await store.putModels([
            model('dtmi:x:Space;1'),
            model('dtmi:x:Room;1', ['dtmi:x:Space;1']),
            model('dtmi:x:Device;1'),
          ]);
          await store.createTwin('r1', { $metadata: { $model: 'dtmi:x:Room;1' }, name: 'R1' });
          expect(((await properties('r1')).l as string[]).sort()).toEqual(['Twin', 'dtmi:x:Room;1', 'dtmi:x:Space;1']);
          await store.patchTwin('r1', [{ op: 'replace', path: '/$metadata/$model', value: 'dtmi:x:Device;1' }]);
          expect(((await properties('r1')).l as string[]).sort()).toEqual(['Twin', 'dtmi:x:Device;1']);
        } finally {
          await store.close();
        }
      });

      it('commits concurrent writes in shared transactions (group commit), each answered as it would be alone', async () => {
        let writeTransactions = 0;
        const driver = watched(connectNeo4j(server!));
        const counting: CypherDriver = {
          ...driver,
          session: (config) => {
            const session = driver.session(config);
            return {
              ...session,
              executeWrite: (work) => {
                writeTransactions++;
                return session.executeWrite(work);
              },
            };
          },
        };
        const store = await openNeo4jStore({
          driver: counting,
          ...(server!.database && { database: server!.database }),
        });
        try {
          await store.putModels([model('dtmi:x:Room;1')]);
          const rooms = await store.createTwins(
            Array.from({ length: 20 }, (_, i) => ({
              id: `r${i}`,
              twin: { $metadata: { $model: 'dtmi:x:Room;1' }, n: 0 },
            })),
          );
          const [transactionsBefore, seqBefore] = [writeTransactions, await store.latestSeq()];
          // Twenty patches at once, the eighth with a stale ETag.
          const results = await Promise.allSettled(
            rooms.map((room, i) =>
              store.patchTwin(room.$dtId, [{ op: 'replace', path: '/n', value: i + 1 }], {
                ifMatch: i === 7 ? 'W/"stale"' : room.$etag,
              }),
            ),
          );
          expect(results[7]).toMatchObject({ status: 'rejected', reason: { code: 'PreconditionFailed' } });
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(19);
          // Fewer transactions than writes: they were grouped (the refused one cost its group a second run).
          expect(writeTransactions - transactionsBefore).toBeLessThan(10);
          const changes = await store.readChanges({ after: seqBefore });
          expect(changes.map((c) => c.seq)).toEqual(Array.from({ length: 19 }, (_, i) => seqBefore + 1 + i));
          expect(changes.map((c) => c.twinId)).not.toContain('r7');
          expect((await store.getTwin('r7')).n).toBe(0);
          for (const i of [0, 6, 8, 19]) expect((await store.getTwin(`r${i}`)).n).toBe(i + 1);
        } finally {
          await store.close();
        }
      });

      it('reads no relationship for a hop of twins alone (withRelationships: false), and reads it otherwise', async () => {
        const store = await open();
        try {
          await store.putModels([model('dtmi:x:Room;1')]);
          for (const id of ['a', 'b']) await store.createTwin(id, { $metadata: { $model: 'dtmi:x:Room;1' } });
          await store.putRelationship('a', 'a-b', { $targetId: 'b', $relationshipName: 'next' });
          const hop = { direction: 'out', names: ['next'] } as const;
          const [[alone]] = await store.neighbors({ ids: ['a'], hop: { ...hop, withRelationships: false }, first: 5 });
          expect(alone.twin.$dtId).toBe('b');
          expect(alone.relationship).toBeUndefined();
          const [[full]] = await store.neighbors({ ids: ['a'], hop, first: 5 });
          expect(full.relationship.$relationshipId).toBe('a-b');
        } finally {
          await store.close();
        }
      });

      it('keeps the ADT JSON in _body and each scalar leaf as a native property by dotted path', async () => {
        const store = await open();
        try {
          await store.putModels([model('dtmi:x:Room;1')]);
          const twin = await store.createTwin('r1', {
            $metadata: { $model: 'dtmi:x:Room;1' },
            temperature: 21.5,
            address: { city: 'Oslo', floor: 3 },
            tags: ['a', 'b'],
            readings: [{ at: 1 }, { at: 2 }],
            thermostat: { $metadata: {}, setPoint: 20 },
          });
          const props = (await properties('r1')).p as Record<string, unknown>;
          expect(JSON.parse(props._body as string)).toEqual(twin);
          expect(props).toMatchObject({
            temperature: 21.5,
            'address.city': 'Oslo',
            'address.floor': 3,
            tags: ['a', 'b'],
            'thermostat.setPoint': 20,
            _model: 'dtmi:x:Room;1',
          });
          // A list of objects has no native form: it is only in _body (and _paths, for `exists`).
          expect(props).not.toHaveProperty('readings');
          expect(props._paths).toEqual(
            expect.arrayContaining([
              'temperature',
              'address',
              'address.city',
              'readings',
              'thermostat',
              'thermostat.setPoint',
            ]),
          );
        } finally {
          await store.close();
        }
      });

      it('marks at start the barriers among outbox entries enqueued before entries carried `barrier`', async () => {
        const entries: [string, string][] = [
          ['Twin.Create', 'twin:a'],
          ['Model.Delete', 'models'],
          ['Model.Create', 'models'],
          ['Twin.Update', 'twin:b'],
        ];
        await runOnNeo4j(
          server!,
          "UNWIND range(0, size($entries) - 1) AS i CREATE (:Change {seq: i + 1, time: '2024-05-01T12:00:00.000Z', type: $entries[i][0], subject: 's', body: '{}'}) " +
            "CREATE (:OutboxEntry {seq: i + 1, partition: $entries[i][1], status: 'pending', attempts: 0, availableAt: 0})",
          { entries },
        );
        await runOnNeo4j(server!, "CREATE (:Counter {name: 'changes', value: 4})");
        const store = await open({ outbox: true });
        try {
          expect((await store.claimOutbox({ limit: 10, leaseMs: 1000 })).map((e) => e.seq)).toEqual([1, 4]);
          await store.ackOutbox([1, 4]);
          expect((await store.claimOutbox({ limit: 10, leaseMs: 1000 })).map((e) => e.change.type)).toEqual([
            'Model.Delete',
            'Model.Create',
          ]);
        } finally {
          await store.close();
        }
      });

      it('creates its constraints and indexes at start, online, and opening twice is harmless', async () => {
        await (await open()).close();
        const store = await open();
        try {
          await store.ensurePropertyIndexes([['temperature'], ['address', 'city']]);
          await store.ensurePropertyIndexes([['temperature']]);
        } finally {
          await store.close();
        }
        await runOnNeo4j(server!, 'CALL db.awaitIndexes(300)');
        const indexes = await runOnNeo4j(
          server!,
          'SHOW INDEXES YIELD name, state, owningConstraint RETURN name, state, owningConstraint',
        );
        const constraints = (await runOnNeo4j(server!, 'SHOW CONSTRAINTS YIELD name RETURN name')).map((c) => c.name);
        expect(constraints).toEqual(
          expect.arrayContaining([
            'twin_id',
            'model_id',
            'change_seq',
            'outbox_seq',
            'counter_name',
            'api_key_name',
            'api_key_hash',
          ]),
        );
        expect(indexes.map((i) => i.name)).toEqual(
          expect.arrayContaining([
            'twin_model',
            'change_time',
            'outbox_status',
            'outbox_partition',
            'outbox_head',
            'outbox_partition_head',
            'metric_point',
            'twin_property_temperature',
            'twin_property_address__city',
          ]),
        );
        expect(indexes.filter((i) => i.state !== 'ONLINE')).toEqual([]);
      });
    });

    it('sent no statement that Neo4j warned about while passing the contract', () => {
      expect([...notified.values()]).toEqual([]);
    });

    describe('with a graph large enough that Neo4j plans as it would in production', () => {
      /** A plan's operators, each with what it reads (`NodeByLabelScan t:Twin`, `NodeIndexSeek RANGE INDEX …`). */
      const operators = (plan: PlanOperator): string[] => [
        `${plan.operatorType.replace(/@.*/, '')} ${String(plan.arguments.Details ?? '')}`,
        ...plan.children.flatMap(operators),
      ];

      beforeAll(async () => {
        await wipeNeo4j(server!);
        // The store's constraints and indexes (the last contract test may have been on a wiped database).
        await (await openNeo4jStore({ driver: connectNeo4j(server!) })).close();
        // The planner weighs an index against a label scan by the label's size and the index's selectivity:
        // on the contract's handfuls of nodes it rightly scans. These sizes make scans lose by far.
        await runOnNeo4j(
          server!,
          "UNWIND range(1, 20000) AS i CREATE (:Change {seq: i, time: '2024-05-01T12:00:00.000Z', type: 'Twin.Update', subject: 't' + (i % 2000), twin: 't' + (i % 2000), body: '{}'})",
        );
        await runOnNeo4j(
          server!,
          "UNWIND range(1, 20000) AS i CREATE (o:OutboxEntry {seq: i, partition: 'twin:t' + (i % 2000), status: CASE WHEN i % 100 = 0 THEN 'dead' ELSE 'pending' END, attempts: 0, availableAt: 0}) FOREACH (_ IN CASE WHEN i <= 2000 THEN [1] ELSE [] END | SET o.head = true)",
        );
        await runOnNeo4j(
          server!,
          "UNWIND range(1, 50000) AS i CREATE (:MetricPoint {twin: 't' + (i % 2000), name: 'temperature', ts: 1714564800000 + i * 60000, value: 20.5})",
        );
        await runOnNeo4j(
          server!,
          "UNWIND range(0, 1999) AS i CREATE (t:Twin:`dtmi:test:Room;1`:`dtmi:test:Space;1` {`$dtId`: 't' + i, _model: 'dtmi:test:Room;1', _body: '{\"$dtId\": \"t' + i + '\", \"$metadata\": {\"$model\": \"dtmi:test:Room;1\"}, \"name\": \"room ' + i + '\"}', name: 'room ' + i, _paths: ['name'], _types: ['name=string']})",
        );
        await runOnNeo4j(
          server!,
          "MATCH (a:Twin) WITH a, 't' + ((toInteger(substring(a.`$dtId`, 1)) + 1) % 2000) AS next MATCH (b:Twin {`$dtId`: next}) CREATE (a)-[:contains {`$relationshipId`: 'r-' + a.`$dtId`, `$relationshipName`: 'contains', `$sourceId`: a.`$dtId`, `$targetId`: b.`$dtId`, _body: '{}'}]->(b)",
        );
        await runOnNeo4j(server!, 'CALL db.awaitIndexes(300)');
        await runOnNeo4j(server!, 'CALL db.resampleOutdatedIndexes()');
        // Plans made on the small graph are cached; these statements must be planned afresh.
        await runOnNeo4j(server!, 'CALL db.clearQueryCaches()');
      }, 120_000);

      it('reads the change log, the outbox and metric points through their indexes, and scans no whole graph', async () => {
        // Labels that grow without bound (the log, the outbox, telemetry), and scans of everything.
        const unbounded =
          /^(NodeByLabelScan \w+:(Change|OutboxEntry|MetricPoint)\b|AllNodesScan|(Directed|Undirected)AllRelationshipsScan)/;
        const scans: string[] = [];
        for (const [query, parameters] of sent) {
          if (/^(CREATE|DROP) (CONSTRAINT|INDEX)\b/.test(query)) continue;
          for (const operator of operators(await planOnNeo4j(server!, query, parameters)))
            if (unbounded.test(operator)) scans.push(`${operator}\n    in: ${query}`);
        }
        expect(sent.size).toBeGreaterThan(60);
        expect(scans).toEqual([]);
      });

      it('finds twins by id, by an indexed property and in id order through indexes, not by scanning every twin', async () => {
        const store = await openNeo4jStore({ driver: watched(connectNeo4j(server!)) });
        sent.clear();
        try {
          await store.ensurePropertyIndexes([['name']]);
          await runOnNeo4j(server!, 'CALL db.awaitIndexes(300)');
          const first = await store.queryTwins({ first: 10 });
          expect(first.items.map((t) => t.$dtId)).toEqual([
            't0',
            't1',
            't10',
            't100',
            't1000',
            't1001',
            't1002',
            't1003',
            't1004',
            't1005',
          ]);
          await store.queryTwins({ first: 10, after: first.pageInfo.endCursor! });
          await store.queryTwins({ last: 5, before: first.pageInfo.endCursor! });
          expect(
            (await store.queryTwins({ where: { path: ['$dtId'], op: 'in', values: ['t7', 't8'] } })).items,
          ).toHaveLength(2);
          expect((await store.queryTwins({ where: { path: ['name'], op: 'eq', value: 'room 7' } })).items).toHaveLength(
            1,
          );
          expect(
            (
              await store.queryTwins({
                where: {
                  and: [
                    { path: ['name'], op: 'startsWith', value: 'room 199' },
                    { not: { path: ['name'], op: 'eq', value: 'room 199' } },
                  ],
                },
              })
            ).items,
          ).toHaveLength(10);
          expect(
            (
              await store.traverse({
                from: { path: ['$dtId'], op: 'eq', value: 't7' },
                hops: [{ direction: 'out', names: ['contains'] }],
              })
            ).items.map((t) => t.$dtId),
          ).toEqual(['t8']);
        } finally {
          await store.close();
        }
        const scans: string[] = [];
        for (const [query, parameters] of sent) {
          if (/^(CREATE|DROP) (CONSTRAINT|INDEX)\b/.test(query)) continue;
          for (const operator of operators(await planOnNeo4j(server!, query, parameters)))
            if (/^(NodeByLabelScan|AllNodesScan)/.test(operator)) scans.push(`${operator}\n    in: ${query}`);
        }
        expect(sent.size).toBeGreaterThanOrEqual(6);
        expect(scans).toEqual([]);
      });
    });
  },
);
