/**
 * A subscription's results as the Server-Sent Events transport (./sse.ts) hands them to graphql-sse, which
 * pulls every result as soon as it can and queues it for the event stream without bound, and which lets a
 * stream that throws end the whole event stream — in single connection mode every operation on it. So each
 * result is pulled only when the stream it goes to can take more: a client that stops reading stops pulling
 * from the change feed, which then ends the subscription with SlowConsumer as it does over WebSocket (where
 * graphql-ws waits for each send). What the stream throws becomes a last result carrying the error's code,
 * ending that operation alone; and the operation ends, saying so, when its caller's credential expires.
 *
 * `return()` reaches the source at once, even while a `next()` is waiting: a subscription whose twin never
 * changes must still be let go of the moment its client leaves.
 */

export interface ResultGuard<T> {
  /** Resolves when the stream the results go to can take another (or is gone). */
  ready(): Promise<void>;
  /** Milliseconds until the caller's credential expires; undefined when it does not. */
  readonly expiresInMs: number | undefined;
  /** The last result of an operation whose credential expired. */
  expired(): T;
  /** The last result of an operation whose stream threw `error`. */
  failed(error: unknown): T;
}

type Outcome<T> =
  | { readonly kind: 'result'; readonly result: IteratorResult<T> }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'stopped' };

export function guardedResults<T>(source: AsyncIterable<T>, guard: ResultGuard<T>): AsyncGenerator<T, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let finished = false;
  let expired = false;
  let stop!: () => void;
  // Settles when the operation ends early: returned by graphql-sse (the client left or completed it), or
  // its credential expired.
  const stopped = new Promise<Outcome<T>>((resolve) => (stop = () => resolve({ kind: 'stopped' })));
  const timer =
    guard.expiresInMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          stop();
        }, guard.expiresInMs);

  const finish = async (): Promise<void> => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    stop();
    await iterator.return?.();
  };
  // The one last result after an expiry or a failure; then done.
  const last = async (value: T): Promise<IteratorResult<T, undefined>> => {
    await finish();
    return { done: false, value };
  };

  const next = async (): Promise<IteratorResult<T, undefined>> => {
    if (finished) return done;
    const paced = await Promise.race([guard.ready().then((): Outcome<T> | undefined => undefined), stopped]);
    if (!paced) {
      const outcome = await Promise.race([
        iterator.next().then(
          (result): Outcome<T> => ({ kind: 'result', result }),
          (error: unknown): Outcome<T> => ({ kind: 'error', error }),
        ),
        stopped,
      ]);
      if (outcome.kind === 'result' && !outcome.result.done) return { done: false, value: outcome.result.value };
      if (outcome.kind === 'error') return last(guard.failed(outcome.error));
    }
    if (expired && !finished) return last(guard.expired());
    await finish();
    return done;
  };

  // Asserted, not annotated: the build's lib (ES2022) has no Symbol.asyncDispose on AsyncGenerator, while the
  // typings the tests compile with (ESNext's disposables) require it.
  const generator = {
    next,
    return: async () => {
      await finish();
      return done;
    },
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => generator,
    [Symbol.asyncDispose]: finish,
  } as AsyncGenerator<T, undefined>;
  return generator;
}
