/**
 * How the transports send shared payloads themselves (src/api/shared-delivery.ts): one at a time, each only
 * once the connection can take it and the one before it was written; ending at once when the operation is let
 * go of, even while waiting; passing on what the payloads throw; and framed exactly as graphql-ws and
 * graphql-sse frame a result they serialize themselves.
 */
import { print as printSse } from 'graphql-sse';
import { deliverShared, graphqlSseNext, graphqlWsNext } from '../../src/api/shared-delivery';
import type { SharedPayloads } from '../../src/api/subscription-groups';

/** Payloads that record how many were asked for and whether they were let go of. */
function payloads(texts: string[], failWith?: Error) {
  const state = { asked: 0, returned: false };
  let waiting: ((result: IteratorResult<string>) => void) | undefined;
  const source = {
    next: async () => {
      state.asked++;
      if (state.returned) return { done: true, value: undefined };
      if (texts.length) return { done: false, value: texts.shift()! };
      if (failWith) throw failWith;
      return new Promise((resolve) => (waiting = resolve));
    },
    // As SharedPayloads does: a next() under way ends with the payloads.
    return: async () => {
      state.returned = true;
      waiting?.({ done: true, value: undefined });
      return { done: true, value: undefined };
    },
  };
  return { source: source as unknown as SharedPayloads, state };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared payloads on their way to a connection', () => {
  it('are written one at a time, each once the connection is ready and the one before it was written', async () => {
    const { source, state } = payloads(['1', '2', '3']);
    const written: string[] = [];
    let open!: () => void;
    let gate = new Promise<void>((resolve) => (open = resolve));
    let finishWrite!: () => void;
    const results = deliverShared(source, {
      ready: () => gate,
      write: (payload) => {
        written.push(payload);
        return new Promise<void>((resolve) => (finishWrite = resolve));
      },
    });
    const running = results.next();
    await sleep(10);
    expect(state.asked).toBe(0);
    open();
    await sleep(10);
    expect([state.asked, written]).toEqual([1, ['1']]);
    // Not written yet: the next is not pulled.
    gate = Promise.resolve();
    await sleep(10);
    expect(state.asked).toBe(1);
    finishWrite();
    await sleep(10);
    expect(written).toEqual(['1', '2']);
    finishWrite();
    await sleep(10);
    expect(written).toEqual(['1', '2', '3']);
    finishWrite();
    await results.return(undefined);
    expect(await running).toEqual({ done: true, value: undefined });
    expect(state.returned).toBe(true);
  });

  it('end at once when returned, while waiting for the connection or for a payload', async () => {
    for (const ready of [() => new Promise<void>(() => undefined), () => Promise.resolve()]) {
      const { source, state } = payloads([]);
      const results = deliverShared(source, { ready, write: () => undefined });
      const running = results.next();
      await sleep(10);
      await results.return(undefined);
      expect(await running).toEqual({ done: true, value: undefined });
      expect(state.returned).toBe(true);
    }
  });

  it('throw what the payloads throw, having let go of them', async () => {
    const { source, state } = payloads(['1'], new Error('SlowConsumer'));
    const written: string[] = [];
    const results = deliverShared(source, { write: (payload) => void written.push(payload) });
    await expect(results.next()).rejects.toThrow('SlowConsumer');
    expect(written).toEqual(['1']);
    expect(state.returned).toBe(true);
  });

  it('are framed as graphql-ws and graphql-sse frame what they serialize themselves', () => {
    const result = { data: { twinChanged: { seq: 7, name: 'Zürich "HQ"\nline ✓' } } };
    const payload = JSON.stringify(result);
    for (const id of ['1', 'op "quoted" ✓', '\u2028'])
      expect(graphqlWsNext(id)(payload)).toBe(JSON.stringify({ id, type: 'next', payload: result }));
    expect(graphqlSseNext(undefined)(payload)).toBe(printSse({ event: 'next', data: result }));
    expect(graphqlSseNext('op "1"')(payload)).toBe(
      printSse({ event: 'next', data: { id: 'op "1"', payload: result } }),
    );
  });
});
