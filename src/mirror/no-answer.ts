/**
 * The error of a write ADT did not answer within its deadline (ADT_REQUEST_TIMEOUT_MS). Unlike a refusal, it
 * leaves the request's fate open: ADT may have applied it already, or may still apply it after the mirror gave
 * up, so the worker holds the twin's next request back until that could no longer happen (./worker.ts,
 * cutOffGraceMs). Its own module because both ends of a request know it: the HTTP client that gives up
 * (./client.ts) and the SDK adapter that names ADT's errors (./adt.ts).
 */
export class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
}
