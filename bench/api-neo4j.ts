/**
 * `npm run bench:api` on Neo4j (BENCH_API_STORE=neo4j): the Neo4j the API benchmark's server process is to
 * use, and the store variables that put it there. bench/api.ts decides nothing about stores itself; wired in,
 * this module gives it NEO4J_URI's server (emptied first: point it at one you can wipe) or, without one, the
 * test launcher's Neo4j 5 (./neo4j-launcher.ts), started in the load-generator process before the server
 * process is forked and stopped after it has exited.
 *
 * Two calls: `apiBenchNeo4j()` in the parent, whose `env` goes into the forked server process's environment,
 * and `neo4jConfigEnv()` in the server process, whose variables go into the loadConfig() that starts
 * Twingraph (after TWINGRAPH_DB, which they override: with NEO4J_URI set the store is Neo4j).
 */
import { startBenchNeo4j, wipeNeo4j } from './neo4j-launcher';

export interface ApiBenchNeo4j {
  /** Variables for the server process's environment. */
  readonly env: Record<string, string>;
  /** One line for the report: which Neo4j. */
  readonly describe: string;
  /** Stops the launcher's Neo4j, if this module started one. */
  stop(): Promise<void>;
}

const NEO4J_VARIABLES = ['NEO4J_URI', 'NEO4J_USER', 'NEO4J_PASSWORD', 'NEO4J_DATABASE'] as const;

/** Undefined unless BENCH_API_STORE=neo4j; otherwise a wiped Neo4j ready for the server process. */
export async function apiBenchNeo4j(env: NodeJS.ProcessEnv = process.env): Promise<ApiBenchNeo4j | undefined> {
  if (env.BENCH_API_STORE !== 'neo4j') return undefined;
  if (env.NEO4J_URI) {
    const target = {
      uri: env.NEO4J_URI,
      ...(env.NEO4J_USER !== undefined && { user: env.NEO4J_USER, password: env.NEO4J_PASSWORD ?? '' }),
      ...(env.NEO4J_DATABASE && { database: env.NEO4J_DATABASE }),
    };
    await wipeNeo4j(target);
    return {
      env: Object.fromEntries(NEO4J_VARIABLES.flatMap((n) => (env[n] === undefined ? [] : [[n, env[n]!]]))),
      describe: `Neo4j at ${env.NEO4J_URI} (NEO4J_URI, emptied first)`,
      stop: async () => undefined,
    };
  }
  const launched = await startBenchNeo4j();
  if ('skipped' in launched) throw new Error(`BENCH_API_STORE=neo4j, but no Neo4j can be started: ${launched.skipped}`);
  return {
    // The launcher runs without authentication (the server process must not inherit NEO4J_USER or
    // NEO4J_PASSWORD meant for another server: they would be refused).
    env: { NEO4J_URI: launched.uri },
    describe: `Neo4j 5.26 Community, embedded by the test launcher at ${launched.uri} (2 GB heap)`,
    stop: launched.stop,
  };
}

/** In the server process: the store variables for loadConfig (none unless the parent set NEO4J_URI). */
export function neo4jConfigEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!env.NEO4J_URI) return {};
  return Object.fromEntries(NEO4J_VARIABLES.flatMap((n) => (env[n] === undefined ? [] : [[n, env[n]!]])));
}
