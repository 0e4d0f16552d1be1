/**
 * Models over the API: an upload adds its types to the running server at once (no restart), without
 * breaking a query that was valid before, a query in flight or a running subscription; the model catalogue
 * (DTDL, what extends what, contents with units and GraphQL field names); decommissioning and deleting.
 */
import { M, useTestApp, waitUntil } from '../support/api-harness';

const t = useTestApp();

const UPLOAD =
  'mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id graphqlType extends } } }';

const contractor = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:test:Contractor;1',
  '@type': 'Interface',
  extends: M.party,
  contents: [
    { '@type': 'Property', name: 'company', schema: 'string', writable: true },
    { '@type': 'Property', name: 'dayRate', schema: 'double', writable: true },
    { '@type': 'Relationship', name: 'worksOn', target: M.engagement },
  ],
};

const vipClient = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:test:VipClient;1',
  '@type': 'Interface',
  extends: M.client,
  contents: [{ '@type': 'Property', name: 'perks', schema: 'string', writable: true }],
};

/** A query valid on the demo models, touching the interfaces that the uploads extend. */
const BEFORE_UPLOAD = `{
  parties(orderBy: [{ id: ASC }]) { totalCount nodes { id name ... on Client { industry } ... on ClientTwin { email } ... on Employee { role } } }
  clients(where: { name: { startsWith: "M" } }) { totalCount nodes { id } }
  twin(id: "mc-1") { __typename ... on Party { name } }
  engagements { nodes { id hasEngagementInverse { nodes { id } } } }
}`;

