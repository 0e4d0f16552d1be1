/**
 * What three Twingraph replicas on one store promise, as one suite run per store (SQLite in WAL mode, Neo4j)
 * and per way of hearing other replicas' commits (the NATS commit bus, polling the log): a subscriber on any
 * replica receives every change made through any replica, in seq order, exactly once; a model uploaded
 * through one replica becomes queryable on the others; a replica killed with SIGKILL and started again lets
 * its subscribers resume with `since` and miss nothing, and its `/readyz` reports no lag once it has caught up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../src/demo/random';
import { waitUntil } from '../support/api-harness';
import {
  gql,
  killLeftovers,
  neo4jStoreEnv,
  range,
  sqliteStoreEnv,
  startNats,
  startReplica,
  startReplicas,
  stopReplica,
  Subscriber,
  wipeTestNeo4j,
  type Nats,
  type Replica,
} from './processes';

const CLIENT = 'dtmi:twingraph:demo:Client;1';

export type ReplicaStore = 'sqlite' | 'neo4j';
export type CommitNews = 'nats' | 'polling';

export function replicaSuite(store: ReplicaStore, news: CommitNews): void {
  let dir: string;
  let nats: Nats | undefined;
  let env: Record<string, string>;
  let replicas: Replica[] = [];
  const subscribers: Subscriber[] = [];
  // Neo4j answers a write in tens of milliseconds on this machine, SQLite in one: give catching up room.
  const catchUpMs = store === 'neo4j' ? 60_000 : 20_000;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `twingraph-replicas-${store}-${news}-`));
    if (store === 'neo4j') await wipeTestNeo4j();
    env = store === 'neo4j' ? neo4jStoreEnv() : sqliteStoreEnv(path.join(dir, 'shared.db'));
    if (news === 'nats') {
      nats = await startNats();
      env = { ...env, TWINGRAPH_NATS_URL: nats.url, TWINGRAPH_LOG_POLL_MS: '1000' };
    } else env = { ...env, TWINGRAPH_LOG_POLL_MS: '100' };
    // The first replica loads the models into the empty store; the others find them there.
    replicas = [await startReplica('a', { ...env, TWINGRAPH_SEED: 'models' })];
    replicas.push(...(await startReplicas(['b', 'c'], { ...env, TWINGRAPH_SEED: 'none' })));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    await Promise.all(replicas.map(stopReplica));
    nats?.stop();
    killLeftovers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every change made through any replica to subscribers on every replica, in order, exactly once', async () => {
    const start = Number(
      (await gql(replicas[0], '{ changes(after: 0, first: 10000) { seq } }')).changes.at(-1)?.seq ?? 0,
    );
    subscribers.push(...replicas.map((r) => new Subscriber(r, start)));
    const random = mulberry32(7);
    const writes = 60;
    for (let batch = 0; batch < writes; batch += 10)
      await Promise.all(
        range(batch, batch + 9).map((i) =>
          gql(
            replicas[Math.floor(random() * replicas.length)],
            `mutation($id: ID!) { createTwin(id: $id, modelId: "${CLIENT}", properties: { name: "C" }) { id } }`,
            { id: `r-${i}` },
          ),
        ),
      );
    await waitUntil(
      () => subscribers.every((s) => s.seqs.length >= writes),
      'every subscriber has every change',
      catchUpMs,
    );
    for (const s of subscribers) expect(s.seqs).toEqual(range(start + 1, start + writes));
    for (const s of subscribers) expect(s.errors).toEqual([]);
  }, 120_000);

  it('makes a model uploaded through one replica queryable on the others', async () => {
    const type = news === 'nats' ? 'Valve' : 'Gauge';
    const model = {
      '@context': 'dtmi:dtdl:context;3',
      '@id': `dtmi:test:replicas:${type};1`,
      '@type': 'Interface',
      contents: [{ '@type': 'Property', name: 'reading', schema: 'double' }],
    };
    await gql(replicas[1], 'mutation($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }', { d: [model] });
    // Queryable means more than the type: a twin of it written through the uploader is read back elsewhere.
    await gql(
      replicas[1],
      `mutation { createTwin(id: "m-1", modelId: "dtmi:test:replicas:${type};1", properties: { reading: 1.5 }) { id } }`,
    );
    for (const replica of [replicas[0], replicas[2]]) {
      let seen: unknown = null;
      const deadline = Date.now() + 15_000;
      while (seen === null && Date.now() < deadline) {
        const data = await gql(replica, `{ __type(name: "${type}") { name } }`);
        if (data.__type !== null)
          seen = (await gql(replica, `{ twin(id: "m-1") { id ... on ${type} { reading } } }`)).twin;
        if (seen === null) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect({ replica: replica.name, seen }).toEqual({ replica: replica.name, seen: { id: 'm-1', reading: 1.5 } });
    }
  }, 60_000);

  it('lets the subscribers of a replica killed with SIGKILL resume on its successor with since, missing nothing', async () => {
    const victim = replicas[2];
    const before = subscribers[2];
    const writes = [];
    for (let i = 0; i < 30; i++) {
      writes.push(
        gql(
          replicas[i % 2],
          `mutation { createTwin(id: "k-${i}", modelId: "${CLIENT}", properties: { name: "K" }) { id } }`,
        ),
      );
      if (i === 10) victim.child.kill('SIGKILL');
    }
    await Promise.all(writes);
    expect(await victim.exited).toBeNull();
    const successor = await startReplica('c2', { ...env, TWINGRAPH_SEED: 'none' });
    replicas[2] = successor;
    const resumed = new Subscriber(successor, before.last);
    subscribers.push(resumed);
    const newest = Number((await gql(replicas[0], '{ changes(after: 0, first: 10000) { seq } }')).changes.at(-1).seq);
    await waitUntil(() => resumed.last >= newest, 'the resumed subscriber catches up', catchUpMs);
    const all = [...before.seqs, ...resumed.seqs];
    expect(all).toEqual(range(all[0], newest));
    const ready = await (await fetch(new URL('/readyz', successor.url))).json();
    expect(ready).toMatchObject({ status: 'ready', lag: 0 });
  }, 120_000);
}
