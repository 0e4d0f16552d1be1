/**
 * Errors a client can act on: every GraphQL error carries extensions.code (ADT's code where ADT has one),
 * the ids involved, and for payloads the JSON Pointer and rule of each problem; invalid DTDL comes back
 * with the reference parser's validation ids and line/column; limits (depth, aliases, body size) and
 * malformed requests get clear errors too, over HTTP and over WebSocket.
 */
import { expectCodes, M, useTestApp, type GqlError } from '../support/api-harness';

// The depth limit is what these queries test: the cost limit (cost.test.ts), which unpaged nested listings
// would reach first, is set out of the way.
const t = useTestApp({
  env: { TWINGRAPH_MAX_BODY: '64kb', TWINGRAPH_MAX_ALIASES: '20', TWINGRAPH_MAX_COST: '100000000000' },
});

beforeAll(async () => {
  await t.ok('mutation { createClient(id: "x-c", input: { name: "Xenon" }) { id } }');
  await t.ok('mutation { createAsset(id: "x-a", input: { name: "Xanadu" }) { id } }');
  await t.ok('mutation { createDevice(id: "x-d", input: { deviceType: "probe" }) { id } }');
  await t.ok('mutation { createEngagement(id: "x-g", input: { title: "X" }) { id } }');
});

async function post(
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; body: { errors?: GqlError[] } }> {
  const response = await fetch(t.url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as { errors?: GqlError[] } };
}

