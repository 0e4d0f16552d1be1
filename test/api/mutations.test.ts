/**
 * Writes over HTTP: every mutation returns the new state with its ETag; typed create/update per model
 * (update sets only writable properties and components, null removes), the generic patchTwin, deletes,
 * relationships, components, telemetry (then read back through the twin's telemetry field), commands
 * (seen by a Command.Invoke subscriber); and optimistic concurrency: a stale ifMatch is refused and changes
 * nothing, not even the change log.
 */
import { M, useTestApp } from '../support/api-harness';

const t = useTestApp();

const ETAG = /^W\/"[^"]+"$/;

async function changesAfter(seq: number): Promise<{ seq: number; type: string; subject: string }[]> {
  const data = await t.ok('query ($after: Long!) { changes(after: $after, first: 1000) { seq type subject } }', {
    after: seq,
  });
  return data.changes;
}

describe('twins', () => {
  it('createClient returns the new twin, typed, with its ETag', async () => {
    const data = await t.ok(`mutation {
      createClient(id: "w-c1", input: { name: "Wind & Co", industry: Energy, email: "w@example.com", address: { city: "Delft", country: "NL" }, tags: [{ key: "tier", value: "silver" }] }) {
        __typename id etag modelId name industry address { city country } tags { key value } json
      }
    }`);
    expect(data.createClient).toEqual({
      __typename: 'ClientTwin',
      id: 'w-c1',
      etag: expect.stringMatching(ETAG),
      modelId: M.client,
      name: 'Wind & Co',
      industry: 'Energy',
      address: { city: 'Delft', country: 'NL' },
      tags: [{ key: 'tier', value: 'silver' }],
      json: expect.objectContaining({
        $dtId: 'w-c1',
        name: 'Wind & Co',
        industry: 'energy',
        tags: { tier: 'silver' },
        $metadata: expect.objectContaining({ $model: M.client }),
      }),
    });
    const read = await t.ok('{ twin(id: "w-c1") { etag } }');
    expect(read.twin.etag).toBe(data.createClient.etag);
  });

  it('create with ifNoneMatch refuses to replace an existing twin', async () => {
    const [error] = await t.fails(
      'mutation { createClient(id: "w-c1", input: { name: "Other" }, ifNoneMatch: true) { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'PreconditionFailed', twinId: 'w-c1' });
    expect((await t.ok('{ twin(id: "w-c1") { ... on Client { name } } }')).twin.name).toBe('Wind & Co');
  });

  it('createTwin creates a twin of any model from ADT JSON properties', async () => {
    const data = await t.ok(
      'mutation { createTwin(id: "w-any", modelId: "dtmi:twingraph:demo:Asset;1", properties: { name: "Depot", assetType: "warehouse" }) { __typename etag ... on Asset { name assetType } } }',
    );
    expect(data.createTwin).toEqual({
      __typename: 'AssetTwin',
      etag: expect.stringMatching(ETAG),
      name: 'Depot',
      assetType: 'Warehouse',
    });
  });

  it('updateClient sets the properties given, removes those given null, keeps the rest, and returns the new ETag', async () => {
    const before = await t.ok('{ twin(id: "w-c1") { etag } }');
    const data = await t.ok(
      'mutation { updateClient(id: "w-c1", input: { email: "new@example.com", country: "BE", tags: null, address: { city: "Gent" } }) { etag name email country tags { key } address { city country } json } }',
    );
    expect(data.updateClient).toMatchObject({
      name: 'Wind & Co',
      email: 'new@example.com',
      country: 'BE',
      tags: null,
      address: { city: 'Gent', country: null },
    });
    expect(data.updateClient.json).not.toHaveProperty('tags');
    expect(data.updateClient.etag).toMatch(ETAG);
    expect(data.updateClient.etag).not.toBe(before.twin.etag);
    const removed = await t.ok('mutation { updateClient(id: "w-c1", input: { country: null }) { country json } }');
    expect(removed.updateClient.country).toBeNull();
    expect(removed.updateClient.json).not.toHaveProperty('country');
  });

  it('update<Model> works on twins of models that extend it, and refuses twins of other models', async () => {
    const viaParty = await t.ok(
      'mutation { updateParty(id: "w-c1", input: { name: "Wind & Sons" }) { __typename name } }',
    );
    expect(viaParty.updateParty).toEqual({ __typename: 'ClientTwin', name: 'Wind & Sons' });
    const [error] = await t.fails('mutation { updateEmployee(id: "w-c1", input: { hourlyRate: 10 }) { id } }');
    expect(error.extensions).toMatchObject({ code: 'InvalidArgument', twinId: 'w-c1', modelId: M.client });
  });

  it('update<Model> offers only writable properties (read-only ones are not in the input) and the components', async () => {
    await t.ok(
      'mutation { createDevice(id: "w-d1", input: { deviceType: "pump", firmwareVersion: "1.0", capacity: 2 }) { id } }',
    );
    const [error] = await t.fails('mutation { updateDevice(id: "w-d1", input: { firmwareVersion: "2.0" }) { id } }');
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toMatch(/firmwareVersion/);

    const set = await t.ok(
      'mutation { updateDevice(id: "w-d1", input: { capacity: 3, diagnostics: { errorCount: 5, lastError: "E1" } }) { capacity firmwareVersion diagnostics { errorCount lastError } } }',
    );
    expect(set.updateDevice).toEqual({
      capacity: 3,
      firmwareVersion: '1.0',
      diagnostics: { errorCount: 5, lastError: 'E1' },
    });
    const cleared = await t.ok(
      'mutation { updateDevice(id: "w-d1", input: { diagnostics: { lastError: null } }) { diagnostics { errorCount lastError } } }',
    );
    expect(cleared.updateDevice.diagnostics).toEqual({ errorCount: 5, lastError: null });
  });

  it('patchTwin applies a JSON Patch (read-only properties included) and returns the new state', async () => {
    const current = await t.ok('{ twin(id: "w-d1") { etag } }');
    const data = await t.ok(
      `mutation ($etag: String) { patchTwin(id: "w-d1", ifMatch: $etag, patch: [
        { op: replace, path: "/firmwareVersion", value: "1.1" },
        { op: add, path: "/state", value: "processing" },
        { op: remove, path: "/capacity" }
      ]) { etag ... on Device { firmwareVersion state capacity } } }`,
      { etag: current.twin.etag },
    );
    expect(data.patchTwin).toEqual({
      etag: expect.stringMatching(ETAG),
      firmwareVersion: '1.1',
      state: 'Processing',
      capacity: null,
    });
    expect(data.patchTwin.etag).not.toBe(current.twin.etag);
  });

  it('updateComponent patches one component, paths relative to it', async () => {
    const data = await t.ok(
      'mutation { updateComponent(id: "w-d1", component: "diagnostics", patch: [{ op: add, path: "/errorCount", value: 7 }, { op: add, path: "/selfTestPassed", value: true }]) { etag ... on Device { diagnostics { errorCount selfTestPassed } } } }',
    );
    expect(data.updateComponent).toEqual({
      etag: expect.stringMatching(ETAG),
      diagnostics: { errorCount: 7, selfTestPassed: true },
    });
  });

  it('a hundred concurrent typed updates of one twin without ifMatch all succeed, each written once, the last one stored', async () => {
    await t.ok('mutation { createClient(id: "w-busy", input: { name: "Busy" }) { id } }');
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.ok(`mutation { updateClient(id: "w-busy", input: { email: "v${i}@example.com" }) { etag email } }`),
      ),
    );
    const etags = answers.map((a) => a.updateClient.etag as string);
    expect(new Set(etags).size).toBe(100);
    const changes = (await changesAfter(0)).filter((c) => c.subject === 'w-busy');
    expect(changes.map((c) => c.type)).toEqual(['TWIN_CREATE', ...Array<string>(100).fill('TWIN_UPDATE')]);
    // What is stored is what one of them answered, with that answer's ETag.
    const { twin } = await t.ok('{ twin(id: "w-busy") { etag ... on Client { email } } }');
    expect(answers.map((a) => a.updateClient)).toContainEqual({ etag: twin.etag, email: twin.email });
  });

  it('deleteTwin refuses a twin with relationships (RelationshipsNotDeleted) unless cascade', async () => {
    await t.ok('mutation { createAsset(id: "w-a1", input: { name: "Yard" }) { id } }');
    await t.ok('mutation { createRelationship(sourceId: "w-a1", name: "hosts", targetId: "w-d1") { id } }');
    const [error] = await t.fails('mutation { deleteTwin(id: "w-d1") { deleted } }');
    expect(error.extensions).toMatchObject({ code: 'RelationshipsNotDeleted', twinId: 'w-d1' });
    expect((await t.ok('{ twin(id: "w-d1") { id } }')).twin).toEqual({ id: 'w-d1' });

    const data = await t.ok('mutation { deleteTwin(id: "w-d1", cascade: true) { id deleted } }');
    expect(data.deleteTwin).toEqual({ id: 'w-d1', deleted: true });
    const after = await t.ok('{ twin(id: "w-d1") { id } yard: twin(id: "w-a1") { relationships { id } } }');
    expect(after).toEqual({ twin: null, yard: { relationships: [] } });
  });
});

