/**
 * `twingraph mirror reconcile`: Twingraph is the source of truth; reconcile finds every kind of drift between it
 * and ADT (models, decommissions, twins, components, relationships — missing, different or extra) and repairs
 * ADT, in an order ADT accepts, through the real SDK against the test ADT server. A dry run only reports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mirrorReconcileCommand } from '../../src/mirror/cli';
import { AdtError, type Adt } from '../../src/mirror/adt';
import { createAdt } from '../../src/mirror/client';
import { describeAction, reconcile, type RepairAction } from '../../src/mirror/reconcile';
import { ModelService } from '../../src/services/models';
import { openStore } from '../../src/store/open';
import type { TwinStore } from '../../src/store/port';
import type { JsonObject, RelationshipInput, TwinInput } from '../../src/store/types';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { runCli } from '../support/cli';
import { adtState, twingraphState, type MirroredState } from '../support/mirror-state';

// ── Fixture ───────────────────────────────────────────────────────────────────────────────────────

const DTDL_DIR = path.join(__dirname, '..', '..', 'dtdl');
const CONTEXT = 'dtmi:dtdl:context;3';
const DEMO = 'dtmi:twingraph:demo:';
const GAUGE = 'dtmi:test:Gauge;1';
const LEGACY = 'dtmi:test:Legacy;1';
const RETIRED = 'dtmi:test:Retired;1';
const EXTRA = 'dtmi:test:Extra;1';
const EXTRA_CHILD = 'dtmi:test:ExtraChild;1';

const iface = (id: string, contents: JsonObject[], more: JsonObject = {}): JsonObject => ({
  '@context': CONTEXT,
  '@id': id,
  '@type': 'Interface',
  ...more,
  contents,
});
const prop = (name: string, schema: string): JsonObject => ({ '@type': 'Property', name, schema });

const demoModels: JsonObject[] = fs
  .readdirSync(DTDL_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(fs.readFileSync(path.join(DTDL_DIR, f), 'utf8')) as JsonObject);
const testModels = [
  iface(GAUGE, [prop('reading', 'double')]),
  iface(LEGACY, [prop('label', 'string')]),
  iface(RETIRED, [prop('label', 'string')]),
];
const extraModels = [
  iface(EXTRA, [prop('x', 'string')]),
  iface(EXTRA_CHILD, [prop('y', 'string')], { extends: EXTRA }),
];
const modelById = new Map([...demoModels, ...testModels, ...extraModels].map((m) => [m['@id'] as string, m]));

type TwinFixture = [id: string, model: string, properties: JsonObject];
const device = (n: number): TwinFixture => [
  `dev-${n}`,
  `${DEMO}Device;1`,
  { deviceType: 'chiller', capacity: n + 1, diagnostics: { $metadata: {}, errorCount: n, selfTestPassed: true } },
];
const TWINS: TwinFixture[] = [
  [
    'client-1',
    `${DEMO}Client;1`,
    {
      name: 'Acme',
      country: 'BE',
      industry: 'banking',
      address: { street: 'Rue 1', city: 'Brussels' },
      tags: { tier: 'gold' },
    },
  ],
  ['client-2', `${DEMO}Client;1`, { name: 'Globex', country: 'NL' }],
  ['client-3', `${DEMO}Client;1`, { name: 'Initech' }],
  ['emp-1', `${DEMO}Employee;1`, { name: 'Ann', role: 'partner', hourlyRate: 300 }],
  ['emp-2', `${DEMO}Employee;1`, { name: 'Bob', role: 'manager' }],
  ['emp-3', `${DEMO}Employee;1`, { name: 'Cy', role: 'analyst' }],
  ['eng-1', `${DEMO}Engagement;1`, { title: 'Audit 2024', budget: 100000, status: 'active' }],
  ['eng-2', `${DEMO}Engagement;1`, { title: 'Tax review' }],
  ['eng-3', `${DEMO}Engagement;1`, { title: 'Migration', startDate: '2024-01-15' }],
  ['eng-4', `${DEMO}Engagement;1`, { title: 'Strategy' }],
  ['off-1', `${DEMO}ServiceOffering;1`, { name: 'Audit', line: 'auditAndAssurance' }],
  ['off-2', `${DEMO}ServiceOffering;1`, { name: 'Tax', line: 'tax' }],
  ['asset-1', `${DEMO}Asset;1`, { name: 'Plant A', assetType: 'plant' }],
  ['asset-2', `${DEMO}Asset;1`, { name: 'DC B', assetType: 'dataCentre' }],
  device(1),
  device(2),
  device(3),
  ['gauge-1', GAUGE, { reading: 1.5 }],
  ['legacy-1', LEGACY, { label: 'old' }],
  ['retired-1', RETIRED, { label: 'gone' }],
];

type RelFixture = [source: string, id: string, name: string, target: string, properties: JsonObject];
const RELS: RelFixture[] = [
  ['client-1', 'c1-e1', 'hasEngagement', 'eng-1', { since: '2024-03-01' }],
  ['client-1', 'c1-e2', 'hasEngagement', 'eng-2', { since: '2024-06-01' }],
  ['client-2', 'c2-e3', 'hasEngagement', 'eng-3', {}],
  ['client-3', 'c3-e4', 'hasEngagement', 'eng-4', { since: '2025-01-01' }],
  ['eng-1', 'e1-lead', 'ledBy', 'emp-1', {}],
  ['eng-1', 'e1-uses', 'uses', 'off-1', {}],
  ['eng-1', 'e1-covers', 'covers', 'asset-1', { scope: 'full' }],
  ['eng-2', 'e2-lead', 'ledBy', 'emp-2', {}],
  ['asset-1', 'a1-d1', 'hosts', 'dev-1', {}],
  ['asset-1', 'a1-d2', 'hosts', 'dev-2', {}],
  ['asset-2', 'a2-d3', 'hosts', 'dev-3', {}],
];

const twinBody = ([, model, props]: TwinFixture): JsonObject => ({ $metadata: { $model: model }, ...props });
const relBody = ([, , name, target, props]: RelFixture): JsonObject => ({
  $relationshipName: name,
  $targetId: target,
  ...props,
});

/** The Twingraph every test compares with (built once; reconcile only reads it). */
async function buildTwingraph(file: string): Promise<void> {
  const store = await openStore({ kind: 'sqlite', path: file, outbox: false });
  try {
    const models = new ModelService(store);
    await models.load();
    await models.upload([...demoModels, ...testModels].map((m) => JSON.stringify(m)));
    await store.createTwins(TWINS.map((t) => ({ id: t[0], twin: twinBody(t) as TwinInput })));
    await store.putRelationships(
      RELS.map((r) => ({ sourceId: r[0], relationshipId: r[1], relationship: relBody(r) as RelationshipInput })),
    );
    // Decommissioned after their twins were made.
    await models.decommission(LEGACY);
    await models.decommission(RETIRED);
  } finally {
    await store.close();
  }
}

