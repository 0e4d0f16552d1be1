/**
 * How large a batch write may be, said once for GraphQL's batch mutations and `twingraph import`'s batches:
 * a bound on what one request may ask of one transaction (its time holding the store's write lock, the memory
 * of its items and of its answer).
 */
import { TwingraphError } from '../errors';

/** The most items one batch write takes (patchTwins, upsertTwins, upsertRelationships, an import's batches). */
export const MAX_BATCH_ITEMS = 1000;

/** Refuses a batch that is not a list, or that has more than MAX_BATCH_ITEMS items (LimitExceeded). */
export function checkBatchSize(items: unknown, what: string): asserts items is readonly unknown[] {
  if (!Array.isArray(items)) throw new TwingraphError('InvalidArgument', `The ${what} are given as a list.`);
  if (items.length > MAX_BATCH_ITEMS)
    throw new TwingraphError(
      'LimitExceeded',
      `A batch holds at most ${MAX_BATCH_ITEMS} ${what}; this one has ${items.length}. Split it into batches of ${MAX_BATCH_ITEMS} (each is written all or nothing).`,
    );
}
