/**
 * The test ADT server (test/support/adt-server.ts), specified through the REAL `@azure/digital-twins-core`
 * 1.1.0 SDK as production builds it (src/mirror/client.ts `createSdkClient`, src/mirror/adt.ts `sdkAdt`):
 * what it answers must be what ../shared/reference/ADT.md says Azure Digital Twins answers — status codes,
 * `x-ms-error-code` and `{"error":{"code","message"}}` bodies, weak ETags, If-Match / If-None-Match, paging by
 * nextLink and continuation token — plus its own extras: seeded faults, a per-twin write limit and a request
 * log. The raw DigitalTwinsClient is used where the port has no say (ETag options, page sizes).
 */
import type { RestError } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { sdkAdt, toAdtError, type Adt, type AdtError } from '../../src/mirror/adt';
import { createSdkClient } from '../../src/mirror/client';
import type { JsonObject } from '../../src/store/types';
import { startAdtServer, type AdtServer, type AdtServerOptions } from '../support/adt-server';

// ---------------------------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------------------------

const CONTEXT = 'dtmi:dtdl:context;3';
const BASE: JsonObject = {
  '@id': 'dtmi:t:Base;1',
  '@type': 'Interface',
  '@context': CONTEXT,
  displayName: 'Base',
  contents: [{ '@type': 'Property', name: 'name', schema: 'string' }],
};
const THERMOSTAT: JsonObject = {
  '@id': 'dtmi:t:Thermostat;1',
  '@type': 'Interface',
  '@context': CONTEXT,
  contents: [{ '@type': 'Property', name: 'setpoint', schema: 'double' }],
};
const ROOM: JsonObject = {
  '@id': 'dtmi:t:Room;1',
  '@type': 'Interface',
  '@context': CONTEXT,
  extends: 'dtmi:t:Base;1',
  displayName: { en: 'Room', nl: 'Kamer' },
  contents: [
    { '@type': 'Property', name: 'temp', schema: 'double' },
    {
      '@type': 'Property',
      name: 'tags',
      schema: { '@type': 'Map', mapKey: { name: 'k', schema: 'string' }, mapValue: { name: 'v', schema: 'string' } },
    },
    { '@type': 'Component', name: 'thermostat', schema: 'dtmi:t:Thermostat;1' },
    { '@type': 'Relationship', name: 'adjoins', target: 'dtmi:t:Room;1' },
  ],
};
const MODELS = [BASE, THERMOSTAT, ROOM];

const WEAK_ETAG = /^W\/"[0-9a-f-]{36}"$/;

interface Harness {
  server: AdtServer;
  /** The raw SDK client (its retry policies taken out by sdkAdt). */
  client: DigitalTwinsClient;
  adt: Adt;
}

/** One server per describe: started in beforeAll, stopped in afterAll. */
function harness(options: AdtServerOptions = {}): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.server = await startAdtServer(options);
    h.client = createSdkClient(h.server.url).client;
    h.adt = sdkAdt(h.client);
  });
  afterAll(async () => {
    await h.server.stop();
  });
  return h;
}

/** The RestError a call fails with (the test fails if it succeeds). */
async function rejection(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (error) {
    return error as RestError;
  }
  throw new Error('expected the call to fail');
}

/** The call's failure as the mirror sees it. */
async function failure(p: Promise<unknown>): Promise<AdtError> {
  return toAdtError(await rejection(p));
}

