/**
 * `twingraph migrate --from <sqlite> --to <neo4j>`: the seeded demo (at 15% of its size: 30 days of hourly
 * telemetry for 450 devices and 60 engagements, so that the copy takes a minute rather than six), with a mirror
 * backlog, a dead letter and API keys, is moved into the test Neo4j (NEO4J_URI; `npm run test:neo4j` starts
 * one) through a copy interrupted mid-way and resumed; then a server on each store answers the same queries
 * identically, `since` and the next seq go on where the source left them, the keys still authenticate and the
 * outbox is as it was. A target that holds data, and a source changed under an unfinished copy, are refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ApiKeys } from '../../src/access/api-keys';
import { startApp, type App } from '../../src/app';
import { migrateCommand, type MigrateIo } from '../../src/cli/migrate';
import { loadConfig, PACKAGE_ROOT } from '../../src/config';
import { readCatalogue, scaled } from '../../src/demo/catalogue';
import { loadDemo } from '../../src/demo/load';
import { collectDocuments } from '../../src/dtdl';
import { UsageError } from '../../src/errors';
import { ModelService } from '../../src/services/models';
import { openStore } from '../../src/store/open';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { neo4jFromEnv, runOnNeo4j, wipeNeo4j, type Neo4jServer } from '../neo4j/server';
import { DEMO_AS_OF } from '../support/demo-db';
import { describeWhen } from '../support/shared';

const ENGAGEMENT = 'dtmi:twingraph:demo:Engagement;1';

/** Small batches, so that the copy crosses many batch boundaries (and the interruption falls between two). */
const BATCHES: MigrateIo['batchSize'] = { twins: 200, relationships: 500, points: 50_000, changes: 500, outbox: 100 };

function quiet(extra: Partial<MigrateIo> = {}): MigrateIo & { printed: () => string } {
  let printed = '';
  return {
    env: process.env,
    out: (s) => (printed += s),
    log: () => undefined,
    batchSize: BATCHES,
    ...extra,
    printed: () => printed,
  };
}

interface Server {
  readonly app: App;
  gql(query: string, variables?: Record<string, unknown>, key?: string): Promise<{ status: number; body: any }>;
}

async function serve(storeEnv: Record<string, string>, key: string): Promise<Server> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    TWINGRAPH_SEED: 'none',
    TWINGRAPH_AUTH: 'required',
    TWINGRAPH_PREDICTION_THREADS: '0',
    TWINGRAPH_LOG_POLL_MS: '0',
    ...storeEnv,
  });
  const app = await startApp(config, pino({ level: 'silent' }));
  return {
    app,
    gql: async (query, variables, as = key) => {
      const response = await fetch(app.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: await response.json() };
    },
  };
}

/** What a front end asks of the demo: lists with filters and sorting, three levels of relationships, telemetry, KPIs, predictions. */
const QUERIES: readonly string[] = [
  '{ models { id displayName decommissioned uploadTime } }',
  `{
    clients(where: { industry: { in: [Banking, Insurance, Retail, Manufacturing] } }, orderBy: [{ name: ASC }], first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id etag name industry address { city }
        hasEngagement(first: 5, orderBy: [{ budget: DESC }]) {
          totalCount
          edges {
            relationship { id relationshipId etag since }
            node {
              id title budget spend status
              covers(first: 3) {
                nodes {
                  id name
                  hosts(first: 10) {
                    totalCount
                    nodes { id state temperature { latest { time numericValue } aggregate(period: "P1D", window: "PT6H") { start avg max } } }
                  }
                }
              }
            }
          }
        }
      }
    }
  }`,
  `{
    engagements(where: { status: { in: [Active, Closed] } }, orderBy: [{ id: ASC }], first: 100) {
      totalCount
      nodes {
        id etag title budget spend revenue startDate endDate
        kpis { budgetVariance budgetVarianceRatio revenueMargin durationDays burnIndex anomaly anomalyReason }
        spendToDate { latest { time numericValue } }
        ledBy { nodes { id name role } }
        uses { nodes { id name line } }
      }
    }
  }`,
  `{
    engagement: twin(id: "engagement-0007") {
      id etag
      ... on Engagement {
        profitPrediction { value interval { lower upper level } model { trainingSize heldOut { mae baselineMae coverage } } }
        hoursBooked { points(first: 48) { time value } aggregate(period: "P30D", window: "P1D") { start count sum last } }
      }
    }
  }`,
  `{
    devices(orderBy: [{ capacity: DESC }, { id: ASC }], first: 50, where: { state: { ne: Failed } }) {
      totalCount
      nodes {
        id etag deviceType state capacity firmwareVersion lastHeartbeat
        diagnostics { errorCount lastError selfTestPassed metadata }
        vibration { latest { time numericValue } points(last: 5) { time value } }
        hostsInverse { nodes { id } }
      }
    }
  }`,
  `{ twins(where: { isOf: "${ENGAGEMENT}" }, first: 0) { totalCount } all: twins(first: 0) { totalCount } }`,
];

