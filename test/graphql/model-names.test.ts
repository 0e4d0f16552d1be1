/**
 * Arguments that name a model take its GraphQL type name or its full DTMI, and refuse anything else with
 * ModelNotFound naming the string — a filter on a model that does not exist is a mistake, not an empty
 * result: `isOf: "Client"`, `isOf: "ClientTwin"` and the DTMI agree; `"client"`, a DTMI without its version
 * and an unknown name are refused, with a hint where one can be given; subscriptions refuse the same before
 * anything is delivered.
 */
import { M, useTestApp } from '../support/api-harness';
import { seedDemoGraph } from '../api/fixtures';

const t = useTestApp();
beforeAll(() => seedDemoGraph(t.store));

const ids = (data: { twins: { nodes: { id: string }[] } }): string[] => data.twins.nodes.map((n) => n.id).sort();

describe('model names in filters', () => {
  it('take the GraphQL interface or object type name, or the full DTMI, alike', async () => {
    const byDtmi = ids(await t.ok(`{ twins(where: { isOf: "${M.party}" }) { nodes { id } } }`));
    expect(byDtmi.length).toBeGreaterThan(0);
    expect(ids(await t.ok('{ twins(where: { isOf: "Party" }) { nodes { id } } }'))).toEqual(byDtmi);
    const clients = ids(await t.ok('{ twins(where: { modelId: "ClientTwin" }) { nodes { id } } }'));
    expect(clients).toEqual(ids(await t.ok(`{ twins(where: { modelId: "${M.client}" }) { nodes { id } } }`)));
  });

  it.each([
    ['an unknown name', 'Banana', /No model 'Banana'/],
    ['a name in the wrong case', 'client', /did you mean Client/],
    ['a DTMI without its version', 'dtmi:twingraph:demo:Client', /did you mean dtmi:twingraph:demo:Client;1/],
  ])('refuse %s with ModelNotFound naming it', async (_what, name, message) => {
    const errors = await t.fails(`{ twins(where: { isOf: "${name}" }) { nodes { id } } }`);
    expect(errors[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'ModelNotFound' } });
  });

  it('refuse an unknown model inside a relationship filter on any twin too', async () => {
    const errors = await t.fails(
      '{ twin(id: "g1") { ... on Engagement { hasEngagementInverse(where: { isOf: "Nope" }) { totalCount } } } }',
    );
    expect(errors[0].extensions).toMatchObject({ code: 'ModelNotFound', modelId: 'Nope' });
  });

  it('refuse an unknown model in a subscription before it starts, and take a type name', async () => {
    const refused = await t.subscribe('subscription { twinChanged(models: ["Devise"]) { seq } }');
    await refused.ended();
    expect(refused.errors[0]).toMatchObject({ extensions: { code: 'ModelNotFound' } });

    const subscription = await t.subscribe(
      'subscription { twinChanged(models: ["Device"], twinIds: ["d1"]) { type twinId } }',
    );
    await t.ok('mutation { patchTwin(id: "d1", patch: [{ op: add, path: "/queueLength", value: 3 }]) { id } }');
    expect(await subscription.waitFor(1)).toEqual([{ type: 'TWIN_UPDATE', twinId: 'd1' }]);
    subscription.stop();
  });
});