interface AdtContent {
  models: string[];
  decommissioned?: string[];
  twins: [string, JsonObject][];
  relationships: [string, string, JsonObject][];
}

async function seedAdt(server: AdtServer, adt: Adt, content: AdtContent): Promise<void> {
  server.state.reset();
  server.faults.clear();
  await adt.createModels(content.models.map((id) => modelById.get(id)!));
  for (const [id, body] of content.twins) await adt.putTwin(id, body);
  for (const [source, id, body] of content.relationships) await adt.putRelationship(source, id, body);
  for (const id of content.decommissioned ?? []) await adt.decommissionModel(id);
  server.requests.length = 0;
}

/** ADT with drift of every kind. */
function drifted(): AdtContent {
  const twins = TWINS.filter(([id]) => !['gauge-1', 'retired-1', 'eng-4'].includes(id)).map(
    (t): [string, JsonObject] => {
      const body = twinBody(t);
      if (t[0] === 'client-2') body.name = 'Globex (old name)'; // a property differs
      if (t[0] === 'dev-1') body.diagnostics = { $metadata: {}, errorCount: 99, selfTestPassed: false }; // a component value differs
      return [t[0], body];
    },
  );
  twins.push(['ghost', { $metadata: { $model: EXTRA_CHILD }, y: 'boo' }]); // an extra twin…
  const relationships = RELS.filter(([, id]) => !['c3-e4', 'e1-lead'].includes(id)).map(
    (r): [string, string, JsonObject] => {
      const body = relBody(r);
      if (r[1] === 'c1-e1') body.since = '2020-01-01'; // a property differs
      if (r[1] === 'a2-d3') body.$targetId = 'dev-2'; // the target differs
      return [r[0], r[1], body];
    },
  );
  relationships.push(
    ['asset-2', 'a2-extra', { $relationshipName: 'hosts', $targetId: 'dev-1' }], // an extra relationship
    ['ghost', 'ghost-out', { $relationshipName: 'haunts', $targetId: 'client-1' }], // …with relationships out
    ['client-2', 'ghost-in', { $relationshipName: 'hasEngagement', $targetId: 'ghost' }], // …and in
  );
  return {
    // Gauge and Retired missing; Legacy not decommissioned; Extra and ExtraChild (extends Extra) extra.
    models: [...demoModels.map((m) => m['@id'] as string), LEGACY, EXTRA, EXTRA_CHILD],
    twins,
    relationships,
  };
}

