/**
 * GroupCommit, the Neo4j adapter's group commit (src/store/neo4j/group-commit.ts), specified against a fake
 * transaction: the effects of its writes, committed when the body returns and dropped when it throws, as a
 * Neo4j transaction without savepoints is. The adapter itself runs through it in the Neo4j contract suite
 * (test/store/neo4j.test.ts), whose concurrent-writer cases then meet groups on a real Neo4j.
 */
import { GroupCommit, type GroupCommitOptions } from '../../src/store/neo4j/group-commit';

/** A fake transaction: the effects its writes made, kept only if it commits. */
interface FakeTx {
  readonly effects: string[];
}

class Collision extends Error {}

/** `refuseCommit`: the failure a commit of these effects meets, if any (one that is no write's own). */
function harness(
  options: Partial<GroupCommitOptions<FakeTx>> = {},
  refuseCommit: (effects: readonly string[]) => Error | undefined = () => undefined,
) {
  /** The effects of each committed transaction, in commit order. */
  const commits: string[][] = [];
  /** Transactions begun, committed or not. */
  let begun = 0;
  const groups = new GroupCommit<FakeTx>({
    transaction: async (body) => {
      begun++;
      const tx: FakeTx = { effects: [] };
      const value = await body(tx);
      // The commit's round trip: writes submitted meanwhile wait for the next transaction.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const refused = refuseCommit(tx.effects);
      if (refused) throw refused;
      commits.push(tx.effects);
      return value;
    },
    isCollision: (error) => error instanceof Collision,
    maxWrites: 16,
    maxAttempts: 5,
    ...options,
  });
  /** A write that records `name` and returns it, after a statement's round trip. */
  const write = (name: string) =>
    groups.submit<string>(async (tx) => {
      await new Promise((resolve) => setImmediate(resolve));
      tx.effects.push(name);
      return name;
    });
  /** A write that records `name`, then fails with `error`. */
  const failing = (name: string, error: unknown) =>
    groups.submit<string>(async (tx) => {
      tx.effects.push(name);
      throw error;
    });
  return { groups, commits, write, failing, begun: () => begun };
}

describe('GroupCommit', () => {
  it('runs a lone write in a transaction of its own', async () => {
    const h = harness();
    await expect(h.write('a')).resolves.toBe('a');
    expect(h.commits).toEqual([['a']]);
  });

  it('commits the writes that arrive while a transaction is in flight together, in the order they came, each answered with its own value', async () => {
    const h = harness();
    const first = h.write('a');
    const rest = ['b', 'c', 'd'].map((name) => h.write(name));
    await expect(Promise.all([first, ...rest])).resolves.toEqual(['a', 'b', 'c', 'd']);
    expect(h.commits).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('lets a write see the writes before it in its group', async () => {
    const h = harness();
    const first = h.write('a');
    const b = h.write('b');
    const seen = h.groups.submit<string[]>(async (tx) => [...tx.effects]);
    await first;
    await expect(b).resolves.toBe('b');
    await expect(seen).resolves.toEqual(['b']);
  });

  it('answers a write that fails with its own error and commits the others without it, none of its effects kept', async () => {
    const h = harness();
    const first = h.write('a');
    const refusal = new Error('PreconditionFailed');
    const b = h.write('b');
    const c = h.failing('c', refusal);
    const d = h.write('d');
    await expect(c).rejects.toBe(refusal);
    await expect(Promise.all([first, b, d])).resolves.toEqual(['a', 'b', 'd']);
    expect(h.commits).toEqual([['a'], ['b', 'd']]);
    // The group ran once with c (rolled back), then again without it.
    expect(h.begun()).toBe(3);
  });

  it('answers a lone write that fails with its error, and runs nothing again', async () => {
    const h = harness();
    const refusal = new Error('DigitalTwinNotFound');
    await expect(h.failing('a', refusal)).rejects.toBe(refusal);
    expect(h.commits).toEqual([]);
    expect(h.begun()).toBe(1);
  });

  it('runs the whole group again after a collision, up to maxAttempts runs', async () => {
    const h = harness({ maxAttempts: 3 });
    let runs = 0;
    const first = h.write('a');
    const b = h.write('b');
    const colliding = h.groups.submit<string>(async (tx) => {
      runs++;
      tx.effects.push('c');
      if (runs < 3) throw new Collision('another writer created c first');
      return 'c';
    });
    await expect(Promise.all([first, b, colliding])).resolves.toEqual(['a', 'b', 'c']);
    expect(runs).toBe(3);
    expect(h.commits).toEqual([['a'], ['b', 'c']]);

    // Past the limit, every write of the group gets the collision.
    const again = harness({ maxAttempts: 2 });
    const x = again.write('x');
    const y = again.write('y');
    const z = again.failing('z', new Collision('always'));
    await expect(x).resolves.toBe('x');
    await expect(y).rejects.toBeInstanceOf(Collision);
    await expect(z).rejects.toBeInstanceOf(Collision);
    expect(again.commits).toEqual([['x']]);
  });

  it('answers every write of the group when the transaction fails on no write of its own (the commit refused)', async () => {
    const outage = new Error('Neo4j is unavailable');
    const h = harness({}, (effects) => (effects.includes('c') ? outage : undefined));
    const first = h.write('a');
    const b = h.write('b');
    const c = h.write('c');
    const d = h.write('d');
    await expect(first).resolves.toBe('a');
    for (const write of [b, c, d]) await expect(write).rejects.toBe(outage);
    expect(h.commits).toEqual([['a']]);
    expect(h.begun()).toBe(2);
  });

  it('puts at most maxWrites writes in one transaction', async () => {
    const h = harness({ maxWrites: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => h.write(name)));
    expect(h.commits).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f']]);
  });

  it('takes writes again once idle, a lone one at once', async () => {
    const h = harness();
    await h.write('a');
    await h.write('b');
    expect(h.commits).toEqual([['a'], ['b']]);
  });
});