describe('relationships', () => {
  beforeAll(async () => {
    await t.ok('mutation { createClient(id: "r-c", input: { name: "Rel" }) { id } }');
    await t.ok('mutation { createEngagement(id: "r-g", input: { title: "Rel work" }) { id } }');
  });

  it('createRelationship returns the relationship with its ETag and a default id', async () => {
    const data = await t.ok(
      'mutation { createRelationship(sourceId: "r-c", name: "hasEngagement", targetId: "r-g", properties: { since: "2024-03-01" }) { id name sourceId targetId etag properties json } }',
    );
    expect(data.createRelationship).toEqual({
      id: 'r-c/relationships/r-c-hasEngagement-r-g',
      name: 'hasEngagement',
      sourceId: 'r-c',
      targetId: 'r-g',
      etag: expect.stringMatching(ETAG),
      properties: { since: '2024-03-01' },
      json: expect.objectContaining({
        $relationshipId: 'r-c-hasEngagement-r-g',
        $sourceId: 'r-c',
        $targetId: 'r-g',
        $relationshipName: 'hasEngagement',
        since: '2024-03-01',
      }),
    });
    const read = await t.ok(
      '{ relationship(sourceId: "r-c", id: "r-c-hasEngagement-r-g") { etag target { id } source { id } } }',
    );
    expect(read.relationship).toEqual({
      etag: data.createRelationship.etag,
      target: { id: 'r-g' },
      source: { id: 'r-c' },
    });
  });

  it('updateRelationship patches its properties and returns the new ETag', async () => {
    const before = await t.ok('{ relationship(sourceId: "r-c", id: "r-c-hasEngagement-r-g") { etag } }');
    const data = await t.ok(
      'mutation ($etag: String) { updateRelationship(sourceId: "r-c", id: "r-c-hasEngagement-r-g", ifMatch: $etag, patch: [{ op: replace, path: "/since", value: "2024-04-01" }]) { etag properties } }',
      {
        etag: before.relationship.etag,
      },
    );
    expect(data.updateRelationship.properties).toEqual({ since: '2024-04-01' });
    expect(data.updateRelationship.etag).not.toBe(before.relationship.etag);
  });

  it('fifty concurrent updates of one relationship without ifMatch all succeed; an invalid one is still refused', async () => {
    const days = Array.from({ length: 50 }, (_, i) => `2024-05-${String((i % 28) + 1).padStart(2, '0')}`);
    const answers = await Promise.all(
      days.map((day) =>
        t.ok(
          `mutation { updateRelationship(sourceId: "r-c", id: "r-c-hasEngagement-r-g", patch: [{ op: replace, path: "/since", value: "${day}" }]) { etag } }`,
        ),
      ),
    );
    expect(new Set(answers.map((a) => a.updateRelationship.etag)).size).toBe(50);
    const [error] = await t.fails(
      'mutation { updateRelationship(sourceId: "r-c", id: "r-c-hasEngagement-r-g", patch: [{ op: replace, path: "/since", value: "not a date" }]) { etag } }',
    );
    expect(error.extensions).toMatchObject({ code: 'ValidationFailed', twinId: 'r-c' });
  });

  it('deleteRelationship removes it', async () => {
    const data = await t.ok(
      'mutation { deleteRelationship(sourceId: "r-c", id: "r-c-hasEngagement-r-g") { id deleted } }',
    );
    expect(data.deleteRelationship).toEqual({ id: 'r-c/relationships/r-c-hasEngagement-r-g', deleted: true });
    expect(
      (await t.ok('{ relationship(sourceId: "r-c", id: "r-c-hasEngagement-r-g") { id } }')).relationship,
    ).toBeNull();
  });
});

