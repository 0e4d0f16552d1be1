/**
 * The mirror end to end: a Twingraph app with ADT_ENDPOINT set mirrors every change made through GraphQL to a
 * (test) Azure Digital Twins instance, through the real SDK, and reports how it is doing in `mirrorStatus`.
 */
import { createAdt } from '../../src/mirror/client';
import { reconcile } from '../../src/mirror/reconcile';
import { TestApp } from '../support/api-harness';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { adtState, drained, twingraphState } from '../support/mirror-state';

let adt: AdtServer;
let t: TestApp;

beforeAll(async () => {
  adt = await startAdtServer();
  t = await new TestApp({ env: { ADT_ENDPOINT: adt.url, ADT_COALESCE_MS: '5' } }).start();
});
afterAll(async () => {
  await t?.close();
  await adt?.stop();
});

describe('the mirror', () => {
  it('puts the models in ADT at start, then every twin and relationship written through GraphQL', async () => {
    await t.ok('mutation { createClient(id: "m-c1", input: { name: "Acme", country: "BE" }) { id } }');
    await t.ok('mutation { createEngagement(id: "m-g1", input: { title: "Audit" }) { id } }');
    await t.ok(
      'mutation { createRelationship(sourceId: "m-c1", name: "hasEngagement", targetId: "m-g1", properties: { since: "2024-03-01" }) { id } }',
    );
    await t.ok('mutation { updateClient(id: "m-c1", input: { country: "NL" }) { id } }');
    await drained(t.store);
    const theirs = adtState(adt);
    expect(theirs).toEqual(await twingraphState(t.store));
    expect(Object.keys(theirs.models).length).toBeGreaterThan(5);
    expect(Object.keys(theirs.twins)).toEqual(['m-c1', 'm-g1']);
  });

  it("carries a property's sourceTime to ADT, by patch and in a whole-twin PUT", async () => {
    await t.ok(
      'mutation { patchTwin(id: "m-c1", patch: [{ op: add, path: "/$metadata/country/sourceTime", value: "2024-05-01T10:00:00Z" }]) { id } }',
    );
    await drained(t.store);
    expect(adt.state.twins.get('m-c1')!.$metadata).toMatchObject({ country: { sourceTime: '2024-05-01T10:00:00Z' } });
    // Claimed together, a create and its update go as one PUT of the final state; apart, as a PUT and a patch.
    await t.ok('mutation { createClient(id: "m-c2", input: { name: "Beta", country: "BE" }) { id } }');
    await t.ok(
      'mutation { patchTwin(id: "m-c2", patch: [{ op: add, path: "/$metadata/country/sourceTime", value: "2024-05-02T10:00:00Z" }]) { id } }',
    );
    await drained(t.store);
    expect(adt.state.twins.get('m-c2')!.$metadata).toMatchObject({ country: { sourceTime: '2024-05-02T10:00:00Z' } });
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
  });

  it('reports its state in mirrorStatus', async () => {
    const { mirrorStatus } = await t.ok(
      '{ mirrorStatus { enabled running endpoint pending dead mirrored requests lastError { message } deadLetters { seq } } }',
    );
    expect(mirrorStatus).toMatchObject({
      enabled: true,
      running: true,
      endpoint: adt.url,
      pending: 0,
      dead: 0,
      deadLetters: [],
    });
    expect(mirrorStatus.mirrored).toBeGreaterThan(0);
  });

  it("parks a change ADT refuses as a dead letter with ADT's error, moves on, and on retry writes the twin as it is now", async () => {
    await t.ok('mutation { createClient(id: "m-dl", input: { name: "Dead", country: "BE" }) { id } }');
    await drained(t.store);
    let refused = 0;
    adt.faults.hook((r) =>
      r.op === 'twins.patch' && r.path === '/digitaltwins/m-dl' && refused++ === 0
        ? { type: 'refuse', status: 400, code: 'ValidationFailed', message: 'Invalid property country.' }
        : undefined,
    );
    await t.ok('mutation { updateClient(id: "m-dl", input: { country: "NL" }) { id } }');
    await drained(t.store);
    // The mirror moved on: a later change of the same twin went through.
    await t.ok('mutation { updateClient(id: "m-dl", input: { country: "DE", email: "dead@example.com" }) { id } }');
    await drained(t.store);
    adt.faults.hook(undefined);
    const { mirrorStatus } = await t.ok(
      '{ mirrorStatus { dead lastError { message } deadLetters { seq type subject attempts error patch } } }',
    );
    expect(mirrorStatus.dead).toBe(1);
    expect(mirrorStatus.deadLetters).toMatchObject([
      { type: 'Twin.Update', subject: 'm-dl', attempts: 1, patch: [{ op: 'add', path: '/country', value: 'NL' }] },
    ]);
    expect(mirrorStatus.deadLetters[0].error).toMatch(/400 ValidationFailed: Invalid property country\./);
    expect(adt.state.twins.get('m-dl')).toMatchObject({ country: 'DE', email: 'dead@example.com' });

    // Retrying does not replay the old patch (country NL, overtaken by DE): ADT gets the twin as Twingraph has it now.
    expect((await t.ok('mutation { retryMirrorDeadLetters }')).retryMirrorDeadLetters).toBe(1);
    await drained(t.store);
    expect(adt.state.twins.get('m-dl')).toMatchObject({ country: 'DE', email: 'dead@example.com' });
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
    expect((await t.ok('{ mirrorStatus { dead } }')).mirrorStatus.dead).toBe(0);
  });

  it("on retry brings a model to Twingraph's state rather than replaying its old change", async () => {
    const id = 'dtmi:twingraph:test:Refused;1';
    adt.faults.hook((r) =>
      r.op === 'models.add' && JSON.stringify(r.body).includes(id)
        ? { type: 'refuse', status: 400, code: 'DTDLParserError' }
        : undefined,
    );
    await t.ok('mutation ($d: [JSON!]!) { uploadModels(documents: $d) { models { id } } }', {
      d: [{ '@context': 'dtmi:dtdl:context;3', '@id': id, '@type': 'Interface' }],
    });
    await drained(t.store);
    adt.faults.hook(undefined);
    // Deleted in Twingraph since: ADT never had it (the delete finds nothing, which is fine).
    await t.ok('mutation ($id: ID!) { deleteModel(id: $id) { deleted } }', { id });
    await drained(t.store);
    expect((await t.ok('{ mirrorStatus { deadLetters { type subject } } }')).mirrorStatus.deadLetters).toEqual([
      { type: 'Model.Create', subject: id },
    ]);
    await t.ok('mutation { retryMirrorDeadLetters }');
    await drained(t.store);
    expect(adt.state.models.has(id)).toBe(false);
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
  });

  it('drops dead letters on request; reconcile then repairs ADT', async () => {
    adt.faults.hook((r) =>
      r.op === 'twins.put' && r.path === '/digitaltwins/m-drop'
        ? { type: 'refuse', status: 400, code: 'ValidationFailed' }
        : undefined,
    );
    await t.ok('mutation { createClient(id: "m-drop", input: { name: "Drop" }) { id } }');
    await drained(t.store);
    adt.faults.hook(undefined);
    const { mirrorStatus } = await t.ok('{ mirrorStatus { deadLetters { seq } } }');
    expect(mirrorStatus.deadLetters).toHaveLength(1);
    expect(
      (
        await t.ok('mutation ($s: [Long!]) { dropMirrorDeadLetters(seqs: $s) }', {
          s: [mirrorStatus.deadLetters[0].seq],
        })
      ).dropMirrorDeadLetters,
    ).toBe(1);
    expect((await t.ok('{ mirrorStatus { dead pending } }')).mirrorStatus).toEqual({ dead: 0, pending: 0 });
    expect(adt.state.twins.has('m-drop')).toBe(false);
    const report = await reconcile(t.store, createAdt(adt.url));
    expect(report.actions).toEqual([{ kind: 'putTwin', id: 'm-drop', reason: 'missing' }]);
    expect(adtState(adt)).toEqual(await twingraphState(t.store));
  });
});
