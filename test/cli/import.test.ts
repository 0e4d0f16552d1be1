/**
 * `twingraph import <file.ndjson>`: a file in the format of ADT's Import Jobs API (Header, Models, Twins,
 * Relationships sections) goes into the configured store through the same services as every write — models
 * validated and uploaded, twins and relationships validated against them, every write in the change log with
 * the job as its actor. The whole file is checked before anything is written: a file with any problem is
 * reported line by line and leaves the store as it was. Writing is then batch by batch, each batch all or
 * nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDocuments } from '../../src/dtdl';
import { readCatalogue, scaled } from '../../src/demo/catalogue';
import { planFirm, type Firm } from '../../src/demo/firm';
import { importFile, type ImportLogEntry } from '../../src/cli/import';
import { ModelService } from '../../src/services/models';
import { TwinService } from '../../src/services/twins';
import type { TwinStore } from '../../src/store/port';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { JsonObject } from '../../src/store/types';
import { runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO_DOCUMENTS = collectDocuments([path.join(ROOT, 'dtdl')]);
const FIRM: Firm = planFirm(
  scaled(readCatalogue(path.join(ROOT, 'seeds', 'firm.json')), 0.02),
  Date.parse('2026-11-25T00:00:00Z'),
);
const ENGAGEMENT = 'dtmi:twingraph:demo:Engagement;1';

const HEADER: JsonObject[] = [
  { Section: 'Header' },
  { fileVersion: '1.0.0', author: 'tests', organization: 'twingraph' },
];

/** The demo firm as ADT's import file: its models, its twins, its relationships. */
function demoLines(firm: Firm = FIRM): JsonObject[] {
  return [
    ...HEADER,
    { Section: 'Models' },
    ...DEMO_DOCUMENTS.map((d) => JSON.parse(d.text) as JsonObject),
    { Section: 'Twins' },
    ...firm.twins.map(({ id, twin }) => ({ $dtId: id, ...twin }) as JsonObject),
    { Section: 'Relationships' },
    ...firm.relationships.map(
      ({ sourceId, relationshipId, relationship }) =>
        ({ $dtId: sourceId, $relationshipId: relationshipId, ...relationship }) as JsonObject,
    ),
  ];
}

let dir: string;
let db: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-cli-import-'));
  db = path.join(dir, 'store.db');
  process.env.TWINGRAPH_DB = db;
  process.env.LOG_LEVEL = 'silent';
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes lines (objects as JSON, strings as they are) to a file in the test's folder. */
function file(lines: readonly (JsonObject | string)[], name = 'import.ndjson'): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return target;
}

