/**
 * The error of a request that was never sent because this replica may not send (the mirror is stopping, or its
 * term as the active mirror is over): the operation goes back in line as it was, no attempt counted, for
 * whichever replica mirrors next. Its own module because both ends of a request throw it: the worker's turn
 * (./worker.ts) and the HTTP client as the request leaves (./client.ts), with the SDK (./adt.ts) in between,
 * which must let it pass as it is rather than read it as a network error.
 */
export class MirrorStopping extends Error {
  override readonly name = 'MirrorStopping';
}