/** ADT exactly as Twingraph has it. */
function inSync(): AdtContent {
  return {
    models: [...demoModels, ...testModels].map((m) => m['@id'] as string),
    decommissioned: [LEGACY, RETIRED],
    twins: TWINS.map((t) => [t[0], twinBody(t)]),
    relationships: RELS.map((r) => [r[0], r[1], relBody(r)]),
  };
}

const EXPECTED: RepairAction[] = [
  { kind: 'createModels', ids: [GAUGE, RETIRED] },
  { kind: 'putTwin', id: 'client-2', reason: 'differs' },
  { kind: 'putTwin', id: 'dev-1', reason: 'differs' },
  { kind: 'putTwin', id: 'eng-4', reason: 'missing' },
  { kind: 'putTwin', id: 'gauge-1', reason: 'missing' },
  { kind: 'putTwin', id: 'retired-1', reason: 'missing' },
  { kind: 'decommissionModel', id: LEGACY },
  { kind: 'decommissionModel', id: RETIRED },
  { kind: 'deleteRelationship', sourceId: 'asset-2', relationshipId: 'a2-extra' },
  { kind: 'deleteRelationship', sourceId: 'client-2', relationshipId: 'ghost-in' },
  { kind: 'deleteRelationship', sourceId: 'ghost', relationshipId: 'ghost-out' },
  { kind: 'putRelationship', sourceId: 'asset-2', relationshipId: 'a2-d3', reason: 'differs' },
  { kind: 'putRelationship', sourceId: 'client-1', relationshipId: 'c1-e1', reason: 'differs' },
  { kind: 'putRelationship', sourceId: 'client-3', relationshipId: 'c3-e4', reason: 'missing' },
  { kind: 'putRelationship', sourceId: 'eng-1', relationshipId: 'e1-lead', reason: 'missing' },
  { kind: 'deleteTwin', id: 'ghost' },
  { kind: 'deleteModel', id: EXTRA_CHILD },
  { kind: 'deleteModel', id: EXTRA },
];

/** Actions in a stable order for comparison where the order within a step is not part of the promise. */
const key = (a: RepairAction): string => describeAction(a);
const sorted = (actions: readonly RepairAction[]): string[] => actions.map(key).sort();

// ── Harness ───────────────────────────────────────────────────────────────────────────────────────

let dir: string;
let dbFile: string;
let server: AdtServer;
let adt: Adt;
let store: TwinStore;
let ours: MirroredState;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-reconcile-'));
  dbFile = path.join(dir, 'tg.db');
  await buildTwingraph(dbFile);
  store = await openStore({ kind: 'sqlite', path: dbFile, outbox: false });
  ours = await twingraphState(store);
  server = await startAdtServer();
  adt = createAdt(server.url);
});
afterAll(async () => {
  await store?.close();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.env = { ...savedEnv };
});

