/**
 * When a write the services validated lost a race (another writer changed the twin between the service's read
 * and the store's write) and may be validated again on the new state. The ETag rule itself is the store's
 * (../store/conditions.ts), shared with the batch rules.
 */
import type { TwingraphError } from '../errors';
import type { IfMatch } from '../store/port';

/** How often a validated write is retried when another writer changes the twin in between. */
export const MAX_ATTEMPTS = 5;

/** Whether a failed write was another writer getting in between, and the write may be validated again. */
export function lostRace(error: unknown, options: IfMatch, attempt: number): boolean {
  // A caller that pinned an ETag asked to fail rather than write over someone else's change.
  return (
    (error as TwingraphError).code === 'PreconditionFailed' && options.ifMatch === undefined && attempt < MAX_ATTEMPTS
  );
}