describe('invalid payloads: ValidationFailed with a detail per problem', () => {
  it.each([
    ['a wrong type', { name: 42 }, [{ path: '/name', rule: 'type' }]],
    ['a value outside an enum', { industry: 'piracy' }, [{ path: '/industry', rule: 'enum' }]],
    ['a wrong type inside an object', { address: { city: 5 } }, [{ path: '/address/city', rule: 'type' }]],
    ['an unknown property', { name: 'ok', nickname: 'x' }, [{ path: '/nickname', rule: 'unknownProperty' }]],
  ])('createTwin with %s', async (_label, properties, details) => {
    const [error] = await t.fails(
      'mutation ($p: JSON) { createTwin(id: "x-new", modelId: "dtmi:twingraph:demo:Client;1", properties: $p) { id } }',
      { p: properties },
    );
    expect(error.extensions).toMatchObject({ code: 'ValidationFailed', twinId: 'x-new', path: details[0].path });
    expect(error.extensions?.details).toEqual(details.map((d) => ({ ...d, message: expect.any(String) })));
    expect(error.message).toContain(details[0].path);
    expect((await t.ok('{ twin(id: "x-new") { id } }')).twin).toBeNull();
  });

  it('patchTwin is validated on the state it would produce, and changes nothing when it fails', async () => {
    const before = await t.ok('{ twin(id: "x-d") { etag json } }');
    const [error] = await t.fails(
      'mutation { patchTwin(id: "x-d", patch: [{ op: add, path: "/capacity", value: "lots" }, { op: add, path: "/colour", value: "red" }]) { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'ValidationFailed', twinId: 'x-d' });
    expect(error.extensions?.details).toEqual(
      expect.arrayContaining([
        { path: '/capacity', rule: 'type', message: expect.any(String) },
        { path: '/colour', rule: 'unknownProperty', message: expect.any(String) },
      ]),
    );
    expect(await t.ok('{ twin(id: "x-d") { etag json } }')).toEqual(before);
  });

  it('a component property of the wrong type names its pointer inside the component', async () => {
    const [error] = await t.fails(
      'mutation { updateComponent(id: "x-d", component: "diagnostics", patch: [{ op: add, path: "/errorCount", value: 1.5 }]) { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'ValidationFailed', path: '/diagnostics/errorCount' });
  });

  it('a typed mutation refuses a wrong type before it runs (GraphQL input coercion)', async () => {
    const [error] = await t.fails('mutation { createClient(id: "x-typed", input: { name: 42 }) { id } }');
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a model that does not exist is ModelNotFound', async () => {
    const [error] = await t.fails(
      'mutation { createTwin(id: "x-nomodel", modelId: "dtmi:test:Nothing;1", properties: {}) { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'ModelNotFound', modelId: 'dtmi:test:Nothing;1' });
  });

  it('telemetry of the wrong type, or that the model does not have, is refused and nothing is recorded', async () => {
    const [wrongType] = await t.fails(
      'mutation { recordMetrics(points: [{ twinId: "x-d", name: "temperature", time: "2024-05-01T10:00:00Z", value: "hot" }]) }',
    );
    expect(wrongType.extensions).toMatchObject({ code: 'ValidationFailed', twinId: 'x-d' });
    const [unknown] = await t.fails(
      'mutation { recordMetrics(points: [{ twinId: "x-d", name: "temperature", time: "2024-05-01T10:00:00Z", value: 1 }, { twinId: "x-d", name: "humidity", time: "2024-05-01T10:00:00Z", value: 1 }]) }',
    );
    expect(unknown.extensions).toMatchObject({ code: 'ValidationFailed', modelId: M.device });
    expect(unknown.message).toMatch(/humidity/);
    expect(
      (await t.ok('{ twin(id: "x-d") { ... on Device { temperature { latest { value } } } } }')).twin.temperature
        .latest,
    ).toBeNull();
  });
});

describe('invalid relationships', () => {
  it('to a twin of the wrong model is InvalidRelationship', async () => {
    const [error] = await t.fails(
      'mutation { createRelationship(sourceId: "x-c", name: "hasEngagement", targetId: "x-a") { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'InvalidRelationship', twinId: 'x-c' });
    expect(error.message).toMatch(/Engagement/);
    expect((await t.ok('{ twin(id: "x-c") { relationships { id } } }')).twin.relationships).toEqual([]);
  });

  it("with a name the source's model does not have is InvalidRelationship", async () => {
    const [error] = await t.fails(
      'mutation { createRelationship(sourceId: "x-c", name: "owns", targetId: "x-a") { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'InvalidRelationship', twinId: 'x-c' });
    expect(error.message).toMatch(/hasEngagement/);
  });

  it('to a twin that does not exist is TargetTwinNotFound', async () => {
    const [error] = await t.fails(
      'mutation { createRelationship(sourceId: "x-c", name: "hasEngagement", targetId: "x-none") { id } }',
    );
    expect(error.extensions?.code).toBe('TargetTwinNotFound');
  });

  it('with a property of the wrong type is ValidationFailed naming it', async () => {
    const [error] = await t.fails(
      'mutation { createRelationship(sourceId: "x-c", name: "hasEngagement", targetId: "x-g", properties: { since: 2024 }) { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'ValidationFailed', path: '/since' });
  });
});

describe('invalid DTDL and models', () => {
  const UPLOAD = 'mutation ($documents: [JSON!]!) { uploadModels(documents: $documents) { models { id } } }';

  it('an invalid interface is DTDLParserError with every DTDL error: validation id, element, line and column', async () => {
    const text = [
      '{',
      '  "@context": "dtmi:dtdl:context;3",',
      '  "@id": "dtmi:test:Broken;1",',
      '  "@type": "Interface",',
      '  "contents": [',
      '    { "@type": "Property", "name": "level", "schema": "notASchema" }',
      '  ]',
      '}',
    ].join('\n');
    const [error] = await t.fails(UPLOAD, { documents: [text] });
    expect(error.extensions?.code).toBe('DTDLParserError');
    const dtdlErrors = error.extensions?.dtdlErrors as {
      validationId: string;
      primaryId?: string;
      line?: number;
      column?: number;
      cause: string;
      action: string;
    }[];
    expect(dtdlErrors.length).toBeGreaterThan(0);
    expect(dtdlErrors[0]).toMatchObject({
      validationId: expect.stringMatching(/^dtmi:dtdl:parsingError:/),
      primaryId: expect.stringContaining('dtmi:test:Broken'),
      line: 6,
      column: expect.any(Number),
      cause: expect.any(String),
      action: expect.any(String),
    });
    expect(error.message).toMatch(/dtmi:dtdl:parsingError:/);
    expect((await t.ok('{ model(id: "dtmi:test:Broken;1") { id } }')).model).toBeNull();
  });

  it('a reference to an undefined interface is reported as such', async () => {
    const [error] = await t.fails(UPLOAD, {
      documents: [
        {
          '@context': 'dtmi:dtdl:context;3',
          '@id': 'dtmi:test:Orphan;1',
          '@type': 'Interface',
          extends: 'dtmi:test:Nowhere;1',
        },
      ],
    });
    expect(error.extensions?.code).toBe('DTDLParserError');
    expect(error.extensions?.dtdlErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ validationId: 'dtmi:twingraph:parsingError:undefinedReference' }),
      ]),
    );
  });

  it('a document that is not JSON is reported with its line and column', async () => {
    const [error] = await t.fails(UPLOAD, { documents: ['{\n  "@id": "dtmi:test:Half;1",\n  "@type": '] });
    expect(error.extensions?.code).toBe('DTDLParserError');
    expect(error.extensions?.dtdlErrors).toEqual([
      expect.objectContaining({
        validationId: 'dtmi:twingraph:parsingError:invalidJson',
        line: expect.any(Number),
        column: expect.any(Number),
      }),
    ]);
  });

  it('re-uploading an existing model is ModelAlreadyExists', async () => {
    const [error] = await t.fails(UPLOAD, {
      documents: [{ '@context': 'dtmi:dtdl:context;3', '@id': M.party, '@type': 'Interface' }],
    });
    expect(error.extensions).toMatchObject({ code: 'ModelAlreadyExists', modelId: M.party });
  });

  it('an empty upload is InvalidArgument', async () => {
    const [error] = await t.fails(UPLOAD, { documents: [] });
    expect(error.extensions?.code).toBe('InvalidArgument');
  });
});

describe('unknown twins', () => {
  it('twin(id) is null', async () => {
    expect(await t.gql('{ twin(id: "x-none") { id } }')).toEqual({ status: 200, data: { twin: null } });
  });

  it.each([
    ['patchTwin', 'mutation { patchTwin(id: "x-none", patch: [{ op: add, path: "/name", value: "n" }]) { id } }'],
    ['update<Model>', 'mutation { updateClient(id: "x-none", input: { name: "n" }) { id } }'],
    [
      'updateComponent',
      'mutation { updateComponent(id: "x-none", component: "diagnostics", patch: [{ op: add, path: "/errorCount", value: 1 }]) { id } }',
    ],
    ['deleteTwin', 'mutation { deleteTwin(id: "x-none") { deleted } }'],
    [
      'createRelationship from it',
      'mutation { createRelationship(sourceId: "x-none", name: "hasEngagement", targetId: "x-g") { id } }',
    ],
    [
      'recordMetrics',
      'mutation { recordMetrics(points: [{ twinId: "x-none", name: "temperature", time: "2024-05-01T10:00:00Z", value: 1 }]) }',
    ],
    ['a command', 'mutation { rebootOnDevice(id: "x-none", delaySeconds: 1) { seq } }'],
  ])('%s is DigitalTwinNotFound naming the twin', async (_label, mutation) => {
    const [error] = await t.fails(mutation);
    expect(error.extensions).toMatchObject({ code: 'DigitalTwinNotFound', twinId: 'x-none' });
  });

  it('a relationship that does not exist is RelationshipNotFound for writes and null for reads', async () => {
    const [error] = await t.fails(
      'mutation { updateRelationship(sourceId: "x-c", id: "nope", patch: [{ op: add, path: "/since", value: "2024-01-01" }]) { id } }',
    );
    expect(error.extensions).toMatchObject({ code: 'RelationshipNotFound', twinId: 'x-c', relationshipId: 'nope' });
    expect((await t.ok('{ relationship(sourceId: "x-c", id: "nope") { id } }')).relationship).toBeNull();
  });
});

describe('malformed requests', () => {
  it.each([
    ['an object for an ID', 'query ($id: ID!) { twin(id: $id) { id } }', { id: { not: 'an id' } }],
    ['a string for an Int', 'query ($first: Int) { clients(first: $first) { totalCount } }', { first: 'ten' }],
    ['a missing required variable', 'query ($id: ID!) { twin(id: $id) { id } }', {}],
    [
      'an unknown enum value',
      'query ($w: ClientWhere) { clients(where: $w) { totalCount } }',
      { w: { industry: { eq: 'Piracy' } } },
    ],
    [
      'an invalid DateTime',
      'mutation ($p: [MetricPointInput!]!) { recordMetrics(points: $p) }',
      { p: [{ twinId: 'x-d', name: 'temperature', time: 'yesterday', value: 1 }] },
    ],
  ])('malformed variables (%s) are BAD_USER_INPUT', async (_label, query, variables) => {
    const result = await t.gql(query, variables);
    expectCodes(result.errors);
    expect(result.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.data ?? undefined).toBeUndefined();
  });

  it('a query that does not parse is GRAPHQL_PARSE_FAILED', async () => {
    const result = await t.gql('{ twin(id: "x" { id } }');
    expectCodes(result.errors);
    expect(result.errors![0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('a field that does not exist is GRAPHQL_VALIDATION_FAILED', async () => {
    const [error] = await t.fails('{ twin(id: "x-c") { ... on Client { shoeSize } } }');
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toMatch(/shoeSize/);
  });

  it('a null filter operand is InvalidArgument', async () => {
    const [error] = await t.fails('{ clients(where: { name: { eq: null } }) { totalCount } }');
    expect(error.extensions?.code).toBe('InvalidArgument');
  });

  it('a body that is not JSON is HTTP 400 BAD_REQUEST', async () => {
    const result = await post('{"query": "{ models { id } }"');
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      { message: expect.stringMatching(/not valid JSON/), extensions: { code: 'BAD_REQUEST' } },
    ]);
  });

  it('a body over TWINGRAPH_MAX_BODY is HTTP 413 PAYLOAD_TOO_LARGE', async () => {
    const padding = 'x'.repeat(70 * 1024);
    const result = await post(JSON.stringify({ query: '{ models { id } }', variables: { padding } }));
    expect(result.status).toBe(413);
    expect(result.body.errors).toEqual([
      { message: expect.stringMatching(/65536 bytes.*TWINGRAPH_MAX_BODY/), extensions: { code: 'PAYLOAD_TOO_LARGE' } },
    ]);
    // Just under the limit is fine.
    expect(
      (await post(JSON.stringify({ query: '{ models { id } }', variables: { padding: 'x'.repeat(60 * 1024) } })))
        .status,
    ).toBe(200);
  });
  it.each([
    [
      'a charset other than UTF-8',
      { 'content-type': 'application/json; charset=latin1' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /charset "latin1" is not supported/,
    ],
    [
      'a content-encoding it cannot read',
      { 'content-type': 'application/json', 'content-encoding': 'zip' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /content-encoding is not supported/,
    ],
    [
      'a gzipped body that is not gzip',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      400,
      'BAD_REQUEST',
      /^The request was refused/,
    ],
  ])(
    'a body it cannot read (%s) is a JSON error with a stable code, never an HTML page',
    async (_label, headers, status, code, message) => {
      const response = await fetch(t.url, { method: 'POST', headers, body: '{"query": "{ models { id } }"}' });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { errors?: GqlError[] };
      expect(body.errors).toEqual([{ message: expect.stringMatching(message), extensions: { code } }]);
    },
  );
  it('a path nothing is served at is a JSON 404 NOT_FOUND naming where GraphQL is', async () => {
    const response = await fetch(new URL('/nothing-here', t.url));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as { errors?: GqlError[] }).errors).toEqual([
      { message: expect.stringMatching(/GraphQL is at \/graphql/), extensions: { code: 'NOT_FOUND' } },
    ]);
  });

  it('a path that does not decode is a JSON 400, not a 500', async () => {
    const response = await fetch(new URL('/explorer/%E0%A4%A', t.url));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors?: GqlError[] }).errors).toEqual([
      {
        message: expect.stringMatching(/^The request was refused: Failed to decode/),
        extensions: { code: 'BAD_REQUEST' },
      },
    ]);
  });
});

describe('unexpected failures', () => {
  it('are INTERNAL_SERVER_ERROR over HTTP, without the internals', async () => {
    const restore = t.instrumented.fail('queryTwins', new Error('SQLITE_CORRUPT: /secret/path/twingraph.db'));
    try {
      const [error] = await t.fails('{ clients { totalCount } }');
      expect(error).toEqual({
        message: expect.stringMatching(/^Internal server error/),
        path: ['clients'],
        locations: expect.any(Array),
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(error)).not.toMatch(/SQLITE|secret/);
    } finally {
      restore();
    }
  });

  it('end a subscription with INTERNAL_SERVER_ERROR over WebSocket, without the internals', async () => {
    const received = await t.subscribe('subscription { twinChanged(twinIds: ["x-c"]) { seq } }');
    const restore = t.instrumented.fail('readChanges', new Error('SQLITE_IOERR: /secret/path'));
    try {
      await t.store.patchTwin('x-c', [{ op: 'add', path: '/country', value: 'IS' }]);
      await received.ended();
    } finally {
      restore();
    }
    const errors = received.errors[0] as GqlError[];
    expectCodes(errors);
    expect(errors[0]).toEqual({
      message: expect.stringMatching(/^Internal server error/),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});

describe('limits', () => {
  /** `{ twin(id: "x-c") { relationships { target { … id } } } }` with `pairs` relationship/target levels: 2 × pairs + 2 fields deep. */
  function nested(pairs: number): string {
    let inner = 'id';
    for (let i = 0; i < pairs; i++) inner = `relationships { target { ${inner} } }`;
    return `{ twin(id: "x-c") { ${inner} } }`;
  }

  it('a query deeper than TWINGRAPH_MAX_DEPTH (12) is refused with a clear validation error', async () => {
    const [error] = await t.fails(nested(7)); // 16 deep
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toBe('Query depth limit of 12 exceeded, found 16. (TWINGRAPH_MAX_DEPTH)');
  });

  it('a query within the depth limit runs', async () => {
    expect(await t.ok(nested(5))).toEqual({ twin: expect.any(Object) }); // 12 deep
  });

  it('too many aliases are refused', async () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: twin(id: "x-c") { id }`).join(' ');
    const [error] = await t.fails(`{ ${aliases} }`);
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toMatch(/aliases limit of 20 exceeded.*TWINGRAPH_MAX_ALIASES/i);
  });
});

describe('errors over WebSocket carry codes too, and refuse only the operation at fault', () => {
  it('a subscription that does not parse is GRAPHQL_PARSE_FAILED; the other subscriptions on the connection go on', async () => {
    const client = t.wsClient();
    const closes: unknown[] = [];
    const other = await t.subscribe('subscription { twinChanged(twinIds: ["x-c"]) { seq } }', {}, client);
    client.on('closed', (event) => closes.push(event));
    const broken = await t.subscribe('subscription { twinChanged( { seq } }', {}, client);
    await broken.ended();
    const errors = broken.errors[0] as GqlError[];
    expectCodes(errors);
    expect(errors[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    await t.ok('mutation { updateClient(id: "x-c", input: { email: "still@example.com" }) { id } }');
    await other.waitFor(1);
    expect(closes).toEqual([]);
    other.stop();
  });

  it('a subscription naming an operation the document does not have is OPERATION_RESOLUTION_FAILURE', async () => {
    const client = t.wsClient();
    let errors: GqlError[] = [];
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: 'subscription A { twinChanged { seq } }', operationName: 'B' },
        { next: () => undefined, error: (e) => ((errors = e as GqlError[]), resolve()), complete: resolve },
      );
    });
    expectCodes(errors);
    expect(errors[0].extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it('a subscription that does not validate', async () => {
    const received = await t.subscribe('subscription { twinChanged { shoeSize } }');
    await received.ended();
    expect(received.errors).toHaveLength(1);
    const errors = received.errors[0] as GqlError[];
    expectCodes(errors);
    expect(errors[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a subscription deeper than the limit', async () => {
    let inner = 'id';
    for (let i = 0; i < 7; i++) inner = `relationships { target { ${inner} } }`;
    const received = await t.subscribe(`subscription { twinChanged { twin { ${inner} } } }`);
    await received.ended();
    const errors = received.errors[0] as GqlError[];
    expectCodes(errors);
    expect(errors[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errors[0].message).toBe('Query depth limit of 12 exceeded, found 17. (TWINGRAPH_MAX_DEPTH)');
  });

  it('a subscription whose arguments the server refuses (a path that is not a JSON Pointer)', async () => {
    const received = await t.subscribe('subscription { twinChanged(paths: ["temperature"]) { seq } }');
    await received.ended();
    const errors = received.errors as GqlError[];
    expectCodes(errors);
    expect(errors[0].extensions?.code).toBe('InvalidArgument');
    expect(errors[0].message).toMatch(/JSON Pointer/);
  });
});