describe('uploading a model and querying its type without a restart', () => {
  let baseline: unknown;

  beforeAll(async () => {
    await t.ok('mutation { createClient(id: "mc-1", input: { name: "Maple", industry: Retail }) { id } }');
    await t.ok('mutation { createEmployee(id: "me-1", input: { name: "Mo", role: Senior }) { id } }');
    await t.ok('mutation { createEngagement(id: "mg-1", input: { title: "Mapping" }) { id } }');
    await t.ok('mutation { createRelationship(sourceId: "mc-1", name: "hasEngagement", targetId: "mg-1") { id } }');
    baseline = await t.ok(BEFORE_UPLOAD);
  });

  it('the new type is unknown before the upload', async () => {
    const [error] = await t.fails('{ contractors { totalCount } }');
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('uploadModels adds the types, list field and mutations at once, on the same server, and announces it', async () => {
    const modelChanges = await t.subscribe('subscription { modelChanged { type modelId } }');
    const live = await t.subscribe(
      'subscription { twinChanged(twinIds: ["mc-1"]) { twin { ... on Client { name } } } }',
    );
    const port = t.app.server.port;

    const data = await t.ok(
      'mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id decommissioned } } }',
      { documents: [contractor] },
    );
    expect(data.uploadModels.models).toEqual([{ id: 'dtmi:test:Contractor;1', decommissioned: false }]);
    expect(t.app.server.port).toBe(port);

    const created = await t.ok(
      'mutation { createContractor(id: "ct-1", input: { name: "Kim", company: "Kim BV", dayRate: 800 }) { __typename id company dayRate name } }',
    );
    expect(created.createContractor).toEqual({
      __typename: 'ContractorTwin',
      id: 'ct-1',
      company: 'Kim BV',
      dayRate: 800,
      name: 'Kim',
    });
    await t.ok('mutation { createRelationship(sourceId: "ct-1", name: "worksOn", targetId: "mg-1") { id } }');
    const listed = await t.ok(`{
      contractors(where: { dayRate: { gte: 500 } }) { totalCount nodes { id company worksOn { nodes { id ... on Engagement { title } } } } }
      engagement: twin(id: "mg-1") { ... on Engagement { worksOnInverse { nodes { id } } } }
      parties(where: { id: { eq: "ct-1" } }) { nodes { __typename ... on Contractor { company } } }
    }`);
    expect(listed).toEqual({
      contractors: {
        totalCount: 1,
        nodes: [{ id: 'ct-1', company: 'Kim BV', worksOn: { nodes: [{ id: 'mg-1', title: 'Mapping' }] } }],
      },
      engagement: { worksOnInverse: { nodes: [{ id: 'ct-1' }] } },
      parties: { nodes: [{ __typename: 'ContractorTwin', company: 'Kim BV' }] },
    });

    expect(await modelChanges.waitFor(1)).toEqual([{ type: 'MODEL_CREATE', modelId: 'dtmi:test:Contractor;1' }]);
    // The subscription that was running across the swap still delivers.
    await t.ok('mutation { updateClient(id: "mc-1", input: { name: "Maple & Oak" }) { id } }');
    expect(await live.waitFor(1)).toEqual([{ twin: { name: 'Maple & Oak' } }]);
    await t.ok('mutation { updateClient(id: "mc-1", input: { name: "Maple" }) { id } }');
    await live.waitFor(2);
    modelChanges.stop();
    live.stop();
  });

  it('a query that was valid before an upload that extends its types gives the same answer after it', async () => {
    // Contractor (above) extends Party; VipClient extends Client, a subtype of a subtype.
    await t.ok(UPLOAD, { documents: [vipClient] });
    const after = (await t.ok(BEFORE_UPLOAD)) as { parties: { totalCount: number; nodes: { id: string }[] } };
    const before = baseline as { parties: { totalCount: number; nodes: { id: string }[] } };
    // The contractor created above is a party now; everything else is as it was.
    const others = after.parties.nodes.filter((n) => n.id !== 'ct-1');
    expect({
      ...after,
      parties: {
        ...after.parties,
        totalCount: after.parties.totalCount - (after.parties.nodes.length - others.length),
        nodes: others,
      },
    }).toEqual(before);
  });

  it('twins of the new subtype answer the old query through the fragments on their ancestors', async () => {
    await t.ok(
      'mutation { createVipClient(id: "vip-1", input: { name: "Magnolia", industry: Banking, email: "m@example.com", perks: "lounge" }) { id } }',
    );
    const data = await t.ok(BEFORE_UPLOAD);
    expect(data.parties.nodes).toContainEqual({ id: 'vip-1', name: 'Magnolia', industry: 'Banking' });
    expect(data.clients).toEqual({ totalCount: 2, nodes: expect.arrayContaining([{ id: 'mc-1' }, { id: 'vip-1' }]) });
    const typed = await t.ok(
      '{ twin(id: "vip-1") { __typename ... on Client { industry } ... on VipClient { perks } } }',
    );
    expect(typed.twin).toEqual({ __typename: 'VipClientTwin', industry: 'Banking', perks: 'lounge' });
  });

  it('uploadModels answers with the new models as the new schema sees them: GraphQL type, ancestors, contents', async () => {
    const auditor = {
      ...contractor,
      '@id': 'dtmi:test:Auditor;1',
      contents: [{ '@type': 'Property', name: 'firm', schema: 'string', writable: true }],
    };
    const data = await t.ok(
      'mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id graphqlType extends ancestors contents { name graphqlField } } } }',
      { documents: [auditor] },
    );
    expect(data.uploadModels.models).toEqual([
      {
        id: 'dtmi:test:Auditor;1',
        graphqlType: 'Auditor',
        extends: [M.party],
        ancestors: [M.party],
        contents: expect.arrayContaining([
          { name: 'firm', graphqlField: 'firm' },
          { name: 'name', graphqlField: 'name' },
        ]),
      },
    ]);
    // What a query after the upload says about the same model.
    const read = await t.ok('{ model(id: "dtmi:test:Auditor;1") { graphqlType extends } }');
    expect(read.model).toEqual({ graphqlType: 'Auditor', extends: [M.party] });
  });

  it('a query in flight during an upload finishes on the schema it started with', async () => {
    const held = t.instrumented.hold('queryTwins');
    const inFlight = t.gql('{ clients(orderBy: [{ id: ASC }]) { nodes { id } } }');
    await waitUntil(() => held.waiting() > 0, 'the query reaches the store');
    const upload = t.ok(UPLOAD, {
      documents: [
        {
          '@context': 'dtmi:dtdl:context;3',
          '@id': 'dtmi:test:Swap;1',
          '@type': 'Interface',
          contents: [{ '@type': 'Property', name: 'n', schema: 'integer' }],
        },
      ],
    });
    held.release();
    const [answer] = await Promise.all([inFlight, upload]);
    expect(answer).toEqual({ status: 200, data: { clients: { nodes: [{ id: 'mc-1' }, { id: 'vip-1' }] } } });
    expect(await t.ok('{ swaps { totalCount } }')).toEqual({ swaps: { totalCount: 0 } });
  });
});

describe('the model catalogue', () => {
  it('models lists every model in upload order with its GraphQL type', async () => {
    const data = await t.ok('{ models { id graphqlType decommissioned uploadTime displayName } }');
    const byId = new Map<string, { graphqlType: string; decommissioned: boolean; displayName: unknown }>(
      data.models.map((m: { id: string }) => [m.id, m]),
    );
    expect(byId.get(M.client)).toMatchObject({
      graphqlType: 'Client',
      decommissioned: false,
      displayName: { en: 'Client' },
    });
    expect(byId.get(M.device)).toMatchObject({ graphqlType: 'Device' });
    expect(
      data.models
        .slice(0, 8)
        .map((m: { id: string }) => m.id)
        .sort(),
    ).toEqual(Object.values(M).sort());
  });

  it('model(id) gives the DTDL, what extends it, and the contents with units and GraphQL field names', async () => {
    const data = await t.ok(`{
      party: model(id: "dtmi:twingraph:demo:Party;1") { extends ancestors extendedBy }
      device: model(id: "dtmi:twingraph:demo:Device;1") {
        id dtdl ancestors
        contents { name kind definedIn schema writable unit semanticTypes target graphqlField displayName }
      }
      client: model(id: "dtmi:twingraph:demo:Client;1") { ancestors contents { name definedIn graphqlField target } }
      missing: model(id: "dtmi:test:Nothing;1") { id }
    }`);
    expect(data.party).toEqual({
      extends: [],
      ancestors: [],
      extendedBy: expect.arrayContaining([M.client, M.employee, 'dtmi:test:Contractor;1', 'dtmi:test:VipClient;1']),
    });
    // The demo's devices talk MQTT as their model says (the DTDL MQTT extension's co-type).
    expect(data.device.dtdl).toMatchObject({ '@id': M.device, '@type': ['Interface', 'Mqtt'], displayName: 'Device' });
    const contents = new Map<string, Record<string, unknown>>(
      data.device.contents.map((c: { name: string }) => [c.name, c]),
    );
    expect(contents.get('temperature')).toEqual({
      name: 'temperature',
      kind: 'Telemetry',
      definedIn: M.device,
      schema: 'double',
      writable: null,
      unit: 'degreeCelsius',
      semanticTypes: ['Temperature'],
      target: null,
      graphqlField: 'temperature',
      displayName: 'Temperature',
    });
    expect(contents.get('firmwareVersion')).toMatchObject({
      kind: 'Property',
      schema: 'string',
      writable: false,
      graphqlField: 'firmwareVersion',
    });
    expect(contents.get('diagnostics')).toMatchObject({
      kind: 'Component',
      target: M.diagnostics,
      graphqlField: 'diagnostics',
    });
    expect(contents.get('reboot')).toMatchObject({ kind: 'Command' });
    expect(data.client.ancestors).toEqual([M.party]);
    expect(data.client.contents).toEqual(
      expect.arrayContaining([
        { name: 'name', definedIn: M.party, graphqlField: 'name', target: null },
        { name: 'hasEngagement', definedIn: M.client, graphqlField: 'hasEngagement', target: M.engagement },
      ]),
    );
    expect(data.missing).toBeNull();
  });
});

describe('decommissioning and deleting models', () => {
  const gadget = {
    '@context': 'dtmi:dtdl:context;3',
    '@id': 'dtmi:test:Gadget;1',
    '@type': 'Interface',
    contents: [{ '@type': 'Property', name: 'label', schema: 'string', writable: true }],
  };
  const widget = { ...gadget, '@id': 'dtmi:test:Widget;1' };

  it('a decommissioned model keeps its twins but gets no new ones (ModelDecommissioned)', async () => {
    await t.ok(UPLOAD, { documents: [widget] });
    await t.ok('mutation { createWidget(id: "wd-1", input: { label: "old" }) { id } }');
    const changes = await t.subscribe('subscription { modelChanged { type modelId } }');
    const data = await t.ok('mutation { decommissionModel(id: "dtmi:test:Widget;1") { id decommissioned } }');
    expect(data.decommissionModel).toEqual({ id: 'dtmi:test:Widget;1', decommissioned: true });

    const [error] = await t.fails('mutation { createWidget(id: "wd-2", input: { label: "new" }) { id } }');
    expect(error.extensions).toMatchObject({ code: 'ModelDecommissioned', modelId: 'dtmi:test:Widget;1' });
    expect((await t.ok('{ twin(id: "wd-1") { __typename ... on Widget { label } } }')).twin).toEqual({
      __typename: 'WidgetTwin',
      label: 'old',
    });
    const listed = await t.ok(
      '{ all: models { id } active: models(includeDecommissioned: false) { id } model(id: "dtmi:test:Widget;1") { decommissioned } }',
    );
    expect(listed.all.map((m: { id: string }) => m.id)).toContain('dtmi:test:Widget;1');
    expect(listed.active.map((m: { id: string }) => m.id)).not.toContain('dtmi:test:Widget;1');
    expect(listed.model).toEqual({ decommissioned: true });
    expect(await changes.waitFor(1)).toEqual([{ type: 'MODEL_DECOMMISSION', modelId: 'dtmi:test:Widget;1' }]);
    changes.stop();
  });

  it('a model that others extend cannot be deleted (ModelReferencesNotDeleted)', async () => {
    const [error] = await t.fails('mutation { deleteModel(id: "dtmi:twingraph:demo:Party;1") { deleted } }');
    expect(error.extensions).toMatchObject({ code: 'ModelReferencesNotDeleted', modelId: M.party });
    expect(error.extensions?.related).toEqual(expect.arrayContaining([M.client, M.employee]));
    expect((await t.ok('{ model(id: "dtmi:twingraph:demo:Party;1") { id } }')).model).toEqual({ id: M.party });
  });

  it('deleting a model removes its types; its twins stay, as UnmodeledTwin with their JSON', async () => {
    await t.ok(UPLOAD, { documents: [gadget] });
    await t.ok('mutation { createGadget(id: "gd-1", input: { label: "kept" }) { id } }');
    const changes = await t.subscribe('subscription { modelChanged { type modelId } }');
    const data = await t.ok('mutation { deleteModel(id: "dtmi:test:Gadget;1") { id deleted } }');
    expect(data.deleteModel).toEqual({ id: 'dtmi:test:Gadget;1', deleted: true });
    expect(await changes.waitFor(1)).toEqual([{ type: 'MODEL_DELETE', modelId: 'dtmi:test:Gadget;1' }]);
    changes.stop();

    const twin = await t.ok(
      '{ twin(id: "gd-1") { __typename id modelId json } model(id: "dtmi:test:Gadget;1") { id } }',
    );
    expect(twin.twin).toEqual({
      __typename: 'UnmodeledTwin',
      id: 'gd-1',
      modelId: 'dtmi:test:Gadget;1',
      json: expect.objectContaining({ $dtId: 'gd-1', label: 'kept' }),
    });
    expect(twin.model).toBeNull();
    const [error] = await t.fails('{ gadgets { totalCount } }');
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const generic = await t.ok('{ twins(where: { id: { eq: "gd-1" } }) { nodes { __typename id } } }');
    expect(generic.twins.nodes).toEqual([{ __typename: 'UnmodeledTwin', id: 'gd-1' }]);
  });
});
