/**
 * The demo firm: deterministic, the size the demo promises, consistent with itself (the twins' properties
 * agree with their telemetry), and valid against the models in dtdl/ when loaded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDocuments } from '../../src/dtdl';
import { PACKAGE_ROOT } from '../../src/config';
import { DEMO_MODELS } from '../../src/demo/models';
import { checkCatalogue, readCatalogue, scaled, type Catalogue } from '../../src/demo/catalogue';
import { demoDeviceIds, planFirm, type Firm } from '../../src/demo/firm';
import { loadDemo } from '../../src/demo/load';
import { HOUR_MS, simulateDevice, simulateEngagement } from '../../src/demo/simulate';
import { telemetryBatches } from '../../src/demo/telemetry';
import { demoDevices } from '../../src/devices/demo-devices';
import { ModelService } from '../../src/services/models';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { TwinStore } from '../../src/store/port';

const CATALOGUE = readCatalogue(path.join(PACKAGE_ROOT, 'seeds', 'firm.json'));
const DOCUMENTS = collectDocuments([path.join(PACKAGE_ROOT, 'dtdl')]);
const AS_OF = Date.parse('2026-11-25T00:00:00Z');

const ofModel = (firm: Firm, model: string) => firm.twins.filter((t) => t.twin.$metadata.$model === model);
const related = (firm: Firm, name: string) =>
  firm.relationships.filter((r) => r.relationship.$relationshipName === name);

describe('the full demo firm', () => {
  const firm = planFirm(CATALOGUE, AS_OF);

  it('has the promised size: 50 clients, 100 employees, 400 engagements, 1,000 assets, 3,000 devices, five offerings', () => {
    expect(ofModel(firm, DEMO_MODELS.client)).toHaveLength(50);
    expect(ofModel(firm, DEMO_MODELS.employee)).toHaveLength(100);
    expect(ofModel(firm, DEMO_MODELS.engagement)).toHaveLength(400);
    expect(ofModel(firm, DEMO_MODELS.asset)).toHaveLength(1000);
    expect(ofModel(firm, DEMO_MODELS.device)).toHaveLength(3000);
    expect(ofModel(firm, DEMO_MODELS.offering).map((t) => t.twin.line)).toEqual([
      'consulting',
      'auditAndAssurance',
      'tax',
      'technologyServices',
      'financialAdvisory',
    ]);
  });

  it('names clients, employees and assets uniquely, and gives employees unique email addresses', () => {
    for (const model of [DEMO_MODELS.client, DEMO_MODELS.employee, DEMO_MODELS.asset]) {
      const names = ofModel(firm, model).map((t) => t.twin.name);
      expect(new Set(names).size).toBe(names.length);
    }
    const emails = ofModel(firm, DEMO_MODELS.employee).map((t) => t.twin.email);
    expect(new Set(emails).size).toBe(emails.length);
  });

  it('is the same for the same seed and as-of time, and different for another seed', () => {
    expect(JSON.stringify(planFirm(CATALOGUE, AS_OF).twins)).toBe(JSON.stringify(firm.twins));
    expect(JSON.stringify(planFirm(CATALOGUE, AS_OF).relationships)).toBe(JSON.stringify(firm.relationships));
    expect(JSON.stringify(planFirm({ ...CATALOGUE, seed: CATALOGUE.seed + 1 }, AS_OF).twins)).not.toBe(
      JSON.stringify(firm.twins),
    );
  });

  it('spreads engagements over three years, most of them closed with their final spend and revenue', () => {
    const engagements = ofModel(firm, DEMO_MODELS.engagement).map((t) => t.twin);
    const starts = engagements.map((e) => Date.parse(e.startDate as string));
    expect(Math.min(...starts)).toBeLessThan(AS_OF - 2.8 * 365 * 86_400_000);
    expect(Math.max(...starts)).toBeGreaterThan(AS_OF - 30 * 86_400_000);
    const closed = engagements.filter((e) => e.status === 'closed');
    expect(closed.length).toBeGreaterThan(250);
    for (const e of closed) {
      expect(e.spend).toBeGreaterThan(0);
      expect(e.revenue).toBeGreaterThan(0);
      expect(Date.parse(e.endDate as string)).toBeLessThanOrEqual(AS_OF);
    }
    for (const status of ['active', 'onHold', 'proposed'])
      expect(engagements.some((e) => e.status === status)).toBe(true);
  });

  it('connects everything: each engagement has one client, offering and lead and covers assets; each asset is covered and hosts its devices', () => {
    const engagementIds = ofModel(firm, DEMO_MODELS.engagement).map((t) => t.id);
    const count = (name: string, end: 'sourceId' | 'target') => {
      const counts = new Map<string, number>();
      for (const r of related(firm, name)) {
        const key = end === 'sourceId' ? r.sourceId : (r.relationship.$targetId as string);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    };
    const clientOf = count('hasEngagement', 'target');
    const uses = count('uses', 'sourceId');
    const ledBy = count('ledBy', 'sourceId');
    const covers = count('covers', 'sourceId');
    for (const id of engagementIds) {
      expect([clientOf.get(id), uses.get(id), ledBy.get(id)]).toEqual([1, 1, 1]);
      expect(covers.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    }
    const covered = count('covers', 'target');
    const hosts = count('hosts', 'sourceId');
    for (const asset of ofModel(firm, DEMO_MODELS.asset)) {
      expect(covered.get(asset.id) ?? 0).toBeGreaterThanOrEqual(1);
      expect(hosts.get(asset.id)).toBe(3);
    }
    expect(new Set(related(firm, 'hosts').map((r) => r.relationship.$targetId)).size).toBe(3000);
    const clients = new Set(related(firm, 'hasEngagement').map((r) => r.sourceId));
    expect(clients.size).toBe(50);
  });

  it('has devices that wear out, some past the failure limit, whose state says so', () => {
    const wearing = firm.truth.devices.filter((d) => d.wearing);
    expect(wearing.length).toBeGreaterThan(100);
    const wornOut = firm.truth.devices.filter((d) => d.wornOutAt !== undefined);
    expect(wornOut.length).toBeGreaterThan(10);
    const state = new Map(ofModel(firm, DEMO_MODELS.device).map((t) => [t.id, t.twin.state]));
    for (const d of wornOut) expect(state.get(d.id)).toBe('failed');
  });

  it('lists its device ids without being planned, in the order planning makes them', () => {
    expect(demoDeviceIds(CATALOGUE)).toEqual(firm.devices.map((d) => d.id));
    expect(demoDeviceIds(scaled(CATALOGUE, 0.05))).toEqual(
      planFirm(scaled(CATALOGUE, 0.05), AS_OF).devices.map((d) => d.id),
    );
  });

  it("starts the live demo's devices where their seeded history ends: the last hour's telemetry and the final state", () => {
    const ids = new Set(['device-00001', 'device-01234', 'device-03000']);
    const starts = demoDevices(path.join(PACKAGE_ROOT, 'seeds', 'firm.json'), { asOf: AS_OF, only: ids });
    expect(starts.map((d) => d.id)).toEqual([...ids]);
    for (const start of starts) {
      const history = simulateDevice(
        firm.devices.find((d) => d.id === start.id)!,
        CATALOGUE,
        AS_OF,
      );
      const last = history.temperature.length - 1;
      expect(start).toEqual({
        id: start.id,
        temperature: history.temperature[last],
        vibration: history.vibration[last],
        utilisation: history.utilisation[last],
        state: history.final.state,
      });
    }
  });

  it('plants a few engagements that burn money far faster than their peers', () => {
    const anomalous = firm.truth.engagements.filter((e) => e.anomalous);
    expect(anomalous.length).toBeGreaterThanOrEqual(5);
    expect(anomalous.length).toBeLessThan(30);
  });
});

describe('telemetry', () => {
  const small = scaled(CATALOGUE, 0.05);
  const firm = planFirm(small, AS_OF);
  const hours = small.telemetryDays * 24;

  it('has 30 days of hourly points for every device and engagement series, ending an hour before the as-of time', () => {
    const points = new Map<string, string[]>();
    for (const batch of telemetryBatches(firm, small, 7)) {
      for (const p of batch) {
        const key = `${p.twinId}/${p.name}`;
        if (!points.has(key)) points.set(key, []);
        points.get(key)!.push(p.time);
      }
    }
    for (const d of firm.devices) {
      for (const name of ['temperature', 'vibration', 'utilisation']) {
        const times = points.get(`${d.id}/${name}`)!;
        expect(times).toHaveLength(hours);
        expect(times[hours - 1]).toBe(new Date(AS_OF - HOUR_MS).toISOString());
      }
      expect(points.get(`${d.id}/stateChange`)!.length).toBeGreaterThanOrEqual(1);
    }
    for (const e of firm.engagements) {
      expect(points.get(`${e.id}/hoursBooked`)).toHaveLength(hours);
      expect(points.get(`${e.id}/spendToDate`)).toHaveLength(hours);
    }
  });

  it("ends each engagement's spend to date at its spend, never decreasing", () => {
    const spend = new Map(ofModel(firm, DEMO_MODELS.engagement).map((t) => [t.id, t.twin.spend as number]));
    for (const plan of firm.engagements) {
      const run = simulateEngagement(plan, small);
      expect(run.spendToDate[hours - 1]).toBeCloseTo(spend.get(plan.id)!, 2);
      for (let h = 1; h < hours; h++) expect(run.spendToDate[h]).toBeGreaterThanOrEqual(run.spendToDate[h - 1]);
    }
  });

  it("agrees with the device's reported state, and its last state change is that state", () => {
    const state = new Map(ofModel(firm, DEMO_MODELS.device).map((t) => [t.id, t.twin.state]));
    for (const plan of firm.devices) {
      const run = simulateDevice(plan, small, AS_OF);
      expect(run.states[run.states.length - 1].state).toBe(state.get(plan.id));
      expect(run.vibration.every(Number.isFinite) && run.temperature.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('loading', () => {
  let dir: string;
  let store: TwinStore;
  let models: ModelService;
  const small: Catalogue = scaled(CATALOGUE, 0.04);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-seed-'));
    store = await openSqliteStore({ path: path.join(dir, 'seed.db') });
    models = new ModelService(store);
    await models.load();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads models, twins, relationships and telemetry into an empty store, reporting progress through every phase', async () => {
    const phases = new Set<string>();
    const summary = await loadDemo(store, models, {
      catalogue: small,
      documents: DOCUMENTS,
      asOf: AS_OF,
      progress: (p) => phases.add(p.phase),
    });
    expect([...phases]).toEqual(['models', 'twins', 'relationships', 'telemetry']);
    const counts = await store.counts();
    expect(counts).toMatchObject({
      models: DOCUMENTS.length,
      twins: summary.twins,
      relationships: summary.relationships,
      metricPoints: summary.metricPoints,
    });
    const device = summary.firm.devices[0].id;
    expect(await store.readMetrics({ twinId: device, name: 'vibration', limit: 1000 })).toHaveLength(
      small.telemetryDays * 24,
    );
    // Backfilled telemetry is logged per twin and batch, not per point.
    expect(counts.changes).toBeLessThan(
      summary.twins + summary.relationships + 3 * (summary.firm.devices.length + summary.firm.engagements.length),
    );
  });

  it('refuses a store that has twins, and leaves it as it was', async () => {
    await loadDemo(store, models, { catalogue: small, documents: DOCUMENTS, asOf: AS_OF });
    const before = await store.counts();
    await expect(
      loadDemo(store, models, { catalogue: small, documents: DOCUMENTS, asOf: AS_OF }),
    ).rejects.toMatchObject({ code: 'OperationNotAllowed' });
    expect(await store.counts()).toEqual(before);
  });

  it('refuses a store holding another definition of a demo model, naming it', async () => {
    const device = DOCUMENTS.find((d) => d.name.endsWith('Device.json'))!;
    const older = JSON.parse(device.text) as { contents: { name: string }[] };
    older.contents = older.contents.filter((c) => c.name !== 'stateChange');
    await models.upload([...DOCUMENTS.filter((d) => d !== device).map((d) => d.text), JSON.stringify(older)]);
    await expect(
      loadDemo(store, models, { catalogue: small, documents: DOCUMENTS, asOf: AS_OF }),
    ).rejects.toMatchObject({ code: 'ModelAlreadyExists', subject: { modelId: DEMO_MODELS.device } });
    expect((await store.counts()).twins).toBe(0);
  });
});

describe('the catalogue', () => {
  it('is checked, with the path of every bad value', () => {
    const bad = JSON.parse(JSON.stringify(CATALOGUE)) as Record<string, any>;
    bad.counts.clients = 0;
    bad.offerings[1].budgetMedian = -5;
    expect(() => checkCatalogue(bad, 'firm.json')).toThrow(/counts\.clients[\s\S]*offerings\.1\.budgetMedian/);
  });

  it('refuses asset types hosting device types it does not define', () => {
    const bad = JSON.parse(JSON.stringify(CATALOGUE)) as Record<string, any>;
    bad.assetTypes[0].devices = ['teleporter'];
    expect(() => checkCatalogue(bad, 'firm.json')).toThrow(/unknown device type 'teleporter'/);
  });
});
