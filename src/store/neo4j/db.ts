/**
 * One Neo4j connection as every part of the Neo4j adapter shares it: the driver and database, sessions that
 * turn Neo4j's unavailability into StoreUnavailable, the clock, and the commit listeners. The parts
 * (models.ts, twins.ts, … housekeeping.ts) are functions over this one object and store.ts assembles them,
 * as the SQLite adapter does over its SqliteDb.
 */
import { TwingraphError } from '../../errors';
import type { DocumentLimits } from '../documents';
import type { CommitListener } from '../port';
import type { CypherDriver, CypherRecord, CypherRunner, CypherSession } from './driver';

export type Props = Record<string, unknown>;

/** The twin id and relationship id properties, quoted for Cypher (`$` is not an identifier character). */
export const TWIN_ID = '`$dtId`';
export const RELATIONSHIP_ID = '`$relationshipId`';

export function parseJson<T>(text: unknown): T {
  return JSON.parse(text as string) as T;
}

/** The records of one statement run in `tx`. */
export async function records(tx: CypherRunner, query: string, parameters: Props = {}): Promise<CypherRecord[]> {
  return (await tx.run(query, parameters)).records;
}

/**
 * Statements run one after another in the session's auto-commit transactions: a statement a `work` starts
 * while its previous one is still being answered waits for it (a session runs one auto-commit statement at a
 * time; a managed transaction would pipeline them).
 */
function autoCommitRunner(session: CypherSession): CypherRunner & { idle(): Promise<unknown> } {
  let previous: Promise<unknown> = Promise.resolve();
  return {
    run: (query, parameters) => {
      const result = previous.then(() => session.run(query, parameters));
      // The next statement waits for this one to be answered, whether it succeeded or not.
      previous = result.catch(() => undefined);
      return result;
    },
    /** Once every statement started has been answered: the session is free for a transaction, or to close. */
    idle: () => previous,
  };
}

/** Whether the driver would run a failed read again: what isUnavailable names, and what the driver marks so. */
function isRetryable(error: unknown): boolean {
  const marked = error as { retryable?: unknown; retriable?: unknown } | undefined;
  return isUnavailable(error) || marked?.retryable === true || marked?.retriable === true;
}

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    code === 'ServiceUnavailable' ||
    code === 'SessionExpired' ||
    (typeof code === 'string' && code.startsWith('Neo.TransientError'))
  );
}

export class Neo4jDb {
  /** Called after each commit that wrote change-log entries (changes.ts). */
  readonly listeners = new Set<CommitListener>();
  closed = false;

  constructor(
    readonly driver: CypherDriver,
    /** The Neo4j database (undefined: the server's default database). */
    readonly database: string | undefined,
    /** Enqueue every mirrored change in the outbox. */
    readonly outbox: boolean,
    readonly limits: DocumentLimits,
    /** The clock (epoch ms). */
    readonly now: () => number,
    /** Close the driver when the store closes. */
    readonly ownsDriver: boolean,
  ) {}

  /**
   * Runs `work` in one managed transaction (retried by the driver on transient errors); a read runs its
   * statements as auto-commit transactions first (see `read`).
   */
  async session<T>(mode: 'READ' | 'WRITE', work: (tx: CypherRunner) => PromiseLike<T>, retry = true): Promise<T> {
    if (this.closed) throw new TwingraphError('StoreUnavailable', 'The store is closed.');
    const session = this.driver.session({ ...(this.database && { database: this.database }), defaultAccessMode: mode });
    try {
      if (mode === 'WRITE') return await session.executeWrite(async (tx) => work(tx));
      const runner = autoCommitRunner(session);
      try {
        return await work(runner);
      } catch (error) {
        // A read is safe to run again: the driver's managed transaction retries what is transient (an expired
        // authorization too), once no statement of the first try is left on the session.
        await runner.idle();
        if (!retry || error instanceof TwingraphError || !isRetryable(error)) throw error;
        return await session.executeRead(async (tx) => work(tx));
      }
    } catch (error) {
      if (error instanceof TwingraphError) throw error;
      if (isUnavailable(error))
        throw new TwingraphError('StoreUnavailable', `Neo4j is unavailable: ${(error as Error).message}`);
      throw error;
    } finally {
      await session.close();
    }
  }

  /**
   * Runs a read. Its statements go as auto-commit transactions, one round trip each where a managed read
   * transaction takes three (BEGIN, the statement, COMMIT; bench:api on Neo4j: a third more twins by id a
   * second, at a third less CPU each, see the README). Nothing is lost by it: Neo4j's isolation is read
   * committed, so the statements of one read transaction see no more of one state than separate ones do, and a
   * read takes no locks. A read that fails on a transient error runs again in a managed transaction, which the driver
   * retries as before; with `retry: false` it is one attempt (a readiness probe wants to know about now).
   */
  read<T>(work: (tx: CypherRunner) => PromiseLike<T>, options: { retry?: boolean } = {}): Promise<T> {
    return this.session('READ', work, options.retry ?? true);
  }

  /** A Cypher INTEGER (LIMIT and list slices refuse the FLOAT a plain number is sent as). */
  int(n: number): unknown {
    return this.driver.integer(n);
  }
}
