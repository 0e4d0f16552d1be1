/**
 * How errors reach clients, over HTTP and over WebSocket alike: every GraphQL error carries `extensions.code`
 * (ADT's code where ADT has one, Apollo's BAD_USER_INPUT / GRAPHQL_VALIDATION_FAILED / … otherwise), the ids
 * involved and a message a user can act on. Unexpected errors are logged and reported without their internals.
 * Both transports go through `toClientError`, so that a failure reads the same whichever one carried it.
 */
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isTwingraphError } from '../errors';

/**
 * Codes a GraphQL error may already carry, which are kept as they are. Not INTERNAL_SERVER_ERROR: Apollo gives
 * it to every error without a code, and those are the ones whose message must not leave the server.
 */
const KEPT_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ApolloServerErrorCode).filter((code) => code !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR),
  // Access and limits, raised as GraphQL errors before an operation runs (../api/authorize.ts, ./cost.ts).
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'QUERY_TOO_COSTLY',
  'RATE_LIMITED',
]);

/** The extensions of an error of ours: its code and its subject (the ids involved, details, DTDL errors). */
export function errorExtensions(error: unknown): Record<string, unknown> | undefined {
  if (!isTwingraphError(error)) return undefined;
  const { code: _code, message: _message, ...subject } = error.toJSON();
  return { code: error.code, ...subject };
}

/**
 * One error as the client gets it. `original` is what was thrown (a resolver's error, a subscription stream's),
 * or the GraphQL error itself when nothing was; `during` says in the log where an unexpected one happened.
 */
export function toClientError(
  formatted: GraphQLFormattedError,
  original: unknown,
  log: Logger,
  during: string,
): GraphQLFormattedError {
  const ours = errorExtensions(original);
  if (ours)
    return { ...formatted, message: (original as Error).message, extensions: { ...formatted.extensions, ...ours } };
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && KEPT_CODES.has(code)) {
    // `http` tells Apollo the status to answer with; it is not for clients (and over WebSocket means nothing).
    if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
    const { http: _http, ...extensions } = formatted.extensions;
    return { ...formatted, extensions };
  }
  // GraphQL's own input coercion errors (bad variables, a scalar that cannot parse a value).
  if (original instanceof GraphQLError && !original.originalError)
    return { ...formatted, extensions: { ...formatted.extensions, code: ApolloServerErrorCode.BAD_USER_INPUT } };
  log.error({ err: original }, `unexpected error ${during}`);
  return {
    message: 'Internal server error: the server logged the details.',
    ...(formatted.path && { path: formatted.path }),
    ...(formatted.locations && { locations: formatted.locations }),
    extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** Apollo Server's `formatError`, and the WebSocket side's for the errors of execution results. */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError =>
    toClientError(formatted, unwrapResolverError(error), log, 'while running an operation');
}
