/**
 * Feature plugins seen from a client: the generic server knows no domain. A server given other DTDL than the
 * demo's has no prediction fields (the analytics apply to the demo's engagements and devices only); the demo
 * has them unless TWINGRAPH_PLUGINS leaves the analytics out; the mirror's fields go with the mirror plugin;
 * and uploading the demo's models into a running server brings the predictions in without renaming anything.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildClientSchema, findBreakingChanges, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { PACKAGE_ROOT } from '../../src/config';
import { TestApp } from '../support/api-harness';
import { describeWithShared, sharedPath } from '../support/shared';

const PREDICTION_ROOTS = ['predictProfit', 'profitModel', 'retrainProfitModel', 'predictionChanged'];
const PREDICTION_TYPES = ['EngagementKpis', 'ProfitPrediction', 'ProfitModel', 'FailureRisk', 'MetricForecast'];
const PREDICTION_FIELDS = ['kpis', 'profitPrediction', 'failureRisk', 'forecast'];

async function introspect(t: TestApp): Promise<IntrospectionQuery> {
  return t.ok<IntrospectionQuery>(getIntrospectionQuery());
}

function rootFields(schema: IntrospectionQuery): string[] {
  const roots = [schema.__schema.queryType, schema.__schema.mutationType, schema.__schema.subscriptionType];
  const names = new Set(roots.map((r) => r?.name));
  return schema.__schema.types
    .filter((t) => names.has(t.name))
    .flatMap((t) => ('fields' in t && t.fields ? t.fields.map((f) => f.name) : []));
}

/** Every field name of every type in the schema. */
function allFields(schema: IntrospectionQuery): Set<string> {
  return new Set(schema.__schema.types.flatMap((t) => ('fields' in t && t.fields ? t.fields.map((f) => f.name) : [])));
}

function expectNoPredictions(schema: IntrospectionQuery): void {
  const types = schema.__schema.types.map((t) => t.name);
  for (const name of PREDICTION_TYPES) expect(types).not.toContain(name);
  for (const name of PREDICTION_ROOTS) expect(rootFields(schema)).not.toContain(name);
  const fields = allFields(schema);
  for (const name of PREDICTION_FIELDS) expect(fields).not.toContain(name);
}

const PUMP = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:example:Pump;1',
  '@type': 'Interface',
  contents: [
    { '@type': 'Property', name: 'serial', schema: 'string' },
    { '@type': 'Telemetry', name: 'flow', schema: 'double' },
  ],
};

describe('a server started with its own DTDL', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-own-dtdl-'));
    fs.writeFileSync(path.join(dir, 'Pump.json'), JSON.stringify(PUMP));
    t = await new TestApp({ env: { TWINGRAPH_DTDL_DIR: dir } }).start();
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves its models and no prediction field, type or root field', async () => {
    const schema = await introspect(t);
    expect(rootFields(schema)).toEqual(expect.arrayContaining(['pumps', 'createPump', 'twin', 'mirrorStatus']));
    expectNoPredictions(schema);
  });

  it('gets the predictions once the demo models are uploaded into it, and no earlier type or field changes', async () => {
    const before = buildClientSchema(await introspect(t));
    const documents = fs
      .readdirSync(path.join(PACKAGE_ROOT, 'dtdl'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => fs.readFileSync(path.join(PACKAGE_ROOT, 'dtdl', f), 'utf8'));
    await t.ok('mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id } } }', {
      documents,
    });
    const after = await introspect(t);
    expect(findBreakingChanges(before, buildClientSchema(after))).toEqual([]);
    expect(rootFields(after)).toEqual(expect.arrayContaining(PREDICTION_ROOTS));
    const engagement = after.__schema.types.find((x) => x.name === 'Engagement');
    expect(engagement && 'fields' in engagement ? engagement.fields?.map((f) => f.name) : []).toContain('kpis');
  });
});

describe('the demo with TWINGRAPH_PLUGINS=mirror', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_PLUGINS: 'mirror' } }).start();
  });
  afterAll(() => t?.close());

  it('has no predictions, and keeps the mirror', async () => {
    const schema = await introspect(t);
    expectNoPredictions(schema);
    expect(rootFields(schema)).toContain('mirrorStatus');
  });
});

describe('the demo with TWINGRAPH_PLUGINS empty', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_PLUGINS: '' } }).start();
  });
  afterAll(() => t?.close());

  it('has neither predictions nor the mirror, and still serves the demo models', async () => {
    const schema = await introspect(t);
    expectNoPredictions(schema);
    const roots = rootFields(schema);
    for (const name of ['mirrorStatus', 'retryMirrorDeadLetters', 'dropMirrorDeadLetters'])
      expect(roots).not.toContain(name);
    expect(roots).toEqual(expect.arrayContaining(['engagements', 'devices', 'createEngagement']));
  });
});

describe('the demo with the default plugins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp().start();
  });
  afterAll(() => t?.close());

  it('has the predictions and the mirror', async () => {
    const schema = await introspect(t);
    expect(rootFields(schema)).toEqual(expect.arrayContaining([...PREDICTION_ROOTS, 'mirrorStatus']));
    const fields = allFields(schema);
    for (const name of PREDICTION_FIELDS) expect(fields).toContain(name);
  });
});

describeWithShared(['dtdl', 'ontologies', 'realestatecore-v3'], 'a server started on RealEstateCore', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({
      env: { TWINGRAPH_DTDL_DIR: sharedPath('dtdl', 'ontologies', 'realestatecore-v3') },
    }).start();
  });
  afterAll(() => t?.close());

  it('exposes no prediction fields', async () => {
    const schema = await introspect(t);
    expect(rootFields(schema).length).toBeGreaterThan(700);
    expectNoPredictions(schema);
  });
});
