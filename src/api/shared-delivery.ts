/**
 * How a transport sends a member's shared payloads (./subscription-groups.ts): the protocol libraries
 * (graphql-ws, graphql-sse) serialize every result they are given, once per subscriber, and on Node 20 JSON
 * cannot embed text that is already JSON. So a shared subscription's payloads bypass them: the transport frames
 * the group's text with the member's operation id and writes it to the member's connection itself, and the
 * library is handed a response stream that yields nothing and ends when the subscription does. The library
 * keeps doing the rest (a client's `complete`, the connection closing, errors it throws, the final `complete`),
 * and since it sends nothing for this operation until the stream has ended, a subscription's messages keep
 * their order.
 *
 * A payload is pulled only once the previous one was written and the connection can take more, as the
 * libraries pace their own results, so that a client that reads slowly holds back only its own feed
 * subscription (which the lag limit then ends with SlowConsumer).
 */
import type { ExecutionResult } from 'graphql';
import { STOPPED, Stopper } from './stoppable';
import type { SharedPayloads } from './subscription-groups';

/** Where one subscriber's payloads go. */
export interface PayloadSink {
  /** Resolves when the connection can take another payload (omitted: always). */
  ready?(): Promise<void>;
  /** Frames and writes one payload; resolves when it has been handed to the connection. */
  write(payload: string): Promise<void> | void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A response stream for a protocol library that writes `payloads` to `sink` itself: it yields nothing, ends
 * when they end (or is ended, by return(), at once even while waiting), and throws what they throw.
 */
export function deliverShared(payloads: SharedPayloads, sink: PayloadSink): AsyncGenerator<ExecutionResult, undefined> {
  const stopper = new Stopper();
  const finish = async (): Promise<IteratorReturnResult<undefined>> => {
    stopper.stop();
    await payloads.return();
    return DONE;
  };

  const next = async (): Promise<IteratorResult<ExecutionResult, undefined>> => {
    try {
      while (!stopper.stopped) {
        if (sink.ready && (await stopper.until(sink.ready())) === STOPPED) break;
        // Returning the payloads ends a next() under way at once: no need to wait for it here.
        const result = await payloads.next();
        if (result.done || stopper.stopped) break;
        await sink.write(result.value);
      }
    } catch (error) {
      await finish();
      throw error;
    }
    return finish();
  };

  // Asserted, not annotated: the build's lib (ES2022) has no Symbol.asyncDispose on AsyncGenerator, while the
  // typings the tests compile with require it (as in ./sse-results.ts).
  const generator = {
    next,
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => generator,
    [Symbol.asyncDispose]: finish,
  } as unknown as AsyncGenerator<ExecutionResult, undefined>;
  return generator;
}

/** graphql-ws's `next` message around a payload that is JSON already, as graphql-ws would have written it. */
export function graphqlWsNext(id: string): (payload: string) => string {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return (payload) => `${head}${payload}}`;
}

/**
 * graphql-sse's `next` event around a payload that is JSON already, as graphql-sse would have written it: the
 * payload alone on a stream of its own, inside `{ id, payload }` on a reserved stream's operation.
 */
export function graphqlSseNext(operationId: string | undefined): (payload: string) => string {
  if (operationId === undefined) return (payload) => `event: next\ndata: ${payload}\n\n`;
  const head = `event: next\ndata: {"id":${JSON.stringify(operationId)},"payload":`;
  return (payload) => `${head}${payload}}\n\n`;
}
