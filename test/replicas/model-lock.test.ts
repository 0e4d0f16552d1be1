/**
 * The store's model-write lease (ModelStore.lockModels), which serializes model changes across replicas: two
 * store handles on one store stand for two replicas. One holder at a time; the holder renews it; giving it back
 * or letting it run out frees it for the other; only the holder can give it back. On SQLite always, on Neo4j
 * when NEO4J_URI is set. Models are listed in upload order whatever the uploading replica's clock says. And the
 * model service under it: an upload waits for the lease, and one that cannot get it in time is refused with a
 * retryable StoreUnavailable, nothing stored.
 */
import { openStore, type StoreConfig } from '../../src/store/open';
import { ModelService } from '../../src/services/models';
import type { TwinStore } from '../../src/store/port';
import { waitUntil } from '../support/api-harness';
import { onSharedStores } from '../support/shared-store';

function leaseSuite(config: () => Promise<StoreConfig>): void {
  let a: TwinStore;
  let b: TwinStore;
  let c: StoreConfig;
  beforeAll(async () => {
    c = await config();
    [a, b] = [await openStore(c), await openStore(c)];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('is held by one holder at a time, renewed by it, and freed when given back', async () => {
    expect(await a.lockModels('replica-a', 10_000)).toBe(true);
    expect(await b.lockModels('replica-b', 10_000)).toBe(false);
    expect(await a.lockModels('replica-a', 10_000)).toBe(true);
    // Only its holder gives it back.
    await b.unlockModels('replica-b');
    expect(await b.lockModels('replica-b', 10_000)).toBe(false);
    await a.unlockModels('replica-a');
    expect(await b.lockModels('replica-b', 10_000)).toBe(true);
    expect(await a.lockModels('replica-a', 10_000)).toBe(false);
    await b.unlockModels('replica-b');
  });

  it('lists an upload after the ones before it even when its replica’s clock is an hour behind theirs', async () => {
    const behind = await openStore({ ...c, now: () => Date.now() - 3_600_000 });
    try {
      const model = (n: number) => ({
        id: `dtmi:test:clock:Valve${n};1`,
        ancestors: [],
        dependencies: [],
        definition: { '@context': 'dtmi:dtdl:context;3', '@id': `dtmi:test:clock:Valve${n};1`, '@type': 'Interface' },
      });
      await a.putModels([model(1)]);
      const [late] = await behind.putModels([model(2)]);
      const ids = (await b.listModels()).map((m) => m.id);
      expect(ids.indexOf('dtmi:test:clock:Valve2;1')).toBeGreaterThan(ids.indexOf('dtmi:test:clock:Valve1;1'));
      expect(late.uploadTime > (await a.getModel('dtmi:test:clock:Valve1;1')).uploadTime).toBe(true);
    } finally {
      await behind.close();
    }
  });

  it('runs out when its holder stops renewing it (a replica that died)', async () => {
    // A second's lease: b's first ask must come before it runs out, however slow the machine.
    expect(await a.lockModels('replica-a', 1000)).toBe(true);
    expect(await b.lockModels('replica-b', 1000)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await b.lockModels('replica-b', 10_000)).toBe(true);
    await b.unlockModels('replica-b');
  });

  it('makes an upload wait for another holder, and refuses it, retryably and with nothing stored, when it waits too long', async () => {
    const pump = (n: number): string =>
      JSON.stringify({ '@context': 'dtmi:dtdl:context;3', '@id': `dtmi:test:lock:Pump${n};1`, '@type': 'Interface' });
    const models = new ModelService(b, { lock: { leaseMs: 5_000, waitMs: 300 } });
    expect(await a.lockModels('replica-a', 10_000)).toBe(true);
    await expect(models.upload([pump(1)])).rejects.toMatchObject({ code: 'StoreUnavailable' });
    expect((await a.listModels()).map((m) => m.id)).not.toContain('dtmi:test:lock:Pump1;1');
    // Given back while the upload waits: it goes on. (A service that would wait a minute, so that the upload
    // is still waiting when the lease is given back, however slow the machine; it has asked twice, so it
    // was refused once and is waiting.)
    const asks = jest.spyOn(b, 'lockModels');
    const patient = new ModelService(b, { lock: { leaseMs: 5_000, waitMs: 60_000 } });
    const waiting = patient.upload([pump(2)]);
    await waitUntil(() => asks.mock.calls.length >= 2, 'the upload asks for the lease again');
    await a.unlockModels('replica-a');
    expect((await waiting).map((m) => m.id)).toEqual(['dtmi:test:lock:Pump2;1']);
    asks.mockRestore();
    // And the service gave the lease back when done.
    expect(await a.lockModels('replica-a', 10_000)).toBe(true);
    await a.unlockModels('replica-a');
  });
}

onSharedStores('the model-write lease', leaseSuite);
