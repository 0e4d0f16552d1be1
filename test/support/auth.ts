/**
 * Credentials for tests: RSA key pairs and signed tokens (jose), API keys created straight in a store, and
 * GraphQL calls that carry an Authorization header over HTTP and WebSocket.
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ApiKeys, type NewKey } from '../../src/access/api-keys';
import type { KeyStore } from '../../src/store/port';
import type { GqlError } from './api-harness';

export const jose = require('jose') as typeof Jose;

export interface Signer {
  readonly publicKeyPem: string;
  readonly jwk: Jose.JWK;
  sign(claims: Jose.JWTPayload, options?: { expiresIn?: string | number; kid?: string; alg?: string }): Promise<string>;
}

export async function rsaSigner(kid = 'key-1'): Promise<Signer> {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    publicKeyPem: await jose.exportSPKI(publicKey),
    jwk,
    sign: (claims, options = {}) => {
      const jwt = new jose.SignJWT(claims)
        .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? kid })
        .setIssuedAt();
      if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
      return jwt.sign(privateKey);
    },
  };
}

/** An unsigned token (`alg: none`), as an attacker would forge one. */
export function unsecuredToken(claims: Record<string, unknown>): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

export async function createKey(store: KeyStore, key: NewKey): Promise<string> {
  return (await new ApiKeys(store).create(key)).key;
}

export interface AuthedResponse<T = Record<string, any>> {
  readonly status: number;
  readonly headers: Headers;
  readonly data?: T | null;
  readonly errors?: GqlError[];
}

/** POSTs an operation with `Authorization: <authorization>` (none when undefined). */
export async function gqlAs<T = Record<string, any>>(
  url: string,
  authorization: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
): Promise<AuthedResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization !== undefined && { authorization }),
    },
    body: JSON.stringify({ query, ...(variables && { variables }) }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GqlError[] };
  return { status: response.status, headers: response.headers, ...body };
}

export const bearer = (credential: string): string => `Bearer ${credential}`;

/** A graphql-ws client that sends `authorization` in connection_init; `closed` gets the close event. */
export function wsClientAs(
  url: string,
  authorization: string | undefined,
  closed?: (event: { code: number; reason: string }) => void,
): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(authorization !== undefined && { connectionParams: { authorization } }),
    ...(closed && { on: { closed: (event) => closed(event as { code: number; reason: string }) } }),
  });
}

/** Runs one operation over a graphql-ws client and returns its first result (or the error it ended with). */
export function wsOnce(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data?: any; errors?: GqlError[] } | { closed: unknown }> {
  return new Promise((resolve) => {
    client.subscribe(
      { query, ...(variables && { variables }) },
      {
        next: (value) => resolve(value as { data?: any; errors?: GqlError[] }),
        error: (error) => resolve(Array.isArray(error) ? { errors: error as GqlError[] } : { closed: error }),
        complete: () => undefined,
      },
    );
  });
}
