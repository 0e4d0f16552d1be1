/**
 * Identities on a server that requires them: API keys and bearer tokens over HTTP and WebSocket, roles
 * checked before anything runs (UNAUTHENTICATED 401, FORBIDDEN 403 naming the field and the role it
 * needs), the caller recorded as the actor of every change, and the secure default off loopback.
 */
import { loadConfig } from '../../src/config';
import { startApp } from '../../src/app';
import pino from 'pino';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { M, retriedUntil, TestApp, waitUntil } from '../support/api-harness';
import { bearer, createKey, gqlAs, rsaSigner, unsecuredToken, wsClientAs, wsOnce, type Signer } from '../support/auth';

const CREATE = `mutation($id: ID!) { createTwin(id: $id, modelId: "${M.client}", properties: { name: "Acme" }) { id } }`;

describe('a server that requires identities', () => {
  let t: TestApp;
  let signer: Signer;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    signer = await rsaSigner();
    t = await new TestApp({
      env: {
        TWINGRAPH_AUTH: 'required',
        TWINGRAPH_JWT_PUBLIC_KEY: signer.publicKeyPem,
        TWINGRAPH_JWT_ISSUER: 'https://login.example.com/',
        TWINGRAPH_JWT_AUDIENCE: 'api://twingraph',
      },
    }).start();
    for (const role of ['reader', 'writer', 'modeler', 'admin'] as const)
      keys[role] = await createKey(t.store, { name: `${role}-key`, role });
  });
  afterAll(() => t?.close());

  const token = (claims: Record<string, unknown> = {}, expiresIn: string | number = '1h') =>
    signer.sign(
      {
        iss: 'https://login.example.com/',
        aud: 'api://twingraph',
        sub: 'user-1',
        roles: ['Twingraph.Writer'],
        ...claims,
      },
      { expiresIn },
    );

  describe('over HTTP', () => {
    it('answers an anonymous caller 401 UNAUTHENTICATED with WWW-Authenticate, before GraphQL sees the query', async () => {
      const response = await gqlAs(t.url, undefined, '{ nope }');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
    });

    it.each([
      ['a malformed header', 'Basic dXNlcjpwYXNz', /Bearer <token or API key>/],
      ['an unknown key', `Bearer tgk_${'A'.repeat(43)}`, /API key is not known/],
      ['a malformed key', 'Bearer tgk_short', /malformed/],
      [
        'a forged unsigned token (alg: none)',
        () => bearer(unsecuredToken({ sub: 'x', roles: ['admin'] })),
        /not a valid signed JWT|algorithm/,
      ],
    ])('refuses %s with 401 and says why', async (_what, header, reason) => {
      const response = await gqlAs(t.url, typeof header === 'function' ? header() : header, '{ models { id } }');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(response.errors![0]).toMatchObject({
        message: expect.stringMatching(reason),
        extensions: { code: 'UNAUTHENTICATED' },
      });
    });

    it('lets a reader key query, and refuses its mutation with 403 FORBIDDEN naming the field and the role, writing nothing', async () => {
      expect((await gqlAs(t.url, bearer(keys.reader), '{ models { id } }')).data?.models.length).toBeGreaterThan(0);
      const before = await t.latestSeq();
      const refused = await gqlAs(t.url, bearer(keys.reader), CREATE, { id: 'client-x' });
      expect(refused.status).toBe(403);
      expect(refused.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining(
            "createTwin needs the writer role; the API key 'reader-key' has the reader role",
          ),
          extensions: expect.objectContaining({
            code: 'FORBIDDEN',
            refused: [{ field: 'createTwin', role: 'writer' }],
          }),
        }),
      ]);
      expect(await t.latestSeq()).toBe(before);
    });

    it('refuses the whole operation when one of its root fields (through a fragment too) needs more', async () => {
      const refused = await gqlAs(
        t.url,
        bearer(keys.writer),
        'mutation { ...M } fragment M on Mutation { createTwin(id: "c9", modelId: "' +
          M.client +
          '", properties: { name: "C" }) { id } deleteModel(id: "dtmi:x:y;1") { deleted } }',
      );
      expect(refused.status).toBe(403);
      expect(refused.errors![0].extensions).toMatchObject({
        code: 'FORBIDDEN',
        refused: [{ field: 'deleteModel', role: 'modeler' }],
      });
      expect(await t.store.getTwins(['c9'])).toEqual([undefined]);
    });

    it("records a writer key's name as the actor of its changes, shown by changes(after:)", async () => {
      const before = await t.latestSeq();
      expect((await gqlAs(t.url, bearer(keys.writer), CREATE, { id: 'client-w' })).errors).toBeUndefined();
      const { data } = await gqlAs(t.url, bearer(keys.reader), `{ changes(after: ${before}) { type subject actor } }`);
      expect(data!.changes).toEqual([{ type: 'TWIN_CREATE', subject: 'client-w', actor: 'writer-key' }]);
    });

    it("takes a valid token, its role from the roles claim (Entra ID's app roles), and records its subject as the actor", async () => {
      const before = await t.latestSeq();
      const response = await gqlAs(t.url, bearer(await token()), CREATE, { id: 'client-t' });
      expect(response.errors).toBeUndefined();
      expect((await t.store.readChanges({ after: before })).map((c) => c.actor)).toEqual(['user-1']);
    });

    it.each([
      ['expired', () => token({}, Math.floor(Date.now() / 1000) - 3600), /expired/],
      ['from another issuer', () => token({ iss: 'https://evil.example/' }), /iss/],
      ['for another audience', () => token({ aud: 'api://other' }), /aud/],
      [
        'tampered with',
        async () => {
          const [h, , s] = (await token()).split('.');
          return `${h}.${Buffer.from(JSON.stringify({ iss: 'https://login.example.com/', aud: 'api://twingraph', sub: 'user-1', roles: ['admin'] })).toString('base64url')}.${s}`;
        },
        /signature/,
      ],
      ['without a subject', () => token({ sub: undefined }), /subject/],
    ])('refuses a token %s with 401', async (_what, make, reason) => {
      const response = await gqlAs(t.url, bearer(await make()), '{ models { id } }');
      expect(response.status).toBe(401);
      expect(response.errors![0]).toMatchObject({
        message: expect.stringMatching(reason),
        extensions: { code: 'UNAUTHENTICATED' },
      });
    });

    it('refuses every field to a token that carries none of the roles', async () => {
      const response = await gqlAs(t.url, bearer(await token({ roles: ['Other.Thing'] })), '{ models { id } }');
      expect(response.status).toBe(403);
      expect(response.errors![0].message).toContain('has no role');
    });

    it('protects the published schema documents like the API', async () => {
      expect((await fetch(`${t.url}/schema.graphql`)).status).toBe(401);
      expect((await fetch(`${t.url}/schema.graphql`, { headers: { authorization: bearer(keys.reader) } })).status).toBe(
        200,
      );
    });
  });

  describe('over WebSocket', () => {
    it('closes an anonymous connection with 4401 before any operation', async () => {
      let closed: { code: number; reason: string } | undefined;
      const client = wsClientAs(t.url, undefined, (e) => (closed = e));
      const result = await wsOnce(client, '{ models { id } }');
      expect(result).toHaveProperty('closed');
      expect(closed).toMatchObject({ code: 4401, reason: expect.stringContaining('Unauthorized') });
      await client.dispose();
    });

    it('takes a key from connection_init, and applies the same roles as HTTP', async () => {
      const client = wsClientAs(t.url, bearer(keys.reader));
      expect(await wsOnce(client, '{ models { id } }')).toMatchObject({ data: { models: expect.any(Array) } });
      expect(await wsOnce(client, CREATE, { id: 'client-ws' })).toMatchObject({
        errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })],
      });
      await client.dispose();
    });

    it('records the actor of a mutation sent over WebSocket', async () => {
      const before = await t.latestSeq();
      const client = wsClientAs(t.url, bearer(keys.writer));
      expect(await wsOnce(client, CREATE, { id: 'client-ws2' })).toMatchObject({
        data: { createTwin: { id: 'client-ws2' } },
      });
      expect((await t.store.readChanges({ after: before })).map((c) => c.actor)).toEqual(['writer-key']);
      await client.dispose();
    });

    it('ends a subscription with 4401 when its token expires', async () => {
      let closed: { code: number; reason: string } | undefined;
      const client = wsClientAs(t.url, bearer(await token({}, Math.floor(Date.now() / 1000) + 2)), (e) => (closed = e));
      client.subscribe(
        { query: 'subscription { twinChanged { seq } }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      // The token's 2 s, plus the 30 s of clock tolerance would be too long to wait: the close follows exp itself.
      await waitUntil(() => closed !== undefined, 'the connection closes', 15_000);
      expect(closed).toMatchObject({ code: 4401, reason: 'Unauthorized: the credential expired.' });
      await client.dispose();
    });
  });
});