/**
 * Fractions to 12 significant digits: an average over the same points may differ in its last bits between
 * the stores (SQLite and Neo4j sum in their own order); everything else must be equal as it is.
 */
function toTwelveDigits(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isInteger(value)) return Number(value.toPrecision(12));
  if (Array.isArray(value)) return value.map(toTwelveDigits);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toTwelveDigits(v)]));
  return value;
}

let server: Neo4jServer;
let dir: string;
let source: string;
let key: string;
let revokedKey: string;
let latestSeq: number;
let interruptedAt: string | undefined;
let firstRun: unknown;
let neo: Server | undefined;
let lite: Server | undefined;

async function seedSource(file: string): Promise<void> {
  // With the outbox on, as under a configured mirror: the seeded changes wait in it, to be moved too.
  const store = await openSqliteStore({ path: file, outbox: true });
  try {
    const models = new ModelService(store);
    await models.load();
    await loadDemo(store, models, {
      catalogue: scaled(readCatalogue(path.join(PACKAGE_ROOT, 'seeds', 'firm.json')), 0.15),
      documents: collectDocuments([path.join(PACKAGE_ROOT, 'dtdl')]),
      asOf: Date.parse(DEMO_AS_OF),
    });
    // A dead letter with ADT's error, and an entry waiting to be retried.
    const [first, second] = await store.claimOutbox({ limit: 2, leaseMs: 1 });
    await store.failOutbox(first.seq, { error: 'ValidationFailed: refused by ADT', dead: true });
    await store.failOutbox(second.seq, { error: 'ServiceUnavailable', retryAfterMs: 3_600_000 });
    const keys = new ApiKeys(store);
    key = (await keys.create({ name: 'partner', role: 'admin' })).key;
    revokedKey = (await keys.create({ name: 'former', role: 'reader' })).key;
    await keys.revoke('former');
    latestSeq = await store.latestSeq();
  } finally {
    await store.close();
  }
}

