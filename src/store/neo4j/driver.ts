/**
 * The part of neo4j-driver the Neo4j adapter uses, as an interface: the adapter depends on this much only, and
 * a test can wrap it to observe every statement sent (test/store/neo4j.test.ts checks each statement's
 * notifications and plan on a real Neo4j 5).
 */
import neo4j from 'neo4j-driver';

export interface CypherRecord {
  get(key: string): unknown;
}

export interface CypherRunner {
  run(query: string, parameters?: Record<string, unknown>): PromiseLike<{ records: CypherRecord[] }>;
}

/**
 * A session. Its own `run` is an auto-commit transaction (Bolt's RUN and PULL, sent together: one round
 * trip); the managed transactions below also send BEGIN and COMMIT and wait for each, three round trips for
 * one statement.
 */
export interface CypherSession extends CypherRunner {
  /** Runs `work` in a read transaction, retrying it on transient errors. */
  executeRead<T>(work: (tx: CypherRunner) => PromiseLike<T>): Promise<T>;
  /** Runs `work` in a write transaction, retrying it on transient errors (deadlocks, leader changes). */
  executeWrite<T>(work: (tx: CypherRunner) => PromiseLike<T>): Promise<T>;
  close(): Promise<void>;
}

export interface CypherDriver {
  session(config: { database?: string; defaultAccessMode?: 'READ' | 'WRITE' }): CypherSession;
  /** A Cypher INTEGER parameter (a plain JS number is sent as FLOAT, which LIMIT and list slices refuse). */
  integer(value: number): unknown;
  verifyConnectivity(): Promise<unknown>;
  close(): Promise<void>;
}

export interface Neo4jConnection {
  readonly uri: string;
  readonly user?: string;
  readonly password?: string;
}

/**
 * A transaction whose statements skip the driver's call-site capture: neo4j-driver builds an Error and formats
 * its stack for every result (to point a failed statement's error at the code that ran it), which cost a
 * tenth of the adapter's CPU per write. A failed statement's error keeps Neo4j's code and message.
 */
function withoutCallSites(tx: CypherRunner): CypherRunner {
  return {
    run: (query, parameters) => {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        return tx.run(query, parameters);
      } finally {
        Error.stackTraceLimit = limit;
      }
    },
  };
}

/** The real driver: numbers come back as JS numbers (ids and counts stay below 2^53). */
export function connectNeo4j(connection: Neo4jConnection): CypherDriver {
  const auth = connection.user !== undefined ? neo4j.auth.basic(connection.user, connection.password ?? '') : undefined;
  const driver = neo4j.driver(connection.uri, auth, { disableLosslessIntegers: true, userAgent: 'twingraph' });
  return {
    session: (config) => {
      const session = driver.session({
        ...(config.database && { database: config.database }),
        defaultAccessMode: config.defaultAccessMode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      });
      return {
        run: withoutCallSites(session).run,
        executeRead: (work) => session.executeRead(async (tx) => work(withoutCallSites(tx))),
        executeWrite: (work) => session.executeWrite(async (tx) => work(withoutCallSites(tx))),
        close: () => session.close(),
      };
    },
    integer: (value) => neo4j.int(value),
    verifyConnectivity: () => driver.verifyConnectivity(),
    close: () => driver.close(),
  };
}
