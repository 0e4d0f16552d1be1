/**
 * A neo4j-driver-shaped shim over Grafeo (@grafeo-db/js), an embedded engine that runs Neo4j's Cypher, so
 * that the Neo4j adapter's real Cypher runs in CI where no Neo4j server can be installed.
 *
 * Grafeo is more permissive than Neo4j in a few ways that matter to the adapter, and the shim refuses what
 * Neo4j refuses:
 * - property values must be primitives or homogeneous lists of primitives (Grafeo stores maps and mixed
 *   lists): every write transaction is checked before it commits, and fails like Neo4j's TypeError;
 * - a plain JS number is sent by neo4j-driver as a FLOAT, which `LIMIT`, `SKIP` and list slices refuse; only
 *   `driver.integer(n)` makes an INTEGER. The shim fails a statement that passes a plain number there.
 * It retries write transactions on Grafeo's write conflicts, as neo4j-driver retries Neo4j's transient
 * errors (a deadlock, or a lock wait that Grafeo reports as a conflict), and records every statement it runs.
 */
import { GrafeoDB, type Transaction } from '@grafeo-db/js';
import { TwingraphError } from '../../src/errors';
import type { CypherDriver, CypherRecord, CypherRunner, CypherSession } from '../../src/store/neo4j/driver';

export interface RecordedStatement {
  readonly query: string;
  readonly parameters: Record<string, unknown>;
}

export interface GrafeoDriverOptions {
  /** Called with every statement the adapter runs (parameters as the driver would send them). */
  readonly onStatement?: (statement: RecordedStatement) => void;
  /** How long conflicting transactions are retried, as neo4j-driver's maxTransactionRetryTime (default 30 s). */
  readonly maxRetryTimeMs?: number;
}

/** What `driver.integer(n)` returns: a marker that the value is an INTEGER, as neo4j-driver's `Integer` is. */
export class ShimInteger {
  constructor(readonly value: number) {}
}

/** An error shaped like neo4j-driver's Neo4jError: `code` is a Neo4j status code. */
export class ShimNeo4jError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'Neo4jError';
  }
}

function toGrafeo(value: unknown): unknown {
  if (value instanceof ShimInteger) return value.value;
  if (Array.isArray(value)) return value.map(toGrafeo);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toGrafeo(v)]));
  return value;
}

function fromGrafeo(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromGrafeo);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromGrafeo(v)]));
  }
  return value;
}

/** Parameters used where Neo4j requires an INTEGER: `LIMIT $p`, `SKIP $p`, and list slice bounds `[a..$p]`. */
function integerParameters(query: string): string[] {
  const names = new Set<string>();
  for (const m of query.matchAll(/\b(?:LIMIT|SKIP)\s+\$(\w+)/gi)) names.add(m[1]);
  for (const m of query.matchAll(/\[[^\]]*?\.\.\s*\$(\w+)\s*\]/g)) names.add(m[1]);
  for (const m of query.matchAll(/\[\s*\$(\w+)\s*\.\./g)) names.add(m[1]);
  return [...names];
}

function checkIntegers(query: string, parameters: Record<string, unknown>): void {
  for (const name of integerParameters(query)) {
    const value = parameters[name];
    if (typeof value === 'number') {
      throw new ShimNeo4jError(
        'Neo.ClientError.Statement.ArgumentError',
        `Invalid input. '${value.toFixed(1)}' is not a valid value for $${name}: it must be an INTEGER (neo4j-driver sends a JS number as FLOAT; use neo4j.int).`,
      );
    }
  }
}

/** Neo4j's rule for property values: a primitive, or a list of primitives of one type (no nulls, no maps). */
function storableProblem(value: unknown): string | undefined {
  if (value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value) || value instanceof Date)
    return undefined;
  if (Array.isArray(value)) {
    const types = new Set(value.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v)));
    if (types.has('null') || types.has('object') || types.has('list')) return 'a list holding nulls, maps or lists';
    if (types.size > 1) return `a list mixing ${[...types].join(' and ')}`;
    return undefined;
  }
  return 'a map';
}