describeWhen(
  Boolean(process.env.NEO4J_URI),
  'twingraph migrate from SQLite to Neo4j',
  'NEO4J_URI is not set (npm run test:neo4j starts a Neo4j and runs this suite)',
  () => {
    beforeAll(async () => {
      server = neo4jFromEnv()!;
      await wipeNeo4j(server);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-migrate-'));
      source = path.join(dir, 'demo.db');
      await seedSource(source);

      // Interrupted after the first batch of telemetry has committed (as by a crash or Ctrl-C)…
      const stop = new Error('interrupted');
      await expect(
        migrateCommand(
          { from: source, to: server.uri },
          quiet({
            onBatch: (phase) => {
              if (phase === 'points') throw stop;
            },
          }),
        ),
      ).rejects.toBe(stop);
      interruptedAt = (await runOnNeo4j(server, 'MATCH (m:MigrationProgress) RETURN m.phase AS phase'))[0]
        ?.phase as string;
      // …and run again.
      const io = quiet();
      firstRun = { code: await migrateCommand({ from: source, to: server.uri }, io), printed: io.printed() };

      lite = await serve({ TWINGRAPH_DB: source, NEO4J_URI: '' }, key);
      neo = await serve(
        Object.fromEntries(
          ['NEO4J_URI', 'NEO4J_USER', 'NEO4J_PASSWORD', 'NEO4J_DATABASE'].flatMap((n) =>
            process.env[n] === undefined ? [] : [[n, process.env[n]!]],
          ),
        ),
        key,
      );
    }, 600_000);
    afterAll(async () => {
      await neo?.app.close();
      await lite?.app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('copies the whole store, resuming an interrupted copy where it stopped', () => {
      expect(interruptedAt).toBe('points');
      expect(firstRun).toEqual({ code: 0, printed: expect.stringMatching(/^Migrated .* into bolt/) });
      // The command compares every table's count with the source's before it says so.
      expect((firstRun as { printed: string }).printed).toContain(`the next seq is ${latestSeq + 1}`);
    });

    it.each(QUERIES.map((q, i) => [i, q]))('answers query %i identically on both stores', async (_, query) => {
      const [a, b] = await Promise.all([lite!.gql(query), neo!.gql(query)]);
      expect(a.body.errors).toBeUndefined();
      expect(toTwelveDigits(b.body)).toEqual(toTwelveDigits(a.body));
    });

    it("goes on from the source's change log: since replays the same entries, and the next write takes the next seq", async () => {
      const recent = `{ changes(after: ${latestSeq - 20}, first: 50) { seq type subject time actor } }`;
      const [a, b] = await Promise.all([lite!.gql(recent), neo!.gql(recent)]);
      expect(b.body).toEqual(a.body);
      expect(b.body.data.changes.at(-1).seq).toBe(latestSeq);
      const written = await neo!.gql('mutation { createClient(id: "after-migration", input: { name: "New" }) { id } }');
      expect(written.body.errors).toBeUndefined();
      const next = await neo!.gql(`{ changes(after: ${latestSeq}) { seq subject actor } }`);
      expect(next.body.data.changes).toEqual([{ seq: latestSeq + 1, subject: 'after-migration', actor: 'partner' }]);
    });

    it('keeps API keys: the key authenticates by its hash, the revoked one is refused', async () => {
      expect((await neo!.gql('{ twin(id: "engagement-0007") { id } }')).status).toBe(200);
      expect((await neo!.gql('{ twin(id: "engagement-0007") { id } }', {}, revokedKey)).status).toBe(401);
    });

    it("keeps the mirror's outbox: pending changes, the retry's wait and the dead letter with ADT's error", async () => {
      const status = '{ mirrorStatus { dead deadLetters(first: 10) { seq type subject attempts error } } }';
      const [a, b] = await Promise.all([lite!.gql(status), neo!.gql(status)]);
      expect(b.body).toEqual(a.body);
      expect(b.body.data.mirrorStatus.dead).toBe(1);
      const outbox = await runOnNeo4j(
        server,
        "MATCH (o:OutboxEntry) RETURN count(o) AS all, count(CASE WHEN o.status = 'pending' AND o.attempts = 1 AND o.availableAt > timestamp() THEN 1 END) AS waiting",
      );
      expect(outbox[0].waiting).toBe(1);
      expect(outbox[0].all).toBeGreaterThan(1000);
    });

    it('refuses to copy into a database that holds Twingraph data, and says so', async () => {
      await neo!.app.close();
      neo = undefined;
      await wipeNeo4j(server);
      const store = await openStore({ kind: 'neo4j', ...server });
      try {
        await new ApiKeys(store).create({ name: 'made-there', role: 'reader' });
      } finally {
        await store.close();
      }
      await expect(migrateCommand({ from: source, to: server.uri }, quiet())).rejects.toThrow(
        new UsageError(
          `The Neo4j database at ${server.uri} already holds Twingraph data (ApiKey nodes): migrate copies into an empty database only. Point --to (or NEO4J_DATABASE) at an empty one.`,
        ),
      );
    });

    it('refuses to resume a copy whose source has changed since it began', async () => {
      await wipeNeo4j(server);
      const stop = new Error('interrupted');
      await expect(
        migrateCommand(
          { from: source, to: server.uri },
          quiet({
            onBatch: (phase) => {
              if (phase === 'twins') throw stop;
            },
          }),
        ),
      ).rejects.toBe(stop);
      await lite!.gql('mutation { createClient(id: "written-meanwhile", input: { name: "Late" }) { id } }');
      await expect(migrateCommand({ from: source, to: server.uri }, quiet())).rejects.toThrow(
        /has changed since the unfinished migration .* began/,
      );
    });
  },
);
