/**
 * From a request's credentials to an identity, the same for HTTP (the Authorization header) and WebSocket
 * (connection_init's `authorization`, or the upgrade request's header): `Bearer <key>` for API keys
 * (tgk_…), `Bearer <JWT>` for tokens. With authentication off every caller is OPEN_ACCESS and credentials
 * are not looked at; with it required, a caller without credentials is anonymous (undefined) and the
 * authorization that follows refuses them, while wrong credentials are refused here, saying why.
 */
import type { AccessConfig } from '../config';
import { TwingraphError } from '../errors';
import type { KeyStore } from '../store/port';
import { ApiKeys, KEY_PREFIX } from './api-keys';
import { OPEN_ACCESS, type Identity } from './identity';
import { tokenVerifier, type TokenVerifier } from './tokens';

export interface Authenticator {
  readonly required: boolean;
  readonly keys: ApiKeys;
  /** The caller's identity; undefined when they sent none (and one is required); UNAUTHENTICATED when wrong. */
  identify(authorization: unknown): Promise<Identity | undefined>;
}

export function createAuthenticator(access: AccessConfig, store: KeyStore): Authenticator {
  const keys = new ApiKeys(store);
  const required = access.auth === 'required';
  let tokens: TokenVerifier | undefined;
  return {
    required,
    keys,
    identify: async (authorization) => {
      if (!required) return OPEN_ACCESS;
      if (authorization === undefined || authorization === null || authorization === '') return undefined;
      const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
      if (!match)
        throw new TwingraphError(
          'UNAUTHENTICATED',
          'The authorization is not understood: send "Bearer <token or API key>".',
        );
      const credential = match[1];
      if (credential.startsWith(KEY_PREFIX)) return keys.verify(credential);
      if (!access.jwt)
        throw new TwingraphError(
          'UNAUTHENTICATED',
          'This server takes API keys (tgk_…) only: no token issuer is configured (TWINGRAPH_JWT_JWKS_URL or TWINGRAPH_JWT_PUBLIC_KEY).',
        );
      tokens ??= tokenVerifier(access.jwt);
      return tokens(credential);
    },
  };
}