function cliEnv(endpoint: string | undefined): void {
  process.env.TWINGRAPH_DB = dbFile;
  process.env.TWINGRAPH_SEED = 'none';
  process.env.LOG_LEVEL = 'silent';
  // Retries of transient failures, quickly.
  process.env.ADT_RETRY_BASE_MS = '1';
  process.env.ADT_RETRY_MAX_MS = '5';
  if (endpoint) process.env.ADT_ENDPOINT = endpoint;
  else delete process.env.ADT_ENDPOINT;
}

const writes = (): string[] => server.requests.filter((r) => r.write).map((r) => `${r.method} ${r.path}`);

// ── Specifications ────────────────────────────────────────────────────────────────────────────────

describe('the fixture', () => {
  it('is what the tests assume: 20 twins (a device with its component), relationships with properties, decommissioned models', () => {
    expect(Object.keys(ours.twins)).toHaveLength(20);
    expect(JSON.parse(ours.twins['dev-1'])).toMatchObject({ diagnostics: { errorCount: 1, selfTestPassed: true } });
    expect(JSON.parse(ours.relationships['client-1/c1-e1'])).toMatchObject({ since: '2024-03-01' });
    expect(ours.models[LEGACY].decommissioned).toBe(true);
    expect(ours.models[RETIRED].decommissioned).toBe(true);
    expect(Object.keys(ours.models)).toHaveLength(11);
  });
});

