/**
 * A suite about several processes sharing one store, run twice: on SQLite (handles on one file in a temporary
 * folder, removed afterwards) and, when NEO4J_URI is set (`npm run test:neo4j`), on that Neo4j, emptied first;
 * otherwise the Neo4j run is reported as skipped with the reason. The suite gets a function giving the store's
 * configuration, to call once in its beforeAll.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoreConfig } from '../../src/store/open';
import { neo4jFromEnv, wipeNeo4j } from '../neo4j/server';
import { describeWhen } from './shared';

export function onSharedStores(subject: string, suite: (config: () => Promise<StoreConfig>) => void): void {
  describe(`${subject} on SQLite (two handles on one file)`, () => {
    let dir: string | undefined;
    suite(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-shared-store-'));
      return { kind: 'sqlite', path: path.join(dir, 'shared.db') };
    });
    afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));
  });

  describeWhen(
    Boolean(process.env.NEO4J_URI),
    `${subject} on Neo4j (two drivers on one server)`,
    'NEO4J_URI is not set (npm run test:neo4j starts a Neo4j and runs this suite)',
    () =>
      suite(async () => {
        const server = neo4jFromEnv()!;
        await wipeNeo4j(server);
        return { kind: 'neo4j', ...server };
      }),
  );
}
