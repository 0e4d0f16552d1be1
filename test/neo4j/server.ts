/**
 * The Neo4j server the tests were pointed at (NEO4J_URI, with NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE
 * when set; `npm run test:neo4j` starts one and sets the URI), and how a test empties it. The suites that use
 * it (test/store/neo4j.test.ts, the crash test, the API harness) each start from an empty database, as they
 * would from a fresh SQLite file, so they run one at a time (run.mjs runs jest in band).
 */
import neo4j, { type QueryResult } from 'neo4j-driver';
import type { Neo4jStoreConfig } from '../../src/store/open';

export type Neo4jServer = Pick<Neo4jStoreConfig, 'uri' | 'user' | 'password' | 'database'>;

/** The server in the environment, or undefined when NEO4J_URI is not set. */
export function neo4jFromEnv(env: NodeJS.ProcessEnv = process.env): Neo4jServer | undefined {
  if (!env.NEO4J_URI) return undefined;
  return {
    uri: env.NEO4J_URI,
    ...(env.NEO4J_USER !== undefined && { user: env.NEO4J_USER }),
    ...(env.NEO4J_PASSWORD !== undefined && { password: env.NEO4J_PASSWORD }),
    ...(env.NEO4J_DATABASE && { database: env.NEO4J_DATABASE }),
  };
}

/** Runs one auto-commit statement (what CALL … IN TRANSACTIONS and SHOW need); returns its result. */
async function run(server: Neo4jServer, query: string, parameters: Record<string, unknown>): Promise<QueryResult> {
  const auth = server.user !== undefined ? neo4j.auth.basic(server.user, server.password ?? '') : undefined;
  const driver = neo4j.driver(server.uri, auth, { disableLosslessIntegers: true });
  try {
    const session = driver.session({ ...(server.database && { database: server.database }) });
    try {
      return await session.run(query, parameters);
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
}

/** The rows of one auto-commit statement. */
export async function runOnNeo4j(
  server: Neo4jServer,
  query: string,
  parameters: Record<string, unknown> = {},
): Promise<Record<string, unknown>[]> {
  return (await run(server, query, parameters)).records.map((r) => r.toObject());
}

/** One operator of an execution plan and its inputs. */
export interface PlanOperator {
  readonly operatorType: string;
  readonly arguments: Record<string, unknown>;
  readonly children: readonly PlanOperator[];
}

/** The plan Neo4j makes for a statement (EXPLAIN: planned, not run). */
export async function planOnNeo4j(
  server: Neo4jServer,
  query: string,
  parameters: Record<string, unknown> = {},
): Promise<PlanOperator> {
  const { plan } = (await run(server, `EXPLAIN ${query}`, parameters)).summary;
  if (!plan) throw new Error(`Neo4j gave no plan for ${query}`);
  return plan as unknown as PlanOperator;
}

/**
 * Deletes every node and relationship. Constraints and indexes stay: the store creates them idempotently at
 * start. In batches, so that a graph left by a large test needs no single huge transaction.
 */
export async function wipeNeo4j(server: Neo4jServer): Promise<void> {
  await runOnNeo4j(server, 'MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
}