describe('reconcile --dry-run', () => {
  it('lists exactly the repairs needed and changes nothing in ADT (no write request at all)', async () => {
    await seedAdt(server, adt, drifted());
    const before = server.state.snapshot();
    const seen: RepairAction[] = [];
    const report = await reconcile(store, adt, { dryRun: true, onAction: (a) => seen.push(a) });
    expect(report.dryRun).toBe(true);
    expect(report.failures).toEqual([]);
    expect(sorted(report.actions)).toEqual(sorted(EXPECTED));
    expect(seen).toEqual(report.actions);
    expect(server.state.snapshot()).toEqual(before);
    expect(writes()).toEqual([]);
  });

  it('through the CLI: prints each repair as "would …" and a summary, exit 0, ADT unchanged', async () => {
    await seedAdt(server, adt, drifted());
    const before = server.state.snapshot();
    cliEnv(server.url);
    const { code, out, err } = await runCli('mirror', 'reconcile', '--dry-run');
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.slice(0, -1).sort()).toEqual(
      sorted(EXPECTED)
        .map((l) => `would ${l}`)
        .sort(),
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^Dry run: compared \\d+ models, \\d+ twins, \\d+ relationships; ${EXPECTED.length} repairs needed\\.$`,
      ),
    );
    expect(server.state.snapshot()).toEqual(before);
    expect(writes()).toEqual([]);
  });
});

describe('reconcile', () => {
  it('repairs every kind of drift: ADT equals Twingraph afterwards, in an order ADT accepts', async () => {
    await seedAdt(server, adt, drifted());
    const report = await reconcile(store, adt);
    expect(report.failures).toEqual([]);
    expect(sorted(report.actions)).toEqual(sorted(EXPECTED));
    expect(adtState(server)).toEqual(ours);

    // Order: models before the twins of them, twins of a decommissioned model before its decommission,
    // relationships out of the way before their twin is deleted, dependents deleted before what they extend.
    const log = writes();
    const at = (entry: string): number => {
      const i = log.indexOf(entry);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at('POST /models')).toBeLessThan(at('PUT /digitaltwins/gauge-1'));
    expect(at('PUT /digitaltwins/retired-1')).toBeLessThan(at(`PATCH /models/${RETIRED}`));
    expect(at('DELETE /digitaltwins/client-2/relationships/ghost-in')).toBeLessThan(at('DELETE /digitaltwins/ghost'));
    expect(at('DELETE /digitaltwins/ghost/relationships/ghost-out')).toBeLessThan(at('DELETE /digitaltwins/ghost'));
    expect(at(`DELETE /models/${EXTRA_CHILD}`)).toBeLessThan(at(`DELETE /models/${EXTRA}`));
    expect(log).toHaveLength(EXPECTED.length);
    // No write was refused. (Reads may answer 404: each repair looks its subject up again first.)
    expect(server.requests.filter((r) => r.status >= 400 && (r.write || r.status !== 404))).toEqual([]);
  });

  it('through the CLI: names each repair, then a second run finds ADT matching and writes nothing', async () => {
    await seedAdt(server, adt, drifted());
    cliEnv(server.url);
    const first = await runCli('mirror', 'reconcile');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const lines = first.out.trimEnd().split('\n');
    expect(lines.slice(0, -1).sort()).toEqual(sorted(EXPECTED));
    expect(lines).toEqual(
      expect.arrayContaining([
        'create twin eng-4',
        'replace twin dev-1',
        'delete twin ghost',
        'create relationship eng-1/e1-lead',
        'replace relationship client-1/c1-e1',
        'delete relationship client-2/ghost-in',
        `delete model ${EXTRA_CHILD}`,
        `decommission model ${LEGACY}`,
      ]),
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(`^compared \\d+ models, \\d+ twins, \\d+ relationships; ${EXPECTED.length} repairs made\\.$`),
    );
    expect(adtState(server)).toEqual(ours);

    server.requests.length = 0;
    const second = await runCli('mirror', 'reconcile');
    expect(second.code).toBe(0);
    expect(second.out).toBe('compared 11 models, 20 twins, 11 relationships; ADT matches Twingraph.\n');
    expect(writes()).toEqual([]);
    expect(adtState(server)).toEqual(ours);
  });

  it('reports a model whose definition differs in ADT (exit 1) and leaves it alone', async () => {
    const content = inSync();
    await seedAdt(server, adt, content);
    // Models are immutable: put an edited Party in ADT in place of ours.
    server.state.reset();
    const party = `${DEMO}Party;1`;
    const edited = { ...modelById.get(party)!, displayName: 'Party (edited in ADT)' };
    await adt.createModels(content.models.map((id) => (id === party ? edited : modelById.get(id)!)));
    for (const [id, body] of content.twins) await adt.putTwin(id, body);
    for (const [source, id, body] of content.relationships) await adt.putRelationship(source, id, body);
    for (const id of content.decommissioned!) await adt.decommissionModel(id);
    server.requests.length = 0;
    const before = server.state.snapshot();

    const report = await reconcile(store, adt);
    expect(report.actions).toEqual([{ kind: 'modelDiffers', id: party }]);
    expect(report.failures).toEqual([]);

    cliEnv(server.url);
    for (const args of [['--dry-run'], []]) {
      const { code, out } = await runCli('mirror', 'reconcile', ...args);
      expect(code).toBe(1);
      expect(out).toContain(
        `model ${party} differs in ADT (models are immutable: delete it there and reconcile again)\n`,
      );
      expect(out).not.toContain('would model');
      expect(out).toMatch(/nothing to repair; 1 difference\(s\) a person must settle \(above\)\.\n$/);
    }
    expect(server.state.snapshot()).toEqual(before);
    expect(writes()).toEqual([]);
  });

  it('reports a model decommissioned in ADT but not in Twingraph (ADT cannot undo it; exit 1) and changes nothing', async () => {
    const content = inSync();
    await seedAdt(server, adt, content);
    const client = `${DEMO}Client;1`;
    await adt.decommissionModel(client);
    server.requests.length = 0;
    const report = await reconcile(store, adt);
    expect(report.actions).toEqual([{ kind: 'modelDecommissionedInAdt', id: client }]);
    cliEnv(server.url);
    const { code, out } = await runCli('mirror', 'reconcile');
    expect(code).toBe(1);
    expect(out).toContain(`model ${client} is decommissioned in ADT but not in Twingraph`);
    expect(writes()).toEqual([]);
  });

  it('with ADT failing some writes (503): reports each failure with ADT’s error, exit 1, repairs the rest; a later run finishes', async () => {
    await seedAdt(server, adt, drifted());
    server.faults.hook((r) =>
      (r.op === 'twins.put' && r.path === '/digitaltwins/client-2') ||
      (r.op === 'relationships.delete' && r.path === '/digitaltwins/client-2/relationships/ghost-in')
        ? { type: 'unavailable' }
        : undefined,
    );
    cliEnv(server.url);
    const { code, out } = await runCli('mirror', 'reconcile');
    expect(code).toBe(1);
    const failedLines = out.split('\n').filter((l) => l.includes('FAILED'));
    expect(failedLines).toEqual([
      'replace twin client-2 — FAILED: 503 ServiceUnavailable: The service is temporarily unavailable. Please retry.',
      'delete relationship client-2/ghost-in — FAILED: 503 ServiceUnavailable: The service is temporarily unavailable. Please retry.',
      // The twin still has the relationship ADT could not delete: ADT's own refusal, reported as it came.
      expect.stringMatching(
        /^delete twin ghost — FAILED: 400 RelationshipsNotDeleted: Twin ghost has active relationships/,
      ),
    ]);
    expect(out).toMatch(new RegExp(`; ${EXPECTED.length} repairs made, 3 failed\\.\\n$`));
    // The 503s were sent again (six attempts in all) before they counted as failures; ADT's 400 was not.
    const sent = (path: string, method: string): number =>
      server.requests.filter((r) => r.path === path && r.method === method).length;
    expect(sent('/digitaltwins/client-2', 'PUT')).toBe(6);
    expect(sent('/digitaltwins/client-2/relationships/ghost-in', 'DELETE')).toBe(6);
    expect(sent('/digitaltwins/ghost', 'DELETE')).toBe(1);

    // The rest is repaired.
    const theirs = adtState(server);
    expect(theirs.models).toEqual(ours.models);
    const { ['client-2']: client2, ghost, ...otherTwins } = theirs.twins;
    expect(JSON.parse(client2)).toMatchObject({ name: 'Globex (old name)' });
    expect(ghost).toBeDefined();
    const { ['client-2']: _c2, ...ourOtherTwins } = ours.twins;
    expect(otherTwins).toEqual(ourOtherTwins);
    const { ['client-2/ghost-in']: ghostIn, ...otherRels } = theirs.relationships;
    expect(ghostIn).toBeDefined();
    expect(otherRels).toEqual(ours.relationships);

    // ADT recovers: the next run does only what is left.
    server.faults.clear();
    const again = await reconcile(store, adt);
    expect(again.failures).toEqual([]);
    expect(again.actions).toEqual([
      { kind: 'putTwin', id: 'client-2', reason: 'differs' },
      { kind: 'deleteRelationship', sourceId: 'client-2', relationshipId: 'ghost-in' },
      { kind: 'deleteTwin', id: 'ghost' },
    ]);
    expect(adtState(server)).toEqual(ours);
  });

  it('without ADT_ENDPOINT is a usage error (exit 2) saying what is missing', async () => {
    cliEnv(undefined);
    for (const args of [['--dry-run'], []]) {
      const { code, out, err } = await runCli('mirror', 'reconcile', ...args);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(/^twingraph: 'twingraph mirror reconcile' needs ADT_ENDPOINT/);
    }
  });
});

describe('reconcile with ADT failing transiently', () => {
  it('retries throttled (429), unavailable (503) and dropped requests — listings and repairs — and repairs everything', async () => {
    await seedAdt(server, adt, drifted());
    // Deterministic: each kind of request fails once or twice before it goes through.
    const seen = new Map<string, number>();
    const faults: Record<string, ('throttle' | 'unavailable' | 'drop' | 'drop-after-write')[]> = {
      'POST /query': ['throttle', 'drop'], // both listings (twins, relationships) restart
      'GET /models': ['unavailable'],
      'POST /models': ['throttle'],
      'PUT /digitaltwins/client-2': ['unavailable', 'drop'],
      'GET /digitaltwins/eng-4': ['drop'], // the look-up before a repair
      'PUT /digitaltwins/client-3/relationships/c3-e4': ['throttle'],
      // ADT deleted it, but the answer was lost: the retry's 404 means done.
      'DELETE /digitaltwins/asset-2/relationships/a2-extra': ['drop-after-write'],
      'DELETE /digitaltwins/ghost': ['drop-after-write'],
    };
    server.faults.hook((r) => {
      const key = `${r.method} ${r.path}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const f = faults[key]?.[n];
      if (f === 'throttle') return { type: 'throttle', retryAfterSeconds: 0 };
      if (f === 'unavailable') return { type: 'unavailable' };
      if (f === 'drop' || f === 'drop-after-write') return { type: 'drop', afterWrite: f === 'drop-after-write' };
      return undefined;
    });
    const report = await reconcile(store, adt, { retry: { baseMs: 1, maxMs: 5 } });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(sorted(report.actions)).toEqual(sorted(EXPECTED));
    expect(adtState(server)).toEqual(ours);
    expect(server.requests.filter((r) => r.faulted).length).toBe(Object.values(faults).flat().length);
  });

  it('a model upload ADT applied but whose answer was lost: the retry’s 409 ModelAlreadyExists counts as done (exit 0)', async () => {
    await seedAdt(server, adt, drifted());
    let posts = 0;
    server.faults.hook((r) =>
      r.method === 'POST' && r.path === '/models' && posts++ === 0 ? { type: 'drop', afterWrite: true } : undefined,
    );
    cliEnv(server.url);
    const { code, out } = await runCli('mirror', 'reconcile');
    server.faults.clear();
    expect(out).not.toContain('FAILED');
    expect(code).toBe(0);
    expect(out.trimEnd().split('\n').slice(0, -1).sort()).toEqual(sorted(EXPECTED));
    const uploads = server.requests.filter((r) => r.method === 'POST' && r.path === '/models');
    expect(uploads.map((r) => [r.faulted, r.status])).toEqual([
      ['drop-after-write', 201],
      [undefined, 409],
    ]);
    expect(adtState(server)).toEqual(ours);
  });

  it('a retried model upload’s 409 where ADT has a model with another definition: modelDiffers, not a failure; with a model missing: the 409 is the failure', async () => {
    const gauge = modelById.get(GAUGE)!;
    const otherGauge = { ...gauge, displayName: 'Gauge (uploaded by someone else)' };
    const lost = (upload: (models: readonly JsonObject[]) => JsonObject[]): Adt => {
      let calls = 0;
      return {
        ...adt,
        createModels: async (models) => {
          if (calls++ > 0) return adt.createModels(models);
          await adt.createModels(upload(models));
          throw new AdtError('socket hang up', 'NetworkError', undefined, undefined);
        },
      };
    };
    const retry = { baseMs: 1, maxMs: 2 };

    await seedAdt(server, adt, drifted());
    const differs = await reconcile(
      store,
      lost((models) => models.map((m) => (m['@id'] === GAUGE ? otherGauge : m))),
      { retry },
    );
    expect(differs.failures).toEqual([]);
    expect(differs.actions).toContainEqual({ kind: 'createModels', ids: [GAUGE, RETIRED] });
    expect(differs.actions).toContainEqual({ kind: 'modelDiffers', id: GAUGE });

    await seedAdt(server, adt, drifted());
    const partial = await reconcile(
      store,
      lost((models) => models.filter((m) => m['@id'] === GAUGE)),
      { retry },
    );
    // (Then the repairs that needed Retired fail too.)
    expect(partial.failures[0]).toEqual({
      action: { kind: 'createModels', ids: [GAUGE, RETIRED] },
      error: expect.stringMatching(/^409 ModelAlreadyExists/),
    });
  });

  it('gives up on a listing ADT keeps refusing: the error comes out (nothing repaired)', async () => {
    await seedAdt(server, adt, drifted());
    server.faults.hook((r) => (r.op === 'query' ? { type: 'unavailable' } : undefined));
    await expect(reconcile(store, adt, { retry: { attempts: 3, baseMs: 1, maxMs: 2 } })).rejects.toMatchObject({
      name: 'AdtError',
      status: 503,
    });
    expect(server.requests.filter((r) => r.op === 'query')).toHaveLength(3);
    expect(writes()).toEqual([]);
  });
});

