/**
 * The Neo4j adapter against a real Neo4j 5, whenever NEO4J_URI is set (with NEO4J_USER, NEO4J_PASSWORD and
 * optionally NEO4J_DATABASE): the same contract every store passes. Each test starts from an empty database,
 * so point it at a database you can wipe.
 */
import { connectNeo4j } from '../../src/store/neo4j/driver';
import { openNeo4jStore } from '../../src/store/neo4j/store';
import { describeWhen } from '../support/shared';
import { describeStoreContract } from './contract';

const uri = process.env.NEO4J_URI;

describeWhen(
  uri !== undefined,
  'Neo4j 5 at NEO4J_URI',
  'NEO4J_URI is not set (no Neo4j server to test against)',
  () => {
    describeStoreContract('Neo4j adapter', async (options) => {
      const driver = connectNeo4j({ uri: uri!, user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD });
      const database = process.env.NEO4J_DATABASE;
      const session = driver.session({ ...(database && { database }) });
      try {
        await session.executeWrite((tx) => tx.run('MATCH (n) DETACH DELETE n'));
      } finally {
        await session.close();
      }
      return openNeo4jStore({ driver, ...(database && { database }), ...options });
    });
  },
);
