/** Which store the environment opens, and the errors a wrong setting gets. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storeConfigFromEnv } from '../../src/config';
import { openStore } from '../../src/store/open';

describe('store configuration from the environment', () => {
  it('is the embedded SQLite file ./data/twingraph.db when nothing is set', () => {
    expect(storeConfigFromEnv({})).toEqual({ kind: 'sqlite', path: './data/twingraph.db' });
  });

  it('takes the SQLite file from TWINGRAPH_DB and FULL durability from TWINGRAPH_SQLITE_SYNCHRONOUS', () => {
    expect(
      storeConfigFromEnv({ TWINGRAPH_DB: '/var/lib/twingraph/twins.db', TWINGRAPH_SQLITE_SYNCHRONOUS: 'full' }),
    ).toEqual({
      kind: 'sqlite',
      path: '/var/lib/twingraph/twins.db',
      synchronous: 'FULL',
    });
  });

  it('is Neo4j when NEO4J_URI is set, with NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE', () => {
    expect(
      storeConfigFromEnv({
        NEO4J_URI: 'neo4j://db.example:7687',
        NEO4J_USER: 'neo4j',
        NEO4J_PASSWORD: 'secret',
        NEO4J_DATABASE: 'twins',
      }),
    ).toEqual({
      kind: 'neo4j',
      uri: 'neo4j://db.example:7687',
      user: 'neo4j',
      password: 'secret',
      database: 'twins',
    });
  });

  it('names the variable at fault', () => {
    expect(() => storeConfigFromEnv({ NEO4J_URI: 'http://localhost:7474' })).toThrow(
      /NEO4J_URI must be a neo4j:\/\/ or bolt:\/\/ URI/,
    );
    expect(() => storeConfigFromEnv({ TWINGRAPH_SQLITE_SYNCHRONOUS: 'OFF' })).toThrow(
      /TWINGRAPH_SQLITE_SYNCHRONOUS must be NORMAL or FULL/,
    );
  });

  it('opens the SQLite store at the configured path, creating its folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-open-'));
    try {
      const store = await openStore({ kind: 'sqlite', path: path.join(dir, 'nested', 'twins.db') });
      await store.ping();
      expect(store.kind).toBe('sqlite');
      await store.close();
      expect(fs.existsSync(path.join(dir, 'nested', 'twins.db'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says StoreUnavailable, naming the variables to check, when Neo4j cannot be reached', async () => {
    await expect(
      openStore({ kind: 'neo4j', uri: 'neo4j://127.0.0.1:1', user: 'neo4j', password: 'x' }),
    ).rejects.toMatchObject({
      code: 'StoreUnavailable',
      message: expect.stringContaining('NEO4J_URI'),
    });
  });
});
