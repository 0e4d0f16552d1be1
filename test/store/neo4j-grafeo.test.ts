/**
 * The Neo4j adapter, without a Neo4j server: its real Cypher runs on Grafeo through a driver-shaped shim that
 * refuses what Neo4j refuses (test/support/grafeo-driver.ts). It must pass the same contract as every store,
 * and every statement it sent while doing so must pass Neo4j's own parser and semantic analysis
 * (@neo4j-cypher/language-support, Cypher 5).
 */
import type { lintCypherQuery as LintCypherQuery } from '@neo4j-cypher/language-support' with {
  'resolution-mode': 'import',
};
import { openNeo4jStore, SCHEMA_STATEMENTS } from '../../src/store/neo4j/store';
import { describeStoreContract } from './contract';
import { grafeoDriver, ShimInteger, type RecordedStatement } from '../support/grafeo-driver';
import { expectCode } from '../support/store-fixtures';

// The package's type declarations are ESM-only; at run time `require` loads its CommonJS build.
const { lintCypherQuery } = require('@neo4j-cypher/language-support') as { lintCypherQuery: typeof LintCypherQuery };

const statements = new Map<string, RecordedStatement>();
const record = (statement: RecordedStatement): void => {
  if (!statements.has(statement.query)) statements.set(statement.query, statement);
};

describeStoreContract('Neo4j adapter (Cypher run on Grafeo)', (options) =>
  openNeo4jStore({ driver: grafeoDriver({ onStatement: record }), ...options }),
);

describe('Neo4j storage layout', () => {
  const model = (id: string, ancestors: string[] = []) => ({
    id,
    definition: { '@id': id },
    ancestors,
    dependencies: ancestors.slice(0, 1),
  });

  it('gives a twin the label of its model and of every ancestor, and moves them when the model changes', async () => {
    const driver = grafeoDriver({ onStatement: record });
    const store = await openNeo4jStore({ driver });
    await store.putModels([
      model('dtmi:x:Space;1'),
      model('dtmi:x:Room;1', ['dtmi:x:Space;1']),
      model('dtmi:x:Device;1'),
    ]);
    await store.createTwin('r1', { $metadata: { $model: 'dtmi:x:Room;1' }, name: 'R1' });
    const labels = async (): Promise<string[]> =>
      (
        (await driver.db.executeCypher('MATCH (t:Twin {`$dtId`: "r1"}) RETURN labels(t) AS l')).toArray()[0]
          .l as string[]
      )
        .slice()
        .sort();
    expect(await labels()).toEqual(['Twin', 'dtmi:x:Room;1', 'dtmi:x:Space;1']);
    await store.patchTwin('r1', [{ op: 'replace', path: '/$metadata/$model', value: 'dtmi:x:Device;1' }]);
    expect(await labels()).toEqual(['Twin', 'dtmi:x:Device;1']);
    await store.close();
  });

  it('keeps the ADT JSON in _body and each scalar leaf as a native property by dotted path', async () => {
    const driver = grafeoDriver({ onStatement: record });
    const store = await openNeo4jStore({ driver });
    await store.putModels([model('dtmi:x:Room;1')]);
    const twin = await store.createTwin('r1', {
      $metadata: { $model: 'dtmi:x:Room;1' },
      temperature: 21.5,
      address: { city: 'Oslo', floor: 3 },
      tags: ['a', 'b'],
      readings: [{ at: 1 }, { at: 2 }],
      thermostat: { $metadata: {}, setPoint: 20 },
    });
    const props = (
      await driver.db.executeCypher('MATCH (t:Twin {`$dtId`: "r1"}) RETURN properties(t) AS p')
    ).toArray()[0].p as Record<string, unknown>;
    expect(JSON.parse(props._body as string)).toEqual(twin);
    expect(props).toMatchObject({
      temperature: 21.5,
      'address.city': 'Oslo',
      'address.floor': 3,
      tags: ['a', 'b'],
      'thermostat.setPoint': 20,
      _model: 'dtmi:x:Room;1',
    });
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
    await store.close();
  });

  it('marks at start the barriers among outbox entries enqueued before entries carried `barrier`', async () => {
    const driver = grafeoDriver({ onStatement: record });
    const session = driver.session({});
    const entries: [string, string][] = [
      ['Twin.Create', 'twin:a'],
      ['Model.Delete', 'models'],
      ['Model.Create', 'models'],
      ['Twin.Update', 'twin:b'],
    ];
    await session.executeWrite(async (tx) => {
      for (const [i, [type, partition]] of entries.entries()) {
        await tx.run(
          "CREATE (:Change {seq: $seq, time: '2024-05-01T12:00:00.000Z', type: $type, subject: 's', body: '{}'})",
          { seq: i + 1, type },
        );
        await tx.run(
          "CREATE (:OutboxEntry {seq: $seq, partition: $partition, status: 'pending', attempts: 0, availableAt: 0})",
          { seq: i + 1, partition },
        );
      }
      await tx.run("CREATE (:Counter {name: 'changes', value: 4})");
    });
    const store = await openNeo4jStore({ driver, outbox: true });
    expect((await store.claimOutbox({ limit: 10, leaseMs: 1000 })).map((e) => e.seq)).toEqual([1, 4]);
    await store.ackOutbox([1, 4]);
    expect((await store.claimOutbox({ limit: 10, leaseMs: 1000 })).map((e) => e.change.type)).toEqual([
      'Model.Delete',
      'Model.Create',
    ]);
    await store.close();
  });

  it('creates its constraints and indexes at start, and opening twice is harmless', async () => {
    const driver = grafeoDriver({ onStatement: record });
    await openNeo4jStore({ driver, ownsDriver: false });
    const store = await openNeo4jStore({ driver });
    await store.ensurePropertyIndexes([['temperature'], ['address', 'city']]);
    await store.ensurePropertyIndexes([['temperature']]);
    await store.close();
    expect(SCHEMA_STATEMENTS.length).toBeGreaterThan(5);
  });
});