async function withStore<T>(use: (store: TwinStore) => Promise<T>): Promise<T> {
  const store = await openSqliteStore({ path: db });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** What the store holds: its counts and the newest seq of its change log. */
const contents = () => withStore(async (store) => ({ ...(await store.counts()), seq: await store.latestSeq() }));

/** The problems printed on stderr, as `line code`. */
const problemsIn = (err: string) =>
  err
    .trim()
    .split('\n')
    .map((l) =>
      l
        .match(/:(\d+): (\w+): /)
        ?.slice(1, 3)
        .join(' '),
    );

describe('twingraph import', () => {
  it('imports the demo firm exported to NDJSON: models, twins and relationships, each write logged with the job as actor', async () => {
    const target = file(demoLines());
    const logFile = path.join(dir, 'log.ndjson');
    const { code, out, err } = await runCli(
      'import',
      target,
      '--job-id',
      'job-1',
      '--log',
      logFile,
      '--batch-size',
      '50',
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(
      new RegExp(
        `^Imported .*import\\.ndjson \\(job job-1\\): 8 models \\(0 already stored\\), ${FIRM.twins.length} twins, ${FIRM.relationships.length} relationships in \\d+ batches`,
      ),
    );
    await withStore(async (store) => {
      expect(await store.counts()).toMatchObject({
        models: 8,
        twins: FIRM.twins.length,
        relationships: FIRM.relationships.length,
      });
      const [first] = FIRM.twins;
      const twin = await store.getTwin(first.id);
      for (const [key, value] of Object.entries(first.twin))
        if (key !== '$metadata') expect({ [key]: twin[key] }).toEqual({ [key]: value });
      const changes = await store.readChanges({ after: 0, limit: 10_000 });
      const count = (type: string) => changes.filter((c) => c.type === type).length;
      expect([count('Model.Create'), count('Twin.Create'), count('Relationship.Create')]).toEqual([
        8,
        FIRM.twins.length,
        FIRM.relationships.length,
      ]);
      expect(new Set(changes.map((c) => c.actor))).toEqual(new Set(['job-1']));
    });
    const log = fs
      .readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ImportLogEntry);
    for (const entry of log)
      expect(entry).toEqual({
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        jobId: 'job-1',
        jobType: 'Import',
        logType: 'Info',
        details: expect.any(Object),
      });
    expect(log[log.length - 1].details).toMatchObject({ status: 'Succeeded', written: true, problems: 0 });
  });

  it('checks the whole file and writes nothing with --dry-run', async () => {
    const { code, out } = await runCli('import', file(demoLines()), '--dry-run');
    expect(code).toBe(0);
    expect(out).toMatch(/^Checked .*: 8 models .*; no problems\. Nothing was written \(--dry-run\)\.\n$/);
    expect(await contents()).toMatchObject({ models: 0, twins: 0, relationships: 0, seq: 0 });
  });

  it('reports every problem with its line number and code, in line order, and writes nothing at all', async () => {
    const lines = demoLines();
    const twinsAt = lines.findIndex((l) => l.Section === 'Twins');
    const relationshipsAt = lines.findIndex((l) => l.Section === 'Relationships');
    const twins = lines.slice(twinsAt + 1, relationshipsAt);
    const engagement = twins.findIndex((t) => (t.$metadata as JsonObject).$model === ENGAGEMENT);
    const source = twins[engagement].$dtId;
    const broken: (JsonObject | string)[] = [
      ...lines.slice(0, twinsAt + 1),
      '{"$dtId": "half a line',
      ...twins.map((t, i) => (i === engagement ? { ...t, budget: 'a lot' } : t)),
      { $dtId: 'ghost', $metadata: { $model: 'dtmi:twingraph:demo:Nothing;1' } },
      { ...twins[0] },
      ...lines.slice(relationshipsAt),
      { $dtId: source, $relationshipId: 'x', $targetId: 'nobody', $relationshipName: 'ledBy' },
      { $dtId: source, $relationshipId: 'y', $targetId: twins[0].$dtId, $relationshipName: 'likes' },
    ];
    // Line numbers count from 1: the twins marker is line twinsAt + 1, the broken line the next one.
    const firstTwin = twinsAt + 3;
    const ghost = firstTwin + twins.length;
    const before = await contents();
    const { code, out, err } = await runCli('import', file(broken));
    expect(code).toBe(1);
    expect(problemsIn(err)).toEqual([
      `${twinsAt + 2} InvalidArgument`,
      `${firstTwin + engagement} ValidationFailed`,
      `${ghost} ModelNotFound`,
      `${ghost + 1} InvalidArgument`,
      `${broken.length - 1} TargetTwinNotFound`,
      `${broken.length} InvalidRelationship`,
    ]);
    expect(err).toMatch(
      new RegExp(
        `import\\.ndjson:${ghost + 1}: InvalidArgument: Twin '${twins[0].$dtId}' appears twice in the file \\(lines ${firstTwin} and ${ghost + 1}\\)`,
      ),
    );
    expect(out).toMatch(/^Did not import .*: 6 problems in .*\. Nothing was written\.\n$/);
    expect(await contents()).toEqual(before);
  });

  it('refuses invalid DTDL at the line of the model, before any twin is written', async () => {
    const broken = demoLines().map((l): JsonObject =>
      l['@id'] === ENGAGEMENT ? { ...l, contents: [{ '@type': 'Property', name: 'budget', schema: 'money' }] } : l,
    );
    const line = broken.findIndex((l) => l['@id'] === ENGAGEMENT) + 1;
    const { code, err } = await runCli('import', file(broken));
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`import\\.ndjson:${line}: DTDLParserError: dtmi:dtdl:parsingError:`));
    expect(await contents()).toMatchObject({ models: 0, twins: 0, seq: 0 });
  });

  it.each([
    ['a file without a header', [{ Section: 'Twins' }], ['1 InvalidArgument', '1 InvalidArgument']],
    ['another file version', [{ Section: 'Header' }, { fileVersion: '2.0.0' }], ['2 InvalidArgument']],
    ['sections out of order', [...HEADER, { Section: 'Relationships' }, { Section: 'Models' }], ['4 InvalidArgument']],
    ['an unknown section', [...HEADER, { Section: 'Routes' }], ['3 InvalidArgument']],
    ['a line that is not an object', [...HEADER, { Section: 'Twins' }, '[1, 2]'], ['4 InvalidArgument']],
  ] as const)('refuses %s, naming the line', async (_what, lines, expected) => {
    const { code, err } = await runCli('import', file(lines as unknown as JsonObject[]));
    expect(code).toBe(1);
    expect(problemsIn(err)).toEqual(expected);
  });

  it('imports the same file again as upserts, skipping models stored with the same definition', async () => {
    const target = file(demoLines());
    expect((await runCli('import', target, '--job-id', 'first')).code).toBe(0);
    const seq = (await contents()).seq;
    const again = await runCli('import', target, '--job-id', 'second');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/8 models \(8 already stored\)/);
    await withStore(async (store) => {
      const changes = await store.readChanges({ after: seq, limit: 10_000 });
      expect(new Set(changes.map((c) => c.type))).toEqual(new Set(['Twin.Update', 'Relationship.Update']));
      expect(changes).toHaveLength(FIRM.twins.length + FIRM.relationships.length);
    });
  });

  it('refuses, with --create-only, twins that exist already; and a model stored with another definition', async () => {
    const target = file(demoLines());
    expect((await runCli('import', target)).code).toBe(0);
    const before = await contents();
    const createOnly = await runCli('import', target, '--create-only');
    expect(createOnly.code).toBe(1);
    expect(problemsIn(createOnly.err)[0]).toMatch(/^\d+ PreconditionFailed$/);
    const changed = demoLines().map((l) => (l['@id'] === ENGAGEMENT ? { ...l, displayName: 'Project' } : l));
    const redefined = await runCli('import', file(changed, 'changed.ndjson'));
    expect(redefined.code).toBe(1);
    expect(redefined.err).toMatch(
      /changed\.ndjson:\d+: ModelAlreadyExists: Model 'dtmi:twingraph:demo:Engagement;1' is stored with another definition/,
    );
    expect(await contents()).toEqual(before);
  });

  it.each([
    [['--batch-size', '0'], /--batch-size is a whole number from 1 to 1000/],
    [['--batch-size', '1001'], /--batch-size is a whole number from 1 to 1000/],
  ])('refuses %j with a usage error (exit 2)', async (args, message) => {
    const { code, err } = await runCli('import', file(demoLines()), ...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('refuses a file that does not exist with a usage error (exit 2)', async () => {
    const { code, err } = await runCli('import', path.join(dir, 'nothing.ndjson'));
    expect(code).toBe(2);
    expect(err).toMatch(/Cannot read .*nothing\.ndjson/);
  });
});

describe('importFile, writing batch by batch', () => {
  it('stops at a batch the store refuses after the check (a twin created meanwhile), keeping the batches before it and naming the line', async () => {
    const store = await openSqliteStore({ path: db });
    try {
      const models = new ModelService(store);
      await models.load();
      // Between the check and the second batch's write, another writer creates a twin of that batch.
      let batchesAsked = 0;
      const racing = new Proxy(store, {
        get(target, property, receiver) {
          if (property === 'createTwins')
            return async (...args: Parameters<TwinStore['createTwins']>) => {
              if (++batchesAsked === 2)
                await target.createTwin(args[0][0].id, { $metadata: { $model: ENGAGEMENT }, title: 'Meanwhile' });
              return target.createTwins(...args);
            };
          const value = Reflect.get(target, property, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const lines = demoLines();
      const twinsAt = lines.findIndex((l) => l.Section === 'Twins');
      const log: ImportLogEntry[] = [];
      const summary = await importFile(
        file(lines),
        { store: racing, models, twins: new TwinService(racing, () => models.current) },
        { batchSize: 5, createOnly: true, log: (entry) => log.push(entry) },
      );
      expect(summary).toMatchObject({ written: false, batches: 1, failed: 1 });
      // The second batch's first twin: line (twins marker) + 1 + 5.
      expect(summary.problems).toEqual([
        expect.objectContaining({ line: twinsAt + 7, section: 'Twins', code: 'PreconditionFailed' }),
      ]);
      expect((await store.counts()).twins).toBe(5 + 1);
      expect(log.some((e) => e.logType === 'Error' && e.details.status === 'Failed')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