describe('telemetry', () => {
  beforeAll(async () => {
    await t.ok('mutation { createDevice(id: "t-d", input: { deviceType: "chiller" }) { id } }');
  });

  it("recordMetrics stores points that the twin's telemetry field reads: latest, points and windowed aggregates", async () => {
    const recorded = await t.ok(`mutation { recordMetrics(points: [
      { twinId: "t-d", name: "temperature", time: "2024-05-01T10:00:00Z", value: 20 },
      { twinId: "t-d", name: "temperature", time: "2024-05-01T10:30:00Z", value: 22 },
      { twinId: "t-d", name: "temperature", time: "2024-05-01T11:15:00Z", value: 25 },
      { twinId: "t-d", name: "temperature", time: "2024-05-01T12:45:00Z", value: 19 },
      { twinId: "t-d", name: "vibration", time: "2024-05-01T10:00:00Z", value: 0.5 }
    ]) }`);
    expect(recorded.recordMetrics).toBe(5);

    const data = await t.ok(`{
      twin(id: "t-d") {
        ... on Device {
          temperature {
            name unit
            latest { time value }
            points(from: "2024-05-01T10:00:00Z", to: "2024-05-01T12:00:00Z") { time value }
            newest: points(last: 2) { value }
            aggregate(from: "2024-05-01T10:00:00Z", to: "2024-05-01T13:00:00Z", window: "PT1H") { start count min max avg sum last }
            whole: aggregate(from: "2024-05-01T00:00:00Z", to: "2024-05-02T00:00:00Z") { count min max }
          }
          vibration { unit latest { value } }
          utilisation { latest { value } }
        }
      }
    }`);
    expect(data.twin.temperature).toEqual({
      name: 'temperature',
      unit: 'degreeCelsius',
      latest: { time: '2024-05-01T12:45:00.000Z', value: 19 },
      points: [
        { time: '2024-05-01T10:00:00.000Z', value: 20 },
        { time: '2024-05-01T10:30:00.000Z', value: 22 },
        { time: '2024-05-01T11:15:00.000Z', value: 25 },
      ],
      newest: [{ value: 25 }, { value: 19 }],
      aggregate: [
        { start: '2024-05-01T10:00:00.000Z', count: 2, min: 20, max: 22, avg: 21, sum: 42, last: 22 },
        { start: '2024-05-01T11:00:00.000Z', count: 1, min: 25, max: 25, avg: 25, sum: 25, last: 25 },
        { start: '2024-05-01T12:00:00.000Z', count: 1, min: 19, max: 19, avg: 19, sum: 19, last: 19 },
      ],
      whole: [{ count: 4, min: 19, max: 25 }],
    });
    expect(data.twin.vibration).toEqual({ unit: 'centimetrePerSecond', latest: { value: 0.5 } });
    expect(data.twin.utilisation).toEqual({ latest: null });
  });
});

