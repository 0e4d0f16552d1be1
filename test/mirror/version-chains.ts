/**
 * A write workload whose order can be read back at ADT (see ./adt-journal.ts): every twin and relationship
 * carries a version counter raised by one at each of its writes, and each subject's writes are sent one after
 * the other (so commit order is counter order), while many subjects are written at once, each write through
 * whichever Twingraph replica `via` picks. A model is uploaded first and its twins (kiosks) are the targets
 * of every relationship, so the busiest twins at ADT are written from many partitions at once, and
 * relationships race their targets' creation and deletes race relationships: what the mirror must order.
 *
 *   engagement eng-<i>: created with budget 0, budget raised to 1…updates, one `covers` relationship
 *     cov-<i> to a kiosk (scope "v0"…"v<relUpdates>") written between those updates; every third relationship
 *     deleted at the end, every fourth engagement deleted with its relationships.
 *   kiosk kiosk-<k>: created with screen "v0", screen raised to "v1"…"v<updates>" meanwhile.
 */
import type { Gql } from '../support/mirror-workload';

export const KIOSK_MODEL = 'dtmi:twingraph:test:replicas:Kiosk;1';

export const KIOSK_DTDL = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': KIOSK_MODEL,
  '@type': 'Interface',
  extends: 'dtmi:twingraph:demo:Asset;1',
  contents: [{ '@type': 'Property', name: 'screen', schema: 'string', writable: true }],
};

/** The properties that carry the version counters (for AdtJournal). */
export const VERSION_COUNTERS = ['budget', 'screen', 'scope'] as const;

export interface ChainOptions {
  readonly engagements: number;
  readonly kiosks: number;
  /** Updates per twin after its create. */
  readonly updates: number;
  /** Updates per relationship after its create. */
  readonly relUpdates: number;
  /**
   * Resolves once every replica knows the uploaded model: another replica's schema follows an upload within
   * its log-tail interval, and a create sent there before that is refused (ModelNotFound).
   */
  readonly modelEverywhere: () => Promise<void>;
}

export interface ChainResult {
  /** Writes Twingraph committed. */
  readonly committed: number;
  /** Refusals by error code (there should be none: every write of a chain is valid when it is sent). */
  readonly refused: Record<string, number>;
}

export async function runVersionChains(via: () => Gql, options: ChainOptions): Promise<ChainResult> {
  let committed = 0;
  const refused: Record<string, number> = {};
  const send = async (query: string, variables: Record<string, unknown>): Promise<void> => {
    const r = await via()(query, variables);
    if (r.errors?.length) {
      const code = r.errors[0].extensions?.code ?? r.errors[0].message;
      refused[code] = (refused[code] ?? 0) + 1;
    } else committed++;
  };

  await send('mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }', { d: [KIOSK_DTDL] });
  await options.modelEverywhere();
  const kiosks = Array.from({ length: options.kiosks }, (_, k) => `kiosk-${k}`);
  await Promise.all(
    kiosks.map((id) =>
      send(
        'mutation ($id: ID!, $m: String!) { createTwin(id: $id, modelId: $m, properties: { name: "Kiosk", screen: "v0" }) { id } }',
        { id, m: KIOSK_MODEL },
      ),
    ),
  );

  const kioskChain = async (id: string): Promise<void> => {
    for (let n = 1; n <= options.updates; n++)
      await send(
        'mutation ($id: ID!, $v: JSON) { patchTwin(id: $id, patch: [{ op: replace, path: "/screen", value: $v }]) { id } }',
        { id, v: `v${n}` },
      );
  };

  const engagementChain = async (i: number): Promise<void> => {
    const id = `eng-${i}`;
    const rel = `cov-${i}`;
    const target = kiosks[i % kiosks.length];
    await send('mutation ($id: ID!) { createEngagement(id: $id, input: { title: "E", budget: 0 }) { id } }', { id });
    let relVersion = -1;
    for (let n = 1; n <= options.updates; n++) {
      await send('mutation ($id: ID!, $b: Float) { updateEngagement(id: $id, input: { budget: $b }) { id } }', {
        id,
        b: n,
      });
      // The relationship's writes fall between the twin's, so the partition interleaves both subjects.
      if (relVersion < options.relUpdates && n % 2 === 1) {
        relVersion++;
        if (relVersion === 0)
          await send(
            'mutation ($s: ID!, $id: ID!, $t: ID!) { createRelationship(sourceId: $s, id: $id, name: "covers", targetId: $t, properties: { scope: "v0" }) { id } }',
            { s: id, id: rel, t: target },
          );
        else
          await send(
            'mutation ($s: ID!, $id: ID!, $v: JSON) { updateRelationship(sourceId: $s, id: $id, patch: [{ op: replace, path: "/scope", value: $v }]) { id } }',
            { s: id, id: rel, v: `v${relVersion}` },
          );
      }
    }
    if (i % 3 === 0)
      await send('mutation ($s: ID!, $id: ID!) { deleteRelationship(sourceId: $s, id: $id) { deleted } }', {
        s: id,
        id: rel,
      });
    if (i % 4 === 3) await send('mutation ($id: ID!) { deleteTwin(id: $id, cascade: true) { deleted } }', { id });
  };

  await Promise.all([
    ...kiosks.map(kioskChain),
    ...Array.from({ length: options.engagements }, (_, i) => engagementChain(i)),
  ]);
  return { committed, refused };
}
