/**
 * `twingraph mirror import`: seeds an empty Twingraph from ADT (through the real SDK against the test ADT
 * server, paging small): models (decommission included), twins with components, relationships with
 * properties — validated against the models, and not mirrored back (no outbox entries, no ADT writes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Adt } from '../../src/mirror/adt';
import { createAdt } from '../../src/mirror/client';
import { importFromAdt } from '../../src/mirror/import';
import { ModelService } from '../../src/services/models';
import { openStore } from '../../src/store/open';
import type { TwinStore } from '../../src/store/port';
import type { JsonObject, TwinInput } from '../../src/store/types';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { runCli } from '../support/cli';
import { adtState, twingraphState } from '../support/mirror-state';

const DTDL_DIR = path.join(__dirname, '..', '..', 'dtdl');
const DEMO = 'dtmi:twingraph:demo:';
const LEGACY = 'dtmi:test:Legacy;1';
const legacyModel: JsonObject = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': LEGACY,
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'label', schema: 'string' }],
};
const demoModels: JsonObject[] = fs
  .readdirSync(DTDL_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(fs.readFileSync(path.join(DTDL_DIR, f), 'utf8')) as JsonObject);

const twin = (model: string, props: JsonObject = {}): JsonObject => ({
  $metadata: { $model: `${DEMO}${model};1` },
  ...props,
});
const device = (n: number): JsonObject =>
  twin('Device', {
    deviceType: 'rack',
    capacity: n,
    diagnostics: { $metadata: {}, errorCount: n, lastError: `E${n}` },
  });

const TWINS: [string, JsonObject][] = [
  [
    'client-1',
    twin('Client', { name: 'Acme', industry: 'energy', address: { city: 'Ghent' }, tags: { tier: 'gold' } }),
  ],
  ['client-2', twin('Client', { name: 'Globex' })],
  ['emp-1', twin('Employee', { name: 'Ann', role: 'partner' })],
  ['eng-1', twin('Engagement', { title: 'Audit', budget: 5000 })],
  ['eng-2', twin('Engagement', { title: 'Tax' })],
  ['eng-3', twin('Engagement', { title: 'Review', status: 'onHold' })],
  ['off-1', twin('ServiceOffering', { name: 'Audit', line: 'auditAndAssurance' })],
  ['asset-1', twin('Asset', { name: 'Plant', assetType: 'plant' })],
  ['dev-1', device(1)],
  ['dev-2', device(2)],
  ['dev-3', device(3)],
  ['legacy-1', { $metadata: { $model: LEGACY }, label: 'old' }],
];
const RELS: [string, string, JsonObject][] = [
  ['client-1', 'c1-e1', { $relationshipName: 'hasEngagement', $targetId: 'eng-1', since: '2024-03-01' }],
  ['client-1', 'c1-e2', { $relationshipName: 'hasEngagement', $targetId: 'eng-2', since: '2024-05-01' }],
  ['client-2', 'c2-e3', { $relationshipName: 'hasEngagement', $targetId: 'eng-3' }],
  ['eng-1', 'e1-lead', { $relationshipName: 'ledBy', $targetId: 'emp-1' }],
  ['eng-1', 'e1-uses', { $relationshipName: 'uses', $targetId: 'off-1' }],
  ['eng-1', 'e1-covers', { $relationshipName: 'covers', $targetId: 'asset-1', scope: 'all sites' }],
  ['asset-1', 'a1-d1', { $relationshipName: 'hosts', $targetId: 'dev-1' }],
  ['asset-1', 'a1-d2', { $relationshipName: 'hosts', $targetId: 'dev-2' }],
  ['asset-1', 'a1-d3', { $relationshipName: 'hosts', $targetId: 'dev-3' }],
];

let dir: string;
let n = 0;
let server: AdtServer;
let adt: Adt;
const savedEnv = { ...process.env };

async function seedAdt(
  extra: { twins?: [string, JsonObject][]; relationships?: [string, string, JsonObject][] } = {},
): Promise<void> {
  server.state.reset();
  await adt.createModels([...demoModels, legacyModel]);
  for (const [id, body] of [...TWINS, ...(extra.twins ?? [])]) await adt.putTwin(id, body);
  for (const [source, id, body] of [...RELS, ...(extra.relationships ?? [])])
    await adt.putRelationship(source, id, body);
  await adt.decommissionModel(LEGACY); // after legacy-1 was made
  server.requests.length = 0;
}

/** A fresh database file, named in TWINGRAPH_DB, with ADT_ENDPOINT set (so the store would have an outbox). */
function freshDb(): string {
  const file = path.join(dir, `tg-${++n}.db`);
  process.env.TWINGRAPH_DB = file;
  process.env.TWINGRAPH_SEED = 'none';
  process.env.LOG_LEVEL = 'silent';
  process.env.ADT_ENDPOINT = server.url;
  return file;
}