describe('commands', () => {
  it('rebootOnDevice records a CommandInvocation that a Command.Invoke subscriber receives', async () => {
    await t.ok('mutation { createDevice(id: "cmd-d", input: { deviceType: "router" }) { id } }');
    const received = await t.subscribe(
      'subscription { changed(types: [COMMAND_INVOKE]) { seq type subject twinId body } }',
    );
    const data = await t.ok(
      'mutation { rebootOnDevice(id: "cmd-d", delaySeconds: 30) { seq twinId command request time } }',
    );
    expect(data.rebootOnDevice).toEqual({
      seq: expect.any(Number),
      twinId: 'cmd-d',
      command: 'reboot',
      request: 30,
      time: expect.stringMatching(/Z$/),
    });
    const selfTest = await t.ok('mutation { runSelfTestOnDevice(id: "cmd-d") { seq command request } }');
    expect(selfTest.runSelfTestOnDevice).toEqual({
      seq: data.rebootOnDevice.seq + 1,
      command: 'runSelfTest',
      request: null,
    });

    const [reboot, test] = await received.waitFor(2);
    expect(reboot).toMatchObject({
      seq: data.rebootOnDevice.seq,
      type: 'COMMAND_INVOKE',
      subject: 'cmd-d',
      twinId: 'cmd-d',
    });
    expect(JSON.stringify(reboot.body)).toContain('reboot');
    expect(test).toMatchObject({ seq: selfTest.runSelfTestOnDevice.seq, type: 'COMMAND_INVOKE', twinId: 'cmd-d' });
    received.stop();
  });

  it('refuses a command on a twin whose model does not have it', async () => {
    await t.ok('mutation { createAsset(id: "cmd-a", input: { name: "not a device" }) { id } }');
    const [error] = await t.fails('mutation { rebootOnDevice(id: "cmd-a", delaySeconds: 1) { seq } }');
    expect(error.extensions).toMatchObject({ code: 'InvalidArgument', twinId: 'cmd-a' });
  });
});