describe('reconcile beside a running server (and ADT’s query lag)', () => {
  const CLIENT = `${DEMO}Client;1`;
  let raceStore: TwinStore;
  beforeAll(async () => {
    const file = path.join(dir, 'race.db');
    await buildTwingraph(file);
    raceStore = await openStore({ kind: 'sqlite', path: file, outbox: false });
  });
  afterAll(async () => {
    await raceStore?.close();
  });

  /**
   * ADT as reconcile sees it while a server writes to Twingraph and mirrors to ADT between reconcile's reads
   * and its repairs, and ADT's query results lag: the twin listing misses client-1 (in ADT, as in Twingraph),
   * the relationship listing still shows asset-1/stale-rel (deleted from ADT).
   */
  function racing(): Adt {
    return {
      ...adt,
      allTwins: async function* () {
        // After reconcile read Twingraph's twins: the server creates `late` (and mirrors it), deletes eng-4.
        await raceStore.createTwin('late', { $metadata: { $model: CLIENT }, name: 'Late' } as TwinInput);
        await adt.putTwin('late', { $metadata: { $model: CLIENT }, name: 'Late' });
        await raceStore.deleteTwin('eng-4', { cascade: true });
        for await (const t of adt.allTwins()) if (t.$dtId !== 'client-1') yield t;
      },
      allRelationships: async function* () {
        for await (const r of adt.allRelationships()) yield r;
        yield { $sourceId: 'asset-1', $relationshipId: 'stale-rel', $relationshipName: 'hosts', $targetId: 'dev-3' };
        // After every read: client-2 renamed (and mirrored), asset-2/a2-extra created in Twingraph as ADT has it.
        await raceStore.replaceTwin('client-2', {
          $metadata: { $model: CLIENT },
          name: 'Globex Corp',
          country: 'NL',
        } as TwinInput);
        await adt.putTwin('client-2', { $metadata: { $model: CLIENT }, name: 'Globex Corp', country: 'NL' });
        await raceStore.putRelationship('asset-2', 'a2-extra', {
          $relationshipName: 'hosts',
          $targetId: 'dev-1',
        } as RelationshipInput);
      },
    };
  }

  it('looks each subject up again before its repair and skips those that no longer apply: ADT ends equal to Twingraph', async () => {
    await seedAdt(server, adt, drifted());
    const seen: string[] = [];
    const report = await reconcile(raceStore, racing(), {
      retry: { baseMs: 1, maxMs: 5 },
      onAction: (a, error, skipped) =>
        seen.push(`${describeAction(a)}${error ? ` FAILED ${error}` : ''}${skipped ? ` SKIPPED ${skipped}` : ''}`),
    });
    expect(report.failures).toEqual([]);
    expect(report.skipped.map((s) => `${describeAction(s.action)}: ${s.reason}`).sort()).toEqual(
      [
        'create twin client-1: ADT has it as Twingraph does', // the query lagged
        'create twin eng-4: no longer in Twingraph', // deleted meanwhile: not brought back
        'replace twin client-2: ADT has it as Twingraph does', // not put back to the old name
        'delete relationship asset-2/a2-extra: now in Twingraph',
        'delete relationship asset-1/stale-rel: already gone from ADT', // the query lagged
        'delete twin late: now in Twingraph', // created meanwhile: not deleted
      ].sort(),
    );
    for (const s of report.skipped) expect(report.actions).not.toContainEqual(s.action);
    expect(seen).toContain('delete twin late SKIPPED now in Twingraph');
    expect(adtState(server)).toEqual(await twingraphState(raceStore));
    expect(server.requests.filter((r) => r.write && r.status >= 400)).toEqual([]);
  });

  it('through the CLI: a skipped repair is a line of its own and in the summary, not a failure (exit 0)', async () => {
    await seedAdt(server, adt, inSync());
    cliEnv(server.url);
    const lagging: Adt = {
      ...adt,
      allRelationships: async function* () {
        for await (const r of adt.allRelationships()) yield r;
        yield { $sourceId: 'asset-1', $relationshipId: 'stale-rel', $relationshipName: 'hosts', $targetId: 'dev-3' };
      },
    };
    let out = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    let code: number;
    try {
      code = await mirrorReconcileCommand({}, { adt: () => lagging });
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    expect(out).toBe(
      'skipped delete relationship asset-1/stale-rel: already gone from ADT\ncompared 11 models, 20 twins, 12 relationships; ADT matches Twingraph, 1 skipped (no longer needed).\n',
    );
    expect(writes()).toEqual([]);
  });
});