describe('the Grafeo shim refuses what Neo4j refuses', () => {
  it('a map as a property value fails the transaction, and nothing of it is kept', async () => {
    const driver = grafeoDriver();
    const session = driver.session({});
    await expect(
      session.executeWrite((tx) => tx.run('CREATE (n:Thing {id: 1}) SET n.m = $m', { m: { nested: 1 } })),
    ).rejects.toMatchObject({
      code: 'Neo.ClientError.Statement.TypeError',
    });
    await expect(
      session.executeWrite((tx) => tx.run('CREATE (n:Thing {id: 2}) SET n.l = $l', { l: [1, 'a'] })),
    ).rejects.toMatchObject({
      code: 'Neo.ClientError.Statement.TypeError',
    });
    const count = await session.executeRead(async (tx) =>
      (await tx.run('MATCH (n:Thing) RETURN count(n) AS n')).records[0].get('n'),
    );
    expect(count).toBe(0);
    await driver.close();
  });

  it('a plain JS number in LIMIT or a list slice fails, as neo4j-driver would send it as FLOAT', async () => {
    const driver = grafeoDriver();
    const session = driver.session({});
    await expect(session.executeRead((tx) => tx.run('MATCH (n) RETURN n LIMIT $n', { n: 3 }))).rejects.toMatchObject({
      code: 'Neo.ClientError.Statement.ArgumentError',
    });
    await expect(session.executeRead((tx) => tx.run('RETURN [1, 2, 3][0..$n] AS l', { n: 2 }))).rejects.toMatchObject({
      code: 'Neo.ClientError.Statement.ArgumentError',
    });
    const sliced = await session.executeRead(async (tx) =>
      (await tx.run('RETURN [1, 2, 3][0..$n] AS l', { n: driver.integer(2) })).records[0].get('l'),
    );
    expect(sliced).toEqual([1, 2]);
    await driver.close();
  });

  it('writing in a read transaction fails', async () => {
    const driver = grafeoDriver();
    await expect(driver.session({}).executeRead((tx) => tx.run('CREATE (n:Thing)'))).rejects.toMatchObject({
      code: 'Neo.ClientError.Statement.AccessMode',
    });
    await driver.close();
  });

  it('a uniqueness violation surfaces as Neo4j ConstraintValidationFailed', async () => {
    const driver = grafeoDriver();
    const store = await openNeo4jStore({ driver, ownsDriver: false });
    const session = driver.session({});
    await session.executeWrite((tx) => tx.run('CREATE (:Twin {`$dtId`: "a"})'));
    await expect(session.executeWrite((tx) => tx.run('CREATE (:Twin {`$dtId`: "a"})'))).rejects.toMatchObject({
      code: 'Neo.ClientError.Schema.ConstraintValidationFailed',
    });
    await store.close();
    await driver.close();
  });

  it('the adapter reports a store error when a closed driver is used', async () => {
    const driver = grafeoDriver();
    const store = await openNeo4jStore({ driver });
    await store.close();
    await expectCode(store.getTwin('a'), 'StoreUnavailable');
  });
});

/** Parameters as Neo4j types them: the shim's INTEGER marker becomes a JS integer. */
function lintParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const plain = (v: unknown): unknown =>
    v instanceof ShimInteger
      ? v.value
      : Array.isArray(v)
        ? v.map(plain)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
          : v;
  return plain(parameters) as Record<string, unknown>;
}

describe('every Cypher statement the adapter sent above', () => {
  it('passes Neo4j 5 parsing and semantic analysis, with its real parameters, and uses nothing deprecated', () => {
    for (const query of SCHEMA_STATEMENTS) if (!statements.has(query)) statements.set(query, { query, parameters: {} });
    expect(statements.size).toBeGreaterThan(60);
    const problems: string[] = [];
    for (const { query, parameters } of statements.values()) {
      const { diagnostics } = lintCypherQuery(query, { parameters: lintParameters(parameters) });
      for (const d of diagnostics) {
        const message = typeof d.message === 'string' ? d.message : d.message.value;
        // Warnings about labels, types or properties "not present in the database" mean only that the linter
        // was given no database schema; errors and deprecations are real.
        if (d.severity === 1 || /deprecat/i.test(message)) problems.push(`${message}\n    in: ${query}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
