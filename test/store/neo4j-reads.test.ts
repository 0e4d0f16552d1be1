/**
 * How the Neo4j adapter runs a read (Neo4jDb.read, src/store/neo4j/db.ts), specified against a fake driver
 * that records what each session was asked: statements as auto-commit transactions, one at a time, and a
 * managed read transaction (which the real driver retries) only when one failed on something transient.
 * The contract suite (test/store/neo4j.test.ts) runs every read this way on a real Neo4j 5.
 */
import { TwingraphError } from '../../src/errors';
import { DEFAULT_LIMITS } from '../../src/store/documents';
import { Neo4jDb } from '../../src/store/neo4j/db';
import type { CypherDriver, CypherRunner } from '../../src/store/neo4j/driver';

/**
 * A fake driver; `fail(query, attempt)` decides what a statement's nth auto-commit run meets, `managedFails`
 * what the managed transaction throws (as the real driver does once its retries give up).
 */
function harness(fail: (query: string, attempt: number) => Error | undefined = () => undefined, managedFails?: Error) {
  const log: string[] = [];
  const runs = new Map<string, number>();
  /** Auto-commit statements being answered: a session takes one at a time, and no transaction meanwhile. */
  let autoCommitting = 0;
  let overlapped = false;
  const answer = async (query: string) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return { records: [{ get: () => query }] };
  };
  const driver: CypherDriver = {
    session: () => ({
      run: async (query) => {
        const attempt = (runs.get(query) ?? 0) + 1;
        runs.set(query, attempt);
        log.push(`auto-commit ${query}`);
        const refused = fail(query, attempt);
        if (refused) throw refused;
        if (autoCommitting++ > 0) overlapped = true;
        try {
          return await answer(query);
        } finally {
          autoCommitting--;
        }
      },
      executeRead: async <T>(work: (tx: CypherRunner) => PromiseLike<T>) => {
        log.push('BEGIN');
        if (autoCommitting > 0) overlapped = true;
        if (managedFails) throw managedFails;
        const value = await work({
          run: async (query) => {
            log.push(`in transaction ${query}`);
            return answer(query);
          },
        });
        log.push('COMMIT');
        return value;
      },
      executeWrite: async () => {
        throw new Error('no writes here');
      },
      close: async () => {
        log.push('close');
      },
    }),
    integer: (n) => n,
    verifyConnectivity: async () => undefined,
    close: async () => undefined,
  };
  const db = new Neo4jDb(driver, undefined, false, DEFAULT_LIMITS, Date.now, true);
  return { db, log, overlapped: () => overlapped };
}

const unavailable = Object.assign(new Error('connection reset'), { code: 'ServiceUnavailable' });
const syntax = Object.assign(new Error('Invalid input'), { code: 'Neo.ClientError.Statement.SyntaxError' });

/** What a read of statements A and B does when its first try failed: both again, in a managed transaction. */
const A_AND_B_RUN_AGAIN = [
  'auto-commit A',
  'auto-commit B',
  'BEGIN',
  'in transaction A',
  'in transaction B',
  'COMMIT',
  'close',
];

describe('a read on Neo4j', () => {
  it('runs its statement as an auto-commit transaction: no BEGIN or COMMIT round trips', async () => {
    const { db, log } = harness();
    const value = await db.read(async (tx) => (await tx.run('MATCH (t) RETURN t')).records[0].get('t'));
    expect(value).toBe('MATCH (t) RETURN t');
    expect(log).toEqual(['auto-commit MATCH (t) RETURN t', 'close']);
  });

  it('runs several statements one after another, even when they are started together', async () => {
    const { db, log, overlapped } = harness();
    const values = await db.read((tx) => Promise.all([tx.run('A'), tx.run('B'), tx.run('C')]));
    expect(values.map((v) => v.records[0].get('x'))).toEqual(['A', 'B', 'C']);
    expect(overlapped()).toBe(false);
    expect(log).toEqual(['auto-commit A', 'auto-commit B', 'auto-commit C', 'close']);
  });

  it('runs again in a managed transaction (which the driver retries) when a statement met something transient', async () => {
    const { db, log } = harness((query, attempt) => (query === 'B' && attempt === 1 ? unavailable : undefined));
    const values = await db.read(async (tx) => [await tx.run('A'), await tx.run('B')]);
    expect(values.map((v) => v.records[0].get('x'))).toEqual(['A', 'B']);
    expect(log).toEqual(A_AND_B_RUN_AGAIN);
  });

  it('runs again in a managed transaction on what the driver marks retryable (an expired authorization)', async () => {
    const expired = Object.assign(new Error('authorization expired'), {
      code: 'Neo.ClientError.Security.AuthorizationExpired',
      retryable: true,
    });
    const { db, log } = harness((_, attempt) => (attempt === 1 ? expired : undefined));
    await db.read((tx) => tx.run('A'));
    expect(log).toEqual(['auto-commit A', 'BEGIN', 'in transaction A', 'COMMIT', 'close']);
  });

  it('begins the managed transaction only once the statements of the first try have been answered', async () => {
    const { db, log, overlapped } = harness((query, attempt) =>
      query === 'A' && attempt === 1 ? unavailable : undefined,
    );
    await db.read((tx) => Promise.all([tx.run('A'), tx.run('B')]));
    // The transaction began once B, still queued when A failed, had had its answer.
    expect(overlapped()).toBe(false);
    expect(log).toEqual(A_AND_B_RUN_AGAIN);
  });

  it('makes one attempt only when asked to (a readiness probe), and says the store is unavailable', async () => {
    const { db, log } = harness(() => unavailable);
    await expect(db.read((tx) => tx.run('RETURN 1'), { retry: false })).rejects.toMatchObject({
      code: 'StoreUnavailable',
    });
    expect(log).toEqual(['auto-commit RETURN 1', 'close']);
  });

  it('fails at once, with no second run, on an error that is not transient', async () => {
    const { db, log } = harness(() => syntax);
    await expect(db.read((tx) => tx.run('MATCH ('))).rejects.toBe(syntax);
    expect(log).toEqual(['auto-commit MATCH (', 'close']);
  });

  it("answers a Twingraph error of the read's own (a twin not found) as it is, with no second run", async () => {
    const { db, log } = harness();
    const notFound = new TwingraphError('DigitalTwinNotFound', "There is no digital twin with id 'x'.");
    await expect(
      db.read(async (tx) => {
        await tx.run('A');
        throw notFound;
      }),
    ).rejects.toBe(notFound);
    expect(log).toEqual(['auto-commit A', 'close']);
  });

  it('says the store is unavailable when the managed transaction gives up too', async () => {
    const { db, log } = harness(() => unavailable, unavailable);
    await expect(db.read((tx) => tx.run('A'))).rejects.toMatchObject({
      code: 'StoreUnavailable',
      message: 'Neo4j is unavailable: connection reset',
    });
    expect(log).toEqual(['auto-commit A', 'BEGIN', 'close']);
  });
});