async function checkStoredProperties(tx: Transaction): Promise<void> {
  const entities = [
    ...(await tx.executeCypher('MATCH (n) RETURN labels(n) AS what, properties(n) AS props')).toArray(),
    ...(await tx.executeCypher('MATCH ()-[r]->() RETURN type(r) AS what, properties(r) AS props')).toArray(),
  ];
  for (const { what, props } of entities) {
    for (const [key, value] of Object.entries((props ?? {}) as Record<string, unknown>)) {
      const problem = storableProblem(value);
      if (problem) {
        throw new ShimNeo4jError(
          'Neo.ClientError.Statement.TypeError',
          `Property values can only be of primitive types or arrays thereof. Encountered: ${problem} in property '${key}' of ${JSON.stringify(what)}.`,
        );
      }
    }
  }
}

/** Grafeo's ways of saying two transactions collided (write-write, read-write, "Transaction conflict", a deadlock, a serialization failure): all transient at Neo4j, retried by its driver. */
function isConflict(error: unknown): boolean {
  return (
    (error as { gqlStatus?: string })?.gqlStatus === '40000' ||
    /write conflict|transaction conflict|deadlock|serializ/i.test(String((error as Error)?.message))
  );
}

function translate(error: unknown): unknown {
  if (error instanceof ShimNeo4jError) return error;
  const message = String((error as Error)?.message ?? error);
  const status = (error as { gqlStatus?: string })?.gqlStatus;
  if (/constraint violation/i.test(message))
    return new ShimNeo4jError('Neo.ClientError.Schema.ConstraintValidationFailed', message);
  if (status?.startsWith('42')) return new ShimNeo4jError('Neo.ClientError.Statement.SyntaxError', message);
  return new ShimNeo4jError('Neo.DatabaseError.General.UnknownError', message);
}

class ShimSession implements CypherSession {
  constructor(
    private readonly db: GrafeoDB,
    private readonly options: GrafeoDriverOptions,
    private readonly isOpen: () => boolean,
  ) {}

  private runner(tx: Transaction, write: boolean): CypherRunner {
    return {
      run: async (query: string, parameters: Record<string, unknown> = {}) => {
        this.options.onStatement?.({ query, parameters });
        checkIntegers(query, parameters);
        if (!write && /\b(CREATE|MERGE|SET|DELETE|REMOVE)\b/i.test(query.replace(/'[^']*'|"[^"]*"/g, ''))) {
          throw new ShimNeo4jError('Neo.ClientError.Statement.AccessMode', 'Writing in read access mode not allowed.');
        }
        const result = await tx.executeCypher(query, toGrafeo(parameters));
        const records: CypherRecord[] = result.toArray().map((row) => ({ get: (key: string) => fromGrafeo(row[key]) }));
        return { records };
      },
    };
  }

  private async transaction<T>(work: (tx: CypherRunner) => PromiseLike<T>, write: boolean): Promise<T> {
    const deadline = Date.now() + (this.options.maxRetryTimeMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      if (!this.isOpen()) throw new ShimNeo4jError('ServiceUnavailable', 'The driver is closed.');
      const tx = this.db.beginTransaction();
      try {
        const result = await work(this.runner(tx, write));
        if (write) await checkStoredProperties(tx);
        tx.commit();
        return result;
      } catch (error) {
        try {
          if (tx.isActive) tx.rollback();
        } catch {
          // A failed commit may have ended the transaction already; the error that matters is the first one.
        }
        if (isConflict(error) && Date.now() < deadline) {
          // Neo4j would have waited for the lock; back off a little, as the driver's retry does.
          await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** attempt, 50) * Math.random()));
          continue;
        }
        // Errors of the adapter's own (TwingraphError) pass through; the engine's become Neo4j-shaped.
        throw error instanceof TwingraphError ? error : translate(error);
      }
    }
  }

  executeRead<T>(work: (tx: CypherRunner) => PromiseLike<T>): Promise<T> {
    return this.transaction(work, false);
  }

  executeWrite<T>(work: (tx: CypherRunner) => PromiseLike<T>): Promise<T> {
    return this.transaction(work, true);
  }

  async close(): Promise<void> {}
}

/** A driver over an in-memory Grafeo database (or the one given). */
export function grafeoDriver(options: GrafeoDriverOptions & { db?: GrafeoDB } = {}): CypherDriver & { db: GrafeoDB } {
  const db = options.db ?? GrafeoDB.create();
  let open = true;
  return {
    db,
    session: () => new ShimSession(db, options, () => open),
    integer: (value) => new ShimInteger(value),
    verifyConnectivity: async () => {
      await db.executeCypher('RETURN 1 AS one');
      return {};
    },
    close: async () => {
      if (!open) return;
      open = false;
      db.close();
    },
  };
}
