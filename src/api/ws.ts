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
import { execute, getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import type { Disposable, ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { actorOf, OPEN_ACCESS, type Identity } from '../access/identity';
import type { Config } from '../config';
import { isTwingraphError, TwingraphError } from '../errors';
import type { GraphContext } from '../graphql/graph-context';
import { asActor } from '../store/actor';
import { authorizeOperation, fragmentsOf, type ApiGuards } from './authorize';
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

/** graphql-ws's close code for a missing, wrong or expired credential. */
const UNAUTHORIZED = 4401;
/** A close reason is at most 123 bytes. */
const closeReason = (text: string): string => (Buffer.byteLength(text) <= 123 ? text : `${text.slice(0, 119)}…`);

interface Connection {
  readonly identity: Identity;
  expiry?: NodeJS.Timeout;
}

export function graphqlWsOptions(config: Config, services: Services, guards: ApiGuards, log: Logger): GraphqlWsOptions {
  const { auth, limits } = guards;
  const validationRules = [...specifiedRules, ...limitRules(config)];
  // Keyed by graphql-ws's per-socket `extra`, which lives as long as the socket.
  const connections = new WeakMap<Extra, Connection>();
  const socketsOf = new Map<string, number>();
  const identityOf = (extra: Extra): Identity => connections.get(extra)?.identity ?? OPEN_ACCESS;
  return {
    // The credential comes in connection_init's payload ({ authorization: "Bearer …" }, where browsers can
    // put it) or, for other clients, in the upgrade request's header. A connection is refused as a whole
    // (4401) without one where one is required, before any operation.
    onConnect: async (ctx) => {
      const { socket, request } = ctx.extra;
      const refuse = (reason: string): false => {
        socket.close(UNAUTHORIZED, closeReason(`Unauthorized: ${reason}`));
        return false;
      };
      let identity: Identity | undefined;
      try {
        identity = await auth.identify(ctx.connectionParams?.authorization ?? request.headers.authorization);
      } catch (error) {
        if (isTwingraphError(error, 'UNAUTHENTICATED')) return refuse(error.message);
        throw error;
      }
      if (!identity) return refuse('send { "authorization": "Bearer <token or API key>" } in connection_init.');
      if (identity.via !== 'open') {
        const held = socketsOf.get(identity.name) ?? 0;
        if (held >= config.access.maxSocketsPerIdentity) {
          socket.close(
            4429,
            closeReason(`Too many connections: '${identity.name}' holds ${held} (TWINGRAPH_MAX_SOCKETS_PER_IDENTITY).`),
          );
          return false;
        }
        socketsOf.set(identity.name, held + 1);
      }
      const connection: Connection = { identity };
      // A credential that expires ends the connection and its subscriptions then, saying so; the client
      // reconnects with a fresh one (graphql-ws clients re-read connectionParams on every connect).
      if (identity.expiresAt !== undefined)
        connection.expiry = setTimeout(
          () => socket.close(UNAUTHORIZED, 'Unauthorized: the credential expired.'),
          Math.max(0, Math.min(identity.expiresAt - Date.now(), 2 ** 31 - 1)),
        );
      connections.set(ctx.extra, connection);
      return true;
    },
    onClose: (ctx) => {
      const connection = connections.get(ctx.extra);
      if (!connection) return;
      connections.delete(ctx.extra);
      clearTimeout(connection.expiry);
      const { name, via } = connection.identity;
      if (via === 'open') return;
      const held = (socketsOf.get(name) ?? 1) - 1;
      if (held > 0) socketsOf.set(name, held);
      else socketsOf.delete(name);
    },
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
      const operation = getOperationAST(document, payload.operationName)!;
      const fragments = fragmentsOf(document.definitions);
      const identity = identityOf(ctx.extra);
      const refusal =
        authorizeOperation(schema, operation, fragments, identity) ??
        limits.check(schema, operation, fragments, payload.variables ?? undefined, identity);
      if (refusal) return [refusal];
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
    },
    // Queries and mutations get the same deadline as over HTTP; a subscription resolves each event long
    // after it started, so it has none.
    context: (ctx, _id, _payload, args) =>
      createContext(
        services,
        identityOf(ctx.extra),
        getOperationAST(args.document, args.operationName)?.operation === 'subscription'
          ? Number.POSITIVE_INFINITY
          : Date.now() + config.access.operationTimeoutMs,
      ) as unknown as Record<string, unknown>,
    // Mutations over WebSocket record their caller as the actor, as over HTTP.
    execute: (args) =>
      asActor(actorOf((args.contextValue as GraphContext).identity), () => execute(args)) as ReturnType<typeof execute>,
    // The refusals above, and a subscription's stream that failed: graphql-ws wraps what the stream threw
    // (SlowConsumer, for one) in a GraphQL error without a path, which Apollo's unwrapping leaves alone.
    onError: (_ctx, _id, _payload, errors) =>
      errors.map((e) => toClientError(e.toJSON(), e.originalError ?? e, log, 'in a subscription')),
    onNext: (_ctx, _id, _payload, _args, result) => {
      // The same cap on what one answer (or one event) weighs as over HTTP.
      const size = Buffer.byteLength(JSON.stringify(result));
      if (size > config.access.maxResponseBytes)
        return {
          errors: [
            {
              message: `The answer would be ${size} bytes, more than the limit of ${config.access.maxResponseBytes} (TWINGRAPH_MAX_RESPONSE): ask for less.`,
              extensions: { code: 'RESPONSE_TOO_LARGE', size, limit: config.access.maxResponseBytes },
            },
          ],
        };
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
