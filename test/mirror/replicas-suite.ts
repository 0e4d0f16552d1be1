/**
 * The mirror on several replicas at once: three Twingraph processes on one store, each configured to mirror to
 * one test ADT server (an HTTP server speaking ADT's REST API that records every request: ../support/adt-server.ts),
 * while writes arrive through all three. One replica mirrors at a time (the store's `mirror` lease:
 * src/mirror/leadership.ts); the others stand by, and one of them takes over when the active one is killed
 * mid-way. What must hold, judged from ADT's side:
 *
 * - ADT ends equal to Twingraph (models with their decommissioned flags, twins, relationships), nothing parked;
 * - no twin or relationship had its writes applied out of order (each carries a version counter:
 *   ./version-chains.ts, ./adt-journal.ts), and none twice, except a request the killed replica had sent and
 *   whose answer it never recorded, replayed by its successor;
 * - ADT's limits were never exceeded, with every replica configured with the instance's full limits: per twin
 *   (ADT's 10 writes a second, which the test server enforces with 429s as ADT does, and none came) and per
 *   request class, across the failover too;
 * - exactly one replica is active at a time.
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
  killLeftovers,
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
  let env: Record<string, string>;

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
    env = {
      ...storeEnv,
      TWINGRAPH_PLUGINS: 'mirror',
      TWINGRAPH_LOG_POLL_MS: '200',
      ADT_ENDPOINT: adt.url,
      ADT_RATE_MODELS: String(INSTANCE.models),
      ADT_RATE_CREATE_DELETE: String(INSTANCE.createDelete),
      ADT_RATE_PATCH: String(INSTANCE.patch),
      ADT_RATE_PER_TWIN: String(INSTANCE.perTwin),
      // Short terms and claims, so that the failover below takes seconds, not a minute.
      ADT_ACTIVE_LEASE_MS: '2000',
      ADT_LEASE_MS: '3000',
      ADT_REQUEST_TIMEOUT_MS: '2000',
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
    killLeftovers();
    await adt?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const activeNow = async (): Promise<boolean[]> =>
    Promise.all(
      replicas.map(async (r) => (await gql(r, '{ mirrorStatus { active } }')).mirrorStatus.active as boolean),
    );

  it('has one replica mirroring while the others stand by', async () => {
    await waitFor(async () => (await activeNow()).filter(Boolean).length === 1);
    // And it stays that way.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await activeNow()).filter(Boolean)).toHaveLength(1);
    }
  });

  it('mirrors writes made through every replica, the active one killed mid-way: nothing reordered, nothing duplicated but the killed one’s last requests, never over ADT’s limits', async () => {
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
    // ADT answers the decommission 503 (applying nothing) until the kill, so that the active replica still has
    // work in hand when it is killed, whatever the machine's speed: by the time the workload ends the mirror may
    // have caught up with everything else. (Fault settings, not a hook: the journal has the hook.)
    const limits = { perTwinWriteLimit: { perSecond: INSTANCE.perTwin } };
    adt.faults.set({
      ...limits,
      unavailable: { probability: 1 },
      appliesTo: (r) => r.op === 'models.decommission',
    });
    // A barrier: the decommission goes to ADT only once everything committed before it is there.
    await gql(replicas[2], `mutation { decommissionModel(id: "${KIOSK_MODEL}") { id } }`);

    // Kill the active mirror while it still has work in hand, and start it again (as an orchestrator would).
    const active = (await activeNow()).indexOf(true);
    expect(active).toBeGreaterThanOrEqual(0);
    const { mirrorStatus: before } = await gql(replicas[active], '{ mirrorStatus { pending mirrored } }');
    expect(before.pending).toBeGreaterThan(0);
    const killed = replicas[active];
    killed.child.kill('SIGKILL');
    await killed.exited;
    adt.faults.set(limits);
    const killedAt = performance.timeOrigin + performance.now();
    const survivors = replicas.filter((r) => r !== killed);
    replicas[active] = await startReplica(`${killed.name}2`, { ...env, TWINGRAPH_SEED: 'none' });

    const deadline = Date.now() + (store === 'neo4j' ? 180_000 : 90_000);
    for (;;) {
      const { mirrorStatus } = await gql(survivors[0], '{ mirrorStatus { pending dead } }');
      expect(mirrorStatus.dead).toBe(0);
      if (mirrorStatus.pending === 0) break;
      if (Date.now() > deadline) throw new Error(`the mirror did not drain: ${JSON.stringify(mirrorStatus)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    journal.stop();

    const twingraph = await openStore(storeConfig);
    try {
      const ours = await twingraphState(twingraph);
      const theirs = adtState(adt);
      // Once in a full run under load (December 2026) ADT ended with a kiosk at "v2" where Twingraph had "v10",
      // the outbox drained and nothing parked. A likely cause, since removed: a replica that lost the mirror
      // cancelled its requests in flight and gave their changes back at once, and one ADT had already received
      // landed after the new active replica's newer write (the same run shape later showed writes applied as
      // 1, 0, 2, … on many engagements). Should it happen again, say what ADT was sent for each twin the two
      // disagree on, and when, against the kill.
      const differing = [...new Set([...Object.keys(ours.twins), ...Object.keys(theirs.twins)])].filter(
        (id) => ours.twins[id] !== theirs.twins[id],
      );
      if (differing.length > 0)
        console.log(
          JSON.stringify({
            differing,
            killed: { name: killed.name, at: killedAt },
            applied: journal.applied().filter((w) => differing.some((id) => w.subject === `twin:${id}`)),
            requests: adt.requests
              .filter((r) => differing.some((id) => r.twinIds.includes(id)))
              .map(({ time, op, path, status, faulted }) => ({ time, op, path, status, faulted })),
            changes: (await twingraph.readChanges({ after: 0, limit: 10_000 }))
              .filter((c) => differing.includes(c.twinId ?? c.subject))
              .map((c) => [c.seq, c.type, c.actor, c.time]),
          }),
        );
      expect(theirs).toEqual(ours);
      expect(ours.models[KIOSK_MODEL]?.decommissioned).toBe(true);
      expect(Object.keys(ours.twins).length).toBe(4 + 24 - 6);
    } finally {
      await twingraph.close();
    }

    expect(journal.reordered()).toEqual({});
    // A write applied twice was sent by the killed replica before it died and again by its successor.
    for (const replay of journal.replays()) {
      expect(replay.first).toBeLessThanOrEqual(killedAt);
      expect(replay.again).toBeGreaterThan(killedAt);
    }
    expect(journal.subjects()).toBeGreaterThanOrEqual(4 + 24 + 24);

    expect(adt.requests.filter((r) => r.faulted === 'throttle')).toEqual([]);
    expect(maxWritesPerTwinPerSecond(adt.requests)).toBeLessThanOrEqual(INSTANCE.perTwin);
    expect(maxRequestsPerSecond(adt.requests, isModelWrite)).toBeLessThanOrEqual(INSTANCE.models);
    expect(maxRequestsPerSecond(adt.requests, isCreateOrDelete)).toBeLessThanOrEqual(INSTANCE.createDelete);
    expect(maxRequestsPerSecond(adt.requests, isPatch)).toBeLessThanOrEqual(INSTANCE.patch);

    // Another replica (a survivor, or the killed one's restart) took over and finished the work; still one
    // active replica among the three.
    const after = await Promise.all(
      replicas.map(async (r) => (await gql(r, '{ mirrorStatus { active mirrored } }')).mirrorStatus),
    );
    expect(after.filter((m) => m.active)).toHaveLength(1);
    expect(after.find((m) => m.active).mirrored).toBeGreaterThan(0);
  }, 300_000);
}