describe('a stale ifMatch is refused and changes nothing', () => {
  let staleTwin: string;
  let staleRelationship: string;

  beforeAll(async () => {
    const created = await t.ok(
      'mutation { createDevice(id: "s-d", input: { deviceType: "v1", capacity: 1 }) { etag } }',
    );
    staleTwin = created.createDevice.etag;
    await t.ok('mutation { updateDevice(id: "s-d", input: { deviceType: "v2" }) { etag } }');
    await t.ok('mutation { createAsset(id: "s-a", input: { name: "Stale" }) { id } }');
    const rel = await t.ok(
      'mutation { createRelationship(sourceId: "s-a", id: "s-r", name: "hosts", targetId: "s-d") { etag } }',
    );
    staleRelationship = rel.createRelationship.etag;
    await t.ok('mutation { createRelationship(sourceId: "s-a", id: "s-r", name: "hosts", targetId: "s-d") { etag } }');
  });

  async function state(): Promise<unknown> {
    return t.ok('{ twin(id: "s-d") { etag json } relationship(sourceId: "s-a", id: "s-r") { etag json } }');
  }

  it.each([
    [
      'updateDevice',
      'mutation ($etag: String) { updateDevice(id: "s-d", input: { deviceType: "v3" }, ifMatch: $etag) { etag } }',
    ],
    [
      'updateDevice that would change nothing',
      'mutation ($etag: String) { updateDevice(id: "s-d", input: {}, ifMatch: $etag) { etag } }',
    ],
    [
      'patchTwin',
      'mutation ($etag: String) { patchTwin(id: "s-d", patch: [{ op: replace, path: "/deviceType", value: "v3" }], ifMatch: $etag) { etag } }',
    ],
    [
      'updateComponent',
      'mutation ($etag: String) { updateComponent(id: "s-d", component: "diagnostics", patch: [{ op: add, path: "/errorCount", value: 1 }], ifMatch: $etag) { etag } }',
    ],
    ['deleteTwin', 'mutation ($etag: String) { deleteTwin(id: "s-d", ifMatch: $etag, cascade: true) { deleted } }'],
  ])('%s', async (_label, mutation) => {
    const before = await state();
    const seq = await t.latestSeq();
    const [error] = await t.fails(mutation, { etag: staleTwin });
    expect(error.extensions).toMatchObject({ code: 'PreconditionFailed', twinId: 's-d' });
    expect(error.message).toMatch(/ETag/);
    expect(await state()).toEqual(before);
    expect(await changesAfter(seq)).toEqual([]);
  });

  it.each([
    [
      'updateRelationship',
      'mutation ($etag: String) { updateRelationship(sourceId: "s-a", id: "s-r", patch: [{ op: add, path: "/since", value: "x" }], ifMatch: $etag) { etag } }',
    ],
    [
      'deleteRelationship',
      'mutation ($etag: String) { deleteRelationship(sourceId: "s-a", id: "s-r", ifMatch: $etag) { deleted } }',
    ],
  ])('%s', async (_label, mutation) => {
    const before = await state();
    const seq = await t.latestSeq();
    const [error] = await t.fails(mutation, { etag: staleRelationship });
    expect(error.extensions).toMatchObject({ code: 'PreconditionFailed', twinId: 's-a', relationshipId: 's-r' });
    expect(await state()).toEqual(before);
    expect(await changesAfter(seq)).toEqual([]);
  });

  it('the current ETag is accepted, and the change log shows the write', async () => {
    const current = await t.ok('{ twin(id: "s-d") { etag } }');
    const seq = await t.latestSeq();
    const data = await t.ok(
      'mutation ($etag: String) { updateDevice(id: "s-d", input: { deviceType: "v3" }, ifMatch: $etag) { deviceType } }',
      { etag: current.twin.etag },
    );
    expect(data.updateDevice.deviceType).toBe('v3');
    expect(await changesAfter(seq)).toEqual([{ seq: seq + 1, type: 'TWIN_UPDATE', subject: 's-d' }]);
  });
});
