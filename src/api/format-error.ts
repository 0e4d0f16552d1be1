/**
 * How errors reach clients: every GraphQL error carries `extensions.code` (ADT's code where ADT has one,
 * GraphQL's BAD_USER_INPUT / GRAPHQL_VALIDATION_FAILED / … otherwise), the ids involved and a message a user
 * can act on. Unexpected errors are logged and reported without their internals.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isTwingraphError } from '../errors';
import { DtdlUploadError } from '../services/models';

/** Codes a GraphQL error may already carry, which are kept as they are. */
const GRAPHQL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/** The extensions of an error of ours: code, the ids involved, and for DTDL uploads every DTDL error. */
export function errorExtensions(error: unknown): Record<string, unknown> | undefined {
  if (!isTwingraphError(error)) return undefined;
  const { code: _code, message: _message, ...subject } = error.toJSON();
  return {
    code: error.code,
    ...subject,
    ...(error instanceof DtdlUploadError && { dtdlErrors: error.errors }),
  };
}

export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const ours = errorExtensions(original);
    if (ours)
      return { ...formatted, message: (original as Error).message, extensions: { ...formatted.extensions, ...ours } };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && GRAPHQL_CODES.has(code)) return formatted;
    // GraphQL's own input coercion errors (bad variables, a scalar that cannot parse a value).
    if (original instanceof GraphQLError && !original.originalError)
      return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
    log.error({ err: original }, 'unexpected error while running an operation');
    return {
      message: 'Internal server error: the server logged the details.',
      ...(formatted.path && { path: formatted.path }),
      ...(formatted.locations && { locations: formatted.locations }),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