/** ADT's error envelope: status, `x-ms-error-code` header and `{"error":{"code","message"}}` body agree. */
async function adtError(p: Promise<unknown>, status: number, code: string): Promise<string> {
  const e = await rejection(p);
  expect({ status: e.statusCode, code: e.code }).toEqual({ status, code });
  expect(e.response?.headers.get('x-ms-error-code')).toBe(code);
  expect(e.response?.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = JSON.parse(e.response?.bodyAsText ?? 'null') as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.message;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const twin = (model: string, props: JsonObject = {}): JsonObject => ({ $metadata: { $model: model }, ...props });

const ops = (server: AdtServer, op: string): number => server.requests.filter((r) => r.op === op).length;

// ---------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------

describe('models', () => {
  const h = harness();

  it('uploads a batch (POST /models → 201 with the model data) whose models may refer to each other', async () => {
    const r = await h.client.createModels(MODELS);
    expect(r._response.status).toBe(201);
    expect(r.map((m) => m.id)).toEqual(['dtmi:t:Base;1', 'dtmi:t:Thermostat;1', 'dtmi:t:Room;1']);
    expect(r[2]).toMatchObject({
      id: 'dtmi:t:Room;1',
      decommissioned: false,
      displayName: { en: 'Room', nl: 'Kamer' },
    });
    expect(r[0].displayName).toEqual({ en: 'Base' });
    expect(r[0].uploadTime).toBeInstanceOf(Date); // the SDK parses ADT's timestamp
    expect(r[0].model).toBeUndefined();
    expect(h.server.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/models',
      op: 'models.add',
      write: true,
      status: 201,
    });
  });

  it('uploads a single model that refers to already uploaded ones', async () => {
    const office = { '@id': 'dtmi:t:Office;1', '@type': 'Interface', '@context': CONTEXT, extends: 'dtmi:t:Room;1' };
    await h.adt.createModels([office]);
    expect(await h.adt.getModel('dtmi:t:Office;1')).toEqual({
      id: 'dtmi:t:Office;1',
      decommissioned: false,
      model: office,
    });
    expect(h.server.state.models.get('dtmi:t:Office;1')?.model).toEqual(office);
  });

  it('gets and lists models, the list across pages (nextLink) when a page size is asked for', async () => {
    expect(await h.adt.getModel('dtmi:t:Nope;1')).toBeUndefined();
    const message = await adtError(h.client.getModel('dtmi:t:Nope;1'), 404, 'ModelNotFound');
    expect(message).toContain('There is no Model(s) available that matches the provided id(s) dtmi:t:Nope;1');

    const listed = await all(h.adt.listModels({ includeDefinition: true }));
    expect(listed.map((m) => m.id).sort()).toEqual([
      'dtmi:t:Base;1',
      'dtmi:t:Office;1',
      'dtmi:t:Room;1',
      'dtmi:t:Thermostat;1',
    ]);
    expect(listed.find((m) => m.id === 'dtmi:t:Room;1')?.model).toEqual(ROOM);

    h.server.requests.length = 0;
    const pages = await all(h.client.listModels(undefined, false, undefined).byPage({ maxPageSize: 3 }));
    expect(pages.map((p) => p.value?.length)).toEqual([3, 1]);
    expect(ops(h.server, 'models.list')).toBe(2);
  });

  it('refuses to upload a model again: 409 ModelAlreadyExists, nothing changed', async () => {
    const before = h.server.state.snapshot();
    await adtError(h.client.createModels([BASE]), 409, 'ModelAlreadyExists');
    // One existing model in a batch refuses the whole batch.
    const fresh = { '@id': 'dtmi:t:Fresh;1', '@type': 'Interface', '@context': CONTEXT };
    await adtError(h.client.createModels([fresh, THERMOSTAT]), 409, 'ModelAlreadyExists');
    expect(h.server.state.snapshot()).toEqual(before);
  });

  it('refuses models that refer to models neither uploaded nor in the batch, and invalid DTDL: 400 DTDLParserError', async () => {
    const before = h.server.state.snapshot();
    const orphan = { '@id': 'dtmi:t:Orphan;1', '@type': 'Interface', '@context': CONTEXT, extends: 'dtmi:t:Missing;1' };
    const message = await adtError(h.client.createModels([orphan]), 400, 'DTDLParserError');
    expect(message).toContain('dtmi:t:Missing;1');
    const viaComponent = {
      '@id': 'dtmi:t:Orphan;1',
      '@type': 'Interface',
      '@context': CONTEXT,
      contents: [{ '@type': 'Component', name: 'c', schema: 'dtmi:t:Missing;1' }],
    };
    await adtError(h.client.createModels([viaComponent]), 400, 'DTDLParserError');
    await adtError(h.client.createModels([{ '@id': 'dtmi:t:Orphan;1', '@type': 'Telemetry' }]), 400, 'DTDLParserError');
    await adtError(h.client.createModels([{ '@type': 'Interface' }]), 400, 'DTDLParserError');
    expect(h.server.state.snapshot()).toEqual(before);
    // What the mirror sees.
    expect(await failure(h.adt.createModels([orphan]))).toMatchObject({
      status: 400,
      code: 'DTDLParserError',
      retryAfterMs: undefined,
    });
  });

  it('decommissions a model (PATCH /models/{id} → 204): no new twins of it, existing twins unaffected', async () => {
    await h.adt.putTwin('office-1', twin('dtmi:t:Office;1', { temp: 20 }));
    const r = await h.client.decomissionModel('dtmi:t:Office;1');
    expect(r._response.status).toBe(204);
    expect(await h.adt.getModel('dtmi:t:Office;1')).toMatchObject({ decommissioned: true });
    expect(h.server.requests.at(-2)).toMatchObject({
      method: 'PATCH',
      path: '/models/dtmi:t:Office;1',
      op: 'models.decommission',
    });
    await adtError(
      h.client.upsertDigitalTwin('office-2', JSON.stringify(twin('dtmi:t:Office;1'))),
      400,
      'ModelDecommissioned',
    );
    await h.adt.patchTwin('office-1', [{ op: 'replace', path: '/temp', value: 21 }]);
    expect(h.server.state.twins.get('office-1')?.temp).toBe(21);
    await adtError(h.client.decomissionModel('dtmi:t:Nope;1'), 404, 'ModelNotFound');
  });

  it('refuses to delete a model other models extend or use as a component: 409 ModelReferencesNotDeleted', async () => {
    const message = await adtError(h.client.deleteModel('dtmi:t:Base;1'), 409, 'ModelReferencesNotDeleted');
    expect(message).toContain('dtmi:t:Room;1');
    await adtError(h.client.deleteModel('dtmi:t:Thermostat;1'), 409, 'ModelReferencesNotDeleted');
    await adtError(h.client.deleteModel('dtmi:t:Room;1'), 409, 'ModelReferencesNotDeleted'); // Office extends it
    expect([...h.server.state.models.keys()].sort()).toEqual([
      'dtmi:t:Base;1',
      'dtmi:t:Office;1',
      'dtmi:t:Room;1',
      'dtmi:t:Thermostat;1',
    ]);
  });

  it('deletes a model (204) even while twins use it; such twins can be read and deleted, not updated', async () => {
    const r = await h.client.deleteModel('dtmi:t:Office;1');
    expect(r._response.status).toBe(204);
    expect(h.server.state.models.has('dtmi:t:Office;1')).toBe(false);
    await adtError(h.client.deleteModel('dtmi:t:Office;1'), 404, 'ModelNotFound');
    expect(await h.adt.getTwin('office-1')).toMatchObject({ $dtId: 'office-1', temp: 21 });
    expect(await failure(h.adt.patchTwin('office-1', [{ op: 'replace', path: '/temp', value: 22 }]))).toMatchObject({
      status: 400,
      code: 'ValidationFailed',
    });
    await h.adt.deleteTwin('office-1');
    expect(h.server.state.twins.size).toBe(0);
    // Dependents first, then what they depended on.
    await h.adt.deleteModel('dtmi:t:Room;1');
    await h.adt.deleteModel('dtmi:t:Base;1');
    await h.adt.deleteModel('dtmi:t:Thermostat;1');
    expect(h.server.state.models.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Twins
// ---------------------------------------------------------------------------------------------------------

describe('twins', () => {
  const h = harness();
  beforeAll(async () => {
    await h.adt.createModels(MODELS);
  });

  it('PUT creates a twin: 200, ADT-shaped body ($dtId, weak $etag, $metadata with times), ETag header', async () => {
    const r = await h.client.upsertDigitalTwin(
      'room 1',
      JSON.stringify({
        $dtId: 'ignored',
        ...twin('dtmi:t:Room;1', { temp: 20, name: 'R1', thermostat: { $metadata: {}, setpoint: 19 } }),
      }),
    );
    expect(r._response.status).toBe(200);
    expect(r.etag).toMatch(WEAK_ETAG);
    const body = r.body as JsonObject;
    expect(body).toMatchObject({ $dtId: 'room 1', $etag: r.etag, temp: 20, name: 'R1', thermostat: { setpoint: 19 } });
    const meta = body.$metadata as JsonObject;
    expect(meta.$model).toBe('dtmi:t:Room;1');
    expect(meta.$lastUpdateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(meta.temp).toEqual({ lastUpdateTime: meta.$lastUpdateTime });
    expect((body.thermostat as JsonObject).$metadata).toEqual({
      $lastUpdateTime: meta.$lastUpdateTime,
      setpoint: { lastUpdateTime: meta.$lastUpdateTime },
    });
    // $dtId comes from the path (URL-encoded by the SDK, decoded in the log).
    expect(h.server.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/digitaltwins/room 1',
      op: 'twins.put',
      twinIds: ['room 1'],
      status: 200,
    });
    const got = await h.client.getDigitalTwin('room 1');
    expect(got.etag).toBe(r.etag);
    expect(got.body).toEqual(body);
    expect(h.server.state.twins.get('room 1')).toEqual(body);
  });

  it('PUT replaces the whole twin, with a new ETag', async () => {
    const before = h.server.state.twins.get('room 1')!;
    await h.adt.putTwin('room 1', twin('dtmi:t:Room;1', { temp: 23 }));
    const after = (await h.adt.getTwin('room 1'))!;
    expect(after).toMatchObject({ $dtId: 'room 1', temp: 23 });
    expect(after).not.toHaveProperty('name');
    expect(after).not.toHaveProperty('thermostat');
    expect(after.$etag).toMatch(WEAK_ETAG);
    expect(after.$etag).not.toBe(before.$etag);
  });

  it('refuses a twin of a model that is not uploaded (400 ValidationFailed) or without a model', async () => {
    await adtError(h.client.upsertDigitalTwin('ghost', JSON.stringify(twin('dtmi:t:Nope;1'))), 400, 'ValidationFailed');
    await adtError(h.client.upsertDigitalTwin('ghost', JSON.stringify({ temp: 1 })), 400, 'ValidationFailed');
    expect(h.server.state.twins.has('ghost')).toBe(false);
  });

  it('If-None-Match: * creates only: 412 PreconditionFailed on an existing twin; other values 400 InvalidArgument', async () => {
    const r = await h.client.upsertDigitalTwin('room-2', JSON.stringify(twin('dtmi:t:Room;1', { temp: 1 })), {
      ifNoneMatch: '*',
    });
    expect(r._response.status).toBe(200);
    const before = h.server.state.snapshot();
    const message = await adtError(
      h.client.upsertDigitalTwin('room-2', JSON.stringify(twin('dtmi:t:Room;1', { temp: 2 })), { ifNoneMatch: '*' }),
      412,
      'PreconditionFailed',
    );
    expect(message).toBe(
      'If-None-Match: * header was specified but a twin with the id room-2 was found. Please specify a different twin id.',
    );
    const invalid = await adtError(
      h.client.upsertDigitalTwin('room-2', JSON.stringify(twin('dtmi:t:Room;1')), { ifNoneMatch: r.etag! }),
      400,
      'InvalidArgument',
    );
    expect(invalid).toBe('Invalid If-None-Match header value. Allowed value(s): If-None-Match: *');
    expect(h.server.state.snapshot()).toEqual(before);
  });

  it('PATCH applies add / replace / remove (204 + new ETag) and keeps $metadata in step', async () => {
    const etag0 = h.server.state.twins.get('room-2')!.$etag;
    const r = await h.client.updateDigitalTwin('room-2', [
      { op: 'add', path: '/name', value: 'Two' },
      { op: 'replace', path: '/temp', value: 5 },
      { op: 'add', path: '/tags', value: { a: 'x' } },
      { op: 'add', path: '/tags/b', value: 'y' },
    ]);
    expect(r._response.status).toBe(204);
    expect(r.etag).toMatch(WEAK_ETAG);
    expect(r.etag).not.toBe(etag0);
    let t = (await h.adt.getTwin('room-2'))!;
    expect(t).toMatchObject({ $etag: r.etag, name: 'Two', temp: 5, tags: { a: 'x', b: 'y' } });
    expect(Object.keys(t.$metadata as JsonObject)).toEqual(
      expect.arrayContaining(['$model', '$lastUpdateTime', 'name', 'temp', 'tags']),
    );

    await h.adt.patchTwin('room-2', [
      { op: 'remove', path: '/name' },
      { op: 'remove', path: '/tags/a' },
    ]);
    t = (await h.adt.getTwin('room-2'))!;
    expect(t).not.toHaveProperty('name');
    expect(t.$metadata).not.toHaveProperty('name');
    expect(t.tags).toEqual({ b: 'y' });
    expect(t.$etag).not.toBe(r.etag);
  });

  it('PATCH with an invalid path or operation: 400 JsonPatchInvalid, nothing changed', async () => {
    const before = h.server.state.snapshot();
    await adtError(
      h.client.updateDigitalTwin('room-2', [{ op: 'replace', path: '/missing', value: 1 }]),
      400,
      'JsonPatchInvalid',
    );
    await adtError(h.client.updateDigitalTwin('room-2', [{ op: 'remove', path: '/missing' }]), 400, 'JsonPatchInvalid');
    await adtError(
      h.client.updateDigitalTwin('room-2', [{ op: 'add', path: '/no/such/parent', value: 1 }]),
      400,
      'JsonPatchInvalid',
    );
    await adtError(
      h.client.updateDigitalTwin('room-2', [{ op: 'add', path: 'temp', value: 1 }]),
      400,
      'JsonPatchInvalid',
    );
    await adtError(
      h.client.updateDigitalTwin('room-2', [{ op: 'move', from: '/temp', path: '/t2' }]),
      400,
      'JsonPatchInvalid',
    );
    await adtError(
      h.client.updateDigitalTwin('room-2', [{ op: 'replace', path: '/$dtId', value: 'x' }]),
      400,
      'JsonPatchInvalid',
    );
    // A valid op before an invalid one is not applied either.
    await adtError(
      h.client.updateDigitalTwin('room-2', [
        { op: 'replace', path: '/temp', value: 99 },
        { op: 'remove', path: '/missing' },
      ]),
      400,
      'JsonPatchInvalid',
    );
    expect(await failure(h.adt.patchTwin('room-2', [{ op: 'remove', path: '/missing' }]))).toMatchObject({
      status: 400,
      code: 'JsonPatchInvalid',
    });
    expect(h.server.state.snapshot()).toEqual(before);
  });

  it('stale If-Match: 412 PreconditionFailed and nothing changed; the current ETag or * goes through', async () => {
    const stale = h.server.state.twins.get('room-2')!.$etag as string;
    await h.adt.patchTwin('room-2', [{ op: 'replace', path: '/temp', value: 6 }]);
    const current = h.server.state.twins.get('room-2')!.$etag as string;
    const before = h.server.state.snapshot();
    await adtError(
      h.client.updateDigitalTwin('room-2', [{ op: 'replace', path: '/temp', value: 7 }], { ifMatch: stale }),
      412,
      'PreconditionFailed',
    );
    await adtError(h.client.deleteDigitalTwin('room-2', { ifMatch: stale }), 412, 'PreconditionFailed');
    expect(h.server.state.snapshot()).toEqual(before);
    const r = await h.client.updateDigitalTwin('room-2', [{ op: 'replace', path: '/temp', value: 7 }], {
      ifMatch: current,
    });
    await h.client.updateDigitalTwin('room-2', [{ op: 'replace', path: '/temp', value: 8 }], { ifMatch: '*' });
    expect(h.server.state.twins.get('room-2')).toMatchObject({ temp: 8 });
    expect(h.server.state.twins.get('room-2')!.$etag).not.toBe(r.etag);
  });

  it('DELETE (204); 404 DigitalTwinNotFound for a missing twin on every twin operation', async () => {
    const r = await h.client.deleteDigitalTwin('room-2');
    expect(r._response.status).toBe(204);
    expect(h.server.state.twins.has('room-2')).toBe(false);
    const message = await adtError(h.client.getDigitalTwin('room-2'), 404, 'DigitalTwinNotFound');
    expect(message).toBe(
      'There is no digital twin instance that exists with the ID room-2. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins http://aka.ms/adtv2query.',
    );
    await adtError(
      h.client.updateDigitalTwin('room-2', [{ op: 'add', path: '/temp', value: 1 }]),
      404,
      'DigitalTwinNotFound',
    );
    await adtError(h.client.deleteDigitalTwin('room-2'), 404, 'DigitalTwinNotFound');
    expect(await h.adt.getTwin('room-2')).toBeUndefined();
    expect(await failure(h.adt.deleteTwin('room-2'))).toMatchObject({
      status: 404,
      code: 'DigitalTwinNotFound',
      network: false,
    });
  });

  it('refuses to delete a twin with outgoing or incoming relationships: 400 RelationshipsNotDeleted', async () => {
    await h.adt.putTwin('a', twin('dtmi:t:Room;1'));
    await h.adt.putTwin('b', twin('dtmi:t:Room;1'));
    await h.adt.putRelationship('a', 'a-b', { $targetId: 'b', $relationshipName: 'adjoins' });
    const message = await adtError(h.client.deleteDigitalTwin('a'), 400, 'RelationshipsNotDeleted');
    expect(message).toMatch(
      /^Twin a has active relationships\. Cannot delete a twin unless all the relationships are deleted\./,
    );
    await adtError(h.client.deleteDigitalTwin('b'), 400, 'RelationshipsNotDeleted'); // incoming only
    expect([...h.server.state.twins.keys()]).toEqual(expect.arrayContaining(['a', 'b']));
    await h.adt.deleteRelationship('a', 'a-b');
    await h.adt.deleteTwin('b');
    await h.adt.deleteTwin('a');
  });

  it('refuses a request body over 32 KB: 400 InvalidArgument', async () => {
    await adtError(
      h.client.upsertDigitalTwin('big', JSON.stringify(twin('dtmi:t:Room;1', { name: 'x'.repeat(33 * 1024) }))),
      400,
      'InvalidArgument',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Relationships
// ---------------------------------------------------------------------------------------------------------

describe('relationships', () => {
  const h = harness({ relationshipPageSize: 2 });
  beforeAll(async () => {
    await h.adt.createModels(MODELS);
    for (const id of ['hub', 't1', 't2', 't3', 't4', 't5']) await h.adt.putTwin(id, twin('dtmi:t:Room;1'));
  });

  it('PUT creates a relationship: 200, ADT-shaped body with a weak $etag, ETag header', async () => {
    const r = await h.client.upsertRelationship('hub', 'hub-t1', {
      $relationshipId: 'hub-t1',
      $sourceId: 'hub',
      $targetId: 't1',
      $relationshipName: 'adjoins',
      since: 2020,
    });
    expect(r._response.status).toBe(200);
    expect(r.etag).toMatch(WEAK_ETAG);
    expect(r.body).toEqual({
      $relationshipId: 'hub-t1',
      $etag: r.etag,
      $sourceId: 'hub',
      $relationshipName: 'adjoins',
      $targetId: 't1',
      since: 2020,
    });
    const got = await h.client.getRelationship('hub', 'hub-t1');
    expect(got.etag).toBe(r.etag);
    expect(got.body).toEqual(r.body);
    expect(h.server.state.relationships.get('hub')?.get('hub-t1')).toEqual(r.body);
    expect(await h.adt.getRelationship('hub', 'nope')).toBeUndefined();
    await adtError(h.client.getRelationship('hub', 'nope'), 404, 'RelationshipNotFound');
  });

  it('PUT replaces (new ETag); If-None-Match: * on an existing relationship gives 412', async () => {
    const before = h.server.state.relationships.get('hub')!.get('hub-t1')!;
    await h.adt.putRelationship('hub', 'hub-t1', { $targetId: 't1', $relationshipName: 'adjoins', since: 2021 });
    const after = h.server.state.relationships.get('hub')!.get('hub-t1')!;
    expect(after).toMatchObject({ since: 2021 });
    expect(after.$etag).not.toBe(before.$etag);
    await adtError(
      h.client.upsertRelationship(
        'hub',
        'hub-t1',
        { $targetId: 't1', $relationshipName: 'adjoins' },
        { ifNoneMatch: '*' },
      ),
      412,
      'PreconditionFailed',
    );
    const r = await h.client.upsertRelationship(
      'hub',
      'hub-t2',
      { $targetId: 't2', $relationshipName: 'adjoins' },
      { ifNoneMatch: '*' },
    );
    expect(r._response.status).toBe(200);
  });

  it('refuses a missing target (404 TargetTwinNotFound), a missing source (404 DigitalTwinNotFound) and a self-relationship (400 OperationNotAllowed)', async () => {
    const before = h.server.state.snapshot();
    const message = await adtError(
      h.client.upsertRelationship('hub', 'hub-x', { $targetId: 'nope', $relationshipName: 'adjoins' }),
      404,
      'TargetTwinNotFound',
    );
    expect(message).toMatch(
      /^The target digital twin is invalid or does not exist\. Please validate that the target twin is valid and ensure that the target twin is not deleted\./,
    );
    await adtError(
      h.client.upsertRelationship('nope', 'x-hub', { $targetId: 'hub', $relationshipName: 'adjoins' }),
      404,
      'DigitalTwinNotFound',
    );
    await adtError(
      h.client.upsertRelationship('hub', 'hub-hub', { $targetId: 'hub', $relationshipName: 'adjoins' }),
      400,
      'OperationNotAllowed',
    );
    await adtError(
      h.client.upsertRelationship('hub', 'hub-x', { $relationshipName: 'adjoins' }),
      400,
      'InvalidArgument',
    );
    expect(h.server.state.snapshot()).toEqual(before);
    expect(
      await failure(h.adt.putRelationship('hub', 'hub-x', { $targetId: 'nope', $relationshipName: 'adjoins' })),
    ).toMatchObject({ status: 404, code: 'TargetTwinNotFound' });
  });

  it('PATCH updates properties (204 + new ETag); stale If-Match 412; invalid path JsonPatchInvalid; missing 404 RelationshipNotFound', async () => {
    const stale = h.server.state.relationships.get('hub')!.get('hub-t1')!.$etag as string;
    const r = await h.client.updateRelationship('hub', 'hub-t1', [
      { op: 'replace', path: '/since', value: 2022 },
      { op: 'add', path: '/note', value: 'n' },
    ]);
    expect(r._response.status).toBe(204);
    expect(r.etag).toMatch(WEAK_ETAG);
    expect(r.etag).not.toBe(stale);
    expect(h.server.state.relationships.get('hub')!.get('hub-t1')).toMatchObject({
      since: 2022,
      note: 'n',
      $etag: r.etag,
    });
    await h.adt.patchRelationship('hub', 'hub-t1', [{ op: 'remove', path: '/note' }]);
    const before = h.server.state.snapshot();
    await adtError(
      h.client.updateRelationship('hub', 'hub-t1', [{ op: 'replace', path: '/since', value: 1 }], { ifMatch: stale }),
      412,
      'PreconditionFailed',
    );
    await adtError(
      h.client.updateRelationship('hub', 'hub-t1', [{ op: 'replace', path: '/nope', value: 1 }]),
      400,
      'JsonPatchInvalid',
    );
    await adtError(
      h.client.updateRelationship('hub', 'nope', [{ op: 'add', path: '/since', value: 1 }]),
      404,
      'RelationshipNotFound',
    );
    expect(h.server.state.snapshot()).toEqual(before);
  });

  it('DELETE (204); stale If-Match 412; missing 404 RelationshipNotFound', async () => {
    await h.adt.putRelationship('hub', 'hub-t3', { $targetId: 't3', $relationshipName: 'adjoins' });
    const stale = h.server.state.relationships.get('hub')!.get('hub-t3')!.$etag as string;
    await h.adt.patchRelationship('hub', 'hub-t3', [{ op: 'add', path: '/x', value: 1 }]);
    await adtError(h.client.deleteRelationship('hub', 'hub-t3', { ifMatch: stale }), 412, 'PreconditionFailed');
    expect(h.server.state.relationships.get('hub')!.has('hub-t3')).toBe(true);
    const r = await h.client.deleteRelationship('hub', 'hub-t3');
    expect(r._response.status).toBe(204);
    expect(h.server.state.relationships.get('hub')!.has('hub-t3')).toBe(false);
    await adtError(h.client.deleteRelationship('hub', 'hub-t3'), 404, 'RelationshipNotFound');
    await adtError(h.client.deleteRelationship('nope', 'hub-t3'), 404, 'DigitalTwinNotFound');
  });

  it('lists outgoing relationships across pages by https nextLink (relationshipPageSize 2)', async () => {
    for (const t of ['t3', 't4', 't5'])
      await h.adt.putRelationship('hub', `hub-${t}`, { $targetId: t, $relationshipName: 'adjoins' });
    await h.adt.putRelationship('t5', 't5-hub', { $targetId: 'hub', $relationshipName: 'adjoins' });
    h.server.requests.length = 0;
    const listed = await all(h.adt.listRelationships('hub'));
    expect(listed.map((r) => r.$relationshipId)).toEqual(['hub-t1', 'hub-t2', 'hub-t3', 'hub-t4', 'hub-t5']);
    expect(listed[0]).toEqual(h.server.state.relationships.get('hub')!.get('hub-t1'));
    expect(h.server.requests.map((r) => [r.op, r.path, r.status])).toEqual([
      ['relationships.list', '/digitaltwins/hub/relationships', 200],
      ['relationships.list', '/digitaltwins/hub/relationships', 200],
      ['relationships.list', '/digitaltwins/hub/relationships', 200],
    ]);
    const pages = await all(h.client.listRelationships('hub').byPage());
    expect(pages.map((p) => p.value?.length)).toEqual([2, 2, 1]);
    expect(pages[0].nextLink).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+\/digitaltwins\/hub\/relationships\?.*continuationToken=/,
    );
    expect(pages[2].nextLink ?? undefined).toBeUndefined();
    expect(await all(h.adt.listRelationships('t1'))).toEqual([]);
    expect(await failure(all(h.adt.listRelationships('nope')))).toMatchObject({
      status: 404,
      code: 'DigitalTwinNotFound',
    });
  });

  it('lists incoming relationships across pages (camelCase in the SDK)', async () => {
    for (const s of ['t1', 't2', 't3', 't4'])
      await h.adt.putRelationship(s, `${s}-hub`, { $targetId: 'hub', $relationshipName: 'adjoins' });
    h.server.requests.length = 0;
    const incoming = await all(h.adt.listIncomingRelationships('hub'));
    expect(incoming).toEqual(['t1', 't2', 't3', 't4', 't5'].map((s) => ({ relationshipId: `${s}-hub`, sourceId: s })));
    expect(ops(h.server, 'relationships.listIncoming')).toBe(3);
    const raw = await all(h.client.listIncomingRelationships('t1'));
    expect(raw).toEqual([
      {
        relationshipId: 'hub-t1',
        sourceId: 'hub',
        relationshipName: 'adjoins',
        relationshipLink: '/digitaltwins/hub/relationships/hub-t1',
      },
    ]);
    await h.adt.deleteRelationship('t1', 't1-hub');
    expect((await all(h.adt.listIncomingRelationships('hub'))).map((r) => r.sourceId)).toEqual([
      't2',
      't3',
      't4',
      't5',
    ]);
  });

  it('PUT may move a relationship to another target; incoming lists follow', async () => {
    await h.adt.putRelationship('hub', 'hub-t1', { $targetId: 't2', $relationshipName: 'adjoins' });
    expect(await all(h.adt.listIncomingRelationships('t1'))).toEqual([]);
    expect((await all(h.adt.listIncomingRelationships('t2'))).map((r) => r.relationshipId)).toEqual([
      'hub-t1',
      'hub-t2',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Query
// ---------------------------------------------------------------------------------------------------------

describe('query', () => {
  const h = harness({ queryPageSize: 3 });
  beforeAll(async () => {
    await h.adt.createModels(MODELS);
    for (let i = 0; i < 7; i++) await h.adt.putTwin(`q${i}`, twin('dtmi:t:Room;1', { temp: i }));
    for (let i = 0; i < 6; i++)
      await h.adt.putRelationship(`q${i}`, `r${i}`, { $targetId: `q${i + 1}`, $relationshipName: 'adjoins' });
  });

  it('SELECT * FROM DIGITALTWINS: every twin, as GET returns it, across pages by continuation token', async () => {
    h.server.requests.length = 0;
    const twins = await all(h.adt.allTwins());
    expect(twins).toEqual([...h.server.state.twins.values()]);
    expect(twins).toHaveLength(7);
    expect(h.server.requests.map((r) => [r.method, r.op, r.status])).toEqual([
      ['POST', 'query', 200],
      ['POST', 'query', 200],
      ['POST', 'query', 200],
    ]);
  });

  it('SELECT * FROM RELATIONSHIPS: every relationship across pages', async () => {
    const rels = await all(h.adt.allRelationships());
    expect(rels).toEqual([...h.server.state.relationships.values()].flatMap((m) => [...m.values()]));
    expect(rels).toHaveLength(6);
    expect(rels[0]).toMatchObject({
      $relationshipId: 'r0',
      $sourceId: 'q0',
      $targetId: 'q1',
      $relationshipName: 'adjoins',
    });
  });

  it('honours max-items-per-page; the last page has a null continuationToken; query-charge is reported', async () => {
    const pages = await all(h.client.queryTwins('SELECT * FROM DIGITALTWINS', 4).byPage());
    expect(pages.map((p) => p.value?.length)).toEqual([4, 3]);
    expect(typeof pages[0].continuationToken).toBe('string');
    expect(pages[1].continuationToken).toBeNull();
    expect(pages[0].queryCharge).toBeGreaterThan(0);
    expect(
      (await all(h.client.queryTwins('select * from relationships', 100).byPage())).map((p) => p.value?.length),
    ).toEqual([6]);
  });

  it('refuses a bad continuation token (400 BadRequest) and unsupported queries (400 SqlQueryError)', async () => {
    await adtError(
      all(h.client.queryTwins('SELECT * FROM DIGITALTWINS').byPage({ continuationToken: 'garbage' })),
      400,
      'BadRequest',
    );
    await adtError(all(h.client.queryTwins("SELECT * FROM DIGITALTWINS WHERE $dtId = 'q1'")), 400, 'SqlQueryError');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Faults, limits and the request log
// ---------------------------------------------------------------------------------------------------------

describe('faults', () => {
  const h = harness({ seed: 7 });
  beforeAll(async () => {
    await h.adt.createModels(MODELS);
    await h.adt.putTwin('f1', twin('dtmi:t:Room;1', { temp: 1 }));
    await h.adt.putTwin('f2', twin('dtmi:t:Room;1', { temp: 2 }));
  });
  beforeEach(() => {
    h.server.faults.clear();
    h.server.requests.length = 0;
  });
  afterAll(() => h.server.faults.clear());

  it('throttle: 429 TooManyRequests with Retry-After, visible as retryAfterMs; nothing applied', async () => {
    h.server.faults.set({ throttle: { probability: 1, retryAfterSeconds: 2 } });
    const before = h.server.state.snapshot();
    const message = await adtError(
      h.client.updateDigitalTwin('f1', [{ op: 'replace', path: '/temp', value: 9 }]),
      429,
      'TooManyRequests',
    );
    expect(message).toContain('2 seconds');
    const e = await failure(h.adt.patchTwin('f1', [{ op: 'replace', path: '/temp', value: 9 }]));
    expect(e).toMatchObject({ status: 429, code: 'TooManyRequests', retryAfterMs: 2000, network: false });
    expect(h.server.state.snapshot()).toEqual(before);
    expect(h.server.requests.map((r) => [r.op, r.status, r.faulted])).toEqual([
      ['twins.patch', 429, 'throttle'],
      ['twins.patch', 429, 'throttle'],
    ]);
    // A throttled query is ADT's QuotaReachedError.
    expect(await failure(all(h.adt.allTwins()))).toMatchObject({
      status: 429,
      code: 'QuotaReachedError',
      retryAfterMs: 2000,
    });
  });

  it('unavailable: 503 ServiceUnavailable, Retry-After only when configured', async () => {
    h.server.faults.set({ unavailable: { probability: 1 } });
    expect(await failure(h.adt.getTwin('f1'))).toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
      retryAfterMs: undefined,
    });
    h.server.faults.set({ unavailable: { probability: 1, retryAfterSeconds: 3 } });
    expect(await failure(h.adt.getTwin('f1'))).toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
      retryAfterMs: 3000,
    });
    expect(h.server.requests.map((r) => r.faulted)).toEqual(['unavailable', 'unavailable']);
  });

  it('drop: the connection closes without a response — a network error (no status); nothing applied', async () => {
    h.server.faults.set({ drop: { probability: 1 } });
    const before = h.server.state.snapshot();
    const e = await failure(h.adt.patchTwin('f1', [{ op: 'replace', path: '/temp', value: 9 }]));
    expect(e.status).toBeUndefined();
    expect(e.network).toBe(true);
    expect(e.retryAfterMs).toBeUndefined();
    expect(h.server.state.snapshot()).toEqual(before);
    expect(h.server.requests).toEqual([expect.objectContaining({ op: 'twins.patch', status: 0, faulted: 'drop' })]);
    h.server.faults.clear();
    expect(await h.adt.getTwin('f1')).toMatchObject({ temp: 1 }); // the client recovers on a new connection
  });

  it('drop-after-write: the write is applied, the response dropped', async () => {
    h.server.faults.set({ drop: { probability: 1, afterWrite: true } });
    const e = await failure(h.adt.patchTwin('f1', [{ op: 'replace', path: '/temp', value: 10 }]));
    expect(e.network).toBe(true);
    expect(h.server.requests).toEqual([
      expect.objectContaining({ op: 'twins.patch', status: 204, faulted: 'drop-after-write' }),
    ]);
    h.server.faults.clear();
    expect(await h.adt.getTwin('f1')).toMatchObject({ temp: 10 });
  });

  it('appliesTo and hooks pick the requests a fault hits', async () => {
    h.server.faults.set({ throttle: { probability: 1 }, appliesTo: (r) => r.op === 'twins.patch' });
    expect(await h.adt.getTwin('f1')).toMatchObject({ temp: 10 });
    expect(await failure(h.adt.patchTwin('f1', [{ op: 'replace', path: '/temp', value: 11 }]))).toMatchObject({
      status: 429,
      retryAfterMs: 1000,
    });
    h.server.faults.clear();
    h.server.faults.hook((r) => (r.twinIds.includes('f2') ? { type: 'unavailable' } : undefined));
    expect(await failure(h.adt.patchTwin('f2', [{ op: 'replace', path: '/temp', value: 3 }]))).toMatchObject({
      status: 503,
    });
    await h.adt.patchTwin('f1', [{ op: 'replace', path: '/temp', value: 11 }]);
  });

  it('probabilistic faults are reproducible from the seed', async () => {
    const pattern = async (seed: number): Promise<(string | undefined)[]> => {
      const server = await startAdtServer({ seed });
      try {
        server.faults.set({ throttle: { probability: 0.3 }, unavailable: { probability: 0.3 } });
        const adt = sdkAdt(createSdkClient(server.url).client);
        for (let i = 0; i < 12; i++) await adt.getTwin('x').catch(() => undefined);
        return server.requests.map((r) => r.faulted);
      } finally {
        await server.stop();
      }
    };
    const a = await pattern(42);
    expect(await pattern(42)).toEqual(a);
    expect(a).toContain('throttle');
    expect(a).toContain(undefined);
  });

  it('delay: answers normally, later', async () => {
    h.server.faults.set({ delayMs: 150 });
    const start = performance.now();
    expect(await h.adt.getTwin('f2')).toMatchObject({ $dtId: 'f2' });
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    expect(h.server.requests).toEqual([expect.objectContaining({ op: 'twins.get', status: 200, delayedMs: 150 })]);
  });
});

describe('per-twin write limit and the request log', () => {
  const h = harness();
  beforeAll(async () => {
    await h.adt.createModels(MODELS);
    for (const id of ['w1', 'w2', 'w3']) await h.adt.putTwin(id, twin('dtmi:t:Room;1', { temp: 0 }));
    // Let the setup writes leave the one-second window.
    await new Promise((resolve) => setTimeout(resolve, 1050));
    h.server.requests.length = 0;
  });
  afterAll(() => h.server.faults.clear());

  it('attributes each write to the twins it counts against: relationship writes to both ends', async () => {
    await h.adt.putRelationship('w1', 'w1-w2', { $targetId: 'w2', $relationshipName: 'adjoins' });
    await h.adt.patchRelationship('w1', 'w1-w2', [{ op: 'add', path: '/x', value: 1 }]);
    await h.adt.putRelationship('w1', 'w1-w2', { $targetId: 'w3', $relationshipName: 'adjoins' }); // moves: old and new target
    await h.adt.deleteRelationship('w1', 'w1-w2');
    await h.adt.patchTwin('w1', [{ op: 'replace', path: '/temp', value: 1 }]);
    await h.adt.getTwin('w1');
    await all(h.adt.allTwins());
    expect(h.server.requests.map((r) => ({ op: r.op, write: r.write, twinIds: [...r.twinIds].sort() }))).toEqual([
      { op: 'relationships.put', write: true, twinIds: ['w1', 'w2'] },
      { op: 'relationships.patch', write: true, twinIds: ['w1', 'w2'] },
      { op: 'relationships.put', write: true, twinIds: ['w1', 'w2', 'w3'] },
      { op: 'relationships.delete', write: true, twinIds: ['w1', 'w3'] },
      { op: 'twins.patch', write: true, twinIds: ['w1'] },
      { op: 'twins.get', write: false, twinIds: [] },
      { op: 'query', write: false, twinIds: [] },
    ]);
    const times = h.server.requests.map((r) => r.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await new Promise((resolve) => setTimeout(resolve, 1050));
  });

  it('past N writes in a second on one twin (or its relationships), 429 with Retry-After; other twins unaffected', async () => {
    h.server.faults.set({ perTwinWriteLimit: { perSecond: 3, retryAfterSeconds: 1 } });
    h.server.requests.length = 0;
    await h.adt.putRelationship('w1', 'w1-w2', { $targetId: 'w2', $relationshipName: 'adjoins' }); // w1: 1, w2: 1
    await h.adt.patchTwin('w2', [{ op: 'replace', path: '/temp', value: 1 }]); // w2: 2
    await h.adt.patchTwin('w2', [{ op: 'replace', path: '/temp', value: 2 }]); // w2: 3
    const before = h.server.state.snapshot();
    expect(await failure(h.adt.patchTwin('w2', [{ op: 'replace', path: '/temp', value: 3 }]))).toMatchObject({
      status: 429,
      code: 'TooManyRequests',
      retryAfterMs: 1000,
    });
    // A relationship write touching w2 from either end is throttled too.
    expect(await failure(h.adt.patchRelationship('w1', 'w1-w2', [{ op: 'add', path: '/x', value: 1 }]))).toMatchObject({
      status: 429,
    });
    expect(
      await failure(h.adt.putRelationship('w3', 'w3-w2', { $targetId: 'w2', $relationshipName: 'adjoins' })),
    ).toMatchObject({ status: 429 });
    expect(h.server.state.snapshot()).toEqual(before);
    // Reads are not limited, nor are other twins' writes.
    expect(await h.adt.getTwin('w2')).toMatchObject({ temp: 2 });
    await h.adt.patchTwin('w1', [{ op: 'replace', path: '/temp', value: 5 }]); // w1: 2
    await h.adt.patchTwin('w3', [{ op: 'replace', path: '/temp', value: 5 }]);
    expect(h.server.requests.filter((r) => r.faulted === 'throttle').map((r) => r.op)).toEqual([
      'twins.patch',
      'relationships.patch',
      'relationships.put',
    ]);
    // After the window, w2 takes writes again.
    await new Promise((resolve) => setTimeout(resolve, 1050));
    await h.adt.patchTwin('w2', [{ op: 'replace', path: '/temp', value: 3 }]);
    expect(h.server.state.twins.get('w2')).toMatchObject({ temp: 3 });
  });
});

// ---------------------------------------------------------------------------------------------------------
// The SDK's own retries are gone: one call, one request
// ---------------------------------------------------------------------------------------------------------

describe('sdkAdt sends exactly one request per call', () => {
  const h = harness();
  beforeAll(async () => {
    await h.adt.createModels(MODELS);
    await h.adt.putTwin('s1', twin('dtmi:t:Room;1', { temp: 0 }));
  });
  beforeEach(() => {
    h.server.faults.clear();
    h.server.requests.length = 0;
  });
  afterAll(() => h.server.faults.clear());

  const patch = [{ op: 'replace' as const, path: '/temp', value: 1 }];

  it.each([
    ['429 with Retry-After', { type: 'throttle', retryAfterSeconds: 0.05 }, 429],
    ['503 with Retry-After', { type: 'unavailable', retryAfterSeconds: 0.05 }, 503],
    ['503 without Retry-After', { type: 'unavailable' }, 503],
    ['a dropped connection', { type: 'drop' }, undefined],
  ] as const)('under %s', async (_name, fault, status) => {
    h.server.faults.hook(() => fault);
    const calls: [string, () => Promise<unknown>][] = [
      ['twins.patch', () => h.adt.patchTwin('s1', patch)],
      ['twins.get', () => h.adt.getTwin('s1')],
      ['query', () => all(h.adt.allTwins())],
    ];
    for (const [op, call] of calls) {
      h.server.requests.length = 0;
      const e = await failure(call());
      expect(e.status).toBe(status);
      expect(h.server.requests.map((r) => r.op)).toEqual([op]);
    }
  });

  it('whereas the bare SDK client resends a 429 with Retry-After three times by itself', async () => {
    h.server.faults.hook((r) => (r.op === 'twins.patch' ? { type: 'throttle', retryAfterSeconds: 0.01 } : undefined));
    const bare = createSdkClient(h.server.url).client;
    const e = await rejection(bare.updateDigitalTwin('s1', patch));
    expect(e.statusCode).toBe(429);
    expect(h.server.requests.map((r) => r.op)).toEqual(['twins.patch', 'twins.patch', 'twins.patch', 'twins.patch']);
  });
});
