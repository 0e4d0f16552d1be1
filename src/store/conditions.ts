/**
 * The ETag rule every conditional write follows, said once for the services' single writes and the batch
 * rules (writes.ts: patchTwins; services/twin-batches.ts): how an `ifMatch` is read against the current ETag.
 */
import { etagMismatch, preconditionFailed, type ErrorSubject } from '../errors';
import { etagMatches } from './documents';

/**
 * No `ifMatch` is no condition, `*` holds for any current state, and any other value must equal the current
 * ETag. An empty string is not "no condition": ADT's If-Match takes an etag or `*` and holds only when one of
 * the etags given matches, so an empty one matches no state and the write is PreconditionFailed (as the store
 * has it), never an overwrite the client did not ask for. `current` is the ETag the service read; without it
 * (deletes) the store compares in its transaction, and only the empty value is refused here, so that it is
 * refused with the same words.
 */
export function requireIfMatch(
  ifMatch: string | undefined,
  current: string | undefined,
  what: string,
  subject: ErrorSubject,
): void {
  if (ifMatch === undefined || (current !== undefined && etagMatches(ifMatch, current))) return;
  if (ifMatch === '')
    throw preconditionFailed(
      `${what}: ifMatch is empty, and an empty ETag matches no state. Pass the ETag you read, '*' for any state, or no ifMatch to write unconditionally.`,
      subject,
    );
  if (current !== undefined) throw etagMismatch(what, ifMatch, current, subject);
}
