/**
 * GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws). As graphql-ws keeps its protocol core
 * (`makeServer`) apart from the socket library (`use/ws`), the options here say what a connection does (each
 * operation parsed and checked on the current schema with the query limits, a fresh per-operation context,
 * errors worded as on HTTP) and `attachGraphqlWs` puts them on an HTTP server's upgrades.
 *
 * The schema changes at run time (model uploads): each subscription takes the one current when it starts and
 * keeps it, like an HTTP operation.
 */
import type http from 'node:http';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import type { Disposable, ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import { TwingraphError } from '../errors';
import { toClientError } from './format-error';
import { limitRules } from './limits';
import { createContext, type Services } from './request-context';

export type GraphqlWsOptions = ServerOptions<Record<string, unknown>, Extra>;

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

export function graphqlWsOptions(config: Config, services: Services, log: Logger): GraphqlWsOptions {
  const validationRules = [...specifiedRules, ...limitRules(config)];
  return {
    // Parsing and validation here rather than through graphql-ws's `parse` and `validate` options: an
    // operation that does not parse would otherwise close the connection, and every subscription on it,
    // instead of being refused alone. Each refusal carries a code, like the HTTP side's.
    onSubscribe: (ctx, _id, payload) => {
      // graphql-ws has already put this one among the connection's subscriptions when it asks.
      if (Object.keys(ctx.subscriptions).length > config.limits.maxSubscriptionsPerSocket) {
        const limit = new TwingraphError(
          'LimitExceeded',
          `This connection already holds ${config.limits.maxSubscriptionsPerSocket} subscriptions (TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET): complete one, or open another connection.`,
        );
        return [new GraphQLError(limit.message, { originalError: limit })];
      }
      let document: DocumentNode;
      try {
        document = parse(payload.query);
      } catch (error) {
        return [withCode(error as GraphQLError, ApolloServerErrorCode.GRAPHQL_PARSE_FAILED)];
      }
      const schema = services.models.current.schema;
      const errors = validate(schema, document, validationRules);
      if (errors.length > 0)
        return errors.map((e) =>
          typeof e.extensions.code === 'string' ? e : withCode(e, ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED),
        );
      if (!getOperationAST(document, payload.operationName)) {
        return [
          new GraphQLError(
            `Unable to identify the operation${payload.operationName ? ` '${payload.operationName}'` : ''} to run.`,
            { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE } },
          ),
        ];
      }
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
    },
    context: () => createContext(services) as unknown as Record<string, unknown>,
    // The refusals above, and a subscription's stream that failed: graphql-ws wraps what the stream threw
    // (SlowConsumer, for one) in a GraphQL error without a path, which Apollo's unwrapping leaves alone.
    onError: (_ctx, _id, _payload, errors) =>
      errors.map((e) => toClientError(e.toJSON(), e.originalError ?? e, log, 'in a subscription')),
    onNext: (_ctx, _id, _payload, _args, result) => {
      if (!('errors' in result) || !result.errors?.length) return result;
      return {
        ...result,
        errors: result.errors.map((e) =>
          toClientError(e.toJSON(), unwrapResolverError(e), log, 'while running an operation'),
        ),
      };
    },
  };
}

/**
 * Serves `options` on the WebSocket upgrades of `server` at `path`. Disposing closes every connection with a
 * close frame (1001, going away), ending its subscriptions.
 */
export function attachGraphqlWs(
  server: http.Server,
  path: string,
  options: GraphqlWsOptions,
  limits: { readonly maxMessageBytes: number; readonly origins: readonly string[] },
): Disposable {
  const allowed = new Set(limits.origins);
  const wss = new WebSocketServer({
    server,
    path,
    // A message over the limit closes the connection (1009, message too big), as HTTP refuses such a body.
    maxPayload: limits.maxMessageBytes,
    // Browsers send the page's Origin with the upgrade and, unlike HTTP requests, WebSockets have no CORS: a
    // page on any site could otherwise act with its visitor's access. The server's own origin and the listed
    // ones are let in; a client that sends no Origin (not a browser) is not concerned.
    verifyClient: ({ origin, req }, done) => {
      if (!origin || allowed.has(origin) || sameOrigin(origin, req)) done(true);
      else done(false, 403, 'Origin not allowed (TWINGRAPH_CORS_ORIGINS)');
    },
  });
  return useServer(options, wss);
}

/** Whether a browser's Origin names the server it is talking to (the Host it asked for). */
function sameOrigin(origin: string, req: http.IncomingMessage): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
