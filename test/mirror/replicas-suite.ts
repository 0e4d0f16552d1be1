/**
 * The mirror on several replicas at once: three Twingraph processes on one store, each mirroring to one test
 * ADT server (an HTTP server speaking ADT's REST API that records every request: ../support/adt-server.ts),
 * while writes arrive through all three. The outbox's leases are the only coordination between them. What
 * must hold, judged from ADT's side:
 *
 * - ADT ends equal to Twingraph (models with their decommissioned flags, twins, relationships), nothing parked;
 * - no twin or relationship had its writes applied out of order or twice (each carries a version counter:
 *   ./version-chains.ts, ./adt-journal.ts);
 * - ADT's limits were never exceeded: per twin (ADT's 10 writes a second, which the test server enforces with
 *   429s as ADT does, and none came) and per request class. The mirror's limits are kept per process, so a
 *   deployment of N mirroring replicas gives each ADT_RATE_* = the instance's limit / N (rounded down); that
 *   is how the replicas here are configured, and what the README tells operators;
 * - every replica took part (each mirrored some of the changes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../src/demo/random';
import { openStore, type StoreConfig } from '../../src/store/open';
import { maxRequestsPerSecond, maxWritesPerTwinPerSecond } from '../support/adt-rates';
import { startAdtServer, type AdtRequestLogEntry, type AdtServer } from '../support/adt-server';
import { adtState, twingraphState } from '../support/mirror-state';
import type { Gql } from '../support/mirror-workload';
import { neo4jFromEnv } from '../neo4j/server';
import {
  gql,
  neo4jStoreEnv,
  sqliteStoreEnv,
  startReplica,
  stopReplica,
  wipeTestNeo4j,
  type Replica,
} from '../replicas/processes';
import { AdtJournal } from './adt-journal';
import { KIOSK_MODEL, runVersionChains, VERSION_COUNTERS } from './version-chains';

const REPLICAS = 3;
/**
 * The ADT instance's limits in this test: ADT's fixed per-twin limit, and request-class limits lowered from
 * ADT's defaults (100, 500, 1,000 a second) so that a short run reaches them.
 */
const INSTANCE = { models: 30, createDelete: 60, patch: 60, perTwin: 10 } as const;
const share = (limit: number): string => String(Math.floor(limit / REPLICAS));

const isModelWrite = (r: AdtRequestLogEntry): boolean => r.write && r.op.startsWith('models.');
const isCreateOrDelete = (r: AdtRequestLogEntry): boolean =>
  r.write && !r.op.startsWith('models.') && (r.op.endsWith('.put') || r.op.endsWith('.delete'));
const isPatch = (r: AdtRequestLogEntry): boolean => r.write && !r.op.startsWith('models.') && r.op.endsWith('.patch');

/** Polls `condition` every 20 ms for up to 15 s. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function mirrorReplicaSuite(store: 'sqlite' | 'neo4j'): void {
  let adt: AdtServer;
  let dir: string;
  let storeConfig: StoreConfig;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    adt = await startAdtServer({ seed: 11 });
    adt.faults.set({ perTwinWriteLimit: { perSecond: INSTANCE.perTwin } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `twingraph-mirror-replicas-${store}-`));
    let storeEnv: Record<string, string>;
    if (store === 'neo4j') {
      await wipeTestNeo4j();
      storeEnv = neo4jStoreEnv();
      storeConfig = { kind: 'neo4j', ...neo4jFromEnv()! };
    } else {
      const file = path.join(dir, 'shared.db');
      storeEnv = sqliteStoreEnv(file);
      storeConfig = { kind: 'sqlite', path: file };
    }
    const env = {
      ...storeEnv,
      TWINGRAPH_PLUGINS: 'mirror',
      TWINGRAPH_LOG_POLL_MS: '200',
      ADT_ENDPOINT: adt.url,
      ADT_RATE_MODELS: share(INSTANCE.models),
      ADT_RATE_CREATE_DELETE: share(INSTANCE.createDelete),
      ADT_RATE_PATCH: share(INSTANCE.patch),
      ADT_RATE_PER_TWIN: share(INSTANCE.perTwin),
      ADT_COALESCE_MS: '10',
      ADT_RETRY_BASE_MS: '50',
      ADT_RETRY_MAX_MS: '1000',
    };
    // The first loads the demo models (their Model.Create changes are mirrored too); the others find them.
    replicas = [await startReplica('a', { ...env, TWINGRAPH_SEED: 'models' })];
    for (const name of ['b', 'c'].slice(0, REPLICAS - 1))
      replicas.push(await startReplica(name, { ...env, TWINGRAPH_SEED: 'none' }));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(replicas.map(stopReplica));
    await adt?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('mirrors writes made through every replica with every replica mirroring: nothing reordered, duplicated or over ADT’s limits', async () => {
    const journal = new AdtJournal(adt, VERSION_COUNTERS);
    const random = mulberry32(5);
    const via = (): Gql => {
      const replica = replicas[Math.floor(random() * replicas.length)];
      return async (query, variables) =>
        (await (
          await fetch(replica.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as Awaited<ReturnType<Gql>>;
    };
    const modelEverywhere = async (): Promise<void> => {
      for (const replica of replicas)
        await waitFor(async () => (await gql(replica, '{ __type(name: "Kiosk") { name } }')).__type !== null);
    };
    const result = await runVersionChains(via, {
      engagements: 24,
      kiosks: 4,
      updates: 10,
      relUpdates: 5,
      modelEverywhere,
    });
    expect(result.refused).toEqual({});
    // A barrier: the decommission goes to ADT only once everything committed before it is there.
    await gql(replicas[2], `mutation { decommissionModel(id: "${KIOSK_MODEL}") { id } }`);

    const deadline = Date.now() + (store === 'neo4j' ? 180_000 : 90_000);
    for (;;) {
      const { mirrorStatus } = await gql(replicas[0], '{ mirrorStatus { pending dead } }');
      expect(mirrorStatus.dead).toBe(0);
      if (mirrorStatus.pending === 0) break;
      if (Date.now() > deadline) throw new Error(`the mirror did not drain: ${JSON.stringify(mirrorStatus)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    journal.stop();

    const twingraph = await openStore(storeConfig);
    try {
      const ours = await twingraphState(twingraph);
      expect(adtState(adt)).toEqual(ours);
      expect(ours.models[KIOSK_MODEL]?.decommissioned).toBe(true);
      expect(Object.keys(ours.twins).length).toBe(4 + 24 - 6);
    } finally {
      await twingraph.close();
    }

    expect(journal.outOfOrder()).toEqual({});
    expect(journal.subjects()).toBeGreaterThanOrEqual(4 + 24 + 24);

    expect(adt.requests.filter((r) => r.faulted === 'throttle')).toEqual([]);
    expect(maxWritesPerTwinPerSecond(adt.requests)).toBeLessThanOrEqual(INSTANCE.perTwin);
    expect(maxRequestsPerSecond(adt.requests, isModelWrite)).toBeLessThanOrEqual(INSTANCE.models);
    expect(maxRequestsPerSecond(adt.requests, isCreateOrDelete)).toBeLessThanOrEqual(INSTANCE.createDelete);
    expect(maxRequestsPerSecond(adt.requests, isPatch)).toBeLessThanOrEqual(INSTANCE.patch);

    const mirrored = await Promise.all(
      replicas.map(async (r) => (await gql(r, '{ mirrorStatus { mirrored } }')).mirrorStatus.mirrored as number),
    );
    for (const count of mirrored) expect(count).toBeGreaterThan(0);
  }, 300_000);
}
