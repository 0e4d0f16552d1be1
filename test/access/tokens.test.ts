/**
 * Bearer tokens as an OIDC issuer signs them: verified against the issuer's key set (fetched, cached, and
 * fetched again when a token names a key it has not seen: key rotation) or a configured public key; every
 * malformed, expired, misdirected or forged token refused with UNAUTHENTICATED and a reason.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { roleOf, tokenVerifier } from '../../src/access/tokens';
import { rsaSigner, unsecuredToken, jose, type Signer } from '../support/auth';

const ISSUER = 'https://login.example.com/tenant/v2.0';
const AUDIENCE = 'api://twingraph';

describe('tokens against a key set (JWKS)', () => {
  let server: http.Server;
  let url: string;
  let published: Signer[];
  let fetches = 0;
  let first: Signer;
  let second: Signer;
  beforeAll(async () => {
    first = await rsaSigner('k1');
    second = await rsaSigner('k2');
    published = [first];
    server = http.createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published.map((s) => s.jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const claims = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'app-7',
    roles: ['Twingraph.Modeler'],
    twingraph_models: ['dtmi:a:B;1'],
  };

  it('takes a token signed by a published key: subject, role, scope and expiry', async () => {
    const verify = tokenVerifier({
      jwksUrl: url,
      issuer: ISSUER,
      audience: AUDIENCE,
      rolesClaim: 'roles',
      modelsClaim: 'twingraph_models',
    });
    const token = await first.sign(claims, { expiresIn: '1h' });
    const identity = await verify(token);
    expect(identity).toEqual({
      name: 'app-7',
      via: 'token',
      role: 'modeler',
      models: ['dtmi:a:B;1'],
      expiresAt: expect.any(Number),
    });
    expect(identity.expiresAt! - Date.now()).toBeGreaterThan(3_500_000);
  });

  it('follows a key rotation: a token signed with a key published later is verified after one more fetch', async () => {
    const verify = tokenVerifier(
      { jwksUrl: url, issuer: ISSUER, audience: AUDIENCE, rolesClaim: 'roles', modelsClaim: 'twingraph_models' },
      // An unknown key makes the set be fetched again at most this often (30 s by default).
      { jwksCooldownMs: 100 },
    );
    await verify(await first.sign(claims, { expiresIn: '1h' }));
    const before = fetches;
    published = [first, second];
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await verify(await second.sign(claims, { expiresIn: '1h' }))).name).toBe('app-7');
    expect(fetches).toBe(before + 1);
    // A key the issuer never published is refused, after one more look at the set.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const stranger = await rsaSigner('k9');
    await expect(verify(await stranger.sign(claims, { expiresIn: '1h' }))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });
});

describe('tokens against a public key', () => {
  let signer: Signer;
  let verify: ReturnType<typeof tokenVerifier>;
  beforeAll(async () => {
    signer = await rsaSigner();
    verify = tokenVerifier({
      publicKey: signer.publicKeyPem,
      issuer: ISSUER,
      audience: AUDIENCE,
      rolesClaim: 'roles',
      modelsClaim: 'twingraph_models',
    });
  });

  const base = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', roles: ['reader'] };

  it.each([
    ['expired', () => signer.sign(base, { expiresIn: Math.floor(Date.now() / 1000) - 120 }), /expired/],
    [
      'not yet valid',
      () => signer.sign({ ...base, nbf: Math.floor(Date.now() / 1000) + 3600 }, { expiresIn: '2h' }),
      /nbf/,
    ],
    ['from another issuer', () => signer.sign({ ...base, iss: 'https://evil.example/' }, { expiresIn: '1h' }), /iss/],
    ['for another audience', () => signer.sign({ ...base, aud: 'api://other' }, { expiresIn: '1h' }), /aud/],
    ['unsigned (alg: none)', async () => unsecuredToken(base), /./],
    [
      'signed with HMAC using the public key as its secret',
      async () =>
        new jose.SignJWT(base)
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(signer.publicKeyPem)),
      /algorithm/,
    ],
    ['signed by another key', async () => (await rsaSigner()).sign(base, { expiresIn: '1h' }), /signature/],
    [
      'tampered with',
      async () => {
        const [h, , s] = (await signer.sign(base, { expiresIn: '1h' })).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...base, roles: ['admin'] })).toString('base64url')}.${s}`;
      },
      /signature/,
    ],
    ['not a JWT at all', async () => 'hello', /not a valid signed JWT/],
  ])('refuses a token %s', async (_what, make, reason) => {
    await expect(verify(await make())).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(reason),
    });
  });

  it('takes a token without expiry (the issuer decides), and without a role claim as no role', async () => {
    expect(await verify(await signer.sign({ iss: ISSUER, aud: AUDIENCE, sub: 'svc' }))).toEqual({
      name: 'svc',
      via: 'token',
    });
  });
});

describe('the roles claim', () => {
  it.each([
    [['reader'], 'reader'],
    [['Twingraph.Writer', 'Other.Role'], 'writer'],
    ['reader admin', 'admin'],
    [['Modeler', 'reader'], 'modeler'],
    [['superuser'], undefined],
    [42, undefined],
    [undefined, undefined],
  ])('%j gives %s', (claim, role) => {
    expect(roleOf(claim)).toBe(role);
  });
});
