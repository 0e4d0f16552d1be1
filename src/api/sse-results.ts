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
 * changes must still be let go of the moment its client leaves. (Without racing every wait against one
 * promise of the end, which kept a few hundred bytes per event until the subscription ended: ./stoppable.ts.)
 */
import { STOPPED, Stopper } from './stoppable';

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

export function guardedResults<T>(source: AsyncIterable<T>, guard: ResultGuard<T>): AsyncGenerator<T, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let finished = false;
  let expired = false;
  // Stopped when the operation ends early: returned by graphql-sse (the client left or completed it), or its
  // credential expired.
  const stopper = new Stopper();
  const timer =
    guard.expiresInMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          stopper.stop();
        }, guard.expiresInMs);

  const finish = async (): Promise<void> => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    stopper.stop();
    await iterator.return?.();
  };
  // The one last result after an expiry or a failure; then done.
  const last = async (value: T): Promise<IteratorResult<T, undefined>> => {
    await finish();
    return { done: false, value };
  };

  const next = async (): Promise<IteratorResult<T, undefined>> => {
    if (finished) return done;
    if ((await stopper.until(guard.ready())) !== STOPPED) {
      let result: IteratorResult<T> | typeof STOPPED;
      try {
        result = await stopper.until(iterator.next());
      } catch (error) {
        return last(guard.failed(error));
      }
      if (result !== STOPPED && !result.done) return { done: false, value: result.value };
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
