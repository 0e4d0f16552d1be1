/**
 * Model uploads through two replicas at once, serialized by the store: two Twingraph processes on one store
 * receive uploads at the same moment, round after round, of models whose GraphQL names collide (the same last
 * DTMI segment: the first uploaded gets the plain name, the other a prefixed one) and of one model both try to
 * create. Whatever order the store puts them in:
 *
 * - every upload succeeds, except the second of the same model, which gets ModelAlreadyExists;
 * - the name each upload's answer gave a model is the name it keeps, on both replicas and on a replica started
 *   afterwards, and no client polling either replica meanwhile ever sees a model under another name (as when
 *   each replica named models from its own memory, and a catch-up from the store renamed one);
 * - both replicas, and the one started afterwards, serve the same schema.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  gql,
  killLeftovers,
  neo4jStoreEnv,
  sqliteStoreEnv,
  startReplica,
  startReplicas,
  stopReplica,
  wipeTestNeo4j,
  type Replica,
} from './processes';

const ROUNDS = 10;

function model(id: string): object {
  return {
    '@context': 'dtmi:dtdl:context;3',
    '@id': id,
    '@type': 'Interface',
    contents: [{ '@type': 'Property', name: 'flow', schema: 'double' }],
  };
}

interface Outcome {
  readonly replica: string;
  /** GraphQL type name by model id, as the upload's answer gave it. */
  readonly names?: Record<string, string>;
  readonly code?: string;
}

async function upload(replica: Replica, ids: readonly string[]): Promise<Outcome> {
  const response = await fetch(replica.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id graphqlType } } }',
      variables: { d: ids.map(model) },
    }),
  });
  const body = (await response.json()) as {
    data?: { uploadModels: { models: { id: string; graphqlType: string }[] } };
    errors?: { extensions?: { code?: string } }[];
  };
  if (body.errors) return { replica: replica.name, code: body.errors[0].extensions?.code ?? 'UNKNOWN' };
  return {
    replica: replica.name,
    names: Object.fromEntries(body.data!.uploadModels.models.map((m) => [m.id, m.graphqlType])),
  };
}

async function schemaOf(replica: Replica): Promise<string> {
  return (await fetch(new URL('/graphql/schema.graphql', replica.url))).text();
}

async function namesOn(replica: Replica): Promise<Record<string, string>> {
  const { models } = await gql(replica, '{ models { id graphqlType } }');
  return Object.fromEntries((models as { id: string; graphqlType: string }[]).map((m) => [m.id, m.graphqlType]));
}

export function modelUploadSuite(store: 'sqlite' | 'neo4j'): void {
  let dir: string;
  let env: Record<string, string>;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `twingraph-model-uploads-${store}-`));
    if (store === 'neo4j') await wipeTestNeo4j();
    env = {
      ...(store === 'neo4j' ? neo4jStoreEnv() : sqliteStoreEnv(path.join(dir, 'shared.db'))),
      TWINGRAPH_LOG_POLL_MS: '100',
      TWINGRAPH_SEED: 'none',
    };
    // Both at once, on a new store: the first start of each also races the other to create the schema.
    replicas.push(...(await startReplicas(['a', 'b'], env)));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(replicas.map(stopReplica));
    killLeftovers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads through two replicas at once end in one order: no model lost, no name changed, one schema', async () => {
    const given: Record<string, string> = {};
    // Every name each replica's schema gave each model while the uploads ran, as a client polling it sees them.
    const seen = new Map<string, Set<string>>();
    let polling = true;
    const pollers = replicas.map(async (replica) => {
      while (polling) {
        for (const [id, name] of Object.entries(await namesOn(replica))) {
          const key = `${replica.name} ${id}`;
          (seen.get(key) ?? seen.set(key, new Set()).get(key)!).add(name);
        }
      }
    });
    // A round that fails stops the pollers too: left running, they would keep the replicas busy past the test.
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const [a, b, sameA, sameB] = await Promise.all([
          upload(replicas[0], [`dtmi:test:north:Pump${round};1`]),
          upload(replicas[1], [`dtmi:test:south:Pump${round};1`]),
          upload(replicas[0], [`dtmi:test:shared:Valve${round};1`]),
          upload(replicas[1], [`dtmi:test:shared:Valve${round};1`]),
        ]);
        expect(a.code).toBeUndefined();
        expect(b.code).toBeUndefined();
        // Of the same model, one upload wins and the other is told it exists.
        expect([sameA.code, sameB.code].sort()).toEqual(['ModelAlreadyExists', undefined]);
        for (const outcome of [a, b, sameA, sameB]) Object.assign(given, outcome.names);
        // The colliding pair got two different names, one of them the plain one.
        const pair = [given[`dtmi:test:north:Pump${round};1`], given[`dtmi:test:south:Pump${round};1`]];
        expect(new Set(pair).size).toBe(2);
        expect(pair).toContain(`Pump${round}`);
      }
      expect(Object.keys(given)).toHaveLength(3 * ROUNDS);
    } finally {
      polling = false;
      // Each poller ends its last pass before the replicas may be stopped (afterAll).
      await Promise.allSettled(pollers);
    }
    // A pass that failed is the test's failure.
    await Promise.all(pollers);
    const renamed = [...seen].filter(([, names]) => names.size > 1).map(([key, names]) => `${key}: ${[...names]}`);
    expect(renamed).toEqual([]);

    const late = await startReplica('late', env);
    replicas.push(late);
    for (const replica of replicas) {
      let names: Record<string, string> = {};
      const deadline = Date.now() + 15_000;
      while (Object.keys(names).length < 3 * ROUNDS && Date.now() < deadline) {
        names = await namesOn(replica);
        if (Object.keys(names).length < 3 * ROUNDS) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect({ replica: replica.name, names }).toEqual({ replica: replica.name, names: given });
    }
    const [first, ...others] = await Promise.all(replicas.map(schemaOf));
    for (const schema of others) expect(schema).toBe(first);
  }, 240_000);
}
