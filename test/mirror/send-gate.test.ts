/**
 * A replica sends to ADT only while it is the active mirror, asked at the last moment: as the request leaves
 * the SDK's pipeline (src/mirror/client.ts), not only when the worker's turn comes. A request refused there was
 * never sent, reaches ADT not at all, and its operation goes back in line untouched (stopping, no attempt
 * counted) for whichever replica mirrors next; had it gone out late, after another replica's later writes of
 * the same twin, ADT would have kept the older state.
 */
import { applyOperation } from '../../src/mirror/apply';
import { createAdt } from '../../src/mirror/client';
import type { MirrorOp } from '../../src/mirror/plan';
import { MirrorStopping } from '../../src/mirror/stopping';
import { startAdtServer, type AdtServer } from '../support/adt-server';

let adt: AdtServer;

const THING = {
  '@id': 'dtmi:test:Thing;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'name', schema: 'string' }],
};

beforeAll(async () => {
  adt = await startAdtServer();
});
afterAll(async () => {
  await adt?.stop();
});
beforeEach(() => {
  adt.requests.length = 0;
});

const putTwin = (twinId: string, name: string): MirrorOp => ({
  kind: 'putTwin',
  twinId,
  twin: { $metadata: { $model: 'dtmi:test:Thing;1' }, name },
  seqs: [1],
  partition: `twin:${twinId}`,
  reads: [],
  writes: [`twin:${twinId}`],
  twins: [twinId],
  rate: 'createDelete',
});

/** The worker's turn, granted at once: only the client's question at the last moment can stop the request. */
const context = (maySend: () => boolean) => ({
  adt: createAdt(adt.url, { maySend }),
  store: {} as never,
  reserve: async () => () => undefined,
});

describe('the send gate', () => {
  it('lets a request go while the replica may send', async () => {
    await createAdt(adt.url).createModels([THING]);
    adt.requests.length = 0;
    const outcome = await applyOperation(
      context(() => true),
      putTwin('gate-1', 'first'),
    );
    expect(outcome).toMatchObject({ kind: 'done', requests: 1 });
    expect(adt.state.twins.get('gate-1')).toMatchObject({ name: 'first' });
  });

  it('sends nothing once the replica may no longer send, and gives the operation back as stopping', async () => {
    let asked = 0;
    const outcome = await applyOperation(
      context(() => {
        asked++;
        return false;
      }),
      putTwin('gate-1', 'late'),
    );
    expect(asked).toBe(1);
    expect(outcome).toMatchObject({ kind: 'retry', stopping: true });
    expect(adt.requests).toEqual([]);
    expect(adt.state.twins.get('gate-1')).toMatchObject({ name: 'first' });
  });

  it('is asked after the pipeline, as the request leaves: a term that ends while a token is fetched sends nothing', async () => {
    let active = true;
    const client = createAdt(adt.url, {
      maySend: () => active,
      // The term ends while the SDK's pipeline waits for a token (slow identity endpoints do that).
      credential: {
        getToken: async () => {
          active = false;
          return { token: 'slow', expiresOnTimestamp: Date.now() + 60_000 };
        },
      },
    });
    await expect(client.getModel('dtmi:test:Thing;1')).rejects.toBeInstanceOf(MirrorStopping);
    expect(adt.requests).toEqual([]);
  });
});