async function withStore<T>(file: string, run: (store: TwinStore) => Promise<T>): Promise<T> {
  const store = await openStore({ kind: 'sqlite', path: file, outbox: false });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-import-'));
  // Small pages: the import must follow continuation tokens.
  server = await startAdtServer({ relationshipPageSize: 2, queryPageSize: 3 });
  adt = createAdt(server.url);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.env = { ...savedEnv };
});

describe('twingraph mirror import', () => {
  it('seeds an empty Twingraph with what ADT holds, across pages, decommission included; progress on stderr; nothing mirrored back', async () => {
    await seedAdt();
    const file = freshDb();
    const { code, out, err } = await runCli('mirror', 'import');
    expect(code).toBe(0);
    expect(out).toMatch(
      new RegExp(
        `^Imported from ${server.url.replace(/\./g, '\\.')}: 9 models, 12 twins, 9 relationships in [\\d.]+ s\\.\\n$`,
      ),
    );
    expect(err).toContain('imported 9 models\n');
    expect(err).toContain('imported 12 twins\n');
    expect(err).toContain('imported 9 relationships\n');
    // Both query kinds went over several pages (page size 3).
    expect(server.requests.filter((r) => r.op === 'query').length).toBeGreaterThanOrEqual(
      Math.ceil(12 / 3) + Math.ceil(9 / 3),
    );
    // Nothing was written to ADT.
    expect(server.requests.filter((r) => r.write)).toEqual([]);

    await withStore(file, async (store) => {
      const ours = await twingraphState(store);
      expect(ours).toEqual(adtState(server));
      expect(ours.models[LEGACY].decommissioned).toBe(true);
      expect(ours.models[`${DEMO}Client;1`].decommissioned).toBe(false);
      expect(JSON.parse(ours.twins['dev-2'])).toMatchObject({ diagnostics: { errorCount: 2, lastError: 'E2' } });
      expect(JSON.parse(ours.relationships['eng-1/e1-covers'])).toMatchObject({ scope: 'all sites' });
      // The decommissioned model's twin came along, and is usable in Twingraph as in ADT.
      expect((await store.getTwin('legacy-1')).label).toBe('old');
      // What came from ADT is not queued to go back to it, although ADT_ENDPOINT is set.
      expect(await store.outboxStats()).toMatchObject({ pending: 0, dead: 0 });
      expect(await store.claimOutbox({ limit: 100, leaseMs: 1000 })).toEqual([]);
    });
  });

  it('refuses a Twingraph that is not empty (exit 1, clear message) and changes nothing', async () => {
    await seedAdt();
    const file = freshDb();
    await withStore(file, async (store) => {
      const models = new ModelService(store);
      await models.load();
      await models.upload([JSON.stringify(demoModels.find((m) => m['@id'] === `${DEMO}Party;1`))]);
      await store.createTwin('mine', { $metadata: { $model: `${DEMO}Party;1` }, name: 'Mine' } as TwinInput);
    });
    const before = await withStore(file, (store) => twingraphState(store));

    const { code, out, err } = await runCli('mirror', 'import');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      'twingraph mirror import: Import seeds an empty Twingraph; this one has 1 models and 1 twins. Use another database (TWINGRAPH_DB=<new file>).\n',
    );
    expect(await withStore(file, (store) => twingraphState(store))).toEqual(before);
    expect(server.requests.filter((r) => r.write)).toEqual([]);
  });

  it('fails with an error naming an ADT twin that does not validate against its model (exit 1), and imports nothing', async () => {
    // The test ADT server (like a lax or older ADT) holds a twin its model does not allow.
    await seedAdt({ twins: [['bad-client', twin('Client', { name: 'Bad', industry: 'piracy' })]] });
    const file = freshDb();
    const { code, out, err } = await runCli('mirror', 'import');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/^twingraph mirror import: .*bad-client/m);
    expect(err).toMatch(/industry/);
    expect(err).toMatch(/Nothing was imported\./);
    await withStore(file, async (store) => {
      const counts = await store.counts();
      expect({ models: counts.models, twins: counts.twins, relationships: counts.relationships }).toEqual({
        models: 0,
        twins: 0,
        relationships: 0,
      });
    });
    // …so once ADT is put right, the same database takes the import.
    await seedAdt({});
    expect((await runCli('mirror', 'import')).code).toBe(0);
  });

  it('fails with an error naming an ADT relationship that does not validate, and takes the twins and models it had written out again', async () => {
    await seedAdt({ relationships: [['eng-2', 'bad-rel', { $relationshipName: 'ledBy', $targetId: 'off-1' }]] });
    const file = freshDb();
    const { code, err } = await runCli('mirror', 'import');
    expect(code).toBe(1);
    expect(err).toMatch(/^twingraph mirror import: .*bad-rel/m);
    expect(err).toMatch(/Nothing was imported\./);
    await withStore(file, async (store) => {
      const counts = await store.counts();
      expect({ models: counts.models, twins: counts.twins, relationships: counts.relationships }).toEqual({
        models: 0,
        twins: 0,
        relationships: 0,
      });
    });
  });

  it('rides out throttling, 503s and dropped connections — listings restarted mid-way — and imports everything', async () => {
    await seedAdt();
    const file = freshDb();
    process.env.ADT_RETRY_BASE_MS = '1';
    process.env.ADT_RETRY_MAX_MS = '5';
    let models = 0;
    let laterPages = 0;
    let firstPages = 0;
    server.faults.hook((r) => {
      if (r.op === 'models.list' && models++ === 0) return { type: 'throttle', retryAfterSeconds: 0 };
      if (r.op !== 'query') return undefined;
      // A page after the first (continuation token): the listing breaks part-way, twice; the first page once.
      if ((r.body as { continuationToken?: string } | undefined)?.continuationToken)
        return laterPages++ < 2 ? { type: 'drop' } : undefined;
      return firstPages++ === 0 ? { type: 'unavailable' } : undefined;
    });
    try {
      const { code, out, err } = await runCli('mirror', 'import');
      expect(err).not.toMatch(/twingraph mirror import:/);
      expect(code).toBe(0);
      expect(out).toMatch(/: 9 models, 12 twins, 9 relationships in /);
    } finally {
      server.faults.clear();
    }
    expect(server.requests.filter((r) => r.faulted).length).toBe(4);
    await withStore(file, async (store) => expect(await twingraphState(store)).toEqual(adtState(server)));
  });

  describe('streaming (importFromAdt; batches of 2, pages of 3)', () => {
    const fast = { baseMs: 1, maxMs: 2 };

    /** Imports into a fresh database, recording each store write: which ids, and whether its listing had ended. */
    async function importRecorded(source: Adt, retry: { attempts?: number; baseMs: number; maxMs: number }) {
      const file = freshDb();
      const ended = { twins: false, relationships: false };
      const listing: Adt = {
        ...source,
        allTwins: async function* () {
          ended.twins = false;
          for await (const t of source.allTwins()) yield t;
          ended.twins = true;
        },
        allRelationships: async function* () {
          ended.relationships = false;
          for await (const r of source.allRelationships()) yield r;
          ended.relationships = true;
        },
      };
      const twinWrites: { ids: string[]; listingEnded: boolean }[] = [];
      const relationshipWrites: { ids: string[]; listingEnded: boolean }[] = [];
      return withStore(file, async (store) => {
        const createTwins = store.createTwins.bind(store);
        const putRelationships = store.putRelationships.bind(store);
        jest.spyOn(store, 'createTwins').mockImplementation((batch, options) => {
          twinWrites.push({ ids: batch.map((t) => t.id), listingEnded: ended.twins });
          return createTwins(batch, options);
        });
        jest.spyOn(store, 'putRelationships').mockImplementation((batch, options) => {
          relationshipWrites.push({
            ids: batch.map((r) => `${r.sourceId}/${r.relationshipId}`),
            listingEnded: ended.relationships,
          });
          return putRelationships(batch, options);
        });
        const models = new ModelService(store);
        await models.load();
        const result = await importFromAdt(store, models, listing, undefined, { retry, batchSize: 2 }).then(
          (summary) => ({ summary, error: undefined }),
          (error: unknown) => ({ summary: undefined, error }),
        );
        return {
          ...result,
          twinWrites,
          relationshipWrites,
          state: await twingraphState(store),
          counts: await store.counts(),
        };
      });
    }

    it('writes each batch as its pages arrive, not after the listing was read whole', async () => {
      await seedAdt();
      const r = await importRecorded(adt, fast);
      expect(r.error).toBeUndefined();
      expect(r.state).toEqual(adtState(server));
      expect(r.twinWrites).toHaveLength(6);
      expect(r.relationshipWrites).toHaveLength(5);
      // All but the last batch went to the store while ADT's listing was still being read.
      expect(r.twinWrites.filter((w) => !w.listingEnded).length).toBeGreaterThanOrEqual(5);
      expect(r.relationshipWrites.filter((w) => !w.listingEnded).length).toBeGreaterThanOrEqual(4);
    });

    it('a listing dropped part-way, after batches were written, is started over: everything imported exactly once; attempts count per failure streak', async () => {
      await seedAdt();
      // Every page after the first is dropped the first time it is asked for: 3 breaks in the twin listing,
      // 2 in the relationship listing — more than `attempts` (2), but each after progress.
      const tokens = new Set<string>();
      server.faults.hook((req) => {
        const token =
          req.op === 'query' ? (req.body as { continuationToken?: string } | undefined)?.continuationToken : undefined;
        if (!token || tokens.has(token)) return undefined;
        tokens.add(token);
        return { type: 'drop' };
      });
      let r: Awaited<ReturnType<typeof importRecorded>>;
      try {
        r = await importRecorded(adt, { ...fast, attempts: 2 });
      } finally {
        server.faults.clear();
      }
      expect(r.error).toBeUndefined();
      expect(server.requests.filter((q) => q.faulted === 'drop')).toHaveLength(5);
      expect(r.summary).toMatchObject({ models: 9, twins: 12, relationships: 9 });
      const twinIds = r.twinWrites.flatMap((w) => w.ids);
      const relIds = r.relationshipWrites.flatMap((w) => w.ids);
      expect(twinIds.sort()).toEqual(TWINS.map(([id]) => id).sort());
      expect(relIds.sort()).toEqual(RELS.map(([source, id]) => `${source}/${id}`).sort());
      // Batches were written before the breaks that followed them (the restart passed over what they held).
      expect(r.twinWrites.filter((w) => !w.listingEnded).length).toBeGreaterThanOrEqual(3);
      expect(r.state).toEqual(adtState(server));
    });

    it('gives up on a listing that breaks at the same place `attempts` times in a row, and takes out what it had written', async () => {
      await seedAdt();
      let third: string | undefined;
      let seen = 0;
      server.faults.hook((req) => {
        const token =
          req.op === 'query' ? (req.body as { continuationToken?: string } | undefined)?.continuationToken : undefined;
        if (!token) return undefined;
        // The twin listing's third page, always.
        if (third === undefined && ++seen === 2) third = token;
        return token === third ? { type: 'drop' } : undefined;
      });
      let r: Awaited<ReturnType<typeof importRecorded>>;
      try {
        r = await importRecorded(adt, { ...fast, attempts: 3 });
      } finally {
        server.faults.clear();
      }
      expect(r.error).toMatchObject({ name: 'AdtError', status: undefined });
      expect(server.requests.filter((q) => q.faulted === 'drop')).toHaveLength(3);
      expect(r.twinWrites.length).toBeGreaterThan(0);
      expect({ models: r.counts.models, twins: r.counts.twins, relationships: r.counts.relationships }).toEqual({
        models: 0,
        twins: 0,
        relationships: 0,
      });
    });
  });

  it('leaves out twins whose model ADT no longer has, with their relationships, and says so; imports the rest', async () => {
    const GONE = 'dtmi:test:Gone;1';
    await seedAdt();
    await adt.createModels([
      {
        '@context': 'dtmi:dtdl:context;3',
        '@id': GONE,
        '@type': 'Interface',
        contents: [{ '@type': 'Property', name: 'x', schema: 'string' }],
      },
    ]);
    await adt.putTwin('orphan-1', { $metadata: { $model: GONE }, x: 'left behind' });
    await adt.putRelationship('orphan-1', 'o-out', { $relationshipName: 'watches', $targetId: 'dev-1' });
    await adt.putRelationship('client-2', 'c2-orphan', { $relationshipName: 'hasEngagement', $targetId: 'orphan-1' });
    // ADT deletes a model whose twins remain.
    await adt.deleteModel(GONE);
    const theirs = adtState(server);
    const file = freshDb();
    const { code, out, err } = await runCli('mirror', 'import');
    expect(code).toBe(0);
    expect(out).toMatch(
      /: 9 models, 12 twins, 9 relationships in [\d.]+ s; skipped 1 twins whose model ADT no longer has and 2 relationships of theirs \(named on stderr\)\.\n$/,
    );
    expect(err).toContain(`skipped twin orphan-1: its model ${GONE} is not in ADT`);
    expect(err).toContain('skipped relationship orphan-1/o-out: twin orphan-1 was skipped\n');
    expect(err).toContain('skipped relationship client-2/c2-orphan: twin orphan-1 was skipped\n');
    const { ['orphan-1']: _orphan, ...twins } = theirs.twins;
    const { ['orphan-1/o-out']: _out, ['client-2/c2-orphan']: _in, ...relationships } = theirs.relationships;
    await withStore(file, async (store) =>
      expect(await twingraphState(store)).toEqual({ models: theirs.models, twins, relationships }),
    );
  });

  it('without ADT_ENDPOINT is a usage error (exit 2)', async () => {
    freshDb();
    delete process.env.ADT_ENDPOINT;
    const { code, out, err } = await runCli('mirror', 'import');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^twingraph: 'twingraph mirror import' needs ADT_ENDPOINT/);
  });
});
