/**
 * Named leases in Neo4j (see Leases in ../port.ts): a `Lease` node per name, under the `lease_name`
 * uniqueness constraint. The node is write-locked first, so two takers go one after the other, and times are
 * the server's (`timestamp()`), never the replicas' clocks.
 */
import type { LeaseTaken } from '../port';
import { records, type Neo4jDb } from './db';

export async function takeLease(
  db: Neo4jDb,
  name: string,
  holder: string,
  leaseMs: number,
): Promise<LeaseTaken | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.session('WRITE', async (tx) => {
        const [row] = await records(
          tx,
          'MERGE (l:Lease {name: $name}) SET l._lock = true REMOVE l._lock ' +
            'WITH l, timestamp() AS now, l.holder AS before, l.until AS until ' +
            'WITH l, now, before, until, before IS NULL OR before = $holder OR until <= now AS free ' +
            'FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END | SET l.holder = $holder, l.until = now + $leaseMs) ' +
            'RETURN free, before, until, now',
          { name, holder, leaseMs },
        );
        if (row.get('free') !== true) return null;
        const before = row.get('before') as string | null;
        return {
          sincePreviousMs:
            before === null || before === holder ? Infinity : (row.get('now') as number) - (row.get('until') as number),
        };
      });
    } catch (error) {
      // Two first takers both MERGE-created the node: the one that lost sees it now.
      if (attempt < 3 && (error as { code?: unknown })?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed')
        continue;
      throw error;
    }
  }
}

export async function giveLease(db: Neo4jDb, name: string, holder: string): Promise<void> {
  await db.session('WRITE', (tx) =>
    tx.run(
      'MATCH (l:Lease {name: $name}) WHERE l.holder = $holder ' +
        'SET l.until = CASE WHEN l.until < timestamp() THEN l.until ELSE timestamp() END',
      { name, holder },
    ),
  );
}
