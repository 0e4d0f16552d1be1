/**
 * The store contract: one suite that every TwinStore adapter passes (SQLite in test/store/sqlite.test.ts,
 * Neo4j beside it). It uses the public port only, so it reads as the specification of a store's behaviour;
 * the modules in ./contract hold one area each.
 *
 * `open` must return a fresh, empty store that takes its time from `now` (every test passes a clock it
 * moves by hand) and enqueues outbox entries when `outbox` is true.
 */
import type { TwinStore } from '../../src/store/port';
import { batchesContract } from './contract/batches';
import { changesContract } from './contract/changes';
import { graphContract } from './contract/graph';
import { housekeepingContract } from './contract/housekeeping';
import { keysContract } from './contract/keys';
import { metricsContract } from './contract/metrics';
import { modelsContract } from './contract/models';
import { outboxContract } from './contract/outbox';
import { patchContract } from './contract/patch';
import { queriesContract } from './contract/queries';
import { relationshipsContract } from './contract/relationships';
import { twinsContract } from './contract/twins';

export function describeStoreContract(
  name: string,
  open: (options: { outbox?: boolean; now?: () => number }) => Promise<TwinStore>,
): void {
  describe(`TwinStore contract: ${name}`, () => {
    modelsContract(open);
    twinsContract(open);
    patchContract(open);
    batchesContract(open);
    relationshipsContract(open);
    queriesContract(open);
    graphContract(open);
    metricsContract(open);
    changesContract(open);
    outboxContract(open);
    housekeepingContract(open);
    keysContract(open);
  });
}
