/**
 * Replicas on one SQLite file each keep a cache of parsed twins, which notices other processes' commits only
 * every few milliseconds. A write must never be refused for that: the twin service reads a twin, patches it
 * and writes it with the ETag it read; when another replica changed the twin in between, the store refuses
 * the write and the service tries again, and the second read must then see the other replica's state rather
 * than the same stale one five times over (which once refused a replica's writes with PreconditionFailed
 * while another replica wrote the same twins).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_MODELS } from '../../src/demo/models';
import { collectDocuments } from '../../src/dtdl';
import { PACKAGE_ROOT } from '../../src/config';
import { ModelService } from '../../src/services/models';
import { TwinService } from '../../src/services/twins';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/store';

describe('two replicas writing the same twin through one SQLite file', () => {
  let dir: string;
  let a: SqliteStore;
  let b: SqliteStore;
  let twinsA: TwinService;
  let twinsB: TwinService;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-stale-reads-'));
    const file = path.join(dir, 'shared.db');
    [a, b] = [openSqliteStore({ path: file }), openSqliteStore({ path: file })];
    const documents = collectDocuments([path.join(PACKAGE_ROOT, 'dtdl')]).map((d) => d.text);
    const [modelsA, modelsB] = [new ModelService(a), new ModelService(b)];
    await modelsA.upload(documents);
    await modelsB.load();
    twinsA = new TwinService(a, () => modelsA.current);
    twinsB = new TwinService(b, () => modelsB.current);
    await twinsA.create('acme', DEMO_MODELS.client, { name: 'Acme', industry: 'banking' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('builds each write on the other replica’s latest state, however quickly they alternate', async () => {
    for (let n = 1; n <= 40; n++) {
      // Each replica has the twin cached from its own last write when the other one changes it.
      const [writer, other] = n % 2 ? [twinsA, b] : [twinsB, a];
      await other.getTwin('acme');
      const written = await writer.patch('acme', [{ op: 'replace', path: '/name', value: `Acme ${n}` }]);
      expect(written).toMatchObject({ name: `Acme ${n}` });
    }
    // A plain read may lag another process's commit by up to the cache's check interval (20 ms), no more.
    await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await a.getTwin('acme')).toMatchObject({ name: 'Acme 40' });
  });
});