describe('the secure default', () => {
  const start = (env: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-auth-'));
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      TWINGRAPH_DB: path.join(dir, 'db'),
      TWINGRAPH_SEED: 'none',
      TWINGRAPH_PLUGINS: '',
      ...env,
    });
    return { config, run: () => startApp(config, pino({ level: 'silent' })), dir };
  };

  it('is off on loopback (the two-command demo), required on any other address', () => {
    expect(start({ HOST: '127.0.0.1' }).config.access.auth).toBe('off');
    expect(start({ HOST: '0.0.0.0' }).config.access.auth).toBe('required');
    expect(start({ HOST: '0.0.0.0', TWINGRAPH_AUTH: 'off' }).config.access.auth).toBe('off');
  });

  it('refuses to listen on 0.0.0.0 when no identity could be verified, saying what to do in one line', async () => {
    const { run } = start({ HOST: '0.0.0.0' });
    await expect(run()).rejects.toThrow(
      /will not listen on 0\.0\.0\.0 without identities: set TWINGRAPH_JWT_JWKS_URL .*twingraph keys create.*TWINGRAPH_AUTH=off/,
    );
  });
});

describe('sockets per identity', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_AUTH: 'required', TWINGRAPH_MAX_SOCKETS_PER_IDENTITY: '2' } }).start();
  });
  afterAll(() => t?.close());

  it('refuses a third connection of one identity with 4429, and takes one again once a connection closes', async () => {
    const key = bearer(await createKey(t.store, { name: 'busy', role: 'reader' }));
    const other = bearer(await createKey(t.store, { name: 'other', role: 'reader' }));
    // Each connection holds a subscription, so that the (lazy) clients keep their sockets open. One after the
    // other: a subscription is known started when the server's count of starts moves, and two at once would
    // both see the first move, with the second connection perhaps still being let in (and racing the third).
    const first = wsClientAs(t.url, key);
    const second = wsClientAs(t.url, key);
    const held = [];
    for (const client of [first, second])
      held.push(await t.subscribe('subscription { twinChanged { seq } }', {}, client));
    expect(held.map((r) => r.errors)).toEqual([[], []]);
    let closed: { code: number; reason: string } | undefined;
    const third = wsClientAs(t.url, key, (e) => (closed = e));
    expect(await wsOnce(third, '{ models { id } }')).toHaveProperty('closed');
    expect(closed).toMatchObject({ code: 4429, reason: expect.stringContaining("'busy' holds 2") });
    // Another identity is not concerned; a connection let go makes room.
    const theirs = wsClientAs(t.url, other);
    expect(await wsOnce(theirs, '{ models { id } }')).toHaveProperty('data');
    await first.dispose();
    // The server hears the close a moment after the client sends it (later on a busy machine): until then, a
    // new connection is refused as the third was, and the one after it tries again.
    const tries: ReturnType<typeof wsClientAs>[] = [];
    const answer = await retriedUntil(
      () => {
        const again = wsClientAs(t.url, key);
        tries.push(again);
        return wsOnce(again, '{ models { id } }');
      },
      (result) => 'data' in result,
    );
    expect(answer).toHaveProperty('data');
    await Promise.all([second.dispose(), third.dispose(), theirs.dispose(), ...tries.map((c) => c.dispose())]);
  });
});

describe('introspection and GraphiQL switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_INTROSPECTION: 'false', TWINGRAPH_GRAPHIQL: 'false' } }).start();
  });
  afterAll(() => t?.close());

  it('refuses introspection and does not publish the schema documents, while queries run', async () => {
    const refused = await gqlAs(t.url, undefined, '{ __schema { queryType { name } } }');
    expect(refused.errors![0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(refused.errors![0].message).toMatch(/introspection/i);
    expect((await fetch(`${t.url}/schema.graphql`)).status).toBe(404);
    expect((await fetch(`${t.url}/possible-types.json`)).status).toBe(404);
    expect((await gqlAs(t.url, undefined, '{ models { id } }')).data?.models.length).toBeGreaterThan(0);
  });

  it('serves no GraphiQL page to a browser', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toMatch(/graphiql/i);
  });
});
