/**
 * Bearer tokens (OIDC: Entra ID, Auth0, Keycloak, …) verified with jose: the signature against the issuer's
 * key set (TWINGRAPH_JWT_JWKS_URL, fetched when a token names a key not seen yet, and cached) or a
 * configured public key; the issuer, audience, expiry and not-before; asymmetric algorithms only, so that
 * `alg: none` and HMAC tokens signed with a public key as secret are refused. The role comes from a claim
 * (Entra ID's app roles are in `roles`), the scope from another.
 *
 * jose is ESM-only; the compiled CommonJS server loads it with require(esm) (Node ≥ 20.19), lazily, so that
 * commands that verify no token never load it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import type { JwtConfig } from '../config';
import { TwingraphError } from '../errors';
import { ROLES, type Identity, type Role } from './identity';

const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
/** Clocks drift: a token a few seconds from its expiry or start on another machine is still taken. */
const CLOCK_TOLERANCE_S = 30;
const REMEMBER_MS = 60_000;
const REMEMBER_AT_MOST = 10_000;

export type TokenVerifier = (token: string) => Promise<Identity>;

function unauthenticated(message: string): TwingraphError {
  return new TwingraphError('UNAUTHENTICATED', message);
}

/**
 * How often the key set may be fetched again because a token names a key it does not hold: issuers publish
 * a new key before they sign with it, so a rotation is seen at once, while tokens naming made-up keys cannot
 * make the server hammer the issuer.
 */
const JWKS_COOLDOWN_MS = 30_000;

export function tokenVerifier(config: JwtConfig, options: { jwksCooldownMs?: number } = {}): TokenVerifier {
  const jose = require('jose') as typeof Jose;
  const key: KeyObject | Jose.JWTVerifyGetKey = config.jwksUrl
    ? jose.createRemoteJWKSet(new URL(config.jwksUrl), {
        cooldownDuration: options.jwksCooldownMs ?? JWKS_COOLDOWN_MS,
        cacheMaxAge: 600_000,
      })
    : createPublicKey(config.publicKey!);
  const verifyOptions: Jose.JWTVerifyOptions = {
    algorithms: ALGORITHMS,
    clockTolerance: CLOCK_TOLERANCE_S,
    ...(config.issuer && { issuer: config.issuer }),
    ...(config.audience && { audience: config.audience }),
  };
  // A client sends the same token with every request until it expires: a verified one is remembered (at most
  // a minute, never past its expiry), so that only the first request pays for the signature check.
  const verified = new Map<string, { identity: Identity; until: number }>();
  return async (token) => {
    const now = Date.now();
    const known = verified.get(token);
    if (known && known.until > now) return known.identity;
    const identity = await verify(token);
    if (verified.size >= REMEMBER_AT_MOST) verified.clear();
    verified.set(token, { identity, until: Math.min(now + REMEMBER_MS, identity.expiresAt ?? Infinity) });
    return identity;
  };

  async function verify(token: string): Promise<Identity> {
    let payload: Jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, key as KeyObject, verifyOptions));
    } catch (error) {
      throw unauthenticated(reasonOf(error as { code?: string; claim?: string; message?: string }));
    }
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw unauthenticated('The bearer token has no subject (sub claim).');
    const role = roleOf(payload[config.rolesClaim]);
    const models = modelsOf(payload[config.modelsClaim]);
    return {
      name: payload.sub,
      via: 'token',
      ...(role && { role }),
      ...(models && { models }),
      ...(typeof payload.exp === 'number' && { expiresAt: payload.exp * 1000 }),
    };
  }
}

/** Why a token was refused, in words a caller can act on; jose's codes are stable, its messages less so. */
function reasonOf(error: { code?: string; claim?: string; message?: string }): string {
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return 'The bearer token has expired.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `The bearer token's ${error.claim ?? ''} claim is not what this server expects (${error.message}).`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'The bearer token has a bad signature.';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `The bearer token is signed with an algorithm this server does not accept (accepted: ${ALGORITHMS.join(', ')}).`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return "The bearer token is signed with a key the issuer's key set does not hold.";
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return `The issuer's key set could not be read (${error.message}); try again later.`;
    default:
      return `The bearer token is not a valid signed JWT (${error.message ?? 'unreadable'}).`;
  }
}

/**
 * The highest role a roles claim names: a role's name, or ending in `.<role>` (Entra ID app roles are often
 * named `Twingraph.Writer`), in any case; other values are ignored.
 */
export function roleOf(claim: unknown): Role | undefined {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  let best = -1;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const index = (ROLES as readonly string[]).indexOf(value.split('.').pop()!.toLowerCase());
    best = Math.max(best, index);
  }
  return best < 0 ? undefined : ROLES[best];
}

function modelsOf(claim: unknown): string[] | undefined {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : undefined;
  if (values === undefined) return undefined;
  // A claim that is present but names nothing usable limits the caller to nothing, rather than to everything.
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}
